"""The composition root: the only place that turns settings into concrete adapters.

Entry points (CLI, web, workers) call ``build`` once and ask the ``App`` for what they need;
everything is created on first use, so a command that needs no database opens none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db import migrate
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.logs import configure_logging
from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.adapters.vault import (
    Rotation,
    SqlVault,
    encode_key,
    load_keyring,
    new_key,
    rotate_master_key,
)
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.core.warmup.ports import Limiter
from mailfleet.services.simulation import SimulationKit
from mailfleet.services.warmup import WarmupPorts, shipped_rules
from mailfleet.settings import Settings


@dataclass(frozen=True)
class SchemaState:
    """Where the database schema stands against the code."""

    database: str
    before: frozenset[str]
    after: frozenset[str]
    heads: frozenset[str]


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

    def schema_state(self, *, upgrade: bool) -> SchemaState:
        """The schema's revisions, after migrating to the code's heads when ``upgrade``."""
        database = Database(self.settings.effective_database_url)
        try:
            before = migrate.current_revisions(database.engine)
            after = migrate.upgrade(database.engine)[1] if upgrade else before
            return SchemaState(
                database.describe(),
                frozenset(before),
                frozenset(after),
                frozenset(migrate.head_revisions()),
            )
        finally:
            database.dispose()

    def fleet_store(self) -> SqlFleetStore:
        """The fleet's mirror in the database."""
        return SqlFleetStore(self.database())

    def vault(self) -> SqlVault:
        """The encrypted secret store; a key file is created on first use."""
        if self._vault is None:
            keyring = load_keyring(self.settings.effective_master_key, create=True, env=self.env)
            self._vault = SqlVault(self.database(), keyring, self.clock)
        return self._vault

    def rotate_master_key(self, new_key_reference: str | None = None) -> Rotation:
        """Re-encrypt every secret under a new master key."""
        return rotate_master_key(
            self.vault(),
            self.settings.effective_master_key,
            new_key_reference=new_key_reference,
            env=self.env,
        )

    def resolve_secret(self, reference: str) -> Secret:
        """Read the secret an ``env:``/``file:`` reference points to."""
        return resolve_secret_ref(reference, self.env)

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
    configure_logging(settings.log_level)
    return App(settings=settings, clock=clock or SystemClock(), env=env)


def generate_master_key() -> str:
    """A new random master key in its text form, for ``master_key = env:NAME`` set-ups."""
    return encode_key(new_key())
