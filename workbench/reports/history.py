"""Report runs in the store: recorded once each, listed newest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.core.access import Principal
from workbench.reports.run import ReportRun
from workbench.store import audit
from workbench.store.models import ReportRunRow


def record(session: Session, actor: Principal, run: ReportRun) -> ReportRunRow:
    row = ReportRunRow(
        notebook=run.notebook, parameters=_safe(run.parameters), status=run.status,
        started_at=datetime.fromisoformat(run.started_at), seconds=run.seconds,
        folder=run.folder, html=run.html, error=run.error,
        data_hash=run.meta.get("data_hash"), package_version=run.package_version,
        solver_version=run.meta.get("solver_version"), meta=run.meta,
        created_by=actor.username)
    session.add(row)
    session.flush()
    audit.record(session, actor.username, "report", run.status, object_type="report",
                 object_id=f"{run.notebook} {row.id}", detail=run.error or run.folder)
    return row


def _safe(parameters: dict) -> dict:
    """Never keep a password that was passed as a parameter."""
    return {k: ("***" if "password" in k.lower() else v) for k, v in parameters.items()}


def history(session: Session, notebook: str | None = None, limit: int = 50) -> list[ReportRunRow]:
    query = select(ReportRunRow).order_by(ReportRunRow.id.desc()).limit(limit)
    if notebook:
        query = query.where(ReportRunRow.notebook == notebook)
    return list(session.scalars(query))
