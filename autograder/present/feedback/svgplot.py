"""Small charts as inline SVG text: line charts (learning curves) and histograms. Standard library only.

Imports nothing from autograder (nor jinja2).

No matplotlib and nothing external: the text goes straight into a self-contained HTML page. Every label is
escaped here, so callers may mark the result as safe markup. Non-finite values (a diverged ``loss: nan``)
leave a gap in the line rather than breaking the chart.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

# matplotlib's first two colours: what students see in their own plots
TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
MARK_COLOR = "#2ca02c"
BAR_COLOR = "#4c72b0"
AXIS_COLOR = "#444444"
GRID_COLOR = "#e3e3e3"
FONT = "font-family=\"sans-serif\""


@dataclass(frozen=True)
class Line:
    """One series: ``values[i]`` is plotted at x = i + 1 (epochs count from 1)."""

    label: str
    values: Sequence[float]
    color: str
    dashed: bool = False


@dataclass(frozen=True)
class Mark:
    """A vertical marker at ``x`` (an epoch, or a value on a bar chart's axis) with a short label."""

    x: float
    label: str
    color: str = MARK_COLOR


def nice_ticks(lo: float, hi: float, count: int = 5, *, integer: bool = False) -> list[float]:
    """Round tick values covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about ``count`` of them.

    Always at least two distinct ticks with ``ticks[0] <= lo`` and ``ticks[-1] >= hi``: an axis drawn from the
    first tick to the last contains every value in [lo, hi] (a loss of 0.449 never falls above a 0–0.4 axis).
    ``integer``: whole-number steps only (counts on a histogram). Non-finite bounds give [0, 1].
    """
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    lo, hi = float(min(lo, hi)), float(max(lo, hi))
    if hi / 2 - lo / 2 <= max(abs(lo), abs(hi), 1e-290) * 1e-12:  # one value (or rounding noise): a band around it
        pad = abs(lo) * 0.1 if abs(lo) >= 1e-290 else 1.0
        lo, hi = _finite_or(lo - pad, lo), _finite_or(hi + pad, hi)
    ticks = _round_ticks(lo, hi, count, integer)
    if ticks and ticks[0] <= lo and ticks[-1] >= hi and len(ticks) >= 2 and all(map(math.isfinite, ticks)):
        return ticks
    return [lo, hi]  # beyond what round steps can express (near the float limits): the data's own bounds


def _finite_or(value: float, fallback: float) -> float:
    return value if math.isfinite(value) else fallback


def _round_ticks(lo: float, hi: float, count: int, integer: bool) -> list[float]:
    """Ticks at multiples of a round step from the one at or below ``lo`` to the one at or above ``hi``."""
    span = hi / 2 - lo / 2  # halves: hi - lo may overflow
    raw = 2 * span / max(1, count)
    if not (math.isfinite(raw) and raw > 0):
        return []
    exponent = math.floor(math.log10(raw))
    step = next((m * 10.0 ** exponent for m in (1, 2, 5, 10) if m * 10.0 ** exponent >= raw), 0.0)
    if integer:
        step = float(max(1, round(step)))
    if not (math.isfinite(step) and step > 0):
        return []
    decimals = max(0, -exponent + 1)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    if not (math.isfinite(first) and math.isfinite(last)) or last - first > 50:
        return []
    ticks = [round(k * step, decimals) if decimals <= 15 else k * step for k in range(int(first), int(last) + 1)]
    for _ in range(2):  # rounding pushed a bound inside the data
        if ticks[0] > lo:
            ticks.insert(0, ticks[0] - step)
        if ticks[-1] < hi:
            ticks.append(ticks[-1] + step)
    return ticks


def _fmt(value: float) -> str:
    if abs(value) < 1e15 and value == int(value):
        return str(int(value))
    return f"{value:.6g}"


def _finite(values: Sequence[float]) -> list[float]:
    return [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]


def line_chart(lines: Sequence[Line], *, title: str, x_label: str, y_label: str, mark: Mark | None = None,
               width: int = 540, height: int = 320, css_class: str = "chart curve") -> str:
    """A line chart of per-epoch series with axes, grid, legend and an optional vertical marker."""
    left, right, top, bottom = 64, 16, 34, 72
    pw, ph = width - left - right, height - top - bottom
    n = max((len(line.values) for line in lines), default=0)
    values = [v for line in lines for v in _finite(line.values)]
    if n == 0 or not values:
        return _empty(title, width, height, css_class)
    yt = nice_ticks(min(values), max(values))
    y0, y1 = yt[0], yt[-1]
    x0, x1 = 1.0, float(max(n, 2))
    xt = [t for t in nice_ticks(1, n, 6, integer=True) if 1 <= t <= n] or [1.0]

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:  # halves: y - y0 may overflow near the float limits
        return top + ph - (y / 2 - y0 / 2) / (y1 / 2 - y0 / 2) * ph

    out = [_open(width, height, title, css_class), _title(title, width)]
    out.extend(_y_grid(yt, sy, left, pw))
    for t in xt:
        x = sx(t)
        out.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" stroke="{AXIS_COLOR}" stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{top + ph + 17}" text-anchor="middle" font-size="11" {FONT} fill="{AXIS_COLOR}">{_fmt(t)}</text>')
    out.extend(_frame(left, top, pw, ph, x_label, y_label, x_label_below=33))
    if mark is not None and 1 <= mark.x <= n:
        out.extend(_marker(sx(mark.x), top, ph, left + pw * 0.75, mark.label, mark.color))
    for line in lines:
        out.extend(_series(line, sx, sy, mark))
    out.append(_legend(lines, left, top + ph + 44))
    out.append("</svg>")
    return "".join(out)


def _series(line: Line, sx: Callable[[float], float], sy: Callable[[float], float], mark: Mark | None) -> list[str]:
    """One series: a polyline per run of finite values (a dot for a lone one), and a ring where ``mark`` falls."""
    out = []
    dash = ' stroke-dasharray="6 3"' if line.dashed else ""
    for segment in _segments(line.values):
        if len(segment) == 1:
            i, v = segment[0]
            out.append(f'<circle cx="{sx(i + 1):.1f}" cy="{sy(v):.1f}" r="2.5" fill="{line.color}"/>')
            continue
        points = " ".join(f"{sx(i + 1):.1f},{sy(v):.1f}" for i, v in segment)
        out.append(f'<polyline class="series" points="{points}" fill="none" stroke="{line.color}" stroke-width="2"'
                   f' stroke-linejoin="round"{dash}/>')
    if mark is not None and 1 <= mark.x <= len(line.values):
        v = line.values[int(mark.x) - 1]
        if isinstance(v, (int, float)) and math.isfinite(v):
            out.append(f'<circle cx="{sx(mark.x):.1f}" cy="{sy(v):.1f}" r="4" fill="white" stroke="{line.color}" stroke-width="2"/>')
    return out


def _marker(x: float, top: float, ph: float, flip_after: float, label: str, color: str) -> list[str]:
    """A dashed vertical line at ``x`` over the plot, labelled at the top (on its left once past ``flip_after``)."""
    anchor, dx = ("end", -4) if x > flip_after else ("start", 4)
    return [f'<line class="mark" x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{top + ph}" stroke="{color}" '
            f'stroke-width="1.5" stroke-dasharray="5 4"/>',
            f'<text x="{x + dx:.1f}" y="{top + 13}" text-anchor="{anchor}" font-size="11" {FONT} fill="{color}">'
            f'{escape(label)}</text>']


def _segments(values: Sequence[float]) -> list[list[tuple[int, float]]]:
    segments: list[list[tuple[int, float]]] = [[]]
    for i, v in enumerate(values):
        if isinstance(v, (int, float)) and math.isfinite(v):
            segments[-1].append((i, float(v)))
        elif segments[-1]:
            segments.append([])
    return [s for s in segments if s]


def _legend(lines: Sequence[Line], x: float, y: float) -> str:
    out = []
    for line in lines:
        dash = ' stroke-dasharray="6 3"' if line.dashed else ""
        out.append(f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + 18:.1f}" y2="{y:.1f}" stroke="{line.color}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{x + 23:.1f}" y="{y + 4:.1f}" font-size="12" {FONT} fill="{AXIS_COLOR}">{escape(line.label)}</text>')
        x += 36 + 7.5 * len(line.label)
    return "".join(out)


def histogram(counts: Sequence[int], edges: Sequence[str], *, title: str, x_label: str, y_label: str,
              mark_at: float | None = None, mark_label: str = "", width: int = 540, height: int = 300,
              css_class: str = "chart histogram") -> str:
    """Bars of ``counts`` between ``len(counts) + 1`` labelled ``edges``, each count written on its bar.

    ``mark_at`` (in bin units: 0 is the left edge, ``len(counts)`` the right) draws a vertical marker.
    """
    left, right, top, bottom = 52, 24, 34, 58
    pw, ph = width - left - right, height - top - bottom
    if not counts:
        return _empty(title, width, height, css_class)
    yt = nice_ticks(0, max(max(counts), 1), 4, integer=True)
    y1 = yt[-1]
    slot = pw / len(counts)

    def sy(y: float) -> float:
        return top + ph - y / y1 * ph

    out = [_open(width, height, title, css_class), _title(title, width)]
    out.extend(_y_grid(yt, sy, left, pw))
    for i, count in enumerate(counts):
        if count:
            x, y = left + i * slot, sy(count)
            out.append(f'<rect class="bar" x="{x + 1:.1f}" y="{y:.1f}" width="{slot - 2:.1f}" height="{top + ph - y:.1f}" '
                       f'fill="{BAR_COLOR}"/>')
            out.append(f'<text x="{x + slot / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="11" {FONT} '
                       f'fill="{AXIS_COLOR}">{count}</text>')
    every = max(1, math.ceil(len(edges) * 42 / pw))
    for i, label in enumerate(edges):
        if i % every == 0 or i == len(edges) - 1:
            x = left + i * slot
            out.append(f'<line x1="{x:.1f}" y1="{top + ph}" x2="{x:.1f}" y2="{top + ph + 4}" stroke="{AXIS_COLOR}" stroke-width="1"/>')
            out.append(f'<text x="{x:.1f}" y="{top + ph + 16}" text-anchor="middle" font-size="10" {FONT} '
                       f'fill="{AXIS_COLOR}">{escape(label)}</text>')
    out.extend(_frame(left, top, pw, ph, x_label, y_label, x_label_below=36))
    if mark_at is not None and 0 <= mark_at <= len(counts):
        out.extend(_marker(left + mark_at * slot, top, ph, left + pw * 0.75, mark_label, MARK_COLOR))
    out.append("</svg>")
    return "".join(out)


def _y_grid(ticks: Sequence[float], sy: Callable[[float], float], left: float, pw: float) -> list[str]:
    """A horizontal grid line and a label at each y tick."""
    out = []
    for t in ticks:
        y = sy(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + pw}" y2="{y:.1f}" stroke="{GRID_COLOR}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" {FONT} fill="{AXIS_COLOR}">{_fmt(t)}</text>')
    return out


def _frame(left: float, top: float, pw: float, ph: float, x_label: str, y_label: str, x_label_below: float) -> list[str]:
    """The plot's frame, the x label ``x_label_below`` under it and the y label turned along the left side."""
    return [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="{AXIS_COLOR}" stroke-width="1"/>',
            f'<text x="{left + pw / 2:.1f}" y="{top + ph + x_label_below}" text-anchor="middle" font-size="12" {FONT} '
            f'fill="{AXIS_COLOR}">{escape(x_label)}</text>',
            f'<text x="14" y="{top + ph / 2:.1f}" text-anchor="middle" font-size="12" {FONT} fill="{AXIS_COLOR}" '
            f'transform="rotate(-90 14 {top + ph / 2:.1f})">{escape(y_label)}</text>']


def _open(width: int, height: int, title: str, css_class: str) -> str:
    return (f'<svg class="{escape(css_class)}" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
            f'<rect width="{width}" height="{height}" fill="white"/>')


def _title(title: str, width: int) -> str:
    return (f'<text x="{width / 2:.1f}" y="20" text-anchor="middle" font-size="14" font-weight="bold" {FONT} fill="#222">'
            f'{escape(title)}</text>')


def _empty(title: str, width: int, height: int, css_class: str) -> str:
    return (_open(width, height, title, css_class + " empty") + _title(title, width)
            + f'<text x="{width / 2:.1f}" y="{height / 2:.1f}" text-anchor="middle" font-size="12" {FONT} fill="#888">–</text></svg>')
