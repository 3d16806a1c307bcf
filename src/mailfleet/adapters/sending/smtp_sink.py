"""A recording SMTP server (aiosmtpd): the receiving end in tests, benchmarks and the demo.

It accepts everything except recipients matched by its rules, which get a scripted reply
(``550 5.1.1`` for an unknown user, ``421 4.7.0`` to defer, ...). Each accepted message is
recorded with its envelope and Message-ID, so tests can count what arrived.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True, slots=True)
class Received:
    """One message as the sink got it."""

    mail_from: str
    recipients: tuple[str, ...]
    message_id: str
    data: bytes
    peer: str = ""


@dataclass
class RecordingSink:
    """An aiosmtpd handler. ``rules`` maps a recipient local-part prefix to a reply line."""

    rules: dict[str, str] = field(default_factory=dict)
    keep_data: bool = True
    received: list[Received] = field(default_factory=list)
    pipelining: bool = False  # advertise PIPELINING (RFC 2920); aiosmtpd reads commands in turn
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        """The EHLO reply lines, with PIPELINING when asked for."""
        session.host_name = hostname
        if self.pipelining:
            return [*responses[:-1], "250-PIPELINING", responses[-1]]
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        """Refuse or defer by rule, else accept."""
        local = address.partition("@")[0].lower()
        for prefix, reply in self.rules.items():
            if local.startswith(prefix):
                return reply
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        """Record the message."""
        data: bytes = envelope.original_content or b""
        headers = BytesHeaderParser().parsebytes(data)
        record = Received(
            envelope.mail_from,
            tuple(envelope.rcpt_tos),
            str(headers.get("Message-ID", "")),
            data if self.keep_data else b"",
            str(session.peer),
        )
        with self._lock:
            self.received.append(record)
        return "250 2.0.0 OK queued"

    def message_ids(self) -> list[str]:
        """Message-IDs received so far, in arrival order."""
        with self._lock:
            return [r.message_id for r in self.received]


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free at the time of asking."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def start_sink(sink: RecordingSink, host: str = "127.0.0.1") -> Controller:
    """Run ``sink`` on a free loopback port in a thread; ``controller.port`` tells where."""
    controller = Controller(sink, hostname=host, port=free_port(host), decode_data=False)
    controller.start()
    return controller
