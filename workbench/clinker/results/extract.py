"""Turn a solved Pyomo model into tidy DataFrames and KPIs."""

from __future__ import annotations

import math

import pandas as pd
import pyomo.environ as pyo

from workbench.clinker.optimization.model import COMPONENTS
from workbench.clinker.optimization.model_data import ModelData
from workbench.clinker.results.plan import CostBreakdown


def _values(var: pyo.Var) -> dict[object, float]:
    return {k: (pyo.value(v, exception=False) or 0.0) for k, v in var.items()}


def plan_frames(m: pyo.ConcreteModel, data: ModelData) -> dict[str, pd.DataFrame]:
    prod = data.production.copy()
    made = _values(m.production_t)
    prod["production_t"] = [made[k] for k in zip(prod["node_id"], prod["period"], strict=True)]
    prod["utilisation"] = (prod["production_t"] / prod["capacity_t"]).where(
        prod["capacity_t"] > 0)

    lanes = data.lanes
    keys = list(zip(lanes["route_id"], lanes["period"], strict=True))
    ship, trips = _values(m.shipment_t), _values(m.trips)
    shipments = lanes[["route_id", "origin_id", "destination_id", "mode", "period",
                       "vehicle_capacity_t", "sbq_t", "unit_cost_inr_per_t",
                       "fixed_cost_inr_per_trip", "max_trips"]].copy()
    shipments["shipment_t"] = [ship[k] for k in keys]
    shipments["trips"] = [round(trips[k]) for k in keys]
    # Trips that cost nothing may be left above need by the solver; report the trips the
    # shipment actually takes (never more than solved, so every limit still holds).
    needed = (shipments["shipment_t"] / shipments["vehicle_capacity_t"] - 1e-6).apply(
        lambda x: max(0, math.ceil(x)))
    free = shipments["fixed_cost_inr_per_trip"] == 0
    shipments.loc[free, "trips"] = shipments.loc[free, "trips"].clip(upper=needed[free])
    shipments["cost_inr"] = shipments["shipment_t"] * shipments["unit_cost_inr_per_t"] + \
        shipments["trips"] * shipments["fixed_cost_inr_per_trip"]

    stock = data.policy[["node_id", "period", "safety_stock_t", "max_storage_t"]].copy()
    closing = _values(m.closing_stock_t)
    stock["closing_stock_t"] = [closing[k] for k in zip(stock["node_id"], stock["period"],
                                                        strict=True)]
    unmet = data.demand[["node_id", "period", "demand_t"]].copy()
    short = _values(m.unmet_t)
    unmet["unmet_t"] = [short[k] for k in zip(unmet["node_id"], unmet["period"], strict=True)]
    shortfall = _values(m.safety_shortfall_t)
    safety = pd.DataFrame([(n, t, v) for (n, t), v in shortfall.items()],
                          columns=["node_id", "period", "shortfall_t"])
    return {"production": prod, "shipments": shipments, "stock": stock,
            "unmet": unmet, "safety_shortfall": safety}


def cost_breakdown(m: pyo.ConcreteModel) -> CostBreakdown:
    return CostBreakdown(**{c: float(pyo.value(m.cost[c], exception=False) or 0.0)
                            for c in COMPONENTS})
