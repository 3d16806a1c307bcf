"""Building each segment's relay pool from the fleet spec.

The spec already says everything needed: each domain names its relay provider
(``providers.relay``) and its ``sending_ips``. Every (relay, IP) pair becomes a member; a
segment's pool holds the members of its domains, weighted by how many of them use each; a
message may only use its own domain's members, the IPs its SPF authorises.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping

from mailfleet.adapters.secret_refs import resolve_secret_ref
from mailfleet.adapters.sending.relay_pool import RelayPool
from mailfleet.adapters.sending.smtp_relay import SmtpRelay, SmtpRelayConfig, TlsMode
from mailfleet.core.errors import ConfigError
from mailfleet.core.fleet import Fleet, Provider, ProviderRole
from mailfleet.core.sending.pools import PoolMember, segment_pools
from mailfleet.core.sending.ports import Relay

RelayFactory = Callable[[Provider, PoolMember], Relay]


def build_segment_pool(
    fleet: Fleet,
    make_relay: RelayFactory,
    *,
    unit_random: Callable[[], float] = random.random,
) -> RelayPool:
    """A ``RelayPool`` with one relay per member, routed by segment and sending domain."""
    pools = segment_pools(fleet)
    relays: dict[str, Relay] = {}
    for name, member in pools.members.items():
        try:
            provider = fleet.provider(ProviderRole.RELAY, member.relay)
        except KeyError:
            raise ConfigError(f"relay provider {member.relay!r} is not declared") from None
        relays[name] = make_relay(provider, member)
    return RelayPool(
        relays,
        pools.segments,
        unit_random=unit_random,
        name="segment-pool",
        sources={n: m.source_ip for n, m in pools.members.items()},
        domains=pools.domains,
        domain_segments=pools.domain_segments,
    )


def smtp_relay_factory(
    env: Mapping[str, str] | None = None, *, pool_size: int = 4, timeout: float = 30.0
) -> RelayFactory:
    """Members for relay providers of kind ``smtp``: settings ``host``, ``port`` (587),
    ``tls`` (none, starttls or implicit; starttls), ``username``, ``password`` (a secret
    reference) and ``helo``; each member binds its connections to its sending IP."""

    def make(provider: Provider, member: PoolMember) -> Relay:
        if provider.kind != "smtp":
            raise ConfigError(
                f"relay provider {provider.name!r} is of kind {provider.kind!r}; a segment "
                "pool can only be built from relays of kind 'smtp'"
            )
        settings = provider.settings
        host = settings.get("host")
        if not isinstance(host, str) or not host:
            raise ConfigError(f"relay provider {provider.name!r} needs the setting 'host'")
        try:
            port = int(str(settings.get("port", 587)))
            tls = TlsMode(str(settings.get("tls", TlsMode.STARTTLS.value)))
        except ValueError as exc:
            raise ConfigError(f"relay provider {provider.name!r}: {exc}") from None
        reference = settings.get("password")
        try:
            password = resolve_secret_ref(str(reference), env) if reference else None
        except ConfigError as exc:
            raise ConfigError(f"relay provider {provider.name!r}: password: {exc}") from None
        helo = settings.get("helo")
        config = SmtpRelayConfig(
            host,
            port,
            tls,
            str(settings.get("username", "")),
            password,
            pool_size=pool_size,
            timeout=timeout,
            local_hostname=str(helo) if helo else None,
            source_address=member.source_ip,
        )
        return SmtpRelay(config, name=f"smtp:{member.name}")

    return make
