"""The clinker domain's side of the plan store: datasets in, runs and KPIs out.

The store knows nothing of clinker; this module turns a network into storable tables and a
PlanResult into a RunRecord, computing every KPI here, once, when the run is recorded.
"""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from workbench.clinker.model_data import prepare
from workbench.clinker.network import ClinkerNetwork
from workbench.clinker.options import SolveOptions
from workbench.clinker.readers import from_contract_tables
from workbench.clinker.results import PlanResult
from workbench.clinker.sources import RawSource, RawTable
from workbench.clinker.writers import contract_tables
from workbench.store.datasets import Tables, content_hash
from workbench.store.models import NETWORK
from workbench.store.runs import RunRecord

DOMAIN = "clinker"


def _plain(value: object) -> object:
    """JSON-safe scalars: NaN and NA become None, numpy numbers become Python ones."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    return value.item() if hasattr(value, "item") else value


def _records(frame: pd.DataFrame) -> list[dict[str, object]]:
    return [{k: _plain(v) for k, v in row.items()}
            for row in frame.astype(object).to_dict("records")]


def network_tables(network: ClinkerNetwork) -> Tables:
    """The validated contract tables as JSON records (what a dataset stores)."""
    return {name: _records(frame) for name, frame in contract_tables(network).items()}


def network_from_tables(tables: Tables, source: str = "") -> ClinkerNetwork:
    """Rebuild the network from stored records through the same typed parser as files."""
    raw = RawSource()
    for name, records in tables.items():
        frame = pd.DataFrame.from_records(records).astype(object)
        text = frame.map(lambda v: "" if v is None else str(v))
        text.insert(0, "source_row", range(2, len(text) + 2))
        raw.tables[name] = RawTable(frame=text, file=f"{source}:{name}")
    network = from_contract_tables(raw)
    network.source = source
    return network


def data_hash(network: ClinkerNetwork) -> str:
    return content_hash(network_tables(network))


def run_record(result: PlanResult, network: ClinkerNetwork, options: SolveOptions,
               started_at: datetime) -> RunRecord:
    solver, _, version = result.solver.partition(" ")
    record = RunRecord(
        parameters={"mip_gap": options.mip_gap, "time_limit_s": options.time_limit_s,
                    "warm_start": options.warm_start, "settings": vars(network.settings)},
        solver=solver or options.solver, solver_version=version, data_hash=data_hash(network),
        status=str(result.status), started_at=started_at, build_seconds=result.build_seconds,
        solve_seconds=result.solve_seconds, objective_inr=result.objective_inr,
        best_bound_inr=result.best_bound_inr, mip_gap=result.mip_gap,
        warnings=result.warnings + result.infeasibility, nodes=network.node_ids())
    if result.status.has_plan and result.kpis is not None:
        record.results = _result_rows(result)
        record.kpis_by_period = kpis_by_period(result, network)
        record.kpis = _aggregated(result)
    return record


def _result_rows(result: PlanResult) -> dict[str, list[dict]]:
    keep = {
        "production": (result.production, ["node_id", "period", "production_t", "capacity_t",
                                           "cost_inr_per_t"]),
        "shipments": (result.shipments, ["route_id", "origin_id", "destination_id", "mode",
                                         "period", "shipment_t", "trips", "cost_inr"]),
        "stock": (result.stock, ["node_id", "period", "closing_stock_t", "safety_stock_t",
                                 "max_storage_t"]),
        "unmet": (result.unmet, ["node_id", "period", "demand_t", "unmet_t", "reason"]),
        "shadow_prices": (result.shadow_prices, ["constraint", "node_id", "period",
                                                 "description", "shadow_price_inr_per_t"]),
    }
    out = {}
    for name, (frame, columns) in keep.items():
        out[name] = _records(frame[columns]) if not frame.empty else []
    for row in out["shipments"]:
        row["trips"] = int(row["trips"])
    return out


def _aggregated(result: PlanResult) -> dict[str, object]:
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
    prod = result.production.set_index(["node_id", "period"])
    unmet = result.unmet.set_index(["node_id", "period"])
    stock = result.stock.set_index(["node_id", "period"])["closing_stock_t"]
    ships = result.shipments
    received = ships.groupby(["destination_id", "period"])["shipment_t"].sum()
    dispatched = ships.groupby(["origin_id", "period"])["shipment_t"].sum()
    trips_in = ships.groupby(["destination_id", "period"])["trips"].sum()
    trips_out = ships.groupby(["origin_id", "period"])["trips"].sum()
    cost = _period_costs(result, network)
    rows = []
    for period in network.periods:
        nodes = []
        for node in network.node_ids():
            key = (node, period)
            demand = float(unmet["demand_t"].get(key, 0.0))
            short = float(unmet["unmet_t"].get(key, 0.0))
            nodes.append({
                "period": period, "node_id": node, "demand_t": demand,
                "delivered_t": demand - short, "unmet_t": short,
                "service_level": (demand - short) / demand if demand > 0 else None,
                "production_t": float(prod["production_t"].get(key, 0.0)),
                "capacity_t": float(prod["capacity_t"].get(key, 0.0)),
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


def _period_costs(result: PlanResult, network: ClinkerNetwork) -> dict[int, float]:
    """The objective split by period: the six components, each charged where it arises."""
    data = prepare(network)
    prod = result.production
    cost = (prod["production_t"] * prod["cost_inr_per_t"]).groupby(prod["period"]).sum()
    cost = cost.add(result.shipments.groupby("period")["cost_inr"].sum(), fill_value=0)
    hold = result.stock.merge(data.policy[["node_id", "period", "holding_cost_inr_per_t"]],
                              on=["node_id", "period"])
    cost = cost.add((hold["closing_stock_t"] * hold["holding_cost_inr_per_t"].fillna(0))
                    .groupby(hold["period"]).sum(), fill_value=0)
    short = result.unmet.merge(data.demand[["node_id", "period", "unmet_penalty_inr_per_t"]],
                               on=["node_id", "period"])
    cost = cost.add((short["unmet_t"] * short["unmet_penalty_inr_per_t"])
                    .groupby(short["period"]).sum(), fill_value=0)
    if not result.safety_shortfall.empty and network.settings.safety_stock == "soft":
        gap = result.safety_shortfall
        cost = cost.add(gap.groupby("period")["shortfall_t"].sum() *
                        network.settings.safety_stock_penalty_inr_per_t, fill_value=0)
    return {int(p): float(v) for p, v in cost.items()}
