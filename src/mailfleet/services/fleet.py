"""Fleet use cases: sync the spec into the store, report status."""

from __future__ import annotations

from mailfleet.core.fleet import Fleet
from mailfleet.core.ports import Clock, FleetStore
from mailfleet.core.status import FleetStatus, fleet_status
from mailfleet.core.sync import SyncPlan, plan_sync


def sync_fleet(
    fleet: Fleet, store: FleetStore, clock: Clock, spec_path: str, *, dry_run: bool = False
) -> SyncPlan:
    """Mirror the spec into the store; with ``dry_run`` only compute what would change.

    Idempotent: a second sync of the same spec plans nothing and writes nothing.
    """
    plan = plan_sync(fleet, store.snapshot())
    if not dry_run and not plan.is_empty:
        store.apply_sync(plan, clock.now(), spec_path)
    return plan


def status(fleet: Fleet, store: FleetStore) -> FleetStatus:
    """Segments and domains from the spec, with their stored state and drift."""
    return fleet_status(fleet, store.snapshot(), store.last_sync())
