"""The HTTP edge shared by the cloud mailbox providers: one client, one error translation.

Transport failures and 5xx answers become ``ProviderUnavailable``, 429 becomes
``RateLimited`` with the provider's Retry-After; each adapter translates the rest from its
own documented error bodies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from mailfleet.core.mailboxes.errors import ProviderUnavailable, RateLimited

USER_AGENT = "mailfleet (+https://github.com/mailfleet/mailfleet)"


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    """Parse Retry-After (RFC 9110 section 10.2.3): delay-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class JsonApi:
    """An ``httpx.Client`` with a base URL, auth headers from a callable, and error mapping."""

    def __init__(
        self,
        base_url: str,
        *,
        name: str,
        headers: Callable[[], Mapping[str, str]],
        now: Callable[[], datetime],
        timeout: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.name = name
        self._headers = headers
        self._now = now
        self.client = httpx.Client(
            base_url=base_url,
            timeout=timeout,
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            limits=httpx.Limits(max_connections=128, max_keepalive_connections=64),
        )

    def send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send one request; raise for transport errors, 429 and 5xx, return anything else."""
        headers = {**self._headers(), **kwargs.pop("headers", {})}
        try:
            response = self.client.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException:
            raise ProviderUnavailable(f"{self.name}: no answer in time ({method} {path})") from None
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{self.name}: {type(exc).__name__}: {exc}") from None
        if response.status_code == 429:
            raise RateLimited(
                f"{self.name}: 429 Too Many Requests",
                retry_after=retry_after_seconds(response.headers.get("Retry-After"), self._now()),
            )
        if response.status_code >= 500:
            raise ProviderUnavailable(
                f"{self.name}: {response.status_code} {response.reason_phrase}"
            )
        return response

    def close(self) -> None:
        """Close pooled connections."""
        self.client.close()


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body, or ``None`` when there is none or it is not JSON."""
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


class BearerToken:
    """An OAuth 2.0 access token (RFC 6749), fetched on first use and refreshed before expiry.

    ``fetch`` returns the token and its lifetime in seconds; one fetch serves every worker.
    """

    def __init__(self, fetch: Callable[[], tuple[str, float]], now: Callable[[], datetime]):
        self._fetch = fetch
        self._now = now
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires: datetime | None = None

    def header(self) -> dict[str, str]:
        """``{"Authorization": "Bearer ..."}``, with a token valid for at least a minute."""
        with self._lock:
            now = self._now()
            if self._token is None or self._expires is None or now >= self._expires:
                token, lifetime = self._fetch()
                self._token = token
                self._expires = now + timedelta(seconds=max(0.0, lifetime - 60))
            return {"Authorization": f"Bearer {self._token}"}
