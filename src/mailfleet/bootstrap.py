"""The composition root: the only place that turns settings into concrete adapters.

Entry points (CLI, web, workers) call ``build`` once and ask the ``App`` for what they need;
everything is created on first use, so a command that needs no database opens none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.vault import SqlVault, load_keyring
from mailfleet.core.ports import Clock
from mailfleet.core.warmup.ports import Limiter
from mailfleet.services.simulation import SimulationKit
from mailfleet.services.warmup import WarmupPorts, shipped_rules
from mailfleet.settings import Settings


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

    def warmup_ports(self) -> WarmupPorts:
        """Warmup state in the database; metrics and listings from their twins until the
        feedback and reputation capabilities provide real sources."""
        from mailfleet.adapters.db.warmup_store import SqlWarmupStore
        from mailfleet.adapters.warmup.memory import InMemoryBlocklist, InMemoryMetrics

        gate, start = shipped_rules()
        return WarmupPorts(
            store=SqlWarmupStore(self.database(), self.clock),
            metrics=InMemoryMetrics(),
            blocklist=InMemoryBlocklist(),
            gate=gate,
            start=start,
        )

    def limiter(self) -> Limiter:
        """The send limiter: Redis when ``redis_url`` is set (shared by every worker), else
        in-process (the embedded default)."""
        if self.settings.redis_url:
            from mailfleet.adapters.limiter.redis import RedisLimiter

            return RedisLimiter.from_url(self.settings.redis_url)
        from mailfleet.adapters.limiter.memory import InProcessLimiter

        return InProcessLimiter(self.clock)

    def simulation_kit(self, start: datetime) -> SimulationKit:
        """A self-contained world for ``mailfleet simulate``: a fake clock at ``start`` and
        in-memory state, metrics, listings and limiter. Nothing touches the database."""
        from mailfleet.adapters.clock import FakeClock
        from mailfleet.adapters.limiter.memory import InProcessLimiter
        from mailfleet.adapters.warmup.memory import (
            InMemoryBlocklist,
            InMemoryMetrics,
            InMemoryWarmupStore,
        )

        clock = FakeClock(start)
        metrics = InMemoryMetrics()
        blocklist = InMemoryBlocklist()
        gate, start_rules = shipped_rules()
        ports = WarmupPorts(InMemoryWarmupStore(), metrics, blocklist, gate=gate, start=start_rules)
        return SimulationKit(ports, metrics, blocklist, InProcessLimiter(clock), clock)


def build(
    settings: Settings, *, clock: Clock | None = None, env: Mapping[str, str] | None = None
) -> App:
    """Wire an ``App`` from settings. Nothing is opened until it is asked for."""
    return App(settings=settings, clock=clock or SystemClock(), env=env)
