"""Optimisation runs: recorded once with their results and KPIs, read back filtered by node."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd
from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from workbench import __version__
from workbench.access import AccessDenied, Permission, Principal
from workbench.store import audit
from workbench.store.datasets import NotFound, visible_dataset_ids, visible_to
from workbench.store.models import (
    NETWORK,
    Base,
    Dataset,
    KpiAggregated,
    KpiPrecomputed,
    OptimizationRun,
    ResultProduction,
    ResultShadowPrice,
    ResultShipment,
    ResultStock,
    ResultUnmet,
    Scenario,
)

RESULT_TABLES: dict[str, type[Base]] = {
    "production": ResultProduction,
    "shipments": ResultShipment,
    "stock": ResultStock,
    "unmet": ResultUnmet,
    "shadow_prices": ResultShadowPrice,
}


@dataclass
class RunRecord:
    """What a domain hands the store after a solve (plain values, no solver objects)."""

    parameters: dict
    solver: str
    solver_version: str
    data_hash: str
    status: str
    started_at: datetime
    build_seconds: float
    solve_seconds: float
    objective_inr: float | None = None
    best_bound_inr: float | None = None
    mip_gap: float | None = None
    warnings: list[str] = field(default_factory=list)
    results: dict[str, list[dict]] = field(default_factory=dict)
    kpis_by_period: list[dict] = field(default_factory=list)
    kpis: dict | None = None
    nodes: list[str] = field(default_factory=list)


def save_run(session: Session, actor: Principal, scenario: Scenario,
             record: RunRecord) -> OptimizationRun:
    """One transaction: the run, its result rows and its KPIs (computed once, here)."""
    actor.require(Permission.RUN, "run plans")
    run = OptimizationRun(
        scenario_id=scenario.id, dataset_id=scenario.dataset_id, parameters=record.parameters,
        solver=record.solver, solver_version=record.solver_version,
        package_version=__version__, data_hash=record.data_hash, status=record.status,
        objective_inr=record.objective_inr, best_bound_inr=record.best_bound_inr,
        mip_gap=record.mip_gap, build_seconds=record.build_seconds,
        solve_seconds=record.solve_seconds, warnings=record.warnings,
        created_by=actor.username, started_at=record.started_at)
    session.add(run)
    session.flush()
    for name, rows in record.results.items():
        if rows:
            session.execute(insert(RESULT_TABLES[name]), [{**r, "run_id": run.id} for r in rows])
    if record.kpis_by_period:
        session.execute(insert(KpiPrecomputed),
                        [{**r, "run_id": run.id} for r in record.kpis_by_period])
    if record.kpis is not None:
        session.add(KpiAggregated(run_id=run.id, **record.kpis))
    audit.record(session, actor.username, "run", record.status, object_type="run",
                 object_id=run.id, nodes=record.nodes,
                 detail=f"scenario {scenario.name} v{scenario.version}")
    return run


def get_run(session: Session, actor: Principal, run_id: int) -> OptimizationRun:
    run = session.get(OptimizationRun, run_id)
    if run is None:
        raise NotFound(f"no run with id {run_id}")
    if not visible_to(actor, session.get(Dataset, run.dataset_id)):
        raise AccessDenied(f"user '{actor.username}' may not see run {run_id}")
    return run


def results(session: Session, actor: Principal, run: OptimizationRun, table: str) -> pd.DataFrame:
    """One result table of a run, as a frame, with only the rows the actor may see."""
    model = RESULT_TABLES[table]
    query = select(model).where(model.run_id == run.id)
    if not actor.sees_all:
        own = sorted(actor.nodes) if actor.can(Permission.VIEW_OWN) else []
        if model is ResultShipment:
            query = query.where(or_(ResultShipment.origin_id.in_(own),
                                    ResultShipment.destination_id.in_(own)))
        else:
            query = query.where(model.node_id.in_(own))
    columns = [c.name for c in model.__table__.columns if c.name not in ("id", "run_id")]
    rows = [{c: getattr(r, c) for c in columns} for r in session.scalars(query)]
    return pd.DataFrame(rows, columns=columns)


def kpis_by_period(session: Session, actor: Principal, run: OptimizationRun) -> pd.DataFrame:
    """KPI rows per period: network rows (``node_id == "*"``) only for those who see all."""
    query = select(KpiPrecomputed).where(KpiPrecomputed.run_id == run.id)
    if actor.sees_all:
        query = query.where(KpiPrecomputed.node_id == NETWORK)
    else:
        own = sorted(actor.nodes) if actor.can(Permission.VIEW_OWN) else []
        query = query.where(KpiPrecomputed.node_id.in_(own))
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


def runs_of(session: Session, actor: Principal,
            scenario_ids: list[int]) -> list[OptimizationRun]:
    """Runs of the given scenario versions that the actor may see."""
    visible = visible_dataset_ids(session, actor)
    return [r for r in session.scalars(select(OptimizationRun)
                          .where(OptimizationRun.scenario_id.in_(scenario_ids))
                          .order_by(OptimizationRun.id)) if r.dataset_id in visible]
