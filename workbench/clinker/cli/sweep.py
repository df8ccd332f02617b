"""`workbench sweep`: many variants of a scenario, solved in parallel on Dask distributed."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from workbench.cli.output import EXIT_FAILED, err, print_json, print_table
from workbench.cli.session import usage_error, user_errors
from workbench.clinker.cli.commands import app
from workbench.clinker.cli.plans import CapacityOpt, CloseOpt, _changes, workspace
from workbench.core.errors import Conflict
from workbench.core.money import format_inr

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


@app.command("sweep")
def sweep_command(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Option("--scenario", help="The base scenario.",
                                          metavar="BASE")],
    demand_multiplier: Annotated[str, typer.Option(
        "--demand-multiplier", help="START:STOP:STEP (both ends included), e.g. 0.8:1.2:0.05.",
        metavar="RANGE")],
    capacity: CapacityOpt = None,
    close_route: CloseOpt = None,
    gap: Annotated[float | None, typer.Option("--gap", min=0, max=1, help="Relative MIP gap.",
                                              metavar="G")] = None,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="A Dask scheduler, tcp://HOST:PORT (default: a local cluster of "
                            "worker processes). Remote workers need a PostgreSQL store.",
        metavar="ADDRESS")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local worker processes.",
                                         metavar="N")] = 2,
    as_json: JsonOpt = False,
) -> None:
    """Solve every variant of BASE in parallel; each is stored as a scenario version derived
    from BASE, with its run (running the same sweep again adds a version to each). Ends with
    cost and service level per variant; failed variants are listed and do not stop the rest."""
    from workbench.clinker.sweep import multipliers, solve_variant, variants
    from workbench.jobs.sweep import run_tasks

    ws = workspace(ctx)
    if scheduler and ws.store.dialect == "sqlite":
        raise usage_error(f"--scheduler {scheduler}: workers on other machines cannot reach a "
                          f"SQLite file ({ws.store.url}); use a PostgreSQL store "
                          "(WORKBENCH_DB_URL=postgresql://...) for a remote cluster")
    rows, failed, made = [], [], []
    with user_errors():
        factors = multipliers(demand_multiplier)
        extra = _changes(None, None, None, None, capacity, close_route, None)
        for variant in variants(scenario, factors, extra):
            try:
                stored = ws.derive_scenario(variant.name, scenario, variant.changes,
                                            description=f"sweep of {scenario}")
            except Conflict as exc:  # this variant's name is taken: the others still run
                failed.append({"scenario": variant.name, "version": None,
                               "error": f"Conflict: {exc}"})
                continue
            made.append((variant.name, stored.version))
    # one HiGHS thread per variant: the variants themselves fill the cores
    options = {"threads": 1, **({"mip_gap": gap} if gap is not None else {})}
    url = ws.store.engine.url.render_as_string(hide_password=False)
    tasks = [(f"{name} v{version}", (url, ws.user.username, name, options, version))
             for name, version in made]
    made_as = {key: (args[2], args[4]) for key, args in tasks}
    started = time.perf_counter()
    with Progress(TextColumn("sweep"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[last]}"), console=err, disable=as_json) as bar:
        task = bar.add_task("sweep", total=len(tasks), last="")
        for done in run_tasks(solve_variant, tasks, scheduler, workers) if tasks else ():
            name, version = made_as[done.key]
            (failed if done.error else rows).append(
                {"scenario": name, "version": version, "error": done.error} if done.error
                else done.value)
            bar.update(task, advance=1, last=done.key)
    seconds = round(time.perf_counter() - started, 2)
    rows.sort(key=lambda r: r["scenario"])
    if as_json:
        print_json({"base": scenario, "seconds": seconds, "rows": rows, "failed": failed})
    else:
        print_table(("variant", "version", "status", "total cost", "service", "unmet t",
                     "run"),
                    [(r["scenario"], r["version"], r["status"], format_inr(r["total_cost_inr"]),
                      f"{r['service_level']:.1%}" if r["service_level"] is not None else "",
                      f"{r['unmet_t']:,.0f}" if r["unmet_t"] is not None else "", r["run_id"])
                     for r in rows])
        for f in failed:
            err.print(f"[red]failed:[/] {f['scenario']}: {f['error']}")
        err.print(f"{len(rows)} of {len(rows) + len(failed)} variants solved in "
                  f"{seconds:.1f}s")
    if failed:
        raise typer.Exit(EXIT_FAILED)

