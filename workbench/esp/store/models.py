"""The ESP domain's tables, created by the ``esp`` Alembic branch.

The telemetry itself lives in the telemetry store (Parquet, see ``workbench.esp.lake``); the
SQL store keeps the catalogue and lineage: which wells a telemetry store holds and their
field, every ingest run (sources with SHA-256, counts, speed, who), quality per well and day
(with the run that last changed it) and every evaluation. ``store_id`` is the telemetry
store's uuid (``esp-store.json``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store.models import Base, utcnow


class EspWell(Base):
    __tablename__ = "esp_wells"
    store_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    well_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    field_id: Mapped[str | None] = mapped_column(String(100), index=True)
    feeder: Mapped[str | None] = mapped_column(String(100))
    nameplate_current_a: Mapped[float | None]
    rated_flow_bpd: Mapped[float | None]
    bubble_point_psi: Mapped[float | None]
    cadence_s: Mapped[float]
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class EspIngestRun(Base):
    __tablename__ = "esp_ingest_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(String(36), index=True)
    store_path: Mapped[str] = mapped_column(Text)
    batch: Mapped[int] = mapped_column(Integer)
    sources: Mapped[list] = mapped_column(JSON)  # [{"path", "sha256"}]
    rows_in: Mapped[int] = mapped_column(Integer)
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_rejected: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    rejected_by_reason: Mapped[dict] = mapped_column(JSON)
    seconds: Mapped[float]
    rows_per_second: Mapped[float]
    wells: Mapped[list] = mapped_column(JSON)
    scopes: Mapped[list] = mapped_column(JSON)  # field:F and well:W grants that may see it
    package_version: Mapped[str] = mapped_column(String(60))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EspQualityDay(Base):
    __tablename__ = "esp_quality_days"
    __table_args__ = (Index("ix_esp_quality_field_day", "store_id", "field_id", "day"),)
    store_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    well_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    field_id: Mapped[str | None] = mapped_column(String(100))
    score: Mapped[float]
    rows_accepted: Mapped[int] = mapped_column(Integer)
    rows_expected: Mapped[float]
    rejected_unparseable: Mapped[int] = mapped_column(Integer)
    rejected_unknown_well: Mapped[int] = mapped_column(Integer)
    rejected_duplicate: Mapped[int] = mapped_column(Integer)
    rejected_out_of_range: Mapped[int] = mapped_column(Integer)
    rejected_frozen: Mapped[int] = mapped_column(Integer)
    late: Mapped[int] = mapped_column(Integer)
    longest_gap_min: Mapped[float]
    ingest_run_id: Mapped[int] = mapped_column(
        ForeignKey("esp_ingest_runs.id", ondelete="CASCADE"))


class EspEvaluation(Base):
    __tablename__ = "esp_evaluations"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[str] = mapped_column(String(36), index=True)
    method: Mapped[str] = mapped_column(String(20))
    window: Mapped[str] = mapped_column(String(10))
    labels_source: Mapped[str] = mapped_column(Text)
    labels_sha256: Mapped[str] = mapped_column(String(64))
    last_batch: Mapped[int] = mapped_column(Integer)  # the store's newest batch evaluated
    n_windows: Mapped[int] = mapped_column(Integer)
    false_positive_rate: Mapped[float | None]
    result: Mapped[dict] = mapped_column(JSON)
    parameters: Mapped[dict] = mapped_column(JSON)
    scopes: Mapped[list] = mapped_column(JSON)
    package_version: Mapped[str] = mapped_column(String(60))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
