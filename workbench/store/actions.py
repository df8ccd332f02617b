"""One user action = one transaction; a refused or failed action still leaves an audit row."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from workbench.core.access import AccessDenied, Principal
from workbench.core.errors import UserError
from workbench.store import audit
from workbench.store.db import Store

# Errors a user can act on: they are audited and shown as a message, never a traceback.
USER_ERRORS = (UserError,)  # AccessDenied, NotFound, Conflict, StoreError, LoginFailed...


@contextmanager
def audited(store: Store, user: Principal, name: str, object_id: object = "",
            audit_ok: bool = False) -> Iterator[Session]:
    """Run an action in one transaction; on a user error roll it back, audit it, re-raise.

    Actions that change something write their own audit row with the details; reads pass
    ``audit_ok`` so that their success is logged too.
    """
    try:
        with store.session() as session:
            yield session
            if audit_ok:
                audit.record(session, user.username, name, object_id=object_id)
    except USER_ERRORS as exc:
        status = "refused" if isinstance(exc, AccessDenied) else "failed"
        with store.session() as session:
            audit.record(session, user.username, name, status, object_id=object_id,
                         detail=str(exc))
        raise
