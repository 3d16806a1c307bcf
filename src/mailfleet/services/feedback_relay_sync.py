"""Synchronising the suppression list with a relay's own list (SES, Mailgun).

``sync_suppressions`` reads both lists, plans what each lacks
(:func:`mailfleet.core.feedback.relay_suppression.plan_sync`) and, unless it is a dry run,
adds it: pulled entries in one transaction here, pushed ones through the relay's API.
Nothing is removed on either side, so a second run finds both in step and does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailfleet.core.feedback.events import Suppression
from mailfleet.core.feedback.ports import FeedbackStore, RelaySuppressionList
from mailfleet.core.feedback.relay_suppression import Direction, RemoteSuppression, plan_sync
from mailfleet.core.ports import Clock


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What a sync found and did (or, in a dry run, would do)."""

    relay: str
    direction: Direction
    dry_run: bool
    local: int  # active suppressions here before the sync
    remote: int  # addresses on the relay's lists before the sync
    in_step: int  # addresses suppressed on both sides already
    pulled: tuple[Suppression, ...] = ()
    pushed: tuple[RemoteSuppression, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form (``mailfleet suppression sync --json``)."""
        return {
            "relay": self.relay,
            "direction": self.direction.value,
            "dry_run": self.dry_run,
            "local": self.local,
            "remote": self.remote,
            "in_step": self.in_step,
            "pulled": [entry.as_dict() for entry in self.pulled],
            "pushed": [entry.as_dict() for entry in self.pushed],
        }


def sync_suppressions(
    store: FeedbackStore,
    relay: RelaySuppressionList,
    clock: Clock,
    *,
    direction: Direction = Direction.BOTH,
    dry_run: bool = False,
) -> SyncResult:
    """Bring the relay's list and ours in step in ``direction``; idempotent."""
    now = clock.now()
    local = [entry for entry in store.suppressions() if entry.active(now)]
    remote = relay.entries()
    plan = plan_sync(
        local,
        remote,
        relay=relay.name,
        direction=direction,
        now=now,
        kinds=relay.kinds,
        unsubscribe_scope=relay.unsubscribe_scope,
    )
    pulled: tuple[Suppression, ...] = plan.pull
    if not dry_run:
        if plan.pull:
            made = store.apply([], plan.pull)  # one transaction for the lot
            pulled = tuple(made)
        if plan.push:
            relay.add(plan.push)
    return SyncResult(
        relay.name,
        direction,
        dry_run,
        len(local),
        len(remote),
        plan.in_step,
        pulled,
        plan.push,
    )
