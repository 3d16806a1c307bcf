"""The alert engine: rules over a fact snapshot -> fired and resolved events, deduplicated.

Each (rule, subject) pair has a state. A condition that starts to hold fires once; while it
keeps holding nothing more is sent (deduplication); when it clears a resolve notice goes out.
A rule that fires again within its cooldown of the last notice sent is recorded but silenced,
and so is the resolve that follows it, so that a flapping rate does not page anyone twice.
Missing facts change nothing: no evidence neither fires nor resolves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from mailfleet.core.reputation.rules import (
    AlertRule,
    Condition,
    FactSnapshot,
    FactValue,
    Severity,
    SubjectFacts,
    SubjectKind,
    format_value,
)

AlertKey = tuple[str, SubjectKind, str]  # rule key, subject kind, subject name


@dataclass(frozen=True, slots=True)
class AlertState:
    """Where one (rule, subject) pair stands."""

    rule: str
    subject_kind: SubjectKind
    subject: str
    active: bool
    since: datetime | None = None  # when the current firing began
    notified: bool = False  # whether the current firing was sent
    last_notice_at: datetime | None = None  # when a fire notice was last sent
    resolved_at: datetime | None = None
    value: FactValue | None = None

    @property
    def key(self) -> AlertKey:
        """The (rule, subject kind, subject) key."""
        return (self.rule, self.subject_kind, self.subject)


class EventKind(StrEnum):
    """What happened to an alert."""

    FIRED = "fired"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class AlertEvent:
    """One alert transition; ``silenced`` ones are recorded but not sent."""

    kind: EventKind
    rule: str
    title: str
    severity: Severity
    subject_kind: SubjectKind
    subject: str
    at: datetime
    value: FactValue
    threshold: float | None
    message: str
    silenced: bool = False

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form (also the body of the generic webhook)."""
        return {
            "kind": self.kind.value,
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity.value,
            "subject_kind": self.subject_kind.value,
            "subject": self.subject,
            "at": self.at.isoformat(),
            "value": self.value,
            "threshold": self.threshold,
            "message": self.message,
            "silenced": self.silenced,
        }


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The events of one evaluation and every state it touched."""

    events: tuple[AlertEvent, ...]
    states: tuple[AlertState, ...]

    def to_send(self) -> tuple[AlertEvent, ...]:
        """The events that notify someone."""
        return tuple(e for e in self.events if not e.silenced)


def _threshold(rule: AlertRule, facts: SubjectFacts) -> float | None:
    if rule.threshold_fact and rule.threshold_fact in facts.values:
        return float(facts.values[rule.threshold_fact])
    return rule.threshold


def holds(rule: AlertRule, facts: SubjectFacts) -> bool | None:
    """Whether the rule's condition holds for ``facts``; None when there is no evidence."""
    if rule.fact not in facts.values:
        return None
    value = facts.values[rule.fact]
    if rule.min_volume and float(facts.values.get("sent", 0)) < rule.min_volume:
        return None
    if rule.when == Condition.TRUE:
        return bool(value)
    threshold = _threshold(rule, facts)
    return threshold is not None and float(value) > threshold


def _message(rule: AlertRule, facts: SubjectFacts, kind: EventKind) -> str:
    value = facts.values[rule.fact]
    threshold = _threshold(rule, facts)
    text = f"{rule.title}: {facts.kind.value} {facts.name}"
    if rule.when == Condition.ABOVE and threshold is not None:
        text += f", {rule.fact} {format_value(value, rule.unit)}"
        text += f" (threshold {format_value(threshold, rule.unit)})"
    detail = facts.details.get(rule.fact)
    if detail and kind == EventKind.FIRED:
        text += f": {detail}"
    return text if kind == EventKind.FIRED else f"resolved: {text}"


def _event(
    rule: AlertRule, facts: SubjectFacts, kind: EventKind, at: datetime, silenced: bool
) -> AlertEvent:
    return AlertEvent(
        kind=kind,
        rule=rule.key,
        title=rule.title,
        severity=rule.severity,
        subject_kind=facts.kind,
        subject=facts.name,
        at=at,
        value=facts.values[rule.fact],
        threshold=_threshold(rule, facts) if rule.when == Condition.ABOVE else None,
        message=_message(rule, facts, kind),
        silenced=silenced,
    )


def _step(
    rule: AlertRule, facts: SubjectFacts, state: AlertState, now: datetime
) -> tuple[AlertState, AlertEvent | None]:
    """One (rule, subject) pair: the new state and the event, if any."""
    condition = holds(rule, facts)
    if condition is None:
        return state, None
    value = facts.values[rule.fact]
    if condition and not state.active:
        in_cooldown = (
            state.last_notice_at is not None and now - state.last_notice_at < rule.cooldown
        )
        new = replace(
            state,
            active=True,
            since=now,
            notified=not in_cooldown,
            last_notice_at=state.last_notice_at if in_cooldown else now,
            value=value,
        )
        return new, _event(rule, facts, EventKind.FIRED, now, silenced=in_cooldown)
    if not condition and state.active:
        new = replace(state, active=False, resolved_at=now, value=value)
        return new, _event(rule, facts, EventKind.RESOLVED, now, silenced=not state.notified)
    return replace(state, value=value), None


def evaluate(
    rules: Iterable[AlertRule],
    snapshot: FactSnapshot,
    states: Mapping[AlertKey, AlertState],
) -> Evaluation:
    """Evaluate every rule on every subject of its kind; return events and touched states."""
    events: list[AlertEvent] = []
    touched: list[AlertState] = []
    for rule in rules:
        for facts in snapshot.of(rule.subject):
            key: AlertKey = (rule.key, facts.kind, facts.name)
            state = states.get(key) or AlertState(rule.key, facts.kind, facts.name, active=False)
            new, event = _step(rule, facts, state, snapshot.at)
            if event is not None or (key in states and new != state):
                touched.append(new)
            if event is not None:
                events.append(event)
    return Evaluation(tuple(events), tuple(touched))


def active_isolating(
    rules: Iterable[AlertRule], states: Iterable[AlertState]
) -> dict[tuple[SubjectKind, str], list[AlertState]]:
    """Active alerts of rules that isolate, by subject."""
    isolating = {r.key for r in rules if r.isolates}
    found: dict[tuple[SubjectKind, str], list[AlertState]] = {}
    for state in states:
        if state.active and state.rule in isolating:
            found.setdefault((state.subject_kind, state.subject), []).append(state)
    return found
