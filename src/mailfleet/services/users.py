"""Dashboard users: create, authenticate, and issue API tokens (shown once, stored hashed)."""

from __future__ import annotations

import hashlib
import secrets

from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.accounts import PasswordHasher, User, UserStore
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret

TOKEN_PREFIX = "mft_"  # noqa: S105 - makes a leaked token recognisable to secret scanners
MIN_PASSWORD_LENGTH = 12
_DUMMY_PASSWORD = "mailfleet-timing-equaliser"  # noqa: S105 - not a credential


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding blanks."""
    return email.strip().lower()


def token_digest(token: str) -> str:
    """The SHA-256 hex digest stored for a token: tokens are random, so no salt is needed."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_problem(password: Secret) -> str | None:
    """Why a password is refused, or ``None`` when it is acceptable."""
    if len(password.reveal()) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    return None


def add_user(
    store: UserStore, hasher: PasswordHasher, clock: Clock, email: str, role: Role, password: Secret
) -> User:
    """Create a user; raise ``ValueError`` for a weak password or a taken email."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    address = normalise_email(email)
    if "@" not in address:
        raise ValueError(f"{email!r} is not an email address")
    return store.add_user(address, role, hasher.hash(password.reveal()), clock.now())


def authenticate(
    store: UserStore, hasher: PasswordHasher, email: str, password: Secret
) -> User | None:
    """The user when the password matches and the account is enabled, else ``None``.

    An unknown email still costs one hash verification, so response time does not reveal
    which accounts exist.
    """
    found = store.credentials(normalise_email(email))
    if found is None:
        hasher.verify(hasher.hash(_DUMMY_PASSWORD), password.reveal())
        return None
    if not hasher.verify(found.password_hash, password.reveal()) or found.user.disabled:
        return None
    return found.user


def issue_token(store: UserStore, clock: Clock, email: str, label: str = "") -> Secret | None:
    """A new API token for the user (to be shown once), or ``None`` for an unknown user."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    if not store.add_token(normalise_email(email), token_digest(token), label, clock.now()):
        return None
    return Secret(token)


def user_for_token(store: UserStore, clock: Clock, token: str) -> User | None:
    """The enabled user who owns ``token``, or ``None``."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    user = store.user_for_token(token_digest(token), clock.now())
    return user if user is not None and not user.disabled else None
