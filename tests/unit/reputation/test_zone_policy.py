"""The shipped DNSBL zone list and its validation."""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from mailfleet.core.errors import ConfigError
from mailfleet.core.reputation.zones import TargetKind
from mailfleet.policy.dnsbl import load_zones


def test_shipped_list_has_the_major_live_lists() -> None:
    """The shipped list covers the main IP and domain lists, and no SORBS zone."""
    zones = {z.key: z for z in load_zones()}
    for key in ("spamhaus-zen", "spamcop", "barracuda", "uceprotect-l1", "psbl", "mailspike"):
        assert zones[key].covers(TargetKind.IP4)
    for key in ("spamhaus-dbl", "surbl", "uribl"):
        assert zones[key].kinds == frozenset({TargetKind.DOMAIN})
    assert not any("sorbs" in z.zone for z in zones.values())
    assert all(z.delist_url.startswith("https://") for z in zones.values())


def test_spamhaus_codes_keep_their_meanings() -> None:
    """ZEN and DBL codes carry their documented meanings; refusal codes are unknown."""
    zones = {z.key: z for z in load_zones()}
    zen, dbl = zones["spamhaus-zen"], zones["spamhaus-dbl"]
    assert zen.listed[IPv4Address("127.0.0.2")].startswith("SBL")
    assert zen.listed[IPv4Address("127.0.0.3")].startswith("SBL CSS")
    assert all(zen.listed[IPv4Address(f"127.0.0.{n}")].startswith("XBL") for n in range(4, 8))
    assert zen.listed[IPv4Address("127.0.0.9")].startswith("SBL DROP")
    assert zen.listed[IPv4Address("127.0.0.11")].startswith("PBL")
    for zone in (zen, dbl):
        for code in ("127.255.255.252", "127.255.255.254", "127.255.255.255"):
            assert IPv4Address(code) in zone.unknown
            assert IPv4Address(code) not in zone.listed
    assert all(str(code).startswith("127.0.1.") for code in dbl.listed)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "zones.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_zone_file_reports_every_reason(tmp_path: Path) -> None:
    """A bad zone file names the file and every problem at once."""
    path = _write(
        tmp_path,
        """
zones:
  - key: bad
    zone: "not a zone"
    kinds: [ip4]
    delist_url: ftp://example.org
    listed: {192.0.2.1: "outside loopback"}
  - key: bits
    zone: bits.example.org
    kinds: [domain]
    delist_url: https://example.org
    listed_bits: {3: "two bits"}
""",
    )
    with pytest.raises(ConfigError) as info:
        load_zones(path)
    message = str(info.value)
    assert str(path) in message
    assert "not a DNS zone name" in message
    assert "127.0.0.0/8" in message
    assert "single bits" in message
    assert "delist_url" in message


def test_closed_list_is_refused(tmp_path: Path) -> None:
    """A SORBS zone in a custom list is refused: the list closed in 2024."""
    path = _write(
        tmp_path,
        """
zones:
  - key: sorbs
    zone: dnsbl.sorbs.net
    kinds: [ip4]
    delist_url: https://example.org
    listed: {127.0.0.2: "listed"}
""",
    )
    with pytest.raises(ConfigError, match="closed list"):
        load_zones(path)


def test_code_both_listed_and_unknown_is_refused(tmp_path: Path) -> None:
    """An answer cannot mean both 'listed' and 'unknown'."""
    path = _write(
        tmp_path,
        """
zones:
  - key: twice
    zone: twice.example.org
    kinds: [ip4]
    delist_url: https://example.org
    listed: {127.0.0.2: "listed"}
    unknown: {127.0.0.2: "refused"}
""",
    )
    with pytest.raises(ConfigError, match="both listed and unknown"):
        load_zones(path)


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    """Two zones with the same key are refused."""
    entry = """
  - key: same
    zone: {zone}
    kinds: [ip4]
    delist_url: https://example.org
    listed: {{127.0.0.2: "listed"}}
"""
    path = _write(
        tmp_path, "zones:" + entry.format(zone="a.example") + entry.format(zone="b.example")
    )
    with pytest.raises(ConfigError, match="each key may appear once"):
        load_zones(path)
