"""The submission endpoint: STARTTLS and AUTH required, mail queued before the 250.

Driven by mailfleet's own SMTP relay, which so also proves STARTTLS and AUTH on the client side.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from pathlib import Path

import aiosmtplib
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig, TlsMode
from mailfleet.adapters.sending.smtp_sink import free_port
from mailfleet.adapters.sending.sql_queue import SqlMessageQueue
from mailfleet.adapters.sending.submission_server import SubmissionController, SubmissionHandler
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.model import MessageDraft, MessageState
from mailfleet.core.sending.outcomes import SendOutcome
from mailfleet.core.sending.ports import Envelope


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture
def submission(
    tmp_path: Path, database: Database, clock: FakeClock
) -> Iterator[tuple[int, ssl.SSLContext, SqlMessageQueue]]:
    """The endpoint on a free port, user alice@example.com; yields (port, client TLS, queue)."""
    cert, key = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    client_tls = ssl.create_default_context(cafile=str(cert))
    queue = SqlMessageQueue(database)

    def enqueue(drafts: object) -> list[int]:
        return queue.enqueue(drafts, clock.now())  # type: ignore[arg-type]

    handler = SubmissionHandler({"alice@example.com": Secret("s3cret")}, enqueue)
    port = free_port()
    controller = SubmissionController(handler, "127.0.0.1", port, server_tls)
    controller.start()
    try:
        yield port, client_tls, queue
    finally:
        controller.stop()


MESSAGE = (
    b"From: Alice <alice@example.com>\r\nTo: bob@example.org, carol@example.org\r\n"
    b"Subject: Status\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nAll good.\r\n"
)


def _relay_send(port: int, tls: ssl.SSLContext, password: str, data: bytes) -> list[SendOutcome]:
    config = SmtpRelayConfig(
        "127.0.0.1", port, TlsMode.STARTTLS, "alice@example.com", Secret(password), tls_context=tls
    )

    async def run() -> list[SendOutcome]:
        relay = SmtpRelay(config)
        try:
            envelope = Envelope("alice@example.com", ("bob@example.org", "carol@example.org"), data)
            return [r.outcome for r in await relay.send(envelope)]
        finally:
            await relay.close()

    return asyncio.run(run())


def test_authenticated_submission_is_queued_per_recipient(
    submission: tuple[int, ssl.SSLContext, SqlMessageQueue], clock: FakeClock
) -> None:
    """Over STARTTLS with AUTH, one submitted message becomes a queued draft per recipient."""
    port, tls, queue = submission
    assert _relay_send(port, tls, "s3cret", MESSAGE) == [SendOutcome.SENT, SendOutcome.SENT]
    assert queue.counts()[MessageState.QUEUED] == 2
    claimed = queue.claim("w", 10, clock.now(), 60).messages
    drafts: list[MessageDraft] = [m.draft for m in claimed]
    assert [d.recipient for d in drafts] == ["bob@example.org", "carol@example.org"]
    assert {(d.sender, d.sender_name, d.subject, d.text) for d in drafts} == {
        ("alice@example.com", "Alice", "Status", "All good.\n")
    }


def test_wrong_password_is_refused(submission: tuple[int, ssl.SSLContext, SqlMessageQueue]) -> None:
    """A bad password never gets to MAIL: nothing is queued, the relay defers."""
    port, tls, queue = submission
    assert _relay_send(port, tls, "wrong", MESSAGE) == [SendOutcome.DEFERRED] * 2
    assert queue.counts()[MessageState.QUEUED] == 0


def test_from_must_match_login(submission: tuple[int, ssl.SSLContext, SqlMessageQueue]) -> None:
    """Mail whose From is not the logged-in mailbox is refused with 553 5.7.1."""
    port, tls, queue = submission
    forged = MESSAGE.replace(b"alice@example.com", b"ceo@example.com", 1)
    assert _relay_send(port, tls, "s3cret", forged) == [SendOutcome.BOUNCED] * 2
    assert queue.counts()[MessageState.QUEUED] == 0


def test_plain_text_session_cannot_mail(
    submission: tuple[int, ssl.SSLContext, SqlMessageQueue],
) -> None:
    """Without STARTTLS the server refuses MAIL (530 must issue STARTTLS first)."""
    port, _, _ = submission

    async def run() -> int:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        response = await client.execute_command(b"MAIL", b"FROM:<alice@example.com>")
        client.close()
        return response.code

    assert asyncio.run(run()) == 530
