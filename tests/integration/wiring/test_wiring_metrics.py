"""Warmup and alerts judge what the feedback store counted, and warmup sees DNSBL listings."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.sending_tables import OutboundMessageRow
from mailfleet.bootstrap import App, build
from mailfleet.core.feedback.events import EventKind, FeedbackEvent
from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.targets import BlocklistReport
from mailfleet.core.reputation.verdict import CheckResult, Verdict
from mailfleet.core.reputation.zones import TargetKind
from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.warmup.decision import Action
from mailfleet.core.warmup.state import WarmupState
from mailfleet.services import fleet as fleet_service
from mailfleet.services.reputation import run_monitoring
from mailfleet.services.warmup import run_daily_decisions
from mailfleet.settings import load_settings

DAY = date(2026, 1, 5)
DOMAIN = "acme.example"


def _app(tmp_path: Path) -> tuple[App, FakeClock]:
    clock = FakeClock(datetime(2026, 1, 5, 22, 0, tzinfo=UTC))
    return build(load_settings(overrides={"data_dir": tmp_path}), clock=clock, env={}), clock


def _sends(app: App, delivered: int, bounced: int, domain: str = DOMAIN) -> None:
    """Feedback for ``domain`` on DAY: deliveries and hard bounces."""
    at = datetime(2026, 1, 5, 15, 0, tzinfo=UTC)
    events = [
        FeedbackEvent(EventKind.DELIVERY, f"d{i}@example.org", at, sending_domain=domain)
        for i in range(delivered)
    ] + [
        FeedbackEvent(
            EventKind.BOUNCE,
            f"b{i}@example.org",
            at,
            reason="user_unknown",
            status="5.1.1",
            permanent=True,
            sending_domain=domain,
        )
        for i in range(bounced)
    ]
    app.feedback_store().add_events(events)


def _decide(app: App, fleet: Fleet) -> Action:
    ports = app.warmup_ports(fleet)
    ports.store.record(WarmupState(DOMAIN, DAY - timedelta(days=14), ramp_day=10), None)
    decisions = run_daily_decisions(fleet, ports, DAY)
    return next(d.action for d in decisions if d.domain == DOMAIN)


def test_a_clean_day_advances_and_a_bounce_spike_steps_back(
    tmp_path: Path, init_fleet: Fleet
) -> None:
    """200 clean deliveries advance the ramp; the same day with 10% bounces steps it back."""
    clean, _ = _app(tmp_path / "clean")
    _sends(clean, 200, 0)
    assert _decide(clean, init_fleet) is Action.ADVANCE
    spiked, _ = _app(tmp_path / "spiked")
    _sends(spiked, 200, 22)
    assert _decide(spiked, init_fleet) is Action.STEP_BACK
    clean.close()
    spiked.close()


def test_a_listed_sending_ip_is_a_breach_for_its_domain(tmp_path: Path, init_fleet: Fleet) -> None:
    """The latest DNSBL run listing the domain's IP steps its clean ramp back."""
    app, clock = _app(tmp_path)
    _sends(app, 200, 0)
    listed = CheckResult(
        "192.0.2.10", TargetKind.IP4, "spamhaus-zen", "zen.spamhaus.org", Verdict.LISTED
    )
    app.reputation_store().save_report(BlocklistReport(clock.now(), (listed,), ()))
    assert list(app.warmup_ports(init_fleet).blocklist.listings(DOMAIN)) == ["zen.spamhaus.org"]
    assert _decide(app, init_fleet) is Action.STEP_BACK
    app.close()


def test_a_bounce_spike_fires_the_bounce_alert(tmp_path: Path, init_fleet: Fleet) -> None:
    """Stored bounces above the threshold over enough volume fire bounce-rate on the domain."""
    app, _ = _app(tmp_path)
    _sends(app, 200, 22)
    run = asyncio.run(
        run_monitoring(
            init_fleet,
            app.dnsbl_zones(),
            app.alert_rules(),
            app.monitoring_ports(init_fleet),
            check_blocklists=False,
        )
    )
    fired = {(e.rule, e.subject) for e in run.alerts.evaluation.events}
    assert ("bounce-rate", DOMAIN) in fired
    app.close()


def test_below_the_threshold_no_alert_fires(tmp_path: Path, init_fleet: Fleet) -> None:
    """1 bounce in 201 stays under 2%: the bounce alert stays quiet."""
    app, _ = _app(tmp_path)
    _sends(app, 200, 1)
    run = asyncio.run(
        run_monitoring(
            init_fleet,
            app.dnsbl_zones(),
            app.alert_rules(),
            app.monitoring_ports(init_fleet),
            check_blocklists=False,
        )
    )
    assert not [e for e in run.alerts.evaluation.events if e.rule == "bounce-rate"]
    app.close()


def test_an_isolated_pool_domain_hands_its_queue_to_its_peer(
    tmp_path: Path, init_fleet: Fleet
) -> None:
    """A bounce spike isolates a pool domain; its waiting mail moves to the healthy peer."""
    app, clock = _app(tmp_path)
    fleet_service.sync_fleet(init_fleet, app.fleet_store(), clock, "fleet.yaml")
    troubled, peer = "acme-outreach.example", "acme-reach.example"
    queue = app.message_queue()
    ids = queue.enqueue(
        [
            MessageDraft(f"sdr0{i}@{troubled}", f"u{i}@example.org", "Hi", "Hello\n")
            for i in range(1, 5)
        ]
        + [MessageDraft(f"hello@{DOMAIN}", "v@example.org", "Hi", "Hello\n")],
        clock.now(),
    )
    claimed = queue.claim("busy-worker", 1, clock.now(), 300)  # one is being sent right now
    _sends(app, 200, 22, domain=troubled)
    run = asyncio.run(
        run_monitoring(
            init_fleet,
            app.dnsbl_zones(),
            app.alert_rules(),
            app.monitoring_ports(init_fleet),
            check_blocklists=False,
        )
    )
    [decision] = [d for d in run.isolations if d.domain == troubled]
    assert (decision.action.value, decision.rotate_to, decision.moved) == (
        "isolate",
        (peer,),
        3,
    )
    senders = _senders(app)
    assert senders[claimed.messages[0].id].endswith(f"@{troubled}")
    moved = [senders[i] for i in ids[:4] if i != claimed.messages[0].id]
    assert all(s.endswith(f"@{peer}") for s in moved)
    assert len(set(moved)) == 3  # spread over the peer's mailboxes
    assert senders[ids[4]] == f"hello@{DOMAIN}"
    assert app.reputation_store().domain_states()[troubled] == "isolated"
    app.close()


def _senders(app: App) -> dict[int, str]:
    """Queue id to the sender and Message-ID domain, which must agree."""
    found = {}
    for message in app.message_queue().claim("reader", 100, app.clock.now(), 300).messages:
        assert message.message_id.rstrip(">").endswith("@" + message.sender_domain)
        found[message.id] = message.draft.sender
    with app.database().session() as s:
        rows = s.execute(select(OutboundMessageRow.id, OutboundMessageRow.sender)).all()
    return {**{int(r[0]): str(r[1]) for r in rows}, **found}
