"""Ingesting one inbound report: parse, classify, store events, suppress.

Hard bounces and complaints suppress at once; soft bounces suppress once enough of them
arrive within the policy's window. A report whose VERP token does not verify is a forgery
and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from mailfleet.core.feedback.events import (
    EventKind,
    FeedbackEvent,
    Suppression,
    SuppressionPolicy,
    counts_towards_soft,
    soft_suppression,
    suppress_at_once,
)
from mailfleet.core.feedback.model import FeedbackKind, FeedbackReport, Reason, RecipientResult
from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.core.feedback.ports import FeedbackStore, SentMessage, SentMessageLookup
from mailfleet.core.feedback.replay import Delivery
from mailfleet.core.feedback.rules import BounceRules
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.core.verp import decode_verp
from mailfleet.policy.rules import bounce_rules, suppression_policy
from mailfleet.services.feedback_parallel import ParallelParser


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What one report did: its reading, the events stored and the suppressions made."""

    report: FeedbackReport
    events: tuple[FeedbackEvent, ...] = ()
    suppressed: tuple[Suppression, ...] = ()
    ignored: str | None = None  # why the report changed nothing, when it did not


def _domain(address: str | None) -> str | None:
    return address.rpartition("@")[2].lower() if address and "@" in address else None


def _event(
    report: FeedbackReport,
    recipient: RecipientResult,
    sent: SentMessage | None,
    message_id: str | None,
    now: datetime,
    source: str,
) -> FeedbackEvent:
    if report.kind is FeedbackKind.COMPLAINT:
        kind, reason = EventKind.COMPLAINT, report.feedback_type or "abuse"
    else:
        kind = EventKind.BOUNCE if recipient.permanent else EventKind.DEFERRAL
        reason = recipient.reason.value
    return FeedbackEvent(
        kind=kind,
        recipient=recipient.address,
        occurred_at=now,
        reason=reason,
        status=recipient.status,
        permanent=recipient.permanent,
        # the sent message's own Message-ID when the lookup found it, so that the bounce and
        # the delivery event of one message carry the same id
        message_id=(sent.message_id if sent else None) or message_id or report.original_message_id,
        sending_domain=sent.sending_domain if sent else _domain(report.original_sender),
        mailbox=sent.mailbox if sent else report.original_sender,
        ip=sent.ip if sent else None,
        source=source,
    )


def _recipients(report: FeedbackReport, sent: SentMessage | None) -> tuple[RecipientResult, ...]:
    """The report's recipients; a redacted complaint falls back to the sent message's."""
    if report.recipients or sent is None or report.kind is not FeedbackKind.COMPLAINT:
        return report.recipients
    return (RecipientResult(sent.recipient, None, None, True, Reason.COMPLAINT),)


_SOFT_KINDS = (EventKind.BOUNCE.value, EventKind.DEFERRAL.value)


def _suppressions(
    store: FeedbackStore, events: tuple[FeedbackEvent, ...], policy: SuppressionPolicy
) -> list[Suppression]:
    """What the events call for: at once for hard bounces and complaints, and for soft
    bounces once this one makes the count within the window reach the threshold."""
    wanted = []
    for event in events:
        entry = suppress_at_once(event, policy)
        if entry is None and counts_towards_soft(event, policy):
            earlier = store.count_events(
                event.recipient,
                list(_SOFT_KINDS),
                sorted(policy.soft_reasons),
                event.occurred_at - policy.soft_window,
            )
            entry = soft_suppression(event, earlier + 1, policy)
        if entry is not None:
            wanted.append(entry)
    return wanted


def _batch_suppressions(
    store: FeedbackStore, batches: list[tuple[FeedbackEvent, ...]], policy: SuppressionPolicy
) -> list[list[Suppression]]:
    """:func:`_suppressions` for a whole batch: stored soft failures are read in one query,
    and those earlier in the batch count as if already stored."""
    soft = [e for events in batches for e in events if counts_towards_soft(e, policy)]
    times: dict[str, list[datetime]] = {}
    if soft:
        since = min(e.occurred_at for e in soft) - policy.soft_window
        times = store.event_times(
            [e.recipient for e in soft], list(_SOFT_KINDS), sorted(policy.soft_reasons), since
        )
    wanted: list[list[Suppression]] = []
    for events in batches:
        mine = []
        for event in events:
            entry = suppress_at_once(event, policy)
            if entry is None and counts_towards_soft(event, policy):
                seen = times.setdefault(event.recipient.lower(), [])
                since = event.occurred_at - policy.soft_window
                earlier = sum(1 for t in seen if t >= since)
                seen.append(event.occurred_at)
                entry = soft_suppression(event, earlier + 1, policy)
            if entry is not None:
                mine.append(entry)
        wanted.append(mine)
    return wanted


def _read(
    report: FeedbackReport,
    *,
    clock: Clock,
    source: str,
    verp_key: Secret | None,
    lookup: SentMessageLookup | None,
) -> IngestResult:
    """The events one parsed report stands for (nothing stored yet)."""
    if report.kind is FeedbackKind.OTHER:
        return IngestResult(report, ignored="not a bounce or complaint")
    message_id: str | None = None
    if report.verp_token and verp_key is not None:
        message_id = decode_verp(f"bounces+{report.verp_token}@x", verp_key)
        if message_id is None:
            return IngestResult(report, ignored="forged VERP token")
    sent = lookup.find(message_id) if lookup is not None and message_id else None
    now = clock.now()
    events = tuple(
        _event(report, r, sent, message_id, now, source) for r in _recipients(report, sent)
    )
    return IngestResult(report, events)


def ingest_message(
    raw: bytes,
    *,
    store: FeedbackStore,
    clock: Clock,
    source: str = "smtp",
    verp_key: Secret | None = None,
    lookup: SentMessageLookup | None = None,
    rules: BounceRules | None = None,
    policy: SuppressionPolicy | None = None,
) -> IngestResult:
    """Parse one raw report and apply it: events stored, suppressions made."""
    read = _read(
        parse_feedback(raw, rules or bounce_rules()),
        clock=clock,
        source=source,
        verp_key=verp_key,
        lookup=lookup,
    )
    if not read.events:
        return read
    wanted = _suppressions(store, read.events, policy or suppression_policy())
    made = store.apply(read.events, wanted)  # events and suppressions in one transaction
    return IngestResult(read.report, read.events, tuple(made))


def ingest_batch(
    raws: Iterable[bytes],
    *,
    store: FeedbackStore,
    clock: Clock,
    source: str = "smtp",
    verp_key: Secret | None = None,
    lookup: SentMessageLookup | None = None,
    rules: BounceRules | None = None,
    policy: SuppressionPolicy | None = None,
    parser: ParallelParser | None = None,
) -> list[IngestResult]:
    """Apply many reports with one transaction for the lot (a mailbox, a directory).

    The outcome is the same as :func:`ingest_message` on each in turn: soft bounces earlier
    in the batch count towards the threshold of later ones, and a suppression is reported
    as new by the first result that made it. With a ``parser`` the reports are parsed in
    its worker processes (with its rules); storing stays here, in one transaction.
    """
    active_rules, active_policy = rules or bounce_rules(), policy or suppression_policy()
    messages = list(raws)
    if parser is not None:
        reports = parser.parse_many(messages)
    else:
        reports = [parse_feedback(raw, active_rules) for raw in messages]
    reads = [
        _read(report, clock=clock, source=source, verp_key=verp_key, lookup=lookup)
        for report in reports
    ]
    wanted = _batch_suppressions(store, [read.events for read in reads], active_policy)
    pending = [event for read in reads for event in read.events]
    if not pending:
        return reads
    made = store.apply(pending, [entry for entries in wanted for entry in entries])
    new = {(m.address.lower(), m.scope) for m in made}
    results = []
    for read, entries in zip(reads, wanted, strict=True):
        mine = []
        for entry in entries:
            key = (entry.address.lower(), entry.scope)
            if key in new:
                new.discard(key)
                mine.append(next(m for m in made if (m.address.lower(), m.scope) == key))
        results.append(IngestResult(read.report, read.events, tuple(mine), read.ignored))
    return results


def apply_events(
    events: Sequence[FeedbackEvent],
    *,
    store: FeedbackStore,
    policy: SuppressionPolicy | None = None,
) -> tuple[Suppression, ...]:
    """Store events that came from elsewhere (a relay's webhook) and suppress as for reports:
    hard bounces and complaints at once, soft bounces past the threshold. One transaction."""
    if not events:
        return ()
    [wanted] = _batch_suppressions(store, [tuple(events)], policy or suppression_policy())
    return tuple(store.apply(list(events), wanted))


def apply_delivery_events(
    events: Sequence[FeedbackEvent],
    delivery: Delivery,
    *,
    store: FeedbackStore,
    policy: SuppressionPolicy | None = None,
) -> tuple[Suppression, ...] | None:
    """:func:`apply_events` once per webhook delivery: ``None``, and nothing stored, when
    ``delivery`` was applied before (a replay, or a relay retrying after a lost answer)."""
    [wanted] = _batch_suppressions(store, [tuple(events)], policy or suppression_policy())
    made = store.apply_delivery(delivery, list(events), wanted)
    return None if made is None else tuple(made)
