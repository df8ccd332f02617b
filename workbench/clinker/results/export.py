"""The plan as tables a planner can open in Excel or send to dispatch.

One set of columns, whether the plan comes from a solve just made or from a stored run
(see :mod:`workbench.clinker.store.export`). Each ``*_inr`` column holds its rows' share of
one of the six cost components, so the columns add up to the components.
"""

from __future__ import annotations

import pandas as pd

from workbench.clinker.results.plan import PlanKPIs, PlanResult
from workbench.core.money import format_inr

COLUMNS: dict[str, list[str]] = {
    "production": ["node_id", "period", "production_t", "capacity_t", "utilisation",
                   "cost_inr_per_t", "production_cost_inr"],
    "shipments": ["route_id", "origin_id", "destination_id", "mode", "period", "shipment_t",
                  "trips", "vehicle_capacity_t", "freight_inr", "trip_cost_inr"],
    "stock": ["node_id", "period", "opening_stock_t", "closing_stock_t", "safety_stock_t",
              "max_storage_t", "shortfall_t", "holding_cost_inr", "shortfall_penalty_inr"],
    "unmet": ["node_id", "period", "demand_t", "unmet_t", "reason", "unmet_penalty_inr"],
    "shadow_prices": ["constraint", "node_id", "period", "description",
                      "shadow_price_inr_per_t"],
}
COMPONENT_COLUMNS = {  # which column of which table adds up to each cost component
    "production": ("production", "production_cost_inr"),
    "transport": ("shipments", "freight_inr"),
    "trips": ("shipments", "trip_cost_inr"),
    "holding": ("stock", "holding_cost_inr"),
    "unmet_penalty": ("unmet", "unmet_penalty_inr"),
    "safety_penalty": ("stock", "shortfall_penalty_inr"),
}
MOVING_T = 1e-6  # shipments below this are not dispatched and are left out


def shape(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A result table in its export columns and order (missing columns come out blank)."""
    frame = frame.copy()
    if table == "production" and "production_t" in frame:
        frame["utilisation"] = (frame["production_t"] / frame["capacity_t"]).where(
            frame["capacity_t"] > 0)
        frame["production_cost_inr"] = frame["production_t"] * frame["cost_inr_per_t"]
    if table == "shipments" and "shipment_t" in frame:
        frame = frame[(frame["shipment_t"] > MOVING_T) | (frame["trips"] > 0)]
    for column in COLUMNS[table]:
        if column not in frame:
            frame[column] = None
    keys = [k for k in ("node_id", "route_id", "period") if k in COLUMNS[table]]
    return frame[COLUMNS[table]].sort_values(keys).reset_index(drop=True)


def costs_table(components: dict[str, float]) -> pd.DataFrame:
    rows = [*components.items(), ("total", sum(components.values()))]
    return pd.DataFrame(rows, columns=["component", "cost_inr"])


def kpi_table(kpis: PlanKPIs) -> pd.DataFrame:
    """KPIs as (kpi, value) rows; tonnes and trips by mode become one row per mode."""
    rows: list[tuple[str, object]] = []
    for name, value in kpis.to_dict().items():
        if name == "trips_by_mode":
            rows += [(f"trips_{mode}", trips) for mode, trips in sorted(value.items())]
        elif name == "tonnes_by_mode":
            rows += [(f"{mode}_t", tonnes) for mode, tonnes in sorted(value.items())]
        else:
            rows.append((name, value))
    return pd.DataFrame(rows, columns=["kpi", "value"])


def plan_tables(result: PlanResult) -> dict[str, pd.DataFrame]:
    """Every export table of a solve just made (empty dict when there is no plan)."""
    if not result.status.has_plan or result.kpis is None:
        return {}
    frames = {"production": result.production, "shipments": result.shipments,
              "stock": result.stock, "unmet": result.unmet,
              "shadow_prices": result.shadow_prices}
    tables = {name: shape(name, frame) for name, frame in frames.items()}
    tables["costs"] = costs_table(result.components.to_dict())
    tables["kpis"] = kpi_table(result.kpis)
    return tables


def run_summary(result: PlanResult, source: str, data_hash: str | None = None
                ) -> dict[str, object]:
    """The first sheet of an export: what was solved (the source and the hash of its data, the
    same hash a stored dataset of it carries), how, and how good the plan is."""
    return {
        "source": source, "data_hash": data_hash, "status": str(result.status),
        "termination": result.termination_condition,
        "total_cost_inr": result.objective_inr,
        "total_cost": format_inr(result.objective_inr) if result.objective_inr else None,
        "mip_gap": pct(result.mip_gap), "requested_gap": pct(result.requested_gap),
        "solver": result.solver, "build_seconds": round(result.build_seconds, 3),
        "solve_seconds": round(result.solve_seconds, 3),
    }


def pct(share: float | None) -> str | None:
    return None if share is None else f"{share:.2%}"


def records(tables: dict[str, pd.DataFrame]) -> dict[str, list[dict[str, object]]]:
    """The tables as JSON-ready records (``solve --json --plan``)."""
    return {name: frame.astype(object).where(frame.notna(), None).to_dict("records")
            for name, frame in tables.items()}
