"""Provider-aware shaping: recognise the receiving provider and back off when it defers.

The policy is data (``mailfleet/policy/shaping.yaml``), parsed here into frozen values. The
receiving provider is found by the suffix of the recipient domain's MX hosts, or by a
well-known consumer domain. A deferral that matches a provider's rule suspends or throttles
that provider for the sending domain (or, for reputation-of-the-IP replies, for the sending
IP) for a while; then it recovers by itself. Backoffs are keyed by (provider, scope), where the
scope is ``domain:<sending domain>`` or ``ip:<sending IP>``, so that a ``ShapingStore`` can share
them between worker processes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from mailfleet.core.sending.outcomes import RecipientResult

DEFAULT_PROVIDER = "default"


class BackoffAction(StrEnum):
    """What a matched deferral does."""

    SUSPEND = "suspend"
    THROTTLE = "throttle"


class BackoffScope(StrEnum):
    """What a matched deferral is about: the sending domain's reputation, or the IP's."""

    DOMAIN = "domain"
    IP = "ip"


def scope_key(scope: BackoffScope, sender_domain: str, ip: str) -> str:
    """The key a backoff is stored under for ``scope`` (``domain:acme.com``, ``ip:192.0.2.1``).

    An IP-scoped rule seen on a send with no known source IP (a smarthost) falls back to the
    sending domain, which is the narrowest thing known about the sender then.
    """
    if scope is BackoffScope.IP and ip:
        return f"ip:{ip}"
    return f"domain:{sender_domain}"


@dataclass(frozen=True, slots=True)
class BackoffRule:
    """A deferral pattern: basic code, optional enhanced code and text fragment."""

    code: int
    action: BackoffAction
    minutes: int
    enhanced: str = ""
    text: str = ""
    factor: float = 1.0
    scope: BackoffScope = BackoffScope.DOMAIN

    def matches(self, result: RecipientResult) -> bool:
        """True when ``result``'s reply fits this rule."""
        return (
            result.code == self.code
            and (not self.enhanced or result.enhanced == self.enhanced)
            and (not self.text or self.text.lower() in result.text.lower())
        )


@dataclass(frozen=True, slots=True)
class ProviderShape:
    """How one receiving provider is recognised and treated."""

    name: str
    connections: int
    messages_per_minute: int
    rules: tuple[BackoffRule, ...] = ()
    mx_suffixes: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShapingPolicy:
    """The default shape and the per-provider overrides.

    ``ip_connections`` bounds the connections one sending IP holds open at once, whatever
    the receiver (0: no bound beyond the dispatcher's own).
    """

    default: ProviderShape
    providers: tuple[ProviderShape, ...] = ()
    ip_connections: int = 0

    def shape(self, provider: str) -> ProviderShape:
        """The shape of ``provider`` (the default when unknown)."""
        return next((p for p in self.providers if p.name == provider), self.default)

    def provider_for(self, recipient_domain: str, mx_hosts: Iterable[str] = ()) -> str:
        """The provider receiving for ``recipient_domain``, from its MX hosts or its name."""
        domain = recipient_domain.lower().rstrip(".")
        hosts = [h.lower().rstrip(".") for h in mx_hosts]
        for provider in self.providers:
            for host in hosts:
                if any(host == s or host.endswith("." + s) for s in provider.mx_suffixes):
                    return provider.name
        for provider in self.providers:
            if domain in provider.domains:
                return provider.name
        return DEFAULT_PROVIDER

    def rule_for(self, provider: str, result: RecipientResult) -> BackoffRule | None:
        """The first rule of the provider, then of the default, that ``result`` matches."""
        for rule in (*self.shape(provider).rules, *self.default.rules):
            if rule.matches(result):
                return rule
        return None


@dataclass(frozen=True, slots=True)
class Backoff:
    """An active backoff for (provider, sending domain)."""

    action: BackoffAction
    until: datetime
    factor: float
    reason: str


def backoff_for(
    policy: ShapingPolicy, provider: str, sender_domain: str, ip: str, result: RecipientResult,
    now: datetime,
) -> tuple[str, Backoff] | None:  # fmt: skip
    """The (scope key, backoff) that ``result`` calls for, or ``None`` when no rule matches."""
    rule = policy.rule_for(provider, result)
    if rule is None:
        return None
    backoff = Backoff(rule.action, now + timedelta(minutes=rule.minutes), rule.factor, result.reply)
    return scope_key(rule.scope, sender_domain, ip), backoff


@dataclass
class ShapingState:
    """Active backoffs, keyed by (provider, scope key); expired ones are ignored.

    A send is affected by both the backoff of its sending domain and that of its sending IP;
    the one that ends later is in force.
    """

    backoffs: dict[tuple[str, str], Backoff] = field(default_factory=dict)

    def record(
        self, policy: ShapingPolicy, provider: str, sender_domain: str, result: RecipientResult,
        now: datetime, ip: str = "",
    ) -> Backoff | None:  # fmt: skip
        """Apply the rule ``result`` matches, if any; the longer backoff wins."""
        found = backoff_for(policy, provider, sender_domain, ip, result, now)
        if found is None:
            return None
        scope, backoff = found
        return self.put(provider, scope, backoff, now)

    def put(self, provider: str, scope: str, backoff: Backoff, now: datetime) -> Backoff:
        """Keep ``backoff`` unless a longer one is already in force; the one in force."""
        key = (provider, scope)
        current = self.backoffs.get(key)
        if current is None or current.until <= now or backoff.until > current.until:
            self.backoffs[key] = backoff
        return self.backoffs[key]

    def current(self, now: datetime) -> dict[tuple[str, str], Backoff]:
        """Every backoff still in force (so a ``ShapingState`` is itself a ``ShapingStore``)."""
        return {k: b for k, b in self.backoffs.items() if b.until > now}

    def active(
        self, provider: str, sender_domain: str, now: datetime, ip: str = ""
    ) -> Backoff | None:
        """The backoff in force now for this domain (or this IP), if any."""
        found = [
            b
            for scope in (f"domain:{sender_domain}", f"ip:{ip}" if ip else "")
            if scope and (b := self.backoffs.get((provider, scope))) is not None and b.until > now
        ]
        suspensions = [b for b in found if b.action is BackoffAction.SUSPEND]
        pick = suspensions or found
        return max(pick, key=lambda b: b.until) if pick else None

    def suspended_until(
        self, provider: str, sender_domain: str, now: datetime, ip: str = ""
    ) -> datetime | None:
        """When a suspension of this provider for this domain (or IP) ends; ``None``: none."""
        backoff = self.active(provider, sender_domain, now, ip)
        return backoff.until if backoff and backoff.action is BackoffAction.SUSPEND else None

    def rate(
        self, policy: ShapingPolicy, provider: str, sender_domain: str, now: datetime,
        ip: str = "",
    ) -> float:  # fmt: skip
        """Messages per minute allowed now: the provider's rate, times any throttle factor."""
        base = float(policy.shape(provider).messages_per_minute)
        backoff = self.active(provider, sender_domain, now, ip)
        if backoff is None:
            return base
        return 0.0 if backoff.action is BackoffAction.SUSPEND else base * backoff.factor


class ShapingPolicyError(ValueError):
    """The shaping policy data is malformed; the message names the place."""


def parse_shaping(data: Mapping[str, Any]) -> ShapingPolicy:
    """Build a ``ShapingPolicy`` from the YAML structure; raise ``ShapingPolicyError``."""
    if not isinstance(data.get("default"), Mapping):
        raise ShapingPolicyError("shaping policy: a 'default' section is required")
    default = _shape(DEFAULT_PROVIDER, data["default"], None)
    providers = data.get("providers") or {}
    if not isinstance(providers, Mapping):
        raise ShapingPolicyError("shaping policy: 'providers' must be a mapping")
    sending_ip = data.get("sending_ip") or {}
    if not isinstance(sending_ip, Mapping):
        raise ShapingPolicyError("shaping policy: 'sending_ip' must be a mapping")
    try:
        ip_connections = int(sending_ip.get("connections", 0))
    except (TypeError, ValueError):
        raise ShapingPolicyError(
            "shaping policy: sending_ip.connections must be a whole number"
        ) from None
    if ip_connections < 0:
        raise ShapingPolicyError("shaping policy: sending_ip.connections must not be negative")
    shapes = tuple(_shape(n, v, default) for n, v in providers.items())
    return ShapingPolicy(default, shapes, ip_connections)


def _shape(name: str, raw: Any, default: ProviderShape | None) -> ProviderShape:
    if not isinstance(raw, Mapping):
        raise ShapingPolicyError(f"shaping policy: provider {name!r} must be a mapping")
    try:
        shape = ProviderShape(
            name=name,
            connections=int(raw.get("connections", default.connections if default else 10)),
            messages_per_minute=int(
                raw.get("messages_per_minute", default.messages_per_minute if default else 600)
            ),
            rules=tuple(_rule(r) for r in raw.get("rules") or ()),
            mx_suffixes=_strings(raw.get("mx_suffixes")),
            domains=_strings(raw.get("domains")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ShapingPolicyError(f"shaping policy: provider {name!r}: {exc}") from None
    if shape.connections < 1:
        raise ShapingPolicyError(f"shaping policy: provider {name!r}: connections must be >= 1")
    return shape


def _rule(raw: Mapping[str, Any]) -> BackoffRule:
    return BackoffRule(
        code=int(raw["code"]),
        action=BackoffAction(raw["action"]),
        minutes=int(raw["minutes"]),
        enhanced=str(raw.get("enhanced", "")),
        text=str(raw.get("text", "")),
        factor=float(raw.get("factor", 1.0)),
        scope=BackoffScope(raw.get("scope", BackoffScope.DOMAIN.value)),
    )


def _strings(raw: Sequence[Any] | None) -> tuple[str, ...]:
    return tuple(str(x).lower() for x in raw or ())
