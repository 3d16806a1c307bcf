"""Values produced by feedback parsing: the kind of message, and one record per recipient."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class FeedbackKind(StrEnum):
    """What an inbound message is, from the sender's point of view."""

    BOUNCE = "bounce"  # a delivery failure or delay report (RFC 3464 or a look-alike)
    COMPLAINT = "complaint"  # a feedback-loop report (RFC 5965 ARF or a look-alike)
    OTHER = "other"  # anything else: auto-replies, success DSNs, human mail, garbage


class Reason(StrEnum):
    """Why a recipient failed: the taxonomy documented in ``docs/feedback.md``."""

    MAILBOX_UNKNOWN = "mailbox_unknown"  # no such user, address rejected, account disabled
    MAILBOX_FULL = "mailbox_full"  # over quota
    MAILBOX_INACTIVE = "mailbox_inactive"  # account exists but is suspended or dormant
    DOMAIN_UNKNOWN = "domain_unknown"  # no MX/A, host not found, domain does not accept mail
    BLOCKED_REPUTATION = "blocked_reputation"  # IP or domain on a blocklist, poor reputation
    SPAM_CONTENT = "spam_content"  # message content judged spam or a virus
    POLICY = "policy"  # refused by a local policy not covered above (relay denied, size...)
    AUTH_FAILURE = "auth_failure"  # SPF, DKIM or DMARC failed or missing
    RATE_LIMITED = "rate_limited"  # too many messages or connections, try later
    EXPIRED = "expired"  # gave up retrying: the message stayed in the queue too long
    MESSAGE_TOO_LARGE = "message_too_large"  # size limit exceeded
    ROUTING = "routing"  # network, DNS lookup or routing problem at the receiver or on the way
    COMPLAINT = "complaint"  # the recipient reported the message (feedback loop)
    OTHER = "other"  # not recognised


@dataclass(frozen=True, slots=True)
class RecipientResult:
    """One recipient named by a report, classified.

    ``status`` is the RFC 3463 enhanced code (``"5.1.1"``), ``smtp_code`` the basic RFC 5321
    reply code when one was given (``"550"``), ``permanent`` whether retrying can help.
    """

    address: str
    status: str | None
    smtp_code: str | None
    permanent: bool
    reason: Reason
    diagnostic: str = ""
    action: str | None = None  # RFC 3464 Action: failed, delayed, delivered, relayed, expanded
    original_recipient: str | None = None
    remote_mta: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of ``mailfleet feedback parse --json``."""
        return {
            "address": self.address,
            "status": self.status,
            "smtp_code": self.smtp_code,
            "permanent": self.permanent,
            "reason": self.reason.value,
            "diagnostic": self.diagnostic,
        }


@dataclass(frozen=True, slots=True)
class FeedbackReport:
    """A parsed inbound message: its kind, its recipients and what identifies the original."""

    kind: FeedbackKind
    recipients: tuple[RecipientResult, ...] = ()
    feedback_type: str | None = None  # ARF Feedback-Type: abuse, fraud, virus, not-spam, ...
    original_message_id: str | None = None
    verp_token: str | None = None  # the token of our VERP return path, if one was found
    original_sender: str | None = None  # From of the returned original, when it came back
    source_ip: str | None = None
    reporting_agent: str | None = None  # ARF User-Agent / DSN Reporting-MTA
    arrival_date: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)  # why a message was judged as it was

    def as_dict(self, file: str) -> dict[str, object]:
        """One line of ``mailfleet feedback parse --json``."""
        return {
            "file": file,
            "kind": self.kind.value,
            "recipients": [r.as_dict() for r in self.recipients],
            "feedback_type": self.feedback_type,
        }
