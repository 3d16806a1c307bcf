"""The values the queue holds and the dispatcher passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class MessageState(StrEnum):
    """Where a queued message is in its life.

    queued -> sending -> sent | bounced | failed | deferred (-> sending again) ;
    scheduled waits for its ``not_before``; suppressed never leaves.
    """

    QUEUED = "queued"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    DEFERRED = "deferred"
    BOUNCED = "bounced"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


# States a worker may claim once ``not_before`` has passed.
CLAIMABLE_STATES: frozenset[MessageState] = frozenset(
    {MessageState.QUEUED, MessageState.SCHEDULED, MessageState.DEFERRED}
)
FINAL_STATES: frozenset[MessageState] = frozenset(
    {MessageState.SENT, MessageState.BOUNCED, MessageState.FAILED, MessageState.SUPPRESSED}
)


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file sent with a message: its name, its MIME type (``type/subtype``) and its bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class MessageDraft:
    """A message to put on the queue: one sender, one recipient, its content.

    ``bulk`` marks marketing or cold mail, which gets RFC 8058 one-click unsubscribe headers.
    """

    sender: str
    recipient: str
    subject: str
    text: str
    html: str = ""
    sender_name: str = ""
    segment: str = ""
    campaign: str = ""
    bulk: bool = True
    not_before: datetime | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """A message as the queue stores it; ``message_id`` is fixed when it is queued."""

    id: int
    message_id: str
    draft: MessageDraft
    attempts: int
    created_at: datetime

    @property
    def sender_domain(self) -> str:
        """The domain of the sending mailbox."""
        return self.draft.sender.rpartition("@")[2].lower()

    @property
    def recipient_domain(self) -> str:
        """The domain of the recipient."""
        return self.draft.recipient.rpartition("@")[2].lower()


@dataclass(frozen=True, slots=True)
class Claim:
    """A batch a worker holds: until ``lease_until`` no other worker takes these messages."""

    worker: str
    messages: tuple[QueuedMessage, ...]
    lease_until: datetime
