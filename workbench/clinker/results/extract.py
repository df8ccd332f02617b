"""Turn a solved Pyomo model into tidy DataFrames and KPIs."""

from __future__ import annotations

import math

import pandas as pd
import pyomo.environ as pyo

from workbench.clinker.contract.network import Settings
from workbench.clinker.optimization.model import COMPONENTS
from workbench.clinker.optimization.model_data import ModelData
from workbench.clinker.results.plan import CostBreakdown


def _values(var: pyo.Var) -> dict[object, float]:
    return {k: (pyo.value(v, exception=False) or 0.0) for k, v in var.items()}


def plan_frames(m: pyo.ConcreteModel, data: ModelData,
                settings: Settings) -> dict[str, pd.DataFrame]:
    """The plan's tables. Their ``*_inr`` columns split each of the six cost components by
    row: summed, they give the components exactly."""
    prod = data.production.copy()
    made = _values(m.production_t)
    prod["production_t"] = [made[k] for k in zip(prod["node_id"], prod["period"], strict=True)]
    prod["utilisation"] = (prod["production_t"] / prod["capacity_t"]).where(
        prod["capacity_t"] > 0)
    prod["production_cost_inr"] = prod["production_t"] * prod["cost_inr_per_t"]

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
    shipments["freight_inr"] = shipments["shipment_t"] * shipments["unit_cost_inr_per_t"]
    shipments["trip_cost_inr"] = shipments["trips"] * shipments["fixed_cost_inr_per_trip"]
    shipments["cost_inr"] = shipments["freight_inr"] + shipments["trip_cost_inr"]

    shortfall = _values(m.safety_shortfall_t)
    safety = pd.DataFrame([(n, t, v) for (n, t), v in shortfall.items()],
                          columns=["node_id", "period", "shortfall_t"])
    stock = _stock(m, data, safety, settings)
    unmet = data.demand[["node_id", "period", "demand_t", "unmet_penalty_inr_per_t"]].copy()
    short = _values(m.unmet_t)
    unmet["unmet_t"] = [short[k] for k in zip(unmet["node_id"], unmet["period"], strict=True)]
    unmet["unmet_penalty_inr"] = unmet["unmet_t"] * unmet["unmet_penalty_inr_per_t"]
    return {"production": prod, "shipments": shipments, "stock": stock,
            "unmet": unmet, "safety_shortfall": safety}


def _stock(m: pyo.ConcreteModel, data: ModelData, safety: pd.DataFrame,
           settings: Settings) -> pd.DataFrame:
    """Opening and closing stock per node and period, with holding cost and safety shortfall."""
    stock = data.policy[["node_id", "period", "safety_stock_t", "max_storage_t",
                         "holding_cost_inr_per_t"]].copy()
    closing = _values(m.closing_stock_t)
    stock["closing_stock_t"] = [closing[k] for k in zip(stock["node_id"], stock["period"],
                                                        strict=True)]
    stock = stock.sort_values(["node_id", "period"]).reset_index(drop=True)
    opening = stock["node_id"].map(dict(zip(data.nodes["node_id"], data.nodes["opening_stock_t"],
                                            strict=True)))
    previous = stock.groupby("node_id")["closing_stock_t"].shift(1)
    stock["opening_stock_t"] = previous.fillna(opening).fillna(0.0)
    stock["holding_cost_inr"] = stock["closing_stock_t"] * stock["holding_cost_inr_per_t"]
    stock = stock.merge(safety, on=["node_id", "period"], how="left")
    stock["shortfall_t"] = stock["shortfall_t"].fillna(0.0)
    soft = settings.safety_stock == "soft"
    stock["shortfall_penalty_inr"] = stock["shortfall_t"] * \
        (settings.safety_stock_penalty_inr_per_t if soft else 0.0)
    return stock


def cost_breakdown(m: pyo.ConcreteModel) -> CostBreakdown:
    return CostBreakdown(**{c: float(pyo.value(m.cost[c], exception=False) or 0.0)
                            for c in COMPONENTS})
