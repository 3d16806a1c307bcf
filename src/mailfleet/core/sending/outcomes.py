"""What happened to a recipient when a relay tried to deliver, and what to do next.

Replies are classified by their basic code (RFC 5321 §4.2.1) and enhanced status (RFC 3463):
2xx sent, 4xx deferred, 5xx bounced. A relay that cannot be reached at all is deferred, not
bounced: the recipient did nothing wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class SendOutcome(StrEnum):
    """The fate of one recipient after one attempt."""

    SENT = "sent"
    DEFERRED = "deferred"
    BOUNCED = "bounced"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class RecipientResult:
    """One recipient's outcome with the reply that decided it.

    ``retry_after`` is a hint from the relay (an HTTP ``Retry-After``, a shaping rule) in
    seconds; the retry schedule never goes below it.
    """

    recipient: str
    outcome: SendOutcome
    code: int | None = None
    enhanced: str = ""
    text: str = ""
    retry_after: float | None = None

    @property
    def reply(self) -> str:
        """The reply as one line, e.g. ``550 5.1.1 no such user``."""
        parts = [str(self.code) if self.code is not None else "", self.enhanced, self.text]
        return " ".join(p for p in parts if p)


def outcome_for_code(code: int) -> SendOutcome:
    """RFC 5321 §4.2.1: 2yz done, 4yz try again later, 5yz do not repeat."""
    if 200 <= code < 300:
        return SendOutcome.SENT
    if 400 <= code < 500:
        return SendOutcome.DEFERRED
    if 500 <= code < 600:
        return SendOutcome.BOUNCED
    return SendOutcome.FAILED


def split_enhanced(text: str) -> tuple[str, str]:
    """Take an RFC 3463 enhanced status (``5.1.1``) off the front of a reply text."""
    head, _, rest = text.strip().partition(" ")
    pieces = head.split(".")
    if len(pieces) == 3 and pieces[0] in ("2", "4", "5") and all(p.isdigit() for p in pieces):
        return head, rest.strip()
    return "", text.strip()


def result_from_reply(recipient: str, code: int, message: str) -> RecipientResult:
    """A ``RecipientResult`` from an SMTP reply code and its text."""
    enhanced, text = split_enhanced(" ".join(message.split()))
    return RecipientResult(recipient, outcome_for_code(code), code, enhanced, text)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter, and when to give up (RFC 5321 §4.5.4.1: days)."""

    first_delay: timedelta = timedelta(minutes=5)
    max_delay: timedelta = timedelta(hours=4)
    give_up_after_attempts: int = 12
    jitter: float = 0.2  # +-20 %, so that deferred mail does not come back as one wave

    def next_attempt(
        self, attempts: int, now: datetime, unit_random: float, hint: float | None = None
    ) -> datetime | None:
        """When to try again after ``attempts`` tries, or ``None`` to give up.

        ``unit_random`` is a number in [0, 1) from the caller (kept out of the core so tests
        are exact); ``hint`` is a lower bound in seconds.
        """
        if attempts >= self.give_up_after_attempts:
            return None
        base = min(
            self.first_delay.total_seconds() * 2 ** max(attempts - 1, 0),
            self.max_delay.total_seconds(),
        )
        delay = base * (1 - self.jitter + 2 * self.jitter * unit_random)
        if hint is not None:
            delay = max(delay, hint)
        return now + timedelta(seconds=delay)
