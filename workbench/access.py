"""Who may do what, and to which plants: roles, permissions, password hashing, node filters.

Default deny: a permission is granted only when the role lists it, and a restricted user sees
only rows whose node is in their own IU or GU list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

LOCAL_ADMIN = "local"  # the bootstrap identity while a store has no users


class Role(StrEnum):
    ADMIN = "admin"
    CENTRAL_PLANNER = "central_planner"
    IU_MANAGER = "iu_manager"
    GU_MANAGER = "gu_manager"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW_ALL = "view all nodes"
    VIEW_OWN = "view own nodes"
    IMPORT = "import datasets"
    RUN = "run plans"
    CREATE_SCENARIO = "create scenarios"
    EDIT_OWN = "edit scenarios on own nodes"
    APPROVE = "approve plans"
    MANAGE_USERS = "manage users"
    ADMINISTER = "administer the store"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.CENTRAL_PLANNER: frozenset({Permission.VIEW_ALL, Permission.VIEW_OWN, Permission.IMPORT,
                                     Permission.RUN, Permission.CREATE_SCENARIO,
                                     Permission.EDIT_OWN, Permission.APPROVE}),
    Role.IU_MANAGER: frozenset({Permission.VIEW_OWN, Permission.EDIT_OWN}),
    Role.GU_MANAGER: frozenset({Permission.VIEW_OWN, Permission.EDIT_OWN}),
    Role.VIEWER: frozenset({Permission.VIEW_OWN}),
}


class AccessDenied(Exception):
    """The acting user may not do this; the message says who, what and why."""


@dataclass(frozen=True)
class Principal:
    """The acting user as the store's functions see it."""

    username: str
    role: Role
    ius: frozenset[str] = field(default_factory=frozenset)
    gus: frozenset[str] = field(default_factory=frozenset)

    @property
    def nodes(self) -> frozenset[str]:
        return self.ius | self.gus

    @property
    def sees_all(self) -> bool:
        return self.can(Permission.VIEW_ALL)

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission, what: str = "") -> None:
        if not self.can(permission):
            raise AccessDenied(f"user '{self.username}' (role {self.role}) may not "
                               f"{what or permission}: the role lacks '{permission}'")

    def may_see(self, node_id: str) -> bool:
        return self.sees_all or (self.can(Permission.VIEW_OWN) and node_id in self.nodes)

    def visible(self, node_ids: Iterable[str]) -> list[str]:
        return [n for n in node_ids if self.may_see(n)]

    def require_nodes(self, node_ids: Iterable[str], what: str) -> None:
        """Restricted users may only change their own nodes."""
        if self.sees_all:
            return
        foreign = sorted(set(node_ids) - self.nodes)
        if foreign:
            raise AccessDenied(f"user '{self.username}' may not {what} for "
                               f"{', '.join(foreign)}: not among their own nodes")


BOOTSTRAP = Principal(LOCAL_ADMIN, Role.ADMIN)

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
