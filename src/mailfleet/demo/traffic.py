"""The demo's mail: each day's messages, addressed to the world's recipients.

Every domain queues exactly its warmup cap for the day. Recipients are spread over the world's
providers by their share of the market, and a fraction of them, the list's bounce rate, are
addresses nobody owns (``gone.*``), which the world's MX servers bounce. Fractions are taken
with carried remainders, not random draws, so a run is repeatable to the message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.warmup.schedule import split_fairly

UNKNOWN_PREFIX = "gone."


def is_known(address: str) -> bool:
    """Whether the world has a mailbox for ``address``: every address but the ``gone.`` ones."""
    return not address.lower().startswith(UNKNOWN_PREFIX)


@dataclass
class Carry:
    """Remainders carried from day to day, per sending domain."""

    unknown: dict[str, float] = field(default_factory=dict)

    def take(self, domain: str, expected: float) -> int:
        """The whole part of what is owed, keeping the fraction for the next day."""
        total = self.unknown.get(domain, 0.0) + expected
        whole = math.floor(total)
        self.unknown[domain] = total - whole
        return whole


@dataclass(frozen=True, slots=True)
class DomainDay:
    """What one domain sends on one demo day."""

    domain: str
    segment: str
    senders: Sequence[str]
    display_names: Mapping[str, str]
    count: int
    bounce_rate: float


def day_drafts(
    plan: DomainDay,
    day_index: int,
    providers: Sequence[tuple[str, float]],
    carry: Carry,
) -> list[MessageDraft]:
    """``plan.count`` drafts from the domain's mailboxes in turn, to recipients at the
    world's ``providers`` (recipient domain, market share)."""
    if plan.count <= 0 or not plan.senders:
        return []
    unknown = min(plan.count, carry.take(plan.domain, plan.count * plan.bounce_rate))
    shares = split_fairly(plan.count, [share for _, share in providers])
    label = plan.domain.split(".")[0]
    # Unknown recipients are spread through the day's list, not bunched at its end.
    bad = {math.floor(i * plan.count / unknown) for i in range(unknown)} if unknown else set()
    drafts: list[MessageDraft] = []
    n = 0
    for (recipient_domain, _), share in zip(providers, shares, strict=True):
        for _ in range(share):
            local = f"{UNKNOWN_PREFIX if n in bad else ''}{label}.d{day_index:02}.{n:05}"
            sender = plan.senders[n % len(plan.senders)]
            drafts.append(
                MessageDraft(
                    sender=sender,
                    recipient=f"{local}@{recipient_domain}",
                    subject=f"{plan.display_names.get(sender, 'Acme')}: a note for you",
                    text=_body(plan.domain, n),
                    sender_name=plan.display_names.get(sender, ""),
                    segment=plan.segment,
                    campaign=f"demo-day-{day_index:02}",
                    bulk=plan.segment not in ("transactional", "monitoring"),
                )
            )
            n += 1
    return drafts


def _body(domain: str, n: int) -> str:
    return (
        f"Hello,\n\nThis is message {n} of today's demo campaign from {domain}.\n"
        "It was queued, signed with DKIM, paced by the warmup plan and delivered over SMTP\n"
        "to a local MX server, exactly as mailfleet sends real mail.\n\n-- Acme\n"
    )
