"""Messages handed in through the REST API: checked against the stored fleet, then queued
in one transaction, so a batch is accepted whole or not at all."""

from __future__ import annotations

import re
from collections.abc import Sequence

from mailfleet.core.dashboard.ports import FleetReadModel
from mailfleet.core.errors import MailfleetError
from mailfleet.core.ports import Clock
from mailfleet.core.sending.attachments import attachment_problems
from mailfleet.core.sending.model import MessageDraft
from mailfleet.core.sending.ports import MessageQueue
from mailfleet.core.state import DomainState
from mailfleet.services.sending import queue_message

MAX_BATCH = 1000
_ADDRESS = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9](?:[A-Za-z0-9.\-]*[A-Za-z0-9])?\.[A-Za-z]{2,}$")
# a sender's domain in these states must not take new mail: it is held or out of rotation
_HELD = frozenset({DomainState.PAUSED.value, DomainState.ISOLATED.value})


class IntakeRefused(MailfleetError):
    """A message of the batch cannot be queued; nothing of the batch was."""


def _check(index: int, draft: MessageDraft, fleet: FleetReadModel) -> None:
    for role, address in (("sender", draft.sender), ("recipient", draft.recipient)):
        if not _ADDRESS.match(address):
            raise IntakeRefused(f"message {index}: {role} {address!r} is not an email address")
    problems = attachment_problems(draft.attachments)
    if problems:
        raise IntakeRefused(f"message {index}: {'; '.join(problems)}")
    domain = fleet.domain(draft.sender.rpartition("@")[2].lower())
    if domain is None:
        raise IntakeRefused(f"message {index}: {draft.sender} is not on a stored fleet domain")
    if domain.state in _HELD:
        raise IntakeRefused(f"message {index}: {domain.name} is {domain.state}")


def queue_batch(
    queue: MessageQueue, fleet: FleetReadModel, clock: Clock, drafts: Sequence[MessageDraft]
) -> list[int]:
    """Check every draft, then queue them; the queue ids in the order given."""
    if not drafts or len(drafts) > MAX_BATCH:
        raise IntakeRefused(f"a batch holds 1 to {MAX_BATCH} messages, not {len(drafts)}")
    for index, draft in enumerate(drafts):
        _check(index, draft, fleet)
    if len(drafts) == 1:
        return [queue_message(queue, clock, drafts[0])]
    return queue.enqueue(drafts, clock.now())  # one transaction for the whole batch
