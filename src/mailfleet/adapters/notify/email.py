"""The email channel: alerts sent over SMTP with aiosmtplib, from the monitoring segment."""

from __future__ import annotations

from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import aiosmtplib

from mailfleet.core.reputation.engine import AlertEvent
from mailfleet.core.reputation.messages import Delivery, subject_line, text_body
from mailfleet.core.secrets import Secret


class SmtpEmailNotifier:
    """Sends each alert as a plain-text message through one SMTP server.

    ``sender`` is a mailbox of the monitoring segment (see ``monitoring_sender``): alerts go
    out on the domain kept apart for them, never on a pool that may be the one in trouble.
    """

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: Sequence[str],
        *,
        username: str | None = None,
        password: Secret | None = None,
        starttls: bool = False,
        timeout: float = 15.0,
        name: str = "email",
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._recipients = tuple(recipients)
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout
        self._name = name

    @property
    def name(self) -> str:
        """The channel's name."""
        return self._name

    def message_sender(self) -> str:
        """The address alerts come from."""
        return self._sender

    def message(self, event: AlertEvent) -> EmailMessage:
        """The message for ``event``, with a Message-ID on the monitoring domain."""
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = ", ".join(self._recipients)
        message["Subject"] = subject_line(event)
        message["Date"] = format_datetime(event.at)
        message["Message-ID"] = make_msgid("alert", domain=self._sender.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to alerts
        message.set_content(text_body(event))
        return message

    async def deliver(self, event: AlertEvent) -> Delivery:
        """Send the message; SMTP trouble comes back as a failed delivery."""
        try:
            await aiosmtplib.send(
                self.message(event),
                hostname=self._host,
                port=self._port,
                sender=self._sender,
                recipients=list(self._recipients),
                username=self._username,
                password=self._password.reveal() if self._password else None,
                start_tls=self._starttls,
                use_tls=False,
                timeout=self._timeout,
            )
        except aiosmtplib.SMTPException as exc:
            return Delivery(self._name, ok=False, detail=f"SMTP: {type(exc).__name__}: {exc}")
        except OSError as exc:
            return Delivery(
                self._name,
                ok=False,
                detail=f"cannot reach {self._host}:{self._port}: {exc.strerror}",
            )
        return Delivery(self._name, ok=True, detail=f"to {len(self._recipients)} recipient(s)")
