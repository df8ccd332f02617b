"""The data behind the clinker dashboard pages, read as the page's user may see it.

Every function takes the page's session (:class:`workbench.dashboards.page.PageSession`) and
reads precomputed KPI and result rows through the store's own access filters: a plant manager
gets their plants' rows, and names of other plants are replaced before anything is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import select

from workbench.clinker import scenarios as changes
from workbench.clinker.results import export
from workbench.clinker.store import queries, results
from workbench.clinker.store.results import NODE
from workbench.clinker.workspace import Workspace
from workbench.core.access import Permission
from workbench.core.money import format_inr
from workbench.dashboards.page import PageError, PageSession
from workbench.jobs.handle import JobHandle
from workbench.store import datasets, scenarios
from workbench.store.models import OptimizationRun, Scenario

OTHER_PLANT = "other plant"


def workspace(page: PageSession) -> Workspace:
    return Workspace(page.store, page.user)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f} %"


def _tonnes(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} t"


@dataclass(frozen=True)
class Overview:
    approved: str | None  # "base v1, run 3, approved by planner"
    tiles: list[tuple[str, str, str]]
    trend: pd.DataFrame  # run_id, scenario, metric, value
    latest_runs: list[dict[str, object]]


def overview(page: PageSession) -> Overview:
    """The approved plan's KPIs (network-wide, or the user's plants), the trend across runs
    and the latest runs: all from precomputed rows, no solve and no Pyomo."""
    user = page.user
    with page.store.session() as session:
        found = queries.approved_plan_kpis(session, user)
        approved, tiles = None, []
        if found is not None:
            run, totals = found
            scenario = session.get(Scenario, run.scenario_id)
            approved = f"{scenario.name} v{scenario.version}, run {run.id}"
            tiles = _network_tiles(totals) if totals is not None else \
                _plant_tiles(results.kpis_by_period(session, user, run))
        recent = _visible_runs(session, page)[-20:]
        trend = _trend(session, page, recent)
        latest = [{"run": r.id, "scenario": f"{name} v{version}", "status": r.status,
                   "finished": r.finished_at.strftime("%Y-%m-%d %H:%M") if r.finished_at
                   else "–", "by": r.created_by if user.sees_all else ""}
                  for r, name, version in reversed(recent[-8:])]
    return Overview(approved, tiles, trend, latest)


def _network_tiles(totals: object) -> list[tuple[str, str, str]]:
    return [
        ("Total cost", format_inr(totals.total_cost_inr), "whole network, all periods"),
        ("Service level", _pct(totals.service_level), "delivered ÷ demand"),
        ("Unmet demand", _tonnes(totals.unmet_t), "tonnes not delivered"),
        ("Kiln utilisation", _pct(totals.capacity_utilisation), "production ÷ capacity"),
    ]


def _plant_tiles(rows: pd.DataFrame) -> list[tuple[str, str, str]]:
    """A manager's tiles: their plants' tonnes (costs are not split between plants)."""
    if rows.empty:
        return []
    demand, delivered = rows["demand_t"].sum(), rows["delivered_t"].sum()
    capacity = rows["capacity_t"].sum()
    tiles = [
        ("Service level", _pct(delivered / demand if demand else None), "your plants"),
        ("Unmet demand", _tonnes(rows["unmet_t"].sum()), "your plants"),
        ("Received", _tonnes(rows["received_t"].sum()), "clinker into your plants"),
    ]
    if capacity:  # grinding units have no kiln
        tiles.append(("Kiln utilisation", _pct(rows["production_t"].sum() / capacity),
                      "your plants"))
    return tiles


def _visible_runs(session: object, page: PageSession) -> list[tuple[OptimizationRun, str, int]]:
    visible = datasets.visible_dataset_ids(session, page.user)
    query = (select(OptimizationRun, Scenario.name, Scenario.version)
             .join(Scenario, Scenario.id == OptimizationRun.scenario_id)
             .where(OptimizationRun.has_result.is_(True)).order_by(OptimizationRun.id))
    return [(r, n, v) for r, n, v in session.execute(query) if r.dataset_id in visible]


def _trend(session: object, page: PageSession,
           runs: list[tuple[OptimizationRun, str, int]]) -> pd.DataFrame:
    rows = []
    for run, name, version in runs:
        totals = results.run_kpis(session, page.user, run)
        if totals is not None:
            rows.append({"run": run.id, "scenario": f"{name} v{version}",
                         "cost_cr": totals.total_cost_inr / 1e7,
                         "service_level": totals.service_level})
        else:
            own = results.kpis_by_period(session, page.user, run)
            demand = own["demand_t"].sum() if not own.empty else 0
            rows.append({"run": run.id, "scenario": f"{name} v{version}", "cost_cr": None,
                         "service_level": own["delivered_t"].sum() / demand if demand
                         else None})
    return pd.DataFrame(rows, columns=["run", "scenario", "cost_cr", "service_level"])


# --- scenarios ------------------------------------------------------------------------------
def scenario_names(page: PageSession) -> list[str]:
    """Scenarios with a solved plan that the user may see."""
    with page.store.session() as session:
        return [s.name for s in scenarios.list_scenarios(session, page.user)
                if scenarios.latest_run(session, s, with_plan=True) is not None]


def checked_scenario(page: PageSession, name: object) -> str | None:
    """A scenario name that came back from a widget, if this user may see it (else audited)."""
    if isinstance(name, str) and name in scenario_names(page):
        return name
    page.allowed("scenario", name)  # records the refusal
    return None


def comparison_rows(page: PageSession, a: str, b: str) -> tuple[list[dict], list[dict]]:
    """Headline rows (cost, service, unmet) and the plants that move most, visible only."""
    with page.store.session() as session:
        found = queries.compare_scenarios(session, page.user, a, b)
        if not page.user.sees_all:
            found |= _own_headline(session, page, found)
    head = []
    for label, block in (("Total cost", (found.get("costs_inr") or {}).get("total_cost_inr")),
                         ("Service level", found.get("service_level")),
                         ("Unmet demand", found.get("unmet_t"))):
        if not block:
            continue
        show = format_inr if label == "Total cost" else (_pct if label == "Service level"
                                                         else _tonnes)
        head.append({"": label, a: show(block["a"]), b: show(block["b"]),
                     "change": "–" if block["change"] is None else
                     (("+" if block["change"] >= 0 else "−") + show(abs(block["change"])))})
    nodes = [{"plant": r["node_id"], "moved (t)": f"{r['moved_t']:,.0f}",
              "production change (t)": f"{r['production_t_change']:+,.0f}",
              "unmet change (t)": f"{r['unmet_t_change']:+,.0f}"}
             for r in found.get("nodes", []) if page.allowed(NODE, r["node_id"])]
    return head, nodes


def _own_headline(session: object, page: PageSession, found: dict) -> dict:
    """Service and unmet demand at the user's plants in both plans (no network totals)."""
    sums = []
    for side in ("a", "b"):
        run = session.get(OptimizationRun, found[side]["run_id"])
        rows = results.kpis_by_period(session, page.user, run)
        demand = float(rows["demand_t"].sum()) if not rows.empty else 0.0
        sums.append((float(rows["delivered_t"].sum()) / demand if demand else None,
                     float(rows["unmet_t"].sum()) if not rows.empty else 0.0))
    (sa, ua), (sb, ub) = sums
    return {"service_level": {"a": sa, "b": sb, "change": None if sa is None or sb is None
                              else sb - sa},
            "unmet_t": {"a": ua, "b": ub, "change": ub - ua}}


def what_if_plants(page: PageSession) -> list[str]:
    """Plants a what-if may change (those the user may see)."""
    with page.store.session() as session:
        names = _plant_ids(session, page)
    return names


def _plant_ids(session: object, page: PageSession) -> list[str]:
    ids: set[str] = set()
    for data in datasets.list_datasets(session, page.user):
        plants = datasets.dataset_tables(session, data).get("plant_master")
        ids |= {str(row["node_id"]) for row in plants or []}
    return sorted(i for i in ids if page.user.may_see(f"{NODE}:{i}"))


def start_what_if(page: PageSession, base: str, demand_factor: float,
                  plants: list[str] | None = None, closed_route: str | None = None) -> JobHandle:
    """A child scenario of ``base`` with the change, solved as a background job."""
    page.user.require(Permission.RUN, "start what-if runs")
    chosen = [p for p in plants or [] if page.allowed(NODE, p)]
    if plants and len(chosen) != len(plants):
        raise PageError("a plant in the request is not one of yours")
    if not page.user.sees_all and not chosen:
        raise PageError("pick at least one of your plants for the what-if")
    change_list = []
    if demand_factor != 1.0:
        change_list.append(changes.demand_multiplier(demand_factor, nodes=chosen or None))
    if closed_route:
        change_list.append(changes.close_route(closed_route))
    if not change_list:
        raise PageError("the what-if changes nothing: set a demand multiplier other than 1 "
                        "or close a route")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    name = f"whatif-{page.user.username}-{stamp}"
    ws = workspace(page)
    with page.store.session() as session:
        dataset = datasets.get_dataset_by_id(session, scenarios.get_scenario(
            session, page.user, base).dataset_id).name
    ws.create_scenario(name, dataset, parent=base, changes=change_list,
                       description=f"what-if from the dashboard on {base}")
    return ws.submit(name)


def rail_routes(page: PageSession) -> list[str]:
    """Routes a planner may close from the dashboard (every route; managers get none)."""
    if not page.user.sees_all:
        return []
    with page.store.session() as session:
        ids: set[str] = set()
        for data in datasets.list_datasets(session, page.user):
            routes = datasets.dataset_tables(session, data).get("transport_routes_modes")
            ids |= {str(row["route_id"]) for row in routes or []
                    if str(row.get("mode", "")).lower() in ("rail", "t2")}
    return sorted(ids)


def approve(page: PageSession, name: str) -> str:
    """Approve a scenario's latest plan (central planners; a manager's click is refused)."""
    page.user.require(Permission.APPROVE, "approve plans")
    approval = workspace(page).approve(name, note="approved from the dashboard")
    return f"{name}: run {approval.run_id} is now the approved baseline"


# --- plant ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlantView:
    production: pd.DataFrame
    stock: pd.DataFrame
    plants: pd.DataFrame  # node_id, node_type, latitude, longitude (others renamed)
    shipments: pd.DataFrame  # other plants' ids replaced by "other plant N"


def plant_choices(page: PageSession) -> list[str]:
    with page.store.session() as session:
        found = queries.approved_plan_kpis(session, page.user)
        if found is None:
            return []
        produced = results.results(session, page.user, found[0], "stock")
    return sorted(n for n in produced["node_id"].astype(str).unique()
                  if page.user.may_see(f"{NODE}:{n}"))


def plant_view(page: PageSession, plant: object) -> PlantView | None:
    """The approved plan at one plant, or None when the user may not see it (audited)."""
    if not isinstance(plant, str) or not page.allowed(NODE, plant):
        return None
    with page.store.session() as session:
        found = queries.approved_plan_kpis(session, page.user)
        if found is None:
            raise PageError("no plan has been approved yet")
        run = found[0]
        tables = {t: export.shape(t, results.results(session, page.user, run, t))
                  for t in ("production", "stock", "shipments")}
        data = datasets.get_dataset_by_id(session, run.dataset_id)
        master = pd.DataFrame(datasets.dataset_tables(session, data)["plant_master"])
    shipments = tables["shipments"]
    shipments = shipments[(shipments["origin_id"] == plant) |
                          (shipments["destination_id"] == plant)].copy()
    # other plants keep their place on the map (a lane needs two ends) but lose their names
    others = sorted((set(shipments["origin_id"]) | set(shipments["destination_id"])) - {plant})
    alias = {node: f"{OTHER_PLANT} {i}" for i, node in enumerate(others, start=1)}
    for column in ("origin_id", "destination_id"):
        shipments[column] = shipments[column].map(lambda n: alias.get(n, n))
    shipments["route_id"] = ""  # route ids carry both ends' names
    located = master[["node_id", "node_type", "latitude", "longitude"]].copy()
    located["node_id"] = located["node_id"].astype(str)
    located = located[located["node_id"].isin([plant, *others])]
    located["node_id"] = located["node_id"].map(lambda n: alias.get(n, n))
    production = tables["production"].query("node_id == @plant")
    stock = tables["stock"].query("node_id == @plant")
    return PlantView(production, stock, located.reset_index(drop=True), shipments)


def plant_tiles(view: PlantView) -> list[tuple[str, str, str]]:
    made, capacity = view.production["production_t"].sum(), view.production["capacity_t"].sum()
    mine = view.production["node_id"].iloc[0] if len(view.production) else \
        view.stock["node_id"].iloc[0]
    inbound = view.shipments.loc[view.shipments["destination_id"] == mine, "shipment_t"].sum()
    outbound = view.shipments.loc[view.shipments["origin_id"] == mine, "shipment_t"].sum()
    below = (view.stock["closing_stock_t"] < view.stock["safety_stock_t"] - 1e-6).sum()
    return [
        ("Production", _tonnes(made) if capacity else "–", _pct(made / capacity) +
         " of kiln capacity" if capacity else "a grinding unit makes no clinker"),
        ("Inbound", _tonnes(inbound), "clinker received"),
        ("Outbound", _tonnes(outbound), "clinker dispatched"),
        ("Periods below safety stock", str(int(below)), f"of {len(view.stock)}"),
    ]


__all__ = ["Overview", "PlantView", "approve", "checked_scenario",
           "comparison_rows", "overview", "plant_choices", "plant_tiles", "plant_view",
           "rail_routes", "scenario_names", "start_what_if", "what_if_plants"]
