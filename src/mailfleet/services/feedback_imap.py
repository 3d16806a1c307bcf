"""Polling a bounce mailbox: fetch unseen reports, ingest them in batches, mark them done."""

from __future__ import annotations

from dataclasses import dataclass

from mailfleet.core.feedback.model import FeedbackKind
from mailfleet.core.feedback.ports import BounceMailbox, FeedbackStore, SentMessageLookup
from mailfleet.core.ports import Clock
from mailfleet.core.secrets import Secret
from mailfleet.services.feedback_ingest import ingest_batch

DEFAULT_BATCH = 200


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll did."""

    fetched: int = 0
    bounces: int = 0
    complaints: int = 0
    ignored: int = 0
    events: int = 0
    suppressed: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "fetched": self.fetched,
            "bounces": self.bounces,
            "complaints": self.complaints,
            "ignored": self.ignored,
            "events": self.events,
            "suppressed": list(self.suppressed),
        }


def poll_mailbox(
    mailbox: BounceMailbox,
    *,
    store: FeedbackStore,
    clock: Clock,
    verp_key: Secret | None = None,
    lookup: SentMessageLookup | None = None,
    batch: int = DEFAULT_BATCH,
) -> PollResult:
    """Ingest every unseen message, a batch (one transaction) at a time, marking each batch
    done only after it is stored. Messages that are not reports are marked done too: they
    would otherwise be read again on every poll."""
    fetched = bounces = complaints = ignored = events = 0
    suppressed: list[str] = []
    while True:
        messages = mailbox.unseen(batch)
        if not messages:
            break
        results = ingest_batch(
            [m.raw for m in messages],
            store=store,
            clock=clock,
            source="imap",
            verp_key=verp_key,
            lookup=lookup,
        )
        mailbox.done([m.uid for m in messages])
        fetched += len(messages)
        for result in results:
            bounces += result.report.kind is FeedbackKind.BOUNCE and not result.ignored
            complaints += result.report.kind is FeedbackKind.COMPLAINT and not result.ignored
            ignored += result.ignored is not None
            events += len(result.events)
            suppressed.extend(s.address for s in result.suppressed)
        if len(messages) < batch:
            break
    return PollResult(fetched, bounces, complaints, ignored, events, tuple(suppressed))
