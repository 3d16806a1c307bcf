"""Helpers shared by the wiring tests: the real dispatcher as bootstrap wires it, and DSNs."""

from __future__ import annotations

import asyncio
import os

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.feedback_store import SqlFeedbackStore
from mailfleet.adapters.sending.feedback_links import FeedbackDeliveryLog, FeedbackSuppressions
from mailfleet.adapters.sending.memory import InMemoryDkimKeys, OpenSendGate
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.sending.ports import SendGate
from mailfleet.policy.rules import bounce_rules, suppression_policy
from mailfleet.services.dispatcher import Dispatcher, DispatchReport, DispatchSettings

VERP_KEY = Secret("w" * 32)
REDIS_URL = os.environ.get("MAILFLEET_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def feedback_store(database: Database) -> SqlFeedbackStore:
    """The feedback store as bootstrap builds it."""
    return SqlFeedbackStore(database, suppression_policy().hard_reasons)


def draft(recipient: str, sender: str = "news@example.com") -> MessageDraft:
    """A small message."""
    return MessageDraft(sender=sender, recipient=recipient, subject="Hi", text="Hello\n")


def dispatcher(
    database: Database,
    port: int,
    keys: dict[str, list[DkimKey]],
    clock: FakeClock,
    gate: SendGate | None = None,
) -> Dispatcher:
    """The dispatcher over the SQL queue, the feedback store's suppressions and log."""
    store = feedback_store(database)
    return Dispatcher(
        queue=SqlMessageQueue(database),
        relay=SmtpRelay(SmtpRelayConfig("127.0.0.1", port, pool_size=2)),
        gate=gate or OpenSendGate(),
        suppressions=FeedbackSuppressions(store, clock),
        keys=InMemoryDkimKeys(keys),
        clock=clock,
        settings=DispatchSettings(verp_key=VERP_KEY, batch_size=10),
        worker="wiring-test",
        unit_random=lambda: 0.5,
        log=FeedbackDeliveryLog(store, bounce_rules(), suppression_policy()),
    )


def drain(dispatcher: Dispatcher) -> DispatchReport:
    """Run the dispatcher until nothing is due, then close its relay."""

    async def run() -> DispatchReport:
        try:
            return await dispatcher.drain()
        finally:
            await dispatcher.relay.close()

    return asyncio.run(run())


def dsn(verp: str, recipient: str, original_message_id: str) -> bytes:
    """An RFC 3464 delivery status notification for a 5.1.1 failure, sent to ``verp``."""
    return (
        "From: MAILER-DAEMON@mx.example.org\r\n"
        f"To: {verp}\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n'
        "\r\n"
        "--b1\r\n"
        "Content-Type: text/plain\r\n\r\n"
        "Your message could not be delivered.\r\n"
        "--b1\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\n"
        "Action: failed\r\n"
        "Status: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 The email account does not exist\r\n"
        "--b1\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {original_message_id}\r\n"
        "From: news@example.com\r\n"
        f"To: {recipient}\r\n"
        "--b1--\r\n"
    ).encode()
