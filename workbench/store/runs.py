"""Runs: one row per solve (or other computation) of a scenario version, by any domain.

The domain hands over a :class:`RunRecord` of plain values and writes its own result and KPI
rows in the same transaction, so a run is stored whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench._version import __version__
from workbench.core.access import AccessDenied, Permission, Principal
from workbench.store import audit
from workbench.store.datasets import NotFound, visible_dataset_ids, visible_to
from workbench.store.models import Dataset, OptimizationRun, Scenario


@dataclass
class RunRecord:
    """What a domain hands the store after a solve (plain values, no solver objects)."""

    domain: str
    parameters: dict
    solver: str
    solver_version: str
    data_hash: str
    status: str
    has_result: bool
    started_at: datetime
    build_seconds: float
    solve_seconds: float
    termination_condition: str | None = None
    objective_inr: float | None = None
    best_bound_inr: float | None = None
    mip_gap: float | None = None
    warnings: list = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)


def save_run(session: Session, actor: Principal, scenario: Scenario,
             record: RunRecord) -> OptimizationRun:
    """Add the run row (flushed, so it has an id) and its audit row; the caller commits."""
    actor.require(Permission.RUN, "run plans")
    run = OptimizationRun(
        scenario_id=scenario.id, dataset_id=scenario.dataset_id, parameters=record.parameters,
        solver=record.solver, solver_version=record.solver_version,
        package_version=__version__, data_hash=record.data_hash, domain=record.domain,
        status=record.status, termination_condition=record.termination_condition,
        has_result=record.has_result, objective_inr=record.objective_inr,
        best_bound_inr=record.best_bound_inr, mip_gap=record.mip_gap,
        build_seconds=record.build_seconds, solve_seconds=record.solve_seconds,
        warnings=record.warnings, created_by=actor.username, started_at=record.started_at)
    session.add(run)
    session.flush()
    audit.record(session, actor.username, "run", record.status, object_type="run",
                 object_id=run.id, scopes=record.scopes,
                 detail=f"scenario {scenario.name} v{scenario.version}")
    return run


def get_run(session: Session, actor: Principal, run_id: int) -> OptimizationRun:
    run = session.get(OptimizationRun, run_id)
    if run is None:
        raise NotFound(f"no run with id {run_id}")
    if not visible_to(actor, session.get(Dataset, run.dataset_id)):
        raise AccessDenied(f"user '{actor.username}' may not see run {run_id}")
    return run


def runs_of(session: Session, actor: Principal,
            scenario_ids: list[int]) -> list[OptimizationRun]:
    """Runs of the given scenario versions that the actor may see."""
    visible = visible_dataset_ids(session, actor)
    return [r for r in session.scalars(select(OptimizationRun)
                          .where(OptimizationRun.scenario_id.in_(scenario_ids))
                          .order_by(OptimizationRun.id)) if r.dataset_id in visible]
