"""The inbound SMTP intake, with a real SMTP client and a real Postfix producing DSNs."""

from __future__ import annotations

import smtplib
import threading
import time
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from feedback_servers import PostfixRelay, free_port

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.feedback.memory import InMemoryFeedbackStore, InMemorySentMessages
from mailfleet.adapters.feedback.smtp_intake import FeedbackSmtpIntake
from mailfleet.core.feedback.intake import IntakeAddresses
from mailfleet.core.feedback.ports import SentMessage
from mailfleet.core.secrets import Secret
from mailfleet.core.verp import encode_verp
from mailfleet.policy.rules import suppression_policy
from mailfleet.services.feedback_ingest import ingest_message

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"
ADDRESSES = IntakeAddresses.of(["bounce.mailfleet.test"], ["fbl@mailfleet.test"])


class Collector:
    """Keeps what the intake hands over; fails on demand."""

    def __init__(self) -> None:
        self.reports: list[tuple[bytes, tuple[str, ...]]] = []
        self.fail = False
        self.arrived = threading.Event()

    def __call__(self, raw: bytes, rcpts: tuple[str, ...]) -> None:
        if self.fail:
            raise RuntimeError("store down")
        self.reports.append((raw, rcpts))
        self.arrived.set()


def test_intake_accepts_only_report_addresses() -> None:
    """VERP and FBL recipients are accepted; any other recipient, local or not, gets 550."""
    collector = Collector()
    intake = FeedbackSmtpIntake(ADDRESSES, collector, port=free_port())
    with intake, smtplib.SMTP("127.0.0.1", intake.port) as client:
        client.ehlo()
        client.mail("")
        assert client.rcpt("bounces+abc.def@bounce.mailfleet.test")[0] == 250
        assert client.rcpt("FBL@mailfleet.test")[0] == 250
        assert client.rcpt("postmaster@bounce.mailfleet.test")[0] == 550
        assert client.rcpt("someone@gmail.com")[0] == 550
        raw = (CORPUS / "complaint" / "yahoo_arf.eml").read_bytes().replace(b"\n", b"\r\n")
        assert client.data(raw)[0] == 250
    assert len(collector.reports) == 1
    assert collector.reports[0][1] == (
        "bounces+abc.def@bounce.mailfleet.test",
        "FBL@mailfleet.test",
    )


def test_intake_refuses_oversized_messages_and_asks_retry_on_failure() -> None:
    """A message over the limit is refused at DATA; a failing callback answers 451."""
    collector = Collector()
    with FeedbackSmtpIntake(ADDRESSES, collector, port=free_port(), max_bytes=2000) as intake:
        with smtplib.SMTP("127.0.0.1", intake.port) as client:
            client.ehlo()
            client.mail("")
            client.rcpt("fbl@mailfleet.test")
            code, _ = client.data(b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 100)
            assert code == 552
        collector.fail = True
        with smtplib.SMTP("127.0.0.1", intake.port) as client:
            client.ehlo()
            client.mail("")
            client.rcpt("fbl@mailfleet.test")
            assert client.data(b"Subject: small\r\n\r\nhello")[0] == 451
    assert collector.reports == []


class RejectingSink:
    """The 'remote MX': refuses recipients starting with bad@, accepts the rest."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address.lower().startswith("bad@"):
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        return "250 2.0.0 Ok"


def test_postfix_dsn_reaches_the_intake_and_suppresses(postfix_relay: PostfixRelay) -> None:
    """A real Postfix DSN for a 550 5.1.1 comes back to the VERP address and suppresses."""
    key = Secret("intake-test-key")
    store = InMemoryFeedbackStore(suppression_policy().hard_reasons)
    sent = SentMessage("m-777", "bad@dest.test", "sales@news.example", "news.example")
    collector = Collector()
    clock = SystemClock()

    def on_report(raw: bytes, rcpts: tuple[str, ...]) -> None:
        ingest_message(
            raw, store=store, clock=clock, verp_key=key, lookup=InMemorySentMessages([sent])
        )
        collector(raw, rcpts)

    sink = Controller(RejectingSink(), hostname="127.0.0.1", port=postfix_relay.relay_port)
    intake = FeedbackSmtpIntake(
        IntakeAddresses.of([postfix_relay.report_domain]), on_report, port=postfix_relay.report_port
    )
    sink.start()
    intake.start()
    try:
        verp = encode_verp("m-777", key, postfix_relay.report_domain)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (
            "sales@news.example",
            "bad@dest.test",
            "Hi",
        )
        message["Message-ID"] = "<m-777@news.example>"
        message.set_content("hello\n")
        with smtplib.SMTP("127.0.0.1", postfix_relay.port) as client:
            client.send_message(message, from_addr=verp, to_addrs=["bad@dest.test"])
        deadline = time.monotonic() + 30
        while not collector.arrived.wait(0.5) and time.monotonic() < deadline:
            postfix_relay.flush()
    finally:
        intake.stop()
        sink.stop()
    assert collector.reports, "no DSN reached the intake"
    [event] = store.events
    assert (event.recipient, event.status, event.reason, event.message_id) == (
        "bad@dest.test",
        "5.1.1",
        "mailbox_unknown",
        "m-777",
    )
    assert event.sending_domain == "news.example"
    assert store.find_suppression("bad@dest.test", "news.example", clock.now()) is not None
