"""Server-side SVG charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from mailfleet.core.charts import ChartKind, ChartSpec, Series, ThresholdLine, render_chart

NS = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check its shape


def test_chart_is_well_formed_svg_with_title() -> None:
    """The output parses as XML and carries an accessible title."""
    svg = render_chart(ChartSpec("Volume", ("a", "b")), [Series("sent", (1.0, 2.0))])
    root = _parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.find(f"{NS}title") is not None
    assert root.find(f"{NS}title").text == "Volume"  # type: ignore[union-attr]


def test_threshold_line_sits_proportionally_on_the_axis() -> None:
    """A threshold at half the top value is drawn halfway up the plot area."""
    spec = ChartSpec("Rates", ("d1", "d2"), width=400, height=200, percent=True)
    svg = render_chart(spec, [Series("bounce", (0.0, 0.0))], [ThresholdLine("gate", 0.05)])
    root = _parse(svg)
    line = next(e for e in root.iter(f"{NS}line") if "threshold" in e.get("class", ""))
    # plot area: top 28, bottom 200-36=164 -> height 136; axis top = 0.05 * 1.1
    expected = 28 + 136 - (0.05 / (0.05 * 1.1)) * 136
    assert abs(float(line.get("y1", "0")) - expected) < 0.1


def test_line_series_breaks_at_gaps() -> None:
    """A ``None`` splits a line into separate polylines; no point is drawn for the gap."""
    svg = render_chart(
        ChartSpec("x", ("1", "2", "3", "4", "5")), [Series("s", (1.0, 2.0, None, 3.0, 4.0))]
    )
    root = _parse(svg)
    polylines = list(root.iter(f"{NS}polyline"))
    assert len(polylines) == 2
    assert len(list(root.iter(f"{NS}circle"))) == 4


def test_bars_have_heights_proportional_to_values() -> None:
    """A bar twice as tall as another stands for twice the value."""
    svg = render_chart(ChartSpec("x", ("a", "b")), [Series("s", (10.0, 20.0), ChartKind.BAR)])
    heights = [
        float(r.get("height", "0"))
        for r in _parse(svg).iter(f"{NS}rect")
        if "bar" in r.get("class", "")
    ]
    assert len(heights) == 2
    assert abs(heights[1] - 2 * heights[0]) < 0.2


def test_empty_chart_says_so_and_still_draws_thresholds() -> None:
    """With no values, the chart shows its empty note and the threshold lines."""
    svg = render_chart(
        ChartSpec("Rates", ("a",), empty_note="not measured yet"),
        [Series("bounce", (None,))],
        [ThresholdLine("gate", 0.02)],
    )
    assert "not measured yet" in svg
    assert 'class="threshold gate"' in svg


def test_labels_and_names_are_escaped() -> None:
    """Text from data cannot inject markup into the page."""
    svg = render_chart(
        ChartSpec("<script>", ("<b>",)), [Series("a&b", (1.0,))], [ThresholdLine('"x"', 0.5)]
    )
    assert "<script>" not in svg
    assert "<b>" not in svg
    assert "a&amp;b" in svg
    _parse(svg)


def test_x_labels_are_thinned_for_long_series() -> None:
    """Ninety days of labels are thinned to about eight, so they never overlap."""
    labels = tuple(f"d{i}" for i in range(90))
    svg = render_chart(ChartSpec("x", labels), [Series("s", tuple(float(i) for i in range(90)))])
    shown = re.findall(r'text-anchor="middle">(d\d+)<', svg)
    assert 6 <= len(shown) <= 10
