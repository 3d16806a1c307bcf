"""Building the fact snapshot the alert rules read: rates, listings, and facts from elsewhere."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from mailfleet.core.fleet import Fleet
from mailfleet.core.reputation.rules import FactSnapshot, FactValue, SubjectFacts, SubjectKind
from mailfleet.core.reputation.targets import BlocklistReport
from mailfleet.core.reputation.verdict import Verdict


@dataclass(frozen=True, slots=True)
class DomainRates:
    """Counts for one domain over a window; rates are fractions of ``sent``."""

    sent: int
    bounced: int = 0
    complained: int = 0
    deferred: int = 0

    def rate(self, count: int) -> float:
        """``count`` as a fraction of messages sent (0 when nothing was sent)."""
        return count / self.sent if self.sent else 0.0


def listing_subject(target: str, zone: str) -> str:
    """The subject name of a listing alert: one per target and list, delisted one by one."""
    return f"{target} on {zone}"


def _domain_facts(fleet: Fleet, rates: Mapping[str, DomainRates]) -> list[SubjectFacts]:
    subjects = []
    for domain in fleet.domains:
        thresholds = fleet.segments[domain.segment].thresholds
        values: dict[str, FactValue] = {
            "bounce_alert": thresholds.bounce_alert,
            "complaint_alert": thresholds.complaint_alert,
            "deferral_rate_limit": thresholds.deferral_rate,
        }
        counts = rates.get(domain.name)
        if counts is not None:
            values |= {
                "sent": counts.sent,
                "bounce_rate": counts.rate(counts.bounced),
                "complaint_rate": counts.rate(counts.complained),
                "deferral_rate": counts.rate(counts.deferred),
            }
        subjects.append(SubjectFacts(SubjectKind.DOMAIN, domain.name, values))
    return subjects


def _listing_facts(report: BlocklistReport) -> list[SubjectFacts]:
    """One subject per (target, zone); an unknown answer is no evidence and gives no fact."""
    subjects = []
    for result in report.results:
        if result.verdict == Verdict.UNKNOWN:
            continue
        listed = result.verdict == Verdict.LISTED
        details = {}
        if listed:
            meanings = "; ".join(result.meanings)
            details["listed"] = (
                f"{meanings} (codes {', '.join(result.codes)}); delist: {result.delist_url}"
            )
        subjects.append(
            SubjectFacts(
                SubjectKind.TARGET,
                listing_subject(result.target, result.zone),
                {"listed": listed},
                details,
            )
        )
    return subjects


def build_facts(
    fleet: Fleet,
    at: datetime,
    *,
    rates: Mapping[str, DomainRates],
    report: BlocklistReport | None = None,
    extra: Iterable[SubjectFacts] = (),
) -> FactSnapshot:
    """Every subject's facts: domain rates and thresholds, listings, and ``extra`` facts.

    ``extra`` carries facts other capabilities own (DNS drift, DKIM mismatch, days a warmup has
    been held, failing relays); they are merged into the subject of the same kind and name.
    """
    merged: dict[tuple[SubjectKind, str], SubjectFacts] = {}
    listings = _listing_facts(report) if report is not None else []
    for facts in [*_domain_facts(fleet, rates), *listings, *extra]:
        key = (facts.kind, facts.name)
        old = merged.get(key)
        merged[key] = (
            facts
            if old is None
            else SubjectFacts(
                facts.kind,
                facts.name,
                {**old.values, **facts.values},
                {**old.details, **facts.details},
            )
        )
    return FactSnapshot(at, tuple(merged.values()))
