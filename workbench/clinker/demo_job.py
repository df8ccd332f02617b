"""Clinker's part of `workbench demo`: the demo network, a base plan and two what-ifs, an
approved baseline, a GU manager, and the scenario report."""

from __future__ import annotations

from workbench.clinker import scenarios
from workbench.clinker.examples import demo_network
from workbench.clinker.optimization.options import SolveOptions
from workbench.clinker.workspace import Workspace
from workbench.core.money import format_inr
from workbench.demo import DemoContext, add_demo_user, run_demo_report

DATASET = "demo"
WHAT_IF_REGION = "North"
MANAGER_GUS = ("GU_001", "GU_002")
OPTIONS = SolveOptions(mip_gap=0.01)


def run(ctx: DemoContext) -> None:
    ws = Workspace.connect(ctx.store_url, "planner", ctx.password)
    try:
        _plans(ws, ctx)
        add_demo_user(ctx, "manager", [f"node:{gu}" for gu in MANAGER_GUS],
                      f"GU manager for {' and '.join(MANAGER_GUS)}")
        _report(ws, ctx)
    finally:
        ws.close()


def _plans(ws: Workspace, ctx: DemoContext) -> None:
    network = demo_network()
    ws.store_network(network, DATASET)
    ctx.say(f"  imported the demo network ({network.summary()})")
    ws.create_scenario("base", DATASET)
    ws.create_scenario("demand-up", DATASET, parent="base", description="demand +15 % in the "
                       f"{WHAT_IF_REGION}", changes=[scenarios.demand_multiplier(
                           1.15, region=WHAT_IF_REGION)])
    base = ws.solve("base", OPTIONS)
    ctx.say(f"  base: {base.result.headline()}")
    rail = base.result.shipments.query("mode == 'rail'").groupby("route_id")["shipment_t"].sum()
    corridor = str(rail.idxmax())  # the busiest rail corridor of the base plan
    ws.create_scenario("rail-closed", DATASET, parent="base", changes=[
        scenarios.close_route(corridor)], description=f"rail corridor {corridor} closed")
    for name in ("demand-up", "rail-closed"):
        run = ws.solve(name, OPTIONS)
        ctx.say(f"  {name}: {run.result.headline()}")
        change = run.result.objective_inr - base.result.objective_inr  # type: ignore[operator]
        ctx.headlines.append(f"{name}: total cost {format_inr(run.result.objective_inr)} "
                             f"({'+' if change >= 0 else '-'}{format_inr(abs(change))} against "
                             "the base)")
    ws.approve("base", note="demo baseline")
    ctx.headlines.insert(0, f"base (approved): {base.result.headline()}")


def _report(ws: Workspace, ctx: DemoContext) -> None:
    run_demo_report(ctx, ws.store, ws.user, "scenario_report",
                    {"scenario": "demand-up", "user": "planner"}, "scenario report")
