"""`workbench report NOTEBOOK [-p NAME VALUE ...]` and `workbench report list`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from workbench.cli.app import app
from workbench.cli.output import EXIT_FAILED, err, print_json, print_table
from workbench.cli.session import (
    action,
    signed_in,
    signed_in_with_password,
    usage_error,
    user_errors,
)
from workbench.core.access import BOOTSTRAP, Principal
from workbench.core.errors import InvalidRequest
from workbench.store.db import Store


class _RunByDefault(typer.core.TyperGroup):
    """`workbench report NAME` means `workbench report run NAME`; `list` stays a command."""

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


report_app = typer.Typer(cls=_RunByDefault, no_args_is_help=True,
                         help="Parameterised notebooks run with papermill into dated HTML "
                              "reports without code: `workbench report NOTEBOOK -p NAME VALUE`.")
app.add_typer(report_app, name="report")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def _value(text: str) -> Any:
    """-p values as papermill reads them: numbers, true/false, null, else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _parameters(args: list[str]) -> dict[str, Any]:
    """``-p NAME VALUE`` pairs, papermill's own spelling (click cannot take repeated pairs)."""
    found: dict[str, Any] = {}
    rest = iter(args)
    for arg in rest:
        if arg not in ("-p", "--parameter"):
            raise InvalidRequest(f"unexpected argument {arg!r}; parameters are -p NAME VALUE")
        name, value = next(rest, None), next(rest, None)
        if name is None or value is None:
            raise InvalidRequest("-p takes two values: -p NAME VALUE")
        found[name] = _value(value)
    return found


@report_app.command(
    "run", context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    epilog="Parameters: -p NAME VALUE (repeatable), as papermill takes them; values that read "
           "as JSON (numbers, true, false, null) are typed, the rest are text.")
def report_run(
    ctx: typer.Context,
    notebook: Annotated[str, typer.Argument(
        help="A report notebook's name (e.g. scenario_report) or a path to an .ipynb file.")],
    output_dir: Annotated[Path, typer.Option(
        "--output-dir", help="Where reports go: <dir>/<notebook>/<date>_<parameters>/.",
        metavar="DIR")] = Path("reports"),
    as_json: JsonOpt = False,
) -> None:
    """Run a report notebook and render it as HTML without code; record the run.

    Exit status 0 when the report was made, 1 when a cell failed (the run is recorded as
    failed, with the cell and the error) or the notebook cannot be found.
    """
    from workbench.reports import history, notebooks
    from workbench.reports.run import run_report

    try:
        parameters = _parameters(list(ctx.args))
    except InvalidRequest as exc:
        raise usage_error(str(exc)) from None
    if "password" in parameters:
        raise usage_error("a password is never a report parameter (papermill writes parameters "
                          "into the executed notebook): set WORKBENCH_PASSWORD instead")
    store, user, password = signed_in_with_password(ctx)
    with user_errors():
        path = notebooks.resolve(notebook)
        declared = notebooks.declared_parameters(path)
    parameters, kernel_env = _as_signed_in(parameters, declared, store, user, password)
    err.print(f"running {path.name} with {parameters or 'its default parameters'} ...")
    with user_errors():
        run = run_report(path, parameters, output_dir, kernel_env)
    with action(store, user, "report", notebook) as session:
        history.record(session, user, run)
    if as_json:
        print_json(run.to_dict())
    elif run.succeeded:
        err.print(f"report: {Path(run.folder) / str(run.html)} ({run.seconds:.1f}s)")
    else:
        err.print(f"[red]report failed:[/] {escape(str(run.error))}; the log is "
                  f"{Path(run.folder) / str(run.log)}")
    if not run.succeeded:
        raise typer.Exit(EXIT_FAILED)


def _as_signed_in(parameters: dict[str, Any], declared: set[str], store: Store,
                  user: Principal, password: str | None,
                  ) -> tuple[dict[str, Any], dict[str, str]]:
    """The notebook runs as the command's user, on the command's store.

    A cron run signs in with ``--user``/``WORKBENCH_USER``; the notebook must log in as that
    user too, or a store with users refuses it. The user's name is a parameter (recorded
    with the run); the store URL and the password go through the kernel's environment, so
    neither is written into the executed notebook.
    """
    if user != BOOTSTRAP:
        named = parameters.get("user")
        if named and named != user.username:
            raise usage_error(f"the report runs as the signed-in user '{user.username}', not "
                              f"'{named}': sign in as that user with --user instead")
        if "user" in declared:
            parameters = {**parameters, "user": user.username}
    env = {"WORKBENCH_DB_URL": store.engine.url.render_as_string(hide_password=False)}
    if password is not None:
        env["WORKBENCH_PASSWORD"] = password
    return parameters, env


@report_app.command("list")
def report_list(
    ctx: typer.Context,
    notebook: Annotated[str | None, typer.Option("--notebook", help="Only this notebook.",
                                                 metavar="NAME")] = None,
    limit: Annotated[int, typer.Option(help="How many runs, newest first.", metavar="N")] = 50,
    as_json: JsonOpt = False,
) -> None:
    """The history of report runs: when, which notebook, parameters, outcome and where."""
    from workbench.reports import history

    store, user = signed_in(ctx)
    with action(store, user, "report.list", audit_ok=True) as session:
        rows = [{"id": r.id, "notebook": r.notebook, "started_at": r.started_at,
                 "parameters": r.parameters, "status": r.status, "seconds": r.seconds,
                 "data_hash": r.data_hash, "solver_version": r.solver_version,
                 "package_version": r.package_version, "html": r.html, "folder": r.folder,
                 "error": r.error, "by": r.created_by}
                for r in history.history(session, notebook, limit)]
    if as_json:
        print_json(rows)
        return
    print_table(("id", "started (UTC)", "notebook", "parameters", "status", "seconds", "report"),
                [(r["id"], str(r["started_at"])[:19], r["notebook"],
                  ", ".join(f"{k}={v}" for k, v in r["parameters"].items()), r["status"],
                  r["seconds"], str(Path(r["folder"]) / r["html"]) if r["html"] else r["error"])
                 for r in rows])
