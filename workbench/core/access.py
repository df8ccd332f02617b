"""Who may do what, and to what: roles, permissions, scope grants and password hashing.

Default deny: a permission is granted only when the role lists it, and a restricted user sees
only what their grants name. A grant is a scope string ``kind:id`` such as ``node:IU_001``
(clinker), ``line:L2`` (OEE) or ``well:W-17`` (ESP); each domain declares its scope kinds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from workbench.core.errors import InvalidRequest, UserError

LOCAL_ADMIN = "local"  # the bootstrap identity while a store has no users


class Role(StrEnum):
    ADMIN = "admin"
    CENTRAL_PLANNER = "central_planner"
    MANAGER = "manager"  # a plant, line or field manager: sees and edits within their scopes
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW_ALL = "view everything"
    VIEW_OWN = "view own scopes"
    IMPORT = "import datasets"
    RUN = "run plans"
    CREATE_SCENARIO = "create scenarios"
    EDIT_OWN = "edit scenarios within own scopes"
    APPROVE = "approve plans"
    MANAGE_USERS = "manage users"
    ADMINISTER = "administer the store"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CENTRAL_PLANNER: frozenset({Permission.VIEW_ALL, Permission.VIEW_OWN, Permission.IMPORT,
                                     Permission.RUN, Permission.CREATE_SCENARIO,
                                     Permission.EDIT_OWN, Permission.APPROVE}),
    Role.MANAGER: frozenset({Permission.VIEW_OWN, Permission.EDIT_OWN}),
    Role.VIEWER: frozenset({Permission.VIEW_OWN}),
}


class AccessDenied(UserError):
    """The acting user may not do this; the message says who, what and why."""


def scope(kind: str, ident: object) -> str:
    """The grant string for one thing: ``scope("node", "IU_001") == "node:IU_001"``."""
    return f"{kind}:{ident}"


def split_scope(grant: str) -> tuple[str, str]:
    kind, sep, ident = grant.partition(":")
    if not sep or not kind or not ident:
        raise InvalidRequest(f"scope '{grant}' must be written KIND:ID, e.g. node:IU_001")
    return kind, ident


@dataclass(frozen=True)
class Principal:
    """The acting user as the store's functions see it."""

    username: str
    role: Role
    scopes: frozenset[str] = field(default_factory=frozenset)

    def ids(self, kind: str) -> frozenset[str]:
        """The ids this user holds grants for, of one scope kind (for SQL filters)."""
        prefix = f"{kind}:"
        return frozenset(g[len(prefix):] for g in self.scopes if g.startswith(prefix))

    @property
    def sees_all(self) -> bool:
        return self.can(Permission.VIEW_ALL)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission, what: str = "") -> None:
        if not self.can(permission):
            raise AccessDenied(f"user '{self.username}' (role {self.role}) may not "
                               f"{what or permission}: the role lacks '{permission}'")

    def may_see(self, grant: str) -> bool:
        return self.sees_all or (self.can(Permission.VIEW_OWN) and grant in self.scopes)

    def visible(self, grants: Iterable[str]) -> list[str]:
        return [g for g in grants if self.may_see(g)]

    def require_scopes(self, grants: Iterable[str], what: str) -> None:
        """Restricted users may only change what their grants cover."""
        if self.sees_all:
            return
        foreign = sorted(set(grants) - self.scopes)
        if foreign:
            raise AccessDenied(f"user '{self.username}' may not {what} for "
                               f"{', '.join(split_scope(g)[1] for g in foreign)}: not among "
                               "their own")


BOOTSTRAP = Principal(LOCAL_ADMIN, Role.ADMIN)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
