"""What a simulation reports: per day and domain, and a summary per domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class SimulatedDay:
    """One domain on one simulated day."""

    day: int
    date: date
    domain: str
    segment: str
    cap: int
    sent: int
    refused: int  # sends the limiter turned away (the senders always want more than the cap)
    bounced: int
    complained: int
    deferred: int
    ramp_day: int
    week: int
    decision: str
    reputation: float

    @property
    def bounce_rate(self) -> float:
        """Bounced over sent."""
        return self.bounced / self.sent if self.sent else 0.0

    @property
    def complaint_rate(self) -> float:
        """Complaints over sent."""
        return self.complained / self.sent if self.sent else 0.0

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "day": self.day,
            "date": self.date.isoformat(),
            "domain": self.domain,
            "segment": self.segment,
            "cap": self.cap,
            "sent": self.sent,
            "refused": self.refused,
            "bounced": self.bounced,
            "complained": self.complained,
            "deferred": self.deferred,
            "bounce_rate": self.bounce_rate,
            "complaint_rate": self.complaint_rate,
            "ramp_day": self.ramp_day,
            "week": self.week,
            "decision": self.decision,
            "reputation": round(self.reputation, 4),
        }


@dataclass(frozen=True, slots=True)
class DomainSummary:
    """How one domain's warmup went over the whole run."""

    domain: str
    segment: str
    target: int
    final_cap: int
    reached_target_day: int | None
    step_backs: int
    holds: int
    paused_days: int
    sent: int

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "domain": self.domain,
            "segment": self.segment,
            "target": self.target,
            "final_cap": self.final_cap,
            "reached_target_day": self.reached_target_day,
            "step_backs": self.step_backs,
            "holds": self.holds,
            "paused_days": self.paused_days,
            "sent": self.sent,
        }


@dataclass(frozen=True, slots=True)
class SimulationReport:
    """A whole run: the scenario, every simulated day, and per-domain summaries."""

    scenario: str
    description: str
    start: date
    days: int
    rows: tuple[SimulatedDay, ...]
    summaries: tuple[DomainSummary, ...]

    def for_domain(self, domain: str) -> tuple[SimulatedDay, ...]:
        """The rows of one domain, in day order."""
        return tuple(r for r in self.rows if r.domain == domain)

    def summary(self, domain: str) -> DomainSummary:
        """The summary of one domain."""
        return next(s for s in self.summaries if s.domain == domain)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "scenario": self.scenario,
            "description": self.description,
            "start": self.start.isoformat(),
            "days": self.days,
            "summary": [s.as_dict() for s in self.summaries],
            "rows": [r.as_dict() for r in self.rows],
        }
