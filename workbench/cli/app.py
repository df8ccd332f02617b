"""The Typer application and output helpers shared by every command."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from workbench.findings import ValidationReport

app = typer.Typer(
    name="workbench",
    help="Plant operations workbench: validate plant data, solve plans, run reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)  # long messages stay whole lines in logs


@app.callback()
def global_options(
    ctx: typer.Context,
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
    from workbench.cli.session import GlobalOptions

    ctx.obj = GlobalOptions(user=user, db_url=db)

EXIT_OK = 0
EXIT_FAILED = 1  # bad input, no plan found, refused


def out_console() -> Console:
    """Standard output; wide when piped (logs, cron mail) so tables are not squeezed."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 160)


def print_json(payload: Any) -> None:
    sys.stdout.write(json.dumps(payload, indent=2, default=str) + "\n")


def print_report(report: ValidationReport, source: str) -> None:
    """Human form of a validation report: one line per finding, errors first."""
    out = Console(highlight=False, soft_wrap=True)
    for finding in [*report.errors, *report.warnings]:
        colour = "red" if finding.is_error else "yellow"
        # file labels such as "net.xlsx [plant_master]" must not be read as markup
        out.print(f"[{colour}]{finding.severity:<7}[/] {escape(finding.location())}: "
                  f"{escape(finding.message)} [dim]({finding.check})[/]", markup=True)
    verdict = "[red]not usable[/]" if report.errors else "[green]usable[/]"
    out.print(f"{escape(source)}: {report.summary()}; {verdict}", markup=True)
