"""Server-side SVG charts: series in, one self-contained ``<svg>`` string out.

No scripts, no outside fonts; colours come from CSS classes so the page's stylesheet themes
them. Every text is escaped. An empty chart still draws its axes and threshold lines, with a
note, so a page can show where the data will appear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from html import escape


class ChartKind(StrEnum):
    """How a series is drawn."""

    LINE = "line"
    BAR = "bar"


@dataclass(frozen=True, slots=True)
class Series:
    """Named values, one per label; ``None`` is a gap."""

    name: str
    values: tuple[float | None, ...]
    kind: ChartKind = ChartKind.LINE
    css: str = "s1"


@dataclass(frozen=True, slots=True)
class ThresholdLine:
    """A horizontal line at ``value`` (a gate or an alert level)."""

    name: str
    value: float
    css: str = "gate"


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """Size, labels and how values are printed on the axis."""

    title: str
    labels: tuple[str, ...]
    width: int = 640
    height: int = 220
    percent: bool = False
    empty_note: str = "not measured yet"


_PAD_LEFT, _PAD_RIGHT, _PAD_TOP, _PAD_BOTTOM = 56, 12, 28, 36
_TICKS = 4


def _fmt(value: float, percent: bool) -> str:
    if percent:
        return f"{value * 100:.2g} %"
    if value >= 10_000:
        return f"{value / 1000:.0f}k"
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.2g}"


def _top(series: Sequence[Series], thresholds: Sequence[ThresholdLine]) -> float:
    """The y-axis maximum: the largest value or threshold with 10 % headroom."""
    values = [v for s in series for v in s.values if v is not None]
    values += [t.value for t in thresholds]
    top = max(values, default=0.0)
    return top * 1.1 if top > 0 else 1.0


def render_chart(
    spec: ChartSpec, series: Sequence[Series], thresholds: Sequence[ThresholdLine] = ()
) -> str:
    """An SVG chart of ``series`` over ``spec.labels`` with horizontal ``thresholds``."""
    plot_w = spec.width - _PAD_LEFT - _PAD_RIGHT
    plot_h = spec.height - _PAD_TOP - _PAD_BOTTOM
    top = _top(series, thresholds)
    count = max(len(spec.labels), 1)
    step = plot_w / count

    def y(value: float) -> float:
        return _PAD_TOP + plot_h - (value / top) * plot_h

    def x(index: int) -> float:
        return _PAD_LEFT + step * index + step / 2

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {spec.width} {spec.height}" width="100%" '
        f'aria-label="{escape(spec.title)}">',
        f"<title>{escape(spec.title)}</title>",
        f'<text class="chart-title" x="{_PAD_LEFT}" y="16">{escape(spec.title)}</text>',
    ]
    for i in range(_TICKS + 1):
        value = top * i / _TICKS
        parts.append(
            f'<line class="grid" x1="{_PAD_LEFT}" x2="{spec.width - _PAD_RIGHT}" '
            f'y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
            f'<text class="tick" x="{_PAD_LEFT - 6}" y="{y(value) + 4:.1f}" '
            f'text-anchor="end">{escape(_fmt(value, spec.percent))}</text>'
        )
    every = max(1, count // 8)  # at most about eight x labels, so they never overlap
    for i, label in enumerate(spec.labels):
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{x(i):.1f}" y="{spec.height - _PAD_BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    for s in series:
        parts.extend(_draw(s, x, y, step, _PAD_TOP + plot_h))
    for t in thresholds:
        parts.append(
            f'<line class="threshold {escape(t.css)}" x1="{_PAD_LEFT}" '
            f'x2="{spec.width - _PAD_RIGHT}" y1="{y(t.value):.1f}" y2="{y(t.value):.1f}">'
            f"<title>{escape(t.name)}: {escape(_fmt(t.value, spec.percent))}</title></line>"
            f'<text class="threshold-label {escape(t.css)}" x="{spec.width - _PAD_RIGHT - 4}" '
            f'y="{y(t.value) - 4:.1f}" text-anchor="end">{escape(t.name)}</text>'
        )
    if not any(v is not None for s in series for v in s.values):
        parts.append(
            f'<text class="empty-note" x="{_PAD_LEFT + plot_w / 2:.1f}" '
            f'y="{_PAD_TOP + plot_h / 2:.1f}" text-anchor="middle">{escape(spec.empty_note)}</text>'
        )
    parts.append(_legend(series, spec))
    parts.append("</svg>")
    return "".join(parts)


def _draw(
    s: Series, x: Callable[[int], float], y: Callable[[float], float], step: float, base: float
) -> list[str]:
    """The marks of one series: bars, or line runs broken at gaps."""
    css = escape(s.css)
    if s.kind == ChartKind.BAR:
        width = step * 0.6
        return [
            f'<rect class="bar {css}" x="{x(i) - width / 2:.1f}" y="{y(v):.1f}" '
            f'width="{width:.1f}" height="{base - y(v):.1f}"/>'
            for i, v in enumerate(s.values)
            if v is not None
        ]
    runs: list[list[str]] = [[]]
    for i, v in enumerate(s.values):
        if v is None:
            runs.append([])
        else:
            runs[-1].append(f"{x(i):.1f},{y(v):.1f}")
    marks = [f'<polyline class="line {css}" points="{" ".join(r)}"/>' for r in runs if len(r) > 1]
    marks += [
        f'<circle class="dot {css}" cx="{p.split(",")[0]}" cy="{p.split(",")[1]}" r="2.5"/>'
        for r in runs
        for p in r
    ]
    return marks


def _legend(series: Sequence[Series], spec: ChartSpec) -> str:
    items = []
    for i, s in enumerate(series):
        lx = spec.width - _PAD_RIGHT - 120 * (len(series) - i)
        items.append(
            f'<rect class="swatch {escape(s.css)}" x="{lx}" y="7" width="10" height="10"/>'
            f'<text class="legend" x="{lx + 14}" y="16">{escape(s.name)}</text>'
        )
    return "".join(items)
