"""Warmup decisions as values: the action, the findings behind it and the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from mailfleet.core.warmup.evidence import Evidence
from mailfleet.core.warmup.schedule import week_of


class Action(StrEnum):
    """What a daily decision does to a domain's ramp."""

    WAIT = "wait"  # not started yet
    ADVANCE = "advance"  # one ramp day up
    AT_TARGET = "at-target"  # good evidence at full volume: stays there
    HOLD = "hold"  # warning or too little volume: same ramp day again
    STEP_BACK = "step-back"  # breach: ramp back and pause
    PAUSED = "paused"  # still paused
    RESUME = "resume"  # pause over: sends again at the stepped-back ramp day
    CLEAR = "clear"  # a mailbox or IP in good standing: sends its share of the domain's cap
    PAUSE = "pause"  # a mailbox or IP breached: its share goes to the others for a while


class Level(StrEnum):
    """How one signal in the evidence reads."""

    OK = "ok"
    INSUFFICIENT = "insufficient"
    WARNING = "warning"
    BREACH = "breach"


@dataclass(frozen=True, slots=True)
class Finding:
    """One signal: its measured value, its threshold, and how it reads."""

    signal: str
    level: Level
    value: float
    threshold: float
    detail: str

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "signal": self.signal,
            "level": str(self.level),
            "value": self.value,
            "threshold": self.threshold,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    """One decision at the end of ``day``, setting the cap for the next day.

    ``domain`` names the subject: a domain, or one of its members as ``ip:ADDRESS`` or
    ``mailbox:ADDRESS`` (see ``core.warmup.members``).
    """

    domain: str
    day: date
    action: Action
    ramp_day_before: int
    ramp_day_after: int
    next_cap: int
    paused_until: date | None
    evidence: Evidence
    findings: tuple[Finding, ...]
    explanation: str

    @property
    def week(self) -> int:
        """The schedule week the domain sends in after this decision."""
        return week_of(self.ramp_day_after)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form, as stored and as printed by ``--json``."""
        return {
            "domain": self.domain,
            "day": self.day.isoformat(),
            "action": str(self.action),
            "ramp_day_before": self.ramp_day_before,
            "ramp_day_after": self.ramp_day_after,
            "week": self.week,
            "next_cap": self.next_cap,
            "paused_until": self.paused_until.isoformat() if self.paused_until else None,
            "evidence": self.evidence.as_dict(),
            "findings": [f.as_dict() for f in self.findings],
            "explanation": self.explanation,
        }


def decision_from_dict(data: dict[str, object]) -> Decision:
    """Rebuild a decision from ``Decision.as_dict()`` output (as stored)."""
    raw_evidence = data["evidence"]
    raw_findings = data["findings"]
    assert isinstance(raw_evidence, dict)
    assert isinstance(raw_findings, list)
    evidence = Evidence(
        days=tuple(date.fromisoformat(d) for d in raw_evidence["days"]),
        sent=int(raw_evidence["sent"]),
        bounced=int(raw_evidence["bounced"]),
        complained=int(raw_evidence["complained"]),
        deferred=int(raw_evidence["deferred"]),
        listings=tuple(raw_evidence["listings"]),
    )
    findings = tuple(
        Finding(
            signal=str(f["signal"]),
            level=Level(f["level"]),
            value=float(f["value"]),
            threshold=float(f["threshold"]),
            detail=str(f["detail"]),
        )
        for f in raw_findings
    )
    paused = data.get("paused_until")
    return Decision(
        domain=str(data["domain"]),
        day=date.fromisoformat(str(data["day"])),
        action=Action(str(data["action"])),
        ramp_day_before=int(str(data["ramp_day_before"])),
        ramp_day_after=int(str(data["ramp_day_after"])),
        next_cap=int(str(data["next_cap"])),
        paused_until=date.fromisoformat(str(paused)) if paused else None,
        evidence=evidence,
        findings=findings,
        explanation=str(data["explanation"]),
    )
