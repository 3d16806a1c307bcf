"""DKIM key records and DMARC records (RFC 6376, RFC 8463, RFC 9989)."""

from __future__ import annotations

from mailfleet.core.dns.dkim import KeyAlgorithm, dkim_txt, parse_dkim_txt
from mailfleet.core.dns.dmarc import DmarcPolicy, DmarcRecord, parse_dmarc
from mailfleet.core.dns.extras import mta_sts_policy, mta_sts_txt
from mailfleet.services.dkim_keys import generate_private_pem, public_key_b64


def test_rsa_key_record_round_trips_and_is_2048_bits() -> None:
    """A generated RSA key publishes as v=DKIM1; k=rsa; p=... and parses back to the same key."""
    algorithm, public, bits = public_key_b64(generate_private_pem(KeyAlgorithm.RSA))
    parsed = parse_dkim_txt(dkim_txt(algorithm, public))
    assert (parsed.algorithm, parsed.public_key_b64, bits) == (KeyAlgorithm.RSA, public, 2048)
    assert len(dkim_txt(algorithm, public)) > 255  # so it needs several TXT strings


def test_ed25519_key_record_is_the_raw_key() -> None:
    """RFC 8463: the p= of an ed25519 key is its 32 raw bytes, base64 (44 characters)."""
    algorithm, public, _ = public_key_b64(generate_private_pem(KeyAlgorithm.ED25519))
    assert algorithm is KeyAlgorithm.ED25519
    assert len(public) == 44


def test_dmarc_render_has_no_removed_tags_and_parses() -> None:
    """The built record has p=none, rua and alignment, np where it differs, and no pct."""
    record = DmarcRecord(
        DmarcPolicy.NONE, rua=("mailto:d@example.test",), nonexistent_policy=DmarcPolicy.REJECT
    ).render()
    assert record == "v=DMARC1; p=none; np=reject; rua=mailto:d@example.test; adkim=r; aspf=r"
    assert "pct" not in record
    assert parse_dmarc(record).valid


def test_dmarc_parser_flags_removed_and_bad_tags() -> None:
    """pct and ri (removed by RFC 9989), bad policies and non-mailto rua are all reported."""
    parsed = parse_dmarc("v=DMARC1; p=block; pct=50; ri=3600; rua=https://x.test")
    assert not parsed.valid
    assert len(parsed.problems) == 4


def test_mta_sts_id_follows_the_policy_text() -> None:
    """The _mta-sts id changes exactly when the policy text changes (RFC 8461 3.1)."""
    one = mta_sts_policy(["mx1.example.test."])
    two = mta_sts_policy(["mx1.example.test.", "mx2.example.test."])
    assert "mx: mx1.example.test\r\n" in one
    assert mta_sts_txt(one) == mta_sts_txt(mta_sts_policy(["mx1.example.test"]))
    assert mta_sts_txt(one) != mta_sts_txt(two)
