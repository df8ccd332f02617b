"""User accounts: add, list, disable, and log in (argon2 hashes, never plain passwords)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.core.access import (
    BOOTSTRAP,
    AccessDenied,
    Permission,
    Principal,
    Role,
    hash_password,
    password_matches,
    split_scope,
)
from workbench.core.errors import Conflict, InvalidRequest, NotFound, UserError
from workbench.store import audit
from workbench.store.db import Store
from workbench.store.models import User

MIN_PASSWORD_CHARS = 8


class LoginFailed(UserError):
    """The login was refused; the message says why, without saying which part was wrong."""


def has_users(session: Session) -> bool:
    return (session.scalar(select(func.count()).select_from(User)) or 0) > 0


def principal_of(user: User) -> Principal:
    return Principal(user.username, Role(user.role), frozenset(user.scopes))


def login(session: Session, username: str | None, password: str | None) -> Principal:
    """The acting user: bootstrap admin while there are no users, else a checked login.

    Every attempt is audited; a failed one says why without revealing which part was wrong.
    """
    if not has_users(session):
        return BOOTSTRAP
    if not username:
        raise LoginFailed("this store has users: name the acting user with --user NAME or "
                          "WORKBENCH_USER (password from WORKBENCH_PASSWORD or a prompt)")
    user = session.scalar(select(User).where(User.username == username))
    ok = user is not None and not user.disabled and password is not None and \
        password_matches(user.password_hash, password)
    audit.record(session, username, "login", "ok" if ok else "refused", object_type="user",
                 object_id=username)
    if not ok:
        raise LoginFailed(f"login refused for user '{username}': unknown user, disabled "
                          "account or wrong password")
    assert user is not None
    return principal_of(user)


def log_in(store: Store, username: str | None,
           password: str | Callable[[], str | None] | None) -> Principal:
    """``login`` in a transaction of its own, so a refusal's audit row is kept.

    ``password`` may be a callable, asked only when the store has users (for prompts).
    """
    refused: LoginFailed | None = None
    with store.session() as session:
        try:
            if callable(password):
                password = password() if username and has_users(session) else None
            principal = login(session, username, password)
        except LoginFailed as exc:
            refused = exc  # raised after the with-block, which commits the audit row
    if refused is not None:
        raise refused
    return principal


def add_user(session: Session, actor: Principal, username: str, role: Role, password: str,
             scopes: list[str] | None = None) -> User:
    """Add a user; ``scopes`` are grants such as ``node:IU_001`` (see ``core.access``)."""
    actor.require(Permission.MANAGE_USERS, "add users")
    if len(password) < MIN_PASSWORD_CHARS:
        raise InvalidRequest(f"the password must have at least {MIN_PASSWORD_CHARS} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"user '{username}' already exists")
    for grant in scopes or []:
        split_scope(grant)  # refuses a malformed grant with a message saying how to write it
    user = User(username=username, role=str(role), password_hash=hash_password(password),
                scopes=sorted(set(scopes or [])), disabled=False)
    session.add(user)
    audit.record(session, actor.username, "user.add", object_type="user", object_id=username,
                 scopes=scopes or [], detail=f"role {role}")
    return user


def list_users(session: Session, actor: Principal) -> list[User]:
    if not actor.can(Permission.MANAGE_USERS):
        raise AccessDenied(f"user '{actor.username}' may not list users")
    return list(session.scalars(select(User).order_by(User.username)))


def disable_user(session: Session, actor: Principal, username: str) -> User:
    actor.require(Permission.MANAGE_USERS, "disable users")
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"no user named '{username}'")
    user.disabled = True
    audit.record(session, actor.username, "user.disable", object_type="user",
                 object_id=username)
    return user
