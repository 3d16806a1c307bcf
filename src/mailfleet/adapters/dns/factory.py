"""DNS providers from the spec's ``providers.dns`` entries: kind + settings -> adapter."""

from __future__ import annotations

from collections.abc import Mapping

from mailfleet.adapters.dns.cloudflare import API_URL as CLOUDFLARE_API_URL
from mailfleet.adapters.dns.cloudflare import CloudflareProvider
from mailfleet.adapters.dns.memory import InMemoryDnsProvider
from mailfleet.adapters.dns.powerdns import PowerDnsProvider
from mailfleet.adapters.dns.rfc2136 import Rfc2136Provider
from mailfleet.adapters.dns.route53 import Route53Provider
from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.core.dns.ports import DnsProvider
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Provider


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
