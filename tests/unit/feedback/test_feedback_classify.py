"""Unit tests of the bounce classifier over single diagnostics."""

from __future__ import annotations

import pytest

from mailfleet.core.feedback.classify import classify, find_smtp_code, find_status
from mailfleet.core.feedback.model import Reason
from mailfleet.policy.rules import bounce_rules

CASES = [
    # (diagnostic, dsn status, action, status, smtp code, permanent, reason)
    (
        "550-5.1.1 The email account that you tried to reach does not exist.",
        None,
        "failed",
        "5.1.1",
        "550",
        True,
        Reason.MAILBOX_UNKNOWN,
    ),
    (
        "550 Requested action not taken: mailbox unavailable",
        None,
        "failed",
        "5.0.0",
        "550",
        True,
        Reason.MAILBOX_UNKNOWN,
    ),
    (
        "452-4.2.2 The email account that you tried to reach is over quota.",
        "4.2.2",
        "delayed",
        "4.2.2",
        "452",
        False,
        Reason.MAILBOX_FULL,
    ),
    (
        "550 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
        "5.7.1",
        "failed",
        "5.7.1",
        "550",
        True,
        Reason.BLOCKED_REPUTATION,
    ),
    (
        "550 5.7.26 This mail has been blocked because the sender is unauthenticated.",
        "5.0.0",
        "failed",
        "5.7.26",
        "550",
        True,
        Reason.AUTH_FAILURE,
    ),
    (
        "554 5.7.1 Message rejected as spam by Content Filtering.",
        None,
        "failed",
        "5.7.1",
        "554",
        True,
        Reason.SPAM_CONTENT,
    ),
    (
        "421 4.7.28 Our system has detected an unusual rate of unsolicited mail",
        None,
        "delayed",
        "4.7.28",
        "421",
        False,
        Reason.BLOCKED_REPUTATION,
    ),
    (
        "Host or domain name not found. Name service error for name=nx.example type=A",
        "5.4.4",
        "failed",
        "5.4.4",
        None,
        True,
        Reason.DOMAIN_UNKNOWN,
    ),
    (
        "connect to mx.example.com[192.0.2.7]:25: Connection timed out",
        "4.4.1",
        "failed",
        "4.4.1",
        None,
        True,
        Reason.EXPIRED,
    ),
    (
        "Sorry, no mailbox here by that name. (#5.1.1)",
        None,
        None,
        "5.1.1",
        None,
        True,
        Reason.MAILBOX_UNKNOWN,
    ),
    (
        "450 4.2.1 The user you are trying to contact is receiving mail at a rate that prevents "
        "additional messages from being delivered.",
        None,
        "delayed",
        "4.2.1",
        "450",
        False,
        Reason.RATE_LIMITED,
    ),
    (
        "552 5.3.4 Message size exceeds fixed maximum message size",
        None,
        "failed",
        "5.3.4",
        "552",
        True,
        Reason.MESSAGE_TOO_LARGE,
    ),
    ("something nobody has ever written", "5.0.0", "failed", "5.0.0", None, True, Reason.OTHER),
]


@pytest.mark.parametrize(
    ("diagnostic", "dsn_status", "action", "status", "code", "permanent", "reason"), CASES
)
def test_classify_table(
    diagnostic: str,
    dsn_status: str | None,
    action: str | None,
    status: str,
    code: str | None,
    permanent: bool,
    reason: Reason,
) -> None:
    """Each diagnostic gets the status, SMTP code, permanence and reason a postmaster would give."""
    verdict = classify(bounce_rules(), diagnostic=diagnostic, status=dsn_status, action=action)
    assert (verdict.status, verdict.smtp_code, verdict.permanent, verdict.reason) == (
        status,
        code,
        permanent,
        reason,
    )


def test_status_found_in_text_ignores_ip_addresses() -> None:
    """An IP address such as 5.1.1.4 is not read as an enhanced status code."""
    assert find_status("host 5.1.1.4 said: 550 5.2.2 mailbox full") == "5.2.2"
    assert find_status("relay 45.1.1.9 refused") is None


def test_smtp_code_found_in_text() -> None:
    """A multi-line reply's basic code is recovered, a queue number is not."""
    assert find_smtp_code("said: 554-5.7.1 blocked") == "554"
    assert find_smtp_code("queue id #4501 deferred") is None


def test_delayed_action_is_transient_even_with_class_5_text() -> None:
    """RFC 3464 Action: delayed means not (yet) a failure, whatever the text says."""
    verdict = classify(bounce_rules(), diagnostic="550 5.1.1 user unknown", action="delayed")
    assert verdict.permanent is False


def test_bare_smtp_code_maps_to_generic_enhanced_code() -> None:
    """A reply with only a basic code gets the class's generic enhanced code."""
    verdict = classify(bounce_rules(), diagnostic="554 go away", action="failed")
    assert verdict.status == "5.0.0"
    assert verdict.smtp_code == "554"


def test_two_recipients_keep_their_own_replies() -> None:
    """In a multi-recipient prose bounce each address gets the reply that follows it."""
    from pathlib import Path

    from mailfleet.core.feedback.parse import parse_feedback

    raw = (
        Path(__file__).parents[2] / "corpus/feedback/messages/mta/exim_two_recipients.eml"
    ).read_bytes()
    report = parse_feedback(raw, bounce_rules())
    reasons = {r.address: (r.status, r.reason) for r in report.recipients}
    assert reasons == {
        "a1@one.example": ("5.1.1", Reason.MAILBOX_UNKNOWN),
        "b2@two.example": ("5.2.2", Reason.MAILBOX_FULL),
    }


PROVIDER_REPLIES = [
    ("550 5.4.1 Recipient address rejected: Access denied. AS(201806281)", Reason.MAILBOX_UNKNOWN),
    (
        "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.",
        Reason.BLOCKED_REPUTATION,
    ),
    (
        "554 5.7.1 resimta-ch2-18v.sys.comcast.net Comcast block for spam. BL000000",
        Reason.BLOCKED_REPUTATION,
    ),
    (
        "552-5.7.0 This message was blocked because its content presents a potential security "
        "issue.",
        Reason.SPAM_CONTENT,
    ),
    (
        "550 5.7.515 Access denied, sending domain example.com doesn't meet the required "
        "authentication level.",
        Reason.AUTH_FAILURE,
    ),
    (
        "550 5.7.509 Access denied, sending domain example.com does not pass DMARC verification",
        Reason.AUTH_FAILURE,
    ),
    ("553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", Reason.POLICY),
    (
        "550 Message was not accepted -- invalid mailbox. Local mailbox x@mail.ru is unavailable: "
        "account is disabled",
        Reason.MAILBOX_INACTIVE,
    ),
    ("550 5.7.1 No such user!", Reason.MAILBOX_UNKNOWN),
    ("554 5.4.14 Hop count exceeded - possible mail loop ATTR34", Reason.ROUTING),
    ("452 4.5.3 Too many recipients", Reason.RATE_LIMITED),
    (
        "421-4.7.0 This message is suspicious due to the very low reputation of the sending domain",
        Reason.BLOCKED_REPUTATION,
    ),
    ("550 5.7.350 Remote server returned message detected as spam", Reason.SPAM_CONTENT),
    ("550 Administrative prohibition", Reason.POLICY),
]


@pytest.mark.parametrize(("diagnostic", "reason"), PROVIDER_REPLIES)
def test_provider_replies(diagnostic: str, reason: Reason) -> None:
    """Replies documented by large receivers get the reason their postmaster pages give."""
    assert classify(bounce_rules(), diagnostic=diagnostic, action="failed").reason is reason
