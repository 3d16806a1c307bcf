"""The composition root: the only place that turns settings into concrete adapters.

Entry points (CLI, web, workers) call ``build`` once and ask the ``App`` for what they need;
everything is created on first use, so a command that needs no database opens none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.feedback.smtp_intake import FeedbackSmtpIntake
from mailfleet.adapters.vault import SqlVault, load_keyring
from mailfleet.core.errors import SecretNotFound
from mailfleet.core.feedback.intake import DEFAULT_MAX_BYTES, IntakeAddresses
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.policy.rules import suppression_policy
from mailfleet.services.feedback_ingest import ingest_message
from mailfleet.settings import Settings

VERP_KEY_SECRET = "feedback/verp-key"  # noqa: S105 - a secret's name, not a secret


@dataclass
class App:
    """Wired dependencies for one process."""

    settings: Settings
    clock: Clock
    env: Mapping[str, str] | None = None
    _database: Database | None = field(default=None, init=False)
    _vault: SqlVault | None = field(default=None, init=False)

    def database(self, *, migrate: bool | None = None) -> Database:
        """The database, with its schema made current on the embedded default.

        On PostgreSQL the schema must be migrated explicitly (``mailfleet db upgrade``), so
        that several workers never race to migrate.
        """
        if self._database is None:
            database = Database(self.settings.effective_database_url)
            auto = self.settings.is_embedded if migrate is None else migrate
            database.prepare(auto_upgrade=auto)
            self._database = database
        return self._database

    def raw_database(self) -> Database:
        """The database without any schema check, for the ``db`` commands."""
        return Database(self.settings.effective_database_url)

    def fleet_store(self) -> SqlFleetStore:
        """The fleet's mirror in the database."""
        return SqlFleetStore(self.database())

    def vault(self) -> SqlVault:
        """The encrypted secret store; a key file is created on first use."""
        if self._vault is None:
            keyring = load_keyring(self.settings.effective_master_key, create=True, env=self.env)
            self._vault = SqlVault(self.database(), keyring, self.clock)
        return self._vault

    def close(self) -> None:
        """Release connections."""
        if self._database is not None:
            self._database.dispose()
            self._database = None

    def feedback_store(self) -> SqlFeedbackStore:
        """Feedback events and the suppression list in the database."""
        return SqlFeedbackStore(self.database(), suppression_policy().hard_reasons)

    def verp_key(self) -> Secret | None:
        """The VERP signing key (vault secret ``feedback/verp-key``), if one is stored."""
        try:
            return self.vault().get(VERP_KEY_SECRET)
        except SecretNotFound:
            return None

    def feedback_intake(
        self,
        addresses: IntakeAddresses,
        *,
        host: str = "127.0.0.1",
        port: int = 2525,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> FeedbackSmtpIntake:
        """The inbound SMTP server for reports, feeding the ingest service."""
        store, key = self.feedback_store(), self.verp_key()

        def on_report(raw: bytes, recipients: tuple[str, ...]) -> None:
            ingest_message(raw, store=store, clock=self.clock, verp_key=key, source="smtp")

        return FeedbackSmtpIntake(addresses, on_report, host=host, port=port, max_bytes=max_bytes)


def build(
    settings: Settings, *, clock: Clock | None = None, env: Mapping[str, str] | None = None
) -> App:
    """Wire an ``App`` from settings. Nothing is opened until it is asked for."""
    return App(settings=settings, clock=clock or SystemClock(), env=env)
