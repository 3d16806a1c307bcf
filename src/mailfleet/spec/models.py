"""Pydantic models of ``fleet.yaml``, section by section.

Every model forbids unknown keys, so a typo is reported rather than ignored. The loader
validates each section and each list item on its own, so that one bad domain does not hide the
problems of the next.
"""

from __future__ import annotations

from datetime import time
from ipaddress import IPv4Address, IPv6Address
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from mailfleet.core.fleet import Audience, VolumeProfile, WarmupPriority
from mailfleet.spec.fields import (
    SECRET_KEY_PATTERN,
    DomainName,
    EmailAddress,
    LocalPart,
    Rate,
    TimeZoneName,
    check_secret_ref,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


# --- policies ---------------------------------------------------------------------------------


class ThresholdsSpec(SpecModel):
    """Warmup gates and alert levels. Defaults follow the case study: 2 %, 0.1 %, alert 0.08 %."""

    bounce_rate: Rate = Field(default=0.02, description="Warmup advances only below this.")
    complaint_rate: Rate = Field(default=0.001, description="Warmup advances only below this.")
    bounce_alert: Rate = Field(default=0.02, description="An alert fires above this.")
    complaint_alert: Rate = Field(default=0.0008, description="An alert fires above this.")
    deferral_rate: Rate = Field(
        default=0.10, description="Share of 4xx deferrals above which warmup holds."
    )

    @model_validator(mode="after")
    def _alerts_fire_before_gates(self) -> ThresholdsSpec:
        if self.complaint_alert > self.complaint_rate:
            raise ValueError(
                "complaint_alert must not exceed complaint_rate: the alert should fire before "
                "the warmup gate trips"
            )
        if self.bounce_alert > self.bounce_rate:
            raise ValueError("bounce_alert must not exceed bounce_rate")
        return self


class ThresholdOverrides(SpecModel):
    """A segment's changes to the fleet-wide thresholds; unset keys inherit."""

    bounce_rate: Rate | None = None
    complaint_rate: Rate | None = None
    bounce_alert: Rate | None = None
    complaint_alert: Rate | None = None
    deferral_rate: Rate | None = None


class WarmupStepSpec(SpecModel):
    """One week: ``{week: 1, min: 20, max: 50}``, or ``{week: 6, target: true}``."""

    week: int = Field(ge=1, le=52, description="Week number, 1, 2, 3, ... without gaps.")
    min: int | None = Field(default=None, ge=1, description="Daily volume at the week's start.")
    max: int | None = Field(default=None, ge=1, description="Daily volume at the week's end.")
    target: bool = Field(default=False, description="This week sends the segment's target.")
    audience: Audience = Field(
        default=Audience.ALL,
        description="Most engaged recipients first: most-engaged, engaged, broad, all.",
    )

    @model_validator(mode="after")
    def _range_or_target(self) -> WarmupStepSpec:
        if self.target:
            if self.min is not None or self.max is not None:
                raise ValueError("a target week takes no min or max: it sends the segment target")
        elif self.min is None or self.max is None:
            raise ValueError("give min and max, or target: true")
        elif self.min > self.max:
            raise ValueError(f"min ({self.min}) is greater than max ({self.max})")
        return self


class WarmupScheduleSpec(SpecModel):
    """Consecutive weeks with ranges that never fall, ending (optionally) at the target."""

    steps: list[WarmupStepSpec] = Field(min_length=1)

    @model_validator(mode="after")
    def _consecutive_and_rising(self) -> WarmupScheduleSpec:
        weeks = [step.week for step in self.steps]
        if weeks != list(range(1, len(weeks) + 1)):
            raise ValueError(f"weeks must run 1, 2, 3, ... without gaps; found {weeks}")
        previous = 0
        for step in self.steps:
            if step.target:
                if step is not self.steps[-1]:
                    raise ValueError(f"week {step.week}: only the last week may be the target")
                break
            assert step.min is not None
            assert step.max is not None
            if step.min < previous:
                raise ValueError(
                    f"week {step.week}: min {step.min} is below the previous week's max "
                    f"{previous}; a ramp never falls"
                )
            previous = step.max
        return self


def _parse_days(value: Any) -> Any:
    """Accept ``mon-fri``, ``mon,wed,fri`` or a list of day names."""
    if isinstance(value, str):
        days: list[str] = []
        for part in value.replace(" ", "").lower().split(","):
            first, sep, last = part.partition("-")
            if sep and first in WEEKDAYS and last in WEEKDAYS:
                a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
                if a > b:
                    raise ValueError(f"day range {part!r} runs backwards")
                days.extend(WEEKDAYS[a : b + 1])
            else:
                days.append(part)
        return days
    return value


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class HoursWindowSpec(SpecModel):
    """``{days: mon-fri, start: "08:00", end: "18:00"}``, local to the domain's time zone."""

    days: Annotated[list[Weekday], BeforeValidator(_parse_days)] = Field(
        min_length=1, description="`mon-fri`, `mon,wed,fri` or a list of day names."
    )
    start: time = Field(description='Local start time, "08:00".')
    end: time = Field(description="Local end time, after start.")

    @model_validator(mode="after")
    def _ends_after_start(self) -> HoursWindowSpec:
        if self.end <= self.start:
            raise ValueError(
                f"end {self.end:%H:%M} is not after start {self.start:%H:%M}; windows that "
                "cross midnight are written as two windows"
            )
        return self


def check_no_overlap(windows: list[HoursWindowSpec]) -> list[HoursWindowSpec]:
    """Two windows on the same day must not overlap: a cap would be spread twice over them."""
    for i, a in enumerate(windows):
        for b in windows[i + 1 :]:
            shared = sorted(set(a.days) & set(b.days), key=WEEKDAYS.index)
            if shared and a.start < b.end and b.start < a.end:
                raise ValueError(
                    f"windows {a.start:%H:%M}-{a.end:%H:%M} and {b.start:%H:%M}-{b.end:%H:%M} "
                    f"overlap on {', '.join(shared)}; merge them or move one"
                )
    return windows


BusinessHoursSpec = Annotated[
    list[HoursWindowSpec], Field(min_length=1), AfterValidator(check_no_overlap)
]


class PoliciesSpec(SpecModel):
    """Fleet-wide policy: thresholds, named business hours, named warmup schedules."""

    thresholds: ThresholdsSpec = ThresholdsSpec()
    business_hours: dict[str, BusinessHoursSpec] = Field(default_factory=dict)
    warmup_schedules: dict[str, WarmupScheduleSpec] = Field(default_factory=dict)


# --- providers --------------------------------------------------------------------------------

# The kinds each role knows. Adapters for each arrive with their capability; the spec accepts a
# kind as soon as it is listed here.
DNS_KINDS = ("memory", "powerdns", "rfc2136", "route53", "cloudflare")
MAILBOX_KINDS = ("memory", "google", "microsoft365", "mailcow", "postfixadmin")
RELAY_KINDS = ("memory", "smtp", "ses", "sendgrid", "mailgun", "postmark")


class ProviderSpec(BaseModel):
    """A provider: its ``kind`` and free-form settings. Credential-like keys must be references."""

    model_config = ConfigDict(extra="allow", frozen=True)

    kind: str

    @model_validator(mode="after")
    def _secrets_are_references(self) -> ProviderSpec:
        for key, value in (self.model_extra or {}).items():
            if SECRET_KEY_PATTERN.search(key):
                if not isinstance(value, str):
                    raise ValueError(f"{key}: a secret must be a reference such as 'env:NAME'")
                try:
                    check_secret_ref(value)
                except ValueError as exc:
                    raise ValueError(f"{key}: {exc}") from None
        return self

    def settings(self) -> dict[str, object]:
        """Everything but ``kind``."""
        return dict(self.model_extra or {})


class DnsProviderSpec(ProviderSpec):
    """A DNS provider."""

    kind: Literal["memory", "powerdns", "rfc2136", "route53", "cloudflare"]


class MailboxProviderSpec(ProviderSpec):
    """A mailbox provider."""

    kind: Literal["memory", "google", "microsoft365", "mailcow", "postfixadmin"]


class RelayProviderSpec(ProviderSpec):
    """A relay that sends the fleet's mail."""

    kind: Literal["memory", "smtp", "ses", "sendgrid", "mailgun", "postmark"]


# --- segments ---------------------------------------------------------------------------------


class VolumeSpec(SpecModel):
    """A volume profile; ``daily_target`` (per domain) defaults from the profile."""

    profile: VolumeProfile = Field(
        default=VolumeProfile.STANDARD,
        description="low (200/day), medium (5,000), standard (10,000) or high (25,000).",
    )
    daily_target: int | None = Field(
        default=None, ge=1, description="Daily volume per domain once warm; overrides profile."
    )


class SegmentWarmupSpec(SpecModel):
    """How a segment warms: its priority and the named schedule it follows."""

    priority: WarmupPriority = Field(description="first, progressive, parallel or minimal.")
    schedule: str = Field(default="six-weeks", description="A name from warmup_schedules.")


class SegmentSpec(SpecModel):
    """A segment (case study: primary, pool-a, pool-b, transactional, monitoring)."""

    purpose: str = Field(default="", description="What the segment's mail is for.")
    volume: VolumeSpec = VolumeSpec()
    warmup: SegmentWarmupSpec
    thresholds: ThresholdOverrides = ThresholdOverrides()


# --- domains and mailboxes --------------------------------------------------------------------


class MailboxSpec(SpecModel):
    """One mailbox written out: ``{username: alice, display_name: Alice Doe}``."""

    username: LocalPart = Field(description="The local part, before the @.")
    display_name: str = Field(default="", description="The From name.")
    daily_limit: int | None = Field(
        default=None, ge=0, description="Sends per day once warm; defaults.mailbox_daily_limit."
    )
    forward_to: list[EmailAddress] = Field(
        default_factory=list, description="Addresses that get a copy of incoming mail."
    )


class GenerateSpec(SpecModel):
    """Many mailboxes from a pattern: ``{count: 40, pattern: "sdr{n:02}"}``."""

    count: int = Field(ge=1, le=100_000, description="How many mailboxes.")
    pattern: str = Field(description='Username pattern with {n}, e.g. "sdr{n:02}".')
    start: int = Field(default=1, ge=0, description="The first number.")
    display_name: str = Field(default="", description='Display name pattern, e.g. "SDR {n}".')
    daily_limit: int | None = Field(default=None, ge=0)
    forward_to: list[EmailAddress] = Field(default_factory=list)

    @field_validator("pattern")
    @classmethod
    def _pattern_numbers_mailboxes(cls, value: str) -> str:
        if "{n" not in value:
            raise ValueError("the pattern must contain {n} (or {n:03}) to number the mailboxes")
        try:
            value.format(n=1)
        except (ValueError, KeyError, IndexError) as exc:
            raise ValueError(f"the pattern cannot be formatted: {exc}") from None
        return value


class GenerateBlock(SpecModel):
    """``- generate: {...}`` in a domain's mailbox list."""

    generate: GenerateSpec


class CsvBlock(SpecModel):
    """``- csv: mailboxes/example.csv``: columns username, display_name, daily_limit, forward_to."""

    csv: Path


def _mailbox_entry_kind(value: Any) -> str:
    if isinstance(value, dict):
        if "generate" in value:
            return "generate"
        if "csv" in value:
            return "csv"
    return "mailbox"


MailboxEntry = Annotated[
    Annotated[MailboxSpec, Tag("mailbox")]
    | Annotated[GenerateBlock, Tag("generate")]
    | Annotated[CsvBlock, Tag("csv")],
    Discriminator(_mailbox_entry_kind),
]


class DomainSpec(SpecModel):
    """A sending domain. Provider, time zone and hours fall back to the ``defaults`` section."""

    name: DomainName = Field(description="The domain; IDNs are stored as A-labels.")
    segment: str = Field(description="A name from segments.")
    dns: str | None = Field(default=None, description="A name from providers.dns.")
    mailbox: str | None = Field(default=None, description="A name from providers.mailbox.")
    relay: str | None = Field(default=None, description="A name from providers.relay.")
    sending_ips: list[IPv4Address | IPv6Address] = Field(
        default_factory=list, description="IPv4/IPv6 addresses mail leaves from (SPF, DNSBL)."
    )
    timezone: TimeZoneName | None = Field(
        default=None, description="IANA zone for business hours, e.g. Europe/Berlin."
    )
    business_hours: str | None = Field(
        default=None, description="A name from policies.business_hours."
    )
    mailboxes: list[MailboxEntry] = Field(default_factory=list)


class DefaultsSpec(SpecModel):
    """Values every domain and mailbox inherits unless it sets its own."""

    dns: str | None = Field(default=None, description="DNS provider for every domain.")
    mailbox: str | None = Field(default=None, description="Mailbox provider for every domain.")
    relay: str | None = Field(default=None, description="Relay for every domain.")
    timezone: TimeZoneName = Field(default="UTC", description="IANA time zone.")
    business_hours: str = Field(default="default", description="Named business hours.")
    mailbox_daily_limit: int = Field(default=50, ge=0, description="Per mailbox, per day.")


class FleetHeader(SpecModel):
    """The top-level keys. Sections are validated one by one by the loader."""

    version: Literal[1] = 1
    name: str = "fleet"
    defaults: Any = None
    policies: Any = None
    providers: Any = None
    segments: Any = None
    domains: Any = None
