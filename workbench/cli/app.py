"""The root Typer application and its global options; domains mount their sub-apps on it."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    name="workbench",
    help="Plant operations workbench: validate plant data, solve plans, run reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from workbench._version import __version__

        typer.echo(f"workbench {__version__}")
        raise typer.Exit()


@app.callback()
def global_options(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option(
        "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")] = False,
    user: Annotated[str | None, typer.Option(
        "--user", envvar="WORKBENCH_USER",
        help="Acting user for commands that read or change stored plans (password from "
             "WORKBENCH_PASSWORD or a prompt). Not needed while the store has no users.")]
    = None,
    db: Annotated[str | None, typer.Option(
        "--db", envvar="WORKBENCH_DB_URL",
        help="Store URL: sqlite:///path.db (default sqlite:///workbench.db) or "
             "postgresql://user@host:port/db.")] = None,
) -> None:
    """Plant operations workbench: validate plant data, solve plans, keep and compare them."""
    del version  # handled eagerly by _print_version
    from workbench.cli.session import GlobalOptions

    ctx.obj = GlobalOptions(user=user, db_url=db)
