"""The receiving world end to end on loopback: MxRelay resolves the providers' MX through the
DNS server, delivers to their SMTP servers, and DSNs and ARF reports come back by SMTP to a
real feedback intake, where mailfleet's parser reads them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import aiosmtplib
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from mailfleet.adapters.clock import FakeClock, SystemClock
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.feedback.memory import InMemoryFeedbackStore, InMemorySentMessages
from mailfleet.adapters.feedback.smtp_intake import FeedbackSmtpIntake
from mailfleet.adapters.sending.mx_relay import MxRelay
from mailfleet.adapters.sending.smtp_sink import free_port
from mailfleet.adapters.world.dns_server import LoopbackDnsServer, StaticZones
from mailfleet.adapters.world.mx_world import MxWorld, WorldRules, default_profiles
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.feedback.intake import IntakeAddresses
from mailfleet.core.feedback.model import FeedbackKind, Reason
from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.core.feedback.ports import SentMessage
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimAlgorithm, DkimKey, DkimSigner, public_key_record
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Envelope
from mailfleet.core.verp import decode_verp, encode_verp
from mailfleet.policy.rules import bounce_rules, suppression_policy
from mailfleet.services.feedback_ingest import ingest_message

KEY = Secret("world-test-verp-key")
BOUNCE_DOMAIN = "bounce.fleet.test"
FBL = "fbl@fleet.test"


class Reports:
    """What the feedback intake received, also ingested as production ingests it."""

    def __init__(self) -> None:
        self.raw: list[tuple[bytes, tuple[str, ...]]] = []
        self.store = InMemoryFeedbackStore(suppression_policy().hard_reasons)
        self.sent: list[SentMessage] = []
        self._lock = threading.Lock()

    def __call__(self, raw: bytes, rcpts: tuple[str, ...]) -> None:
        with self._lock:
            self.raw.append((raw, rcpts))
            ingest_message(
                raw,
                store=self.store,
                clock=SystemClock(),
                verp_key=KEY,
                lookup=InMemorySentMessages(self.sent),
            )


@dataclass
class World:
    """The running world, its DNS, a relay into it and the intake receiving its reports."""

    world: MxWorld
    rules: WorldRules
    clock: FakeClock
    relay: MxRelay
    reports: Reports
    intake_port: int

    def send(self, *envelopes: Envelope) -> list[RecipientResult]:
        """Send each envelope through the relay; the first result of each."""

        async def run() -> list[RecipientResult]:
            try:
                return [(await self.relay.send(e))[0] for e in envelopes]
            finally:
                await self.relay.close()

        return asyncio.run(run())


@pytest.fixture
def world() -> Iterator[World]:
    """Default providers; ghost* users do not exist; reports go to a real intake."""
    reports = Reports()
    intake_port = free_port()
    intake = FeedbackSmtpIntake(
        IntakeAddresses.of([BOUNCE_DOMAIN], [FBL]), reports, port=intake_port
    )
    rules = WorldRules(
        known=lambda address: not address.startswith("ghost"),
        report_to=("127.0.0.1", intake_port),
        fbl_address=FBL,
    )
    clock = FakeClock()
    mx_world = MxWorld(default_profiles(), rules, clock)
    with intake, mx_world, LoopbackDnsServer([StaticZones(mx_world.records())]) as dns_server:
        resolver = DnsPythonResolver(["127.0.0.1"], port=dns_server.port)
        relay = MxRelay(resolver, port=mx_world.port)
        yield World(mx_world, rules, clock, relay, reports, intake_port)


def _message(recipient: str, n: int, sender: str = "anna@fleet.test") -> Envelope:
    message_id = f"msg-{n}"
    data = (
        f"From: Anna <{sender}>\r\n"
        f"To: <{recipient}>\r\n"
        "Subject: hello\r\n"
        f"Message-ID: <{message_id}@fleet.test>\r\n"
        "\r\n"
        "Hi there.\r\n"
    ).encode()
    verp = encode_verp(message_id, KEY, BOUNCE_DOMAIN)
    return Envelope(verp, (recipient,), data, f"<{message_id}@fleet.test>", sender)


def test_records_give_each_provider_its_own_address(world: World) -> None:
    """One MX and one A per provider domain; every MX host has a distinct 127.0.0.x."""
    records = world.world.records()
    mx = {r.name: r.values for r in records if r.type is RecordType.MX}
    a = {r.name: r.values[0] for r in records if r.type is RecordType.A}
    assert mx["gmail.demo.test"] == ("10 mx.gmail.demo.test.",)
    assert set(mx) == {
        "gmail.demo.test",
        "microsoft.demo.test",
        "yahoo.demo.test",
        "other.demo.test",
    }
    assert len(set(a.values())) == 4
    assert a["mx.yahoo.demo.test"] == world.world.address_of("yahoo")
    assert world.world.port_of("yahoo") == world.world.port


def test_direct_smtp_client(world: World) -> None:
    """A plain aiosmtplib client: foreign domains are not relayed, known users accepted."""
    server = world.world

    async def run() -> tuple[int, int, int]:
        async with aiosmtplib.SMTP(hostname=server.address_of("other"), port=server.port) as client:
            await client.ehlo()
            await client.mail("x@fleet.test")
            foreign = (await client.execute_command(b"RCPT", b"TO:<a@gmail.demo.test>")).code
            unknown = (await client.execute_command(b"RCPT", b"TO:<ghost@other.demo.test>")).code
            known = (await client.execute_command(b"RCPT", b"TO:<bob@other.demo.test>")).code
            return foreign, unknown, known

    assert asyncio.run(run()) == (550, 550, 250)


def test_sync_bounce_at_rcpt(world: World) -> None:
    """gmail refuses an unknown user at RCPT with its 5.1.1; a known user is accepted and
    counted for the From domain."""
    results = world.send(_message("ghost@gmail.demo.test", 1), _message("bob@gmail.demo.test", 2))
    assert [(r.outcome, r.code, r.enhanced) for r in results] == [
        (SendOutcome.BOUNCED, 550, "5.1.1"),
        (SendOutcome.SENT, 250, "2.0.0"),
    ]
    assert "does not exist" in results[0].text
    stats = world.world.stats()["gmail"]
    assert (stats.accepted, stats.rejected_unknown, stats.dsn_sent) == (1, 1, 0)
    assert stats.accepted_by_domain == {"fleet.test": 1}
    world.world.drain(timeout=5)
    assert world.reports.raw == []  # a synchronous refusal sends no DSN


def test_async_bounce_arrives_as_a_dsn(world: World) -> None:
    """yahoo accepts an unknown user, then mails a DSN to the VERP return path; the intake
    takes it and the parser reads a permanent mailbox-unknown bounce for that recipient."""
    envelope = _message("ghost@yahoo.demo.test", 7)
    [result] = world.send(envelope)
    assert result.outcome is SendOutcome.SENT
    world.world.drain(timeout=10)
    assert len(world.reports.raw) == 1
    raw, rcpts = world.reports.raw[0]
    assert rcpts == (envelope.mail_from,)
    report = parse_feedback(raw, bounce_rules())
    assert report.kind is FeedbackKind.BOUNCE
    [recipient] = report.recipients
    assert recipient.address == "ghost@yahoo.demo.test"
    assert (recipient.status, recipient.permanent) == ("5.1.1", True)
    assert recipient.reason is Reason.MAILBOX_UNKNOWN
    assert report.verp_token is not None
    assert decode_verp(f"bounces+{report.verp_token}@{BOUNCE_DOMAIN}", KEY) == "msg-7"
    assert report.original_message_id == "msg-7@fleet.test"
    stats = world.world.stats()["yahoo"]
    assert (stats.accepted, stats.dsn_sent, stats.rejected_unknown) == (0, 1, 0)


def test_complaints_follow_the_rate_exactly(world: World) -> None:
    """A rate of 0.5 complains about every second accepted message, as ARF abuse reports
    naming the original recipient; other sending domains are not reported."""
    world.rules.complaint_rate["fleet.test"] = 0.5
    sent = [_message(f"user{n}@microsoft.demo.test", n) for n in range(4)]
    other = _message("user9@microsoft.demo.test", 9, sender="zed@quiet.test")
    assert {r.outcome for r in world.send(*sent, other)} == {SendOutcome.SENT}
    world.world.drain(timeout=10)
    parsed = [parse_feedback(raw, bounce_rules()) for raw, _ in world.reports.raw]
    assert {rcpts for _, rcpts in world.reports.raw} == {(FBL,)}
    assert all(p.kind is FeedbackKind.COMPLAINT for p in parsed)
    assert all(p.feedback_type == "abuse" for p in parsed)
    assert sorted(p.recipients[0].address for p in parsed) == [
        "user1@microsoft.demo.test",
        "user3@microsoft.demo.test",
    ]
    assert {p.original_message_id for p in parsed} == {"msg-1@fleet.test", "msg-3@fleet.test"}
    assert all(p.verp_token for p in parsed)  # from the Return-Path of the attached original
    stats = world.world.stats()["microsoft"]
    assert (stats.accepted, stats.arf_sent) == (5, 2)
    assert stats.accepted_by_domain == {"fleet.test": 4, "quiet.test": 1}


def test_hourly_limit_defers_then_recovers_next_hour(world: World) -> None:
    """Past gmail's limit the sending domain gets gmail's 421 4.7.28 at DATA; another domain
    still gets through; at the next clock hour the first is accepted again."""
    world.rules.hourly_limit["gmail"] = 2
    first = world.send(*(_message(f"u{n}@gmail.demo.test", n) for n in range(3)))
    assert [r.outcome for r in first] == [SendOutcome.SENT, SendOutcome.SENT, SendOutcome.DEFERRED]
    assert (first[2].code, first[2].enhanced) == (421, "4.7.28")
    assert "unsolicited mail" in first[2].text
    other_domain = world.send(_message("u9@gmail.demo.test", 9, sender="b@quiet.test"))
    assert other_domain[0].outcome is SendOutcome.SENT
    yahoo = world.send(_message("u8@yahoo.demo.test", 8))  # other providers are not limited
    assert yahoo[0].outcome is SendOutcome.SENT
    world.clock.advance(timedelta(hours=1))
    again = world.send(_message("u3@gmail.demo.test", 3))
    assert again[0].outcome is SendOutcome.SENT
    stats = world.world.stats()["gmail"]
    assert (stats.accepted, stats.deferred) == (4, 1)


def test_deferral_replies_are_provider_specific(world: World) -> None:
    """Each provider defers with its own reply, the client's address filled in."""
    for name in ("microsoft", "yahoo", "other"):
        world.rules.hourly_limit[name] = 0
    results = world.send(
        _message("a@microsoft.demo.test", 1),
        _message("a@yahoo.demo.test", 2),
        _message("a@other.demo.test", 3),
    )
    assert [(r.code, r.enhanced) for r in results] == [
        (451, "4.7.650"),
        (421, "4.7.0"),
        (451, "4.7.1"),
    ]
    assert "[TSS04] Messages from 127.0.0.1 temporarily deferred" in results[1].text


def test_drain_waits_for_the_intake_to_come_back(world: World) -> None:
    """Reports wait while the intake is down; drain times out, then succeeds once it is
    back and the reports are delivered."""
    world.rules.report_to = ("127.0.0.1", free_port())  # nothing listens there
    world.send(_message("ghost@yahoo.demo.test", 1))
    assert world.world.pending() == 1
    with pytest.raises(TimeoutError):
        world.world.drain(timeout=0.5)
    world.rules.report_to = ("127.0.0.1", world.intake_port)
    world.world.drain(timeout=10)
    assert world.world.pending() == 0
    assert len(world.reports.raw) == 1
    assert world.world.stats()["yahoo"].dsn_sent == 1


def test_refused_report_is_dropped(world: World) -> None:
    """An intake that refuses the recipient for good (550) does not keep drain waiting."""
    world.rules.fbl_address = "abuse@elsewhere.test"  # not a report address of the intake
    world.rules.complaint_rate["fleet.test"] = 1.0
    world.send(_message("bob@other.demo.test", 1))
    world.world.drain(timeout=10)
    stats = world.world.stats()["other"]
    assert (stats.arf_sent, stats.reports_refused) == (0, 1)


def test_sampled_dkim_verification_against_the_loopback_dns() -> None:
    """With a resolver, the world verifies DKIM on sampled messages: a message signed by
    mailfleet's signer passes against the key served by the loopback DNS; an unsigned one
    and one altered after signing fail."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key = DkimKey("fleet.test", "s1", DkimAlgorithm.RSA_SHA256, pem)
    signer = DkimSigner([key])
    published = Record.of("s1._domainkey.fleet.test", RecordType.TXT, 300, [public_key_record(key)])
    mx_world = MxWorld(default_profiles(), WorldRules(), FakeClock(), dkim_sample=1)
    zones = StaticZones([*mx_world.records(), published])
    with LoopbackDnsServer([zones]) as dns_server:
        resolver = DnsPythonResolver(["127.0.0.1"], port=dns_server.port)
        mx_world.dkim_resolver = resolver
        with mx_world:
            signed = _message("bob@other.demo.test", 1)
            unsigned = _message("bob@other.demo.test", 2)
            tampered = _message("bob@other.demo.test", 3)
            signed = replace(signed, data=signer.sign(signed.data))
            tampered = replace(
                tampered, data=signer.sign(tampered.data).replace(b"Hi there.", b"Buy now!")
            )
            relay = MxRelay(resolver, port=mx_world.port)

            async def run() -> list[SendOutcome]:
                try:
                    return [(await relay.send(e))[0].outcome for e in (signed, unsigned, tampered)]
                finally:
                    await relay.close()

            assert asyncio.run(run()) == [SendOutcome.SENT] * 3
            stats = mx_world.stats()["other"]
    assert (stats.dkim_pass, stats.dkim_fail) == (1, 2)


def test_421_deferral_closes_the_connection(world: World) -> None:
    """After a 421 at DATA the server hangs up (RFC 5321 3.8); a 451 keeps the session."""
    server = world.world
    world.rules.hourly_limit.update(gmail=0, other=0)
    data = _message("a@x", 1).data

    async def attempt(provider: str) -> tuple[int, bool]:
        client = aiosmtplib.SMTP(hostname=server.address_of(provider), port=server.port)
        await client.connect()
        await client.ehlo()
        await client.execute_command(b"MAIL", b"FROM:<bounces@fleet.test>")
        await client.execute_command(b"RCPT", f"TO:<a@{provider}.demo.test>".encode())
        try:
            await client.data(data)
        except aiosmtplib.SMTPResponseException as exc:
            code = exc.code
        try:
            await client.noop()
            alive = True
        except aiosmtplib.SMTPServerDisconnected:
            alive = False
        client.close()
        return code, alive

    assert asyncio.run(attempt("gmail")) == (421, False)
    assert asyncio.run(attempt("other")) == (451, True)


def test_reports_are_ingested_and_suppress(world: World) -> None:
    """Through the ingest service, the DSN and the ARF each become an event tied to the sent
    message by its VERP token, and each suppresses its recipient."""
    world.rules.complaint_rate["fleet.test"] = 1.0
    world.reports.sent.extend(
        [
            SentMessage("msg-5", "ghost@yahoo.demo.test", "anna@fleet.test", "fleet.test"),
            SentMessage("msg-6", "bob@microsoft.demo.test", "anna@fleet.test", "fleet.test"),
        ]
    )
    world.send(_message("ghost@yahoo.demo.test", 5), _message("bob@microsoft.demo.test", 6))
    world.world.drain(timeout=10)
    events = sorted(world.reports.store.events, key=lambda e: e.recipient)
    assert [(e.kind.value, e.recipient, e.message_id, e.sending_domain) for e in events] == [
        ("complaint", "bob@microsoft.demo.test", "msg-6", "fleet.test"),
        ("bounce", "ghost@yahoo.demo.test", "msg-5", "fleet.test"),
    ]
    now = SystemClock().now()
    for address in ("ghost@yahoo.demo.test", "bob@microsoft.demo.test"):
        assert world.reports.store.find_suppression(address, "fleet.test", now) is not None
