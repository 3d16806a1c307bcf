"""Webhook channels over HTTP: a Slack-compatible one, and a generic JSON one signed with HMAC.

Webhook URLs often carry a token (Slack's do), so they are held as ``Secret`` and never appear
in delivery details or logs.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from mailfleet.core.reputation.engine import AlertEvent
from mailfleet.core.reputation.messages import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Delivery,
    json_body,
    sign,
    slack_payload,
)
from mailfleet.core.secrets import Secret


async def _post(
    channel: str, url: Secret, body: bytes, headers: dict[str, str], timeout: float
) -> Delivery:
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.post(url.reveal(), content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Delivery(channel, ok=False, detail=f"cannot reach the webhook: {type(exc).__name__}")
    if response.is_success:
        return Delivery(channel, ok=True, detail=f"HTTP {response.status_code}")
    return Delivery(channel, ok=False, detail=f"HTTP {response.status_code}")


class SlackWebhookNotifier:
    """Posts Slack incoming-webhook JSON (``text`` plus blocks); also fits Mattermost and others."""

    def __init__(self, url: Secret, *, name: str = "slack", timeout: float = 10.0) -> None:
        self._url = url
        self._name = name
        self._timeout = timeout

    @property
    def name(self) -> str:
        """The channel's name."""
        return self._name

    async def deliver(self, event: AlertEvent) -> Delivery:
        """POST the Slack payload."""
        body = json.dumps(slack_payload(event)).encode()
        headers = {"Content-Type": "application/json"}
        return await _post(self._name, self._url, body, headers, self._timeout)


class SignedWebhookNotifier:
    """Posts the event as JSON, signed: ``X-Mailfleet-Signature: sha256=HMAC(key, ts.body)``.

    The receiver recomputes the HMAC over the ``X-Mailfleet-Timestamp`` header, a dot and the
    raw body, compares in constant time, and rejects stale timestamps.
    """

    def __init__(
        self,
        url: Secret,
        key: Secret,
        *,
        name: str = "webhook",
        timeout: float = 10.0,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._url = url
        self._key = key
        self._name = name
        self._timeout = timeout
        self._now = now

    @property
    def name(self) -> str:
        """The channel's name."""
        return self._name

    async def deliver(self, event: AlertEvent) -> Delivery:
        """POST the signed JSON body."""
        body = json_body(event)
        timestamp = str(int(self._now()))
        headers = {
            "Content-Type": "application/json",
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(self._key.reveal().encode(), timestamp, body),
        }
        return await _post(self._name, self._url, body, headers, self._timeout)
