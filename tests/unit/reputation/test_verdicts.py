"""Turning DNSBL answers into listed / clean / unknown."""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from mailfleet.core.reputation.verdict import AnswerKind, DnsAnswer, Verdict, interpret
from mailfleet.core.reputation.zones import DnsblZone, TargetKind
from mailfleet.policy.dnsbl import load_zones

ZONES = {z.key: z for z in load_zones()}


def _answer(*codes: str) -> DnsAnswer:
    return DnsAnswer(AnswerKind.ADDRESSES, tuple(IPv4Address(c) for c in codes))


def _check(
    zone: DnsblZone, answer: DnsAnswer, target: str = "192.0.2.1"
) -> tuple[Verdict, tuple[str, ...], str]:
    result = interpret(zone, target, TargetKind.IP4, answer)
    return result.verdict, result.meanings, result.reason


def test_documented_code_is_a_listing_with_its_meaning() -> None:
    """ZEN 127.0.0.4 is an XBL listing, and the delisting link comes with it."""
    result = interpret(ZONES["spamhaus-zen"], "192.0.2.1", TargetKind.IP4, _answer("127.0.0.4"))
    assert result.verdict == Verdict.LISTED
    assert result.meanings[0].startswith("XBL")
    assert result.codes == ("127.0.0.4",)
    assert result.delist_url == "https://check.spamhaus.org/"


def test_several_codes_keep_every_meaning() -> None:
    """An IP in both SBL and PBL gets both meanings."""
    verdict, meanings, _ = _check(ZONES["spamhaus-zen"], _answer("127.0.0.10", "127.0.0.2"))
    assert verdict == Verdict.LISTED
    assert [m.split(":")[0] for m in meanings] == ["SBL", "PBL"]


@pytest.mark.parametrize("code", ["127.255.255.252", "127.255.255.254", "127.255.255.255"])
def test_spamhaus_refusal_codes_are_unknown(code: str) -> None:
    """Spamhaus's refusal codes are unknown, never a listing."""
    verdict, meanings, reason = _check(ZONES["spamhaus-zen"], _answer(code))
    assert verdict == Verdict.UNKNOWN
    assert meanings == ()
    assert "refused" in reason


def test_undocumented_code_is_unknown() -> None:
    """An answer the list does not document is unknown."""
    verdict, _, reason = _check(ZONES["spamcop"], _answer("127.0.0.9"))
    assert verdict == Verdict.UNKNOWN
    assert "not documented" in reason


def test_answer_outside_loopback_is_unknown() -> None:
    """A resolver that rewrites NXDOMAIN to a web server's address does not list anybody."""
    verdict, _, reason = _check(ZONES["spamcop"], _answer("203.0.113.80"))
    assert verdict == Verdict.UNKNOWN
    assert "outside 127.0.0.0/8" in reason


def test_nxdomain_is_clean() -> None:
    """NXDOMAIN means the target is not listed."""
    verdict, _, _ = _check(ZONES["spamcop"], DnsAnswer(AnswerKind.NXDOMAIN))
    assert verdict == Verdict.CLEAN


@pytest.mark.parametrize(
    "kind", [AnswerKind.TIMEOUT, AnswerKind.SERVFAIL, AnswerKind.REFUSED, AnswerKind.NODATA]
)
def test_resolver_failures_are_unknown(kind: AnswerKind) -> None:
    """Timeouts, SERVFAIL, REFUSED and empty answers are unknown, with the cause as reason."""
    verdict, _, reason = _check(ZONES["spamcop"], DnsAnswer(kind, detail="x"))
    assert verdict == Verdict.UNKNOWN
    assert reason.startswith(kind.value)


def test_bitmask_answer_lists_every_bit() -> None:
    """SURBL 127.0.0.24 is phishing and malware at once."""
    result = interpret(ZONES["surbl"], "bad.example", TargetKind.DOMAIN, _answer("127.0.0.24"))
    assert result.verdict == Verdict.LISTED
    assert [m.split(":")[0] for m in result.meanings] == ["PH", "MW"]


def test_bitmask_refusal_and_unknown_bits() -> None:
    """URIBL's 127.0.0.1 is a refusal, and an undocumented bit is unknown."""
    assert _check(ZONES["uribl"], _answer("127.0.0.1"))[0] == Verdict.UNKNOWN
    assert _check(ZONES["uribl"], _answer("127.0.0.16"))[0] == Verdict.UNKNOWN
    assert _check(ZONES["uribl"], _answer("127.0.0.6"))[0] == Verdict.LISTED
