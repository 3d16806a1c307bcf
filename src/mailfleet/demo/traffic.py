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
    label = plan.domain.split(".")[0]
    # Unknown recipients are scattered through the day's list at golden-ratio steps (no
    # pattern to line up with the providers' mix), from a different start each day.
    bad: set[int] = set()
    step = 0.6180339887498949
    position = (day_index * step) % 1.0
    while len(bad) < unknown:
        position = (position + step) % 1.0
        bad.add(math.floor(position * plan.count))
    drafts: list[MessageDraft] = []
    for n, recipient_domain in enumerate(interleave(providers, plan.count)):
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
    return drafts


def interleave(providers: Sequence[tuple[str, float]], count: int) -> list[str]:
    """``count`` recipient domains in an even mix by market share (largest remainder first):
    a list's addresses at each provider are spread through it, not in blocks."""
    total = sum(share for _, share in providers) or 1.0
    given = [0] * len(providers)
    order: list[str] = []
    for n in range(count):
        owed = [share / total * (n + 1) - given[i] for i, (_, share) in enumerate(providers)]
        pick = max(range(len(providers)), key=owed.__getitem__)
        given[pick] += 1
        order.append(providers[pick][0])
    return order


def _body(domain: str, n: int) -> str:
    return (
        f"Hello,\n\nThis is message {n} of today's demo campaign from {domain}.\n"
        "It was queued, signed with DKIM, paced by the warmup plan and delivered over SMTP\n"
        "to a local MX server, exactly as mailfleet sends real mail.\n\n-- Acme\n"
    )
