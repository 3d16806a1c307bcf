"""Ingesting reports: events stored, hard bounces and complaints suppressed at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from mailfleet.adapters.clock import FakeClock
from mailfleet.adapters.feedback.memory import InMemoryFeedbackStore, InMemorySentMessages
from mailfleet.core.feedback.events import EventKind
from mailfleet.core.feedback.ports import SentMessage
from mailfleet.core.secrets import Secret
from mailfleet.core.verp import encode_verp
from mailfleet.policy.rules import suppression_policy
from mailfleet.services.feedback_ingest import ingest_batch, ingest_message
from mailfleet.services.suppression import domain_rates

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"
KEY = Secret("ingest-test-key")


def _store() -> InMemoryFeedbackStore:
    return InMemoryFeedbackStore(suppression_policy().hard_reasons)


def _read(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def test_hard_bounce_is_suppressed_at_once(clock: FakeClock) -> None:
    """A 5.1.1 bounce stores one bounce event and suppresses the address globally."""
    store = _store()
    result = ingest_message(_read("mta/gmail_no_such_user.eml"), store=store, clock=clock)
    assert [e.kind for e in result.events] == [EventKind.BOUNCE]
    assert result.events[0].sending_domain == "sender.example"
    assert [s.address for s in result.suppressed] == ["kim.lee@gmail.com"]
    assert store.find_suppression("kim.lee@gmail.com", "sender.example", clock.now()) is not None


def test_complaint_is_suppressed_at_once(clock: FakeClock) -> None:
    """An ARF abuse report suppresses the complaining recipient."""
    store = _store()
    result = ingest_message(_read("complaint/yahoo_arf.eml"), store=store, clock=clock)
    assert [(e.kind, e.reason) for e in result.events] == [(EventKind.COMPLAINT, "abuse")]
    assert [s.reason for s in result.suppressed] == ["complaint"]


def test_reputation_block_and_delay_never_suppress(clock: FakeClock) -> None:
    """A blocklist refusal describes the sender, a delay is not final: nobody is suppressed."""
    store = _store()
    for name in ("mta/outlook_blocklist.eml", "mta/postfix_delayed.eml"):
        result = ingest_message(_read(name), store=store, clock=clock)
        assert result.events
        assert not result.suppressed
    assert [e.kind for e in store.events] == [EventKind.BOUNCE, EventKind.DEFERRAL]


def test_soft_bounces_suppress_after_the_threshold_within_the_window(clock: FakeClock) -> None:
    """Mailbox-full bounces suppress on the third within seven days, for thirty days."""
    store = _store()
    raw = _read("mta/mailgun_bounce.eml")
    assert not ingest_message(raw, store=store, clock=clock).suppressed
    clock.advance(timedelta(days=8))  # the first one leaves the window
    assert not ingest_message(raw, store=store, clock=clock).suppressed
    clock.advance(timedelta(days=1))
    assert not ingest_message(raw, store=store, clock=clock).suppressed
    clock.advance(timedelta(days=1))
    [entry] = ingest_message(raw, store=store, clock=clock).suppressed
    assert entry.expires_at == clock.now() + timedelta(days=30)


def test_auto_reply_changes_nothing(clock: FakeClock) -> None:
    """An out-of-office reply stores no event."""
    store = _store()
    result = ingest_message(_read("other/outlook_ooo.eml"), store=store, clock=clock)
    assert result.ignored
    assert not store.events


def _verp_bounce(return_path: str) -> bytes:
    template = _read("mta/postfix_user_unknown.eml").decode()
    old = "bounces+mfsxgzdgmjzhe.abcdefghijklmnop@bounce.mailfleet.example"
    return template.replace(old, return_path).encode()


def test_verp_ties_the_event_to_the_sent_message(clock: FakeClock) -> None:
    """A signed VERP return path names the message, its mailbox and sending domain."""
    store = _store()
    sent = SentMessage(
        "m-42",
        "jane.doe@recipient.example",
        "bob@news.example.com",
        "news.example.com",
        "203.0.113.5",
    )
    raw = _verp_bounce(encode_verp("m-42", KEY, "bounce.mailfleet.example"))
    result = ingest_message(
        raw, store=store, clock=clock, verp_key=KEY, lookup=InMemorySentMessages([sent])
    )
    [event] = result.events
    assert (event.message_id, event.mailbox, event.sending_domain, event.ip) == (
        "m-42",
        "bob@news.example.com",
        "news.example.com",
        "203.0.113.5",
    )


def test_forged_verp_bounce_is_ignored(clock: FakeClock) -> None:
    """A bounce to a VERP address signed with another key changes nothing."""
    store = _store()
    raw = _verp_bounce(encode_verp("m-42", Secret("forger"), "bounce.mailfleet.example"))
    result = ingest_message(raw, store=store, clock=clock, verp_key=KEY)
    assert result.ignored == "forged VERP token"
    assert not store.events
    assert not store.suppressions()


def test_domain_rates_read_the_events(clock: FakeClock) -> None:
    """Rolling rates divide bounces and complaints by what was sent."""
    store = _store()
    ingest_message(_read("mta/gmail_no_such_user.eml"), store=store, clock=clock)
    rates = domain_rates(store, clock, "sender.example", sent=50)
    assert rates.bounce_rate == 1 / 50
    assert rates.complaint_rate == 0.0


def test_batch_ingest_matches_one_message_at_a_time(clock: FakeClock) -> None:
    """ingest_batch stores the same events and makes the same suppressions as single ingests,
    soft bounces earlier in the batch counting towards the threshold."""
    names = [
        "mta/gmail_no_such_user.eml",
        "complaint/yahoo_arf.eml",
        "mta/mailgun_bounce.eml",
        "mta/mailgun_bounce.eml",
        "mta/postfix_delayed.eml",
        "mta/gmail_no_such_user.eml",
        "mta/mailgun_bounce.eml",
    ]
    single, batched = _store(), _store()
    one_by_one = [ingest_message(_read(n), store=single, clock=clock) for n in names]
    together = ingest_batch([_read(n) for n in names], store=batched, clock=clock)
    assert [r.events for r in together] == [r.events for r in one_by_one]
    assert [r.suppressed for r in together] == [r.suppressed for r in one_by_one]
    assert [r.ignored for r in together] == [r.ignored for r in one_by_one]
    assert batched.suppressions() == single.suppressions()
    assert together[-1].suppressed  # the third mailbox-full bounce
