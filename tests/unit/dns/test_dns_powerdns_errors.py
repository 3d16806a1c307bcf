"""PowerDNS adapter error translation, driven by httpx's mock transport."""

from __future__ import annotations

import httpx
import pytest

from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.core.dns.errors import DnsProviderUnavailable, DnsRequestRejected
from mailfleet.core.dns.plan import Change, ChangeKind
from mailfleet.core.dns.records import Record, RecordType
from mailfleet.core.secrets import Secret

CHANGE = Change(
    ChangeKind.CREATE, None, Record.of("_dmarc.a.test", RecordType.TXT, 60, ["v=DMARC1; p=none"])
)


def _provider(handler) -> PowerDnsProvider:  # type: ignore[no-untyped-def]
    return PowerDnsProvider(
        "pdns", "http://pdns.invalid", Secret("k"), transport=httpx.MockTransport(handler)
    )


def test_timeout_halfway_is_retryable_and_names_the_record() -> None:
    """A read timeout on the PATCH is DnsProviderUnavailable naming zone and record."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(
        DnsProviderUnavailable, match=r"a\.test: _dmarc\.a\.test TXT: timed out"
    ) as caught:
        _provider(handler).apply("a.test", [CHANGE])
    assert caught.value.retryable


def test_server_error_is_retryable_with_the_api_message() -> None:
    """A 500 with PowerDNS's error body is retryable and carries the message."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"error": "backend failed"})

    with pytest.raises(DnsProviderUnavailable, match="HTTP 500: backend failed"):
        _provider(handler).apply("a.test", [CHANGE])


def test_client_error_is_a_rejection() -> None:
    """A 422 (PowerDNS refusing the RRset) is a non-retryable rejection."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(422, json={"error": "RRset _dmarc.a.test. IN TXT: bad content"})

    with pytest.raises(DnsRequestRejected, match="bad content") as caught:
        _provider(handler).apply("a.test", [CHANGE])
    assert not caught.value.retryable


def test_api_key_travels_in_the_header_only() -> None:
    """The key goes in X-API-Key, never in the URL."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    _provider(handler).apply("a.test", [CHANGE])
    assert seen[0].headers["X-API-Key"] == "k"
    assert "k" not in str(seen[0].url.query)
    body = seen[0].read().decode()
    assert '"changetype":"REPLACE"' in body.replace(" ", "")
