"""User management for admins: list, add, change role, disable, remove, reset a password,
revoke API tokens.

A generated password is returned once, to be shown once; nothing here stores or logs it.
Two guards keep the dashboard administrable: an admin cannot demote, disable or remove
themselves, and the last enabled admin cannot be demoted, disabled or removed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence

from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.accounts import PasswordHasher, User, UserStore
from mailfleet.core.dashboard.user_admin import UserAdminStore, UserListing
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.services import users as user_service

log = logging.getLogger(__name__)


class UserAdminError(ValueError):
    """A refused change, with the reason to show."""


class UnknownUser(UserAdminError):
    """No user has that email."""


class PasswordRefused(UserAdminError):
    """The chosen password is too weak."""


def generate_password() -> Secret:
    """A random password of 24 URL-safe characters (144 bits)."""
    return Secret(secrets.token_urlsafe(18))


def _find(store: UserAdminStore, email: str) -> UserListing:
    address = user_service.normalise_email(email)
    for listing in store.list_users():
        if listing.email == address:
            return listing
    raise UnknownUser(f"no user {address}")


def _guard(store: UserAdminStore, actor: str, target: UserListing, what: str) -> None:
    """Refuse a change that would lock admins out."""
    if target.email == user_service.normalise_email(actor):
        raise UserAdminError(f"you cannot {what} your own account; ask another admin")
    admins = [u for u in store.list_users() if u.role is Role.ADMIN and not u.disabled]
    if target.role is Role.ADMIN and not target.disabled and len(admins) <= 1:
        raise UserAdminError(f"cannot {what} the last enabled admin")


def list_users(store: UserAdminStore) -> Sequence[UserListing]:
    """Every user."""
    return store.list_users()


def add_user(
    users: UserStore,
    hasher: PasswordHasher,
    clock: Clock,
    actor: str,
    email: str,
    role: Role,
    password: Secret | None,
) -> tuple[User, Secret | None]:
    """Create a user with ``password``, or a generated one (returned to be shown once)."""
    generated = generate_password() if password is None else None
    try:
        user = user_service.add_user(
            users, hasher, clock, email, role, password or generated or Secret("")
        )
    except ValueError as exc:
        raise UserAdminError(str(exc)) from None
    log.info("user %s (%s) added by %s", user.email, role.value, actor)
    return user, generated


def change_role(store: UserAdminStore, clock: Clock, actor: str, email: str, role: Role) -> None:
    """Give a user another role."""
    target = _find(store, email)
    if target.role is role:
        return
    if target.role is Role.ADMIN:
        _guard(store, actor, target, "demote")
    store.set_role(target.email, role, clock.now())
    log.info("user %s: role %s -> %s by %s", target.email, target.role.value, role.value, actor)


def set_disabled(
    store: UserAdminStore, clock: Clock, actor: str, email: str, *, disabled: bool
) -> None:
    """Disable a user (their sessions and tokens stop working at once) or enable them."""
    target = _find(store, email)
    if disabled:
        _guard(store, actor, target, "disable")
    store.set_disabled(target.email, disabled, clock.now())
    log.info("user %s %s by %s", target.email, "disabled" if disabled else "enabled", actor)


def remove_user(store: UserAdminStore, actor: str, email: str) -> None:
    """Delete a user and their API tokens."""
    target = _find(store, email)
    _guard(store, actor, target, "remove")
    store.remove_user(target.email)
    log.info("user %s removed by %s", target.email, actor)


def reset_password(
    users: UserStore,
    store: UserAdminStore,
    hasher: PasswordHasher,
    clock: Clock,
    actor: str,
    email: str,
    password: Secret | None,
) -> Secret | None:
    """Set a user's password to ``password``, or to a generated one that is returned (to be
    shown once)."""
    target = _find(store, email)
    generated = generate_password() if password is None else None
    chosen = password or generated
    assert chosen is not None
    problem = user_service.password_problem(chosen)
    if problem:
        raise PasswordRefused(problem)
    users.set_password(target.email, hasher.hash(chosen.reveal()), clock.now())
    log.info("user %s: password reset by %s", target.email, actor)
    return generated


def revoke_tokens(store: UserAdminStore, actor: str, email: str) -> int:
    """Delete every API token of a user; how many there were."""
    target = _find(store, email)
    count = store.revoke_tokens(target.email)
    log.info("user %s: %d API tokens revoked by %s", target.email, count, actor)
    return count
