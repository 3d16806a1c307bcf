"""The results table: what the fleet really did, measured against the case study's outcomes.

Pure: ``results_table`` turns plain figures (``ResultsInput``, gathered from the stores by
``services/report.py``) into one row per dimension, each with the measured outcome in words,
the case study's target, a status, and the numbers behind it. A dimension without data is
"not measured", never "met": a report that has seen nothing claims nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

OPERATIONAL_DAYS_TARGET = 21  # "All domains live within 3 weeks"
TARGET_VOLUME_DAYS = 42  # "All domains hit target sending volume within the six-week warmup window"
BOUNCE_RATE_TARGET = 0.015  # "Consistently below 1.5%"
COMPLAINT_RATE_TARGET = 0.0005  # "Below 0.05% across all domains"
PROVISIONING_RUN_TARGET = timedelta(hours=1)  # "Minutes via API vs. days manual"
# Provisioning outcomes further apart than this belong to separate runs (a domain added
# weeks later is provisioned by a new run, not by a slow one).
PROVISIONING_RUN_GAP = timedelta(minutes=30)
_NAMED = 3  # how many offenders an outcome names before "and N more"


class Status(StrEnum):
    """How a measured outcome compares with its target."""

    MET = "met"
    NOT_MET = "not met"
    NOT_MEASURED = "not measured"


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One dimension of the table."""

    key: str
    dimension: str
    outcome: str
    target: str
    status: Status
    evidence: Mapping[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "key": self.key,
            "dimension": self.dimension,
            "outcome": self.outcome,
            "target": self.target,
            "status": str(self.status),
            "evidence": dict(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class ResultsReport:
    """The whole table for one fleet and period."""

    fleet: str
    generated_at: datetime
    period_start: date | None  # None: everything stored
    period_end: date
    rows: tuple[ResultRow, ...]

    @property
    def unmet(self) -> tuple[ResultRow, ...]:
        """Rows whose measured outcome misses its target."""
        return tuple(r for r in self.rows if r.status is Status.NOT_MET)

    @property
    def period(self) -> str:
        """The period in words."""
        start = self.period_start.isoformat() if self.period_start else "the first record"
        return f"{start} to {self.period_end.isoformat()}"

    def row(self, key: str) -> ResultRow:
        """The row called ``key``; raises ``KeyError`` when there is none."""
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        counts = {str(s): sum(1 for r in self.rows if r.status is s) for s in Status}
        return {
            "fleet": self.fleet,
            "generated_at": self.generated_at.isoformat(),
            "period": {
                "start": self.period_start.isoformat() if self.period_start else None,
                "end": self.period_end.isoformat(),
            },
            "summary": counts,
            "rows": [r.as_dict() for r in self.rows],
        }


@dataclass(frozen=True, slots=True)
class AuthFigures:
    """A domain's newest DNS verification: whether each mechanism passed."""

    spf: bool
    dkim: bool
    dmarc: bool
    checked_at: datetime

    @property
    def passed(self) -> bool:
        """True when SPF, DKIM and DMARC all passed."""
        return self.spf and self.dkim and self.dmarc

    def failing(self) -> tuple[str, ...]:
        """The mechanisms that did not pass."""
        named = (("SPF", self.spf), ("DKIM", self.dkim), ("DMARC", self.dmarc))
        return tuple(name for name, ok in named if not ok)


@dataclass(frozen=True, slots=True)
class DomainFigures:
    """What the stores say about one domain of the fleet."""

    name: str
    target: int = 0  # its segment's daily target
    warmup_start: date | None = None  # the first day of its ramp; None: no ramp stored
    reached_target: date | None = None  # the first day its cap was the target
    sending_since: date | None = None  # the first day its cap let it send at all
    attempts_at_target: int = 0  # deliveries + bounces on days at target, in the period
    bounces_at_target: int = 0
    delivered: int = 0  # in the period
    complaints: int = 0
    isolated: bool = False  # isolated now, or at some time in the period
    auth: AuthFigures | None = None  # None: never verified
    synced: bool = True  # the database has the domain
    drift: tuple[str, ...] = ()  # spec fields that differ from the database
    record_mismatches: tuple[str, ...] = ()  # DNS records unlike the template at last verify


@dataclass(frozen=True, slots=True)
class Listing:
    """One (subject, zone) pair seen listed in DNSBL checks."""

    subject: str
    zone: str
    first_seen: datetime
    last_seen: datetime
    checks: int  # how many runs saw it listed

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "subject": self.subject,
            "zone": self.zone,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "checks": self.checks,
        }


@dataclass(frozen=True, slots=True)
class ResultsInput:
    """Plain figures for one fleet and period, as the service gathered them."""

    fleet: str
    generated_at: datetime
    period_start: date | None
    period_end: date
    domains: tuple[DomainFigures, ...]
    dnsbl_runs: int = 0  # checks run in the period
    listings: tuple[Listing, ...] = ()  # of the fleet's domains and sending IPs
    provisioned: tuple[datetime, ...] = ()  # successful provisioning outcomes
    mailboxes_in_spec: int = 0
    mailboxes_stored: int = 0  # of the spec's mailboxes, how many the database holds
    dashboard_users: int = 0


# helpers over stored history


def caps_by_day(decisions: Iterable[tuple[date, int]]) -> dict[date, int]:
    """The cap each day sent under: a decision at the end of day D sets day D + 1's cap.

    ``decisions`` are (decision day, next cap) in the order they were made; a later decision
    for the same day (a re-run) replaces the earlier one.
    """
    return {day + timedelta(days=1): cap for day, cap in decisions}


def reached_target(caps: Mapping[date, int], target: int) -> date | None:
    """The first day whose cap was the full ``target`` (``None`` when none was yet)."""
    if target <= 0:
        return None
    days = sorted(day for day, cap in caps.items() if cap >= target)
    return days[0] if days else None


def first_sending_day(caps: Mapping[date, int]) -> date | None:
    """The first day whose cap let the domain send at all."""
    days = sorted(day for day, cap in caps.items() if cap > 0)
    return days[0] if days else None


def days_at_target(caps: Mapping[date, int], target: int) -> frozenset[date]:
    """Every day whose cap was the full ``target``."""
    if target <= 0:
        return frozenset()
    return frozenset(day for day, cap in caps.items() if cap >= target)


@dataclass(frozen=True, slots=True)
class ProvisioningRun:
    """Provisioning outcomes close together in time: one run of ``mailboxes apply``."""

    start: datetime
    end: datetime
    mailboxes: int

    @property
    def duration(self) -> timedelta:
        """Wall time from its first to its last outcome."""
        return self.end - self.start


def provisioning_runs(
    times: Iterable[datetime], gap: timedelta = PROVISIONING_RUN_GAP
) -> tuple[ProvisioningRun, ...]:
    """Group outcome times into runs: a pause longer than ``gap`` starts a new run."""
    ordered = sorted(times)
    runs: list[ProvisioningRun] = []
    for at in ordered:
        if runs and at - runs[-1].end <= gap:
            last = runs[-1]
            runs[-1] = ProvisioningRun(last.start, at, last.mailboxes + 1)
        else:
            runs.append(ProvisioningRun(at, at, 1))
    return tuple(runs)


# formatting


def _pct(value: float, places: int) -> str:
    return f"{value * 100:.{places}f}%"


def _duration(span: timedelta) -> str:
    seconds = int(span.total_seconds())
    if seconds < 1:
        return "under 1 s"
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s" if seconds % 60 else f"{seconds // 60} min"
    if seconds < 86400:
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(seconds // 3600, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_NAMED])
    return shown + (f" and {len(items) - _NAMED} more" if len(items) > _NAMED else "")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# the rows


def _operational(data: ResultsInput) -> ResultRow:
    """Live means authenticated and sending: the day each domain's warmup first let it send."""
    key, dimension = "operational_time", "Infrastructure operational time"
    target = f"All domains live (sending) within {OPERATIONAL_DAYS_TARGET} days"
    started = [d.warmup_start for d in data.domains if d.warmup_start is not None]
    if not started:
        return ResultRow(
            key, dimension, "No warmup has started", target, Status.NOT_MEASURED, {"domains": 0}
        )
    first = min(started)
    total = len(data.domains)
    sending = {d.name: d.sending_since for d in data.domains if d.sending_since is not None}
    evidence: dict[str, object] = {
        "first_warmup_day": first.isoformat(),
        "domains": total,
        "sending": len(sending),
        "target_days": OPERATIONAL_DAYS_TARGET,
        "live_since": {name: day.isoformat() for name, day in sorted(sending.items())},
    }
    if len(sending) == total:
        days = (max(sending.values()) - first).days
        evidence["days"] = days
        status = Status.MET if days <= OPERATIONAL_DAYS_TARGET else Status.NOT_MET
        outcome = f"All {total} domains live (sending) in {_plural(days, 'day')}"
        return ResultRow(key, dimension, outcome, target, status, evidence)
    elapsed = (data.period_end - first).days
    waiting = sorted(d.name for d in data.domains if d.name not in sending)
    evidence |= {"days": None, "elapsed_days": elapsed, "not_yet": waiting}
    outcome = f"Not yet: {len(sending)} of {total} domains sending after {_plural(elapsed, 'day')}"
    status = Status.NOT_MET if elapsed > OPERATIONAL_DAYS_TARGET else Status.NOT_MEASURED
    return ResultRow(key, dimension, outcome, target, status, evidence)


def _target_volume(data: ResultsInput) -> ResultRow:
    """The day the last domain's warmup cap reached its segment's daily target."""
    key, dimension = "target_volume", "Target sending volume"
    target = f"All domains at target volume within {TARGET_VOLUME_DAYS} days"
    started = [d for d in data.domains if d.warmup_start is not None]
    if not started:
        return ResultRow(
            key, dimension, "No warmup has started", target, Status.NOT_MEASURED, {"domains": 0}
        )
    first = min(d.warmup_start for d in started if d.warmup_start is not None)
    live = [d for d in data.domains if d.reached_target is not None]
    total = len(data.domains)
    elapsed = (data.period_end - first).days
    evidence: dict[str, object] = {
        "first_warmup_day": first.isoformat(),
        "domains": total,
        "at_target": len(live),
        "target_days": TARGET_VOLUME_DAYS,
        "reached": {d.name: d.reached_target.isoformat() for d in live if d.reached_target},
    }
    if len(live) == total:
        last = max(d.reached_target for d in live if d.reached_target is not None)
        days = (last - first).days
        evidence |= {"days": days, "last_domain_at_target": last.isoformat()}
        status = Status.MET if days <= TARGET_VOLUME_DAYS else Status.NOT_MET
        outcome = f"All {total} domains at target volume in {_plural(days, 'day')}"
        return ResultRow(key, dimension, outcome, target, status, evidence)
    waiting = sorted(d.name for d in data.domains if d.reached_target is None)
    evidence |= {"days": None, "elapsed_days": elapsed, "not_yet": waiting}
    outcome = (
        f"Not yet: {len(live)} of {total} domains at target volume after {_plural(elapsed, 'day')}"
    )
    # Still inside the target window, the outcome is open; past it, the target is missed.
    status = Status.NOT_MET if elapsed > TARGET_VOLUME_DAYS else Status.NOT_MEASURED
    return ResultRow(key, dimension, outcome, target, status, evidence)


def _blacklisting(data: ResultsInput) -> ResultRow:
    key, dimension = "blacklisting", "Blacklisting incidents"
    target = "Zero"
    if data.dnsbl_runs == 0:
        return ResultRow(
            key, dimension, "No DNSBL check in the period", target, Status.NOT_MEASURED, {"runs": 0}
        )
    listings = sorted(data.listings, key=lambda x: (x.first_seen, x.subject, x.zone))
    evidence: dict[str, object] = {
        "runs": data.dnsbl_runs,
        "incidents": len(listings),
        "listings": [x.as_dict() for x in listings],
    }
    if not listings:
        outcome = f"Zero in {_plural(data.dnsbl_runs, 'DNSBL check')}"
        return ResultRow(key, dimension, outcome, target, Status.MET, evidence)
    named = [f"{x.subject} on {x.zone}" for x in listings]
    outcome = f"{_plural(len(listings), 'listing')}: {_names(named)}"
    return ResultRow(key, dimension, outcome, target, Status.NOT_MET, evidence)


@dataclass(frozen=True, slots=True)
class _Rate:
    """A numerator over a denominator, per domain, split into operating and isolated."""

    fleet: float | None
    worst: tuple[str, float] | None
    isolated: float | None
    isolated_worst: tuple[str, float] | None
    numerator: int
    denominator: int
    measured: int


def _rate(pairs: Sequence[tuple[DomainFigures, int, int]]) -> _Rate:
    """``pairs``: (domain, numerator, denominator) of domains with a denominator."""

    def overall(rows: Sequence[tuple[DomainFigures, int, int]]) -> float | None:
        den = sum(d for _, _, d in rows)
        return sum(n for _, n, _ in rows) / den if den else None

    operating = [p for p in pairs if not p[0].isolated]
    isolated = [p for p in pairs if p[0].isolated]

    def worst(rows: Sequence[tuple[DomainFigures, int, int]]) -> tuple[str, float] | None:
        if not rows:
            return None
        top = max(rows, key=lambda p: (p[1] / p[2], p[0].name))
        return top[0].name, top[1] / top[2]

    return _Rate(
        fleet=overall(operating),
        worst=worst(operating),
        isolated=overall(isolated),
        isolated_worst=worst(isolated),
        numerator=sum(n for _, n, _ in operating),
        denominator=sum(d for _, _, d in operating),
        measured=len(operating),
    )


def _rate_row(
    key: str,
    dimension: str,
    target: str,
    limit: float,
    places: int,
    rate: _Rate,
    names: tuple[str, str],
) -> ResultRow:
    numerator_name, denominator_name = names
    evidence: dict[str, object] = {
        "fleet_rate": rate.fleet,
        "worst_domain": rate.worst[0] if rate.worst else None,
        "worst_rate": rate.worst[1] if rate.worst else None,
        numerator_name: rate.numerator,
        denominator_name: rate.denominator,
        "domains_measured": rate.measured,
        "isolated_rate": rate.isolated,
        "isolated_worst_domain": rate.isolated_worst[0] if rate.isolated_worst else None,
        "isolated_worst_rate": rate.isolated_worst[1] if rate.isolated_worst else None,
        "target": limit,
    }
    isolated = ""
    if rate.isolated_worst is not None and rate.isolated is not None:
        isolated = (
            f"; isolated domains {_pct(rate.isolated, places)} "
            f"(caught and rotated out, worst {rate.isolated_worst[0]} "
            f"{_pct(rate.isolated_worst[1], places)})"
        )
    if rate.fleet is None or rate.worst is None:
        outcome = "Only isolated domains measured" + isolated
        return ResultRow(key, dimension, outcome, target, Status.NOT_MEASURED, evidence)
    status = Status.MET if rate.worst[1] < limit else Status.NOT_MET
    outcome = (
        f"{_pct(rate.fleet, places)} fleet-wide, worst domain {rate.worst[0]} "
        f"{_pct(rate.worst[1], places)}{isolated}"
    )
    return ResultRow(key, dimension, outcome, target, status, evidence)


def _bounces(data: ResultsInput) -> ResultRow:
    key, dimension = "bounce_rate", "Bounce rate (at full volume)"
    target = f"Below {_pct(BOUNCE_RATE_TARGET, 1)} on every domain"
    pairs = [
        (d, d.bounces_at_target, d.attempts_at_target)
        for d in data.domains
        if d.attempts_at_target > 0
    ]
    if not pairs:
        outcome = "No domain has sent at target volume yet"
        return ResultRow(key, dimension, outcome, target, Status.NOT_MEASURED, {"attempts": 0})
    rate = _rate(pairs)
    return _rate_row(key, dimension, target, BOUNCE_RATE_TARGET, 2, rate, ("bounces", "attempts"))


def _complaints(data: ResultsInput) -> ResultRow:
    key, dimension = "complaint_rate", "Spam complaint rate"
    target = f"Below {_pct(COMPLAINT_RATE_TARGET, 2)} on every domain"
    pairs = [(d, d.complaints, d.delivered) for d in data.domains if d.delivered > 0]
    if not pairs:
        outcome = "Nothing delivered in the period"
        return ResultRow(key, dimension, outcome, target, Status.NOT_MEASURED, {"delivered": 0})
    rate = _rate(pairs)
    return _rate_row(
        key, dimension, target, COMPLAINT_RATE_TARGET, 3, rate, ("complaints", "delivered")
    )


def _authentication(data: ResultsInput) -> ResultRow:
    key, dimension = "authentication", "Domain authentication"
    target = "100% of domains pass SPF, DKIM and DMARC"
    total = len(data.domains)
    verified = [d for d in data.domains if d.auth is not None]
    if not verified:
        outcome = "No domain has been verified (`mailfleet dns verify`)"
        return ResultRow(key, dimension, outcome, target, Status.NOT_MEASURED, {"domains": total})
    passing = [d for d in verified if d.auth is not None and d.auth.passed]
    failing = {
        d.name: list(d.auth.failing()) for d in verified if d.auth is not None and not d.auth.passed
    }
    never = sorted(d.name for d in data.domains if d.auth is None)
    share = len(passing) / total if total else 0.0
    evidence: dict[str, object] = {
        "domains": total,
        "passing": len(passing),
        "share": share,
        "failing": failing,
        "never_verified": never,
        "oldest_check": min(d.auth.checked_at for d in verified if d.auth).isoformat(),
    }
    if len(passing) == total:
        outcome = f"100% — SPF, DKIM, DMARC on all {total} domains"
        return ResultRow(key, dimension, outcome, target, Status.MET, evidence)
    parts = [f"{name} ({'/'.join(mechs)})" for name, mechs in sorted(failing.items())]
    details = []
    if parts:
        details.append(f"failing {_names(parts)}")
    if never:
        details.append(f"never verified {_names(never)}")
    outcome = f"{_pct(share, 0)} ({len(passing)} of {total}): {'; '.join(details)}"
    return ResultRow(key, dimension, outcome, target, Status.NOT_MET, evidence)


def _provisioning(data: ResultsInput) -> ResultRow:
    key, dimension = "provisioning_time", "Mailbox provisioning time"
    target = f"Minutes via API: each run under {_duration(PROVISIONING_RUN_TARGET)}"
    if not data.provisioned:
        outcome = "No mailbox provisioned yet"
        return ResultRow(key, dimension, outcome, target, Status.NOT_MEASURED, {"mailboxes": 0})
    runs = provisioning_runs(data.provisioned)
    first, last = min(data.provisioned), max(data.provisioned)
    longest = max(runs, key=lambda r: r.duration)
    evidence: dict[str, object] = {
        "mailboxes": len(data.provisioned),
        "first": first.isoformat(),
        "last": last.isoformat(),
        "wall_seconds": (last - first).total_seconds(),
        "runs": len(runs),
        "longest_run_seconds": longest.duration.total_seconds(),
        "longest_run_mailboxes": longest.mailboxes,
    }
    count = len(data.provisioned)
    boxes = f"{count} mailbox" if count == 1 else f"{count} mailboxes"
    if len(runs) == 1:
        outcome = f"{boxes} in {_duration(last - first)} via API"
    else:
        outcome = (
            f"{boxes} in {len(runs)} runs via API, the longest "
            f"{longest.mailboxes} in {_duration(longest.duration)}"
        )
    status = Status.MET if longest.duration < PROVISIONING_RUN_TARGET else Status.NOT_MET
    return ResultRow(key, dimension, outcome, target, status, evidence)


def _visibility(data: ResultsInput) -> ResultRow:
    key, dimension = "visibility", "Centralized visibility"
    target = "One dashboard across all domains and inboxes"
    total = len(data.domains)
    stored = sum(1 for d in data.domains if d.synced)
    evidence: dict[str, object] = {
        "domains": total,
        "domains_visible": stored,
        "mailboxes": data.mailboxes_in_spec,
        "mailboxes_visible": data.mailboxes_stored,
        "dashboard_users": data.dashboard_users,
    }
    outcome = (
        f"{stored} of {total} domains and {data.mailboxes_stored} of "
        f"{data.mailboxes_in_spec} mailboxes in one dashboard"
    )
    complete = stored == total and data.mailboxes_stored >= data.mailboxes_in_spec
    if data.dashboard_users == 0:
        outcome += "; no dashboard user yet (`mailfleet users add`)"
    else:
        outcome += f", {_plural(data.dashboard_users, 'user')}"
    status = Status.MET if complete and data.dashboard_users > 0 else Status.NOT_MET
    return ResultRow(key, dimension, outcome, target, status, evidence)


def _variance(data: ResultsInput) -> ResultRow:
    key, dimension = "config_variance", "Manual configuration variance"
    target = "Zero: the database and DNS match the spec and templates"
    synced = [d for d in data.domains if d.synced]
    if not synced:
        outcome = "The spec has not been synced (`mailfleet sync`)"
        return ResultRow(key, dimension, outcome, target, Status.NOT_MEASURED, {"domains": 0})
    drift = {d.name: list(d.drift) for d in synced if d.drift}
    unsynced = sorted(d.name for d in data.domains if not d.synced)
    records = {d.name: list(d.record_mismatches) for d in data.domains if d.record_mismatches}
    verified = sum(1 for d in data.domains if d.auth is not None)
    evidence: dict[str, object] = {
        "domains": len(data.domains),
        "drift": drift,
        "unsynced": unsynced,
        "record_mismatches": records,
        "domains_verified": verified,
    }
    count = len(drift) + len(unsynced) + len(records)
    if count == 0:
        checked = f", DNS records as templated on {verified}" if verified else ""
        outcome = f"Zero: {len(synced)} domains as the spec says{checked}"
        return ResultRow(key, dimension, outcome, target, Status.MET, evidence)
    parts = []
    if drift:
        parts.append(f"{_plural(len(drift), 'domain')} drifted ({_names(sorted(drift))})")
    if unsynced:
        parts.append(f"{len(unsynced)} not synced ({_names(unsynced)})")
    if records:
        parts.append(f"DNS records off template on {len(records)} ({_names(sorted(records))})")
    return ResultRow(key, dimension, "; ".join(parts), target, Status.NOT_MET, evidence)


def results_table(data: ResultsInput) -> ResultsReport:
    """The eight rows of the case study's table, in its order."""
    rows = (
        _operational(data),
        _target_volume(data),
        _blacklisting(data),
        _bounces(data),
        _complaints(data),
        _authentication(data),
        _provisioning(data),
        _visibility(data),
        _variance(data),
    )
    return ResultsReport(data.fleet, data.generated_at, data.period_start, data.period_end, rows)
