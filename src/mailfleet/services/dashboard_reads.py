"""The dashboard's ports answered by each capability's own store.

Every reader here takes the capability's port (warmup store, feedback store, DNS check and
rotation stores, reputation stores) and translates its values into the dashboard's values. A
figure a store does not have stays absent, so the page still says "—" for it, never zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol, runtime_checkable

from mailfleet.core.dashboard.ports import FeedbackEventLog, FleetReadModel
from mailfleet.core.dashboard.values import (
    AlertItem,
    AuthState,
    BlocklistResult,
    BlocklistStatus,
    DailyPoint,
    DecisionItem,
    DeliveryRates,
    DnsAuthStatus,
    DnsRecordItem,
    DomainExtras,
    DomainQuery,
    EventItem,
    MailboxProvisioning,
    WarmupFigures,
)
from mailfleet.core.dns.checks import DomainCheck
from mailfleet.core.dns.ports import DnsCheckStore, RotationStore
from mailfleet.core.dns.rotation import RotationPhase
from mailfleet.core.feedback.events import DailyCounts, rolling_rates
from mailfleet.core.mailboxes.ports import MailboxLedger
from mailfleet.core.ports import Clock
from mailfleet.core.reputation.engine import AlertKey, AlertState, EventKind
from mailfleet.core.reputation.history import AlertRecord
from mailfleet.core.reputation.ports import AlertStore, BlocklistHistory, DomainStateStore
from mailfleet.core.reputation.rules import SubjectKind
from mailfleet.core.reputation.verdict import Verdict
from mailfleet.core.warmup.decision import Decision
from mailfleet.core.warmup.ports import WarmupStore
from mailfleet.core.warmup.schedule import week_of

RATE_WINDOW_DAYS = 7  # the rolling window of the overview's rates, as the warmup gate judges
_AUTH_PREFIXES = {"spf": "spf:", "dkim": "dkim:", "dmarc": "dmarc:"}


def _sent(counts: DailyCounts) -> int:
    """Messages with a final outcome: deliveries and final bounces (the feedback measure)."""
    return counts.deliveries + counts.bounces


class DailyCountsReader(Protocol):
    """Per-day, per-sending-domain feedback counts: the feedback store, or its rollup."""

    def daily_counts(self, since: datetime, until: datetime) -> list[DailyCounts]:
        """Counts of the events in ``[since, until)``."""
        ...


@runtime_checkable
class DomainDailyCountsReader(Protocol):
    """A counts reader that can also read some domains' rows alone (the rollup can)."""

    def domain_daily_counts(
        self, domains: Sequence[str], since: datetime, until: datetime
    ) -> list[DailyCounts]:
        """Some sending domains' counts of the events in ``[since, until)``."""
        ...


@runtime_checkable
class DomainTotalsReader(Protocol):
    """A counts reader that can sum a window per domain itself (the rollup can)."""

    def domain_totals(
        self, domains: Sequence[str], since: datetime, until: datetime
    ) -> list[DailyCounts]:
        """One row per sending domain summing the events in ``[since, until)``."""
        ...


class FeedbackRatesReader:
    """Implements ``RatesSource`` over per-domain daily counts (the feedback store's, or the
    dashboard's rollup of them, which gives the same figures)."""

    def __init__(
        self, store: DailyCountsReader, clock: Clock, window: int = RATE_WINDOW_DAYS
    ) -> None:
        self._store = store
        self._clock = clock
        self._days = window

    def _window(self, days: int) -> tuple[datetime, datetime]:
        """The last ``days`` days, today included, up to now (as ``domain_daily_counts``)."""
        now = self._clock.now()
        start = datetime.combine(now.date() - timedelta(days=days - 1), time.min, now.tzinfo)
        return start, now + timedelta(seconds=1)

    def daily(self, days: int) -> list[DailyCounts]:
        """Per-domain, per-day counts of the last ``days`` days (one query)."""
        return self._store.daily_counts(*self._window(days))

    def daily_of(self, domains: Sequence[str], days: int) -> list[DailyCounts]:
        """The per-day counts of ``domains`` (lower-cased) over the last ``days`` days."""
        names = {d.lower() for d in domains}
        if isinstance(self._store, DomainDailyCountsReader):
            return self._store.domain_daily_counts(sorted(names), *self._window(days))
        return [c for c in self.daily(days) if c.domain in names]

    def domain_daily(self, domain: str, days: int) -> list[DailyCounts]:
        """One domain's per-day counts of the last ``days`` days."""
        return self.daily_of([domain], days)

    def rates(self, domains: Sequence[str]) -> Mapping[str, DeliveryRates]:
        """Rolling rates of the domains that had feedback in the window."""
        if isinstance(self._store, DomainTotalsReader):
            # rolling rates only sum the window, so per-domain totals give the same rates
            window = self._store.domain_totals(domains, *self._window(self._days))
        else:
            window = self.daily_of(domains, self._days)
        by_domain: dict[str, list[DailyCounts]] = {}
        for counts in window:
            by_domain.setdefault(counts.domain, []).append(counts)
        found = {}
        for name in domains:
            mine = by_domain.get(name.lower())
            if mine is None:
                continue
            rates = rolling_rates(mine, name.lower())
            if rates.sent == 0:
                found[name] = DeliveryRates(None, None, 0)
            else:
                found[name] = DeliveryRates(rates.bounce_rate, rates.complaint_rate, rates.sent)
        return found


class WarmupReader:
    """Implements ``WarmupSource``: stage and day from the stored ramp, today's cap from the
    last decision, today's sent from the feedback counts."""

    def __init__(self, store: WarmupStore, rates: FeedbackRatesReader, clock: Clock) -> None:
        self._store = store
        self._rates = rates
        self._clock = clock

    def warmup(self, domains: Sequence[str]) -> Mapping[str, WarmupFigures]:
        """Figures of the domains that have a stored warmup state."""
        states, caps = self._store.states(), self._store.current_caps()
        today = self._clock.now().date()
        sent = {c.domain: _sent(c) for c in self._rates.daily_of(domains, 1) if c.day == today}
        found = {}
        for name in domains:
            state = states.get(name)
            if state is None:
                continue
            if state.paused:
                stage = f"paused until {state.paused_until}"
            elif not state.started(today):
                stage = f"starts {state.start_day}"
            else:
                stage = f"week {week_of(state.ramp_day)}"
            found[name] = WarmupFigures(
                stage=stage,
                day=state.ramp_day,
                cap_today=caps.get(name),
                sent_today=sent.get(name.lower(), 0),
            )
        return found


def _auth(check: DomainCheck, prefix: str) -> AuthState:
    mine = [c for c in check.checks if c.name.startswith(prefix)]
    if not mine:
        return AuthState.MISSING
    return AuthState.PASS if all(c.ok for c in mine) else AuthState.FAIL


class DnsAuthReader:
    """Implements ``DnsAuthSource`` over the newest stored verification of each domain."""

    def __init__(self, checks: DnsCheckStore, rotation: RotationStore) -> None:
        self._checks = checks
        self._rotation = rotation

    def latest(self, domains: Sequence[str]) -> dict[str, DomainCheck]:
        """The newest verification of each of ``domains`` that has one."""
        stored = self._checks.latest()
        return {name: stored[name] for name in domains if name in stored}

    def dns_auth(self, domains: Sequence[str]) -> Mapping[str, DnsAuthStatus]:
        """SPF, DKIM and DMARC outcomes: pass when every check of the kind passed."""
        return {
            name: DnsAuthStatus(
                spf=_auth(check, _AUTH_PREFIXES["spf"]),
                dkim=_auth(check, _AUTH_PREFIXES["dkim"]),
                dmarc=_auth(check, _AUTH_PREFIXES["dmarc"]),
                checked_at=check.checked_at,
            )
            for name, check in self.latest(domains).items()
        }

    def records(self, domain: str) -> tuple[DnsRecordItem, ...]:
        """The records checked at the last verification (``record:NAME TYPE`` checks)."""
        check = self.latest([domain]).get(domain)
        if check is None:
            return ()
        items = []
        for c in check.checks:
            if not c.name.startswith("record:"):
                continue
            name, _, rtype = c.name.removeprefix("record:").rpartition(" ")
            items.append(DnsRecordItem(name, rtype, c.detail or "as wanted", c.ok))
        return tuple(items)

    def selectors(self, domain: str) -> tuple[str, ...]:
        """The DKIM selectors: the rotation state when one is stored, else the checked ones."""
        state = self._rotation.get(domain)
        if state is not None:
            shown = [f"{state.active} (signing)"]
            if state.phase is not RotationPhase.IDLE and state.target:
                shown.append(f"{state.target} ({state.phase})")
            return tuple(shown)
        check = self.latest([domain]).get(domain)
        if check is None:
            return ()
        return tuple(
            f"{c.name.removeprefix('dkim:')} ({'verified' if c.ok else 'failing'})"
            for c in check.checks
            if c.name.startswith("dkim:")
        )


class ReputationReader:
    """Implements ``BlocklistSource`` and ``AlertSource`` over the reputation stores."""

    def __init__(
        self,
        history: BlocklistHistory,
        alerts: AlertStore,
        states: DomainStateStore,
        fleet: FleetReadModel,
    ) -> None:
        self._history = history
        self._alerts = alerts
        self._states = states
        self._fleet = fleet

    def _owners(self) -> dict[str, str]:
        """Sending IP -> domain, for listings of a domain's IPs."""
        every = self._fleet.domains(DomainQuery(per_page=1_000_000))
        return {ip: d.name for d in every.rows for ip in d.sending_ips}

    def blocklist(self, domains: Sequence[str]) -> Mapping[str, BlocklistStatus]:
        """Zones listing each domain or one of its IPs at the newest run."""
        latest = self._history.latest_results()
        if latest is None:
            return {}
        checked_at, results = latest
        owners = self._owners() if any(r.target not in domains for r in results) else {}
        listed: dict[str, list[str]] = {name: [] for name in domains}
        for r in results:
            owner = r.target if r.target in listed else owners.get(r.target)
            if owner in listed and r.verdict is Verdict.LISTED:
                listed[owner].append(f"{r.zone} ({r.target})" if owner != r.target else r.zone)
        checked = {r.target for r in results} | {owners.get(r.target, "") for r in results}
        return {
            name: BlocklistStatus(tuple(zones), checked_at)
            for name, zones in listed.items()
            if name in checked
        }

    def results(self, limit: int) -> Sequence[BlocklistResult]:
        """The newest run's lookups, listings first."""
        latest = self._history.latest_results()
        if latest is None:
            return ()
        checked_at, results = latest
        ordered = sorted(results, key=lambda r: r.verdict is not Verdict.LISTED)
        return tuple(
            BlocklistResult(r.target, r.zone, r.verdict is Verdict.LISTED, checked_at)
            for r in ordered[:limit]
        )

    def alerts(self, *, open_only: bool, limit: int) -> Sequence[AlertItem]:
        """Alert events, newest first; a firing is open while its rule still holds."""
        states = self._alerts.alert_states()
        items = []
        for record in self._alerts.alert_history(limit if not open_only else max(limit, 500)):
            item = _alert_item(record, states)
            if item.is_open or not open_only:
                items.append(item)
        return items[:limit]

    def domain_events(self, domain: str, limit: int) -> list[EventItem]:
        """Isolations, restores and alerts about ``domain``."""
        events = [
            EventItem(r.at, f"state {r.new_state}", f"from {r.previous_state}: {r.reason} ({r.by})")
            for r in self._states.isolation_log(domain)
        ]
        for record in self._alerts.alert_history(200):
            e = record.event
            if e.subject == domain and e.subject_kind in (SubjectKind.DOMAIN, SubjectKind.TARGET):
                events.append(EventItem(e.at, f"alert {e.kind}", f"{e.title}: {e.message}"))
        return sorted(events, key=lambda e: e.at, reverse=True)[:limit]


def _alert_item(record: AlertRecord, states: Mapping[AlertKey, AlertState]) -> AlertItem:
    event = record.event
    state = states.get((event.rule, event.subject_kind, event.subject))
    is_open = (
        event.kind is EventKind.FIRED
        and state is not None
        and state.active
        and (state.since is None or event.at >= state.since)
    )
    return AlertItem(
        at=event.at,
        severity=str(event.severity),
        subject=f"{event.subject_kind}: {event.subject}",
        message=f"{event.title} ({event.kind}): {event.message}",
        is_open=is_open,
    )


def _decision_item(decision: Decision) -> DecisionItem:
    ev = decision.evidence
    days = f"{ev.days[0]}..{ev.days[-1]}" if ev.days else "no day"
    evidence = (
        f"{ev.sent} sent, {ev.bounced} bounced, {ev.complained} complaints, "
        f"{ev.deferred} deferred ({days})"
        + (f"; listed on {', '.join(ev.listings)}" if ev.listings else "")
        + f". {decision.explanation}"
    )
    return DecisionItem(
        at=datetime.combine(decision.day, time.min, UTC),
        decision=f"{decision.action}: ramp day {decision.ramp_day_before} -> "
        f"{decision.ramp_day_after}, next cap {decision.next_cap}",
        evidence=evidence,
    )


class DomainDetailReader:
    """Implements ``DomainDetailSource``: history, decisions, records, events, selectors."""

    def __init__(
        self,
        warmup: WarmupStore,
        rates: FeedbackRatesReader,
        dns: DnsAuthReader,
        reputation: ReputationReader,
        clock: Clock,
        feedback_events: FeedbackEventLog | None = None,
    ) -> None:
        self._feedback_events = feedback_events
        self._warmup = warmup
        self._rates = rates
        self._dns = dns
        self._reputation = reputation
        self._clock = clock

    def _history(self, domain: str, days: int, decisions: Sequence[Decision]) -> list[DailyPoint]:
        counts = {c.day: c for c in self._rates.domain_daily(domain, days)}
        caps = {d.day + timedelta(days=1): d.next_cap for d in decisions}
        today = self._clock.now().date()
        points = []
        for back in range(days - 1, -1, -1):
            day: date = today - timedelta(days=back)
            c = counts.get(day)
            sent = _sent(c) if c else 0
            bounce = c.bounces / sent if c and sent else None
            complaint = c.complaints / sent if c and sent else None
            if c is None and day not in caps:
                continue
            points.append(DailyPoint(day, sent, caps.get(day), bounce, complaint))
        return points

    def _events(self, domain: str, limit: int) -> list[EventItem]:
        events = self._reputation.domain_events(domain, limit)
        if self._feedback_events is not None:
            events += self._feedback_events.recent(domain, limit)
        return sorted(events, key=lambda e: e.at, reverse=True)[:limit]

    def extras(self, domain: str, days: int) -> DomainExtras:
        """Everything the capabilities stored about ``domain``."""
        decisions = self._warmup.decisions(domain, max(days, 30))
        return DomainExtras(
            history=tuple(self._history(domain, days, decisions)),
            decisions=tuple(_decision_item(d) for d in decisions[:10]),
            dns_records=self._dns.records(domain),
            events=tuple(self._events(domain, 20)),
            dkim_selectors=self._dns.selectors(domain),
        )


class LedgerProvisioningReader:
    """Implements ``ProvisioningSource`` over the mailboxes ledger."""

    def __init__(self, ledger: MailboxLedger) -> None:
        self._ledger = ledger

    def provisioning(self, addresses: Sequence[str]) -> Mapping[str, MailboxProvisioning]:
        """The ledger's entry of each address that has one."""
        entries = self._ledger.entries()
        return {
            a: MailboxProvisioning(
                provider=e.provider,
                status=str(e.state),
                provisioned_at=e.provisioned_at,
                last_login_at=e.last_login_at,
                pending=e.intent,
                last_error=e.last_error,
            )
            for a in addresses
            if (e := entries.get(a)) is not None
        }
