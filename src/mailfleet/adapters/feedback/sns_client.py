"""Amazon SNS over https: signing certificates (cached) and subscription confirmations."""

from __future__ import annotations

import httpx

from mailfleet.core.errors import ProviderError

_MAX_BYTES = 64 * 1024  # a PEM certificate or a confirmation answer is a few KiB


class HttpsSnsClient:
    """GETs from SNS endpoints; certificates are cached by URL for the process's life."""

    def __init__(self, *, timeout: float = 10.0, client: httpx.Client | None = None) -> None:
        self._client = client or httpx.Client(timeout=timeout, follow_redirects=False)
        self._cache: dict[str, bytes] = {}

    def get(self, url: str) -> bytes:
        """The body at ``url``; certificate URLs (``.pem``) are fetched once."""
        cacheable = url.endswith(".pem")
        if cacheable and url in self._cache:
            return self._cache[url]
        try:
            response = self._client.get(url)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise ProviderError(f"SNS request failed: {type(exc).__name__}") from exc
        body = response.content[:_MAX_BYTES]
        if cacheable:
            self._cache[url] = body
        return body
