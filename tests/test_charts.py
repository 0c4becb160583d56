"""Charts whose axes always contain their data (autograder.present.feedback.svgplot): property tests over random
series, NaN, infinities and single points, and the three cases seen on real pages (loss 0.449, accuracy 0.966,
a histogram bar of 16)."""
from __future__ import annotations

import math
import re

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.present.feedback import svgplot

pytestmark = pytest.mark.timeout(120)

FINITE = st.floats(allow_nan=False, allow_infinity=False)
ANY = st.one_of(st.floats(), st.just(math.nan), st.just(math.inf), st.just(-math.inf), st.none())
PROPS = settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# the line chart's plot area (line_chart's defaults: 540 × 320, margins 64/16/34/72)
LEFT, TOP, PW, PH = 64, 34, 540 - 64 - 16, 320 - 34 - 72
# the histogram's (540 × 300, margins 52/24/34/58)
H_TOP, H_PH = 34, 300 - 34 - 58


def _assert_covers(ticks: list[float], lo: float, hi: float) -> None:
    assert len(ticks) >= 2 and all(math.isfinite(t) for t in ticks), ticks
    assert all(a < b for a, b in zip(ticks, ticks[1:], strict=False)), ticks
    assert ticks[0] <= min(lo, hi) and ticks[-1] >= max(lo, hi), (lo, hi, ticks)
    assert len(ticks) <= 60


@PROPS
@given(FINITE, FINITE, st.integers(1, 10))
def test_nice_ticks_always_contain_the_range(lo, hi, count):
    _assert_covers(svgplot.nice_ticks(lo, hi, count), lo, hi)


@PROPS
@given(st.integers(0, 10**9), st.integers(1, 8))
def test_integer_ticks_are_whole_and_contain_the_largest_count(top, count):
    ticks = svgplot.nice_ticks(0, max(top, 1), count, integer=True)
    _assert_covers(ticks, 0, max(top, 1))
    assert all(t == int(t) for t in ticks)


def test_the_cases_seen_on_real_pages():
    assert svgplot.nice_ticks(0.02, 0.449)[-1] >= 0.449  # was a 0–0.4 axis
    assert svgplot.nice_ticks(0.8, 0.966)[-1] >= 0.966  # was an axis ending at 0.95
    assert svgplot.nice_ticks(0, 16, 4, integer=True)[-1] >= 16  # was an axis ending at 15
    assert svgplot.nice_ticks(math.nan, 1) == [0.0, 1.0]


def _points(svg: str) -> list[tuple[float, float]]:
    found: list[tuple[float, float]] = []
    for points in re.findall(r'<polyline class="series" points="([^"]*)"', svg):
        found += [(float(p.split(",")[0]), float(p.split(",")[1])) for p in points.split()]
    found += [(float(x), float(y)) for x, y in re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', svg)]
    return found


@PROPS
@given(st.lists(st.lists(ANY, max_size=60), min_size=1, max_size=3))
def test_every_point_of_a_line_chart_is_inside_its_axes(series):
    lines = [svgplot.Line(f"s{i}", values, svgplot.TRAIN_COLOR) for i, values in enumerate(series)]
    svg = svgplot.line_chart(lines, title="t", x_label="x", y_label="y", mark=svgplot.Mark(1, "best"))
    assert "nan" not in svg.lower() and "inf" not in svg.lower()
    finite = [v for values in series for v in values if isinstance(v, float) and math.isfinite(v)]
    if not finite:
        assert "empty" in svg
        return
    points = _points(svg)
    assert points
    for x, y in points:
        assert LEFT - 0.05 <= x <= LEFT + PW + 0.05, (x, series)
        assert TOP - 0.05 <= y <= TOP + PH + 0.05, (y, series)


@pytest.mark.parametrize("values", [[0.449, 0.30, 0.21, 0.02], [0.80, 0.93, 0.966], [0.5], [math.nan, 0.3], [1e308, -1e308],
                                    [0.0, 5e-324], [1e-310, 1e-310], [-1.7e308, 1.79e308]])
def test_the_top_and_bottom_points_are_within_the_frame(values):
    svg = svgplot.line_chart([svgplot.Line("loss", values, svgplot.TRAIN_COLOR)], title="t", x_label="x", y_label="y")
    ys = [y for _, y in _points(svg)]
    assert ys and min(ys) >= TOP - 0.05 and max(ys) <= TOP + PH + 0.05


@PROPS
@given(st.lists(st.integers(0, 10**7), min_size=1, max_size=40))
def test_every_bar_of_a_histogram_is_inside_its_axes(counts):
    svg = svgplot.histogram(counts, [str(i) for i in range(len(counts) + 1)], title="t", x_label="x", y_label="y")
    for y, h in re.findall(r'<rect class="bar" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"', svg):
        assert float(y) >= H_TOP - 0.05 and float(h) >= 0 and float(y) + float(h) <= H_TOP + H_PH + 0.05
    labels = [float(v) for v in re.findall(r'text-anchor="end" font-size="11" [^>]*>([^<]+)</text>', svg)]
    assert max(labels) >= max(counts)


def test_a_bar_of_16_gets_an_axis_above_16():
    svg = svgplot.histogram([3, 16, 2], ["0", "1", "2", "3"], title="t", x_label="x", y_label="y")
    labels = [float(v) for v in re.findall(r'text-anchor="end" font-size="11" [^>]*>([^<]+)</text>', svg)]
    assert max(labels) >= 16
