"""Every clinker KPI in one place: whole-plan KPIs, per node and period, and costs by period.

Computed once, when a plan is made or stored, never on read.
"""

from __future__ import annotations

import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork
from workbench.clinker.results.plan import PlanKPIs, PlanResult

NETWORK = "*"  # node_id of KPI rows that cover the whole network


def plan_kpis(frames: dict[str, pd.DataFrame], total_cost: float) -> PlanKPIs:
    unmet, ships, prod, stock = (frames[k] for k in ("unmet", "shipments", "production",
                                                     "stock"))
    demand_t, unmet_t = float(unmet["demand_t"].sum()), float(unmet["unmet_t"].sum())
    delivered = demand_t - unmet_t
    capacity = float(prod["capacity_t"].sum())
    limited = stock.dropna(subset=["max_storage_t"])
    limited = limited[limited["max_storage_t"] > 0]
    return PlanKPIs(
        total_cost_inr=total_cost,
        demand_t=demand_t,
        delivered_t=delivered,
        unmet_t=unmet_t,
        cost_per_t_delivered_inr=total_cost / delivered if delivered > 0 else None,
        service_level=delivered / demand_t if demand_t > 0 else None,
        trips_by_mode={str(k): int(v) for k, v in ships.groupby("mode")["trips"].sum().items()},
        tonnes_by_mode={str(k): float(v)
                        for k, v in ships.groupby("mode")["shipment_t"].sum().items()},
        capacity_utilisation=float(prod["production_t"].sum()) / capacity if capacity else None,
        storage_utilisation=float((limited["closing_stock_t"] /
                                   limited["max_storage_t"]).mean()) if len(limited) else None,
    )


def aggregated(result: PlanResult) -> dict[str, object]:
    k, c = result.kpis, result.components
    assert k is not None
    return {
        "total_cost_inr": k.total_cost_inr, "production_inr": c.production,
        "transport_inr": c.transport, "trips_inr": c.trips, "holding_inr": c.holding,
        "unmet_penalty_inr": c.unmet_penalty, "safety_penalty_inr": c.safety_penalty,
        "demand_t": k.demand_t, "delivered_t": k.delivered_t, "unmet_t": k.unmet_t,
        "service_level": k.service_level, "cost_per_t_delivered_inr": k.cost_per_t_delivered_inr,
        "capacity_utilisation": k.capacity_utilisation,
        "storage_utilisation": k.storage_utilisation,
        "trips_by_mode": k.trips_by_mode, "tonnes_by_mode": k.tonnes_by_mode,
    }


def kpis_by_period(result: PlanResult, network: ClinkerNetwork) -> list[dict[str, object]]:
    """One row per node and period, and one network row (``*``) per period with its cost."""
    # plain dicts keyed by (node, period): a pandas lookup per key cost ~0.5 s on a national
    # plan, and this runs on every stored solve, a cancelled one included
    prod = result.production.set_index(["node_id", "period"])
    unmet = result.unmet.set_index(["node_id", "period"])
    ships = result.shipments
    by_destination = ships.groupby(["destination_id", "period"])
    by_origin = ships.groupby(["origin_id", "period"])
    demand_t, unmet_t = unmet["demand_t"].to_dict(), unmet["unmet_t"].to_dict()
    production_t, capacity_t = prod["production_t"].to_dict(), prod["capacity_t"].to_dict()
    stock = result.stock.set_index(["node_id", "period"])["closing_stock_t"].to_dict()
    received, dispatched = (by_destination["shipment_t"].sum().to_dict(),
                            by_origin["shipment_t"].sum().to_dict())
    trips_in, trips_out = by_destination["trips"].sum().to_dict(), \
        by_origin["trips"].sum().to_dict()
    cost = _period_costs(result)
    rows = []
    for period in network.periods:
        nodes = []
        for node in network.node_ids():
            key = (node, period)
            demand = float(demand_t.get(key, 0.0))
            short = float(unmet_t.get(key, 0.0))
            nodes.append({
                "period": period, "node_id": node, "demand_t": demand,
                "delivered_t": demand - short, "unmet_t": short,
                "service_level": (demand - short) / demand if demand > 0 else None,
                "production_t": float(production_t.get(key, 0.0)),
                "capacity_t": float(capacity_t.get(key, 0.0)),
                "received_t": float(received.get(key, 0.0)),
                "dispatched_t": float(dispatched.get(key, 0.0)),
                "closing_stock_t": float(stock.get(key, 0.0)),
                "trips": int(trips_in.get(key, 0) + trips_out.get(key, 0)),
                "cost_inr": None})
        total = {f: sum(n[f] for n in nodes) for f in
                 ("demand_t", "delivered_t", "unmet_t", "production_t", "capacity_t",
                  "received_t", "dispatched_t", "closing_stock_t")}
        period_trips = int(ships.loc[ships["period"] == period, "trips"].sum())
        rows += nodes
        rows.append({"period": period, "node_id": NETWORK, **total, "trips": period_trips,
                     "service_level": total["delivered_t"] / total["demand_t"]
                     if total["demand_t"] > 0 else None,
                     "cost_inr": cost.get(period, 0.0)})
    return rows


def _period_costs(result: PlanResult) -> dict[int, float]:
    """The objective split by period: each row's share of the six components, summed."""
    parts = [(result.production, "production_cost_inr"), (result.shipments, "cost_inr"),
             (result.stock, "holding_cost_inr"), (result.unmet, "unmet_penalty_inr"),
             (result.stock, "shortfall_penalty_inr")]
    cost = pd.concat([frame.groupby("period")[column].sum() for frame, column in parts
                      if not frame.empty], axis=1).fillna(0.0).sum(axis=1)
    return {int(p): float(v) for p, v in cost.items()}
