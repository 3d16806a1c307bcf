"""The dispatcher's decisions, on in-memory twins and a fake clock (no I/O)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.sending.memory import (
    InMemoryDkimKeys,
    InMemoryMessageQueue,
    InMemoryRelay,
    InMemorySendGate,
    InMemorySuppressions,
)
from mailfleet.core.secrets import Secret
from mailfleet.core.sending.dkim import DkimKey
from mailfleet.core.sending.model import MessageDraft, MessageState
from mailfleet.core.sending.outcomes import RecipientResult, RetryPolicy, SendOutcome
from mailfleet.services.dispatcher import Dispatcher, DispatchReport, DispatchSettings


def _setup(
    rsa_key: DkimKey, clock: FakeClock, **gate_caps: dict[str, int]
) -> tuple[Dispatcher, InMemoryMessageQueue, InMemoryRelay]:
    queue = InMemoryMessageQueue()
    relay = InMemoryRelay(
        replies={
            "busy@x.org": RecipientResult("busy@x.org", SendOutcome.DEFERRED, 451, "4.3.0", "busy"),
            "nobody@x.org": RecipientResult(
                "nobody@x.org", SendOutcome.BOUNCED, 550, "5.1.1", "no"
            ),
        }
    )
    dispatcher = Dispatcher(
        queue=queue,
        relay=relay,
        gate=InMemorySendGate(**gate_caps),
        suppressions=InMemorySuppressions({"gone@x.org"}),
        keys=InMemoryDkimKeys({"example.com": [rsa_key]}),
        clock=clock,
        settings=DispatchSettings(
            verp_key=Secret("k" * 32), retry=RetryPolicy(give_up_after_attempts=3)
        ),
        worker="w",
        unit_random=lambda: 0.5,
    )
    return dispatcher, queue, relay


def _drain(dispatcher: Dispatcher) -> DispatchReport:
    return asyncio.run(dispatcher.drain())


def _draft(recipient: str, sender: str = "a@example.com") -> MessageDraft:
    return MessageDraft(sender=sender, recipient=recipient, subject="s", text="t\n")


def test_deferred_until_given_up(rsa_key: DkimKey, clock: FakeClock) -> None:
    """A recipient that keeps deferring is retried on schedule, then failed after 3 attempts."""
    dispatcher, queue, relay = _setup(rsa_key, clock)
    queue.enqueue([_draft("busy@x.org")], clock.now())
    states = []
    for _ in range(3):
        states.append(_drain(dispatcher).states)
        clock.advance(timedelta(hours=5))
    assert states == [{"deferred": 1}, {"deferred": 1}, {"failed": 1}]
    assert len(relay.sent) == 3
    assert len({e.message_id for e in relay.sent}) == 1, "every retry keeps its Message-ID"


def test_bounce_and_suppression_never_retry(rsa_key: DkimKey, clock: FakeClock) -> None:
    """A 5xx bounces at once and a suppressed recipient is never handed to the relay."""
    dispatcher, queue, relay = _setup(rsa_key, clock)
    queue.enqueue([_draft("nobody@x.org"), _draft("gone@x.org")], clock.now())
    assert _drain(dispatcher).states == {"bounced": 1, "suppressed": 1}
    clock.advance(timedelta(days=1))
    assert _drain(dispatcher).claimed == 0
    assert [e.recipients for e in relay.sent] == [("nobody@x.org",)]
    assert [r.enhanced for r in queue.results] == ["5.1.1"]


def test_gate_hold_costs_no_attempt(rsa_key: DkimKey, clock: FakeClock) -> None:
    """Over the mailbox cap, mail waits for the next day without using up attempts."""
    dispatcher, queue, _relay = _setup(rsa_key, clock, mailbox_caps={"a@example.com": 1})
    queue.enqueue([_draft(f"u{i}@x.org") for i in range(3)], clock.now())
    assert _drain(dispatcher).states == {"sent": 1, "scheduled": 2}
    held = [row for row in queue.rows.values() if row.state is MessageState.SCHEDULED]
    assert [row.message.attempts for row in held] == [0, 0]
    clock.advance(timedelta(days=1))
    assert _drain(dispatcher).states == {"sent": 1, "scheduled": 1}
