"""The daily gate: advance, hold, step back and pause, or resume, from measured evidence.

A domain advances one ramp day only on good evidence: enough volume to judge, bounce,
complaint and deferral rates under their thresholds, and no blocklist listing. A rate that is
high but not yet significant is a warning and holds the ramp. A breach (a listing, or a rate
whose lower confidence bound is over its threshold, so chance alone cannot explain it) steps
the ramp back and pauses the domain; it resumes at the lower step once the pause is over and no
listing remains. Every decision carries its evidence, its findings and a sentence for people.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

from mailfleet.core.fleet import Segment, Thresholds
from mailfleet.core.warmup.decision import Action, Decision, Finding, Level
from mailfleet.core.warmup.evidence import Evidence
from mailfleet.core.warmup.explain import explanation
from mailfleet.core.warmup.schedule import ramp_cap, target_day
from mailfleet.core.warmup.state import WarmupState


@dataclass(frozen=True, slots=True)
class GatePolicy:
    """Tunable gate rules; the defaults suit the case study's schedule."""

    window_days: int = 3  # sending days judged together
    lookback_days: int = 7  # how far back to look for those days
    min_volume: int = 20  # fewer sends than this cannot be judged
    warn_fraction: float = 0.75  # a rate over this share of its threshold is a warning
    confidence_z: float = 1.96  # a breach must be over the threshold at ~95 % confidence
    step_back_days: int = 7  # one schedule week back on a breach
    pause_days: int = 2  # days without sending after a breach


def wilson_lower(events: int, trials: int, z: float) -> float:
    """The Wilson score interval's lower bound for ``events`` in ``trials``."""
    if trials <= 0:
        return 0.0
    p = events / trials
    denominator = 1 + z * z / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - margin) / denominator)


def _rate_finding(
    signal: str, events: int, sent: int, threshold: float, policy: GatePolicy
) -> Finding:
    rate = events / sent if sent else 0.0
    shown = f"{signal} {rate:.2%} ({events}/{sent}) against {threshold:.2%}"
    if wilson_lower(events, sent, policy.confidence_z) > threshold:
        return Finding(signal, Level.BREACH, rate, threshold, f"{shown}: over, significantly")
    if rate > threshold * policy.warn_fraction:
        return Finding(signal, Level.WARNING, rate, threshold, f"{shown}: close to or over")
    return Finding(signal, Level.OK, rate, threshold, f"{shown}: under")


def assess(evidence: Evidence, thresholds: Thresholds, policy: GatePolicy) -> tuple[Finding, ...]:
    """Read every signal in ``evidence`` against ``thresholds``."""
    listed = (
        Finding("blocklist", Level.BREACH, 1.0, 0.0, "listed on " + ", ".join(evidence.listings))
        if evidence.listings
        else Finding("blocklist", Level.OK, 0.0, 0.0, "no blocklist listing")
    )
    if evidence.sent < policy.min_volume:
        volume = Finding(
            "volume",
            Level.INSUFFICIENT,
            float(evidence.sent),
            float(policy.min_volume),
            f"{evidence.sent} sent in the window, {policy.min_volume} needed to judge",
        )
        return (listed, volume)
    volume = Finding(
        "volume", Level.OK, float(evidence.sent), float(policy.min_volume), "enough to judge"
    )
    return (
        listed,
        volume,
        _rate_finding("bounce", evidence.bounced, evidence.sent, thresholds.bounce_rate, policy),
        _rate_finding(
            "complaint", evidence.complained, evidence.sent, thresholds.complaint_rate, policy
        ),
        _rate_finding(
            "deferral", evidence.deferred, evidence.sent, thresholds.deferral_rate, policy
        ),
    )


_IPS_PAUSED = Finding(
    "sending-ips", Level.WARNING, 1.0, 0.0, "every sending IP is paused: nothing can go out"
)


def decide(
    state: WarmupState,
    segment: Segment,
    evidence: Evidence,
    day: date,
    policy: GatePolicy | None = None,
    *,
    ips_paused: bool = False,
) -> tuple[Decision, WarmupState]:
    """The decision at the end of ``day`` and the state it leaves for ``day + 1``.

    ``ips_paused`` says every sending IP of the domain is paused: it cannot send, so its
    ramp holds rather than climbing on old evidence while nothing goes out.
    """
    policy = policy or GatePolicy()
    tomorrow = day + timedelta(days=1)
    findings = assess(evidence, segment.thresholds, policy)
    if ips_paused:
        findings = (*findings, _IPS_PAUSED)
    worst = _worst(findings)
    before = state.ramp_day
    if not state.started(day):
        action, after = Action.WAIT, state
    elif state.paused_until is not None:
        action, after = _while_paused(state, evidence, tomorrow)
    elif worst is Level.BREACH:
        action = Action.STEP_BACK
        after = state.with_(
            ramp_day=max(0, before - policy.step_back_days),
            paused_until=tomorrow + timedelta(days=policy.pause_days),
        )
    elif worst in (Level.WARNING, Level.INSUFFICIENT):
        action, after = Action.HOLD, state
    elif before >= target_day(segment.schedule):
        action, after = Action.AT_TARGET, state
    else:
        action, after = Action.ADVANCE, state.with_(ramp_day=before + 1)
    sending = after.started(tomorrow) and after.paused_until is None
    next_cap = ramp_cap(segment.schedule, segment.daily_target, after.ramp_day) if sending else 0
    decision = Decision(
        domain=state.domain,
        day=day,
        action=action,
        ramp_day_before=before,
        ramp_day_after=after.ramp_day,
        next_cap=next_cap,
        paused_until=after.paused_until,
        evidence=evidence,
        findings=findings,
        explanation="",
    )
    return _explained(decision, state), after


def decide_member(
    state: WarmupState,
    segment: Segment,
    evidence: Evidence,
    day: date,
    share: int,
    policy: GatePolicy | None = None,
) -> tuple[Decision, WarmupState]:
    """The decision for a domain's mailbox or sending IP at the end of ``day``.

    Members have no ramp of their own: each sends a share of its domain's cap. A breach
    (listing, significant bounce, complaint or deferral rate) pauses the member for
    ``pause_days`` and hands its share to the others; anything else keeps it clear, since a
    single mailbox rarely sends enough in a day for a warning to mean much.
    """
    policy = policy or GatePolicy()
    tomorrow = day + timedelta(days=1)
    findings = assess(evidence, segment.thresholds, policy)
    if not state.started(day):
        action, after = Action.WAIT, state
    elif state.paused_until is not None:
        action, after = _while_paused(state, evidence, tomorrow)
    elif _worst(findings) is Level.BREACH:
        action = Action.PAUSE
        after = state.with_(paused_until=tomorrow + timedelta(days=policy.pause_days))
    else:
        action, after = Action.CLEAR, state
    decision = Decision(
        domain=state.domain,
        day=day,
        action=action,
        ramp_day_before=state.ramp_day,
        ramp_day_after=after.ramp_day,
        next_cap=0 if after.paused or not after.started(tomorrow) else share,
        paused_until=after.paused_until,
        evidence=evidence,
        findings=findings,
        explanation="",
    )
    return _explained(decision, state), after


def _while_paused(
    state: WarmupState, evidence: Evidence, tomorrow: date
) -> tuple[Action, WarmupState]:
    """A paused domain resumes once its pause is over and no listing remains."""
    assert state.paused_until is not None
    if evidence.listings or tomorrow < state.paused_until:
        return Action.PAUSED, state
    return Action.RESUME, state.with_(paused_until=None, evidence_since=tomorrow)


def _worst(findings: tuple[Finding, ...]) -> Level:
    order = (Level.BREACH, Level.WARNING, Level.INSUFFICIENT)
    for level in order:
        if any(f.level is level for f in findings):
            return level
    return Level.OK


def _explained(decision: Decision, state: WarmupState) -> Decision:
    return replace(decision, explanation=explanation(decision, state))
