"""Errors DNS provider adapters raise, each naming the provider, the zone and the record::

ProviderError
 └── DnsProviderError        provider, zone, record
      ├── DnsRequestRejected  4xx / REFUSED / NOTAUTH: fix the request or the credentials
      └── DnsProviderUnavailable  5xx, timeouts, connection errors: retrying may help
"""

from __future__ import annotations

from mailfleet.core.errors import ProviderError


class DnsProviderError(ProviderError):
    """A DNS provider refused or failed a request about ``zone`` (and ``record`` if known)."""

    def __init__(
        self, provider: str, zone: str, record: str, reason: str, *, retryable: bool = False
    ) -> None:
        where = f"{zone}: {record}" if record else zone
        super().__init__(f"DNS provider {provider}: {where}: {reason}", retryable=retryable)
        self.provider = provider
        self.zone = zone
        self.record = record
        self.reason = reason


class DnsRequestRejected(DnsProviderError):
    """The provider rejected the request (4xx, REFUSED, NOTAUTH); retrying will not help."""


class DnsProviderUnavailable(DnsProviderError):
    """The provider failed or timed out (5xx, SERVFAIL, network); a later retry may work."""

    def __init__(self, provider: str, zone: str, record: str, reason: str) -> None:
        super().__init__(provider, zone, record, reason, retryable=True)
