"""VERP tokens, reply classification and the retry schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailfleet.core.sending.outcomes import (
    RetryPolicy,
    SendOutcome,
    outcome_for_code,
    result_from_reply,
)
from mailfleet.core.sending.verp import decode_verp, encode_verp

KEY = b"k" * 32
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_verp_round_trip() -> None:
    """An encoded VERP address decodes back to its message id with the same key."""
    address = encode_verp(123456, "rp.example.com", KEY)
    assert address.startswith("bounces+123456-")
    assert address.endswith("@rp.example.com")
    assert decode_verp(address, KEY) == 123456
    assert decode_verp(f"<{address.upper()}>", KEY) == 123456


@pytest.mark.parametrize(
    "address",
    [
        "bounces+123456-aaaaaaaaaaaaaaaa@rp.example.com",
        "bounces+123457-{mac}@rp.example.com",
        "other+123456-{mac}@rp.example.com",
        "bounces@rp.example.com",
        "not an address",
    ],
)
def test_verp_rejects_forged_or_foreign(address: str) -> None:
    """A wrong MAC, a changed id or a foreign local part decodes to None."""
    mac = encode_verp(123456, "rp.example.com", KEY).split("-")[1].split("@")[0]
    assert decode_verp(address.format(mac=mac), KEY) is None


def test_verp_key_matters() -> None:
    """An address made with another key does not decode."""
    assert decode_verp(encode_verp(7, "rp.example.com", b"x" * 32), KEY) is None


@pytest.mark.parametrize(
    ("code", "outcome"),
    [
        (250, SendOutcome.SENT),
        (421, SendOutcome.DEFERRED),
        (451, SendOutcome.DEFERRED),
        (550, SendOutcome.BOUNCED),
        (554, SendOutcome.BOUNCED),
        (999, SendOutcome.FAILED),
    ],
)
def test_outcome_by_reply_class(code: int, outcome: SendOutcome) -> None:
    """RFC 5321 reply classes map to sent, deferred and bounced."""
    assert outcome_for_code(code) is outcome


def test_enhanced_status_is_split_off() -> None:
    """The RFC 3463 enhanced code is taken off the front of the reply text."""
    result = result_from_reply("a@b.c", 550, "5.1.1   <a@b.c>: user\n unknown")
    assert (result.enhanced, result.text) == ("5.1.1", "<a@b.c>: user unknown")
    assert result.reply == "550 5.1.1 <a@b.c>: user unknown"
    assert result_from_reply("a@b.c", 250, "Ok queued").enhanced == ""


def test_backoff_grows_with_jitter_bounds() -> None:
    """Delays double per attempt, stay within +-20 % jitter and stop at the cap."""
    policy = RetryPolicy()
    low = [policy.next_attempt(n, NOW, 0.0) for n in (1, 2, 3)]
    high = [policy.next_attempt(n, NOW, 0.999999) for n in (1, 2, 3)]
    assert [(t - NOW).total_seconds() for t in low if t] == [240, 480, 960]
    assert [round((t - NOW).total_seconds()) for t in high if t] == [360, 720, 1440]
    capped = policy.next_attempt(11, NOW, 0.5)
    assert capped == NOW + timedelta(hours=4)


def test_backoff_honours_hint_and_gives_up() -> None:
    """A retry hint is a floor; after the last attempt there is no next one."""
    policy = RetryPolicy(give_up_after_attempts=3)
    assert policy.next_attempt(1, NOW, 0.5, hint=3600) == NOW + timedelta(hours=1)
    assert policy.next_attempt(3, NOW, 0.5) is None
