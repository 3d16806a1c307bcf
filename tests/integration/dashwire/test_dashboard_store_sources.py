"""The dashboard over the capabilities' own stores, on SQLite and PostgreSQL: rows stored by
warmup, feedback, DNS verification and reputation appear on the pages and in the API."""

from __future__ import annotations

import re
from datetime import timedelta

from dashboard_seeding import (
    DOMAIN,
    LISTED_IP,
    seed_alert,
    seed_blocklist,
    seed_dns,
    seed_feedback,
    seed_warmup,
)
from mailfleet.adapters.clock import FakeClock
from mailfleet.core.dashboard.access import Role
from mailfleet.core.state import DomainState, MailboxState
from web_support import WebEnv, csrf_of, login


def _row(html: str, domain: str) -> str:
    """The overview's table row of ``domain``."""
    found = re.search(
        rf"<tr[^>]*>(?:(?!</tr>).)*{re.escape(domain)}(?:(?!</tr>).)*</tr>", html, re.S
    )
    assert found, f"no row for {domain}"
    return found.group(0)


def test_warmup_stage_cap_and_decisions_come_from_the_warmup_store(
    env: WebEnv, clock: FakeClock
) -> None:
    """Decisions run by the warmup service show as the stage, today's cap and the evidence."""
    decisions = seed_warmup(env.app, clock)
    mine = next(d for d in decisions if d.domain == DOMAIN)
    client = env.client()
    login(client, Role.VIEWER)
    status = client.get("/api/v1/domains", headers=env.bearer(Role.VIEWER)).json()
    row = next(d for d in status["domains"] if d["name"] == DOMAIN)
    assert row["warmup"]["cap_today"] == mine.next_cap
    assert row["warmup"]["day"] == mine.ramp_day_after
    page = client.get(f"/domains/{DOMAIN}").text
    assert mine.explanation.split(".")[0] in page
    assert "sent, " in page  # the evidence line of each decision


def test_rates_come_from_feedback_counts_and_are_graded(env: WebEnv, clock: FakeClock) -> None:
    """Feedback's bounces and complaints give graded rates and the domain's recent events."""
    seed_feedback(env.app, clock, delivered=90, bounced=10, complained=1)
    client = env.client()
    body = client.get(f"/api/v1/domains/{DOMAIN}", headers=env.bearer(Role.VIEWER)).json()
    assert body["rates"]["bounce_rate"] == 0.1
    assert body["rates"]["complaint_rate"] == 0.01
    assert body["rates"]["bounce_level"] == "breach"
    login(client, Role.VIEWER)
    row = _row(client.get("/").text, DOMAIN)
    assert "10.0" in row
    other = _row(client.get("/").text, "d001.example")
    assert "10.0" not in other
    events = client.get(f"/domains/{DOMAIN}").text
    assert "r1000@mail.example: bad_mailbox (5.1.1) permanent" in events
    assert "r2000@mail.example: abuse" in events
    assert "r0@mail.example" not in events  # deliveries are not listed one by one


def test_dns_status_records_and_selectors_come_from_the_check_store(
    env: WebEnv, clock: FakeClock
) -> None:
    """A stored verification gives SPF/DKIM/DMARC outcomes and the checked records."""
    seed_dns(env.app, clock)
    client = env.client()
    body = client.get(f"/api/v1/domains/{DOMAIN}", headers=env.bearer(Role.VIEWER)).json()
    assert body["dns_auth"]["spf"] == "pass"
    assert body["dns_auth"]["dkim"] == "fail"
    assert body["dns_auth"]["dmarc"] == "pass"
    login(client, Role.VIEWER)
    page = client.get(f"/domains/{DOMAIN}").text
    assert f"_dmarc.{DOMAIN}" in page
    assert "mf1 (failing)" in page


def test_blocklist_and_alerts_come_from_the_reputation_store(env: WebEnv, clock: FakeClock) -> None:
    """A listed sending IP marks its domain; the run and a fired alert have their pages."""
    seed_blocklist(env.app, clock)
    seed_alert(env.app, clock)
    client = env.client()
    body = client.get(f"/api/v1/domains/{DOMAIN}", headers=env.bearer(Role.VIEWER)).json()
    assert body["blocklisted_on"] == [f"zen.spamhaus.org ({LISTED_IP})"]
    clean = client.get("/api/v1/domains/d001.example", headers=env.bearer(Role.VIEWER)).json()
    assert clean["blocklisted_on"] == []
    login(client, Role.VIEWER)
    blocklist = client.get("/blocklist").text
    assert LISTED_IP in blocklist
    assert "zen.spamhaus.org" in blocklist
    alerts = client.get("/alerts").text
    assert "ses" in alerts


def test_suppression_edits_reach_the_feedback_store(env: WebEnv, clock: FakeClock) -> None:
    """An operator adds and removes an address with the CSRF-protected form; the store follows."""
    client = env.client()
    login(client, Role.OPERATOR)
    page = client.get("/suppression").text
    response = client.post(
        "/suppression",
        data={"csrf_token": csrf_of(page), "address": "Gone@Example.org", "action": "add"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert [s.address for s in env.app.feedback_store().suppressions()] == ["gone@example.org"]
    assert "gone@example.org" in client.get("/suppression?q=gone").text
    bad = client.post(
        "/suppression",
        data={"csrf_token": csrf_of(page), "address": "x@nowhere", "action": "add"},
    )
    assert bad.status_code == 400
    client.post(
        "/suppression",
        data={"csrf_token": csrf_of(page), "address": "gone@example.org", "action": "remove"},
    )
    assert env.app.feedback_store().suppressions() == []


def test_rotate_out_isolates_and_restores_through_the_reputation_store(
    env: WebEnv, clock: FakeClock
) -> None:
    """The confirmed rotate-out isolates the domain, logs it, and a second one restores it."""
    client = env.client()
    login(client, Role.OPERATOR)
    before = env.app.reputation_store().domain_states()[DOMAIN]
    page = client.get(f"/domains/{DOMAIN}/confirm/rotate-out").text
    client.post(f"/domains/{DOMAIN}/actions/rotate-out", data={"csrf_token": csrf_of(page)})
    assert env.app.reputation_store().domain_states()[DOMAIN] == DomainState.ISOLATED
    assert "state isolated" in client.get(f"/domains/{DOMAIN}").text
    client.post(f"/domains/{DOMAIN}/actions/rotate-out", data={"csrf_token": csrf_of(page)})
    assert env.app.reputation_store().domain_states()[DOMAIN] == before


def test_inventory_shows_the_mailboxes_ledger(env: WebEnv, clock: FakeClock) -> None:
    """A provisioned mailbox shows its provider state and login; a call begun shows pending."""
    ledger = env.app.mailbox_ledger()
    done, begun = f"box01@{DOMAIN}", f"box02@{DOMAIN}"
    ledger.begin(done, "mailcow", "create", clock.now())
    ledger.finish(
        done,
        "mailcow",
        state=MailboxState.ACTIVE,
        at=clock.now(),
        provisioned=True,
        last_login_at=clock.now() - timedelta(hours=3),
    )
    ledger.begin(begun, "mailcow", "create", clock.now())
    client = env.client()
    login(client, Role.VIEWER)
    html = client.get(f"/mailboxes?domain={DOMAIN}").text
    done_row = _row(html, done)
    assert "active <small>mailcow</small>" in done_row
    assert "3 h ago" in done_row
    assert "create pending" in _row(html, begun)
    assert "mailcow" not in _row(html, f"box03@{DOMAIN}")


def test_reverify_dns_stores_a_fresh_verification(env: WebEnv, clock: FakeClock) -> None:
    """Re-verify DNS runs the verification for the one domain and its result shows at once."""
    client = env.client()
    login(client, Role.OPERATOR)
    assert env.app.dns_check_store().latest() == {}
    page = client.get(f"/domains/{DOMAIN}/confirm/reverify-dns").text
    done = client.post(
        f"/domains/{DOMAIN}/actions/reverify-dns", data={"csrf_token": csrf_of(page)}
    )
    assert f"Re-verify DNS on {DOMAIN}:" in done.text
    assert list(env.app.dns_check_store().latest()) == [DOMAIN]
    body = client.get("/api/v1/dns?per_page=100", headers=env.bearer(Role.VIEWER)).json()
    assert [d["domain"] for d in body if d["checked_at"] is not None] == [DOMAIN]
