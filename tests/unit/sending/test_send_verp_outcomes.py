"""Reply classification and the retry schedule (VERP is tested with mailfleet.core.verp)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mailfleet.core.sending.outcomes import (
    RetryPolicy,
    SendOutcome,
    outcome_for_code,
    result_from_reply,
)

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


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
