"""User management on the web tables: list, change role, disable, remove, revoke tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.web_tables import WebTokenRow, WebUserRow
from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.user_admin import UserListing


class SqlUserAdmin:
    """Implements ``UserAdminStore`` on ``web_users`` and ``web_tokens``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def list_users(self) -> Sequence[UserListing]:
        """Every user with their token count and the last use of any token."""
        tokens = (
            select(
                WebTokenRow.user_id,
                func.count(WebTokenRow.id).label("n"),
                func.max(WebTokenRow.last_used_at).label("used"),
            )
            .group_by(WebTokenRow.user_id)
            .subquery()
        )
        query = (
            select(WebUserRow, tokens.c.n, tokens.c.used)
            .outerjoin(tokens, tokens.c.user_id == WebUserRow.id)
            .order_by(WebUserRow.email)
        )
        with self._db.session() as s:
            return [
                UserListing(
                    row.email,
                    Role(row.role),
                    row.disabled,
                    row.created_at,
                    int(n or 0),
                    used,
                )
                for row, n, used in s.execute(query)
            ]

    def _update(self, email: str, **values: object) -> bool:
        with self._db.session() as s:
            result = s.execute(update(WebUserRow).where(WebUserRow.email == email).values(**values))
            return bool(getattr(result, "rowcount", 0))

    def set_role(self, email: str, role: Role, now: datetime) -> bool:
        """Change a role."""
        return self._update(email, role=role.value, updated_at=now)

    def set_disabled(self, email: str, disabled: bool, now: datetime) -> bool:
        """Disable or enable."""
        return self._update(email, disabled=disabled, updated_at=now)

    def remove_user(self, email: str) -> bool:
        """Delete a user and their tokens in one transaction."""
        with self._db.session() as s:
            user_id = s.scalar(select(WebUserRow.id).where(WebUserRow.email == email))
            if user_id is None:
                return False
            s.execute(delete(WebTokenRow).where(WebTokenRow.user_id == user_id))
            s.execute(delete(WebUserRow).where(WebUserRow.id == user_id))
            return True

    def revoke_tokens(self, email: str) -> int:
        """Delete the user's tokens."""
        with self._db.session() as s:
            user_id = s.scalar(select(WebUserRow.id).where(WebUserRow.email == email))
            if user_id is None:
                return 0
            result = s.execute(delete(WebTokenRow).where(WebTokenRow.user_id == user_id))
            return int(getattr(result, "rowcount", 0) or 0)
