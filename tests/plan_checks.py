"""Check a returned plan against every constraint family of spec section 2, from the tables.

Independent of the Pyomo model: it reads the network's own tables and the plan's frames, so a
heuristic that returned an infeasible plan cannot pass by sharing the model's mistakes.
"""

from __future__ import annotations

import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork
from workbench.clinker.results.plan import PlanResult

TOL = 1e-4  # tonnes; HiGHS's feasibility tolerance on numbers in the thousands


def plan_violations(network: ClinkerNetwork, plan: PlanResult) -> list[str]:
    """Every violated limit, in words; an empty list means the plan is feasible."""
    found: list[str] = []
    ship = plan.shipments
    prod = plan.production

    over = prod[prod["production_t"] > prod["capacity_t"] + TOL]
    found += [f"capacity at {r.node_id} p{r.period}" for r in over.itertuples()]

    short = ship[ship["shipment_t"] > ship["trips"] * ship["vehicle_capacity_t"] + TOL]
    found += [f"trips carry too little on {r.route_id} p{r.period}" for r in short.itertuples()]
    lanes = network.route_periods().drop_duplicates(["route_id", "period"])
    ship = ship.merge(lanes[["route_id", "period", "full_loads_only"]], on=["route_id", "period"])
    full = ship[ship["full_loads_only"].fillna(False).astype(bool)]
    part = full[(full["shipment_t"] - full["trips"] * full["vehicle_capacity_t"]).abs() > TOL]
    found += [f"part load on full-load {r.route_id} p{r.period}" for r in part.itertuples()]
    sbq = ship[(ship["shipment_t"] > TOL) & (ship["shipment_t"] < ship["sbq_t"] - TOL)]
    found += [f"below SBQ on {r.route_id} p{r.period}" for r in sbq.itertuples()]
    idle = ship[(ship["shipment_t"] <= TOL) & (ship["trips"] > 0) & (ship["sbq_t"] > 0)]
    found += [f"trips without the route in use on {r.route_id} p{r.period}"
              for r in idle.itertuples()]
    capped = ship[ship["max_trips"].notna() & (ship["trips"] > ship["max_trips"])]
    found += [f"max trips on {r.route_id} p{r.period}" for r in capped.itertuples()]
    if (ship["trips"] % 1 != 0).any() or (ship[["shipment_t", "trips"]] < -TOL).any().any():
        found.append("trips not whole or negative quantities")

    found += _stock_violations(network, plan)
    found += _bound_violations(network, plan)
    return found


def _stock_violations(network: ClinkerNetwork, plan: PlanResult) -> list[str]:
    found = []
    stock = plan.stock.set_index(["node_id", "period"])
    unmet = plan.unmet.set_index(["node_id", "period"])["unmet_t"]
    demand_t = plan.unmet.set_index(["node_id", "period"])["demand_t"]
    made = plan.production.set_index(["node_id", "period"])["production_t"]
    ship = plan.shipments
    inflow = ship.groupby(["destination_id", "period"])["shipment_t"].sum()
    outflow = ship.groupby(["origin_id", "period"])["shipment_t"].sum()
    shortfall = plan.safety_shortfall.set_index(["node_id", "period"])["shortfall_t"] \
        if not plan.safety_shortfall.empty else pd.Series(dtype=float)
    opening = dict(zip(network.plants["node_id"], network.plants["opening_stock_t"].fillna(0),
                       strict=True))
    periods = network.periods
    for node in network.plants["node_id"]:
        before = opening[node]
        for t in periods:
            row = stock.loc[(node, t)]
            closing = float(row["closing_stock_t"])
            demand = float(demand_t.get((node, t), 0.0))
            balance = (before + float(made.get((node, t), 0.0)) +
                       float(inflow.get((node, t), 0.0)) - float(outflow.get((node, t), 0.0)) -
                       (demand - float(unmet.get((node, t), 0.0))) - closing)
            if abs(balance) > TOL * 10:
                found.append(f"stock balance at {node} p{t} off by {balance:,.3f} t")
            if closing < -TOL or float(unmet.get((node, t), 0.0)) > demand + TOL:
                found.append(f"negative stock or unmet above demand at {node} p{t}")
            if pd.notna(row["max_storage_t"]) and closing > row["max_storage_t"] + TOL:
                found.append(f"storage at {node} p{t}")
            cover = closing + (float(shortfall.get((node, t), 0.0))
                               if network.settings.safety_stock == "soft" else 0.0)
            if cover < row["safety_stock_t"] - TOL:
                found.append(f"safety stock at {node} p{t}")
            before = closing
    return found


def _bound_violations(network: ClinkerNetwork, plan: PlanResult) -> list[str]:
    found = []
    ship = plan.shipments
    for b in network.flow_bounds.itertuples():
        match = ship[(ship["origin_id"] == b.origin_id) & (ship["period"] == b.period)]
        if isinstance(b.mode, str):
            match = match[match["mode"] == b.mode]
        if isinstance(b.destination_id, str):
            match = match[match["destination_id"] == b.destination_id]
        flow = float(match["shipment_t"].sum())
        ok = {"le": flow <= b.quantity_t + TOL, "ge": flow >= b.quantity_t - TOL,
              "eq": abs(flow - b.quantity_t) <= TOL}[b.bound]
        if not ok:
            found.append(f"flow bound {b.bound} {b.quantity_t} from {b.origin_id} p{b.period}: "
                         f"{flow:,.1f} t")
    return found
