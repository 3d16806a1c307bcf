"""Every gating transition: wait, advance, hold, step back and pause, stay paused, resume."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mailfleet.core.fleet import Fleet, Segment
from mailfleet.core.warmup.decision import Action, Level
from mailfleet.core.warmup.evidence import DayMetrics, Evidence, collect_evidence
from mailfleet.core.warmup.gate import GatePolicy, decide, wilson_lower
from mailfleet.core.warmup.state import WarmupState

MONDAY = date(2026, 1, 5)


def evidence(
    sent: int = 300, bounced: int = 0, complained: int = 0, deferred: int = 0, **kw: object
) -> Evidence:
    listings = kw.get("listings", ())
    assert isinstance(listings, tuple)
    return Evidence((MONDAY,), sent, bounced, complained, deferred, listings)


@pytest.fixture
def primary(init_fleet: Fleet) -> Segment:
    return init_fleet.segments["primary"]


def state(ramp_day: int = 5, **kw: object) -> WarmupState:
    return WarmupState("acme.example", start_day=MONDAY, ramp_day=ramp_day).with_(**kw)


def test_clean_evidence_advances_one_day(primary: Segment) -> None:
    """Enough volume and clean rates move the ramp one day up and raise tomorrow's cap."""
    decision, after = decide(state(5), primary, evidence(), MONDAY)
    assert decision.action is Action.ADVANCE
    assert after.ramp_day == 6
    assert decision.next_cap == 50
    assert "Advanced to ramp day 6" in decision.explanation


def test_before_the_start_day_the_domain_waits(primary: Segment) -> None:
    """A domain whose start is later waits, and gets its first cap the day before it starts."""
    later = WarmupState("acme.example", start_day=MONDAY + timedelta(days=3))
    decision, after = decide(later, primary, evidence(0), MONDAY)
    assert decision.action is Action.WAIT
    assert decision.next_cap == 0
    decision, _ = decide(later, primary, evidence(0), MONDAY + timedelta(days=2))
    assert decision.next_cap == 20
    assert after == later


def test_too_little_volume_holds(primary: Segment) -> None:
    """Under the minimum volume the gate cannot judge, so the ramp holds."""
    decision, after = decide(state(5), primary, evidence(sent=10), MONDAY)
    assert decision.action is Action.HOLD
    assert after.ramp_day == 5
    assert any(f.level is Level.INSUFFICIENT for f in decision.findings)


def test_a_high_but_not_significant_rate_is_a_warning_that_holds(primary: Segment) -> None:
    """One bounce in 40 (2.5 %) is over the line but not significant: hold, do not punish."""
    decision, after = decide(state(5), primary, evidence(sent=40, bounced=1), MONDAY)
    assert decision.action is Action.HOLD
    assert after == state(5)
    assert "bounce" in decision.explanation


def test_warning_fires_below_the_threshold(primary: Segment) -> None:
    """A complaint rate at 80 % of its threshold already holds the ramp."""
    decision, _ = decide(state(5), primary, evidence(sent=10_000, complained=8), MONDAY)
    assert decision.action is Action.HOLD


def test_deferrals_over_threshold_hold_or_breach(primary: Segment) -> None:
    """A significant deferral rate over 10 % is a breach; one just under is a warning."""
    decision, _ = decide(state(5), primary, evidence(sent=1_000, deferred=200), MONDAY)
    assert decision.action is Action.STEP_BACK
    decision, _ = decide(state(5), primary, evidence(sent=1_000, deferred=90), MONDAY)
    assert decision.action is Action.HOLD


def test_a_significant_complaint_rate_steps_back_and_pauses(primary: Segment) -> None:
    """Ten complaints in 2,000 (0.5 %) is a breach: one week back, paused for two days."""
    decision, after = decide(state(20), primary, evidence(sent=2_000, complained=10), MONDAY)
    assert decision.action is Action.STEP_BACK
    assert after.ramp_day == 13
    assert after.paused_until == MONDAY + timedelta(days=3)
    assert decision.next_cap == 0
    assert "Stepped back from ramp day 20 to 13" in decision.explanation


def test_step_back_never_goes_below_day_zero(primary: Segment) -> None:
    """A breach in week one steps back to the first day, not below."""
    _, after = decide(state(3), primary, evidence(sent=100, bounced=20), MONDAY)
    assert after.ramp_day == 0


def test_a_blocklist_listing_is_a_breach(primary: Segment) -> None:
    """A listing steps back and pauses even when every rate is clean."""
    decision, after = decide(state(9), primary, evidence(listings=("dbl.example",)), MONDAY)
    assert decision.action is Action.STEP_BACK
    assert after.paused


def test_paused_until_the_pause_ends_then_resumes_with_fresh_evidence(primary: Segment) -> None:
    """A paused domain sends nothing until its pause ends, then resumes at the lower step."""
    paused = state(13, paused_until=MONDAY + timedelta(days=3))
    decision, after = decide(paused, primary, evidence(0), MONDAY)
    assert decision.action is Action.PAUSED
    assert decision.next_cap == 0
    decision, after = decide(paused, primary, evidence(0), MONDAY + timedelta(days=2))
    assert decision.action is Action.RESUME
    assert not after.paused
    assert after.evidence_since == MONDAY + timedelta(days=3)
    assert decision.next_cap == 200


def test_a_listing_keeps_the_domain_paused(primary: Segment) -> None:
    """A pause does not end while the domain or its IP is still listed."""
    paused = state(13, paused_until=MONDAY)
    decision, after = decide(paused, primary, evidence(0, listings=("zen.example",)), MONDAY)
    assert decision.action is Action.PAUSED
    assert after.paused
    assert "still listed on zen.example" in decision.explanation


def test_at_target_with_clean_evidence_stays_at_target(primary: Segment) -> None:
    """A domain on its target week keeps full volume without advancing further."""
    decision, after = decide(state(35), primary, evidence(sent=6_000), MONDAY)
    assert decision.action is Action.AT_TARGET
    assert after.ramp_day == 35
    assert decision.next_cap == 2_000


def test_segment_thresholds_apply(init_fleet: Fleet) -> None:
    """Transactional's 1 % bounce threshold steps back where primary's 2 % would not."""
    rates = evidence(sent=5_000, bounced=75)
    tx, _ = decide(state(20), init_fleet.segments["transactional"], rates, MONDAY)
    primary, _ = decide(state(20), init_fleet.segments["primary"], rates, MONDAY)
    assert tx.action is Action.STEP_BACK
    assert primary.action is Action.ADVANCE


def test_decisions_are_json_ready(primary: Segment) -> None:
    """A decision renders its evidence and findings as plain data."""
    decision, _ = decide(state(5), primary, evidence(sent=500, bounced=2), MONDAY)
    data = decision.as_dict()
    evidence_data = data["evidence"]
    assert isinstance(evidence_data, dict)
    assert evidence_data["bounced"] == 2
    assert data["action"] == "advance"
    assert {f["signal"] for f in data["findings"]} == {  # type: ignore[attr-defined]
        "blocklist",
        "volume",
        "bounce",
        "complaint",
        "deferral",
    }


def test_wilson_lower_bound() -> None:
    """The lower bound is under the observed rate and tightens with more trials."""
    assert wilson_lower(0, 100, 1.96) == 0.0
    assert wilson_lower(5, 100, 1.96) < 0.05
    assert wilson_lower(50, 1_000, 1.96) > wilson_lower(5, 100, 1.96)
    assert wilson_lower(1, 0, 1.96) == 0.0


def test_evidence_uses_the_last_sending_days_since_resume() -> None:
    """Weekends are skipped, the window keeps the last N sending days, and pre-resume days drop."""
    history = [DayMetrics(MONDAY + timedelta(days=i), sent=100, bounced=i) for i in range(5)]
    saturday = MONDAY + timedelta(days=5)
    window = collect_evidence(history, saturday + timedelta(days=1), window_days=3, lookback_days=7)
    assert window.days == tuple(MONDAY + timedelta(days=i) for i in (2, 3, 4))
    assert window.bounced == 2 + 3 + 4
    fresh = collect_evidence(
        history, saturday, window_days=3, lookback_days=7, since=MONDAY + timedelta(days=4)
    )
    assert fresh.sent == 100
    stale = collect_evidence(history, MONDAY + timedelta(days=20), window_days=3, lookback_days=7)
    assert stale.sent == 0


def test_custom_policy_changes_the_step_back(primary: Segment) -> None:
    """The policy is data: a half-week step back and a longer pause."""
    policy = GatePolicy(step_back_days=3, pause_days=5)
    rates = evidence(sent=2_000, complained=10)
    _, after = decide(state(20), primary, rates, MONDAY, policy)
    assert after.ramp_day == 17
    assert after.paused_until == MONDAY + timedelta(days=6)


def test_a_domain_whose_ips_are_all_paused_holds(primary: Segment) -> None:
    """Clean old evidence does not advance a domain that cannot send: it holds."""
    decision, after = decide(state(5), primary, evidence(), MONDAY, ips_paused=True)
    assert decision.action is Action.HOLD
    assert after.ramp_day == 5
    assert "every sending IP is paused" in decision.explanation
