"""Warmup status and explanations as values, for the CLI, the API and the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mailfleet.core.warmup.decision import Decision
from mailfleet.core.warmup.evidence import Evidence
from mailfleet.core.warmup.state import WarmupState


@dataclass(frozen=True, slots=True)
class DomainWarmup:
    """One domain's warmup today: where it is, what it may send, how it is doing."""

    domain: str
    segment: str
    day: date
    state: WarmupState | None
    week: int
    cap_today: int
    target: int
    sent_today: int
    evidence: Evidence
    audience: str
    next_decision: Decision | None
    last_decision: Decision | None
    paused_members: tuple[str, ...] = ()  # ``ip:...`` / ``mailbox:...`` subjects paused now

    @property
    def phase(self) -> str:
        """``not-started``, ``waiting``, ``paused``, ``at-target`` or ``ramping``."""
        if self.state is None:
            return "not-started"
        if not self.state.started(self.day):
            return "waiting"
        if self.state.paused:
            return "paused"
        return "at-target" if self.cap_today >= self.target else "ramping"

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "domain": self.domain,
            "segment": self.segment,
            "day": self.day.isoformat(),
            "phase": self.phase,
            "ramp_day": self.state.ramp_day if self.state else None,
            "week": self.week,
            "cap_today": self.cap_today,
            "target": self.target,
            "sent_today": self.sent_today,
            "audience": self.audience,
            "paused_until": (
                self.state.paused_until.isoformat()
                if self.state and self.state.paused_until
                else None
            ),
            "window": self.evidence.as_dict(),
            "next_decision": self.next_decision.as_dict() if self.next_decision else None,
            "last_decision": self.last_decision.as_dict() if self.last_decision else None,
            "paused_members": list(self.paused_members),
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """A domain's warmup history in words and evidence, newest first."""

    domain: str
    status: DomainWarmup
    decisions: tuple[Decision, ...]
    paused_members: tuple[Decision, ...] = ()  # the decision that paused each paused IP/mailbox

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "domain": self.domain,
            "status": self.status.as_dict(),
            "decisions": [d.as_dict() for d in self.decisions],
            "paused_members": [d.as_dict() for d in self.paused_members],
        }
