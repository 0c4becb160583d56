"""The cheaper judging of collusion fingerprints (``autograder/judge/collusion/prints.py``), of the repeated-epochs
and figure-vs-log rules (``autograder/judge/integrity/figure_rules.py``) and of the ``history`` check
(``autograder/judge/checks/history.py``) gives exactly what the code it replaced gave: the same ``Prints`` (keys,
runs, curves, to the repr: key order, -0.0 and NaN included), the same repeated blocks, the same flags and outcomes
(or the same exception), on the evidence of the real corpus (../shared/corpus/real and tests/data/real), of generated
submissions (every assignment, several seeds and output styles, the class-like batch of benchmarks/generate.py with
real-size figures) and of hypothesis-made epochs and figures (NaN, ±0.0, values at the 1e-3 boundary where Keras
switches to ``%.4e``, tiny and huge values, infinities, the metric name variants ``acc``/``accuracy``/``val_acc``,
names holding format braces, shuffled key orders, runs that repeat rows so that blocks are found, traced lines of
one axes with and without a shape, empty profiles).

The reference functions below are the code before the change, kept verbatim apart from their ``_ref_`` names: the
new code sorts each layout of metric names once, prints a row with one ``str.format`` call, compares rows only where
two epochs print the same loss, reads a run's series only for a figure with a confirmed line and finds the metric
names of a run once per check; these copies are what says that it is the same judgement.
"""
from __future__ import annotations

import copy
import importlib.util
import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from conftest import CORPUS, examples
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.judge.checks import history as history_checks
from autograder.judge.checks.common import _cells, _has_keys
from autograder.judge.checks.history import _epochs_en, _epochs_ja, _run_epochs, _run_keys
from autograder.judge.collusion import prints
from autograder.judge.integrity import figure_rules
from autograder.judge.metrics import Run
from autograder.model.evidence import Evidence, Figure, Fit, History, LineTrace
from autograder.model.keras import FIT_METHODS, canonical_metric, significant_digits
from autograder.model.results import Flag, Outcome, Status
from autograder.read.extract import extract
from autograder.read.notebook import from_dict, load_notebook
from autograder.testing import samples

REPO = Path(__file__).resolve().parents[1]
REAL = sorted((REPO / "tests" / "data" / "real").glob("*.ipynb"))
SHARED = sorted(CORPUS.glob("*.ipynb")) if CORPUS.is_dir() else []

Prints = prints.Prints
_MIN_DIGITS = prints._MIN_DIGITS
_MIN_LEARNING = figure_rules._MIN_LEARNING
_MIN_SPAN, FIGURE_TOL, _figure_flag = figure_rules._MIN_SPAN, figure_rules.FIGURE_TOL, figure_rules._figure_flag


# ---------------------------------------------------------------- the reference (prints.py before the change)

def _ref_keras(value: float) -> str:
    """A metric as Keras prints it: "%.4f", or "%.4e" at and below 1e-3."""
    if math.isnan(value):
        return "nan"
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _ref_epoch_keys(epochs: Sequence[Mapping[str, float]]) -> list[str]:
    """One key per informative epoch: its number and its metrics as printed. Epochs with fewer than two metrics,
    and epochs whose metrics repeat inside the run (a run stuck at chance level), give none."""
    rows: list[str | None] = []
    for metrics in epochs:
        if len(metrics) < 2:
            rows.append(None)
            continue
        items = sorted((canonical_metric(k), v) for k, v in metrics.items())
        rows.append(";".join(f"{k}={_ref_keras(v)}" for k, v in items))
    seen: dict[str, int] = defaultdict(int)
    for body in rows:
        if body is not None:
            seen[body] += 1
    return [f"{i}|{body}" for i, body in enumerate(rows, 1) if body is not None and seen[body] == 1]


def _ref_fingerprints(ev: Evidence) -> Prints:
    """The hashed fingerprints of one notebook's evidence."""
    p = Prints(tag=ev.fingerprints.authorship_tag, seeded=ev.fingerprints.seeded)
    for f in ev.fits:
        keys = _ref_epoch_keys([dict(e) for e in f.epochs])
        if keys:
            p.runs.append((f.cell, keys))
            names = {k: canonical_metric(k) for k in f.metrics}
            p.curves.append((f.cell, [{names[k]: v for k, v in e.items()} for e in f.epochs]))
    for h in ev.histories:
        if not h.values or h.epochs is None:
            continue
        epochs = [{k: v[i] for k, v in h.values.items()} for i in range(h.epochs)]
        keys = _ref_epoch_keys(epochs)
        if keys:
            p.runs.append((h.cell, keys))
            names = {k: canonical_metric(k) for k in h.values}
            p.curves.append((h.cell, [{names[k]: v for k, v in e.items()} for e in epochs]))
    for e in ev.evaluations:
        if e.loss is not None and math.isfinite(e.loss) and significant_digits(e.loss) >= _MIN_DIGITS:
            p.keys.setdefault(("loss", repr(e.loss)), set()).add(e.cell)
    for g in ev.figures:
        if g.learning_curve and (g.pixels or g.digest):  # equal pixels: a re-saved PNG is the same image
            p.keys.setdefault(("figure", g.pixels or g.digest or ""), set()).add(g.cell)
        if g.learning_curve and g.coarse:
            p.keys.setdefault(("figure_near", g.coarse), set()).add(g.cell)
    evidence_cells = ({s.cell for s in ev.summaries} | {f.cell for f in ev.fits} | {h.cell for h in ev.histories}
                      | {e.cell for e in ev.evaluations} | {g.cell for g in ev.figures if g.learning_curve})
    for r in ev.fingerprints.cells:
        if r.cell in evidence_cells:
            for oid in r.output_ids:
                p.keys.setdefault(("output_id", oid), set()).add(r.cell)
    return p


# ---------------------------------------------------------------- the reference (figure_rules.py before the change)

def _ref_row(metrics: dict[str, float]) -> tuple[tuple[str, str], ...] | None:
    if len(metrics) < 2 or any(math.isnan(v) for v in metrics.values()):
        return None
    return tuple(sorted((k, f"{v:.4f}") for k, v in metrics.items()))


def _ref_repeat(f: Fit) -> tuple[int, int, int] | None:
    """(first epoch, later epoch, length) of a block of ≥ 2 consecutive epoch rows printed again later in the run."""
    rows = [_ref_row(dict(e)) for e in f.epochs]
    losses = f.series("loss")
    if len(rows) < 4 or not losses or max(losses) - min(losses) < _MIN_LEARNING:
        return None
    seen: dict[tuple[object, object], int] = {}
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


def _ref_repeated_epochs(ev: Evidence) -> list[tuple[int | None, tuple[int, int, int]]]:
    return [(f.cell, found) for f in ev.fits if (found := _ref_repeat(f)) is not None]


def _ref_fit_error(profile: Sequence[float], series: Sequence[float]) -> float:
    """RMS (share of the line's height) of the best fit ``y = a·value + b`` (a < 0: up is larger) of the series,
    linearly interpolated over the line's columns, to the traced profile."""
    n, m = len(profile), len(series)
    pred = []
    for k in range(n):
        t = k / (n - 1) * (m - 1)
        j = min(int(t), m - 2)
        pred.append(series[j] + (series[j + 1] - series[j]) * (t - j))
    mp, my = sum(pred) / n, sum(profile) / n
    sxx = sum((p - mp) ** 2 for p in pred)
    sxy = sum((p - mp) * (y - my) for p, y in zip(pred, profile, strict=True))
    a = sxy / sxx if sxx > 0 else 0.0
    if a >= 0:
        a = 0.0
    res = [y - my - a * (p - mp) for p, y in zip(pred, profile, strict=True)]
    height = max(profile) - min(profile)
    return math.sqrt(sum(r * r for r in res) / n) / height


def _ref_confirmed(lines: Sequence[LineTrace]) -> list[LineTrace]:
    """Lines with a shape whose full extent another line of the figure confirms (two lines of one axes share it),
    as wide as the widest line but a fifth (a line cut by a legend box or a crossing is a shorter piece)."""
    out = []
    widest = max((line.x1 - line.x0 for line in lines), default=0)
    for line in lines:
        if max(line.profile) - min(line.profile) < _MIN_SPAN or line.x1 - line.x0 < 0.8 * widest:
            continue
        if any(o is not line and abs(o.x0 - line.x0) <= 3 and abs(o.x1 - line.x1) <= 3 for o in lines):
            out.append(line)
    return out


def _ref_runs(ev: Evidence, cell: int) -> list[tuple[int | None, int, list[list[float]]]]:
    """(cell, epochs, series) of each logged run at or before the figure's cell: fit logs and printed histories."""
    runs: list[tuple[int | None, int, list[list[float]]]] = []
    for f in ev.fits:
        if f.cell is not None and f.cell <= cell and f.epochs_run >= 2:
            runs.append((f.cell, f.epochs_run, [f.series(k) for k in f.metrics]))
    for h in ev.histories:
        if h.values and h.cell is not None and h.cell <= cell and (h.epochs or 0) >= 2:
            runs.append((h.cell, h.epochs or 0, [list(v) for v in h.values.values()]))
    return runs


def _ref_figure_vs_log(ev: Evidence) -> list[Flag]:
    """Every traced line of a learning-curve figure is one of the logged series (its shape over its whole width)."""
    flags = []
    for g in ev.figures:
        if g.cell is None or not g.learning_curve or not g.lines:
            continue
        runs = _ref_runs(ev, g.cell)
        fit_calls = [c for c in ev.code.calls if c.method in FIT_METHODS and c.cell is not None and c.cell <= g.cell]
        logged = {f.cell for f in ev.fits} | {h.cell for h in ev.histories if h.values}
        if not runs or len(fit_calls) > len({c for c, _, _ in runs}) or len(logged) < len({c.cell for c in fit_calls}):
            continue  # a run that printed nothing (verbose=0) may be the one plotted
        for line in _ref_confirmed(g.lines):
            best = min((_ref_fit_error(line.profile, s) for _, _, series in runs for s in series if len(s) >= 2),
                       default=0.0)
            if best <= FIGURE_TOL:
                continue  # its shape is a logged series (the vertex count is evidence in the message only: the
                # polyline through a logged run's epochs is off an honest trace by up to 6.4 px in the corpus)
            flags.append(_figure_flag(g.cell, line, runs, best))
            break
    return flags


# ---------------------------------------------------------------- the reference (checks/history.py before the change)

def _ref_check_history(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    keys, epochs, count, printed = p["keys"], p.get("epochs"), p.get("count", 1), p.get("printed", False)
    fits = [] if printed else [f for f in ev.fits if f.epochs]
    histories = [h for h in ev.histories if h.values or not printed]
    if not fits and not histories:
        where = "print(result.history) の出力" if printed else "model.fit の学習ログ、または print(result.history) の出力"
        where_en = "the output of print(result.history)" if printed else "a model.fit training log or the output of print(result.history)"
        return Outcome(Status.MISSING, f"{where}が見つかりません。実行した出力を残して保存してください。",
                       f"{where_en} was not found. Save the notebook with its outputs.")

    def ok(run: Run) -> bool:
        return _has_keys(_run_keys(run), keys) and (epochs is None or _run_epochs(run) == epochs)

    good = max(sum(ok(f) for f in fits), sum(ok(h) for h in histories))
    candidates: list[Run] = [*fits, *histories]
    if good >= count:
        matched = [r for r in candidates if ok(r)]
        return Outcome(Status.PASS,
                       f"{', '.join(keys)} が{f' {epochs} エポック分' if epochs else ''}記録されています（セル {_cells(matched)}）。",
                       f"{', '.join(keys)} recorded{f' for {epochs} epochs' if epochs else ''} (cell {_cells(matched, ', ')}).",
                       next(r.cell for r in reversed(candidates) if ok(r)))
    found = "、".join(f"セル {r.cell}: {_epochs_ja(r)}（{', '.join(_run_keys(r)) or 'キーなし'}）" for r in candidates)
    found_en = "; ".join(f"cell {r.cell}: {_epochs_en(r)} ({', '.join(_run_keys(r)) or 'no keys'})" for r in candidates)
    need = f"{count} 回の学習それぞれに" if count > 1 else ""
    need_en = f"each of {count} training runs needs " if count > 1 else "needs "
    return Outcome(Status.FAIL, f"{need}{', '.join(keys)} が{f' {epochs} エポック分' if epochs else ''}必要です。見つかったもの: {found}。"
                   "validation_split を指定し、エポック数を確認してください。",
                   f"{need_en}{', '.join(keys)}{f' for {epochs} epochs' if epochs else ''}. Found: {found_en}. "
                   "Set validation_split and check the number of epochs.", candidates[-1].cell)


# ---------------------------------------------------------------- the comparison

def _same(ev: Evidence) -> None:
    """Fingerprints and repeated blocks of the evidence, new and reference, equal and of equal repr (the repr tells
    -0.0 from 0.0 and shows the order of every dict)."""
    pristine = copy.deepcopy(ev)
    new, ref = prints.fingerprints(ev), _ref_fingerprints(ev)
    assert new == ref
    assert repr(new) == repr(ref)
    for f in ev.fits:
        assert figure_rules._repeat(f) == _ref_repeat(f)
        assert prints._epoch_keys(f.epochs) == _ref_epoch_keys([dict(e) for e in f.epochs])
    assert [(f.cell, figure_rules._repeat(f)) for f in ev.fits if figure_rules._repeat(f)] == _ref_repeated_epochs(ev)
    assert _outcome(figure_rules.figure_vs_log, ev) == _outcome(_ref_figure_vs_log, ev)
    for params in _HISTORY_PARAMS:
        assert _outcome(history_checks.check_history, ev, params) == _outcome(_ref_check_history, ev, params)
    assert ev == pristine  # nothing read was changed


_HISTORY_PARAMS = [{"keys": keys, **extra} for keys in (["loss"], ["loss", "val_loss"], ["acc", "val_accuracy"], ["lr"])
                   for extra in ({}, {"epochs": 30}, {"epochs": 2, "count": 2}, {"count": 0}, {"printed": True},
                                 {"printed": True, "count": 0, "epochs": 50})]


def _outcome(rule: Callable[..., object], *args: object) -> tuple[str, object]:
    """A rule's flags (a check's outcome), or the type of what it raised (the guards make it an ``integrity_error``
    flag or an ``error`` result naming the type)."""
    try:
        return "flags", repr(rule(*args))
    except Exception as exc:  # noqa: BLE001 - the same exception is the same result
        return "raised", type(exc)


def _evidence(path: Path) -> Evidence:
    return extract(load_notebook(path))


@pytest.mark.timeout(300)
@pytest.mark.parametrize("path", REAL + SHARED, ids=lambda p: p.name)
def test_corpus_evidence(path: Path) -> None:
    _same(_evidence(path))


@pytest.mark.timeout(60)
def test_the_shared_corpus_is_read(corpus: Path) -> None:
    """The parametrized test above covers the shared corpus only when it is there (a missing corpus fails in CI)."""
    assert SHARED and len(SHARED) == len(list(corpus.glob("*.ipynb")))
    runs = [f for path in SHARED for f in _evidence(path).fits if len(f.epochs) >= 4]
    assert len(runs) >= 5  # the corpus really has training logs to compare


_OPTIONS: list[dict[str, Any]] = [{}, {"keras3": False}, {"verbose": 2}, {"keras3": False, "verbose": 2, "summary_variant": "2.15"},
            {"epochs": 3}, {"epochs": 80, "accuracy": 0.5}, {"gpu": False, "tf_logs": True}, {"fit_updates": 2}]


@pytest.mark.timeout(300)
@pytest.mark.parametrize("assignment", ["perceptron", "mlp", "history", "dropout"])
def test_generated_submissions(assignment: str) -> None:
    for seed in range(4):
        for options in _OPTIONS:
            _same(extract(from_dict(samples.submission(assignment, seed=seed, **options))))


@pytest.mark.timeout(60)
def test_a_pasted_block_is_still_found() -> None:
    """A log whose rows 3–5 are printed again as rows 8–10 (the case the rule exists for), with acc/val_acc names."""
    rows = [{"loss": 1.0 - 0.07 * i, "acc": 0.5 + 0.03 * i, "val_loss": 1.1 - 0.06 * i, "val_acc": 0.4 + 0.04 * i}
            for i in range(12)]
    rows[7:10] = [dict(r) for r in rows[2:5]]
    fit = Fit(epochs=tuple(rows), cell=3)
    assert figure_rules._repeat(fit) == _ref_repeat(fit) == (3, 8, 3)
    _same(Evidence(fits=(fit,)))


# ---------------------------------------------------------------- hypothesis-made epochs

_NAMES = ["loss", "acc", "accuracy", "val_acc", "val_accuracy", "val_loss", "acc_top5", "val_acc5", "lr", "{0}", "a}b{",
          "x;y=1", ""]  # acc_top5 sorts between acc and accuracy
_BOUNDARY = [1e-3, math.nextafter(1e-3, 1.0), math.nextafter(1e-3, 0.0), 0.00095, 0.00105, 0.00005, 0.00015,
             0.12345, 0.99995, 9.99995e-4]
_SPECIAL = [math.nan, -math.nan, 0.0, -0.0, math.inf, -math.inf, 5e-324, -5e-324, 1e-300, 1e300, -1e300,
            1.7976931348623157e308, 0.5, 1.0, 2.0]
_values = st.one_of(
    st.sampled_from(_BOUNDARY + [-v for v in _BOUNDARY] + _SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=-2e-3, max_value=2e-3),
    st.floats(min_value=0.0, max_value=3.0).map(lambda v: round(v, 4)),  # values that print alike at 4 decimals
)
_epoch = st.dictionaries(st.sampled_from(_NAMES), _values, max_size=6)
_same_names = st.lists(st.sampled_from(_NAMES), min_size=2, max_size=5, unique=True)


@st.composite
def _runs(draw: st.DrawFn) -> list[dict[str, float]]:
    """A run: epochs drawn from a small pool (so rows and blocks repeat), shuffled key orders, odd epochs mixed in."""
    names = draw(_same_names)
    pool = draw(st.lists(st.fixed_dictionaries({k: _values for k in names}), min_size=1, max_size=5))
    picks = draw(st.lists(st.integers(0, len(pool) - 1), max_size=30))
    run = [dict(pool[i]) for i in picks]
    for i in draw(st.lists(st.integers(0, max(len(run) - 1, 0)), max_size=4)):
        if run:
            keys = list(run[i])
            order = draw(st.permutations(keys))
            run[i] = {k: run[i][k] for k in order}  # the same row, its names in another order
    for at, epoch in draw(st.lists(st.tuples(st.integers(0, 30), _epoch), max_size=3)):
        run.insert(min(at, len(run)), epoch)
    return run


@st.composite
def _histories(draw: st.DrawFn) -> History:
    names = draw(_same_names)
    n = draw(st.integers(0, 12))
    values = {k: tuple(draw(st.lists(_values, min_size=n, max_size=n))) for k in names}
    if draw(st.booleans()) and n:  # lists of unequal length: no epoch count
        k = names[0]
        values[k] = values[k][:-1]
    return History(keys=tuple(values), values=values, cell=draw(st.integers(0, 9)))


@pytest.mark.timeout(300)
@settings(max_examples=examples(400))
@given(st.lists(_runs(), max_size=3), st.lists(_histories(), max_size=2))
def test_hypothesis_runs(runs: list[list[dict[str, float]]], histories: list[History]) -> None:
    fits = tuple(Fit(epochs=tuple(r), cell=i) for i, r in enumerate(runs))
    _same(Evidence(fits=fits, histories=tuple(histories)))


@pytest.mark.timeout(300)
@settings(max_examples=examples(400))
@given(st.lists(_epoch, max_size=25))
def test_hypothesis_free_epochs(epochs: list[dict[str, float]]) -> None:
    """Epochs of any names and values (fewer than two metrics, aliases of one metric side by side)."""
    _same(Evidence(fits=(Fit(epochs=tuple(epochs), cell=1),)))


@pytest.mark.timeout(60)
@pytest.mark.parametrize("value", _BOUNDARY + [-v for v in _BOUNDARY] + _SPECIAL)
def test_every_special_value_prints_alike(value: float) -> None:
    """Each special value, as every metric of an epoch and beside ordinary ones, and in both alias spellings."""
    epochs = [{"loss": value, "accuracy": value}, {"loss": 0.5, "acc": value, "val_acc": 0.25},
              {"acc": value, "accuracy": 0.5}, {"val_accuracy": value, "val_acc": value, "loss": value},
              {"loss": 0.25, "accuracy": value}]
    assert prints._epoch_keys(epochs) == _ref_epoch_keys(epochs)
    _same(Evidence(fits=(Fit(epochs=tuple(epochs * 3), cell=2),)))


# ---------------------------------------------------------------- a class-like batch, and hypothesis-made figures

def _generate_options() -> Callable[[str, int], dict]:
    """``benchmarks/generate.py``'s options (the class-like batch of the benchmarks: real-size figures)."""
    spec = importlib.util.spec_from_file_location("_generate", REPO / "benchmarks" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.options


@pytest.mark.slow  # ≈ 1 s an assignment: the full suite's
@pytest.mark.timeout(300)
@pytest.mark.parametrize("assignment", ["mlp", "history", "dropout"])
def test_class_like_batch(assignment: str) -> None:
    options = _generate_options()
    confirmed = 0
    for i in range(24):
        ev = extract(from_dict(samples.submission(assignment, **options(assignment, i))))
        confirmed += sum(len(_ref_confirmed(g.lines)) for g in ev.figures if g.lines)
        _same(ev)
    assert assignment == "dropout" or confirmed  # lines compared with the logs (_fit_error) are among them


_pixels = st.floats(min_value=0.0, max_value=400.0).map(lambda v: round(v, 2))
_profiles = st.lists(st.one_of(_pixels, st.sampled_from([0.0, 50.0, 300.0])), min_size=2, max_size=40)
_series = st.lists(st.one_of(_values, st.floats(min_value=0.0, max_value=2.5)), min_size=0, max_size=12)


@st.composite
def _figures(draw: st.DrawFn) -> Evidence:
    """Lines of one axes (x0/x1 within a few pixels: confirmed when they have a shape), other pieces, and runs."""
    x0, width = draw(st.integers(0, 50)), draw(st.integers(1, 300))
    lines = []
    for _ in range(draw(st.integers(1, 5))):
        profile = draw(st.one_of(_profiles, st.just(())) if draw(st.integers(0, 30)) == 0 else _profiles)
        a, b = draw(st.integers(-4, 4)), draw(st.integers(-4, 4)) if draw(st.booleans()) else -draw(st.integers(0, 300))
        lines.append(LineTrace(colour="#1f77b4", x0=x0 + a, x1=max(x0 + a, x0 + width + b), profile=tuple(profile)))
    fits = []
    for cell in draw(st.lists(st.integers(0, 6), max_size=3)):
        names = draw(_same_names)
        columns = {k: draw(_series) for k in names}
        n = min((len(v) for v in columns.values()), default=0)
        fits.append(Fit(epochs=tuple({k: v[i] for k, v in columns.items()} for i in range(n)), cell=cell))
    histories = tuple(draw(st.lists(_histories(), max_size=2)))
    figure = Figure(cell=draw(st.integers(0, 7)), learning_curve=True, lines=tuple(lines))
    return Evidence(fits=tuple(fits), histories=histories, figures=(figure,))


@pytest.mark.timeout(300)
@settings(max_examples=examples(400))
@given(_figures())
def test_hypothesis_figures(ev: Evidence) -> None:
    _same(ev)


@pytest.mark.timeout(300)
@settings(max_examples=examples(400))
@given(_profiles, st.lists(st.one_of(_values, st.floats(min_value=0.0, max_value=2.5)), min_size=2, max_size=60))
def test_hypothesis_fit_error(profile: list[float], series: list[float]) -> None:
    """The error of a series against a line, to the last bit (or the same exception: a huge series overflows)."""
    if max(profile) == min(profile):
        profile = [*profile, max(profile) + 20.0]

    def outcome(fn: Callable[[Sequence[float], Sequence[float]], float]) -> tuple[str, object]:
        try:
            return "value", repr(fn(profile, series))
        except Exception as exc:  # noqa: BLE001 - the same exception is the same result
            return "raised", type(exc)

    assert outcome(figure_rules._fit_error) == outcome(_ref_fit_error)
