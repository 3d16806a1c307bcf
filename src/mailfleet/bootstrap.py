"""The composition root: the only place that turns settings into concrete adapters.

Entry points (CLI, web, workers) call ``build`` once and ask the ``App`` for what they need;
everything is created on first use, so a command that needs no database opens none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mailfleet.adapters.clock import SystemClock
from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.dns_store import SqlDnsCheckStore, SqlDnsJournal, SqlRotationStore
from mailfleet.adapters.db.fleet_store import SqlFleetStore
from mailfleet.adapters.dns.cloudflare import API_URL as CLOUDFLARE_API_URL
from mailfleet.adapters.dns.cloudflare import CloudflareProvider
from mailfleet.adapters.dns.memory import InMemoryDnsProvider, InMemoryResolver
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.resolver import DnsPythonResolver
from mailfleet.adapters.dns.rfc2136 import Rfc2136Provider
from mailfleet.adapters.dns.route53 import Route53Provider
from mailfleet.adapters.dns.spf_oracle import PySpfOracle
from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.adapters.vault import SqlVault, load_keyring
from mailfleet.core.dns.ports import DnsProvider, DnsResolver, SpfOracle
from mailfleet.core.dns.templates import DnsTemplate
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Fleet, Provider, ProviderRole
from mailfleet.core.ports import Clock
from mailfleet.policy.dns import load_dns_template
from mailfleet.settings import Settings


@dataclass
class App:
    """Wired dependencies for one process."""

    settings: Settings
    clock: Clock
    env: Mapping[str, str] | None = None
    _database: Database | None = field(default=None, init=False)
    _vault: SqlVault | None = field(default=None, init=False)

    def database(self, *, migrate: bool | None = None) -> Database:
        """The database, with its schema made current on the embedded default.

        On PostgreSQL the schema must be migrated explicitly (``mailfleet db upgrade``), so
        that several workers never race to migrate.
        """
        if self._database is None:
            database = Database(self.settings.effective_database_url)
            auto = self.settings.is_embedded if migrate is None else migrate
            database.prepare(auto_upgrade=auto)
            self._database = database
        return self._database

    def raw_database(self) -> Database:
        """The database without any schema check, for the ``db`` commands."""
        return Database(self.settings.effective_database_url)

    def fleet_store(self) -> SqlFleetStore:
        """The fleet's mirror in the database."""
        return SqlFleetStore(self.database())

    def vault(self) -> SqlVault:
        """The encrypted secret store; a key file is created on first use."""
        if self._vault is None:
            keyring = load_keyring(self.settings.effective_master_key, create=True, env=self.env)
            self._vault = SqlVault(self.database(), keyring, self.clock)
        return self._vault

    def close(self) -> None:
        """Release connections."""
        if self._database is not None:
            self._database.dispose()
            self._database = None

    def dns_template(self, path: Path | None = None) -> DnsTemplate:
        """The DNS template: the shipped ``policy/dns.toml``, or the file at ``path``."""
        return load_dns_template(path)

    def dns_provider(self, fleet: Fleet, name: str) -> DnsProvider:
        """The DNS provider called ``name`` in the spec, built once per process."""
        # kept in the instance dict, not a dataclass field: capabilities only append methods
        cache: dict[str, DnsProvider] = self.__dict__.setdefault("_dns_providers", {})
        if name not in cache:
            provider = fleet.provider(ProviderRole.DNS, name)
            cache[name] = build_dns_provider(provider, self.env)
        return cache[name]

    def dns_resolver(self, fleet: Fleet, server: str | None = None) -> DnsResolver:
        """Where verification looks: ``server`` (host[:port]), else the first DNS provider's
        ``resolver`` setting, else the in-memory zones for memory providers, else the system's.
        """
        if server is None:
            for provider in fleet.providers.values():
                if provider.role is ProviderRole.DNS and provider.settings.get("resolver"):
                    server = str(provider.settings["resolver"])
                    break
        if server is not None:
            host, _, port = server.rpartition(":") if server.count(":") == 1 else (server, "", "")
            return DnsPythonResolver([host or server], port=int(port) if port else 53)
        memory = [
            self.dns_provider(fleet, p.name)
            for p in fleet.providers.values()
            if p.role is ProviderRole.DNS and p.kind == "memory"
        ]
        if memory:
            return InMemoryResolver(*(m for m in memory if isinstance(m, InMemoryDnsProvider)))
        return DnsPythonResolver()

    def dns_budget_resolver(self, fleet: Fleet, server: str | None = None) -> DnsResolver | None:
        """The resolver plans check SPF budgets with: only one that is configured or given,
        so that a plan never queries the system resolver unasked."""
        configured = any(
            p.role is ProviderRole.DNS and p.settings.get("resolver")
            for p in fleet.providers.values()
        )
        return self.dns_resolver(fleet, server) if server or configured else None

    def dns_check_store(self) -> SqlDnsCheckStore:
        """Verification results in the database."""
        return SqlDnsCheckStore(self.database())

    def spf_oracle(self, resolver: DnsResolver) -> SpfOracle:
        """pyspf over ``resolver``."""
        return PySpfOracle(resolver)

    def dns_journal(self) -> SqlDnsJournal:
        """The record of every DNS apply, zone by zone."""
        return SqlDnsJournal(self.database())

    def dkim_rotation_store(self) -> SqlRotationStore:
        """DKIM rotation states in the database."""
        return SqlRotationStore(self.database())


def _setting(provider: Provider, key: str, default: str | None = None) -> str:
    value = provider.settings.get(key, default)
    if value is None or value == "":
        raise ConfigError(f"DNS provider {provider.name} ({provider.kind}): set {key}")
    return str(value)


def build_dns_provider(provider: Provider, env: Mapping[str, str] | None = None) -> DnsProvider:
    """Turn a spec's DNS provider (kind + settings, secrets as references) into an adapter."""
    if provider.kind == "memory":
        return InMemoryDnsProvider(provider.name)
    if provider.kind == "powerdns":
        nameservers = provider.settings.get("nameservers", ())
        return PowerDnsProvider(
            provider.name,
            _setting(provider, "api_url"),
            resolve_secret_ref(_setting(provider, "api_key"), env),
            server_id=_setting(provider, "server_id", "localhost"),
            nameservers=[str(n) for n in nameservers] if isinstance(nameservers, list) else (),
        )
    if provider.kind == "rfc2136":
        return Rfc2136Provider(
            provider.name,
            _setting(provider, "server"),
            _setting(provider, "tsig_key_name"),
            resolve_secret_ref(_setting(provider, "tsig_secret"), env),
            port=int(_setting(provider, "port", "53")),
            algorithm=_setting(provider, "tsig_algorithm", "hmac-sha256"),
        )
    if provider.kind == "route53":
        session: dict[str, str] = {"region_name": _setting(provider, "region", "us-east-1")}
        if provider.settings.get("access_key_id"):
            session["aws_access_key_id"] = _setting(provider, "access_key_id")
            secret = resolve_secret_ref(_setting(provider, "secret_access_key"), env)
            session["aws_secret_access_key"] = secret.reveal()
        if provider.settings.get("endpoint_url"):
            session["endpoint_url"] = _setting(provider, "endpoint_url")
        return Route53Provider(provider.name, session=session)
    if provider.kind == "cloudflare":
        return CloudflareProvider(
            provider.name,
            resolve_secret_ref(_setting(provider, "api_token"), env),
            account_id=str(provider.settings.get("account_id", "")),
            api_url=_setting(provider, "api_url", CLOUDFLARE_API_URL),
        )
    raise ConfigError(f"DNS provider {provider.name}: kind {provider.kind!r} is not supported")


def build(
    settings: Settings, *, clock: Clock | None = None, env: Mapping[str, str] | None = None
) -> App:
    """Wire an ``App`` from settings. Nothing is opened until it is asked for."""
    return App(settings=settings, clock=clock or SystemClock(), env=env)
