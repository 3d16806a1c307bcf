"""Provider-aware shaping: recognise the receiving provider and back off when it defers.

The policy is data (``mailfleet/policy/shaping.yaml``), parsed here into frozen values. The
receiving provider is found by the suffix of the recipient domain's MX hosts, or by a
well-known consumer domain. A deferral that matches a provider's rule suspends or throttles
that provider for the sending domain for a while; then it recovers by itself.
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


@dataclass(frozen=True, slots=True)
class BackoffRule:
    """A deferral pattern: basic code, optional enhanced code and text fragment."""

    code: int
    action: BackoffAction
    minutes: int
    enhanced: str = ""
    text: str = ""
    factor: float = 1.0

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
    """The default shape and the per-provider overrides."""

    default: ProviderShape
    providers: tuple[ProviderShape, ...] = ()

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


@dataclass
class ShapingState:
    """Active backoffs, keyed by (provider, sending domain); expired ones are ignored."""

    backoffs: dict[tuple[str, str], Backoff] = field(default_factory=dict)

    def record(
        self, policy: ShapingPolicy, provider: str, sender_domain: str, result: RecipientResult,
        now: datetime,
    ) -> Backoff | None:  # fmt: skip
        """Apply the rule ``result`` matches, if any; the longer backoff wins."""
        rule = policy.rule_for(provider, result)
        if rule is None:
            return None
        backoff = Backoff(
            rule.action, now + timedelta(minutes=rule.minutes), rule.factor, result.reply
        )
        key = (provider, sender_domain)
        current = self.active(provider, sender_domain, now)
        if current is None or backoff.until > current.until:
            self.backoffs[key] = backoff
        return self.backoffs[key]

    def active(self, provider: str, sender_domain: str, now: datetime) -> Backoff | None:
        """The backoff in force now, if any."""
        backoff = self.backoffs.get((provider, sender_domain))
        return backoff if backoff is not None and backoff.until > now else None

    def suspended_until(self, provider: str, sender_domain: str, now: datetime) -> datetime | None:
        """When a suspension of this provider for this domain ends (``None``: not suspended)."""
        backoff = self.active(provider, sender_domain, now)
        return backoff.until if backoff and backoff.action is BackoffAction.SUSPEND else None

    def rate(
        self, policy: ShapingPolicy, provider: str, sender_domain: str, now: datetime
    ) -> float:
        """Messages per minute allowed now: the provider's rate, times any throttle factor."""
        base = float(policy.shape(provider).messages_per_minute)
        backoff = self.active(provider, sender_domain, now)
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
    return ShapingPolicy(default, tuple(_shape(n, v, default) for n, v in providers.items()))


def _shape(name: str, raw: Any, default: ProviderShape | None) -> ProviderShape:
    if not isinstance(raw, Mapping):
        raise ShapingPolicyError(f"shaping policy: provider {name!r} must be a mapping")
    try:
        return ProviderShape(
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


def _rule(raw: Mapping[str, Any]) -> BackoffRule:
    return BackoffRule(
        code=int(raw["code"]),
        action=BackoffAction(raw["action"]),
        minutes=int(raw["minutes"]),
        enhanced=str(raw.get("enhanced", "")),
        text=str(raw.get("text", "")),
        factor=float(raw.get("factor", 1.0)),
    )


def _strings(raw: Sequence[Any] | None) -> tuple[str, ...]:
    return tuple(str(x).lower() for x in raw or ())
