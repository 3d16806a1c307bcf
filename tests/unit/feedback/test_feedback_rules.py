"""Unit tests of the bounce rules table and its loader."""

from __future__ import annotations

import pytest

from mailfleet.core.errors import ConfigError
from mailfleet.core.feedback.classify import classify
from mailfleet.core.feedback.model import Reason
from mailfleet.core.feedback.rules import rules_from_mapping
from mailfleet.policy.rules import bounce_rules


def test_shipped_rules_load_and_cover_the_taxonomy() -> None:
    """The shipped table loads, and every failure reason of the taxonomy has a rule."""
    rules = bounce_rules()
    reasons = {r.reason for r in rules.text} | {r.reason for r in rules.status.values()}
    expected = set(Reason) - {Reason.OTHER, Reason.COMPLAINT}
    assert expected <= reasons


def test_loader_reports_every_problem_at_once() -> None:
    """A broken table names each bad entry in one error."""
    data = {
        "status": [{"code": "x", "reason": "mailbox_unknown"}],
        "text": [{"reason": "nonsense", "patterns": ["("]}],
    }
    with pytest.raises(ConfigError) as caught:
        rules_from_mapping(data, "broken.toml")
    message = str(caught.value)
    assert "status[0]" in message
    assert "unknown reason 'nonsense'" in message
    assert "invalid regular expression" in message


def test_text_rules_apply_in_declared_order() -> None:
    """The first matching text rule wins."""
    data = {
        "text": [
            {"reason": "mailbox_full", "patterns": ["full"]},
            {"reason": "policy", "patterns": ["full|denied"]},
        ]
    }
    rules = rules_from_mapping(data, "t.toml")
    assert classify(rules, diagnostic="mailbox full").reason is Reason.MAILBOX_FULL
    assert classify(rules, diagnostic="access denied").reason is Reason.POLICY
