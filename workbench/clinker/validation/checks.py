"""Cross-table checks of a clinker network. Each check is a small function returning findings.

The single-table rules run through the pandera schemas in :mod:`workbench.clinker.contract.schema`;
this module adds what a planner needs to hear before a solve: missing references,
supply that can never reach demand, SBQ against vehicle size, stock policy conflicts and
contradictory flow bounds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pandas as pd

from workbench.clinker.contract.codes import Check
from workbench.clinker.contract.network import ClinkerNetwork, lanes_matching
from workbench.clinker.contract.schema import ROW, TABLES, schema_findings
from workbench.core.findings import Finding, ValidationReport, error, warning

LOW_COST_INR_PER_T = 100.0
SBQ_WARN_SHARE = 0.9
DEMAND_SLACK = 1.10

CheckFn = Callable[[ClinkerNetwork], Iterable[Finding]]


def _row(value: object) -> int | None:
    return None if value is None or pd.isna(value) else int(value)  # type: ignore[arg-type]


def _records(frame: pd.DataFrame) -> Iterator[dict[str, object]]:
    yield from frame.to_dict("records")


def check_schemas(net: ClinkerNetwork) -> Iterator[Finding]:
    # a missing column or an unreadable cell is reported once, by the reader; the blanks it
    # leaves behind are consequences, not more problems for the planner to fix
    missing = {(f.table, f.column) for f in net.read_findings if f.check is Check.MISSING_COLUMN}
    unreadable = {(f.table, f.row, f.column) for f in net.read_findings
                  if f.check in (Check.BAD_TYPE, Check.NON_INTEGER_PERIOD)}
    for name, spec in TABLES.items():
        for finding in schema_findings(spec, net.tables[name], net.file_of(name)):
            if finding.check is Check.BLANK_REQUIRED_CELL and (
                    (finding.table, finding.column) in missing
                    or (finding.table, finding.row, finding.column) in unreadable):
                continue
            yield finding


def check_node_references(net: ClinkerNetwork) -> Iterator[Finding]:
    known = set(net.plants["node_id"].dropna())
    columns = {
        "production_capacity_cost": ["node_id"], "demand_forecast": ["node_id"],
        "safety_stock_policy": ["node_id"],
        "transport_routes_modes": ["origin_id", "destination_id"],
    }
    for table, cols in columns.items():
        frame = net.tables[table]
        for col in cols:
            for rec in _records(frame[frame[col].notna() & ~frame[col].isin(known)]):
                yield error(Check.UNKNOWN_NODE, table,
                            f"{col} '{rec[col]}' is not in plant_master; add the plant there "
                            "or correct the code", row=_row(rec[ROW]), column=col,
                            file=net.file_of(table))


def check_low_costs(net: ClinkerNetwork) -> Iterator[Finding]:
    prod = net.production
    for rec in _records(prod[prod["cost_inr_per_t"] < LOW_COST_INR_PER_T]):
        yield warning(Check.LOW_COST, "production_capacity_cost",
                      f"production cost ₹{rec['cost_inr_per_t']:,.2f}/t is under ₹100/t; "
                      "check that it is in rupees per tonne", row=_row(rec[ROW]),
                      column="cost_inr_per_t", file=net.file_of("production_capacity_cost"))
    routes = net.routes
    lanes = routes[routes["origin_id"] != routes["destination_id"]]
    variable = lanes["cost_inr_per_t"].fillna(lanes["cost_inr_per_t_km"] * lanes["distance_km"])
    for rec in _records(lanes[variable < LOW_COST_INR_PER_T]):
        yield warning(Check.LOW_COST, "transport_routes_modes",
                      f"route {rec['route_id']} costs under ₹100/t; check that the freight is "
                      "in rupees per tonne", row=_row(rec[ROW]), column="cost_inr_per_t",
                      file=net.file_of("transport_routes_modes"))


def check_route_cost_form(net: ClinkerNetwork) -> Iterator[Finding]:
    file = net.file_of("transport_routes_modes")
    for rec in _records(net.routes):
        per_t = pd.notna(rec["cost_inr_per_t"])
        per_km, dist = pd.notna(rec["cost_inr_per_t_km"]), pd.notna(rec["distance_km"])
        row = _row(rec[ROW])
        if per_t and (per_km or dist):
            yield error(Check.ROUTE_COST_FORM, "transport_routes_modes",
                        f"route {rec['route_id']} gives both cost_inr_per_t and a per-km cost; "
                        "keep exactly one", row=row, column="cost_inr_per_t", file=file)
        elif not per_t and not (per_km and dist):
            missing = "distance_km" if per_km else "cost_inr_per_t_km" if dist else \
                "cost_inr_per_t"
            yield error(Check.ROUTE_COST_FORM, "transport_routes_modes",
                        f"route {rec['route_id']} has no usable cost; give cost_inr_per_t, or "
                        "cost_inr_per_t_km with distance_km", row=row, column=missing, file=file)


def check_route_consistency(net: ClinkerNetwork) -> Iterator[Finding]:
    file = net.file_of("transport_routes_modes")
    for route_id, rows in net.routes.groupby("route_id", sort=False):
        for col in ("origin_id", "destination_id", "mode"):
            if rows[col].nunique(dropna=False) > 1:
                yield error(Check.ROUTE_INCONSISTENT, "transport_routes_modes",
                            f"route {route_id} has different {col} values on its rows; one "
                            "route_id is one lane", row=_row(rows[ROW].iloc[1]), column=col,
                            file=file)
        if rows["period"].isna().any() and rows["period"].notna().any():
            yield error(Check.ROUTE_INCONSISTENT, "transport_routes_modes",
                        f"route {route_id} has rows with and without period; give every row "
                        "a period or leave all blank", row=_row(rows[ROW].iloc[0]),
                        column="period", file=file)


def _producers(net: ClinkerNetwork) -> set[str]:
    prod = net.production
    return set(prod.loc[prod["capacity_t"].fillna(0) > 0, "node_id"].dropna())


def _lanes(net: ClinkerNetwork) -> pd.DataFrame:
    routes = net.routes
    return routes[routes["origin_id"] != routes["destination_id"]]


def check_demand_reachable(net: ClinkerNetwork) -> Iterator[Finding]:
    inbound = set(_lanes(net)["destination_id"].dropna())
    producers = _producers(net)
    demand = net.demand[net.demand["demand_t"].fillna(0) > 0]
    for node, rows in demand.groupby("node_id", sort=True):
        if node not in inbound and node not in producers:
            yield warning(Check.UNREACHABLE_DEMAND, "demand_forecast",
                          f"node {node} has demand but no inbound route and no production; "
                          "its demand will go unmet beyond its opening stock. Add a route to it",
                          row=_row(rows[ROW].iloc[0]), column="node_id",
                          file=net.file_of("demand_forecast"))


def _can_supply(net: ClinkerNetwork) -> set[str]:
    """Nodes that can ever hold clinker: producers, stocked nodes, and all they reach."""
    plants = net.plants
    seeds = _producers(net) | set(plants.loc[plants["opening_stock_t"].fillna(0) > 0, "node_id"])
    edges = _lanes(net)[["origin_id", "destination_id"]].dropna().drop_duplicates()
    reached, frontier = set(seeds), set(seeds)
    while frontier:
        frontier = set(edges.loc[edges["origin_id"].isin(frontier), "destination_id"]) - reached
        reached |= frontier
    return reached


def check_dead_routes(net: ClinkerNetwork) -> Iterator[Finding]:
    supply = _can_supply(net)
    lanes = _lanes(net)
    dead = lanes[lanes["origin_id"].notna() & ~lanes["origin_id"].isin(supply)]
    for route_id, rows in dead.groupby("route_id", sort=True):
        origin = rows["origin_id"].iloc[0]
        yield warning(Check.ROUTE_FROM_EMPTY_NODE, "transport_routes_modes",
                      f"route {route_id} leaves {origin}, which has no production, no opening "
                      "stock and no supply reaching it; the route can never carry anything",
                      row=_row(rows[ROW].iloc[0]), column="origin_id",
                      file=net.file_of("transport_routes_modes"))


def check_sbq(net: ClinkerNetwork) -> Iterator[Finding]:
    file = net.file_of("transport_routes_modes")
    routes = net.routes.dropna(subset=["sbq_t", "vehicle_capacity_t"])
    for route_id, rows in routes.groupby("route_id", sort=True):
        over = rows[rows["sbq_t"] > rows["vehicle_capacity_t"]]
        if not over.empty:
            rec = over.iloc[0]
            yield error(Check.SBQ_ABOVE_VEHICLE, "transport_routes_modes",
                        f"route {route_id} has SBQ {rec['sbq_t']:,.0f} t above the vehicle "
                        f"capacity {rec['vehicle_capacity_t']:,.0f} t; lower sbq_t",
                        row=_row(rec[ROW]), column="sbq_t", file=file)
            continue
        # a full-load route ships whole vehicles, so an SBQ up to one vehicle is natural
        near = rows[(rows["sbq_t"] > SBQ_WARN_SHARE * rows["vehicle_capacity_t"])
                    & ~rows["full_loads_only"].fillna(False).astype(bool)]
        if not near.empty:
            rec = near.iloc[0]
            yield warning(Check.SBQ_NEAR_VEHICLE, "transport_routes_modes",
                          f"route {route_id} has SBQ {rec['sbq_t']:,.0f} t, above 90 % of its "
                          f"{rec['vehicle_capacity_t']:,.0f} t vehicle; check the batch size",
                          row=_row(rec[ROW]), column="sbq_t", file=file)


def check_demand_against_capacity(net: ClinkerNetwork) -> Iterator[Finding]:
    opening = float(net.plants["opening_stock_t"].fillna(0).sum())
    demand = net.demand.groupby("period")["demand_t"].sum()
    capacity = net.production.groupby("period")["capacity_t"].sum()
    total_demand, total_supply = float(demand.sum()), float(capacity.sum()) + opening
    if total_demand > DEMAND_SLACK * total_supply:
        yield warning(Check.DEMAND_EXCEEDS_SUPPLY, "demand_forecast",
                      f"demand exceeds supply: total demand {total_demand:,.0f} t is more than "
                      f"110 % of capacity plus opening stock ({total_supply:,.0f} t); expect "
                      "unmet demand", column="demand_t", file=net.file_of("demand_forecast"))
    for period, period_demand in demand.items():
        supply = float(capacity.get(period, 0.0)) + opening
        if period_demand > DEMAND_SLACK * supply:
            yield warning(Check.DEMAND_EXCEEDS_SUPPLY, "demand_forecast",
                          f"in period {period} demand {period_demand:,.0f} t is more than 110 % "
                          f"of capacity plus opening stock ({supply:,.0f} t)", column="demand_t",
                          file=net.file_of("demand_forecast"))


def check_stock_policy(net: ClinkerNetwork) -> Iterator[Finding]:
    policy = net.safety_stock
    file = net.file_of("safety_stock_policy")
    # a negative maximum is already an error of its own (negative_value)
    over = policy[(policy["max_storage_t"] >= 0)
                  & (policy["safety_stock_t"] > policy["max_storage_t"])]
    for rec in _records(over):
        yield error(Check.SAFETY_ABOVE_STORAGE, "safety_stock_policy",
                    f"node {rec['node_id']} period {rec['period']}: safety stock "
                    f"{rec['safety_stock_t']:,.0f} t is above maximum storage "
                    f"{rec['max_storage_t']:,.0f} t; lower one or raise the other",
                    row=_row(rec[ROW]), column="safety_stock_t", file=file)
    if not net.periods or policy.empty:
        return
    first = policy[policy["period"] == net.periods[0]]
    opening = net.plants.set_index("node_id")["opening_stock_t"]
    opening = opening[~opening.index.duplicated()]
    for rec in _records(first):
        stock = float(opening.get(rec["node_id"], 0.0) or 0.0)
        if pd.notna(rec["safety_stock_t"]) and stock < rec["safety_stock_t"]:
            yield warning(Check.OPENING_BELOW_SAFETY, "safety_stock_policy",
                          f"node {rec['node_id']} opens with {stock:,.0f} t, below its "
                          f"period-{rec['period']} safety stock of {rec['safety_stock_t']:,.0f} t",
                          row=_row(rec[ROW]), column="safety_stock_t", file=file)


def check_trips(net: ClinkerNetwork) -> Iterator[Finding]:
    file = net.file_of("transport_routes_modes")
    routes = net.routes
    for rec in _records(routes[routes["vehicle_capacity_t"] <= 0]):
        yield error(Check.VEHICLE_CAPACITY, "transport_routes_modes",
                    f"route {rec['route_id']} has vehicle capacity 0; give the tonnes one "
                    "truck or rake carries", row=_row(rec[ROW]), column="vehicle_capacity_t",
                    file=file)
    trips = routes["max_trips"]
    bad = routes[trips.notna() & ((trips < 0) | (trips % 1 != 0))]
    for rec in _records(bad):
        yield error(Check.MAX_TRIPS, "transport_routes_modes",
                    f"route {rec['route_id']} has max_trips {rec['max_trips']}; give a whole "
                    "number of 0 or more, or leave it blank for unlimited",
                    row=_row(rec[ROW]), column="max_trips", file=file)


def check_flow_bounds(net: ClinkerNetwork) -> Iterator[Finding]:
    bounds = net.flow_bounds
    if bounds.empty:
        return
    file = net.file_of("flow_bounds")
    lanes = _lanes(net)
    for rec in _records(bounds):
        if not lanes_matching(lanes, rec["origin_id"], rec["mode"], rec["destination_id"]).any():
            yield warning(Check.BOUND_WITHOUT_ROUTE, "flow_bounds",
                          f"bound on shipments from {rec['origin_id']} (mode "
                          f"{rec['mode'] or 'any'}, to {rec['destination_id'] or 'any'}) matches "
                          "no route and has no effect; correct the codes or remove it",
                          row=_row(rec[ROW]), column="origin_id", file=file)
    yield from _contradictory_bounds(bounds, file)


def _contradictory_bounds(bounds: pd.DataFrame, file: str) -> Iterator[Finding]:
    scope = bounds.assign(mode=bounds["mode"].fillna("*"),
                          destination_id=bounds["destination_id"].fillna("*"))
    for (origin, mode, dest, period), rows in scope.groupby(
            ["origin_id", "mode", "destination_id", "period"], sort=True):
        values = rows.dropna(subset=["quantity_t"])
        eq = values.loc[values["bound"] == "eq", "quantity_t"]
        upper = values.loc[values["bound"].isin(["le", "eq"]), "quantity_t"].min()
        lower = values.loc[values["bound"].isin(["ge", "eq"]), "quantity_t"].max()
        if eq.nunique() > 1 or (pd.notna(upper) and pd.notna(lower) and lower > upper):
            yield error(Check.CONTRADICTORY_BOUNDS, "flow_bounds",
                        f"bounds on {origin} (mode {mode}, to {dest}) in period {period} "
                        f"contradict each other: at least {lower:,.0f} t and at most "
                        f"{upper:,.0f} t; fix or remove one", row=_row(rows[ROW].iloc[-1]),
                        column="quantity_t", file=file)


CHECKS: tuple[CheckFn, ...] = (
    check_schemas, check_node_references, check_low_costs, check_route_cost_form,
    check_route_consistency, check_demand_reachable, check_dead_routes, check_sbq,
    check_demand_against_capacity, check_stock_policy, check_trips, check_flow_bounds,
)


def validate(network: ClinkerNetwork) -> ValidationReport:
    """Every finding for a network: read problems first, then each check in turn."""
    report = ValidationReport(list(network.read_findings))
    for check in CHECKS:
        report.extend(check(network))
    return report.sort(list(TABLES))
