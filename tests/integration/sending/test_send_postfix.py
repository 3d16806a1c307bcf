"""End to end through a real Postfix: signed mail is relayed intact; its DSN comes back by VERP."""

from __future__ import annotations

import asyncio
import email
import email.policy
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import dkim
import pytest
from postfix_relay import PostfixRelay

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.memory import (
    InMemoryDkimKeys,
    InMemorySendGate,
    InMemorySuppressions,
)
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.smtp_sink import RecordingSink, free_port, start_sink
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey, public_key_record
from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.verp import decode_verp
from mailfleet.services.dispatcher import Dispatcher, DispatchSettings

pytestmark = pytest.mark.skipif(not PostfixRelay.available(), reason="postfix is not installed")
VERP_KEY = Secret("p" * 32)


@pytest.fixture
def postfix() -> Iterator[tuple[int, RecordingSink, RecordingSink]]:
    """Postfix -> relay sink (refuses bad*); DSNs for bounces.example.com -> DSN sink."""
    relay_sink = RecordingSink(rules={"bad": "550 5.1.1 <bad>: Recipient address rejected"})
    dsn_sink = RecordingSink()
    relay_controller, dsn_controller = start_sink(relay_sink), start_sink(dsn_sink)
    # Not under pytest's tmp_path: its parents are 0700 and the postfix user must get through.
    root = Path(tempfile.mkdtemp(prefix="mailfleet-postfix-"))
    relay = PostfixRelay(
        root, free_port(), relay_controller.port,
        "bounces.example.com", dsn_controller.port,
    )  # fmt: skip
    relay.start()
    try:
        yield relay.port, relay_sink, dsn_sink
    finally:
        relay.stop()
        shutil.rmtree(root, ignore_errors=True)
        relay_controller.stop()
        dsn_controller.stop()


def test_postfix_relays_signed_mail_and_bounces_to_verp(
    postfix: tuple[int, RecordingSink, RecordingSink],
    tmp_path: Path,
    rsa_key: DkimKey,
    clock: FakeClock,
) -> None:
    """Good mail arrives through Postfix with a valid signature; the bad one's DSN names its row."""
    port, relay_sink, dsn_sink = postfix
    database = Database(f"sqlite:///{tmp_path / 'queue.db'}")
    database.prepare(auto_upgrade=True)
    queue = SqlMessageQueue(database)
    good, bad = queue.enqueue(
        [
            MessageDraft("news@example.com", "good@dest.test", "Hello", "Hi there\n"),
            MessageDraft("news@example.com", "bad@dest.test", "Hello", "Hi there\n"),
        ],
        clock.now(),
    )
    dispatcher = Dispatcher(
        queue=queue,
        relay=SmtpRelay(SmtpRelayConfig("127.0.0.1", port)),
        gate=InMemorySendGate(),
        suppressions=InMemorySuppressions(),
        keys=InMemoryDkimKeys({"example.com": [rsa_key]}),
        clock=clock,
        settings=DispatchSettings(verp_key=VERP_KEY),
        worker="e2e",
    )

    async def run() -> dict[str, int]:
        try:
            return (await dispatcher.drain()).states
        finally:
            await dispatcher.relay.close()

    assert asyncio.run(run()) == {"sent": 2}, "Postfix accepts both; the bounce comes later"
    deadline = time.monotonic() + 30
    while (not dsn_sink.received or not relay_sink.received) and time.monotonic() < deadline:
        time.sleep(0.05)
    (delivered,) = relay_sink.received
    assert delivered.recipients == ("good@dest.test",)
    record = {b"s1._domainkey.example.com.": public_key_record(rsa_key).encode()}
    assert dkim.verify(delivered.data, dnsfunc=lambda name, timeout=5: record.get(name, b""))
    assert decode_verp(delivered.mail_from, VERP_KEY) == str(good)
    (dsn,) = dsn_sink.received
    assert dsn.mail_from == "<>"
    assert decode_verp(dsn.recipients[0], VERP_KEY) == str(bad)
    report = email.message_from_bytes(dsn.data, policy=email.policy.default)
    assert report.get_content_type() == "multipart/report"
    status = next(p for p in report.walk() if p.get_content_type() == "message/delivery-status")
    blocks = status.get_payload()
    assert isinstance(blocks, list)
    assert blocks[1]["Status"] == "5.1.1"
