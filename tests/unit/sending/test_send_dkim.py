"""DKIM signatures made through OpenSSL verify with dkimpy, the reference implementation."""

from __future__ import annotations

import dkim
import pytest

from mailfleet.core.sending.dkim import (
    DkimKey,
    DkimSigner,
    Header,
    public_key_record,
    relaxed_body,
    relaxed_header,
    select_headers,
    split_message,
)

BASE_HEADERS = (
    b"From: Alice <alice@example.com>\r\n"
    b"To: bob@example.org\r\n"
    b"Subject: Hello\r\n"
    b"Date: Mon, 05 Jan 2026 09:00:00 +0000\r\n"
    b"Message-ID: <1@example.com>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
)

MESSAGES = {
    "plain": BASE_HEADERS + b"\r\nHello Bob.\r\n",
    "folded headers": (
        b"From: Alice <alice@example.com>\r\n"
        b"To: bob@example.org,\r\n\t carol@example.org\r\n"
        b"Subject:   A   subject\r\n    folded over\r\n\tthree lines  \r\n"
        b"List-Unsubscribe: <mailto:u@example.com>,\r\n <https://example.com/u/1>\r\n"
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
        b"Feedback-ID: c1:pool-a:mailfleet\r\n"
        b"Date: Mon, 05 Jan 2026 09:00:00 +0000\r\n"
        b"\r\nbody\r\n"
    ),
    "trailing whitespace": BASE_HEADERS + b"\r\nline one   \r\n\tline  two\t\r\n\r\n \r\n\r\n",
    "empty body": BASE_HEADERS + b"\r\n",
    "no body at all": BASE_HEADERS,
    "utf-8 body": BASE_HEADERS + "\r\nGrüße aus Köln — ünïcødé ✓\r\n".encode(),
    "8-bit latin-1 body": BASE_HEADERS + b"\r\ncaf\xe9 cr\xe8me\r\n",
    "bare LF line ends": BASE_HEADERS.replace(b"\r\n", b"\n") + b"\nunix\nlines\n",
    "body without final newline": BASE_HEADERS + b"\r\nlast line  ",
    "two From fields": b"From: a@example.com\r\n" + BASE_HEADERS + b"\r\nx\r\n",
}


def _dns_for(*keys: DkimKey) -> dict[bytes, bytes]:
    return {
        f"{k.selector}._domainkey.{k.domain}.".encode(): public_key_record(k).encode() for k in keys
    }


def _verify_all(signed: bytes, records: dict[bytes, bytes]) -> list[bool]:
    """Verify every DKIM-Signature field of ``signed`` with dkimpy."""

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        return records.get(name, b"")

    verifier = dkim.DKIM(signed)
    count = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    results = []
    for i in range(count):
        try:
            results.append(bool(verifier.verify(idx=i, dnsfunc=dnsfunc)))
        except dkim.DKIMException:
            results.append(False)
    return results


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_rsa_signature_verifies_with_dkimpy(name: str, rsa_key: DkimKey) -> None:
    """An RSA-SHA256 signature over each awkward message verifies with dkimpy."""
    signed = DkimSigner([rsa_key]).sign(MESSAGES[name], timestamp=1767603600)
    assert _verify_all(signed, _dns_for(rsa_key)) == [True]


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_dual_signature_both_verify(name: str, rsa_key: DkimKey, ed25519_key: DkimKey) -> None:
    """Ed25519 (RFC 8463) and RSA signatures on one message both verify with dkimpy."""
    signed = DkimSigner([ed25519_key, rsa_key]).sign(MESSAGES[name])
    assert _verify_all(signed, _dns_for(rsa_key, ed25519_key)) == [True, True]


def test_tampered_body_fails_verification(rsa_key: DkimKey) -> None:
    """Changing one body byte after signing makes dkimpy reject the signature."""
    signed = DkimSigner([rsa_key]).sign(MESSAGES["plain"])
    assert _verify_all(signed.replace(b"Hello Bob", b"Hello Rob"), _dns_for(rsa_key)) == [False]


def test_added_from_after_signing_fails(rsa_key: DkimKey) -> None:
    """Oversigning From: a second From added after signing breaks the signature."""
    signed = DkimSigner([rsa_key]).sign(MESSAGES["plain"])
    forged = signed.replace(b"Subject:", b"From: mallory@example.net\r\nSubject:", 1)
    assert _verify_all(forged, _dns_for(rsa_key)) == [False]


def test_signed_header_list_oversigns_from_and_skips_absent(rsa_key: DkimKey) -> None:
    """h= lists present headers once per instance, plus one extra From, and nothing absent."""
    headers, _ = split_message(MESSAGES["plain"])
    names, fields = select_headers(headers)
    assert names == [
        "from",
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
    ]
    assert len(fields) == 7


def test_relaxed_header_matches_rfc_example() -> None:
    """RFC 6376 §3.4.5: 'SUBJect: AbC' folded canonicalizes to 'subject:AbC'."""
    assert relaxed_header(b"SUBJect : AbC\r\n \t  def  ") == b"subject:AbC def"
    assert relaxed_header(b"A: X") == b"a:X"


def test_relaxed_body_rules() -> None:
    """Relaxed body: WSP compressed, trailing WSP and blank lines dropped, empty stays empty."""
    assert relaxed_body(b" C \r\nD \t E\r\n\r\n\r\n") == b" C\r\nD E\r\n"
    assert relaxed_body(b"") == b""
    assert relaxed_body(b"\r\n\r\n") == b""
    assert relaxed_body(b"x") == b"x\r\n"


def test_split_keeps_folding() -> None:
    """Continuation lines stay with their field, so canonicalization can unfold them."""
    headers, body = split_message(b"A: 1\r\n 2\r\nB: 3\r\n\r\nbody")
    assert headers == [Header("A", b"A: 1\r\n 2"), Header("B", b"B: 3")]
    assert body == b"body"


def test_wrong_key_type_is_refused(rsa_key: DkimKey, ed25519_key: DkimKey) -> None:
    """A PEM that does not match the declared algorithm is rejected when the signer is built."""
    mismatched = DkimKey("example.com", "x", ed25519_key.algorithm, rsa_key.private_pem)
    with pytest.raises(ValueError, match="is not"):
        DkimSigner([mismatched])
