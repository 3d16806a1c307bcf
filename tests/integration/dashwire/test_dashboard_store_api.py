"""The REST API over the capabilities' stores, on SQLite and PostgreSQL: queue messages, and
read the suppression list, alerts, blocklist results, warmup and DNS status."""

from __future__ import annotations

from dashboard_seeding import DOMAIN, LISTED_IP, seed_alert, seed_blocklist, seed_dns, seed_warmup
from mailfleet.adapters.clock import FakeClock
from mailfleet.core.dashboard.access import Role
from mailfleet.core.sending.model import MessageState
from web_support import WebEnv


def _message(n: int, sender: str = f"box01@{DOMAIN}") -> dict[str, object]:
    return {"sender": sender, "recipient": f"r{n}@mail.example", "subject": "Hi", "text": "x"}


def test_messages_are_queued_in_order_by_an_operator(env: WebEnv) -> None:
    """A batch is queued whole and its ids come back in order; a viewer may not queue."""
    client = env.client()
    batch = {"messages": [_message(1), _message(2), _message(3)]}
    response = client.post("/api/v1/messages", json=batch, headers=env.bearer(Role.OPERATOR))
    assert response.status_code == 202, response.text
    ids = response.json()["ids"]
    assert len(ids) == 3
    assert ids == sorted(ids)
    queue = env.app.message_queue()
    assert queue.counts()[MessageState.QUEUED] == 3
    single = client.post(
        "/api/v1/messages", json={"messages": [_message(4)]}, headers=env.bearer(Role.OPERATOR)
    )
    assert single.status_code == 202
    assert single.json()["ids"][0] > ids[-1]
    viewer = client.post("/api/v1/messages", json=batch, headers=env.bearer(Role.VIEWER))
    assert viewer.status_code == 403
    assert queue.counts()[MessageState.QUEUED] == 4


def test_a_bad_message_refuses_the_whole_batch(env: WebEnv) -> None:
    """A sender outside the fleet, or on a paused domain, refuses the batch; nothing queued."""
    client = env.client()
    outsider = {"messages": [_message(1), _message(2, "someone@elsewhere.example")]}
    refused = client.post("/api/v1/messages", json=outsider, headers=env.bearer(Role.OPERATOR))
    assert refused.status_code == 409
    assert "message 1" in refused.json()["detail"]
    client.post(f"/api/v1/domains/{DOMAIN}/pause", headers=env.bearer(Role.OPERATOR))
    paused = client.post(
        "/api/v1/messages", json={"messages": [_message(3)]}, headers=env.bearer(Role.OPERATOR)
    )
    assert paused.status_code == 409
    assert "paused" in paused.json()["detail"]
    assert sum(env.app.message_queue().counts().values()) == 0


def test_read_endpoints_show_the_stored_rows(env: WebEnv, clock: FakeClock) -> None:
    """Suppression, alerts, blocklist, warmup and DNS endpoints answer from the real stores."""
    client = env.client()
    viewer = env.bearer(Role.VIEWER)
    assert client.get("/api/v1/warmup", headers=viewer).json()[0]["stage"] is None
    decisions = seed_warmup(env.app, clock)
    seed_dns(env.app, clock)
    seed_blocklist(env.app, clock)
    seed_alert(env.app, clock)
    env.app.dashboard_sources().suppression.suppress(
        "kept@mail.example", "manual", "t", clock.now()
    )
    [kept] = client.get("/api/v1/suppression?q=kept", headers=viewer).json()
    assert kept["address"] == "kept@mail.example"
    assert client.get("/api/v1/suppression?q=absent", headers=viewer).json() == []
    [alert] = client.get("/api/v1/alerts?open_only=true", headers=viewer).json()
    assert alert["is_open"] is True
    assert "ses" in alert["subject"]
    listed = [r for r in client.get("/api/v1/blocklist", headers=viewer).json() if r["listed"]]
    assert [(r["subject"], r["zone"]) for r in listed] == [(LISTED_IP, "zen.spamhaus.org")]
    warmup = {w["domain"]: w for w in client.get("/api/v1/warmup", headers=viewer).json()}
    mine = next(d for d in decisions if d.domain == DOMAIN)
    assert warmup[DOMAIN]["cap_today"] == mine.next_cap
    dns = {d["domain"]: d for d in client.get("/api/v1/dns", headers=viewer).json()}
    assert (dns[DOMAIN]["spf"], dns[DOMAIN]["dkim"]) == ("pass", "fail")
    assert dns["d001.example"]["checked_at"] is None
