"""Integrity rules 7–9: a training log must look like one run. Repeated epoch rows, epochs whose step counters
disagree, and a learning-curve figure whose traced lines show a different run than the logs. Judging layer: pure
functions of ``Evidence``; standard library and ``autograder.model`` only (the figure's lines were traced by
``autograder.read.figures``; a figure without traced lines is not judged).
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

from autograder.judge.integrity.common import tampered
from autograder.model.evidence import Evidence, Fit, History, LineTrace
from autograder.model.keras import FIT_METHODS
from autograder.model.results import Flag

__all__ = ["FIGURE_TOL", "VERTEX_TOL", "epoch_steps", "figure_vs_log", "knot_error", "repeated_epochs", "vertices"]

FIGURE_TOL = 0.06  # RMS of a line's best affine fit to a logged series, as a share of the line's height
VERTEX_TOL = 2.0  # px: a traced line and the polyline through its vertices (anti-aliasing, joins, run centres)
_MIN_SPAN = 12.0  # a line flatter than this (pixels) has no shape to compare
_MIN_LEARNING = 0.05  # a run whose loss moves less than this is stuck (honest repeated rows at chance level)


# ------------------------------------------------------------------ rule 7: repeated epoch rows

def _rows(f: Fit) -> list[tuple[tuple[str, ...], str] | int | None]:
    """Each epoch's row as ``_repeat`` compares it (equal rows: every metric equal at 4 decimals): None with fewer
    than two metrics or a NaN; the epoch's index when no other epoch prints its loss (no other row equals it); else
    its metric names sorted and its values in that order at 4 decimals, joined by ``;`` (which no formatted number
    holds). Each layout of names is sorted once."""
    losses = [f"{e['loss']:.4f}" if "loss" in e else None for e in f.epochs]
    counts = Counter(losses)
    layouts: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {}
    rows: list[tuple[tuple[str, ...], str] | int | None] = []
    for i, (metrics, loss) in enumerate(zip(f.epochs, losses, strict=True)):
        if len(metrics) < 2 or any(map(math.isnan, metrics.values())):
            rows.append(None)
        elif loss is not None and counts[loss] == 1:
            rows.append(i)
        else:
            names = tuple(metrics)
            layout = layouts.get(names)
            if layout is None:
                ordered = tuple(sorted(names))
                layout = layouts[names] = ordered, ";".join(["{:.4f}"] * len(ordered))
            ordered, template = layout
            rows.append((ordered, template.format(*[metrics[k] for k in ordered])))
    return rows


def _repeat(f: Fit) -> tuple[int, int, int] | None:
    """(first epoch, later epoch, length) of a block of ≥ 2 consecutive epoch rows printed again later in the run."""
    losses = f.series("loss")
    if len(f.epochs) < 4 or not losses or max(losses) - min(losses) < _MIN_LEARNING:
        return None
    if len({f"{v:.4f}" for v in losses}) == len(losses) == len(f.epochs):
        return None  # every epoch prints another loss: no two rows are equal, so no block repeats (the usual case)
    rows = _rows(f)
    seen: dict[tuple[object, object], int] = {}  # rows are compared at different indices only
    for i in range(len(rows) - 1):
        block = (rows[i], rows[i + 1])
        if None in block or rows[i] == rows[i + 1]:
            continue
        if block in seen and seen[block] + 1 < i:
            j = seen[block]
            n = 2
            while i + n < len(rows) and rows[j + n] == rows[i + n] and j + n < i:
                n += 1
            return j + 1, i + 1, n
        seen.setdefault(block, i)
    return None


def repeated_epochs(ev: Evidence) -> list[Flag]:
    """The same consecutive epoch rows (every metric at 4 decimals) twice in one run: a log pasted and renumbered."""
    flags = []
    for f in ev.fits:
        found = _repeat(f)
        if found is None:
            continue
        a, b, n = found
        flags.append(tampered(f"学習ログ（セル {f.cell}）のエポック {a}〜{a + n - 1} とエポック {b}〜{b + n - 1} の値が、"
                              "すべての指標で小数第 4 位まで同じです。学習中の値が同じ並びで繰り返されることはまずなく、"
                              "ログの一部が複製・貼り付けされている可能性があります。",
                              f"in the training log (cell {f.cell}) epochs {a}–{a + n - 1} and epochs {b}–{b + n - 1} show "
                              "the same values for every metric to 4 decimals. A training run practically never repeats "
                              "its values in the same order, so part of the log may have been copied and pasted.", [f.cell]))
    return flags


# ------------------------------------------------------------------ rule 8: step counters of one run

def epoch_steps(ev: Evidence) -> list[Flag]:
    """Every epoch of one run shows the same step counter (``750/750``); a log stitched from runs does not."""
    flags = []
    for f in ev.fits:
        totals = [t for t in f.epoch_steps if t is not None]
        if len(set(totals)) < 2:
            continue
        first = totals[0]
        e = next(i for i, t in enumerate(f.epoch_steps, 1) if t is not None and t != first)
        other = f.epoch_steps[e - 1]
        flags.append(tampered(f"学習ログ（セル {f.cell}）の進捗カウンタが、最初は「{first}/{first}」なのにエポック {e} では"
                              f"「{other}/{other}」です。1 回の学習ではエポックごとのステップ数は同じなので、"
                              "別の学習のログがつなぎ合わされている可能性があります。",
                              f"the progress counter of the training log (cell {f.cell}) is '{first}/{first}' at first but "
                              f"'{other}/{other}' at epoch {e}. Every epoch of one training run has the same number of steps, "
                              "so logs of different runs may have been joined.", [f.cell]))
    return flags


# ------------------------------------------------------------------ rule 9: the learning-curve figure vs the logs

def _fit_error(profile: Sequence[float], series: Sequence[float]) -> float:
    """RMS (share of the line's height) of the best fit ``y = a·value + b`` (a < 0: up is larger) of the series,
    linearly interpolated over the line's columns, to the traced profile."""
    n = len(profile)
    pred = [series[j] + (series[j + 1] - series[j]) * w for j, w in _columns(n, len(series))]
    mp, my = sum(pred) / n, sum(profile) / n
    sxx = sum([(p - mp) ** 2 for p in pred])
    sxy = sum([(p - mp) * (y - my) for p, y in zip(pred, profile, strict=True)])
    a = sxy / sxx if sxx > 0 else 0.0
    if a >= 0:
        a = 0.0
    res = [y - my - a * (p - mp) for p, y in zip(pred, profile, strict=True)]
    height = max(profile) - min(profile)
    return math.sqrt(sum([r * r for r in res]) / n) / height


@lru_cache(maxsize=64)  # (n, m) pairs of a batch: line widths and epoch counts
def _columns(n: int, m: int) -> tuple[tuple[int, float], ...]:
    """Where each of ``n`` columns falls on a series of ``m`` values: (j, t − j) at t = k/(n−1)·(m−1), the value
    interpolated between j and j + 1. The same for every series of a run and every line of a width: made once."""
    out = []
    for k in range(n):
        t = k / (n - 1) * (m - 1)
        j = min(int(t), m - 2)
        out.append((j, t - j))
    return tuple(out)


def knot_error(profile: Sequence[float], k: int, tol: float = math.inf) -> float:
    """The largest distance (px) between the traced profile and the polyline through its values at ``k`` equally
    spaced columns (the vertices of a line of ``k`` epochs); stops early above ``tol``."""
    n = len(profile)
    knots = [profile[round(i * (n - 1) / (k - 1))] for i in range(k)]
    worst = 0.0
    for x in range(n):
        t = x / (n - 1) * (k - 1)
        j = min(int(t), k - 2)
        worst = max(worst, abs(knots[j] + (knots[j + 1] - knots[j]) * (t - j) - profile[x]))
        if worst > tol:
            break
    return worst


def vertices(line: LineTrace, tol: float = VERTEX_TOL, most: int = 80) -> int | None:
    """The fewest equally spaced points through which a polyline reproduces the traced line (within ``tol`` px): the
    number of epochs the line shows, at most; None above ``most``."""
    p = line.profile
    for k in range(2, min(most, len(p) // 3) + 1):
        if knot_error(p, k, tol) <= tol:
            return k
    return None


def _confirmed(lines: Sequence[LineTrace]) -> list[LineTrace]:
    """Lines with a shape whose full extent another line of the figure confirms (two lines of one axes share it),
    as wide as the widest line but a fifth (a line cut by a legend box or a crossing is a shorter piece)."""
    out = []
    widest = max((line.x1 - line.x0 for line in lines), default=0)
    for line in lines:
        if line.x1 - line.x0 < 0.8 * widest and line.profile:
            continue  # a shorter piece: most lines, known without the span (an empty profile still raises below)
        if max(line.profile) - min(line.profile) < _MIN_SPAN or line.x1 - line.x0 < 0.8 * widest:
            continue
        if any(o is not line and abs(o.x0 - line.x0) <= 3 and abs(o.x1 - line.x1) <= 3 for o in lines):
            out.append(line)
    return out


_Logged = tuple[int | None, int, Fit | History]  # (cell, epochs, the fit log or printed history)


def _logged(ev: Evidence, cell: int) -> list[_Logged]:
    """(cell, epochs, record) of each logged run at or before the figure's cell: fit logs and printed histories."""
    runs: list[_Logged] = []
    for f in ev.fits:
        if f.cell is not None and f.cell <= cell and f.epochs_run >= 2:
            runs.append((f.cell, f.epochs_run, f))
    for h in ev.histories:
        if h.values and h.cell is not None and h.cell <= cell and (h.epochs or 0) >= 2:
            runs.append((h.cell, h.epochs or 0, h))
    return runs


def _runs(ev: Evidence, cell: int) -> list[tuple[int | None, int, list[list[float]]]]:
    """(cell, epochs, series) of each logged run at or before the figure's cell: fit logs and printed histories."""
    return _with_series(_logged(ev, cell))


def _with_series(records: list[_Logged]) -> list[tuple[int | None, int, list[list[float]]]]:
    return [(c, n, _series(run)) for c, n, run in records]


def _series(run: Fit | History) -> list[list[float]]:
    """Every metric's values in one run, in the order of the metrics."""
    if isinstance(run, Fit):
        return [run.series(k) for k in run.metrics]
    return [list(v) for v in (run.values or {}).values()]


def figure_vs_log(ev: Evidence) -> list[Flag]:
    """Every traced line of a learning-curve figure is one of the logged series (its shape over its whole width)."""
    flags = []
    for g in ev.figures:
        if g.cell is None or not g.learning_curve or not g.lines:
            continue
        records = _logged(ev, g.cell)  # their series are read only for a figure with a confirmed line
        fit_calls = [c for c in ev.code.calls if c.method in FIT_METHODS and c.cell is not None and c.cell <= g.cell]
        logged = {f.cell for f in ev.fits} | {h.cell for h in ev.histories if h.values}
        if not records or len(fit_calls) > len({c for c, _, _ in records}) or len(logged) < len({c.cell for c in fit_calls}):
            continue  # a run that printed nothing (verbose=0) may be the one plotted
        confirmed = _confirmed(g.lines)
        runs = _with_series(records) if confirmed else []
        for line in confirmed:
            best = min((_fit_error(line.profile, s) for _, _, series in runs for s in series if len(s) >= 2),
                       default=0.0)
            if best <= FIGURE_TOL:
                continue  # its shape is a logged series (the vertex count is evidence in the message only: the
                # polyline through a logged run's epochs is off an honest trace by up to 6.4 px in the corpus)
            flags.append(_figure_flag(g.cell, line, runs, best))
            break
    return flags


def _figure_flag(cell: int, line: LineTrace, runs: list[tuple[int | None, int, list[list[float]]]], error: float) -> Flag:
    k = vertices(line)
    shape_ja = f"折れ線の頂点は約 {k} 個（約 {k} エポック分）" if k else "形"
    shape_en = f"its polyline has about {k} vertices (about {k} epochs)" if k else "its shape"
    logs_ja = "、".join(f"セル {c}: {n} エポック" for c, n, _ in runs)
    logs_en = ", ".join(f"cell {c}: {n} epochs" for c, n, _ in runs)
    return tampered(f"学習曲線の図（セル {cell}）の線（色 {line.colour}、横 {line.x1 - line.x0 + 1} ピクセル）は、"
                    f"どの学習ログ・history（{logs_ja}）の値の形とも一致しません（{shape_ja}、最も近い記録とのずれ "
                    f"{error:.0%}）。図が別の学習のものか、ログが編集されている可能性があります。",
                    f"a line of the learning-curve figure (cell {cell}, colour {line.colour}, "
                    f"{line.x1 - line.x0 + 1} pixels wide) matches the shape of no logged run or history ({logs_en}): "
                    f"{shape_en}, and it is {error:.0%} off the closest record. The figure may come from another run, "
                    "or the log may have been edited.", [cell] + [c for c, _, _ in runs])
