"""The OEE domain's store tables, created by the ``oee`` Alembic branch.

Timestamps are UTC instants in ``start_at``/``end_at`` (``end`` is an SQL keyword). On
PostgreSQL ``oee_state_events`` is partitioned by month of ``start_at`` (declarative
partitioning, see the migration); on SQLite it is one table with its primary-key index.
KPI rows carry ``line_id`` and ``site_id`` so that scope filters run in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store.models import Base, utcnow


def _dataset_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"), primary_key=True)


class OeeMachine(Base):
    __tablename__ = "oee_machines"
    dataset_id: Mapped[int] = _dataset_fk()
    machine_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    line_id: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(200))


class OeeIdealRate(Base):
    __tablename__ = "oee_ideal_rates"
    dataset_id: Mapped[int] = _dataset_fk()
    machine_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    product_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    ideal_cycle_time_s: Mapped[float]


class OeeCalendar(Base):
    __tablename__ = "oee_calendar"
    dataset_id: Mapped[int] = _dataset_fk()
    machine_id: Mapped[str] = mapped_column(String(100), primary_key=True)  # or "*"
    start_at: Mapped[datetime] = mapped_column(primary_key=True)
    end_at: Mapped[datetime] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    shift_id: Mapped[str | None] = mapped_column(String(100))


class OeeStateEvent(Base):
    """The event log; append-only. Partitioned by month on PostgreSQL."""

    __tablename__ = "oee_state_events"
    dataset_id: Mapped[int] = _dataset_fk()
    machine_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    start_at: Mapped[datetime] = mapped_column(primary_key=True)
    end_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(200))
    order_id: Mapped[str | None] = mapped_column(String(100))


class OeeCount(Base):
    """Piece counts; one row per machine, interval and product (duplicates in a file summed)."""

    __tablename__ = "oee_counts"
    dataset_id: Mapped[int] = _dataset_fk()
    machine_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    start_at: Mapped[datetime] = mapped_column(primary_key=True)
    end_at: Mapped[datetime] = mapped_column(primary_key=True)
    product_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    produced_qty: Mapped[float]
    good_qty: Mapped[float]
    rework_qty: Mapped[float]
    startup_reject_qty: Mapped[float]
    scrap_reason: Mapped[str | None] = mapped_column(String(200))


class OeeImport(Base):
    """One import into a dataset: what it added and which KPI windows it recomputed."""

    __tablename__ = "oee_imports"
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"),
                                            index=True)
    source: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    events_added: Mapped[int]
    counts_added: Mapped[int]
    calendar_added: Mapped[int]
    kpi_rows_written: Mapped[int]
    package_version: Mapped[str] = mapped_column(String(60))
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class KpiElements:
    """The summed ISO 22400 elements of a window (minutes and quantities), as the model's
    ``ELEMENT_COLUMNS`` name them; machine rows and line rows carry the same ones.

    Declared once here so that the two tables cannot drift apart. The migrations keep their
    own frozen column lists, as migrations must.
    """

    pbt_min: Mapped[float]
    running_min: Mapped[float]
    setup_min: Mapped[float]
    breakdown_min: Mapped[float]
    minor_stop_min: Mapped[float]
    waiting_min: Mapped[float]
    uncovered_min: Mapped[float]
    outside_planned_min: Mapped[float]
    pq: Mapped[float]
    gq: Mapped[float]
    rq: Mapped[float]
    sq: Mapped[float]
    startup_reject_qty: Mapped[float]
    ideal_min: Mapped[float]
    fully_productive_min: Mapped[float]
    process_defects_min: Mapped[float]
    reduced_yield_min: Mapped[float]


class OeeKpi(KpiElements, Base):
    """Summed elements and headline ratios of one machine in one shift or day.

    Lineage: the dataset, the import that last wrote the row, the convention and the package
    version. Roll-ups read these rows and sum the elements; they never average the ratios.
    """

    __tablename__ = "oee_kpis"
    __table_args__ = (
        UniqueConstraint("dataset_id", "window_kind", "machine_id", "window_start"),
        Index("ix_oee_kpis_line", "dataset_id", "window_kind", "line_id", "window_start"),
        Index("ix_oee_kpis_site", "dataset_id", "window_kind", "site_id", "window_start"),
        Index("ix_oee_kpis_window", "dataset_id", "window_kind", "window_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    import_id: Mapped[int] = mapped_column(ForeignKey("oee_imports.id", ondelete="CASCADE"))
    window_kind: Mapped[str] = mapped_column(String(10))  # shift or day
    machine_id: Mapped[str] = mapped_column(String(100))
    line_id: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[str | None] = mapped_column(String(100))
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    window_label: Mapped[str] = mapped_column(String(100))
    convention: Mapped[str] = mapped_column(String(10))
    package_version: Mapped[str] = mapped_column(String(60))
    availability: Mapped[float | None]
    effectiveness: Mapped[float | None]
    quality: Mapped[float | None]
    oee: Mapped[float | None]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class OeeLineKpi(KpiElements, Base):
    """The machine rows of one line and window, summed: what a plant-wide dashboard reads.

    Kept in step with ``oee_kpis`` by every import (the touched line-windows are summed again
    in SQL), so a 28-day plant heat map reads a row per line and day instead of summing every
    machine-day. Elements only: ratios are formed from them on reading, as for any roll-up.
    """

    __tablename__ = "oee_line_kpis"
    __table_args__ = (
        Index("ix_oee_line_kpis_line", "dataset_id", "window_kind", "line_id", "window_start"),
        Index("ix_oee_line_kpis_window", "dataset_id", "window_kind", "window_start"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id", ondelete="CASCADE"))
    window_kind: Mapped[str] = mapped_column(String(10))
    line_id: Mapped[str] = mapped_column(String(100))
    site_id: Mapped[str | None] = mapped_column(String(100))
    window_start: Mapped[datetime]
    window_label: Mapped[str] = mapped_column(String(100))
