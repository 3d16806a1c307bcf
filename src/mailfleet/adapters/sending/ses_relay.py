"""Amazon SES v2 ``SendEmail`` with raw content: our signed bytes, SES's delivery.

The message goes as ``Content.Raw`` (already DKIM-signed by mailfleet); the VERP address goes
as ``FeedbackForwardingEmailAddress``, so bounces SES forwards still name their message.
boto3 is synchronous, so each call runs in a worker thread. SES errors become outcomes:

- ``MessageRejected`` -> bounced (SES refused this message; retrying will not help)
- ``TooManyRequestsException``, ``Throttling``, ``LimitExceededException``,
  ``SendingPausedException``, HTTP 5xx, connection errors -> deferred
- anything else SES says (unverified identity, suspended account) -> failed
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from mailfleet.core.sending.breaker import CircuitBreaker
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Envelope

_DEFER_CODES = frozenset(
    {"TooManyRequestsException", "Throttling", "LimitExceededException", "SendingPausedException"}
)


class SesRelay:
    """``Relay`` over the SES v2 API (a boto3 ``sesv2`` client)."""

    def __init__(self, client: Any, name: str = "ses", configuration_set: str = "") -> None:
        self.name = name
        self._client = client
        self._configuration_set = configuration_set
        self.breaker = CircuitBreaker()

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """One SendEmail call for the envelope; the same outcome for every recipient."""
        now = time.monotonic()
        if not self.breaker.allow(now):
            return self._all(envelope, SendOutcome.DEFERRED, None, "relay circuit open",
                             self.breaker.retry_in(now))  # fmt: skip
        try:
            response = await asyncio.to_thread(self._send, envelope)
        except ClientError as exc:
            return self._client_error(envelope, exc)
        except BotoCoreError as exc:
            self.breaker.failure(time.monotonic())
            return self._all(envelope, SendOutcome.DEFERRED, None, f"SES unreachable: {exc}")
        self.breaker.success()
        return self._all(envelope, SendOutcome.SENT, 250, f"SES MessageId {response['MessageId']}")

    def _send(self, envelope: Envelope) -> Any:
        request: dict[str, Any] = {
            "FromEmailAddress": envelope.header_from or envelope.mail_from,
            "Destination": {"ToAddresses": list(envelope.recipients)},
            "Content": {"Raw": {"Data": envelope.data}},
            "FeedbackForwardingEmailAddress": envelope.mail_from,
        }
        if self._configuration_set:
            request["ConfigurationSetName"] = self._configuration_set
        return self._client.send_email(**request)

    def _client_error(self, envelope: Envelope, exc: ClientError) -> list[RecipientResult]:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        text = f"SES {code}: {error.get('Message', '')}"
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
        if code == "MessageRejected":
            self.breaker.success()
            return self._all(envelope, SendOutcome.BOUNCED, 554, text)
        if code in _DEFER_CODES or status >= 500:
            if status >= 500:
                self.breaker.failure(time.monotonic())
            return self._all(envelope, SendOutcome.DEFERRED, 421, text)
        self.breaker.success()
        return self._all(envelope, SendOutcome.FAILED, None, text)

    @staticmethod
    def _all(
        envelope: Envelope, outcome: SendOutcome, code: int | None, text: str,
        retry_after: float | None = None,
    ) -> list[RecipientResult]:  # fmt: skip
        return [
            RecipientResult(r, outcome, code, "", text, retry_after) for r in envelope.recipients
        ]

    async def close(self) -> None:
        """boto3 clients need no closing."""
