"""Turn validated spec models into the core's frozen ``Fleet``, filling every default."""

from __future__ import annotations

from dataclasses import dataclass, replace

from mailfleet.core.fleet import (
    DEFAULT_DAILY_TARGET,
    BusinessHours,
    Domain,
    Fleet,
    HoursWindow,
    Mailbox,
    Provider,
    ProviderRole,
    Segment,
    Thresholds,
    WarmupSchedule,
    WarmupStep,
)
from mailfleet.spec.mailbox_forms import MailboxRow
from mailfleet.spec.models import (
    WEEKDAYS,
    DefaultsSpec,
    DomainSpec,
    HoursWindowSpec,
    PoliciesSpec,
    ProviderSpec,
    SegmentSpec,
    WarmupScheduleSpec,
)


@dataclass(frozen=True)
class ValidSpec:
    """Every section validated and every reference checked; ready to resolve."""

    name: str
    defaults: DefaultsSpec
    policies: PoliciesSpec
    providers: dict[ProviderRole, dict[str, ProviderSpec]]
    segments: dict[str, SegmentSpec]
    domains: list[tuple[DomainSpec, list[MailboxRow]]]


def resolve(spec: ValidSpec) -> Fleet:
    """Build the ``Fleet``. Assumes ``spec`` passed validation: references all exist."""
    schedules = {
        name: _schedule(name, body) for name, body in spec.policies.warmup_schedules.items()
    }
    hours = {name: _hours(name, body) for name, body in spec.policies.business_hours.items()}
    fleet_thresholds = Thresholds(**spec.policies.thresholds.model_dump())
    segments = {
        name: Segment(
            name=name,
            purpose=body.purpose,
            volume_profile=body.volume.profile,
            daily_target=body.volume.daily_target or DEFAULT_DAILY_TARGET[body.volume.profile],
            priority=body.warmup.priority,
            schedule=schedules[body.warmup.schedule],
            thresholds=replace(
                fleet_thresholds,
                **{k: v for k, v in body.thresholds.model_dump().items() if v is not None},
            ),
        )
        for name, body in spec.segments.items()
    }
    providers = {
        (role, name): Provider(role=role, name=name, kind=body.kind, settings=body.settings())
        for role, entries in spec.providers.items()
        for name, body in entries.items()
    }
    d = spec.defaults
    domains = tuple(
        Domain(
            name=domain.name,
            segment=domain.segment,
            dns_provider=_required(domain.dns or d.dns),
            mailbox_provider=_required(domain.mailbox or d.mailbox),
            relay=_required(domain.relay or d.relay),
            sending_ips=tuple(domain.sending_ips),
            timezone=domain.timezone or d.timezone,
            business_hours=hours[domain.business_hours or d.business_hours],
            mailboxes=tuple(
                Mailbox(
                    username=row.spec.username,
                    domain=domain.name,
                    display_name=row.spec.display_name,
                    daily_limit=(
                        row.spec.daily_limit
                        if row.spec.daily_limit is not None
                        else d.mailbox_daily_limit
                    ),
                    forward_to=tuple(row.spec.forward_to),
                )
                for row in rows
            ),
        )
        for domain, rows in spec.domains
    )
    return Fleet(
        name=spec.name,
        segments=segments,
        domains=domains,
        providers=providers,
        thresholds=fleet_thresholds,
        schedules=schedules,
        business_hours=hours,
    )


def _required(value: str | None) -> str:
    if value is None:  # validation reports a missing provider before resolve runs
        raise AssertionError("resolve() called on a spec with a missing provider")
    return value


def _schedule(name: str, body: WarmupScheduleSpec) -> WarmupSchedule:
    return WarmupSchedule(
        name=name,
        steps=tuple(
            WarmupStep(
                week=step.week,
                low=None if step.target else step.min,
                high=None if step.target else step.max,
                audience=step.audience,
            )
            for step in body.steps
        ),
    )


def _hours(name: str, windows: list[HoursWindowSpec]) -> BusinessHours:
    return BusinessHours(
        name=name,
        windows=tuple(
            HoursWindow(
                days=frozenset(WEEKDAYS.index(day) for day in window.days),
                start=window.start,
                end=window.end,
            )
            for window in windows
        ),
    )
