"""Reality checks run after every solve; findings become warnings on the result."""

from __future__ import annotations

import pandas as pd

from workbench.clinker.contract.network import Settings
from workbench.clinker.optimization.model_data import ModelData
from workbench.clinker.results.plan import CostBreakdown
from workbench.core.money import format_inr

TOL_T = 1e-4


def reality_checks(frames: dict[str, pd.DataFrame], objective: float, components: CostBreakdown,
                   settings: Settings) -> list[str]:
    found: list[str] = []
    if objective < settings.min_realistic_total_cost_inr:
        found.append(f"total cost {format_inr(objective)} is below the realistic minimum "
                     f"{format_inr(settings.min_realistic_total_cost_inr)}; check costs' units")
    if abs(components.total - objective) > max(1.0, 1e-7 * abs(objective)):
        found.append(f"cost components add to {components.total:,.2f} but the objective is "
                     f"{objective:,.2f}")
    ships = frames["shipments"]
    over = ships[ships["shipment_t"] > ships["trips"] * ships["vehicle_capacity_t"] + TOL_T]
    found += [f"route {r.route_id} period {r.period} ships {r.shipment_t:,.1f} t on {r.trips} "
              f"trips of {r.vehicle_capacity_t:,.0f} t" for r in over.itertuples()]
    small = ships[(ships["shipment_t"] > TOL_T) & (ships["shipment_t"] < ships["sbq_t"] - TOL_T)]
    found += [f"route {r.route_id} period {r.period} ships {r.shipment_t:,.1f} t, below its "
              f"SBQ of {r.sbq_t:,.0f} t" for r in small.itertuples()]
    return found


def explain_unmet(frames: dict[str, pd.DataFrame], data: ModelData) -> pd.DataFrame:
    """Give each shortfall a reason: supply shortfall, route limits, or no route at all.

    Returns the unmet frame with a ``reason`` column; rows that none of these explain are
    marked ``unexplained`` and reported as warnings by the caller.
    """
    unmet = frames["unmet"].copy()
    ships = frames["shipments"]
    capacity = data.production.groupby("period")["capacity_t"].sum()
    produced = frames["production"].groupby("period")["production_t"].sum()
    opening = data.nodes["opening_stock_t"].sum()
    cum_demand = data.demand.groupby("period")["demand_t"].sum().cumsum()
    cum_supply = capacity.reindex(data.periods, fill_value=0).cumsum() + opening
    full_kilns = (produced.reindex(data.periods, fill_value=0) >=
                  capacity.reindex(data.periods, fill_value=0) - 1.0)
    bound_routes = {k for routes in data.bounds.get("routes", []) for k in routes}
    reasons = []
    for rec in unmet.itertuples():
        if rec.unmet_t <= TOL_T:
            reasons.append("")
            continue
        inbound = ships[(ships["destination_id"] == rec.node_id) & (ships["period"] == rec.period)]
        at_trip_limit = inbound["max_trips"].notna() & (inbound["trips"] >= inbound["max_trips"])
        bounded = [(r, p) in bound_routes for r, p in zip(inbound["route_id"], inbound["period"],
                                                          strict=True)]
        if cum_demand[rec.period] > cum_supply[rec.period] or bool(full_kilns[rec.period]):
            reasons.append("supply shortfall")
        elif inbound.empty:
            reasons.append("no inbound route")
        elif (at_trip_limit | pd.Series(bounded, index=inbound.index)).any():
            reasons.append("route limits")
        else:
            reasons.append("unexplained")
    unmet["reason"] = reasons
    return unmet
