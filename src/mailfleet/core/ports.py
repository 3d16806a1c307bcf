"""Ports: the small interfaces the services are written against.

Each port has an in-memory twin in ``mailfleet.adapters`` for tests and the demo, and real
adapters at the edge. Later capabilities (DNS providers, mailbox providers, relays, resolvers,
limiters) add their ports here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from mailfleet.core.secrets import Secret
from mailfleet.core.state import FleetSnapshot
from mailfleet.core.sync import SyncPlan


class Clock(Protocol):
    """The only way mailfleet reads the time, so that tests and the simulator can control it."""

    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (a fake clock advances instead of waiting)."""
        ...


class SecretVault(Protocol):
    """Secrets at rest (API keys, mailbox passwords, DKIM private keys), encrypted."""

    def put(self, name: str, value: Secret) -> None:
        """Store or replace the secret called ``name``."""
        ...

    def get(self, name: str) -> Secret:
        """The secret called ``name``; raises ``SecretNotFound`` when there is none."""
        ...

    def delete(self, name: str) -> bool:
        """Remove the secret; ``False`` when there was none."""
        ...

    def names(self, prefix: str = "") -> Iterable[str]:
        """Names of stored secrets starting with ``prefix``, sorted."""
        ...


class FleetStore(Protocol):
    """Where the fleet's mirror and runtime state live (the database)."""

    def snapshot(self) -> FleetSnapshot:
        """Every stored segment, domain and mailbox."""
        ...

    def apply_sync(self, plan: SyncPlan, now: datetime, spec_path: str) -> None:
        """Write a sync plan in one transaction."""
        ...

    def last_sync(self) -> datetime | None:
        """When the spec was last synced."""
        ...
