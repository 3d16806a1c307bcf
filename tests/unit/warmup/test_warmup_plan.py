"""Day plans: the caps, slots, audience and shares a sender works under."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from ipaddress import ip_address

from mailfleet.core.fleet import Audience, Fleet
from mailfleet.core.warmup.limits import Scope
from mailfleet.core.warmup.plan import plan_fleet_day
from mailfleet.core.warmup.state import WarmupState

MONDAY = date(2026, 1, 5)
NOON_NY = datetime(2026, 1, 5, 17, 0, tzinfo=UTC)


def states(fleet: Fleet, ramp_day: int, **kw: object) -> dict[str, WarmupState]:
    return {
        d.name: WarmupState(d.name, MONDAY, ramp_day=ramp_day).with_(**kw) for d in fleet.domains
    }


def test_plan_carries_cap_audience_slots_and_shares(init_fleet: Fleet) -> None:
    """A pool domain on ramp day 14 may send 500, to engaged recipients, over 12 hours."""
    plan = plan_fleet_day(init_fleet, states(init_fleet, 14), MONDAY)["acme-outreach.example"]
    assert plan.cap == 500
    assert plan.audience is Audience.ENGAGED
    assert sum(s.ceiling for s in plan.slots) == 500
    assert sum(plan.mailbox_caps.values()) == 500
    assert plan.ip_caps == {"198.51.100.20": 250, "2001:db8::20": 250}


def test_checks_name_every_cap_and_none_outside_hours(init_fleet: Fleet) -> None:
    """Inside hours a send is checked on domain day/hour, mailbox and IP; at night, not at all."""
    plan = plan_fleet_day(init_fleet, states(init_fleet, 14), MONDAY)["acme-outreach.example"]
    checks = plan.checks(NOON_NY, mailbox="sdr01@acme-outreach.example", ip="198.51.100.20")
    assert checks is not None
    assert [c.scope for c in checks] == [Scope.DOMAIN, Scope.DOMAIN, Scope.MAILBOX, Scope.IP]
    assert checks[2].limit == 25
    assert checks[3].limit == 250
    assert plan.checks(datetime(2026, 1, 5, 3, 0, tzinfo=UTC)) is None


def test_paused_or_unstarted_domains_may_not_send(init_fleet: Fleet) -> None:
    """A paused domain and one that starts later both plan zero and get no checks."""
    paused = states(init_fleet, 14, paused_until=date(2026, 1, 8))
    plan = plan_fleet_day(init_fleet, paused, MONDAY)["acme.example"]
    assert plan.cap == 0
    assert all(s.ceiling == 0 for s in plan.slots)
    assert plan.checks(NOON_NY) is None
    later = {n: s.with_(start_day=date(2026, 1, 9)) for n, s in states(init_fleet, 0).items()}
    assert plan_fleet_day(init_fleet, later, MONDAY)["acme.example"].cap == 0


def test_an_ip_shared_by_two_domains_is_capped_once_for_both(init_fleet: Fleet) -> None:
    """When two domains send from one IP, its cap is the sum of their shares, under one key."""
    shared = ip_address("192.0.2.10")
    notify = init_fleet.domain("acme-notify.example")
    domains = tuple(
        replace(d, sending_ips=(shared,)) if d is notify else d for d in init_fleet.domains
    )
    fleet = replace(init_fleet, domains=domains)
    plans = plan_fleet_day(fleet, states(fleet, 7), MONDAY)
    assert plans["acme.example"].ip_caps["192.0.2.10"] == 200
    assert plans["acme-notify.example"].ip_caps["192.0.2.10"] == 200
    one = plans["acme.example"].checks(NOON_NY, ip="192.0.2.10")
    two = plans["acme-notify.example"].checks(NOON_NY, ip="192.0.2.10")
    assert one is not None
    assert two is not None
    assert one[-1].key == two[-1].key == "ip:192.0.2.10:day"
    assert one[-1].limit == plans["acme.example"].cap + plans["acme-notify.example"].cap
