"""Mailboxes and sending IPs are gated on their own evidence; a paused one's share moves."""

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
from mailfleet.core.warmup.evidence import DayMetrics, Evidence
from mailfleet.core.warmup.gate import decide_member
from mailfleet.core.warmup.members import member_subjects, share_among
from mailfleet.core.warmup.plan import plan_fleet_day
from mailfleet.core.warmup.state import WarmupState
from mailfleet.services.warmup import (
    WarmupPorts,
    explain,
    run_daily_decisions,
    start_warmup,
    warmup_status,
)

MONDAY = date(2026, 1, 5)
TUESDAY = MONDAY + timedelta(days=1)  # pool-a starts one sending day after the first
IP_A = "ip:198.51.100.20"
IP_B = "ip:2001:db8::20"
SDR01 = "mailbox:sdr01@acme-outreach.example"


def test_member_decisions_clear_pause_and_resume(init_fleet: Fleet) -> None:
    """Clean or thin evidence keeps a member clear; a breach pauses it; it then resumes."""
    segment = init_fleet.segments["pool-a"]
    member = WarmupState(IP_A, MONDAY)
    clear, after = decide_member(member, segment, Evidence((MONDAY,), 5, 1, 0, 0), MONDAY, 50)
    assert clear.action is Action.CLEAR
    assert clear.next_cap == 50
    listed = Evidence((MONDAY,), 100, 0, 0, 0, ("zen.example",))
    paused, after = decide_member(member, segment, listed, MONDAY, 50)
    assert paused.action is Action.PAUSE
    assert paused.next_cap == 0
    assert "Paused until" in paused.explanation
    still, _ = decide_member(after, segment, Evidence((), 0, 0, 0, 0), MONDAY, 50)
    assert still.action is Action.PAUSED
    later = MONDAY + timedelta(days=2)
    resumed, after = decide_member(after, segment, Evidence((), 0, 0, 0, 0), later, 50)
    assert resumed.action is Action.RESUME
    assert not after.paused


def test_share_among_skips_paused_members() -> None:
    """A paused member gets nothing and the clear ones split the whole total."""
    assert share_among(101, ["a", "b", "c"], {"b"}) == {"a": 51, "b": 0, "c": 50}
    assert share_among(10, ["a"], {"a"}) == {"a": 0}


@pytest.fixture
def ports() -> WarmupPorts:
    return WarmupPorts(InMemoryWarmupStore(), InMemoryMetrics(), InMemoryBlocklist())


def test_listed_ip_is_paused_and_its_share_moves(init_fleet: Fleet, ports: WarmupPorts) -> None:
    """A listed sending IP pauses alone; the domain's other IP carries the whole cap."""
    start_warmup(init_fleet, ports, MONDAY)
    assert isinstance(ports.blocklist, InMemoryBlocklist)
    assert isinstance(ports.metrics, InMemoryMetrics)
    ports.metrics.add("acme-outreach.example", DayMetrics(TUESDAY, sent=20))
    ports.blocklist.list(IP_A, "zen.example")
    decisions = {d.domain: d for d in run_daily_decisions(init_fleet, ports, TUESDAY)}
    assert decisions[IP_A].action is Action.PAUSE
    assert decisions[IP_B].action is Action.CLEAR
    assert decisions["acme-outreach.example"].action is Action.ADVANCE
    plan = plan_fleet_day(init_fleet, ports.store.states(), TUESDAY + timedelta(days=1))
    outreach = plan["acme-outreach.example"]
    assert outreach.ip_caps == {"198.51.100.20": 0, "2001:db8::20": outreach.cap}
    rows = {r.domain: r for r in warmup_status(init_fleet, ports, TUESDAY)}
    assert rows["acme-outreach.example"].paused_members == (IP_A,)
    assert rows["acme-reach.example"].paused_members == ()
    explained = explain(init_fleet, ports, "acme-outreach.example", TUESDAY)
    assert [d.domain for d in explained.paused_members] == [IP_A]
    assert "zen.example" in explained.paused_members[0].explanation


def test_a_domain_whose_only_ip_is_paused_sends_nothing(
    init_fleet: Fleet, ports: WarmupPorts
) -> None:
    """With its single IP paused the primary domain's plan allows nothing."""
    start_warmup(init_fleet, ports, MONDAY - timedelta(days=1))
    assert isinstance(ports.blocklist, InMemoryBlocklist)
    ports.blocklist.list("ip:192.0.2.10", "zen.example")
    run_daily_decisions(init_fleet, ports, MONDAY)
    plan = plan_fleet_day(init_fleet, ports.store.states(), MONDAY + timedelta(days=1))
    assert plan["acme.example"].cap == 0


def test_a_bouncing_mailbox_is_paused_alone(init_fleet: Fleet, ports: WarmupPorts) -> None:
    """A mailbox with significant bounces pauses; the other 19 share the domain's cap."""
    start_warmup(init_fleet, ports, MONDAY)
    assert isinstance(ports.metrics, InMemoryMetrics)
    ports.metrics.add("acme-outreach.example", DayMetrics(TUESDAY, sent=200, bounced=3))
    ports.metrics.add(SDR01, DayMetrics(TUESDAY, sent=30, bounced=3))
    decisions = {d.domain: d for d in run_daily_decisions(init_fleet, ports, TUESDAY)}
    assert decisions[SDR01].action is Action.PAUSE
    others = list(member_subjects(init_fleet.domain("acme-outreach.example")))
    assert sum(1 for s in others if decisions[s].action is Action.PAUSE) == 1
    plan = plan_fleet_day(init_fleet, ports.store.states(), TUESDAY + timedelta(days=1))
    outreach = plan["acme-outreach.example"]
    assert outreach.mailbox_caps["sdr01@acme-outreach.example"] == 0
    assert sum(outreach.mailbox_caps.values()) == outreach.cap
