"""Postfix + Dovecot mailboxes kept in an SQL database with the PostfixAdmin schema.

Postfix reads ``domain``, ``mailbox`` and ``alias`` for delivery, Dovecot reads ``mailbox`` for
logins, so writing those rows is all it takes. A mailbox owns an alias row whose ``goto`` is
the mailbox itself plus any forwarding addresses (PostfixAdmin's "deliver to the local mailbox
too" layout). Passwords are stored as ``{BLF-CRYPT}`` (bcrypt), a scheme Dovecot verifies
itself; suspension clears ``active`` on the mailbox and its alias, which Dovecot's and
Postfix's queries filter on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime

import bcrypt
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from mailfleet.core.mailboxes.errors import (
    MailboxExists,
    MailboxNotFound,
    MailboxProviderError,
    ProviderUnavailable,
)
from mailfleet.core.mailboxes.model import Capabilities, DesiredMailbox, ProviderMailbox
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.policy.mailboxes import capabilities as declared

# The columns mailfleet reads and writes, as PostfixAdmin 3.x creates them.
metadata = MetaData()
domain_table = Table(
    "domain",
    metadata,
    Column("domain", String(255), primary_key=True),
    Column("description", String(255), nullable=False, default=""),
    Column("aliases", Integer, nullable=False, default=0),
    Column("mailboxes", Integer, nullable=False, default=0),
    Column("maxquota", Integer, nullable=False, default=0),
    Column("quota", Integer, nullable=False, default=0),
    Column("transport", String(255), nullable=False, default="virtual"),
    Column("backupmx", Boolean, nullable=False, default=False),
    Column("created", DateTime, nullable=False),
    Column("modified", DateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)
mailbox_table = Table(
    "mailbox",
    metadata,
    Column("username", String(255), primary_key=True),
    Column("password", String(255), nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("maildir", String(255), nullable=False),
    Column("quota", Integer, nullable=False, default=0),
    Column("local_part", String(255), nullable=False),
    Column("domain", String(255), nullable=False, index=True),
    Column("created", DateTime, nullable=False),
    Column("modified", DateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)
alias_table = Table(
    "alias",
    metadata,
    Column("address", String(255), primary_key=True),
    Column("goto", Text, nullable=False),
    Column("domain", String(255), nullable=False, index=True),
    Column("created", DateTime, nullable=False),
    Column("modified", DateTime, nullable=False),
    Column("active", Boolean, nullable=False, default=True),
)


def hash_password(password: Secret, rounds: int = 10) -> str:
    """The Dovecot ``{BLF-CRYPT}`` form of ``password`` (bcrypt, ``$2b$``)."""
    hashed = bcrypt.hashpw(password.reveal().encode("utf-8"), bcrypt.gensalt(rounds))
    return "{BLF-CRYPT}" + hashed.decode("ascii")


class PostfixAdminProvider:
    """Implements ``MailboxProvider`` on a PostfixAdmin database (PostgreSQL, MySQL, SQLite)."""

    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        create_domains: bool = True,
        bcrypt_rounds: int = 10,
        engine: Engine | None = None,
    ) -> None:
        self._engine = engine or create_engine(url, pool_pre_ping=True)
        self._clock = clock
        self._create_domains = create_domains
        self._rounds = bcrypt_rounds

    @property
    def capabilities(self) -> Capabilities:
        """Display name, forwarding and suspension (see ``policy/mailboxes/providers.toml``)."""
        return declared("postfixadmin")

    def create_schema(self) -> None:
        """Create the three tables if missing (for tests and fresh installs)."""
        with self._translated():
            metadata.create_all(self._engine)

    def list_mailboxes(self, domains: Sequence[str]) -> list[ProviderMailbox]:
        """Mailboxes on ``domains`` with their names, forwards and active flags."""
        with self._translated(), self._engine.connect() as conn:
            aliases = dict(
                conn.execute(
                    select(alias_table.c.address, alias_table.c.goto).where(
                        alias_table.c.domain.in_(domains)
                    )
                ).all()
            )
            rows = conn.execute(
                select(mailbox_table).where(mailbox_table.c.domain.in_(domains))
            ).mappings()
            return [
                ProviderMailbox(
                    address=row["username"],
                    provider_id=row["username"],
                    display_name=row["name"],
                    forward_to=_forwards(row["username"], aliases.get(row["username"], "")),
                    suspended=not row["active"],
                    created_at=_aware(row["created"]),
                )
                for row in rows
            ]

    def create(self, mailbox: DesiredMailbox, password: Secret) -> ProviderMailbox:
        """Insert the mailbox and its alias (and the domain when allowed) in one transaction."""
        now = self._now()
        hashed = hash_password(password, self._rounds)
        self._ensure_domain(mailbox.domain, now)
        with self._transaction(mailbox.address) as conn:
            conn.execute(
                insert(mailbox_table).values(
                    username=mailbox.address,
                    password=hashed,
                    name=mailbox.display_name,
                    maildir=f"{mailbox.domain}/{mailbox.username}/",
                    quota=0,
                    local_part=mailbox.username,
                    domain=mailbox.domain,
                    created=now,
                    modified=now,
                    active=True,
                )
            )
            conn.execute(
                insert(alias_table).values(
                    address=mailbox.address,
                    goto=_goto(mailbox),
                    domain=mailbox.domain,
                    created=now,
                    modified=now,
                    active=True,
                )
            )
        return ProviderMailbox(
            mailbox.address, mailbox.address, mailbox.display_name, None, mailbox.forward_to
        )

    def update(self, mailbox: DesiredMailbox) -> None:
        """Set the name and forwards, and reactivate."""
        now = self._now()
        with self._transaction(mailbox.address) as conn:
            self._require(conn, mailbox.address)
            conn.execute(
                update(mailbox_table)
                .where(mailbox_table.c.username == mailbox.address)
                .values(name=mailbox.display_name, active=True, modified=now)
            )
            conn.execute(
                update(alias_table)
                .where(alias_table.c.address == mailbox.address)
                .values(goto=_goto(mailbox), active=True, modified=now)
            )

    def set_password(self, address: str, password: Secret) -> None:
        """Store a new hash."""
        hashed = hash_password(password, self._rounds)
        with self._transaction(address) as conn:
            self._require(conn, address)
            conn.execute(
                update(mailbox_table)
                .where(mailbox_table.c.username == address)
                .values(password=hashed, modified=self._now())
            )

    def suspend(self, address: str) -> None:
        """Deactivate the mailbox and its alias: no login, no delivery; mail is kept."""
        self._set_active(address, active=False)

    def delete(self, address: str) -> None:
        """Remove the mailbox and alias rows (the maildir on disk is left to the operator)."""
        with self._transaction(address) as conn:
            self._require(conn, address)
            conn.execute(delete(alias_table).where(alias_table.c.address == address))
            conn.execute(delete(mailbox_table).where(mailbox_table.c.username == address))

    def close(self) -> None:
        """Release pooled connections."""
        self._engine.dispose()

    def _now(self) -> datetime:
        # PostfixAdmin's columns are naive timestamps, kept in UTC here
        return self._clock.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)

    def _set_active(self, address: str, *, active: bool) -> None:
        now = self._now()
        with self._transaction(address) as conn:
            self._require(conn, address)
            conn.execute(
                update(mailbox_table)
                .where(mailbox_table.c.username == address)
                .values(active=active, modified=now)
            )
            conn.execute(
                update(alias_table)
                .where(alias_table.c.address == address)
                .values(active=active, modified=now)
            )

    def _ensure_domain(self, domain: str, now: datetime) -> None:
        """Add the domain row unless present; a concurrent insert of the same row is fine."""
        with self._translated(), self._engine.connect() as conn:
            found = conn.execute(
                select(domain_table.c.domain).where(domain_table.c.domain == domain)
            ).first()
        if found is not None:
            return
        if not self._create_domains:
            raise MailboxNotFound(f"domain {domain} is not set up in PostfixAdmin")
        try:
            with self._engine.begin() as conn:
                conn.execute(
                    insert(domain_table).values(
                        domain=domain,
                        description="managed by mailfleet",
                        created=now,
                        modified=now,
                        active=True,
                    )
                )
        except IntegrityError:
            return  # another worker added it first
        except SQLAlchemyError as exc:
            raise _translate(exc) from None

    @staticmethod
    def _require(conn: Connection, address: str) -> None:
        found = conn.execute(
            select(mailbox_table.c.username).where(mailbox_table.c.username == address)
        ).first()
        if found is None:
            raise MailboxNotFound(f"{address}: no such mailbox")

    @contextmanager
    def _transaction(self, address: str) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except IntegrityError:
            raise MailboxExists(f"{address} already exists") from None
        except SQLAlchemyError as exc:
            raise _translate(exc) from None

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except SQLAlchemyError as exc:
            raise _translate(exc) from None


def _translate(exc: SQLAlchemyError) -> MailboxProviderError:
    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    if isinstance(exc, OperationalError):
        return ProviderUnavailable(f"PostfixAdmin database: {reason}")
    return MailboxProviderError(f"PostfixAdmin database: {reason}")


def _goto(mailbox: DesiredMailbox) -> str:
    return ",".join([mailbox.address, *mailbox.forward_to])


def _forwards(address: str, goto: str) -> tuple[str, ...]:
    return tuple(sorted(t.strip() for t in goto.split(",") if t.strip() and t.strip() != address))


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
