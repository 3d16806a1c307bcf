"""RFC 7505 null MX values survive canonicalisation."""

from __future__ import annotations

import pytest

from mailfleet.core.dns.records import InvalidRecord, Record, RecordType


def test_null_mx_is_canonical() -> None:
    """``0 .`` is kept as ``0 .``; an empty exchange is still refused."""
    assert Record.of("null.test", RecordType.MX, 60, ["0  ."]).values == ("0 .",)
    with pytest.raises(InvalidRecord):
        Record.of("null.test", RecordType.MX, 60, ["0 "])
