"""SMTP command pipelining (RFC 2920) on a connection aiosmtplib has opened.

aiosmtplib greets, secures (STARTTLS or implicit TLS) and authenticates the connection; when
the server advertises PIPELINING, ``PipelinedSession`` then takes the transport over and each
message becomes two writes instead of four round trips::

    MAIL FROM:<...> / RCPT TO:<...> (each) / DATA   -> one write, the replies read in order
    the dot-stuffed message                         -> one write, one reply

aiosmtplib's own protocol cannot do this: it parses one reply per arrival and drops what comes
while no command waits, so replies that arrive together would be lost. Here every reply is
parsed into a queue as it arrives and read off in order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import aiosmtplib

# RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; a long multi-line EHLO is the
# longest reply we may see, far below this bound on what we keep buffered.
_MAX_BUFFER = 1 << 16


@dataclass(frozen=True, slots=True)
class PipelineReplies:
    """The replies to one pipelined transaction.

    ``recipients`` is shorter than the recipients asked for when the server closed the
    connection (421) part way; ``data`` is DATA's reply (``None`` if cut short before it);
    ``final`` is the reply after the message, ``None`` when no message was transmitted.
    """

    mail: aiosmtplib.SMTPResponse
    recipients: list[aiosmtplib.SMTPResponse]
    data: aiosmtplib.SMTPResponse | None
    final: aiosmtplib.SMTPResponse | None


class PipelinedSession(asyncio.Protocol):
    """The transport of one SMTP connection, with replies queued as they arrive."""

    def __init__(self, transport: asyncio.Transport, timeout: float) -> None:
        self.transport = transport
        self.timeout = timeout
        self._buffer = bytearray()
        self._lines: list[bytes] = []
        self._replies: deque[aiosmtplib.SMTPResponse] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._lost: BaseException | None = None

    @classmethod
    def take_over(cls, client: aiosmtplib.SMTP) -> PipelinedSession:
        """Move ``client``'s connection to a new session; ``client`` is not used afterwards."""
        transport = client.transport
        if transport is None or transport.is_closing():
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        session = cls(cast(asyncio.Transport, transport), client.timeout or 60.0)
        transport.set_protocol(session)
        return session

    @property
    def is_connected(self) -> bool:
        """True until the connection is lost or closed."""
        return self._lost is None and not self.transport.is_closing()

    def data_received(self, data: bytes) -> None:
        """Parse every complete reply (RFC 5321 §4.2: ``code-text`` lines end in ``code text``)."""
        self._buffer += data
        if len(self._buffer) > _MAX_BUFFER:
            self._fail(aiosmtplib.SMTPResponseException(500, "Response too long"))
            return
        while (end := self._buffer.find(b"\n")) >= 0:
            line = bytes(self._buffer[: end + 1])
            del self._buffer[: end + 1]
            self._lines.append(line)
            if line[3:4] != b"-":
                lines, self._lines = self._lines, []
                try:
                    code = int(lines[0][:3])
                except ValueError:
                    self._fail(aiosmtplib.SMTPResponseException(500, "Malformed SMTP reply"))
                    return
                text = b"\n".join(x[4:].strip(b" \t\r\n") for x in lines)
                self._replies.append(
                    aiosmtplib.SMTPResponse(code, text.decode("utf-8", "surrogateescape"))
                )
        self._wake()

    def connection_lost(self, exc: Exception | None) -> None:
        """Fail whoever waits for a reply."""
        self._fail(aiosmtplib.SMTPServerDisconnected(f"Connection lost: {exc or 'closed'}"))

    def eof_received(self) -> bool:
        """The server closed its side: nothing more will come."""
        self._fail(aiosmtplib.SMTPServerDisconnected("Unexpected EOF received"))
        return False

    def _fail(self, exc: BaseException) -> None:
        if self._lost is None:
            self._lost = exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def write(self, data: bytes) -> None:
        """Queue bytes for the server."""
        if not self.is_connected:
            raise aiosmtplib.SMTPServerDisconnected("Connection lost")
        self.transport.write(data)

    async def reply(self) -> aiosmtplib.SMTPResponse:
        """The next reply, in the order the commands were written."""
        while not self._replies:
            if self._lost is not None:
                raise self._lost
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await asyncio.wait_for(self._waiter, self.timeout)
            except TimeoutError:
                raise aiosmtplib.SMTPReadTimeoutError("Timed out waiting for a reply") from None
        return self._replies.popleft()

    async def transaction(
        self, mail_from: bytes, recipients: Sequence[bytes], data: bytes
    ) -> PipelineReplies:
        """MAIL, RCPTs and DATA in one write (RFC 2920 §3.1: DATA ends the group); then, if
        DATA was accepted and so was a recipient, the message (already dot-stuffed and
        terminated) in a second write.

        When DATA gets 354 although no recipient was accepted (RFC 2920 §3.1 allows servers
        to), an empty message is ended with "." at once and nothing counts as transmitted.
        A 421 reply stops the reading: the server is closing the connection.
        """
        commands = [b"MAIL FROM:" + mail_from + b"\r\n"]
        commands += [b"RCPT TO:" + path + b"\r\n" for path in recipients]
        self.write(b"".join(commands) + b"DATA\r\n")
        mail = await self.reply()
        if mail.code == 421:
            return PipelineReplies(mail, [], None, None)
        replies: list[aiosmtplib.SMTPResponse] = []
        for _ in recipients:
            replies.append(await self.reply())
            if replies[-1].code == 421:
                return PipelineReplies(mail, replies, None, None)
        data_reply = await self.reply()
        if data_reply.code != 354:
            return PipelineReplies(mail, replies, data_reply, None)
        accepted = mail.code == 250 and any(r.code in (250, 251) for r in replies)
        self.write(data if accepted else b".\r\n")
        final = await self.reply()
        return PipelineReplies(mail, replies, data_reply, final if accepted else None)

    async def command(self, line: bytes) -> aiosmtplib.SMTPResponse:
        """One command and its reply (RSET, NOOP)."""
        self.write(line + b"\r\n")
        return await self.reply()

    async def quit(self) -> None:
        """QUIT politely, then close whatever happens."""
        try:
            if self.is_connected:
                await self.command(b"QUIT")
        except (aiosmtplib.SMTPException, OSError, TimeoutError):
            pass
        finally:
            self.transport.close()
