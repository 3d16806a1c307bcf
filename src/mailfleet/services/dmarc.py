"""DMARC aggregate reports in, per-source pass rates out, and the staged policy per domain.

The stage a domain is at is what the DNS template publishes as its ``p=`` (see
``App.dns_template``), so moving a stage here changes DNS only through ``dns plan``/``apply``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from mailfleet.core.dns.dmarc import DmarcPolicy
from mailfleet.core.feedback.dmarc_report import ReportError, SourceDay, read_reports
from mailfleet.core.feedback.dmarc_stage import (
    StageDecision,
    StagePolicy,
    StageRecord,
    daily_totals,
    decide_stage,
)
from mailfleet.core.feedback.ports import DmarcStore
from mailfleet.core.ports import Clock
from mailfleet.policy.rules import dmarc_stage_policy


@dataclass(frozen=True, slots=True)
class IngestedFile:
    """One input file: reports found, added, already known, or why it was unreadable."""

    file: str
    reports: int = 0
    added: int = 0
    duplicates: int = 0
    messages: int = 0
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "file": self.file,
            "reports": self.reports,
            "added": self.added,
            "duplicates": self.duplicates,
            "messages": self.messages,
            "error": self.error,
        }


def ingest_reports(
    files: Iterable[tuple[str, bytes]], *, store: DmarcStore, clock: Clock
) -> list[IngestedFile]:
    """Read every report in each file and store its counts (a resent report counts once)."""
    results = []
    for name, data in files:
        try:
            reports = read_reports(data)
        except ReportError as exc:
            results.append(IngestedFile(name, error=str(exc)))
            continue
        added = [store.add_report(report, clock.now()) for report in reports]
        results.append(
            IngestedFile(
                name,
                len(reports),
                sum(added),
                len(added) - sum(added),
                sum(r.messages for r, new in zip(reports, added, strict=True) if new),
            )
        )
    return results


def source_report(store: DmarcStore, clock: Clock, *, days: int = 30) -> list[SourceDay]:
    """Per domain, source IP and day over the last ``days`` days: aligned pass and fail."""
    return store.source_days((clock.now() - timedelta(days=days)).date())


def stage_decisions(
    store: DmarcStore,
    clock: Clock,
    *,
    apply: bool = False,
    policy: StagePolicy | None = None,
    domains: Iterable[str] = (),
) -> list[StageDecision]:
    """Decide each domain's stage (those reported on, staged, or named); store the moves up
    when ``apply``. Nothing ever moves down here."""
    active = policy or dmarc_stage_policy()
    now = clock.now()
    totals = daily_totals(store.source_days((now - timedelta(days=active.window_days)).date()))
    stages = {s.domain: s for s in store.stages()}
    names = sorted({t.domain for t in totals} | set(stages) | {d.lower() for d in domains})
    decisions = [decide_stage(name, stages.get(name), totals, active, now) for name in names]
    if apply:
        for decision in decisions:
            if decision.advance:
                store.set_stage(
                    StageRecord(decision.domain, decision.proposed, now, decision.reason)
                )
    return decisions


def set_stage(
    store: DmarcStore, clock: Clock, domain: str, stage: DmarcPolicy, reason: str
) -> StageRecord:
    """A person's decision: put ``domain`` at ``stage`` (any direction), with why."""
    record = StageRecord(domain.lower().rstrip("."), stage, clock.now(), f"set by hand: {reason}")
    store.set_stage(record)
    return record


def stage_policies(store: DmarcStore) -> dict[str, DmarcPolicy]:
    """The stored stage of each domain, as the DNS template's per-domain DMARC policy."""
    return {s.domain: s.stage for s in store.stages()}
