"""The database handle: engine, sessions, schema checks and a health ping."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from mailfleet.adapters.db import migrate
from mailfleet.adapters.db.engine import make_engine
from mailfleet.core.errors import StorageError


class Database:
    """One database: hands out sessions that commit on success and roll back on error."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: one transaction, committed when the block ends without error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except SQLAlchemyError as exc:
            session.rollback()
            original = getattr(exc, "orig", None)
            reason = original if original is not None else exc
            raise StorageError(f"database error: {reason}") from exc
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def prepare(self, *, auto_upgrade: bool) -> None:
        """Make the schema usable: migrate (embedded default) or insist it is current."""
        if auto_upgrade:
            migrate.upgrade(self.engine)
        else:
            migrate.require_current(self.engine)

    def ping(self) -> None:
        """Raise ``StorageError`` unless a trivial query succeeds."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise StorageError(f"database unreachable: {exc}") from None

    def dispose(self) -> None:
        """Close pooled connections."""
        self.engine.dispose()

    def describe(self) -> str:
        """The URL with any password masked, for messages."""
        return self.engine.url.render_as_string(hide_password=True)
