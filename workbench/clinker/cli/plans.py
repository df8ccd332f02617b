"""Stored plans: import datasets, scenarios (versions, compare, approve), solve a scenario."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from workbench.cli.output import (
    EXIT_FAILED,
    EXIT_OK,
    err,
    out_console,
    print_json,
    print_report,
    print_table,
)
from workbench.cli.session import action, signed_in, usage_error, user_errors
from workbench.clinker import scenarios as scenario
from workbench.clinker.cli.commands import app
from workbench.clinker.cli.output import report_solve, solve_progress, write_plan
from workbench.clinker.optimization.options import SolveOptions
from workbench.clinker.store import results
from workbench.clinker.workspace import Workspace
from workbench.core.access import split_scope
from workbench.core.money import format_inr
from workbench.core.tables import write_tables
from workbench.store import datasets, runs, scenarios
from workbench.store.models import Scenario

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
scenario_app = typer.Typer(help="What-if scenarios on stored datasets: create, edit, list, "
                                "show, compare, approve.", no_args_is_help=True)
dataset_app = typer.Typer(help="Imported datasets.", no_args_is_help=True)
plan_app = typer.Typer(help="Stored plans: export them for Excel or dispatch.",
                       no_args_is_help=True)
app.add_typer(scenario_app, name="scenario")
app.add_typer(dataset_app, name="dataset")
app.add_typer(plan_app, name="plan")


@app.command("import")
def import_command(
    ctx: typer.Context,
    data: Annotated[Path, typer.Argument(help="CSV folder or .xlsx workbook, as for validate.")],
    dataset: Annotated[str, typer.Option("--dataset", help="Name to store it under.")],
    as_json: JsonOpt = False,
) -> None:
    """Validate DATA and store it as a dataset; on any error nothing is stored (exit 1)."""
    ws = workspace(ctx)
    with user_errors():
        outcome = ws.import_data(data, dataset)
    if not outcome.stored:
        if as_json:
            print_json({"stored": False, "validation": outcome.report.to_dict()})
        else:
            print_report(outcome.report, str(data))
            err.print("[red]nothing was stored[/]: fix the errors above and import again")
        raise typer.Exit(EXIT_FAILED)
    stored = outcome.dataset
    assert stored is not None
    out = {"stored": True, "dataset": stored.name, "id": stored.id,
           "content_hash": stored.content_hash, "summary": stored.summary,
           "warnings": len(outcome.report.warnings)}
    if as_json:
        print_json(out)
    else:
        err.print(f"stored dataset {escape(dataset)} ({out['summary']}, "
                  f"{out['warnings']} warnings, sha256 {stored.content_hash[:12]})")


@dataset_app.command("list")
def dataset_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Datasets the acting user may see."""
    ws = workspace(ctx)
    with user_errors():
        rows = [{"name": d.name, "id": d.id, "source": d.source, "summary": d.summary,
                 "content_hash": d.content_hash, "created_by": d.created_by,
                 "created_at": d.created_at} for d in ws.datasets()]
    if as_json:
        print_json(rows)
        return
    table = Table("dataset", "nodes", "periods", "routes", "by", "source")
    for r in rows:
        s = r["summary"]
        table.add_row(r["name"], str(s["nodes"]), str(s["periods"]), str(s["routes"]),
                      r["created_by"], r["source"])
    out_console().print(table)


def _changes(demand_multiplier: float | None, node: list[str] | None, region: str | None,
             period: list[int] | None, capacity: list[str] | None,
             close_route: list[str] | None, penalty: float | None) -> list[dict]:
    changes = []
    if demand_multiplier is not None:
        changes.append(scenario.demand_multiplier(demand_multiplier, node, region, period))
    elif node or region or period:
        raise scenario.ChangeError("--node, --region and --period limit --demand-multiplier; "
                                   "give --demand-multiplier too")
    for item in capacity or []:
        changes.append(scenario.capacity(*_node_factor(item)))
    changes += [scenario.close_route(r) for r in close_route or []]
    if penalty is not None:
        changes.append(scenario.penalty(penalty))
    return changes


def _node_factor(item: str) -> tuple[str, float]:
    """``IU_003=0.8`` -> ("IU_003", 0.8); only the parsing is checked here, the range by
    :func:`scenarios.capacity` (so a negative factor gets its own message)."""
    name, sep, factor = item.partition("=")
    try:
        value = float(factor)
    except ValueError:
        value = None
    if not sep or not name.strip() or value is None:
        raise scenario.ChangeError(f"--capacity {item}: write NODE=FACTOR, e.g. IU_003=0.8")
    return name.strip(), value


DemandOpt = Annotated[float | None, typer.Option(
    "--demand-multiplier", help="Multiply demand by F (limit with --node/--region/--period).",
    metavar="F")]
NodeOpt = Annotated[list[str] | None, typer.Option("--node", help="Limit to this node "
                                                                   "(repeatable).")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Limit to this region.")]
PeriodOpt = Annotated[list[int] | None, typer.Option("--period", help="Limit to this period "
                                                                       "(repeatable).")]
CapacityOpt = Annotated[list[str] | None, typer.Option(
    "--capacity", help="NODE=FACTOR: scale a plant's kiln capacity (repeatable).",
    metavar="NODE=FACTOR")]
CloseOpt = Annotated[list[str] | None, typer.Option(
    "--close-route", help="Close this route_id in every period (repeatable).",
    metavar="ROUTE_ID")]
PenaltyOpt = Annotated[float | None, typer.Option(
    "--penalty", help="Unmet-demand penalty, ₹ per tonne, for every node.",
    metavar="INR_PER_T")]


@scenario_app.command("create")
def scenario_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Scenario name.")],
    dataset: Annotated[str, typer.Option("--dataset", help="Stored dataset to start from.")],
    parent: Annotated[str | None, typer.Option("--from", help="Start from this scenario's "
                                                               "changes.")] = None,
    demand_multiplier: DemandOpt = None, node: NodeOpt = None, region: RegionOpt = None,
    period: PeriodOpt = None, capacity: CapacityOpt = None, close_route: CloseOpt = None,
    penalty: PenaltyOpt = None,
    description: Annotated[str, typer.Option(help="Free text for planners.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Create a scenario (version 1) on a dataset, optionally from another scenario."""
    ws = workspace(ctx)
    with user_errors():
        changes = _changes(demand_multiplier, node, region, period, capacity, close_route,
                           penalty)
        created = ws.create_scenario(name, dataset, parent, changes, description)
    _print_scenario(_scenario_dict(created, dataset), as_json)


@scenario_app.command("edit")
def scenario_edit(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Scenario name.")],
    demand_multiplier: DemandOpt = None, node: NodeOpt = None, region: RegionOpt = None,
    period: PeriodOpt = None, capacity: CapacityOpt = None, close_route: CloseOpt = None,
    penalty: PenaltyOpt = None, as_json: JsonOpt = False,
) -> None:
    """Add changes as a new version; older versions and their results stay."""
    ws = workspace(ctx)
    with user_errors():
        changes = _changes(demand_multiplier, node, region, period, capacity, close_route,
                           penalty)
        version = ws.edit_scenario(name, changes)
    with ws.store.session() as session:
        dataset = datasets.get_dataset_by_id(session, version.dataset_id).name
    _print_scenario(_scenario_dict(version, dataset), as_json)


def _scenario_dict(s: Scenario, dataset: str) -> dict:
    return {"name": s.name, "version": s.version, "id": s.id, "dataset": dataset,
            "changes": [scenario.describe(c) for c in s.changes],
            "nodes": [split_scope(g)[1] for g in s.scopes], "scopes": s.scopes,
            "created_by": s.created_by, "created_at": s.created_at,
            "description": s.description}


def _lineage(session: Session, s: Scenario) -> list[str]:
    """This version, its parent, its parent's parent... back to the first."""
    chain = []
    current: Scenario | None = s
    while current is not None:
        chain.append(f"{current.name} v{current.version}")
        current = session.get(Scenario, current.parent_id) if current.parent_id else None
    return chain


def _print_scenario(out: dict, as_json: bool) -> None:
    if as_json:
        print_json(out)
        return
    err.print(f"scenario {escape(out['name'])} v{out['version']} on dataset "
              f"{escape(out['dataset'])}: " + ("; ".join(out["changes"]) or "no changes"))


@scenario_app.command("list")
def scenario_list(ctx: typer.Context, as_json: JsonOpt = False) -> None:
    """Scenarios (newest versions) with their latest run."""
    ws = workspace(ctx)
    with user_errors():
        frame = ws.scenarios()
    frame = frame.rename(columns={"scenario": "name"})
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    if as_json:
        print_json(rows)
        return
    print_table(("scenario", "version", "changes", "run", "status", "total cost", "service",
                 "approved"),
                [(r["name"], r["version"], r["changes"], r["latest_run"], r["status"],
                  format_inr(r["total_cost_inr"]) if r["total_cost_inr"] else "",
                  f"{r['service_level']:.1%}" if r["service_level"] is not None else "",
                  "yes" if r["approved"] else "") for r in rows])


@scenario_app.command("show")
def scenario_show(ctx: typer.Context,
                  name: Annotated[str, typer.Argument(help="Scenario name.")],
                  as_json: JsonOpt = False) -> None:
    """Every version of a scenario, its changes, runs and KPIs."""
    store, user = signed_in(ctx)
    with action(store, user, "scenario.show", name, audit_ok=True) as session:
        newest = scenarios.get_scenario(session, user, name)
        data = datasets.get_dataset_by_id(session, newest.dataset_id)
        out = {**_scenario_dict(newest, data.name), "versions": [],
               "lineage": _lineage(session, newest), "data_hash": data.content_hash}
        for v in scenarios.versions(session, user, name):
            version_runs = []
            for run in runs.runs_of(session, user, [v.id]):
                kpis = results.run_kpis(session, user, run)
                version_runs.append({
                    "run": run.id, "status": run.status, "approved": run.approved,
                    "objective_inr": run.objective_inr if user.sees_all else None,
                    "service_level": kpis.service_level if kpis else None,
                    "by": run.created_by, "finished_at": run.finished_at})
            parent = session.get(Scenario, v.parent_id) if v.parent_id else None
            split = scenario.describe_version(v.changes, len(parent.changes) if parent else 0)
            out["versions"].append({
                "version": v.version, "created_by": v.created_by,
                "inherits_from": f"{parent.name} v{parent.version}" if parent else None,
                **split, "runs": version_runs})
    if as_json:
        print_json(out)
        return
    console = out_console()
    console.print(f"[bold]{escape(name)}[/] on dataset {escape(data.name)} "
                  f"(sha256 {out['data_hash'][:12]}); lineage "
                  + escape(" <- ".join(out["lineage"])))
    for v in out["versions"]:
        console.print(f"  v{v['version']} by {v['created_by']} adds: "
                      + escape("; ".join(v["adds"]) or "no changes"))
        if v["inherits"]:
            console.print(f"     inherits from {escape(v['inherits_from'])}: "
                          + escape("; ".join(v["inherits"])))
        for r in v["runs"]:
            cost = format_inr(r["objective_inr"]) if r["objective_inr"] else "-"
            mark = " [green]approved[/]" if r["approved"] else ""
            console.print(f"    run {r['run']}: {r['status']}, {cost}{mark}")


@scenario_app.command("compare")
def scenario_compare(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(help="First scenario (the reference).")],
    b: Annotated[str | None, typer.Argument(
        help="Second scenario; without it, A is compared against the approved baseline.")]
    = None,
    as_json: JsonOpt = False,
) -> None:
    """Compare the latest plans of A and B: costs (₹ and %), service level, nodes that move."""
    ws = workspace(ctx)
    with user_errors():
        result = ws.compare(a, b)
    if as_json:
        print_json(result)
        return
    _print_comparison(result)


def _print_comparison(result: dict) -> None:
    console = out_console()
    a, b = result["a"]["label"], result["b"]["label"]
    if "costs_inr" in result:
        table = Table("component", a, b, "change", "change %")
        for name, d in result["costs_inr"].items():
            pct = f"{d['change_pct']:+.2f} %" if d["change_pct"] is not None else ""
            table.add_row(name.removesuffix("_inr"), format_inr(d["a"]), format_inr(d["b"]),
                          format_inr(d["change"]), pct)
        console.print(table)
        sl = result["service_level"]
        console.print(f"service level: {sl['a']:.2%} -> {sl['b']:.2%}")
    nodes = Table("node", "moved t", "production Δ t", "received Δ t", "unmet Δ t")
    for n in result["nodes"]:
        nodes.add_row(n["node_id"], f"{n['moved_t']:,.0f}", f"{n['production_t_change']:+,.0f}",
                      f"{n['received_t_change']:+,.0f}", f"{n['unmet_t_change']:+,.0f}")
    console.print(nodes)


@scenario_app.command("approve")
def scenario_approve(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Scenario whose latest plan becomes the baseline.")],
    note: Annotated[str, typer.Option(help="Why it was approved.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Approve the scenario's latest plan as the baseline (the history is kept)."""
    ws = workspace(ctx)
    with user_errors():
        approval = ws.approve(name, note)
    out = {"scenario": name, "run": approval.run_id, "approved_by": approval.approved_by,
           "approved_at": approval.approved_at}
    if as_json:
        print_json(out)
    else:
        err.print(f"approved run {out['run']} of scenario {escape(name)} as the baseline plan")


def solve_scenario(ctx: typer.Context, name: str, options: SolveOptions, as_json: bool,
                   plan: bool = False, out: Path | None = None) -> None:
    """Solve a stored scenario and record the run, its results and KPIs in one transaction."""
    ws = workspace(ctx)
    with user_errors(), solve_progress() as on_progress:
        stored = ws.solve(name, options, progress=on_progress)
    result = stored.result
    tables: dict = {}
    summary: dict = {}
    if (plan or out) and result.status.has_plan:
        with user_errors():
            tables, summary = ws.plan_tables(run_id=stored.run_id)
    report_solve(result, f"scenario {name} v{stored.version}", as_json,
                 tables if plan else None,
                 hint="they were reported when the dataset was imported",
                 extra={"run_id": stored.run_id, "scenario": name, "version": stored.version})
    if not as_json:
        err.print(f"recorded run {stored.run_id}")
    if out is not None and tables:
        write_plan(tables, summary, out)
    raise typer.Exit(EXIT_OK if result.status.has_plan else EXIT_FAILED)


@plan_app.command("export")
def plan_export(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(
        "--out", help="An .xlsx workbook (a sheet per table), or a folder of CSV files for "
                      "any other path.", metavar="PATH")],
    scenario: Annotated[str | None, typer.Option(
        "--scenario", help="The scenario whose latest plan to export.", metavar="NAME")] = None,
    version: Annotated[int | None, typer.Option(
        "--version", help="That version of the scenario (default: the newest).",
        metavar="V")] = None,
    run: Annotated[int | None, typer.Option("--run", help="Export this run by id.",
                                            metavar="ID")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a stored plan to Excel or CSV: production, shipments and trips, stock, unmet
    demand, shadow prices, costs and KPIs, after a summary sheet. Managers get their own
    plants' rows only."""
    if (scenario is None) == (run is None):
        raise usage_error("name a plan with --scenario NAME [--version V] or --run ID")
    if version is not None and scenario is None:
        raise usage_error("--version goes with --scenario")
    ws = workspace(ctx)
    with user_errors():
        tables, summary = ws.plan_tables(scenario, version, run)
    path = write_tables(tables, out, summary)
    sheets = {name: len(frame) for name, frame in tables.items()}
    if as_json:
        print_json({"path": str(path), "run": summary["run"], "rows": sheets})
    else:
        err.print(f"wrote run {summary['run']} ({summary['scenario']} v{summary['version']}) "
                  f"to {path}: " + ", ".join(f"{n} {r}" for n, r in sheets.items()))


def workspace(ctx: typer.Context) -> Workspace:
    """The acting user's planning workspace on the command's store (exit 1 if refused)."""
    return Workspace(*signed_in(ctx))
