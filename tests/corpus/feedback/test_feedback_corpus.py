"""Corpus tests: real-world bounces and complaints, each with its expected reading.

``flufl_expected.toml`` covers the real bounces shipped with flufl.bounce (addresses and
permanence from that project's own test table); ``expected.toml`` covers messages shaped as
today's MTAs and providers send them, with status, permanence and reason as well.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.policy.rules import bounce_rules

HERE = Path(__file__).parent
MESSAGES = HERE / "messages"


def _cases() -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for name in ("flufl_expected.toml", "expected.toml"):
        path = HERE / name
        if path.exists():
            cases.extend(tomllib.loads(path.read_text("utf-8"))["case"])
    return cases


CASES = _cases()


def test_every_message_has_an_expectation() -> None:
    """Every message file in the corpus is listed in an expectation table."""
    listed = {case["file"] for case in CASES}
    files = {
        str(p.relative_to(MESSAGES))
        for p in MESSAGES.rglob("*")
        if p.is_file() and p.suffix in (".txt", ".eml")
    }
    assert files - listed == set()


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_corpus_message(case: dict[str, Any]) -> None:
    """The message parses to its expected kind, recipients, permanence, status and reason."""
    report = parse_feedback((MESSAGES / case["file"]).read_bytes(), bounce_rules())
    assert report.kind.value == case["kind"]
    got = {r.address.lower(): r for r in report.recipients}
    assert set(got) == {a.lower() for a in case["addresses"]}
    for recipient in got.values():
        if "permanent" in case:
            assert recipient.permanent is case["permanent"], recipient
        if "status" in case:
            assert recipient.status == case["status"], recipient
        if "reason" in case:
            assert recipient.reason.value == case["reason"], recipient
        if "smtp_code" in case:
            assert recipient.smtp_code == case["smtp_code"], recipient
    if "feedback_type" in case:
        assert report.feedback_type == case["feedback_type"]
