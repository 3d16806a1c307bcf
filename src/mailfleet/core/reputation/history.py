"""Stored history as values: alert events with their deliveries, isolations and restores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mailfleet.core.reputation.engine import AlertEvent
from mailfleet.core.reputation.messages import Delivery


@dataclass(frozen=True, slots=True)
class AlertRecord:
    """One stored alert event and where it was delivered."""

    id: int
    event: AlertEvent
    deliveries: tuple[Delivery, ...]

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "id": self.id,
            **self.event.as_dict(),
            "deliveries": [
                {"channel": d.channel, "ok": d.ok, "detail": d.detail} for d in self.deliveries
            ],
        }


@dataclass(frozen=True, slots=True)
class IsolationRecord:
    """One change of a domain's state by the reputation capability or by a person."""

    domain: str
    at: datetime
    previous_state: str
    new_state: str
    reason: str
    by: str  # "auto" or "cli"
