"""Property test: damaged DMARC reports give a report or a ReportError, never another error."""

from __future__ import annotations

import gzip
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailfleet.core.feedback.dmarc_report import ReportError, read_reports

SAMPLES = Path(__file__).parents[2] / "corpus" / "feedback" / "dmarc"
SEEDS = sorted(p.read_bytes() for p in SAMPLES.glob("*.xml"))


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    """A sample report, cut, flipped or spliced, sometimes gzipped afterwards."""
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(0, 4))):
        position = draw(st.integers(0, max(len(data) - 1, 0)))
        op = draw(st.sampled_from(["cut", "flip", "splice"]))
        if op == "cut":
            del data[position:]
        elif op == "flip" and data:
            data[position] = draw(st.integers(0, 255))
        else:
            data[position:position] = draw(st.binary(max_size=32))
    raw = bytes(data)
    return gzip.compress(raw) if draw(st.booleans()) else raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_damaged_reports_never_raise_anything_but_report_error(data: bytes) -> None:
    """Every damaged input reads as reports with a domain and non-negative counts, or raises
    ReportError."""
    try:
        reports = read_reports(data)
    except ReportError:
        return
    assert reports
    for report in reports:
        assert report.domain
        assert all(row.count >= 0 for row in report.rows)
