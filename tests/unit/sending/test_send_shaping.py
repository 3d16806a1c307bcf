"""Provider-aware shaping: the shipped policy, provider recognition, backoff and recovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mailfleet.adapters.sending.policy_files import load_shaping
from mailfleet.core.errors import ConfigError
from mailfleet.core.sending.outcomes import RecipientResult, SendOutcome, result_from_reply
from mailfleet.core.sending.shaping import BackoffAction, ShapingState

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
POLICY = load_shaping()


@pytest.mark.parametrize(
    ("domain", "mx", "provider"),
    [
        ("acme.com", ["aspmx.l.google.com."], "gmail"),
        ("gmail.com", [], "gmail"),
        ("contoso.com", ["contoso-com.mail.protection.outlook.com"], "microsoft"),
        ("yahoo.com", ["mta5.am0.yahoodns.net"], "yahoo"),
        ("icloud.com", [], "apple"),
        ("example.org", ["mx.example.org"], "default"),
        ("notgoogle.com", ["mx.evilgoogle.com"], "default"),
    ],
)
def test_provider_by_mx_suffix_or_domain(domain: str, mx: list[str], provider: str) -> None:
    """MX suffixes (on a label boundary) and well-known domains name the provider."""
    assert POLICY.provider_for(domain, mx) == provider


@pytest.mark.parametrize(
    ("provider", "code", "text", "action", "minutes"),
    [
        ("gmail", 421, "4.7.28 Our system has detected an unusual rate", "suspend", 60),
        (
            "microsoft",
            451,
            "4.7.650 The mail server has been temporarily rate limited",
            "suspend",
            60,
        ),
        ("yahoo", 421, "4.7.0 [TS01] Messages from 1.2.3.4 temporarily deferred", "throttle", 30),
        ("yahoo", 421, "4.7.0 [TS03] All messages from 1.2.3.4 will be deferred", "suspend", 240),
        ("apple", 421, "4.7.0 try later", "throttle", 15),
    ],
)
def test_deferral_patterns_match_rules(
    provider: str, code: int, text: str, action: str, minutes: int
) -> None:
    """Each provider's known deferral replies pick their rule; others fall to the default."""
    rule = POLICY.rule_for(provider, result_from_reply("x@y.z", code, text))
    assert rule is not None
    assert (rule.action.value, rule.minutes) == (action, minutes)


def test_unmatched_deferral_changes_nothing() -> None:
    """A deferral no rule knows (452 mailbox full) starts no backoff."""
    state = ShapingState()
    result = result_from_reply("x@gmail.com", 452, "4.2.2 mailbox full")
    assert state.record(POLICY, "gmail", "acme.com", result, NOW) is None
    assert state.rate(POLICY, "gmail", "acme.com", NOW) == 1200


def test_suspension_is_per_domain_and_recovers() -> None:
    """Gmail 4.7.28 suspends Gmail for that sending domain only, until the time runs out."""
    state = ShapingState()
    result = RecipientResult("x@gmail.com", SendOutcome.DEFERRED, 421, "4.7.28", "unusual rate")
    backoff = state.record(POLICY, "gmail", "acme.com", result, NOW)
    assert backoff is not None
    assert backoff.action is BackoffAction.SUSPEND
    assert state.suspended_until("gmail", "acme.com", NOW) == NOW + timedelta(hours=1)
    assert state.suspended_until("gmail", "other.com", NOW) is None
    assert state.suspended_until("yahoo", "acme.com", NOW) is None
    assert state.rate(POLICY, "gmail", "acme.com", NOW) == 0
    assert state.suspended_until("gmail", "acme.com", NOW + timedelta(minutes=61)) is None


def test_throttle_scales_rate_and_longer_backoff_wins() -> None:
    """TS01 quarters Yahoo's rate; a later TS03 turns it into a longer suspension."""
    state = ShapingState()
    ts01 = result_from_reply("x@yahoo.com", 421, "4.7.0 [TS01] deferred")
    state.record(POLICY, "yahoo", "acme.com", ts01, NOW)
    assert state.rate(POLICY, "yahoo", "acme.com", NOW) == 75
    ts03 = result_from_reply("x@yahoo.com", 421, "4.7.0 [TS03] deferred")
    state.record(POLICY, "yahoo", "acme.com", ts03, NOW)
    assert state.suspended_until("yahoo", "acme.com", NOW) == NOW + timedelta(hours=4)


def test_broken_policy_file_names_itself(tmp_path: Path) -> None:
    """A policy without a default section is a ConfigError naming the file."""
    path = tmp_path / "shaping.yaml"
    path.write_text("providers: {}\n")
    with pytest.raises(ConfigError, match=r"shaping\.yaml: shaping policy: a 'default'"):
        load_shaping(path)


def test_ip_scoped_rule_backs_off_the_ip_for_every_domain() -> None:
    """Microsoft's 4.7.650 is about the sending IP: every domain sending from that IP is
    suspended for Microsoft, domains on other IPs are not; without an IP it falls back to the
    sending domain."""
    state = ShapingState()
    reply = result_from_reply("x@outlook.com", 451, "4.7.650 rate limited due to IP reputation")
    state.record(POLICY, "microsoft", "acme.com", reply, NOW, ip="192.0.2.1")
    assert state.suspended_until("microsoft", "other.com", NOW, ip="192.0.2.1") is not None
    assert state.suspended_until("microsoft", "other.com", NOW, ip="192.0.2.2") is None
    assert state.suspended_until("microsoft", "acme.com", NOW) is None
    state.record(POLICY, "microsoft", "solo.com", reply, NOW)
    assert state.suspended_until("microsoft", "solo.com", NOW, ip="192.0.2.9") is not None


def test_suspension_outranks_a_longer_throttle() -> None:
    """A domain throttled for long and its IP suspended for less: the suspension holds."""
    state = ShapingState()
    ts01 = result_from_reply("x@yahoo.com", 421, "4.7.0 [TS01] deferred")
    state.record(POLICY, "yahoo", "acme.com", ts01, NOW)  # throttle 30 min, IP unknown: domain
    ts02 = result_from_reply("x@yahoo.com", 421, "4.7.0 [TS02] deferred")
    state.record(POLICY, "yahoo", "other.com", ts02, NOW, ip="192.0.2.1")  # suspend 60 min
    until = state.suspended_until("yahoo", "acme.com", NOW, ip="192.0.2.1")
    assert until == NOW + timedelta(minutes=60)


def test_shipped_policy_bounds_connections() -> None:
    """The shipped policy bounds each sending IP and each provider's connections."""
    assert POLICY.ip_connections == 50
    assert POLICY.shape("yahoo").connections == 5
    assert POLICY.shape("unknown").connections == POLICY.default.connections


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sending_ip: {connections: many}\ndefault: {}\n", "whole number"),
        ("sending_ip: {connections: -1}\ndefault: {}\n", "must not be negative"),
        ("sending_ip: [1]\ndefault: {}\n", "'sending_ip' must be a mapping"),
        ("default: {connections: 0}\n", "connections must be >= 1"),
        (
            "default: {rules: [{code: 421, action: suspend, minutes: 5, scope: planet}]}\n",
            "'planet' is not a valid BackoffScope",
        ),
    ],
)
def test_bad_connection_and_scope_settings_are_named(
    tmp_path: Path, text: str, message: str
) -> None:
    """Malformed bounds and scopes are ConfigErrors naming the file and the problem."""
    path = tmp_path / "shaping.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_shaping(path)
