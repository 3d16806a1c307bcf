"""The composition root: the only place that turns settings into concrete adapters.

Entry points (CLI, web, workers) call ``build`` once and ask the ``App`` for what they need;
everything is created on first use, so a command that needs no database opens none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.vault import SqlVault, load_keyring
from mailfleet.core.dashboard.accounts import PasswordHasher, UserStore
from mailfleet.core.dashboard.ports import DomainControl, FleetReadModel
from mailfleet.core.ports import Clock
from mailfleet.services.dashboard import DashboardSources
from mailfleet.settings import Settings


@dataclass
class App:
    """Wired dependencies for one process."""

    settings: Settings
    clock: Clock
    env: Mapping[str, str] | None = None
    _database: Database | None = field(default=None, init=False)
    _vault: SqlVault | None = field(default=None, init=False)
    _dashboard_sources: DashboardSources | None = field(default=None, init=False)

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

    def user_store(self) -> UserStore:
        """Dashboard users and API token digests."""
        from mailfleet.adapters.db.web_store import SqlUserStore

        return SqlUserStore(self.database())

    def password_hasher(self) -> PasswordHasher:
        """argon2id password hashing."""
        from mailfleet.adapters.argon2_hasher import Argon2Hasher

        return Argon2Hasher()

    def read_model(self) -> FleetReadModel:
        """The dashboard's paged view of the fleet tables."""
        from mailfleet.adapters.db.web_read import SqlFleetReadModel

        return SqlFleetReadModel(self.database())

    def domain_control(self) -> DomainControl:
        """Pause and resume of domains."""
        from mailfleet.adapters.db.web_store import SqlDomainControl

        return SqlDomainControl(self.database())

    def dashboard_sources(self) -> DashboardSources:
        """What the dashboard reads beyond the foundation.

        Each capability replaces its field here with its store once it lands; until then the
        empty twin answers and the pages say "not measured yet".
        """
        from mailfleet.adapters.dashboard_twins import MemoryDashboardSources, UnwiredDomainActions

        if self._dashboard_sources is None:
            empty = MemoryDashboardSources()
            self._dashboard_sources = DashboardSources(
                warmup=empty,
                rates=empty,
                dns_auth=empty,
                blocklist=empty,
                details=empty,
                alerts=empty,
                suppression=empty,
                actions=UnwiredDomainActions(),
            )
        return self._dashboard_sources


def build(
    settings: Settings, *, clock: Clock | None = None, env: Mapping[str, str] | None = None
) -> App:
    """Wire an ``App`` from settings. Nothing is opened until it is asked for."""
    return App(settings=settings, clock=clock or SystemClock(), env=env)
