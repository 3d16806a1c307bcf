"""Sending use cases: queue one message, import a campaign, look at the queue, find senders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from mailfleet.core.ports import Clock, FleetStore
from mailfleet.core.sending.attachments import check_attachments
from mailfleet.core.sending.campaign import (
    CampaignTemplate,
    build_drafts,
    parse_recipients,
)
from mailfleet.core.sending.model import MessageDraft, MessageState
from mailfleet.core.sending.ports import MessageQueue
from mailfleet.core.state import EntityKind, MailboxState

# Mailboxes that may send: provisioned ones, and planned ones on a relay-only setup.
SENDING_MAILBOX_STATES = frozenset({MailboxState.ACTIVE.value, MailboxState.PLANNED.value})


@dataclass(frozen=True)
class Queued:
    """What was put on the queue."""

    ids: list[int]
    senders: list[str]


def queue_message(queue: MessageQueue, clock: Clock, draft: MessageDraft) -> int:
    """Persist one message; it is accepted once this returns.

    Its attachments must be within the limits (``AttachmentError`` lists every problem).
    """
    check_attachments(draft.attachments)
    return queue.enqueue([draft], clock.now())[0]


def import_campaign(
    queue: MessageQueue,
    clock: Clock,
    *,
    recipients_text: str,
    kind: str,
    template: CampaignTemplate,
    senders: Sequence[str],
    segment: str = "",
    campaign: str = "",
    not_before: datetime | None = None,
) -> Queued:
    """Parse the list, fill the template per row, rotate senders, and queue everything at once.

    Nothing is queued when any row has a problem (``CampaignError`` lists them all).
    """
    rows = parse_recipients(recipients_text, kind)
    drafts = build_drafts(
        rows, template, senders, segment=segment, campaign=campaign, not_before=not_before
    )
    ids = queue.enqueue(drafts, clock.now())
    return Queued(ids, sorted({d.sender for d in drafts}))


def segment_senders(store: FleetStore, segment: str) -> list[str]:
    """The sending mailboxes of ``segment``, in a stable order (domain, then address)."""
    snapshot = store.snapshot()
    domains = snapshot.records.get(EntityKind.DOMAIN, {})
    in_segment = {name for name, record in domains.items() if record.spec.get("segment") == segment}
    mailboxes = snapshot.records.get(EntityKind.MAILBOX, {})
    chosen = [
        address
        for address, record in mailboxes.items()
        if record.spec.get("domain") in in_segment
        and record.in_spec
        and record.state in SENDING_MAILBOX_STATES
    ]
    return sorted(chosen, key=lambda a: (a.rpartition("@")[2], a))


def mailbox_caps(store: FleetStore) -> Mapping[str, int]:
    """Each mailbox's daily limit from the spec, for the embedded send gate."""
    mailboxes = store.snapshot().records.get(EntityKind.MAILBOX, {})
    caps: dict[str, int] = {}
    for address, record in mailboxes.items():
        limit = record.spec.get("daily_limit")
        if isinstance(limit, int):
            caps[address] = limit
    return caps


def queue_counts(queue: MessageQueue) -> dict[MessageState, int]:
    """Messages per state."""
    return queue.counts()
