"""Alert use cases: evaluate rules over facts, notify every channel, keep the history."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mailfleet.core.reputation.engine import AlertEvent, Evaluation, evaluate
from mailfleet.core.reputation.history import AlertRecord
from mailfleet.core.reputation.messages import Delivery
from mailfleet.core.reputation.ports import AlertStore, Notifier
from mailfleet.core.reputation.rules import AlertRule, FactSnapshot


@dataclass(frozen=True, slots=True)
class AlertRun:
    """One evaluation: its events, and the deliveries of each event that was sent."""

    evaluation: Evaluation
    deliveries: dict[int, tuple[Delivery, ...]]

    def sent(self) -> tuple[AlertEvent, ...]:
        """The events that went out (not silenced)."""
        return self.evaluation.to_send()

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "events": [
                {
                    **event.as_dict(),
                    "deliveries": [
                        {"channel": d.channel, "ok": d.ok, "detail": d.detail}
                        for d in self.deliveries.get(index, ())
                    ],
                }
                for index, event in enumerate(self.evaluation.events)
            ]
        }


async def deliver_all(event: AlertEvent, notifiers: Sequence[Notifier]) -> tuple[Delivery, ...]:
    """Send one event on every channel at once; a failing channel does not stop the others."""
    return tuple(await asyncio.gather(*(n.deliver(event) for n in notifiers)))


async def run_alerts(
    rules: Iterable[AlertRule],
    snapshot: FactSnapshot,
    store: AlertStore,
    notifiers: Sequence[Notifier],
) -> AlertRun:
    """Evaluate ``rules`` against ``snapshot``, send what must be sent, store everything.

    Called on every new fact (a metrics update, a check run) and by the scheduler.
    """
    evaluation = evaluate(rules, snapshot, store.alert_states())
    deliveries: dict[int, tuple[Delivery, ...]] = {}
    for index, event in enumerate(evaluation.events):
        if not event.silenced:
            deliveries[index] = await deliver_all(event, notifiers)
    store.save_alerts(evaluation, deliveries)
    return AlertRun(evaluation, deliveries)


def alert_history(store: AlertStore, limit: int = 100) -> tuple[AlertRecord, ...]:
    """The newest alert events first, with their deliveries."""
    return store.alert_history(limit)
