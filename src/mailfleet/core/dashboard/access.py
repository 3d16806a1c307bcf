"""Who may do what: roles and the permissions they carry."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role. Each role includes the permissions of the ones below it."""

    VIEWER = "viewer"  # reads every page and API endpoint
    OPERATOR = "operator"  # also runs actions: pause, resume, rotate, re-verify
    ADMIN = "admin"  # also manages users and tokens


class Permission(StrEnum):
    """What a request needs."""

    READ = "read"
    OPERATE = "operate"
    ADMINISTER = "administer"


_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.READ}),
    Role.OPERATOR: frozenset({Permission.READ, Permission.OPERATE}),
    Role.ADMIN: frozenset(Permission),
}


def allows(role: Role, permission: Permission) -> bool:
    """True when ``role`` carries ``permission``."""
    return permission in _GRANTS[role]
