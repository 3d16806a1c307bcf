"""Interpreting DNSBL answers (RFC 5782 section 2.3): listed, clean, or unknown.

A listing needs a documented listing code. A refusal code (Spamhaus's 127.255.255.252/254/255,
URIBL's 127.0.0.1), an answer the list does not document, an answer outside 127.0.0.0/8 (an
ISP resolver rewriting NXDOMAIN), a timeout, SERVFAIL or REFUSED all say "we do not know":
they are reported as unknown, never as listed, so that nobody delists an IP that was never on
a list or pauses a domain because a resolver was blocked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network

from mailfleet.core.reputation.zones import DnsblZone, TargetKind

LOOPBACK_NET = IPv4Network("127.0.0.0/8")
BITMASK_NET = IPv4Network("127.0.0.0/24")


class AnswerKind(StrEnum):
    """What the resolver got back for one query name."""

    ADDRESSES = "addresses"  # NOERROR with A records
    NXDOMAIN = "nxdomain"  # not listed
    NODATA = "nodata"  # NOERROR without A records
    TIMEOUT = "timeout"
    SERVFAIL = "servfail"
    REFUSED = "refused"
    ERROR = "error"  # anything else the resolver could not do


@dataclass(frozen=True, slots=True)
class DnsAnswer:
    """A resolver's outcome for one A query: the kind, the addresses, and a detail text."""

    kind: AnswerKind
    addresses: tuple[IPv4Address, ...] = ()
    detail: str = ""


class Verdict(StrEnum):
    """The outcome of one (target, zone) check."""

    LISTED = "listed"
    CLEAN = "clean"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One target checked in one zone: the verdict, the answer codes and what they mean."""

    target: str
    kind: TargetKind
    zone_key: str
    zone: str
    verdict: Verdict
    codes: tuple[str, ...] = ()
    meanings: tuple[str, ...] = ()
    reason: str = ""
    delist_url: str = ""

    def as_dict(self) -> dict[str, object]:
        """A JSON-ready form."""
        return {
            "target": self.target,
            "kind": self.kind.value,
            "zone_key": self.zone_key,
            "zone": self.zone,
            "verdict": self.verdict.value,
            "codes": list(self.codes),
            "meanings": list(self.meanings),
            "reason": self.reason,
            "delist_url": self.delist_url,
        }


def _bit_meanings(zone: DnsblZone, code: IPv4Address) -> tuple[str, ...] | None:
    """Meanings of a bitmask answer, or None when a bit is undocumented or the form is wrong."""
    if not zone.listed_bits or code not in BITMASK_NET:
        return None
    value = int(code) & 0xFF
    if value == 0:
        return None
    meanings: list[str] = []
    for bit in range(8):
        flag = 1 << bit
        if value & flag:
            if flag not in zone.listed_bits:
                return None
            meanings.append(zone.listed_bits[flag])
    return tuple(meanings)


def _classify(zone: DnsblZone, code: IPv4Address) -> tuple[Verdict, tuple[str, ...]]:
    """One answer address: a listing with its meanings, or unknown with a reason."""
    if code in zone.unknown:
        return Verdict.UNKNOWN, (zone.unknown[code],)
    if code in zone.listed:
        return Verdict.LISTED, (zone.listed[code],)
    bits = _bit_meanings(zone, code)
    if bits is not None:
        return Verdict.LISTED, bits
    if code not in LOOPBACK_NET:
        return Verdict.UNKNOWN, ("answer outside 127.0.0.0/8: the resolver rewrote the reply",)
    return Verdict.UNKNOWN, ("answer not documented by this list",)


def interpret(zone: DnsblZone, target: str, kind: TargetKind, answer: DnsAnswer) -> CheckResult:
    """Turn a resolver's answer into a verdict for ``target`` in ``zone``.

    Listed when at least one answer is a documented listing code (its meanings are kept);
    clean on NXDOMAIN; unknown for everything else, with the reason.
    """

    def result(
        verdict: Verdict, codes: Sequence[str], meanings: Sequence[str], reason: str
    ) -> CheckResult:
        return CheckResult(
            target=target,
            kind=kind,
            zone_key=zone.key,
            zone=zone.zone,
            verdict=verdict,
            codes=tuple(codes),
            meanings=tuple(meanings),
            reason=reason,
            delist_url=zone.delist_url if verdict == Verdict.LISTED else "",
        )

    if answer.kind == AnswerKind.NXDOMAIN:
        return result(Verdict.CLEAN, (), (), "")
    if answer.kind != AnswerKind.ADDRESSES or not answer.addresses:
        detail = f": {answer.detail}" if answer.detail else ""
        return result(Verdict.UNKNOWN, (), (), f"{answer.kind.value}{detail}")
    codes = tuple(sorted({str(a) for a in answer.addresses}, key=IPv4Address))
    listed: list[str] = []
    unknown: list[str] = []
    for code in codes:
        verdict, meanings = _classify(zone, IPv4Address(code))
        (listed if verdict == Verdict.LISTED else unknown).extend(meanings)
    if listed:
        return result(Verdict.LISTED, codes, listed, "; ".join(unknown))
    return result(Verdict.UNKNOWN, codes, (), "; ".join(dict.fromkeys(unknown)))
