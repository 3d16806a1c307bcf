"""``POST /webhooks/{provider}`` in the web app, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from mailfleet.adapters.clock import FakeClock
from mailfleet.core.secrets import Secret
from web_support import make_env

KEY = "route-signing-key"


def _body(clock: FakeClock, key: str) -> bytes:
    timestamp, token = str(int(clock.now().timestamp())), "n0nce"
    digest = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return json.dumps(
        {
            "signature": {"timestamp": timestamp, "token": token, "signature": digest},
            "event-data": {
                "event": "failed",
                "severity": "permanent",
                "recipient": "gone@client.example",
                "delivery-status": {"code": 550, "message": "5.1.1 user unknown"},
            },
        }
    ).encode()


def test_webhook_route_applies_genuine_calls_and_refuses_forged_ones(
    db_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    """A signed Mailgun call is stored and suppresses (200); a forged one is 401; unknown 404."""
    env = make_env(db_url, tmp_path, clock, domains=1)
    env.app.vault().put("feedback/webhooks/mailgun-signing-key", Secret(KEY))
    client = env.client()
    forged = client.post("/webhooks/mailgun", content=_body(clock, "guess"))
    assert forged.status_code == 401
    genuine = client.post("/webhooks/mailgun", content=_body(clock, KEY))
    assert genuine.status_code == 200, genuine.text
    assert genuine.json() == {"outcome": "accepted", "reason": "", "events": 1, "suppressed": 1}
    assert [s.address for s in env.app.feedback_store().suppressions()] == ["gone@client.example"]
    assert client.post("/webhooks/sparkpost", content=b"{}").status_code == 404


def test_webhook_route_applies_a_delivery_once(
    db_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    """The same signed Mailgun call twice: stored once, the repeat refused with 406."""
    env = make_env(db_url, tmp_path, clock, domains=1)
    env.app.vault().put("feedback/webhooks/mailgun-signing-key", Secret(KEY))
    client = env.client()
    body = _body(clock, KEY)
    first = client.post("/webhooks/mailgun", content=body)
    again = client.post("/webhooks/mailgun", content=body)
    assert first.json()["outcome"] == "accepted"
    assert again.status_code == 406
    assert again.json() == {
        "outcome": "rejected",
        "reason": "Mailgun token already used",
        "events": 0,
        "suppressed": 0,
    }
    kinds, since = ["bounce"], clock.now().replace(year=2000)
    store = env.app.feedback_store()
    assert store.count_events("gone@client.example", kinds, ["mailbox_unknown"], since) == 1
