"""The wiring through the composition root and the CLI, on the embedded default (SQLite)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from typer.testing import CliRunner
from wiring_kit import draft, dsn

from mailfleet.adapters.db.feedback_tables import FeedbackEventRow
from mailfleet.adapters.sending.smtp_relay import SmtpRelayConfig
from mailfleet.adapters.sending.smtp_sink import RecordingSink
from mailfleet.adapters.sending.vault_keys import secret_name
from mailfleet.bootstrap import build
from mailfleet.cli.app import app as cli
from mailfleet.core.feedback.events import EventKind
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.services.dispatcher import DispatchSettings
from mailfleet.services.suppression import domain_daily_counts
from mailfleet.settings import load_settings


def test_dispatch_then_feedback_ingest_ties_the_bounce_to_the_message(
    tmp_path: Path, sink: tuple[RecordingSink, int], dkim_keys: dict[str, list[DkimKey]]
) -> None:
    """App.dispatcher sends and logs; `feedback ingest` finds the message behind the DSN."""
    recorder, port = sink
    app = build(load_settings(overrides={"data_dir": tmp_path}), env={})
    [key] = dkim_keys["example.com"]
    app.vault().put(secret_name("example.com", "s1"), Secret(key.private_pem.decode()))
    app.message_queue().enqueue([draft(f"p{i}@example.org") for i in range(3)], app.clock.now())
    relay = app.smtp_relay(SmtpRelayConfig("127.0.0.1", port))
    dispatcher = app.dispatcher(relay, DispatchSettings(verp_key=app.verp_key()), "w")

    async def run() -> None:
        try:
            await dispatcher.drain()
        finally:
            await relay.close()

    asyncio.run(run())
    app.close()
    bounced = next(r for r in recorder.received if r.recipients == ("p1@example.org",))
    report = tmp_path / "bounce.eml"
    report.write_bytes(dsn(bounced.mail_from, "p1@example.org", bounced.message_id))
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path), "feedback", "ingest", str(report), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["suppressed"] == ["p1@example.org"]

    app = build(load_settings(overrides={"data_dir": tmp_path}), env={})
    counts = domain_daily_counts(app.feedback_store(), app.clock, days=2)
    assert [(c.domain, c.deliveries, c.bounces) for c in counts] == [("example.com", 3, 1)]
    with app.database().session() as s:
        bounce = s.query(FeedbackEventRow).filter_by(kind=EventKind.BOUNCE.value).one()
        assert (bounce.message_id, bounce.mailbox) == (bounced.message_id, "news@example.com")
    app.close()
