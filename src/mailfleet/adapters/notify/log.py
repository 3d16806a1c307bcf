"""The log channel: every alert as one structured log line, and an in-memory twin for tests."""

from __future__ import annotations

import logging

from mailfleet.core.reputation.engine import AlertEvent, EventKind
from mailfleet.core.reputation.messages import Delivery, subject_line
from mailfleet.core.reputation.rules import Severity

_LEVELS = {Severity.CRITICAL: logging.ERROR, Severity.WARNING: logging.WARNING}


class LogNotifier:
    """Writes alerts to the ``mailfleet.alerts`` logger; resolves at INFO."""

    def __init__(self, logger: logging.Logger | None = None, *, name: str = "log") -> None:
        self._logger = logger or logging.getLogger("mailfleet.alerts")
        self._name = name

    @property
    def name(self) -> str:
        """The channel's name."""
        return self._name

    async def deliver(self, event: AlertEvent) -> Delivery:
        """Log the event."""
        level = (
            logging.INFO
            if event.kind == EventKind.RESOLVED
            else _LEVELS.get(event.severity, logging.INFO)
        )
        self._logger.log(
            level, "%s | %s", subject_line(event), event.message, extra={"alert": event.as_dict()}
        )
        return Delivery(self._name, ok=True)


class InMemoryNotifier:
    """Keeps every event it is given; ``fail`` makes it report failed deliveries."""

    def __init__(self, name: str = "memory", *, fail: bool = False) -> None:
        self._name = name
        self.fail = fail
        self.events: list[AlertEvent] = []

    @property
    def name(self) -> str:
        """The channel's name."""
        return self._name

    async def deliver(self, event: AlertEvent) -> Delivery:
        """Record the event."""
        if self.fail:
            return Delivery(self._name, ok=False, detail="configured to fail")
        self.events.append(event)
        return Delivery(self._name, ok=True)
