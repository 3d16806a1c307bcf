"""Record values: canonical names and values, TXT splitting and quoting."""

from __future__ import annotations

import pytest

from mailfleet.core.dns.records import (
    InvalidRecord,
    Record,
    RecordType,
    normalize_name,
    quote_txt,
    txt_chunks,
    unquote_txt,
)


def test_names_are_lowercase_a_labels_without_dot() -> None:
    """IDNA names become A-labels; case and the trailing dot are normalized away."""
    assert normalize_name("Bücher.Example.") == "xn--bcher-kva.example"
    assert normalize_name("_dmarc.Example.COM") == "_dmarc.example.com"


@pytest.mark.parametrize("bad", ["", "a..b", "x" * 64 + ".example", ("a" * 60 + ".") * 5])
def test_invalid_names_are_refused(bad: str) -> None:
    """Empty labels, 64-byte labels and names over 253 bytes raise InvalidRecord."""
    with pytest.raises(InvalidRecord):
        normalize_name(bad)


def test_long_txt_is_split_into_255_byte_strings_and_rejoins() -> None:
    """A 600-byte value is split into 255/255/90-byte strings that join back unchanged."""
    value = "v=DKIM1; k=rsa; p=" + "A" * 582
    chunks = txt_chunks(value)
    assert [len(c) for c in chunks] == [255, 255, 90]
    assert "".join(chunks) == value
    assert unquote_txt(quote_txt(value)) == value


def test_quoting_escapes_quotes_and_backslashes() -> None:
    """Quotes and backslashes survive a quote/unquote round trip."""
    value = 'say "hi" \\ there'
    assert unquote_txt(quote_txt(value)) == value


def test_record_values_are_canonical_and_sorted() -> None:
    """MX exchanges get their trailing dot and lowercase; IPv6 is compressed; values sorted."""
    mx = Record.of(
        "Example.test", RecordType.MX, 300, ["20 MX2.Example.net", "10 mx1.example.net."]
    )
    assert mx.values == ("10 mx1.example.net.", "20 mx2.example.net.")
    aaaa = Record.of("h.example.test", RecordType.AAAA, 300, ["2001:0db8:0:0::1"])
    assert aaaa.values == ("2001:db8::1",)


def test_record_errors_name_the_record() -> None:
    """A bad value raises an error that names the record and its type."""
    with pytest.raises(InvalidRecord, match=r"example\.test MX"):
        Record.of("example.test", RecordType.MX, 300, ["mx.example.net"])
    with pytest.raises(InvalidRecord, match="TXT value is longer"):
        Record.of("example.test", RecordType.TXT, 300, ["x" * 5000])
    with pytest.raises(InvalidRecord, match="exactly one target"):
        Record.of("a.example.test", RecordType.CNAME, 300, ["b.test", "c.test"])
