"""User management: the listing an admin sees and the port that changes users."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from mailfleet.core.dashboard.access import Role


@dataclass(frozen=True, slots=True)
class UserListing:
    """A user as the admin page lists them (never the password hash)."""

    email: str
    role: Role
    disabled: bool
    created_at: datetime
    tokens: int
    token_last_used: datetime | None


class UserAdminStore(Protocol):
    """What user management changes beyond ``UserStore``."""

    def list_users(self) -> Sequence[UserListing]:
        """Every user, by email."""
        ...

    def set_role(self, email: str, role: Role, now: datetime) -> bool:
        """Change a role; ``False`` when there is no such user."""
        ...

    def set_disabled(self, email: str, disabled: bool, now: datetime) -> bool:
        """Disable or enable; ``False`` when there is no such user."""
        ...

    def remove_user(self, email: str) -> bool:
        """Delete a user and their tokens; ``False`` when there is no such user."""
        ...

    def revoke_tokens(self, email: str) -> int:
        """Delete the user's API tokens; how many there were."""
        ...
