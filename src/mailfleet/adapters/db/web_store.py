"""Web storage: dashboard users and token digests, and pausing/resuming domains."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.tables import DomainRow
from mailfleet.adapters.db.web_tables import DomainHoldRow, WebTokenRow, WebUserRow
from mailfleet.core.dashboard.access import Role
from mailfleet.core.dashboard.accounts import StoredCredentials, User
from mailfleet.core.dashboard.ports import ControlOutcome
from mailfleet.core.state import DomainState


def _user(row: WebUserRow) -> User:
    return User(row.email, Role(row.role), row.created_at, row.disabled)


class SqlUserStore:
    """Implements the ``UserStore`` port on a ``Database``."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def add_user(self, email: str, role: Role, password_hash: str, now: datetime) -> User:
        """Create a user; raise ``ValueError`` when the email is taken."""
        with self._db.session() as s:
            if s.scalar(select(WebUserRow.id).where(WebUserRow.email == email)) is not None:
                raise ValueError(f"a user {email} already exists")
            row = WebUserRow(
                email=email,
                role=role.value,
                password_hash=password_hash,
                disabled=False,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            return _user(row)

    def set_password(self, email: str, password_hash: str, now: datetime) -> bool:
        """Replace a user's hash."""
        with self._db.session() as s:
            result = s.execute(
                update(WebUserRow)
                .where(WebUserRow.email == email)
                .values(password_hash=password_hash, updated_at=now)
            )
            return bool(getattr(result, "rowcount", 0))

    def credentials(self, email: str) -> StoredCredentials | None:
        """The user and their hash."""
        with self._db.session() as s:
            row = s.scalar(select(WebUserRow).where(WebUserRow.email == email))
            return StoredCredentials(_user(row), row.password_hash) if row else None

    def add_token(self, email: str, digest: str, label: str, now: datetime) -> bool:
        """Store a token digest for the user."""
        with self._db.session() as s:
            user_id = s.scalar(select(WebUserRow.id).where(WebUserRow.email == email))
            if user_id is None:
                return False
            s.add(WebTokenRow(user_id=user_id, digest=digest, label=label, created_at=now))
            return True

    def user_for_token(self, digest: str, now: datetime) -> User | None:
        """The token's owner, with the token's last use recorded."""
        with self._db.session() as s:
            found = s.execute(
                select(WebTokenRow, WebUserRow)
                .join(WebUserRow, WebUserRow.id == WebTokenRow.user_id)
                .where(WebTokenRow.digest == digest)
            ).first()
            if found is None:
                return None
            token, user = found
            token.last_used_at = now
            return _user(user)

    def count_users(self) -> int:
        """How many users exist."""
        with self._db.session() as s:
            return int(s.scalar(select(func.count(WebUserRow.id))) or 0)


class SqlDomainControl:
    """Implements ``DomainControl``: ``paused`` is written to ``domains.state``, and the state
    it replaced is kept in ``web_domain_holds`` so that resume restores it exactly."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def pause(self, domain: str, by: str, now: datetime) -> ControlOutcome:
        """Hold the domain."""
        with self._db.session() as s:
            row = s.scalar(select(DomainRow).where(DomainRow.name == domain).with_for_update())
            if row is None:
                return ControlOutcome.UNKNOWN_DOMAIN
            if row.state == DomainState.PAUSED:
                return ControlOutcome.ALREADY_PAUSED
            s.add(
                DomainHoldRow(
                    domain_id=row.id, previous_state=row.state, paused_by=by, paused_at=now
                )
            )
            row.state = DomainState.PAUSED.value
            row.updated_at = now
            return ControlOutcome.PAUSED

    def resume(self, domain: str, by: str, now: datetime) -> ControlOutcome:
        """Give the domain back the state it had; a domain paused by something else (a gate)
        without a hold goes back to ``pending`` so that the warmup engine re-evaluates it."""
        with self._db.session() as s:
            row = s.scalar(select(DomainRow).where(DomainRow.name == domain).with_for_update())
            if row is None:
                return ControlOutcome.UNKNOWN_DOMAIN
            if row.state != DomainState.PAUSED:
                return ControlOutcome.NOT_PAUSED
            hold = s.get(DomainHoldRow, row.id)
            row.state = hold.previous_state if hold else DomainState.PENDING.value
            row.updated_at = now
            s.execute(delete(DomainHoldRow).where(DomainHoldRow.domain_id == row.id))
            return ControlOutcome.RESUMED
