"""Dashboard users and API tokens: values and the ports that store and hash them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mailfleet.core.dashboard.access import Role


@dataclass(frozen=True, slots=True)
class User:
    """A person who may sign in. The password hash never leaves the store."""

    email: str
    role: Role
    created_at: datetime
    disabled: bool = False


@dataclass(frozen=True, slots=True)
class StoredCredentials:
    """A user with the hash to check a password against."""

    user: User
    password_hash: str


class PasswordHasher(Protocol):
    """A slow, salted password hash (argon2id in production)."""

    def hash(self, password: str) -> str:
        """A self-describing hash of ``password``."""
        ...

    def verify(self, password_hash: str, password: str) -> bool:
        """True when ``password`` matches ``password_hash``."""
        ...


class UserStore(Protocol):
    """Users and their API tokens. Tokens are stored as digests only."""

    def add_user(self, email: str, role: Role, password_hash: str, now: datetime) -> User:
        """Create a user; raise ``ValueError`` when the email is taken."""
        ...

    def set_password(self, email: str, password_hash: str, now: datetime) -> bool:
        """Replace a user's hash; ``False`` when there is no such user."""
        ...

    def credentials(self, email: str) -> StoredCredentials | None:
        """The user and hash, or ``None``."""
        ...

    def add_token(self, email: str, digest: str, label: str, now: datetime) -> bool:
        """Store a token digest for the user; ``False`` when there is no such user."""
        ...

    def user_for_token(self, digest: str, now: datetime) -> User | None:
        """The user who owns the token, recording its use; ``None`` when unknown."""
        ...

    def count_users(self) -> int:
        """How many users exist."""
        ...
