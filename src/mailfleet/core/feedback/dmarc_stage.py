"""Staged DMARC: when a domain's policy may move none -> quarantine -> reject.

A stricter policy is safe only once the aggregate reports show that the domain's real mail
passes DMARC aligned: enough of it, for long enough, under the current stage. The decision is
pure and only ever proposes the next stage up; moving down (or jumping) is for a person
(``mailfleet dmarc stage-set``), because a falling pass rate may be a forwarder, a new sender
that needs adding, or an attack, and the tool cannot tell which.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from mailfleet.core.dns.dmarc import DmarcPolicy
from mailfleet.core.feedback.dmarc_report import SourceDay

ORDER = (DmarcPolicy.NONE, DmarcPolicy.QUARANTINE, DmarcPolicy.REJECT)


@dataclass(frozen=True, slots=True)
class StagePolicy:
    """The thresholds (``policy/dmarc_stage.toml``)."""

    min_pass_ratio: float  # aligned-pass share of the window's messages, e.g. 0.98
    min_messages: int  # at least this many messages reported in the window
    min_days: int  # on at least this many distinct days, since the last change
    window_days: int  # how far back the reports are read


@dataclass(frozen=True, slots=True)
class DailyTotals:
    """One domain's reported messages on one day, and how many passed DMARC aligned."""

    domain: str
    day: date
    messages: int
    passed: int


@dataclass(frozen=True, slots=True)
class StageRecord:
    """A domain's current stage, when it was set, and by whom/why."""

    domain: str
    stage: DmarcPolicy
    changed_at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class StageDecision:
    """What the evidence supports for one domain."""

    domain: str
    current: DmarcPolicy
    proposed: DmarcPolicy
    reason: str
    messages: int
    passed: int
    days: int

    @property
    def advance(self) -> bool:
        """Whether the decision moves the domain up a stage."""
        return self.proposed is not self.current

    @property
    def pass_ratio(self) -> float | None:
        """The aligned pass share over the window, or ``None`` without messages."""
        return self.passed / self.messages if self.messages else None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "domain": self.domain,
            "current": self.current.value,
            "proposed": self.proposed.value,
            "advance": self.advance,
            "reason": self.reason,
            "messages": self.messages,
            "passed": self.passed,
            "pass_ratio": self.pass_ratio,
            "days": self.days,
        }


def next_stage(stage: DmarcPolicy) -> DmarcPolicy | None:
    """The stage after ``stage``, or ``None`` at ``reject``."""
    index = ORDER.index(stage)
    return ORDER[index + 1] if index + 1 < len(ORDER) else None


def decide_stage(
    domain: str,
    current: StageRecord | None,
    totals: Sequence[DailyTotals],
    policy: StagePolicy,
    now: datetime,
) -> StageDecision:
    """Whether ``domain`` may move up a stage, from its daily totals (any domains given)."""
    stage = current.stage if current else DmarcPolicy.NONE
    start = (now - timedelta(days=policy.window_days)).date()
    if current is not None:  # evidence counts only under the current stage
        start = max(start, current.changed_at.date() + timedelta(days=1))
    window = [t for t in totals if t.domain == domain and start <= t.day < now.date()]
    messages = sum(t.messages for t in window)
    passed = sum(t.passed for t in window)
    days = len({t.day for t in window if t.messages > 0})

    def hold(reason: str) -> StageDecision:
        return StageDecision(domain, stage, stage, reason, messages, passed, days)

    following = next_stage(stage)
    if following is None:
        return hold("already at reject")
    if days < policy.min_days:
        return hold(f"reports on {days} of the {policy.min_days} days needed")
    if messages < policy.min_messages:
        return hold(f"{messages} messages reported, {policy.min_messages} needed")
    ratio = passed / messages
    if ratio < policy.min_pass_ratio:
        return hold(
            f"aligned pass rate {ratio:.2%} below {policy.min_pass_ratio:.2%}: fix the "
            "failing sources first (a person decides any move down)"
        )
    return StageDecision(
        domain,
        stage,
        following,
        f"{ratio:.2%} of {messages} messages passed aligned over {days} days",
        messages,
        passed,
        days,
    )


def daily_totals(days: Sequence[SourceDay]) -> list[DailyTotals]:
    """Per-domain, per-day totals over every source IP."""
    sums: dict[tuple[str, date], list[int]] = {}
    for d in days:
        total = sums.setdefault((d.domain, d.day), [0, 0])
        total[0] += d.messages
        total[1] += d.passed
    return [DailyTotals(k[0], k[1], v[0], v[1]) for k, v in sorted(sums.items())]
