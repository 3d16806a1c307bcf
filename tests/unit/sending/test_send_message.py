"""Message building: headers, encodings, one-click unsubscribe, rotation, the memory gate."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta

import pytest

from mailfleet.adapters.sending.memory import InMemorySendGate
from mailfleet.core.sending.message import (
    BuildContext,
    build_message,
    feedback_id,
    least_used,
    new_message_id,
    rotate,
)
from mailfleet.core.sending.model import MessageDraft, QueuedMessage
from mailfleet.core.sending.ports import GateRequest

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CONTEXT = BuildContext(
    now=NOW,
    unsubscribe_mailto="unsub+42@example.com",
    unsubscribe_url="https://example.com/u/42",
)


def _queued(**changes: object) -> QueuedMessage:
    fields: dict[str, object] = {
        "sender": "alice@example.com",
        "recipient": "bob@example.org",
        "subject": "Hello",
        "text": "Hi Bob\nhow are you?\n",
        "segment": "pool-a",
        "campaign": "spring",
    }
    fields.update(changes)
    draft = MessageDraft(**fields)  # type: ignore[arg-type]
    return QueuedMessage(42, new_message_id("abc", "example.com"), draft, 0, NOW)


def _parse(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, email.message.EmailMessage)
    return message


def test_bulk_message_has_rfc8058_headers() -> None:
    """Bulk mail carries List-Unsubscribe (mailto + https), One-Click and a Feedback-ID."""
    parsed = _parse(build_message(_queued(), CONTEXT))
    assert parsed["List-Unsubscribe"] == (
        "<mailto:unsub+42@example.com?subject=unsubscribe>, <https://example.com/u/42>"
    )
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert parsed["Feedback-ID"] == "spring:pool-a:example.com:mailfleet"
    assert parsed["Message-ID"] == "<abc@example.com>"
    assert parsed["Date"].datetime == NOW
    assert parsed.get_content() == "Hi Bob\r\nhow are you?\r\n"


def test_transactional_message_has_no_unsubscribe() -> None:
    """Mail not marked bulk gets neither List-Unsubscribe nor Feedback-ID."""
    parsed = _parse(build_message(_queued(bulk=False), CONTEXT))
    assert parsed["List-Unsubscribe"] is None
    assert parsed["Feedback-ID"] is None


def test_one_click_needs_https() -> None:
    """Without an https URI there is no List-Unsubscribe-Post (RFC 8058 §3.1)."""
    context = BuildContext(now=NOW, unsubscribe_mailto="u@example.com")
    parsed = _parse(build_message(_queued(), context))
    assert parsed["List-Unsubscribe"] == "<mailto:u@example.com?subject=unsubscribe>"
    assert parsed["List-Unsubscribe-Post"] is None


def test_unicode_subject_name_and_body_round_trip() -> None:
    """Non-ASCII subject, display name and bodies survive encoding, and the bytes are ASCII."""
    raw = build_message(
        _queued(subject="Grüße ✓", sender_name="Zoë", text="café\n", html="<p>naïve</p>"),
        CONTEXT,
    )
    raw.decode("ascii")
    parsed = _parse(raw)
    assert parsed["Subject"] == "Grüße ✓"
    assert parsed["From"].addresses[0].display_name == "Zoë"
    assert parsed.get_content_type() == "multipart/alternative"
    parts = [p.get_content() for p in parsed.iter_parts()]  # type: ignore[attr-defined]
    assert [p.replace("\r\n", "\n") for p in parts] == ["café\n", "<p>naïve</p>"]


def test_same_queued_message_same_message_id() -> None:
    """Building twice (a resend) keeps the Message-ID fixed at enqueue time."""
    message = _queued()
    first = _parse(build_message(message, CONTEXT))
    later = BuildContext(now=NOW + timedelta(hours=1))
    assert _parse(build_message(message, later))["Message-ID"] == first["Message-ID"]


def test_feedback_id_strips_colons() -> None:
    """Colons inside a field would shift Gmail's Feedback-ID fields, so they are replaced."""
    assert feedback_id(_queued(campaign="a:b", segment=""), "mf") == "a-b:none:example.com:mf"


def test_rotate_interleaves_domains() -> None:
    """Round-robin alternates domains before reusing a mailbox."""
    senders = ["a@one.com", "b@one.com", "c@two.com"]
    assert rotate(senders, 5) == ["a@one.com", "c@two.com", "b@one.com", "a@one.com", "c@two.com"]


def test_least_used_picks_lowest_then_first() -> None:
    """The least-used sender wins; ties go to the earliest."""
    senders = ["a@x.com", "b@x.com", "c@y.com"]
    assert least_used(senders, {"a@x.com": 3, "b@x.com": 1, "c@y.com": 1}) == "b@x.com"
    with pytest.raises(ValueError, match="no sender"):
        least_used([], {})


def test_memory_gate_caps_per_day() -> None:
    """The in-memory gate allows the cap, then waits until the next UTC midnight."""
    gate = InMemorySendGate(mailbox_caps={"a@x.com": 2})
    request = GateRequest("x.com", "a@x.com", "gmail.com")
    assert [gate.acquire(request, NOW).allowed for _ in range(3)] == [True, True, False]
    waiting = gate.acquire(request, NOW)
    assert waiting.retry_at == datetime(2026, 1, 6, tzinfo=UTC)
    assert "mailbox a@x.com" in waiting.reason
    assert gate.acquire(request, NOW + timedelta(days=1)).allowed


def test_long_lines_are_wrapped() -> None:
    """An ASCII body with a 3,000-character line goes quoted-printable, no line over 998."""
    raw = build_message(_queued(text="y" * 3000 + "\n"), CONTEXT)
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert _parse(raw).get_content().replace("\r\n", "\n") == "y" * 3000 + "\n"
