"""Inbound SMTP for reports (aiosmtpd): VERP bounces and feedback-loop mail, nothing else.

The server accepts a recipient only if it is one of mailfleet's report addresses: a VERP
return path (``bounces+<token>@<bounce-domain>``, or the bare ``bounces@``) on a configured
bounce domain, or a configured feedback-loop address. Every other RCPT gets ``550 5.7.1``, so
it can never relay. Messages over the size limit are refused by aiosmtpd at DATA (``552``).
Each accepted message is handed to a callback (the ingest service, wired by the composition
root); a callback failure answers ``451`` so the sender retries instead of losing the report.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mailfleet.core.errors import ProviderError
from mailfleet.core.feedback.intake import DEFAULT_MAX_BYTES, IntakeAddresses

log = logging.getLogger(__name__)

OnReport = Callable[[bytes, tuple[str, ...]], None]


class IntakeError(ProviderError):
    """The inbound SMTP server could not start (port taken, bad address)."""


class ReportHandler:
    """aiosmtpd handler: recipient filter and hand-off of accepted messages."""

    def __init__(self, addresses: IntakeAddresses, on_report: OnReport) -> None:
        self._addresses = addresses
        self._on_report = on_report

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        """Accept report addresses only: this server is never a relay."""
        if not self._addresses.accepts(address):
            return "550 5.7.1 Recipient not accepted here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        """Hand the raw message to the callback; ask for a retry if it fails."""
        raw = envelope.original_content or b""
        try:
            self._on_report(bytes(raw), tuple(envelope.rcpt_tos))
        except Exception:  # the report must not be lost: the sender will retry
            log.exception("feedback intake: could not process a report")
            return "451 4.3.0 Report not processed, try again later"
        return "250 2.0.0 Report accepted"


class FeedbackSmtpIntake:
    """The inbound SMTP server for reports, started and stopped explicitly."""

    def __init__(
        self,
        addresses: IntakeAddresses,
        on_report: OnReport,
        *,
        host: str = "127.0.0.1",
        port: int = 2525,
        max_bytes: int = DEFAULT_MAX_BYTES,
        server_hostname: str = "mailfleet-intake",
    ) -> None:
        self._controller = Controller(
            ReportHandler(addresses, on_report),
            hostname=host,
            port=port,
            server_hostname=server_hostname,
            data_size_limit=max_bytes,
            ready_timeout=10.0,
        )

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._controller.port)

    def start(self) -> None:
        """Start listening in a background thread."""
        try:
            self._controller.start()
        except (OSError, RuntimeError) as exc:
            raise IntakeError(f"cannot start the feedback SMTP intake: {exc}") from None

    def stop(self) -> None:
        """Stop listening."""
        self._controller.stop()

    def __enter__(self) -> FeedbackSmtpIntake:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
