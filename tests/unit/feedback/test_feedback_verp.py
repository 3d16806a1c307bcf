"""Unit tests of VERP return paths (signed message ids)."""

from __future__ import annotations

from mailfleet.core.secrets import Secret
from mailfleet.core.verp import decode_verp, encode_verp, verp_token

KEY = Secret("verp-test-key")


def test_round_trip() -> None:
    """A return path decodes to the message id it was made for."""
    address = encode_verp("msg-0001", KEY, "Bounce.Example.com")
    assert address.startswith("bounces+")
    assert address.endswith("@bounce.example.com")
    assert decode_verp(address, KEY) == "msg-0001"


def test_case_folding_mta_does_not_break_it() -> None:
    """An MTA that upper-cases the local part does not lose the message id."""
    address = encode_verp("msg-0002", KEY, "bounce.example.com")
    assert decode_verp(address.upper(), KEY) == "msg-0002"


def test_forged_or_foreign_addresses_are_ignored() -> None:
    """A token signed with another key, a tampered id or a plain address decode to None."""
    forged = encode_verp("msg-0003", Secret("attacker"), "bounce.example.com")
    assert decode_verp(forged, KEY) is None
    genuine = encode_verp("msg-0003", KEY, "bounce.example.com")
    other = encode_verp("msg-0004", KEY, "bounce.example.com")
    tampered = other.split(".")[0] + "." + genuine.split("+")[1].split(".")[1]
    assert decode_verp(tampered, KEY) is None
    assert decode_verp("alice@example.com", KEY) is None
    assert verp_token("bounces+notatoken@example.com") is None
