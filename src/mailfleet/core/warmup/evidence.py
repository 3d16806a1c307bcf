"""Evidence for a warmup decision: the rolling window of measured daily metrics."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class DayMetrics:
    """What one domain sent on one day, and what came back."""

    day: date
    sent: int = 0
    bounced: int = 0
    complained: int = 0
    deferred: int = 0


@dataclass(frozen=True, slots=True)
class Evidence:
    """Totals over the judged days, plus any blocklist listing seen now."""

    days: tuple[date, ...]
    sent: int
    bounced: int
    complained: int
    deferred: int
    listings: tuple[str, ...] = ()

    @property
    def bounce_rate(self) -> float:
        """Bounced over sent (0 when nothing was sent)."""
        return self.bounced / self.sent if self.sent else 0.0

    @property
    def complaint_rate(self) -> float:
        """Complaints over sent."""
        return self.complained / self.sent if self.sent else 0.0

    @property
    def deferral_rate(self) -> float:
        """Deferred attempts over sent."""
        return self.deferred / self.sent if self.sent else 0.0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form, stored with each decision."""
        return {
            "days": [d.isoformat() for d in self.days],
            "sent": self.sent,
            "bounced": self.bounced,
            "complained": self.complained,
            "deferred": self.deferred,
            "bounce_rate": self.bounce_rate,
            "complaint_rate": self.complaint_rate,
            "deferral_rate": self.deferral_rate,
            "listings": list(self.listings),
        }


def collect_evidence(
    history: Iterable[DayMetrics],
    day: date,
    *,
    window_days: int,
    lookback_days: int,
    since: date | None = None,
    listings: Iterable[str] = (),
) -> Evidence:
    """The last ``window_days`` days with sending, up to ``day``, within ``lookback_days``.

    Days without sending (weekends, pauses) are skipped, so a rest day is judged on the last
    days that did send. Days before ``since`` (the last resume) are ignored: a domain that was
    paused for a breach starts collecting evidence afresh.
    """
    earliest = day - timedelta(days=lookback_days - 1)
    if since is not None:
        earliest = max(earliest, since)
    sending = sorted(
        (m for m in history if earliest <= m.day <= day and m.sent > 0),
        key=lambda m: m.day,
    )[-window_days:]
    return Evidence(
        days=tuple(m.day for m in sending),
        sent=sum(m.sent for m in sending),
        bounced=sum(m.bounced for m in sending),
        complained=sum(m.complained for m in sending),
        deferred=sum(m.deferred for m in sending),
        listings=tuple(sorted(set(listings))),
    )
