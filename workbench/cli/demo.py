"""`workbench demo`: the main job, end to end, in a fresh store under build/."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workbench.cli.app import app
from workbench.cli.output import err, print_json
from workbench.cli.session import user_errors


@app.command("demo")
def demo_command(
    folder: Annotated[Path, typer.Option(
        "--dir", help="Where the demo store goes (a fresh demo.db each time).",
        metavar="DIR")] = Path("build"),
    reports_dir: Annotated[Path, typer.Option(
        "--reports", help="Where the demo's report goes.", metavar="DIR")] = Path("reports"),
    as_json: Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
    = False,
) -> None:
    """Build the demo end to end: a fresh store, demo users, every domain's demo data, plans,
    what-ifs, an approved baseline and a report. Never touches WORKBENCH_DB_URL's store."""
    from workbench.demo import demo_password, run_demo

    password, generated = demo_password()
    with user_errors():
        ctx = run_demo(folder, reports_dir, password, lambda line: err.print(line))
    if as_json:
        print_json({"store": ctx.store_url, "headlines": ctx.headlines, "reports": ctx.reports,
                    "users": list(ctx.users)})
        return
    out = typer.echo
    out("")
    for line in ctx.headlines:
        out(line)
    for path in ctx.reports:
        out(f"report: {path}")
    who = "; ".join(f"{name} ({what})" for name, what in ctx.users.items())
    out(f"store: {ctx.store_url}; users {who}")
    if generated:
        out(f"password for all {len(ctx.users)} users (shown once; set WORKBENCH_DEMO_PASSWORD "
            f"to choose one): {password}")
    out("notebooks: make lab   (JupyterLab on notebooks/ with the workbench kernel)")
