"""The SMTP relay: aiosmtplib over a bounded pool of reused connections.

Each message is MAIL FROM, one RCPT TO per recipient, DATA (RFC 5321 §3.3), on a connection
taken from the pool and returned to it afterwards, so TLS and AUTH are paid once per
connection, not per message. When the server offers PIPELINING (RFC 2920), the commands of a
transaction go out in one write and the message in a second (``smtp_pipeline``). Every reply
becomes a ``RecipientResult``; a connection that breaks is thrown away and its recipients
deferred; a run of broken connections opens the relay's circuit breaker.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from dataclasses import dataclass
from enum import StrEnum

import aiosmtplib

from mailfleet.adapters.sending.smtp_pipeline import PipelinedSession
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.breaker import CircuitBreaker
from mailfleet.core.sending.dkim import normalise_line_ends
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome, result_from_reply
from mailfleet.core.sending.ports import Envelope

_CONNECTION_ERRORS = (
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPTimeoutError,
    aiosmtplib.SMTPAuthenticationError,
    aiosmtplib.SMTPHeloError,
    aiosmtplib.SMTPNotSupported,
    OSError,
    TimeoutError,
)


class TlsMode(StrEnum):
    """How the connection is secured."""

    NONE = "none"
    STARTTLS = "starttls"
    IMPLICIT = "implicit"


@dataclass(frozen=True)
class SmtpRelayConfig:
    """Where and how to connect. ``pool_size`` bounds the open connections."""

    host: str
    port: int
    tls: TlsMode = TlsMode.NONE
    username: str = ""
    password: Secret | None = None
    pool_size: int = 4
    timeout: float = 30.0
    tls_context: ssl.SSLContext | None = None
    local_hostname: str | None = None
    max_messages_per_connection: int = 1000
    source_address: str = ""  # bind outgoing connections to this local IP (an IP pool member)
    pipelining: bool = True  # use PIPELINING (RFC 2920) when the server offers it


class _Connection:
    def __init__(self, client: aiosmtplib.SMTP, pipe: PipelinedSession | None = None) -> None:
        self.client = client
        self.pipe = pipe
        self.sent = 0

    async def close(self) -> None:
        if self.pipe is not None:
            await self.pipe.quit()
        else:
            await _quietly_close(self.client)


class SmtpRelay:
    """``Relay`` over SMTP with connection pooling and a circuit breaker."""

    def __init__(self, config: SmtpRelayConfig, name: str = "smtp") -> None:
        self.name = name
        self.config = config
        self.breaker = CircuitBreaker()
        self._idle: list[_Connection] = []
        self._slots = asyncio.Semaphore(config.pool_size)

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """Deliver over a pooled connection; one result per recipient."""
        now = time.monotonic()
        if not self.breaker.allow(now):
            wait = self.breaker.retry_in(now)
            return _all(envelope, "relay circuit open", retry_after=wait)
        async with self._slots:
            try:
                connection = self._idle.pop() if self._idle else await self._connect()
            except _CONNECTION_ERRORS as exc:
                self.breaker.failure(time.monotonic())
                return _all(envelope, f"cannot connect to {self.name}: {_describe(exc)}")
            try:
                if connection.pipe is not None:
                    results, reusable = await _pipelined(connection.pipe, envelope)
                else:
                    results, reusable = await self._transaction(connection.client, envelope)
            except _CONNECTION_ERRORS as exc:
                self.breaker.failure(time.monotonic())
                await connection.close()
                return _all(envelope, f"connection to {self.name} lost: {_describe(exc)}")
            self.breaker.success()
            connection.sent += 1
            if reusable and connection.sent < self.config.max_messages_per_connection:
                self._idle.append(connection)
            else:
                await connection.close()
            return results

    async def _connect(self) -> _Connection:
        config = self.config
        client = aiosmtplib.SMTP(
            hostname=config.host,
            port=config.port,
            timeout=config.timeout,
            use_tls=config.tls is TlsMode.IMPLICIT,
            start_tls=config.tls is TlsMode.STARTTLS,
            tls_context=config.tls_context,
            local_hostname=config.local_hostname,
            source_address=(config.source_address, 0) if config.source_address else None,
            username=config.username or None,
            password=config.password.reveal() if config.password else None,
        )
        await client.connect()
        if not config.pipelining:
            return _Connection(client)
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        if not client.supports_extension("pipelining"):
            return _Connection(client)
        return _Connection(client, PipelinedSession.take_over(client))

    async def _transaction(
        self, client: aiosmtplib.SMTP, envelope: Envelope
    ) -> tuple[list[RecipientResult], bool]:
        # MAIL and RCPT go through execute_command with addresses we checked ourselves:
        # aiosmtplib's own mail()/rcpt() re-parse every address with email.utils, which
        # costs more than the rest of the transaction.
        try:
            mail_from = _path(envelope.mail_from)
            paths = [_path(r) for r in envelope.recipients]
        except ValueError as exc:
            return [
                RecipientResult(r, SendOutcome.FAILED, None, "", str(exc))
                for r in envelope.recipients
            ], True
        if client.is_ehlo_or_helo_needed:
            await client.ehlo()
        response = await client.execute_command(b"MAIL", b"FROM:" + mail_from)
        if response.code != 250:
            results = [
                result_from_reply(r, response.code, response.message) for r in envelope.recipients
            ]
            return results, await _reset(client, response.code)
        refused: dict[str, RecipientResult] = {}
        for recipient, path in zip(envelope.recipients, paths, strict=True):
            response = await client.execute_command(b"RCPT", b"TO:" + path)
            if response.code not in (250, 251):
                refused[recipient] = result_from_reply(recipient, response.code, response.message)
                if response.code == 421:
                    break
        accepted = [r for r in envelope.recipients if r not in refused]
        if not accepted or not client.is_connected:
            closing = next((r.code for r in refused.values() if r.code == 421), 0)
            results = [
                refused.get(r) or RecipientResult(r, SendOutcome.DEFERRED, 421, "", "not tried")
                for r in envelope.recipients
            ]
            return results, await _reset(client, closing or 0)
        response = await send_data(client, envelope.data)
        code, message = response.code, response.message
        results = [
            refused.get(r) or result_from_reply(r, code, message) for r in envelope.recipients
        ]
        return results, code != 421

    async def close(self) -> None:
        """QUIT every idle connection."""
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()


async def _pipelined(
    pipe: PipelinedSession, envelope: Envelope
) -> tuple[list[RecipientResult], bool]:
    """One pipelined transaction; the results and whether the connection can be reused."""
    try:
        mail_from = _path(envelope.mail_from)
        paths = [_path(r) for r in envelope.recipients]
    except ValueError as exc:
        return [
            RecipientResult(r, SendOutcome.FAILED, None, "", str(exc)) for r in envelope.recipients
        ], True
    data = dot_stuff(normalise_line_ends(envelope.data))
    replies = await pipe.transaction(mail_from, paths, data)
    recipients = envelope.recipients
    mail = replies.mail
    if mail.code != 250:
        results = [result_from_reply(r, mail.code, mail.message) for r in recipients]
        return results, await _reset_pipe(pipe, mail.code)
    refused = {
        r: result_from_reply(r, reply.code, reply.message)
        for r, reply in zip(recipients, replies.recipients, strict=False)
        if reply.code not in (250, 251)
    }
    final = replies.final
    if final is not None:
        results = [refused.get(r) or result_from_reply(r, final.code, final.message)
                   for r in recipients]  # fmt: skip
        return results, final.code != 421
    data_reply = replies.data
    accepted = len(replies.recipients) - len(refused) > 0
    results = []
    for r in recipients:
        if r in refused:
            results.append(refused[r])
        elif data_reply is not None and data_reply.code != 354 and accepted:
            results.append(result_from_reply(r, data_reply.code, data_reply.message))
        else:
            results.append(RecipientResult(r, SendOutcome.DEFERRED, 421, "", "not tried"))
    codes = [x.code for x in (*replies.recipients, data_reply) if x is not None]
    return results, await _reset_pipe(pipe, 421 if 421 in codes else 0)


async def _reset_pipe(pipe: PipelinedSession, code: int) -> bool:
    """RSET after a transaction that sent nothing; False when the connection was closed."""
    if code == 421 or not pipe.is_connected:
        pipe.transport.close()
        return False
    try:
        reply = await pipe.command(b"RSET")
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        pipe.transport.close()
        return False
    if reply.code != 250:
        pipe.transport.close()
        return False
    return True


async def send_data(client: aiosmtplib.SMTP, data: bytes) -> aiosmtplib.SMTPResponse:
    """DATA, then the message dot-stuffed and ended by ``CRLF.CRLF`` (RFC 5321 §4.1.1.4, §4.5.2).

    The message is written here rather than through ``client.data()``, whose two regular
    expressions over the whole body (line ends, leading dots) cost a quarter of a
    millisecond per 10 KB message; the signer has already put the lines in CRLF form, so
    plain bytes operations suffice and the bytes on the wire are the bytes that were signed.
    """
    response = await client.execute_command(b"DATA")
    protocol = client.protocol
    if response.code != 354 or protocol is None:
        return response
    protocol.write(dot_stuff(normalise_line_ends(data)))
    # read_response right after write, with no await in between: the reply cannot arrive
    # before the protocol is waiting for it.
    return await protocol.read_response(timeout=client.timeout)


def dot_stuff(data: bytes) -> bytes:
    """A CRLF message as DATA carries it: lines starting with '.' get another (RFC 5321
    §4.5.2), and the terminating ``.`` line is added."""
    if data.startswith(b"."):
        data = b"." + data
    if b"\n." in data:
        data = data.replace(b"\n.", b"\n..")
    return data + b".\r\n"


async def _reset(client: aiosmtplib.SMTP, code: int) -> bool:
    """RSET after a refused transaction; False when the connection is not worth keeping."""
    if code == 421 or not client.is_connected:  # 421: the server is closing the channel
        await _quietly_close(client)
        return False
    try:
        await client.rset()
    except (aiosmtplib.SMTPException, OSError):
        await _quietly_close(client)
        return False
    return True


async def _quietly_close(client: aiosmtplib.SMTP) -> None:
    try:
        if client.is_connected:
            await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


def _path(address: str) -> bytes:
    """``<address>`` for MAIL/RCPT (RFC 5321 §4.1.2); refuses characters that could inject."""
    if any(c in address for c in "<>\r\n\x00 ") or not address.isascii():
        raise ValueError(f"not a deliverable address: {address!r}")
    return f"<{address}>".encode("ascii")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _all(envelope: Envelope, text: str, retry_after: float | None = None) -> list[RecipientResult]:
    return [
        RecipientResult(r, SendOutcome.DEFERRED, None, "", text, retry_after)
        for r in envelope.recipients
    ]
