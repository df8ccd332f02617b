"""A clinker run's rows in the store: written once with the run, read back per user's scopes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from workbench.clinker.store.models import (
    NETWORK,
    KpiAggregated,
    KpiPrecomputed,
    ResultProduction,
    ResultShadowPrice,
    ResultShipment,
    ResultStock,
    ResultUnmet,
)
from workbench.core.access import Permission, Principal
from workbench.store import runs
from workbench.store.models import Base, OptimizationRun, Scenario

NODE = "node"  # the clinker domain's scope kind

RESULT_TABLES: dict[str, type[Base]] = {
    "production": ResultProduction,
    "shipments": ResultShipment,
    "stock": ResultStock,
    "unmet": ResultUnmet,
    "shadow_prices": ResultShadowPrice,
}


@dataclass
class PlanRows:
    """A plan's result tables and KPIs as plain records, ready to insert."""

    results: dict[str, list[dict]] = field(default_factory=dict)
    kpis_by_period: list[dict] = field(default_factory=list)
    kpis: dict | None = None


def save_plan(session: Session, actor: Principal, scenario: Scenario, record: runs.RunRecord,
              rows: PlanRows) -> OptimizationRun:
    """One transaction: the run, its result rows and its KPIs (computed once, before this)."""
    run = runs.save_run(session, actor, scenario, record)
    for name, records in rows.results.items():
        if records:
            session.execute(insert(RESULT_TABLES[name]),
                            [{**r, "run_id": run.id} for r in records])
    if rows.kpis_by_period:
        session.execute(insert(KpiPrecomputed),
                        [{**r, "run_id": run.id} for r in rows.kpis_by_period])
    if rows.kpis is not None:
        session.add(KpiAggregated(run_id=run.id, **rows.kpis))
    return run


def stored_columns(table: str) -> list[str]:
    """A result table's columns as stored (without its row id and run id)."""
    return [c.name for c in RESULT_TABLES[table].__table__.columns
            if c.name not in ("id", "run_id")]


def own_nodes(actor: Principal) -> list[str]:
    return sorted(actor.ids(NODE)) if actor.can(Permission.VIEW_OWN) else []


def results(session: Session, actor: Principal, run: OptimizationRun, table: str) -> pd.DataFrame:
    """One result table of a run, as a frame, with only the rows the actor may see."""
    model = RESULT_TABLES[table]
    query = select(model).where(model.run_id == run.id)
    if not actor.sees_all:
        own = own_nodes(actor)
        if model is ResultShipment:
            query = query.where(or_(ResultShipment.origin_id.in_(own),
                                    ResultShipment.destination_id.in_(own)))
        else:
            query = query.where(model.node_id.in_(own))
    columns = stored_columns(table)
    rows = [{c: getattr(r, c) for c in columns} for r in session.scalars(query)]
    return pd.DataFrame(rows, columns=columns)


def kpis_by_period(session: Session, actor: Principal, run: OptimizationRun) -> pd.DataFrame:
    """KPI rows per period: network rows (``node_id == "*"``) only for those who see all."""
    query = select(KpiPrecomputed).where(KpiPrecomputed.run_id == run.id)
    if actor.sees_all:
        query = query.where(KpiPrecomputed.node_id == NETWORK)
    else:
        query = query.where(KpiPrecomputed.node_id.in_(own_nodes(actor)))
    columns = [c.name for c in KpiPrecomputed.__table__.columns if c.name not in ("id",)]
    rows = [{c: getattr(r, c) for c in columns}
            for r in session.scalars(query.order_by(KpiPrecomputed.period,
                                                    KpiPrecomputed.node_id))]
    return pd.DataFrame(rows, columns=columns)


def run_kpis(session: Session, actor: Principal, run: OptimizationRun) -> KpiAggregated | None:
    """Whole-network KPIs and costs; None for users restricted to their own nodes."""
    if not actor.sees_all:
        return None
    return session.get(KpiAggregated, run.id)
