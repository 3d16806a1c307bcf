"""A real PowerDNS Authoritative server for the DNS integration tests (one per session)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dns_support.pdns import PowerDnsServer, pdns_available, running_powerdns
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.core.secrets import Secret


@pytest.fixture(scope="session")
def pdns() -> Iterator[PowerDnsServer]:
    """PowerDNS with the API and RFC 2136 on free loopback ports, stopped after the session."""
    if not pdns_available():
        pytest.skip("pdns-server and pdns-backend-sqlite3 are not installed")
    with running_powerdns() as server:
        yield server


@pytest.fixture
def pdns_provider(pdns: PowerDnsServer) -> Iterator[PowerDnsProvider]:
    """The PowerDNS adapter pointed at the session's server."""
    provider = PowerDnsProvider("pdns", pdns.api_url, Secret(pdns.api_key))
    yield provider
    provider.close()


@pytest.fixture
def pdns_resolver(pdns: PowerDnsServer) -> DnsPythonResolver:
    """A dnspython resolver that asks the session's server directly."""
    return DnsPythonResolver(["127.0.0.1"], port=pdns.dns_port)
