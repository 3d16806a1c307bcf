"""Sentences for people: why a warmup decision went the way it did."""

from __future__ import annotations

from mailfleet.core.warmup.decision import Action, Decision, Finding
from mailfleet.core.warmup.schedule import week_of
from mailfleet.core.warmup.state import WarmupState


def _window(decision: Decision) -> str:
    days = decision.evidence.days
    if not days:
        return "no sending in the window"
    span = days[0].isoformat() if len(days) == 1 else f"{days[0]}..{days[-1]}"
    return f"{len(days)} sending day{'s' if len(days) != 1 else ''} ({span})"


def _signals(findings: tuple[Finding, ...], levels: tuple[str, ...]) -> str:
    chosen = [f.detail for f in findings if str(f.level) in levels]
    return "; ".join(chosen)


def explanation(decision: Decision, state: WarmupState) -> str:
    """One or two sentences: what was decided, on which evidence, and what happens next."""
    action = decision.action
    where = f"ramp day {decision.ramp_day_after} (week {week_of(decision.ramp_day_after)})"
    cap = f"{decision.next_cap:,}/day"
    if action is Action.WAIT:
        return f"Not started: the ramp begins on {state.start_day.isoformat()}."
    if action is Action.PAUSED:
        why = (
            f"still listed on {', '.join(decision.evidence.listings)}"
            if decision.evidence.listings
            else f"pause runs until {state.paused_until}"
        )
        return f"Paused after a breach: {why}; nothing is sent."
    if action is Action.RESUME:
        if decision.domain.startswith(("ip:", "mailbox:")):
            return f"Pause over and no listing: sends its share again, {cap}."
        return f"Pause over and no listing: resumes at {where}, cap {cap}; evidence restarts."
    evidence = _window(decision)
    if action is Action.PAUSE:
        bad = _signals(decision.findings, ("breach",))
        return (
            f"Breach over {evidence}: {bad}. Paused until {decision.paused_until}; "
            "its share goes to the domain's other members."
        )
    if action is Action.CLEAR:
        notes = _signals(decision.findings, ("warning",))
        tail = f" (watch: {notes})" if notes else ""
        return f"In good standing: sends its share, {cap}{tail}."
    if action is Action.STEP_BACK:
        bad = _signals(decision.findings, ("breach",))
        return (
            f"Breach over {evidence}: {bad}. Stepped back from ramp day "
            f"{decision.ramp_day_before} to {decision.ramp_day_after} and paused until "
            f"{decision.paused_until}."
        )
    if action is Action.HOLD:
        bad = _signals(decision.findings, ("warning", "insufficient"))
        return f"Held at {where}, cap {cap}, over {evidence}: {bad}."
    good = _signals(decision.findings, ("ok",))
    if action is Action.AT_TARGET:
        return f"At target ({cap}): {evidence} were clean: {good}."
    return f"Advanced to {where}, cap {cap}: {evidence} were clean: {good}."
