"""The payees domain's tables, on the spine's metadata (created by the ``payees`` branch).

A run (classification or matching) keeps its lineage: the input file's name and SHA-256, the
master's, the model's version and fingerprint, the parameters and who ran it. Corrections are
an analyst's confirmed or corrected label for a name; they are kept (never updated), audited,
and feed the next training.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from workbench.store.models import Base, utcnow


class PayeeRun(Base):
    __tablename__ = "payee_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)  # classify | match
    source: Mapped[str] = mapped_column(Text)
    source_hash: Mapped[str] = mapped_column(String(64))
    master: Mapped[str | None] = mapped_column(Text)
    master_hash: Mapped[str | None] = mapped_column(String(64))
    model_version: Mapped[str] = mapped_column(String(60))
    model_fingerprint: Mapped[str | None] = mapped_column(String(64))
    package_version: Mapped[str] = mapped_column(String(60))
    parameters: Mapped[dict] = mapped_column(JSON)
    n_rows: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict] = mapped_column(JSON)
    names_per_second: Mapped[float]
    scopes: Mapped[list] = mapped_column(JSON)  # entity:IN01 grants that may see it
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PayeeClassification(Base):
    __tablename__ = "payee_classifications"
    __table_args__ = (Index("ix_payee_class_run_row", "run_id", "row_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payee_runs.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)  # spreadsheet row: header is row 1
    name: Mapped[str] = mapped_column(Text)
    label: Mapped[str] = mapped_column(String(20), index=True)
    confidence: Mapped[float]
    reason: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text)


class PayeeMatch(Base):
    __tablename__ = "payee_matches"
    __table_args__ = (Index("ix_payee_match_run_row", "run_id", "row_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payee_runs.id", ondelete="CASCADE"))
    row_number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    rank: Mapped[int | None] = mapped_column(Integer)  # None: no candidate at all
    supplier_id: Mapped[str | None] = mapped_column(String(200))
    supplier_name: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None]
    match: Mapped[bool] = mapped_column(Boolean, default=False)


class PayeeCorrection(Base):
    __tablename__ = "payee_corrections"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    normalized: Mapped[str] = mapped_column(Text, index=True)
    label: Mapped[str] = mapped_column(String(20))
    previous_label: Mapped[str | None] = mapped_column(String(20))
    confirmed: Mapped[bool] = mapped_column(Boolean)  # the analyst agreed with the label given
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payee_runs.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(Text, default="")
    scopes: Mapped[list] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
