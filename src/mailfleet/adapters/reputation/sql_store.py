"""The reputation stores on SQL: check history, alerts, and domains' isolation state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from mailfleet.adapters.db.database import Database
from mailfleet.adapters.db.reputation_tables import (
    AlertEventRow,
    AlertStateRow,
    DnsblResultRow,
    DnsblRunRow,
    DomainIsolationRow,
)
from mailfleet.adapters.db.tables import DomainRow
from mailfleet.core.reputation.engine import AlertEvent, AlertKey, AlertState, Evaluation, EventKind
from mailfleet.core.reputation.history import AlertRecord, IsolationRecord
from mailfleet.core.reputation.messages import Delivery
from mailfleet.core.reputation.rules import Severity, SubjectKind
from mailfleet.core.reputation.targets import BlocklistReport
from mailfleet.core.reputation.verdict import CheckResult, Verdict
from mailfleet.core.reputation.zones import TargetKind
from mailfleet.core.state import DomainState


class SqlReputationStore:
    """Implements ``BlocklistHistory``, ``AlertStore`` and ``DomainStateStore`` on a database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    # DNSBL history

    def save_report(self, report: BlocklistReport) -> int:
        """Store the run and every result in one transaction."""
        counts = report.counts()
        with self._db.session() as s:
            run = DnsblRunRow(
                checked_at=report.checked_at,
                targets=len(report.targets),
                listed=counts[Verdict.LISTED],
                unknown=counts[Verdict.UNKNOWN],
                clean=counts[Verdict.CLEAN],
            )
            s.add(run)
            s.flush()
            s.add_all(
                DnsblResultRow(
                    run_id=run.id,
                    target=r.target,
                    kind=r.kind.value,
                    zone_key=r.zone_key,
                    zone=r.zone,
                    verdict=r.verdict.value,
                    codes=list(r.codes),
                    meanings=list(r.meanings),
                    reason=r.reason,
                    delist_url=r.delist_url,
                )
                for r in report.results
            )
            return run.id

    def latest_results(self) -> tuple[datetime, tuple[CheckResult, ...]] | None:
        """The newest run and its results."""
        with self._db.session() as s:
            run = s.scalars(select(DnsblRunRow).order_by(DnsblRunRow.id.desc()).limit(1)).first()
            if run is None:
                return None
            rows = s.scalars(
                select(DnsblResultRow)
                .where(DnsblResultRow.run_id == run.id)
                .order_by(DnsblResultRow.id)
            )
            return run.checked_at, tuple(_result(row) for row in rows)

    # alerts

    def alert_states(self) -> Mapping[AlertKey, AlertState]:
        """Every stored state."""
        with self._db.session() as s:
            states = [_state(row) for row in s.scalars(select(AlertStateRow))]
        return {state.key: state for state in states}

    def save_alerts(
        self, evaluation: Evaluation, deliveries: Mapping[int, Sequence[Delivery]]
    ) -> None:
        """Upsert the touched states and append the events, in one transaction."""
        with self._db.session() as s:
            existing = {
                (row.rule, row.subject_kind, row.subject): row
                for row in s.scalars(select(AlertStateRow))
            }
            for state in evaluation.states:
                columns = _state_columns(state)
                row = existing.get((state.rule, state.subject_kind.value, state.subject))
                if row is None:
                    s.add(AlertStateRow(**columns))
                else:
                    for name, value in columns.items():
                        setattr(row, name, value)
            for index, event in enumerate(evaluation.events):
                s.add(_event_row(event, deliveries.get(index, ())))

    def alert_history(self, limit: int = 100) -> tuple[AlertRecord, ...]:
        """The newest events first."""
        with self._db.session() as s:
            rows = s.scalars(select(AlertEventRow).order_by(AlertEventRow.id.desc()).limit(limit))
            return tuple(_record(row) for row in rows)

    # domains

    def domain_states(self) -> Mapping[str, str]:
        """Every stored domain's state (the foundation's ``domains.state``)."""
        with self._db.session() as s:
            rows = s.execute(select(DomainRow.name, DomainRow.state))
            return {str(row[0]): str(row[1]) for row in rows}

    def set_domain_state(
        self, domain: str, state: str, *, at: datetime, reason: str, by: str
    ) -> str:
        """Set ``domains.state`` and log the change, in one transaction."""
        with self._db.session() as s:
            previous = s.scalar(select(DomainRow.state).where(DomainRow.name == domain))
            if previous is None:
                raise KeyError(domain)
            s.execute(
                update(DomainRow).where(DomainRow.name == domain).values(state=state, updated_at=at)
            )
            s.add(
                DomainIsolationRow(
                    domain=domain,
                    at=at,
                    previous_state=previous,
                    new_state=state,
                    reason=reason,
                    by=by,
                )
            )
            return previous

    def isolation_log(self, domain: str) -> tuple[IsolationRecord, ...]:
        """The domain's isolations and restores, oldest first."""
        with self._db.session() as s:
            rows = s.scalars(
                select(DomainIsolationRow)
                .where(DomainIsolationRow.domain == domain)
                .order_by(DomainIsolationRow.id)
            )
            return tuple(
                IsolationRecord(r.domain, r.at, r.previous_state, r.new_state, r.reason, r.by)
                for r in rows
            )

    def last_restores(self) -> Mapping[str, datetime]:
        """When each domain was last put back in rotation by hand."""
        with self._db.session() as s:
            rows = s.execute(
                select(DomainIsolationRow.domain, DomainIsolationRow.at)
                .where(
                    DomainIsolationRow.by == "cli",
                    DomainIsolationRow.previous_state == DomainState.ISOLATED.value,
                )
                .order_by(DomainIsolationRow.id)
            )
            return {str(row[0]): row[1] for row in rows}


def _result(row: DnsblResultRow) -> CheckResult:
    return CheckResult(
        target=row.target,
        kind=TargetKind(row.kind),
        zone_key=row.zone_key,
        zone=row.zone,
        verdict=Verdict(row.verdict),
        codes=tuple(row.codes),
        meanings=tuple(row.meanings),
        reason=row.reason,
        delist_url=row.delist_url,
    )


def _state(row: AlertStateRow) -> AlertState:
    return AlertState(
        rule=row.rule,
        subject_kind=SubjectKind(row.subject_kind),
        subject=row.subject,
        active=row.active,
        since=row.since,
        notified=row.notified,
        last_notice_at=row.last_notice_at,
        resolved_at=row.resolved_at,
        value=row.value,
    )


def _state_columns(state: AlertState) -> dict[str, Any]:
    return {
        "rule": state.rule,
        "subject_kind": state.subject_kind.value,
        "subject": state.subject,
        "active": state.active,
        "since": state.since,
        "notified": state.notified,
        "last_notice_at": state.last_notice_at,
        "resolved_at": state.resolved_at,
        "value": state.value,
    }


def _event_row(event: AlertEvent, deliveries: Sequence[Delivery]) -> AlertEventRow:
    return AlertEventRow(
        at=event.at,
        kind=event.kind.value,
        rule=event.rule,
        title=event.title,
        severity=event.severity.value,
        subject_kind=event.subject_kind.value,
        subject=event.subject,
        value=event.value,
        threshold=event.threshold,
        message=event.message,
        silenced=event.silenced,
        deliveries=[{"channel": d.channel, "ok": d.ok, "detail": d.detail} for d in deliveries],
    )


def _record(row: AlertEventRow) -> AlertRecord:
    event = AlertEvent(
        kind=EventKind(row.kind),
        rule=row.rule,
        title=row.title,
        severity=Severity(row.severity),
        subject_kind=SubjectKind(row.subject_kind),
        subject=row.subject,
        at=row.at,
        value=row.value,
        threshold=row.threshold,
        message=row.message,
        silenced=row.silenced,
    )
    deliveries = tuple(
        Delivery(d["channel"], bool(d["ok"]), str(d.get("detail", ""))) for d in row.deliveries
    )
    return AlertRecord(row.id, event, deliveries)
