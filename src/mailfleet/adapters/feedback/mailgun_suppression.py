"""Mailgun's suppression lists for one domain: bounces, complaints, unsubscribes.

API (https://documentation.mailgun.com/docs/mailgun/api-reference/openapi-final/tag/Bounces/,
``.../Complaints/``, ``.../Unsubscribe/``), HTTP basic auth ``api:<key>``:

- ``GET /v3/<domain>/<list>?limit=N``: ``{"items": [...], "paging": {"next": URL, ...}}``;
  the ``next`` URL is followed until a page comes back empty.
- ``POST /v3/<domain>/<list>`` with a JSON array (up to 1000 entries a call): bounces carry
  ``address, code, error, created_at``, complaints ``address, created_at``, unsubscribes
  ``address, tags, created_at``; ``created_at`` is an RFC 2822 date.
- ``DELETE /v3/<domain>/<list>/<address>``: 404 when the address is not on the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from mailfleet.core.errors import ProviderError
from mailfleet.core.feedback.relay_suppression import RemoteKind, RemoteSuppression
from mailfleet.core.secrets import Secret

US_BASE_URL = "https://api.mailgun.net"
EU_BASE_URL = "https://api.eu.mailgun.net"
_LISTS = {
    RemoteKind.BOUNCE: "bounces",
    RemoteKind.COMPLAINT: "complaints",
    RemoteKind.UNSUBSCRIBE: "unsubscribes",
}
_PAGE = 1000  # Mailgun's largest page and batch
_MAX_PAGES = 10_000  # a paging loop that never ends is a broken server, not a long list


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None


class MailgunSuppressionList:
    """``RelaySuppressionList`` over Mailgun's bounces, complaints and unsubscribes APIs."""

    kinds: tuple[RemoteKind, ...] = (
        RemoteKind.BOUNCE,
        RemoteKind.COMPLAINT,
        RemoteKind.UNSUBSCRIBE,
    )

    def __init__(
        self,
        domain: str,
        api_key: Secret,
        *,
        base_url: str = US_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.name = "mailgun"
        self.unsubscribe_scope: str | None = domain.lower()
        self._base = f"{base_url.rstrip('/')}/v3/{quote(domain, safe='')}"
        self._host = urlsplit(base_url).netloc
        self._client = httpx.Client(
            auth=("api", api_key.reveal()), timeout=timeout, transport=transport
        )

    def _request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"Mailgun unreachable: {type(exc).__name__}", retryable=True
            ) from exc
        if response.status_code >= 400 and response.status_code != 404:
            retryable = response.status_code == 429 or response.status_code >= 500
            raise ProviderError(
                f"Mailgun {method} {urlsplit(url).path}: {response.status_code}",
                retryable=retryable,
            )
        return response

    def _list(self, kind: RemoteKind) -> list[RemoteSuppression]:
        found: list[RemoteSuppression] = []
        url: str | None = f"{self._base}/{_LISTS[kind]}?limit={_PAGE}"
        seen: set[str] = set()
        while url is not None and url not in seen and len(seen) < _MAX_PAGES:
            seen.add(url)
            response = self._request("GET", url)
            if response.status_code == 404:  # a domain without this list yet
                return found
            body = response.json()
            items = body.get("items") or []
            for item in items:
                tags = item.get("tags") or ["*"]
                if kind is RemoteKind.UNSUBSCRIBE and "*" not in tags:
                    continue  # unsubscribed from some tags only: still wants other mail
                found.append(
                    RemoteSuppression(
                        str(item.get("address", "")),
                        kind,
                        _when(item.get("created_at")),
                        str(item.get("error", "")),
                    )
                )
            following = (body.get("paging") or {}).get("next")
            # The credentials go with the request: follow paging links on Mailgun's host only.
            if not items or not isinstance(following, str):
                url = None
            elif urlsplit(following).netloc == self._host:
                url = following
            else:
                raise ProviderError("Mailgun paging link points to another host")
        return found

    def entries(self) -> list[RemoteSuppression]:
        """Every address on the domain's bounces, complaints and unsubscribes lists."""
        return [entry for kind in self.kinds for entry in self._list(kind)]

    def add(self, entries: Sequence[RemoteSuppression]) -> int:
        """Batched JSON posts, one list at a time, up to 1000 addresses a call."""
        sent = 0
        for kind in self.kinds:
            rows = [self._row(e) for e in entries if e.kind is kind]
            for start in range(0, len(rows), _PAGE):
                chunk = rows[start : start + _PAGE]
                self._request("POST", f"{self._base}/{_LISTS[kind]}", json=chunk)
                sent += len(chunk)
        return sent

    @staticmethod
    def _row(entry: RemoteSuppression) -> dict[str, object]:
        row: dict[str, object] = {"address": entry.address}
        if entry.created_at is not None:
            row["created_at"] = format_datetime(entry.created_at.astimezone(UTC), usegmt=True)
        if entry.kind is RemoteKind.BOUNCE:
            row["code"] = "550"
            row["error"] = (entry.detail or "suppressed by mailfleet")[:255]
        elif entry.kind is RemoteKind.UNSUBSCRIBE:
            row["tags"] = ["*"]
        return row

    def remove(self, address: str) -> bool:
        """Delete the address from every list; whether any had it."""
        removed = False
        for kind in self.kinds:
            url = f"{self._base}/{_LISTS[kind]}/{quote(address, safe='@')}"
            removed = self._request("DELETE", url).status_code < 300 or removed
        return removed

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()
