"""The fleet as resolved values: what the spec means once every default and reference is filled.

The spec loader (``mailfleet.spec``) validates YAML and produces these frozen values; services
and the rest of the core read only these. Rates are fractions (0.02 is 2 %).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum
from ipaddress import IPv4Address, IPv6Address


class WarmupPriority(StrEnum):
    """When a segment's domains start warming, relative to the others (case study table)."""

    FIRST = "first"  # starts on day one; the others wait for it to prove itself
    PROGRESSIVE = "progressive"  # starts staggered so that the fleet's total ramp stays smooth
    PARALLEL = "parallel"  # starts alongside the first segment
    MINIMAL = "minimal"  # low volume: a short ramp to a small target


class VolumeProfile(StrEnum):
    """A segment's sending profile; each implies a default daily target per domain."""

    LOW = "low"
    MEDIUM = "medium"
    STANDARD = "standard"
    HIGH = "high"


DEFAULT_DAILY_TARGET: Mapping[VolumeProfile, int] = {
    VolumeProfile.LOW: 200,
    VolumeProfile.MEDIUM: 5_000,
    VolumeProfile.STANDARD: 10_000,
    VolumeProfile.HIGH: 25_000,
}


class Audience(StrEnum):
    """Which recipients a warmup week may reach, most engaged first (case study schedule)."""

    MOST_ENGAGED = "most-engaged"
    ENGAGED = "engaged"
    BROAD = "broad"
    ALL = "all"


class ProviderRole(StrEnum):
    """The three kinds of outside provider a domain is wired to."""

    DNS = "dns"
    MAILBOX = "mailbox"
    RELAY = "relay"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Rates that gate warmup (``*_rate``) and raise alerts (``*_alert``), as fractions."""

    bounce_rate: float = 0.02
    complaint_rate: float = 0.001
    bounce_alert: float = 0.02
    complaint_alert: float = 0.0008
    deferral_rate: float = 0.10


@dataclass(frozen=True, slots=True)
class WarmupStep:
    """One week of a warmup schedule: a daily range, or the segment's target (``low is None``)."""

    week: int
    low: int | None
    high: int | None
    audience: Audience

    @property
    def is_target(self) -> bool:
        """True for the step that sends at the segment's full daily target."""
        return self.low is None


@dataclass(frozen=True, slots=True)
class WarmupSchedule:
    """A named ramp: consecutive weeks, non-decreasing ranges, ending at the target."""

    name: str
    steps: tuple[WarmupStep, ...]

    @property
    def weeks(self) -> int:
        """How many weeks the ramp lasts, target week included."""
        return len(self.steps)


@dataclass(frozen=True, slots=True)
class HoursWindow:
    """Sending hours on some weekdays (0 is Monday), local to the domain's time zone."""

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """A named set of non-overlapping weekly windows."""

    name: str
    windows: tuple[HoursWindow, ...]

    def minutes_per_week(self) -> int:
        """Total sending minutes in a week, used to spread a daily cap evenly."""
        total = 0
        for window in self.windows:
            span = (window.end.hour * 60 + window.end.minute) - (
                window.start.hour * 60 + window.start.minute
            )
            total += span * len(window.days)
        return total


@dataclass(frozen=True, slots=True)
class Segment:
    """A group of domains that share a purpose, a volume profile and a warmup plan."""

    name: str
    purpose: str
    volume_profile: VolumeProfile
    daily_target: int
    priority: WarmupPriority
    schedule: WarmupSchedule
    thresholds: Thresholds


@dataclass(frozen=True, slots=True)
class Provider:
    """A configured outside provider. ``settings`` hold plain values and secret references."""

    role: ProviderRole
    name: str
    kind: str
    settings: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Mailbox:
    """One inbox on a domain."""

    username: str
    domain: str
    display_name: str
    daily_limit: int
    forward_to: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        """The full address, ``username@domain``."""
        return f"{self.username}@{self.domain}"


@dataclass(frozen=True, slots=True)
class Domain:
    """A sending domain, wired to its segment and providers. ``name`` is an A-label, lowercase."""

    name: str
    segment: str
    dns_provider: str
    mailbox_provider: str
    relay: str
    sending_ips: tuple[IPv4Address | IPv6Address, ...]
    timezone: str
    business_hours: BusinessHours
    mailboxes: tuple[Mailbox, ...]


@dataclass(frozen=True, slots=True)
class Fleet:
    """The whole fleet: segments, domains with their mailboxes, providers and policy."""

    name: str
    segments: Mapping[str, Segment]
    domains: tuple[Domain, ...]
    providers: Mapping[tuple[ProviderRole, str], Provider]
    thresholds: Thresholds
    schedules: Mapping[str, WarmupSchedule]
    business_hours: Mapping[str, BusinessHours]

    def domain(self, name: str) -> Domain:
        """The domain called ``name``; raises ``KeyError`` when the fleet has none."""
        for domain in self.domains:
            if domain.name == name:
                return domain
        raise KeyError(name)

    def mailboxes(self) -> Iterator[Mailbox]:
        """Every mailbox of every domain, in spec order."""
        for domain in self.domains:
            yield from domain.mailboxes

    def provider(self, role: ProviderRole, name: str) -> Provider:
        """The provider of ``role`` called ``name``; raises ``KeyError`` when undeclared."""
        return self.providers[(role, name)]
