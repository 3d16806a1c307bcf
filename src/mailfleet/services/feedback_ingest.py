"""Ingesting one inbound report: parse, classify, store events, suppress.

Hard bounces and complaints suppress at once; soft bounces suppress once enough of them
arrive within the policy's window. A report whose VERP token does not verify is a forgery
and changes nothing.
"""

from __future__ import annotations

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
from mailfleet.core.feedback.rules import BounceRules
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.core.verp import decode_verp
from mailfleet.policy.rules import bounce_rules, suppression_policy


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
                [EventKind.BOUNCE.value, EventKind.DEFERRAL.value],
                sorted(policy.soft_reasons),
                event.occurred_at - policy.soft_window,
            )
            entry = soft_suppression(event, earlier + 1, policy)
        if entry is not None:
            wanted.append(entry)
    return wanted


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
    report = parse_feedback(raw, rules or bounce_rules())
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
    wanted = _suppressions(store, events, policy or suppression_policy())
    made = store.apply(events, wanted)  # events and suppressions in one transaction
    return IngestResult(report, events, tuple(made))
