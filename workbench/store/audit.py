"""The audit log: who did what, when, to which object and scopes. Insert only."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.core.access import Permission, Principal
from workbench.store.models import AuditEntry


def record(session: Session, username: str, action: str, status: str = "ok", *,
           object_type: str = "", object_id: object = "", scopes: Iterable[str] = (),
           detail: str = "") -> None:
    """Append one entry (the only write this module offers)."""
    session.add(AuditEntry(username=username, action=action, status=status,
                           object_type=object_type, object_id=str(object_id),
                           scopes=sorted(set(scopes)), detail=detail[:2000]))


def entries(session: Session, user: Principal, limit: int = 100,
            action: str | None = None) -> list[AuditEntry]:
    """Newest first. Restricted users see their own entries only."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if action:
        query = query.where(AuditEntry.action == action)
    if not user.can(Permission.ADMINISTER) and not user.sees_all:
        query = query.where(AuditEntry.username == user.username)
    return list(session.scalars(query))
