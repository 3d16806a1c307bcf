"""Warmup use cases on the in-memory twins: start, daily decisions, status, explain."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mailfleet.adapters.warmup.memory import (
    InMemoryBlocklist,
    InMemoryMetrics,
    InMemoryWarmupStore,
)
from mailfleet.core.fleet import Fleet
from mailfleet.core.warmup.decision import Action
from mailfleet.core.warmup.errors import UnknownDomain
from mailfleet.core.warmup.evidence import DayMetrics
from mailfleet.services.warmup import (
    WarmupPorts,
    explain,
    run_daily_decisions,
    start_warmup,
    warmup_status,
)

MONDAY = date(2026, 1, 5)


@pytest.fixture
def ports() -> WarmupPorts:
    return WarmupPorts(InMemoryWarmupStore(), InMemoryMetrics(), InMemoryBlocklist())


def test_start_staggers_by_priority_and_is_idempotent(
    init_fleet: Fleet, ports: WarmupPorts
) -> None:
    """Start days follow the priorities, and starting again keeps existing ramps."""
    states = start_warmup(init_fleet, ports, MONDAY)
    assert states["acme.example"].start_day == MONDAY
    assert states["acme-connect.example"].start_day == MONDAY + timedelta(days=4)
    again = start_warmup(init_fleet, ports, MONDAY + timedelta(days=9))
    assert again == states


def test_daily_decisions_read_metrics_and_listings(init_fleet: Fleet, ports: WarmupPorts) -> None:
    """Clean metrics advance a domain; a listing steps another back; late starters wait."""
    start_warmup(init_fleet, ports, MONDAY)
    assert isinstance(ports.metrics, InMemoryMetrics)
    assert isinstance(ports.blocklist, InMemoryBlocklist)
    ports.metrics.add("acme.example", DayMetrics(MONDAY, sent=20))
    ports.metrics.add("acme-notify.example", DayMetrics(MONDAY, sent=20))
    ports.blocklist.list("acme-notify.example", "zen.example")
    decisions = {d.domain: d for d in run_daily_decisions(init_fleet, ports, MONDAY)}
    assert decisions["acme.example"].action is Action.ADVANCE
    assert decisions["acme-notify.example"].action is Action.STEP_BACK
    assert decisions["acme-reach.example"].action is Action.WAIT
    assert decisions["acme-ops.example"].action is Action.HOLD  # nothing sent: cannot judge
    assert ports.store.states()["acme.example"].ramp_day == 1


def test_status_reports_cap_sent_and_the_next_decision(
    init_fleet: Fleet, ports: WarmupPorts
) -> None:
    """Status shows today's cap, what was sent, and what the gate would decide now."""
    start_warmup(init_fleet, ports, MONDAY)
    assert isinstance(ports.metrics, InMemoryMetrics)
    ports.metrics.add("acme.example", DayMetrics(MONDAY, sent=20, bounced=5))
    rows = {r.domain: r for r in warmup_status(init_fleet, ports, MONDAY)}
    primary = rows["acme.example"]
    assert primary.cap_today == 20
    assert primary.sent_today == 20
    assert primary.phase == "ramping"
    assert primary.next_decision is not None
    assert primary.next_decision.action is Action.STEP_BACK
    assert rows["acme-connect.example"].phase == "waiting"
    assert rows["acme-connect.example"].cap_today == 0
    assert ports.store.decisions("acme.example") == []  # a preview is never stored


def test_explain_lists_decisions_and_rejects_unknown_domains(
    init_fleet: Fleet, ports: WarmupPorts
) -> None:
    """Explain returns the stored decisions, newest first; an unknown domain is an error."""
    start_warmup(init_fleet, ports, MONDAY)
    for offset in range(3):
        day = MONDAY + timedelta(days=offset)
        assert isinstance(ports.metrics, InMemoryMetrics)
        ports.metrics.add("acme.example", DayMetrics(day, sent=30))
        run_daily_decisions(init_fleet, ports, day)
    result = explain(init_fleet, ports, "acme.example", MONDAY + timedelta(days=3))
    assert [d.day for d in result.decisions] == [MONDAY + timedelta(days=i) for i in (2, 1, 0)]
    assert result.status.state is not None
    assert result.status.state.ramp_day == 3
    assert "decisions" in result.as_dict()
    with pytest.raises(UnknownDomain):
        explain(init_fleet, ports, "nope.example", MONDAY)
