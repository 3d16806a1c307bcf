"""Mailgun's HTTP API, raw MIME: ``POST /v3/<domain>/messages.mime``.

Mailgun takes the message as it is (our DKIM signature included) as a multipart form with
``to`` and ``message`` fields, authenticated with HTTP basic auth ``api:<key>``
(https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Messages/).
The envelope sender is Mailgun's (``h:Sender`` cannot change MAIL FROM), so VERP rides in a
custom variable ``v:verp`` that Mailgun echoes in its bounce webhooks.

Replies become outcomes: 200 sent; 429 and 5xx deferred (``Retry-After`` honoured);
400/401/403/404 failed (our request or credentials are wrong, not the recipient).
"""

from __future__ import annotations

import time

import httpx

from mailfleet.core.secrets import Secret
from mailfleet.core.sending.breaker import CircuitBreaker
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome
from mailfleet.core.sending.ports import Envelope

US_BASE_URL = "https://api.mailgun.net"
EU_BASE_URL = "https://api.eu.mailgun.net"


class MailgunRelay:
    """``Relay`` over Mailgun's messages.mime endpoint, one pooled HTTP client."""

    def __init__(
        self,
        domain: str,
        api_key: Secret,
        *,
        base_url: str = US_BASE_URL,
        name: str = "mailgun",
        timeout: float = 30.0,
        max_connections: int = 8,
    ) -> None:
        self.name = name
        self.breaker = CircuitBreaker()
        self._url = f"{base_url.rstrip('/')}/v3/{domain}/messages.mime"
        self._client = httpx.AsyncClient(
            auth=("api", api_key.reveal()),
            timeout=timeout,
            limits=httpx.Limits(max_connections=max_connections),
        )

    async def send(self, envelope: Envelope) -> list[RecipientResult]:
        """One API call per envelope; the same outcome for every recipient."""
        now = time.monotonic()
        if not self.breaker.allow(now):
            return _all(envelope, SendOutcome.DEFERRED, None, "relay circuit open",
                        self.breaker.retry_in(now))  # fmt: skip
        form = {"to": list(envelope.recipients), "v:verp": envelope.mail_from}
        files = {"message": ("message.eml", envelope.data, "message/rfc822")}
        try:
            response = await self._client.post(self._url, data=form, files=files)
        except httpx.HTTPError as exc:
            self.breaker.failure(time.monotonic())
            return _all(envelope, SendOutcome.DEFERRED, None, f"Mailgun unreachable: {exc!r}")
        return self._outcome(envelope, response)

    def _outcome(self, envelope: Envelope, response: httpx.Response) -> list[RecipientResult]:
        status = response.status_code
        try:
            text = str(response.json().get("message", ""))
        except ValueError:
            text = response.text[:200]
        if status >= 500:
            self.breaker.failure(time.monotonic())
        else:
            self.breaker.success()
        if status == 200:
            return _all(envelope, SendOutcome.SENT, 250, f"Mailgun: {text}")
        if status == 429 or status >= 500:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            return _all(
                envelope, SendOutcome.DEFERRED, 421, f"Mailgun {status}: {text}", retry_after
            )
        return _all(envelope, SendOutcome.FAILED, None, f"Mailgun {status}: {text}")

    async def close(self) -> None:
        """Close the HTTP connections."""
        await self._client.aclose()


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _all(
    envelope: Envelope, outcome: SendOutcome, code: int | None, text: str,
    retry_after: float | None = None,
) -> list[RecipientResult]:  # fmt: skip
    return [RecipientResult(r, outcome, code, "", text, retry_after) for r in envelope.recipients]
