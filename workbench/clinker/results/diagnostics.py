"""Diagnostics of a plan: reality checks after every solve, reasons for unmet demand, and the
limits that conflict when there is no plan. Each is a structured :class:`Diagnostic`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import pandas as pd

from workbench.clinker.contract.network import Settings
from workbench.clinker.optimization.model_data import ModelData
from workbench.clinker.results.plan import CostBreakdown
from workbench.core.money import format_inr

TOL_T = 1e-4


class Diagnosis(StrEnum):
    """What a diagnostic is about; stable codes for scripts and the store."""

    COST_BELOW_REALISTIC = "cost_below_realistic"
    COMPONENTS_MISMATCH = "components_mismatch"
    OVER_VEHICLE_CAPACITY = "over_vehicle_capacity"
    BELOW_SBQ = "below_sbq"
    UNEXPLAINED_UNMET = "unexplained_unmet"
    DEMAND_UNMET = "demand_unmet"
    GAP_ABOVE_REQUESTED = "gap_above_requested"
    # why there is no plan (elastic relaxation)
    SAFETY_STOCK_CONFLICT = "safety_stock_conflict"
    STORAGE_CONFLICT = "storage_conflict"
    CAPACITY_CONFLICT = "capacity_conflict"
    FLOW_BOUND_CONFLICT = "flow_bound_conflict"
    NO_RELAXED_PLAN = "no_relaxed_plan"


@dataclass(frozen=True)
class Diagnostic:
    """One thing a planner should hear about a plan, and where: node, route and period."""

    code: Diagnosis
    message: str
    node_id: str | None = None
    route_id: str | None = None
    period: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "code": str(self.code)}

    def __str__(self) -> str:
        return self.message


def reality_checks(frames: dict[str, pd.DataFrame], objective: float, components: CostBreakdown,
                   settings: Settings) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if objective < settings.min_realistic_total_cost_inr:
        found.append(Diagnostic(
            Diagnosis.COST_BELOW_REALISTIC,
            f"total cost {format_inr(objective)} is below the realistic minimum "
            f"{format_inr(settings.min_realistic_total_cost_inr)}; check costs' units"))
    if abs(components.total - objective) > max(1.0, 1e-7 * abs(objective)):
        found.append(Diagnostic(
            Diagnosis.COMPONENTS_MISMATCH,
            f"cost components add to {components.total:,.2f} but the objective is "
            f"{objective:,.2f}"))
    ships = frames["shipments"]
    over = ships[ships["shipment_t"] > ships["trips"] * ships["vehicle_capacity_t"] + TOL_T]
    found += [Diagnostic(Diagnosis.OVER_VEHICLE_CAPACITY,
                         f"route {r.route_id} period {r.period} ships {r.shipment_t:,.1f} t on "
                         f"{r.trips} trips of {r.vehicle_capacity_t:,.0f} t",
                         route_id=r.route_id, period=int(r.period)) for r in over.itertuples()]
    small = ships[(ships["shipment_t"] > TOL_T) & (ships["shipment_t"] < ships["sbq_t"] - TOL_T)]
    found += [Diagnostic(Diagnosis.BELOW_SBQ,
                         f"route {r.route_id} period {r.period} ships {r.shipment_t:,.1f} t, "
                         f"below its SBQ of {r.sbq_t:,.0f} t",
                         route_id=r.route_id, period=int(r.period)) for r in small.itertuples()]
    return found


def unmet_diagnostics(unmet: pd.DataFrame, service_level: float | None,
                      unmet_t: float) -> list[Diagnostic]:
    """Unmet demand that no limit explains, and the service level when below 100 %."""
    found = [Diagnostic(Diagnosis.UNEXPLAINED_UNMET,
                        f"unmet demand of {r.unmet_t:,.0f} t at {r.node_id} in period {r.period} "
                        "is not explained by supply or route limits (the penalty may be below "
                        "the cost of serving it)", node_id=r.node_id, period=int(r.period))
             for r in unmet[unmet["reason"] == "unexplained"].itertuples()]
    if service_level is not None and service_level < 1:
        found.append(Diagnostic(Diagnosis.DEMAND_UNMET,
                                f"service level {service_level:.1%}: {unmet_t:,.0f} t of demand "
                                "unmet"))
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
