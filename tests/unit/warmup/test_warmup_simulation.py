"""The simulator drives the real engine: the default fleet warms up; a spike is contained."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailfleet.bootstrap import build
from mailfleet.core.fleet import Fleet
from mailfleet.core.simulation.report import SimulationReport
from mailfleet.services.simulation import shipped_world, simulate
from mailfleet.settings import Settings

START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday


def run(fleet: Fleet, scenario: str, days: int = 42) -> SimulationReport:
    world, scenarios = shipped_world()
    kit = build(Settings()).simulation_kit(START)
    return simulate(fleet, world, scenarios[scenario], days, kit)


@pytest.fixture(scope="module")
def default_run(init_fleet: Fleet) -> SimulationReport:
    return run(init_fleet, "default")


@pytest.fixture(scope="module")
def spike_run(init_fleet: Fleet) -> SimulationReport:
    return run(init_fleet, "complaint-spike")


def test_default_reaches_every_target_within_six_weeks(default_run: SimulationReport) -> None:
    """Every domain of the `mailfleet init` fleet sends its target by day 41, with no breach."""
    for summary in default_run.summaries:
        assert summary.reached_target_day is not None, summary.domain
        assert summary.reached_target_day <= 41
        assert summary.final_cap == summary.target
        assert summary.step_backs == 0
    assert not {r.decision for r in default_run.rows} & {"step-back", "paused"}


def test_default_caps_only_rise(default_run: SimulationReport) -> None:
    """Without incidents no domain's cap ever goes down."""
    for summary in default_run.summaries:
        caps = [r.cap for r in default_run.for_domain(summary.domain)]
        assert caps == sorted(caps)


def test_senders_get_exactly_the_cap_on_sending_days(default_run: SimulationReport) -> None:
    """Senders always want more; the limiter grants exactly the paced cap and refuses the rest."""
    business = [r for r in default_run.rows if r.sent > 0]
    assert business
    for row in business:
        assert row.sent == row.cap
        assert row.refused > 0


def test_priorities_show_in_start_days(default_run: SimulationReport) -> None:
    """Primary, transactional and monitoring send on day 0; pools start staggered later."""
    first_send = {
        s.domain: next(r.day for r in default_run.for_domain(s.domain) if r.sent > 0)
        for s in default_run.summaries
    }
    assert first_send["acme.example"] == 0
    assert first_send["acme-notify.example"] == 0
    pools = [first_send[d] for d in ("acme-outreach.example", "acme-reach.example")]
    pools.append(first_send["acme-connect.example"])
    assert 0 < pools[0] < pools[1] < pools[2]


def test_spike_pauses_the_affected_pool_domain(spike_run: SimulationReport) -> None:
    """The pool-a domain with the complaint spike is stepped back and paused in week 3."""
    affected = spike_run.for_domain("acme-outreach.example")
    spike_week = [r for r in affected if 14 <= r.day <= 24]
    assert {"step-back", "paused"} <= {r.decision for r in spike_week}
    assert any(r.cap == 0 for r in spike_week)
    assert spike_run.summary("acme-outreach.example").reached_target_day is None


def test_spike_leaves_primary_transactional_and_other_pools_alone(
    spike_run: SimulationReport, default_run: SimulationReport
) -> None:
    """Primary, transactional and the other pool domains ramp exactly as without the spike."""
    for domain in ("acme.example", "acme-notify.example", "acme-reach.example"):
        assert spike_run.summary(domain) == default_run.summary(domain)
        assert [r.cap for r in spike_run.for_domain(domain)] == [
            r.cap for r in default_run.for_domain(domain)
        ]


def test_runs_are_repeatable(init_fleet: Fleet, spike_run: SimulationReport) -> None:
    """The same scenario twice gives the same report."""
    assert run(init_fleet, "complaint-spike") == spike_run


def test_report_is_json_ready(default_run: SimulationReport) -> None:
    """Each row carries cap, sent, rates, stage and decision for the JSON output."""
    data = default_run.as_dict()
    rows = data["rows"]
    assert isinstance(rows, list)
    assert len(rows) == 42 * 6
    assert {"cap", "sent", "bounce_rate", "complaint_rate", "week", "decision"} <= set(rows[0])


def test_ip_listing_stops_its_domain_only_while_listed(
    init_fleet: Fleet, default_run: SimulationReport
) -> None:
    """pool-b's only IP listed on days 22-24: the IP pauses, the domain holds without
    sending until the pause ends, never steps back, and the other domains are untouched."""
    world, scenarios = shipped_world()
    kit = build(Settings()).simulation_kit(START)
    report = simulate(init_fleet, world, scenarios["ip-listing"], 30, kit)
    connect = report.for_domain("acme-connect.example")
    assert [r.sent for r in connect if 23 <= r.day <= 25] == [0, 0, 0]
    assert {r.decision for r in connect if 23 <= r.day <= 25} == {"hold"}
    assert connect[28].sent > 0
    assert report.summary("acme-connect.example").step_backs == 0
    ip = [d.action for d in reversed(kit.ports.store.decisions("ip:203.0.113.30", 10))]
    assert "pause" in ip
    assert "resume" in ip
    primary = report.for_domain("acme.example")
    assert [r.cap for r in primary] == [r.cap for r in default_run.for_domain("acme.example")][:30]
