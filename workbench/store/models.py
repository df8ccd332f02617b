"""The spine's tables (SQLAlchemy 2 declarative models), named as in the seed system.

Datasets, scenarios, runs, approvals, comparisons, users, audit and jobs know no domain: what a
dataset or run is about is its ``domain`` column, and who may see it is its ``scopes`` (grants
such as ``node:IU_001``). Each domain declares its own result and KPI tables on the same
``Base`` in its own module, with its own Alembic branch. The schema is created only by the
migrations.
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
    # grants that may see it, e.g. node:IU_001. Nullable only because migration 0003 added it
    # to existing tables (SQLite cannot add NOT NULL in place); the store always writes it.
    scopes: Mapped[list | None] = mapped_column(JSON)
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
    scopes: Mapped[list | None] = mapped_column(JSON)  # what the changes touch (see Dataset)
    description: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OptimizationRun(Base):
    """One solve (or other computation) of a scenario, by any domain."""

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
    domain: Mapped[str | None] = mapped_column(String(40))  # nullable: see Dataset.scopes
    status: Mapped[str] = mapped_column(String(40), index=True)
    termination_condition: Mapped[str | None] = mapped_column(String(60))
    has_result: Mapped[bool] = mapped_column(Boolean, default=False)  # a plan to read
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
    scopes: Mapped[list | None] = mapped_column(JSON)  # grants: node:IU_001, line:L2 (see Dataset)
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
    scopes: Mapped[list] = mapped_column(JSON)  # bare node ids in entries before 0003
    detail: Mapped[str] = mapped_column(Text, default="")


class JobStatus(Base):
    """A background job, and the queue: claimed by a conditional UPDATE, kept by a lease."""

    __tablename__ = "job_status"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))  # "<domain>.<job>", e.g. clinker.solve
    state: Mapped[str] = mapped_column(String(20), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime | None]  # the lease: renewed every few seconds while running
    worker: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer)
    progress_percent: Mapped[float]
    progress_message: Mapped[str] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("optimization_run.id"))
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[dict | None] = mapped_column(JSON)


class JobWorker(Base):
    """A live worker process (`workbench worker`), so a submit can tell whether one runs."""

    __tablename__ = "job_workers"
    name: Mapped[str] = mapped_column(String(200), primary_key=True)  # host:pid
    concurrency: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class ReportRunRow(Base):
    """One run of a report notebook (``workbench report``), succeeded or failed."""

    __tablename__ = "report_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    notebook: Mapped[str] = mapped_column(String(200), index=True)
    parameters: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(index=True)
    seconds: Mapped[float]
    folder: Mapped[str] = mapped_column(Text)
    html: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    data_hash: Mapped[str | None] = mapped_column(String(64))
    package_version: Mapped[str] = mapped_column(String(60))
    solver_version: Mapped[str | None] = mapped_column(String(60))
    meta: Mapped[dict] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
