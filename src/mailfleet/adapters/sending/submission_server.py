"""The SMTP submission endpoint (RFC 6409): applications hand their mail to mailfleet.

aiosmtpd on a port of your choice, STARTTLS required before anything else, AUTH (PLAIN or
LOGIN) required before MAIL, passwords checked against the vault. A message is queued (and so
persisted) before the 250 reply: once the client has its 250, mailfleet owns the message.
"""

from __future__ import annotations

import hmac
import ssl
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from mailfleet.core.errors import MailfleetError
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.sending.submission import Refusal, drafts_from_submission

Enqueue = Callable[[Sequence[MessageDraft]], list[int]]


class SubmissionHandler:
    """Checks credentials, turns the message into drafts, queues them."""

    def __init__(self, users: Mapping[str, Secret], enqueue: Enqueue) -> None:
        self._users = {u.lower(): p for u, p in users.items()}
        self._enqueue = enqueue

    def authenticate(
        self, server: SMTP, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        """AUTH PLAIN/LOGIN against the configured users (constant-time compare)."""
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace").lower()
        expected = self._users.get(user)
        given = auth_data.password.decode("utf-8", "replace")
        ok = expected is not None and hmac.compare_digest(expected.reveal(), given)
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)

    async def handle_DATA(self, server: SMTP, session: Any, envelope: Any) -> str:
        """Queue one draft per recipient, or refuse with a reason."""
        user = str(session.auth_data or "")
        drafts = drafts_from_submission(
            envelope.original_content or b"", list(envelope.rcpt_tos), authenticated_as=user
        )
        if isinstance(drafts, Refusal):
            return drafts.reply
        try:
            ids = self._enqueue(drafts)
        except MailfleetError:
            return "451 4.3.0 could not store the message; try again later"
        return f"250 2.0.0 queued as {','.join(str(i) for i in ids)}"


class SubmissionController(Controller):
    """A Controller whose server insists on STARTTLS and AUTH."""

    def __init__(
        self, handler: SubmissionHandler, host: str, port: int, tls_context: ssl.SSLContext
    ) -> None:
        self._tls = tls_context
        super().__init__(handler, hostname=host, port=port)

    def factory(self) -> SMTP:
        """The SMTP server for one connection."""
        assert isinstance(self.handler, SubmissionHandler)
        return SMTP(
            self.handler,
            hostname=self.hostname,
            tls_context=self._tls,
            require_starttls=True,
            auth_required=True,
            auth_require_tls=True,
            authenticator=self.handler.authenticate,
        )
