"""The alert engine: firing, deduplication, resolve notices and cooldown."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from mailfleet.core.reputation.engine import AlertKey, AlertState, EventKind, evaluate
from mailfleet.core.reputation.rules import FactSnapshot, FactValue, SubjectFacts, SubjectKind
from mailfleet.policy.alerts import load_rules

RULES = {r.key: r for r in load_rules()}
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def _domain(at: datetime, name: str = "pool.example", **values: FactValue) -> FactSnapshot:
    return FactSnapshot(at, (SubjectFacts(SubjectKind.DOMAIN, name, values),))


class Engine:
    """Runs evaluations in sequence, keeping state like the store would."""

    def __init__(self, *keys: str) -> None:
        self.rules = [RULES[k] for k in keys]
        self.states: dict[AlertKey, AlertState] = {}

    def run(self, snapshot: FactSnapshot) -> list[tuple[EventKind, str, bool]]:
        evaluation = evaluate(self.rules, snapshot, self.states)
        self.states.update({s.key: s for s in evaluation.states})
        return [(e.kind, e.subject, e.silenced) for e in evaluation.events]

    def active(self) -> Mapping[AlertKey, AlertState]:
        return {k: s for k, s in self.states.items() if s.active}


def test_breach_fires_once_then_resolves() -> None:
    """A complaint rate over 0.08 % fires once, stays quiet while it holds, resolves when clear."""
    engine = Engine("complaint-rate")
    over = {"sent": 10_000, "complaint_rate": 0.0009}
    assert engine.run(_domain(T0, **over)) == [(EventKind.FIRED, "pool.example", False)]
    assert engine.run(_domain(T0 + timedelta(hours=1), **over)) == []
    cleared = {"sent": 10_000, "complaint_rate": 0.0005}
    assert engine.run(_domain(T0 + timedelta(hours=2), **cleared)) == [
        (EventKind.RESOLVED, "pool.example", False)
    ]
    assert engine.active() == {}


def test_exactly_at_threshold_does_not_fire() -> None:
    """The rule is 'above': 2 % bounces exactly is not a breach, 2.01 % is."""
    engine = Engine("bounce-rate")
    assert engine.run(_domain(T0, sent=10_000, bounce_rate=0.02)) == []
    assert engine.run(_domain(T0, sent=10_000, bounce_rate=0.0201))[0][0] == EventKind.FIRED


def test_segment_threshold_overrides_the_default() -> None:
    """A segment's own bounce_alert (0.8 % for transactional) is the threshold used."""
    engine = Engine("bounce-rate")
    events = engine.run(_domain(T0, sent=1_000, bounce_rate=0.01, bounce_alert=0.008))
    assert events == [(EventKind.FIRED, "pool.example", False)]
    message = (
        evaluate(
            [RULES["bounce-rate"]],
            _domain(T0, sent=1_000, bounce_rate=0.01, bounce_alert=0.008),
            {},
        )
        .events[0]
        .message
    )
    assert "1.00 %" in message
    assert "threshold 0.80 %" in message


def test_low_volume_is_not_evidence() -> None:
    """Below the rule's minimum volume a rate neither fires nor resolves."""
    engine = Engine("complaint-rate")
    assert engine.run(_domain(T0, sent=100, complaint_rate=0.05)) == []
    engine.run(_domain(T0, sent=10_000, complaint_rate=0.001))
    assert engine.run(_domain(T0 + timedelta(hours=1), sent=10, complaint_rate=0.0)) == []
    assert engine.active()


def test_missing_fact_changes_nothing() -> None:
    """A subject without the fact keeps its alert as it was."""
    engine = Engine("dns-drift")
    engine.run(_domain(T0, dns_drift=True))
    assert engine.run(_domain(T0 + timedelta(hours=1))) == []
    assert engine.active()


def test_refire_within_cooldown_is_silenced() -> None:
    """Flapping: a re-fire soon after a notice is recorded silenced, and so is its resolve."""
    engine = Engine("dns-drift")
    engine.run(_domain(T0, dns_drift=True))
    engine.run(_domain(T0 + timedelta(hours=1), dns_drift=False))
    assert engine.run(_domain(T0 + timedelta(hours=2), dns_drift=True)) == [
        (EventKind.FIRED, "pool.example", True)
    ]
    assert engine.run(_domain(T0 + timedelta(hours=3), dns_drift=False)) == [
        (EventKind.RESOLVED, "pool.example", True)
    ]
    later = T0 + timedelta(hours=13)  # past the 12 h cooldown
    assert engine.run(_domain(later, dns_drift=True)) == [(EventKind.FIRED, "pool.example", False)]


def test_subjects_are_independent() -> None:
    """Each subject has its own alert state."""
    engine = Engine("relay-failing")
    snapshot = FactSnapshot(
        T0,
        (
            SubjectFacts(SubjectKind.RELAY, "ses", {"relay_failing": True}),
            SubjectFacts(SubjectKind.RELAY, "smtp", {"relay_failing": False}),
        ),
    )
    assert engine.run(snapshot) == [(EventKind.FIRED, "ses", False)]
    assert set(engine.states) == {("relay-failing", SubjectKind.RELAY, "ses")}


def test_warmup_held_counts_days() -> None:
    """A warmup held more than N days fires, with the days in the message."""
    evaluation = evaluate([RULES["warmup-held"]], _domain(T0, warmup_held_days=5), {})
    assert [e.rule for e in evaluation.events] == ["warmup-held"]
    assert "5 days" in evaluation.events[0].message
