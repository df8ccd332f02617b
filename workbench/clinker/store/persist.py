"""Conversions between the clinker domain and the store: networks to dataset records and back,
a PlanResult to the spine's RunRecord plus the domain's result rows."""

from __future__ import annotations

import math
from datetime import datetime

import pandas as pd

from workbench.clinker.contract.network import ClinkerNetwork
from workbench.clinker.contract.readers import from_contract_tables
from workbench.clinker.contract.sources import RawSource, RawTable
from workbench.clinker.contract.writers import contract_tables
from workbench.clinker.optimization.options import SolveOptions
from workbench.clinker.results import kpis
from workbench.clinker.results.plan import PlanResult
from workbench.clinker.store.results import NODE, PlanRows, stored_columns
from workbench.core.access import scope
from workbench.store.datasets import Tables, content_hash
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
               started_at: datetime) -> tuple[RunRecord, PlanRows]:
    """The run as the spine stores it, and the plan's rows as the clinker tables hold them."""
    solver, _, version = result.solver.partition(" ")
    record = RunRecord(
        domain=DOMAIN,
        parameters={"mip_gap": options.mip_gap, "time_limit_s": options.time_limit_s,
                    "warm_start": options.warm_start, "settings": vars(network.settings)},
        solver=solver or options.solver, solver_version=version, data_hash=data_hash(network),
        status=str(result.status), has_result=result.status.has_plan,
        termination_condition=result.termination_condition, started_at=started_at,
        build_seconds=result.build_seconds, solve_seconds=result.solve_seconds,
        objective_inr=result.objective_inr, best_bound_inr=result.best_bound_inr,
        mip_gap=result.mip_gap,
        warnings=[d.to_dict() for d in [*result.warnings, *result.infeasibility]],
        scopes=node_scopes(network.node_ids()))
    rows = PlanRows()
    if result.status.has_plan and result.kpis is not None:
        rows = PlanRows(results=_result_rows(result),
                        kpis_by_period=kpis.kpis_by_period(result, network),
                        kpis=kpis.aggregated(result))
    return record, rows


def node_scopes(node_ids: list[str]) -> list[str]:
    return [scope(NODE, n) for n in node_ids]


def _result_rows(result: PlanResult) -> dict[str, list[dict]]:
    """Each result table in its stored columns (those of the table's model)."""
    frames = {"production": result.production, "shipments": result.shipments,
              "stock": result.stock, "unmet": result.unmet,
              "shadow_prices": result.shadow_prices}
    out = {}
    for name, frame in frames.items():
        columns = stored_columns(name)
        out[name] = _records(frame[columns]) if not frame.empty else []
    for row in out["shipments"]:
        row["trips"] = int(row["trips"])
    return out
