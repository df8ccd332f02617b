"""The plan store's tables (SQLAlchemy 2 declarative models), named as in the seed system.

Money is raw rupees in double precision; tonnes carry ``_t``. Result and KPI rows carry the
``node_id`` they belong to so that access control can filter them in SQL. The schema itself is
created only by the Alembic migrations in ``workbench/store/migrations``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NETWORK = "*"  # node_id of KPI rows that cover the whole network


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict] = {dict: JSON, list: JSON, float: Double,
                                           datetime: DateTime(True)}


class Dataset(Base):
    __tablename__ = "datasets"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    domain: Mapped[str] = mapped_column(String(40))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(Text)
    node_ids: Mapped[list] = mapped_column(JSON)
    summary: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DatasetTable(Base):
    """One validated input table of a dataset, as records in the contract's columns."""

    __tablename__ = "dataset_tables"
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"),
                                            primary_key=True)
    table_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    records: Mapped[list] = mapped_column(JSON)


class ValidationReportRow(Base):
    __tablename__ = "validation_reports"
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"),
                                            index=True)
    ok: Mapped[bool] = mapped_column(Boolean)
    errors: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[int] = mapped_column(Integer)
    findings: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Scenario(Base):
    """One version of a named scenario: a dataset plus an ordered list of changes."""

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("name", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    version: Mapped[int] = mapped_column(Integer)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("scenarios.id"))
    changes: Mapped[list] = mapped_column(JSON)
    node_ids: Mapped[list] = mapped_column(JSON)  # nodes the changes touch
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OptimizationRun(Base):
    __tablename__ = "optimization_run"
    __table_args__ = (Index("ix_run_scenario_finished", "scenario_id", "finished_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"))
    parameters: Mapped[dict] = mapped_column(JSON)
    solver: Mapped[str] = mapped_column(String(100))
    solver_version: Mapped[str] = mapped_column(String(60))
    package_version: Mapped[str] = mapped_column(String(60))
    data_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(40), index=True)
    objective_inr: Mapped[float | None]
    best_bound_inr: Mapped[float | None]
    mip_gap: Mapped[float | None]
    build_seconds: Mapped[float]
    solve_seconds: Mapped[float]
    warnings: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved: Mapped[bool] = mapped_column(Boolean, default=False, index=True)


class Approval(Base):
    """The approval history: every approval of a run as the baseline plan."""

    __tablename__ = "plan_approvals"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("optimization_run.id"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"))
    approved_by: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    note: Mapped[str] = mapped_column(Text, default="")


def _run_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"), index=True)


class ResultProduction(Base):
    __tablename__ = "result_production"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    production_t: Mapped[float]
    capacity_t: Mapped[float]
    cost_inr_per_t: Mapped[float]


class ResultShipment(Base):
    __tablename__ = "result_shipments"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    route_id: Mapped[str] = mapped_column(String(120))
    origin_id: Mapped[str] = mapped_column(String(60))
    destination_id: Mapped[str] = mapped_column(String(60))
    mode: Mapped[str] = mapped_column(String(30))
    period: Mapped[int]
    shipment_t: Mapped[float]
    trips: Mapped[int]
    cost_inr: Mapped[float]


class ResultStock(Base):
    __tablename__ = "result_stock"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    closing_stock_t: Mapped[float]
    safety_stock_t: Mapped[float]
    max_storage_t: Mapped[float | None]


class ResultUnmet(Base):
    __tablename__ = "result_unmet"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    demand_t: Mapped[float]
    unmet_t: Mapped[float]
    reason: Mapped[str] = mapped_column(String(60))


class ResultShadowPrice(Base):
    __tablename__ = "result_shadow_prices"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = _run_fk()
    constraint: Mapped[str] = mapped_column(String(40))
    node_id: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    shadow_price_inr_per_t: Mapped[float]


class KpiPrecomputed(Base):
    """KPIs per run, period and node (``node_id == "*"``: the whole network), written once."""

    __tablename__ = "kpi_precomputed"
    __table_args__ = (UniqueConstraint("run_id", "period", "node_id"),
                      Index("ix_kpi_pre_run_node", "run_id", "node_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"))
    period: Mapped[int]
    node_id: Mapped[str] = mapped_column(String(60))
    demand_t: Mapped[float]
    delivered_t: Mapped[float]
    unmet_t: Mapped[float]
    service_level: Mapped[float | None]
    production_t: Mapped[float]
    capacity_t: Mapped[float]
    received_t: Mapped[float]
    dispatched_t: Mapped[float]
    closing_stock_t: Mapped[float]
    trips: Mapped[int]
    cost_inr: Mapped[float | None]  # network rows only: cost is not split between nodes


class KpiAggregated(Base):
    """Whole-run KPIs and the six cost components, written once when the run is stored."""

    __tablename__ = "kpi_aggregated"
    run_id: Mapped[int] = mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"),
                                        primary_key=True)
    total_cost_inr: Mapped[float]
    production_inr: Mapped[float]
    transport_inr: Mapped[float]
    trips_inr: Mapped[float]
    holding_inr: Mapped[float]
    unmet_penalty_inr: Mapped[float]
    safety_penalty_inr: Mapped[float]
    demand_t: Mapped[float]
    delivered_t: Mapped[float]
    unmet_t: Mapped[float]
    service_level: Mapped[float | None]
    cost_per_t_delivered_inr: Mapped[float | None]
    capacity_utilisation: Mapped[float | None]
    storage_utilisation: Mapped[float | None]
    trips_by_mode: Mapped[dict] = mapped_column(JSON)
    tonnes_by_mode: Mapped[dict] = mapped_column(JSON)


class ScenarioComparison(Base):
    __tablename__ = "scenario_comparison"
    __table_args__ = (Index("ix_comparison_runs", "run_a_id", "run_b_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_a_id: Mapped[int] = mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"))
    run_b_id: Mapped[int] = mapped_column(ForeignKey("optimization_run.id", ondelete="CASCADE"))
    result: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(40))
    ius: Mapped[list] = mapped_column(JSON)
    gus: Mapped[list] = mapped_column(JSON)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Append-only: the store's API only inserts, and database triggers refuse the rest."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    status: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[str] = mapped_column(String(200), default="")
    nodes: Mapped[list] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text, default="")


class JobStatus(Base):
    __tablename__ = "job_status"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    state: Mapped[str] = mapped_column(String(20), index=True)
    progress: Mapped[float] = mapped_column(default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("optimization_run.id"))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
