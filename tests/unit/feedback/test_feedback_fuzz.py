"""Property tests: the parser survives any mutation of real reports."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailfleet.core.feedback.model import FeedbackKind
from mailfleet.core.feedback.parse import parse_feedback
from mailfleet.policy.rules import bounce_rules

CORPUS = Path(__file__).parents[2] / "corpus" / "feedback" / "messages"
SEEDS = sorted(p.read_bytes() for p in CORPUS.rglob("*") if p.suffix in (".txt", ".eml"))
CHARSET_LIES = [b"charset=utf-8", b"charset=x-unknown-42", b'charset="', b"charset=utf-7"]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A corpus message with random damage: cuts, flips, splices, odd line ends, bad charsets."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["cut", "flip", "splice", "cr", "charset", "boundary"]))
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "cut":
            del data[position:]
        elif op == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        elif op == "splice":
            data[position:position] = draw(st.binary(max_size=64))
        elif op == "cr":
            data = bytearray(bytes(data).replace(b"\n", b"\r"))
        elif op == "charset":
            data = bytearray(bytes(data).replace(b"charset=", draw(st.sampled_from(CHARSET_LIES))))
        elif op == "boundary":
            data = bytearray(bytes(data).replace(b"boundary=", b"boundary=\x00"))
    return bytes(data)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_reports_never_crash(raw: bytes) -> None:
    """Any damaged report parses to a JSON-serialisable result with a valid kind."""
    report = parse_feedback(raw, bounce_rules())
    assert report.kind in set(FeedbackKind)
    line = json.dumps(report.as_dict("x"), ensure_ascii=False).encode("utf-8")  # no surrogates
    assert json.loads(line)["file"] == "x"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_never_crash(raw: bytes) -> None:
    """Arbitrary bytes parse to a result, never an exception."""
    report = parse_feedback(raw, bounce_rules())
    assert report.kind in set(FeedbackKind)
    json.dumps(report.as_dict("x"), ensure_ascii=False).encode("utf-8")


def test_eight_bit_headers_come_out_as_valid_utf8() -> None:
    """Raw 8-bit bytes in headers and fields never reach the output as lone surrogates."""
    raw = (
        b"From: MAILER-DAEMON@x.example\nSubject: failure notice \xff\xfe\n"
        b"X-Failed-Recipients: a\xe9b@x.example\n\n"
        b"Hi. This is the qmail-send program at x.example.\n<a\xe9b@x.example>:\n"
        b"Sorry, no mailbox here by that name. (#5.1.1) \xff\n"
    )
    report = parse_feedback(raw, bounce_rules())
    assert report.kind is FeedbackKind.BOUNCE
    json.dumps(report.as_dict("x"), ensure_ascii=False).encode("utf-8")


def test_deeply_nested_multiparts_are_survived() -> None:
    """A message nested thousands of levels deep gives kind other, not a RecursionError."""
    parts = []
    for depth in range(3000):
        parts.append(f'Content-Type: multipart/mixed; boundary="b{depth}"\n\n--b{depth}\n')
    raw = ("From: MAILER-DAEMON@x.example\nSubject: failure notice\n" + "".join(parts)).encode()
    report = parse_feedback(raw, bounce_rules())
    assert report.kind in set(FeedbackKind)
