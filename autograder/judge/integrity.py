"""Integrity of one notebook: do its saved outputs agree with each other and with its code, and was it run in order?

Pure functions of ``Evidence`` returning ``Flag``s; nothing is executed. Standard library only.

Two families of flags:

* ``tampered_output`` — two pieces of evidence that a real run prints consistently disagree. Every flag names
  both cells and both values, and says a person must review it: an honest student who edited code after
  running it, or ran cells out of order, can cause the same disagreement.

  1. summary rows vs its own totals: the rows' parameters add up to ``Trainable + Non-trainable`` (Keras 3's
     ``Total`` may add ``Optimizer params``; Keras 1/2's ``Total`` is exactly ``Trainable + Non-trainable``).
  2. summary vs code: the model the summary's cell names (``model.summary()``), as last built at or before
     that cell, has its layer stack computed from the code (``CodeFacts.models``, analytic per-layer params);
     the summary must show its per-layer counts or its total (or those of an earlier build of that name).
  3. fit log vs code: ``Epoch i/N`` shows ``N`` = the ``epochs=`` of the fit call behind it.
  4. fit log completeness: the epoch headers of one run have no gap (``Epoch 9/30`` then ``Epoch 21/30``).
     Rules 4 and 5 skip a log whose cell says Jupyter or Colab dropped output ("IOPub message rate exceeded",
     "Buffered data was truncated"): such a log is honestly incomplete.
  5. printed ``history.history`` vs the fit log of the same call: as many entries as epochs, each value equal
     to the logged one to the printed precision; without a log, as many entries as ``epochs=`` (fewer only with
     ``callbacks=``). Metric lists of one history always have equal length (unless ``callbacks=`` may add keys;
     with ``validation_freq=`` the rule is skipped).
  6. printed test accuracy / loss vs the ``model.evaluate`` progress line of the same call (tolerances below).

  A k/N check (``ratio_check``) is a *supporting* signal only: it is added, with its arithmetic, to flags of
  rules 5 and 6, never raised alone (sample weights, ``tf.data`` batch sizes or an average over runs make an
  honest accuracy that is not k/N for the N we can infer).

* the execution record — ``not_executed`` (no code cell run, or a cell calling ``fit``/``evaluate`` never
  run), ``out_of_order`` (execution counts that go backwards between the cells holding graded evidence, e.g. a
  summary re-run after the fit, or evidence outputs without an execution count), ``error_output`` (tracebacks).

Tolerances of rule 6 and rule 5, measured on the real notebooks of ``../shared/corpus/real``
(``tests/test_corpus_integrity.py`` re-measures them):

* tf.keras 2.x ``[====]`` bars and ``verbose=2`` lines of every Keras print the returned value rounded to
  4 decimals (``%.4f``, ``%.4e`` below 1e-3): 18 printed/returned values in 10 notebooks, all equal at
  4 decimals (largest difference 4.7e-5 < 5e-5). Tolerance: half a unit of the last digit of each of the two
  printed values.
* Keras 3 interactive (``━``) bars of several 3.x releases show an average of running averages (the progress
  bar averages values that are already running means: keras-team/keras#21301, #20788), not the returned
  value: 8 values in 4 notebooks differ by up to 0.0078 in accuracy (6 values) and 0.0072 (2.1 %) in loss
  (2 values). Tolerance: 0.02 for accuracy, max(0.02, 6 %) for loss (about 2.5× and 3× the largest seen), on
  top of the rounding.
  The same averaging makes the ``loss``/``accuracy`` of a Keras 3 ``━`` fit log differ from
  ``history.history``; only its ``val_*`` values (added once, at the end of the epoch) are compared there.
* tf.keras 2 bars after ``load_model``/``clone_model`` can also differ (tensorflow/tensorflow#51989): the
  Keras 3 tolerance is used when the code calls either.
"""
from __future__ import annotations

import math
import re
import struct
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise

from autograder.errors import raise_internal_errors
from autograder.model.evidence import CellRecord, Evaluation, Evidence, Fit, History
from autograder.model.format import count as _n
from autograder.model.keras import canonical_metric
from autograder.model.results import CheckResult, Flag, FlagKind
from autograder.read.outputs.fitlog import COUNTER, HEADER

__all__ = [
    "K3_BAR_ACCURACY_TOL",
    "K3_BAR_LOSS_ABS_TOL",
    "K3_BAR_LOSS_REL_TOL",
    "POLICIES",
    "TAMPERED",
    "evaluation_pairs",
    "execution_flags",
    "notebook_flags",
    "ratio_check",
    "tampered_flags",
]

TAMPERED = "tampered_output"
POLICIES = ("review", "fail")

KERAS_HALF_UNIT = 5e-5  # Keras prints metrics "%.4f": half a unit of the 4th decimal
K3_BAR_ACCURACY_TOL = 0.02  # largest seen in the corpus: 0.0078 (keras3_colab_gpu_mit_lab2_mnist, cell 31)
K3_BAR_LOSS_ABS_TOL = 0.02  # largest seen: 0.0072 (keras3_coursera_c1w2_fashion_mnist_lab, cells 19 and 41)
K3_BAR_LOSS_REL_TOL = 0.06  # largest seen: 2.1 % of the loss
_SLACK = 1e-9
_RATIO_MIN_DIGITS = 9  # a value printed with fewer significant digits says nothing about k/N
_RATIO_MAX_RANGE = 4096  # at most this many candidate N are tried
_DEFAULT_BATCH = 32  # Keras' default batch_size of fit and evaluate
_FIT = ("fit", "fit_generator")
_EVALUATE = ("evaluate", "evaluate_generator")
_LOOSE_CALLS = frozenset({"load_model", "clone_model"})
_RERUN_JA = "ランタイムを再起動してすべてのセルを実行してから保存してください。"
_RERUN_EN = "Restart the runtime, run all cells, then save."
_REVIEW_JA = "不正と決めつけるものではなく、教員が確認します。"
_REVIEW_EN = "This is not a finding of misconduct; an instructor will review it."


# ------------------------------------------------------------------ entry points

def notebook_flags(ev: Evidence) -> list[Flag]:
    """Every integrity flag of one notebook: the execution record, then the cross-checks."""
    return execution_flags(ev) + tampered_flags(ev)


def tampered_flags(ev: Evidence) -> list[Flag]:
    flags: list[Flag] = []
    for rule in (_summary_totals, _summary_vs_code, _fit_vs_code, _epoch_gaps, _history_vs_fit, _printed_vs_progress):
        flags += guarded(rule, ev)
    return flags


def guarded(rule: Callable[[Evidence], list[Flag]], ev: Evidence) -> list[Flag]:
    """Run one rule. A crash is a bug of ours: never an accusation, never a stopped batch, never silent: it
    becomes an ``integrity_error`` flag naming the rule for a person to review (``raise_internal_errors()``
    re-raises it, as the tests do)."""
    try:
        return rule(ev)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        if raise_internal_errors():
            raise
        name = rule.__name__.lstrip("_")
        return [Flag(FlagKind.INTEGRITY_ERROR,
                     f"整合性の確認（{name}）の途中で採点プログラムの内部エラー（{type(exc).__name__}）が起きたため、"
                     "この確認はできていません。提出者の問題ではありません。教員が確認します。",
                     f"the integrity rule {name} stopped with an internal error ({type(exc).__name__}), so this "
                     "cross-check was not made. This is not the student's fault; an instructor will review it.")]


# ------------------------------------------------------------------ helpers

def _records(ev: Evidence) -> dict[int, CellRecord]:
    return {r.cell: r for r in ev.fingerprints.cells}


def _count(ev: Evidence, cell: int | None) -> int | None:
    r = _records(ev).get(cell) if cell is not None else None
    return r.execution_count if r is not None and r.execution_count else None


def _flag(message: str, message_en: str, cells: Iterable[int | None]) -> Flag:
    shown = tuple(sorted({c for c in cells if c is not None}))
    return Flag(TAMPERED, f"{message}{_REVIEW_JA}実行後にコードを変えた場合は、{_RERUN_JA}",
                f"{message_en} {_REVIEW_EN} If you changed code after running it: restart the runtime, run all "
                "cells, then save.", cells=shown)


def _keras_half_unit(value: float) -> float:
    """Half a unit of the last digit Keras prints for ``value`` ("%.4f", or "%.4e" at and below 1e-3)."""
    if not math.isfinite(value) or value == 0 or abs(value) > 1e-3:
        return KERAS_HALF_UNIT
    return KERAS_HALF_UNIT * 10 ** math.floor(math.log10(abs(value)))


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(\s*[%％])?")


def _printed_half_unit(text: str, value: float) -> float | None:
    """Half a unit of the last printed digit of ``value`` as it appears in ``text`` (a percentage counts two
    more decimals), or None when the number cannot be found."""
    for m in _NUMBER.finditer(text):
        token = m.group(0)
        percent = bool(m.group(1))
        number = token.rstrip("%％ \t")
        try:
            x = float(number)
        except ValueError:
            continue
        if percent:
            x /= 100
        if not math.isclose(x, value, rel_tol=1e-12, abs_tol=1e-15):
            continue
        mantissa, _, exponent = number.lower().partition("e")
        decimals = len(mantissa.partition(".")[2]) - (int(exponent) if exponent else 0) + (2 if percent else 0)
        return 0.5 * 10.0 ** (-decimals)
    return None


def _significant_digits(value: float) -> int:
    mantissa = repr(abs(value)).lower().partition("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)


def _f32(x: float) -> float:
    return struct.unpack("f", struct.pack("f", x))[0]


def ratio_check(value: float, n_low: int, n_high: int) -> tuple[int, int] | None:
    """(k, N) with N in [n_low, n_high] such that ``value`` is the float32 (tf.keras ≥ 2, Keras 3) or float64
    (Keras ≤ 2.2, NumPy) value of k/N, else None. Keras accuracies are counts of correct samples over a count of
    samples, kept in float32 and divided there; Python prints the float32 widened to a float exactly."""
    if not (math.isfinite(value) and 0.0 <= value <= 1.0) or n_high < n_low or n_low < 1:
        return None
    for n in range(n_low, min(n_high, n_low + _RATIO_MAX_RANGE) + 1):
        guess = round(value * n)
        for k in (guess - 1, guess, guess + 1):
            if 0 <= k <= n and (k / n == value or _f32(k / n) == value):
                return k, n
    return None


def _ratio_note(value: float, n_low: int | None, n_high: int | None, what_ja: str, what_en: str,
                data_ja: str, data_en: str) -> tuple[str, str]:
    """The k/N arithmetic for ``value`` as a sentence (empty when it cannot be checked)."""
    if n_low is None or n_high is None or _significant_digits(value) < _RATIO_MIN_DIGITS:
        return "", ""
    found = ratio_check(value, n_low, n_high)
    where = f"N = {n_low:,}" if n_low == n_high else f"N = {n_low:,}〜{n_high:,}"
    where_en = f"N = {n_low:,}" if n_low == n_high else f"N = {n_low:,}–{n_high:,}"
    if found:
        k, n = found
        return (f"（検算: {value!r} は {k:,}/{n:,} の値で、k/N として矛盾はありません）",
                f" (arithmetic: {value!r} is the value of {k:,}/{n:,}, consistent with k/N)")
    ja = (f"（補助的な検算: {what_ja} {value!r} は、{where}（この実行の{data_ja}の件数として考えられる範囲）の"
          f"どの正解数 k についても k/N の float32 値・float64 値になりません。Keras の正解率は必ず k/N です）")
    en = (f" (supporting arithmetic: the {what_en} {value!r} is not the float32 or float64 value of k/N for any "
          f"count k and {where_en}, the possible numbers of {data_en} in this run; Keras accuracies are always k/N)")
    return ja, en


def _counter(text: str) -> tuple[int, str] | None:
    """(total, "step"|"sample") of a progress record's counter."""
    m = COUNTER.search(text)
    if not m or m.group(2) == "Unknown":
        return None
    unit = "step" if ("/step" in text or m.group("bar3")) else "sample"
    return int(m.group(2)), unit


def _batch(args: dict) -> int | None:
    if "batch_size" not in args:
        return _DEFAULT_BATCH
    b = args.get("batch_size")
    return b if isinstance(b, int) and not isinstance(b, bool) and b > 0 else None


def _samples(count: int, unit: str, batch: int | None) -> tuple[int, int] | tuple[None, None]:
    if unit == "sample":
        return count, count
    if batch is None:
        return None, None
    return (count - 1) * batch + 1, count * batch


# ------------------------------------------------------------------ rule 1: summary rows vs totals

def _summary_totals(ev: Evidence) -> list[Flag]:
    flags = []
    for s in ev.summaries:
        t, n = s.trainable_params, s.non_trainable_params
        split = t + n if t is not None and n is not None else None
        rows = sum(layer.params for layer in s.layers)
        where = f"model.summary() の表（セル {s.cell}）"
        where_en = f"the model.summary() table (cell {s.cell})"
        if s.layers and rows != (split if split is not None else s.total_params):
            label = "Trainable + Non-trainable params" if split is not None else "Total params"
            flags.append(_flag(f"{where}: 各層の Param # の合計 {_n(rows)} が {label} の {_n(split if split is not None else s.total_params)} と一致しません。"
                               "表示された表が編集されている可能性があります。",
                               f"{where_en}: the layers' Param # add up to {_n(rows)}, not the {label} "
                               f"{_n(split if split is not None else s.total_params)}; the table may have been edited.",
                               [s.cell]))
            continue
        if split is not None and (s.total_params < split if s.style == "keras3" else s.total_params != split):
            flags.append(_flag(f"{where}: Total params {_n(s.total_params)} が Trainable {_n(t)} + Non-trainable {_n(n)} = "
                               f"{_n(split)} と一致しません。表示された表が編集されている可能性があります。",
                               f"{where_en}: Total params {_n(s.total_params)} is not Trainable {_n(t)} + Non-trainable "
                               f"{_n(n)} = {_n(split)}; the table may have been edited.", [s.cell]))
    return flags


# ------------------------------------------------------------------ rule 2: summary vs the code's models

def _nonzero(layers: Iterable) -> list[int]:
    return [layer.params for layer in layers if layer.params]


def _summary_vs_code(ev: Evidence) -> list[Flag]:
    """Each summary against the models its cell's code names (``model.summary()`` → ``model``): the latest such
    model built at or before the summary must have known parameter counts; any of them may match."""
    records = _records(ev)
    flags = []
    for s in ev.summaries:
        names = records[s.cell].names if s.cell in records else frozenset()
        defined = [m for m in ev.code.models if m.variable in names and m.cell is not None and m.cell <= s.cell]
        if not defined:
            continue
        model = defined[0]
        for m in defined:  # the last one built in the latest cell
            if (m.cell or 0) >= (model.cell or 0):
                model = m
        if model.total_params is None:
            continue  # a layer whose parameters the code analysis cannot compute: nothing to compare
        shown = _nonzero(s.layers)
        t, n = s.trainable_params, s.non_trainable_params
        sizes = {s.total_params, sum(layer.params for layer in s.layers) if s.layers else s.total_params}
        if t is not None and n is not None:
            sizes.add(t + n)
        known = [m for m in defined if m.total_params is not None]
        if any((shown and _nonzero(m.layers) == shown) or m.total_params in sizes for m in known):
            continue
        built = ", ".join(_n(p) for p in _nonzero(model.layers))
        rows = ", ".join(_n(p) for p in shown)
        name = model.variable or "model"
        flags.append(_flag(
            f"model.summary() の表（セル {s.cell}）は総パラメータ数 {_n(s.total_params)}（層: {rows}）ですが、"
            f"コード（セル {model.cell} の {name}）から計算すると {_n(model.total_params)}（層: {built}）です。"
            "コードを実行後に変更したか、表示が編集されている可能性があります。",
            f"the model.summary() table (cell {s.cell}) shows {_n(s.total_params)} parameters (layers: {rows}), but the "
            f"code (cell {model.cell}, {name}) builds {_n(model.total_params)} (layers: {built}). The code was changed "
            "after it ran, or the output was edited.", [s.cell, model.cell]))
    return flags


# ------------------------------------------------------------------ rule 3: fit log vs epochs= in the code

def _fit_vs_code(ev: Evidence) -> list[Flag]:
    flags = []
    for f in ev.fits:
        if f.epochs_arg is None or f.epochs_total is None or f.epochs_total == f.epochs_arg:
            continue
        flags.append(_flag(f"学習ログ（セル {f.cell}）は「Epoch …/{f.epochs_total}」ですが、同じセルのコードは epochs={f.epochs_arg} です。"
                           "コードを実行後に変更したか、ログが貼り付け・編集されている可能性があります。",
                           f"the training log (cell {f.cell}) shows 'Epoch …/{f.epochs_total}' but the code of that cell says "
                           f"epochs={f.epochs_arg}. The code was changed after it ran, or the log was pasted or edited.",
                           [f.cell]))
    return flags


# ------------------------------------------------------------------ rule 4: gaps in the epoch headers

def _epoch_gaps(ev: Evidence) -> list[Flag]:
    fit_cells = {f.cell for f in ev.fits}
    flags = []
    for cell, text in ev.outputs:
        if cell not in fit_cells or "Epoch " not in text or any(marker in text for marker in _TRUNCATED):
            continue
        previous: tuple[int, int] | None = None
        for m in HEADER.finditer(text):
            i, total = int(m.group(1)), int(m.group(2))
            if previous is not None and total == previous[1] and i > previous[0] + 1:
                a, b = previous[0], i
                flags.append(_flag(f"学習ログ（セル {cell}）で「Epoch {a}/{total}」の次が「Epoch {b}/{total}」です"
                                   f"（エポック {a + 1}〜{b - 1} がありません）。Keras はすべてのエポックを順に表示するため、"
                                   "ログの一部が削除されている可能性があります。",
                                   f"the training log (cell {cell}) goes from 'Epoch {a}/{total}' to 'Epoch {b}/{total}' "
                                   f"(epochs {a + 1}–{b - 1} are missing). Keras prints every epoch in order, so part of "
                                   "the log may have been deleted.", [cell]))
                break
            previous = (i, total)
    return flags


# ------------------------------------------------------------------ rule 5: history.history vs the fit log

def _fit_call_for(ev: Evidence, cell: int, names: frozenset[str]):
    """The fit call whose result the cell's code names (``print(result.history)``), the latest before it."""
    calls = [c for c in ev.code.calls if c.method in _FIT and c.cell is not None and c.cell <= cell
             and c.result is not None and c.result in names]
    return calls[-1] if calls else None


#: What Jupyter and Colab write when they drop part of a cell's output: the saved log is then honestly incomplete.
_TRUNCATED = ("IOPub message rate exceeded", "IOPub data rate exceeded", "Buffered data was truncated",
              "output size limit", "output truncated", "Output is truncated")


def _truncated(ev: Evidence, cell: int | None) -> bool:
    text = next((t for c, t in ev.outputs if c == cell), "")
    return any(marker in text for marker in _TRUNCATED)


def _interactive_k3(ev: Evidence, cell: int | None) -> bool:
    text = next((t for c, t in ev.outputs if c == cell), "")
    return "━" in text


def _history_vs_fit(ev: Evidence) -> list[Flag]:
    records = _records(ev)
    errors = set(ev.execution.error_cells)
    flags = []
    for h in ev.histories:
        if not h.values or h.cell is None:
            continue
        rec = records.get(h.cell)
        call = _fit_call_for(ev, h.cell, rec.names if rec else frozenset())
        if call is None or call.cell in errors or _truncated(ev, call.cell) or "validation_freq" in call.args:
            continue  # validation_freq: val_* lists are shorter and the log shows them on some epochs only
        if call.cell != h.cell:
            a, b = _count(ev, call.cell), _count(ev, h.cell)
            if a is None or b is None or b < a:
                continue  # order unknown, or the history was printed before the (last) training
        lengths = {len(v) for v in h.values.values()}
        if len(lengths) > 1 and "callbacks" in call.args:
            continue  # a callback may add its own key to the logs on some epochs only
        if len(lengths) > 1:
            detail = "、".join(f"{k}: {len(v)}" for k, v in h.values.items())
            flags.append(_flag(f"表示された history（セル {h.cell}）の項目ごとの件数が揃っていません（{detail}）。"
                               "Keras は毎エポックすべての項目を記録するため、値が編集されている可能性があります。",
                               f"the printed history (cell {h.cell}) has lists of different lengths ({detail.replace('、', ', ')}); "
                               "Keras records every metric every epoch, so the values may have been edited.", [h.cell]))
            continue
        entries = lengths.pop() if lengths else 0
        logs = [f for f in ev.fits if f.cell == call.cell]
        if len(logs) == 1:
            flags += _compare_history(ev, h, logs[0], call.args, entries)
        elif not logs:
            flags += _history_vs_epochs(h, call, entries)
    return flags


def _history_vs_epochs(h: History, call, entries: int) -> list[Flag]:
    epochs, start = call.args.get("epochs"), call.args.get("initial_epoch", 0)
    if not isinstance(epochs, int) or not isinstance(start, int):
        return []
    expected = epochs - start
    if entries == expected or (entries < expected and "callbacks" in call.args):
        return []
    return [_flag(f"表示された history（セル {h.cell}）は {entries} エポック分ですが、学習のコード（セル {call.cell}）は "
                  f"epochs={epochs} です" + ("（コールバックなしで途中終了はしません）" if entries < expected else "") +
                  "。コードを実行後に変更したか、出力が編集されている可能性があります。",
                  f"the printed history (cell {h.cell}) has {entries} epochs but the training code (cell {call.cell}) says "
                  f"epochs={epochs}" + (" (without callbacks training does not stop early)" if entries < expected else "") +
                  ". The code was changed after it ran, or the output was edited.", [h.cell, call.cell])]


def _compare_history(ev: Evidence, h: History, fit: Fit, args: dict, entries: int) -> list[Flag]:
    if entries != fit.epochs_run:
        return [_flag(f"表示された history（セル {h.cell}）は {entries} エポック分ですが、同じ学習のログ（セル {fit.cell}）は "
                      f"{fit.epochs_run} エポックです。ログか history が編集・差し替えられている可能性があります。",
                      f"the printed history (cell {h.cell}) has {entries} epochs but the log of the same training "
                      f"(cell {fit.cell}) has {fit.epochs_run}. The log or the history may have been edited or replaced.",
                      [h.cell, fit.cell])]
    only_val = fit.style == "keras3" and _interactive_k3(ev, fit.cell)
    assert h.values is not None
    by_name = {canonical_metric(k): v for k, v in h.values.items()}
    mismatches = []
    for e, logged in enumerate(fit.epochs):
        for key, shown in logged.items():
            name = canonical_metric(key)
            if (only_val and not name.startswith("val_")) or name not in by_name:
                continue
            value = by_name[name][e]
            if math.isnan(value) and math.isnan(shown):
                continue
            if not abs(value - shown) <= _keras_half_unit(shown) + _SLACK:
                mismatches.append((e + 1, key, shown, value))
    if not mismatches:
        return []
    shown_ja = "、".join(f"エポック {e} の {k}: ログ {s:.4f} / history {v!r}" for e, k, s, v in mismatches[:3])
    shown_en = "; ".join(f"epoch {e} {k}: log {s:.4f} / history {v!r}" for e, k, s, v in mismatches[:3])
    more = f" ほか {len(mismatches) - 3} 件" if len(mismatches) > 3 else ""
    more_en = f" and {len(mismatches) - 3} more" if len(mismatches) > 3 else ""
    note_ja, note_en = _history_ratio_note(fit, args, mismatches)
    return [_flag(f"表示された history（セル {h.cell}）の値が、同じ学習のログ（セル {fit.cell}）と小数第 4 位で一致しません: "
                  f"{shown_ja}{more}。{note_ja}ログか history が編集・差し替えられている可能性があります。",
                  f"the printed history (cell {h.cell}) disagrees with the log of the same training (cell {fit.cell}) at "
                  f"4 decimals: {shown_en}{more_en}.{note_en} The log or the history may have been edited or replaced.",
                  [h.cell, fit.cell])]


def _history_ratio_note(fit: Fit, args: dict, mismatches: list) -> tuple[str, str]:
    if fit.steps is None or fit.step_unit is None:
        return "", ""
    low, high = _samples(fit.steps, fit.step_unit, _batch(args) if fit.step_unit == "step" else None)
    if low is None:
        return "", ""
    split = args.get("validation_split")
    for _, key, _, value in mismatches:
        name = canonical_metric(key)
        if name == "accuracy":
            ja, en = _ratio_note(value, low, high, "学習データの正解率", "training accuracy", "学習データ", "training samples")
        elif name == "val_accuracy" and isinstance(split, (int, float)) and 0 < split < 1:
            vlow, vhigh = _validation_range(low, high, float(split))
            ja, en = _ratio_note(value, vlow, vhigh, "検証データの正解率", "validation accuracy", "検証データ",
                                 "validation samples")
        else:
            continue
        if ja:
            return ja, en
    return "", ""


def _validation_range(low: int, high: int, split: float) -> tuple[int, int]:
    """Validation sample counts when Keras keeps int(total × (1 − split)) of ``total`` samples for training."""
    counts = []
    for train in (low, high):
        total = int(train / (1 - split))
        for t in range(max(total - 3, 1), total + 4):
            if int(t * (1 - split)) in range(low, high + 1):
                counts.append(t - int(t * (1 - split)))
    return (min(counts), max(counts)) if counts else (0, -1)


# ------------------------------------------------------------------ rule 6: printed test result vs progress line

def evaluation_pairs(ev: Evidence) -> list[tuple[Evaluation, Evaluation, dict]]:
    """(printed or displayed result, the evaluate progress line it comes from, that evaluate call's arguments).

    Same cell: the cell shows as many progress lines as it has evaluate calls, and each print follows its line.
    Another cell: see ``_linked_progress``.
    """
    evaluate_calls: dict[int, list] = {}
    for c in ev.code.calls:
        if c.method in _EVALUATE and c.cell is not None:
            evaluate_calls.setdefault(c.cell, []).append(c)
    by_cell: dict[int, list[Evaluation]] = {}
    for e in ev.evaluations:
        if e.cell is not None:
            by_cell.setdefault(e.cell, []).append(e)
    pairs = []
    for cell, found in by_cell.items():
        progress = [e for e in found if e.source == "progress"]
        calls = evaluate_calls.get(cell, [])
        if progress:
            if len(progress) != len(calls):
                continue  # some evaluate calls printed nothing (verbose=0): which print belongs to which is unknown
            current, index = None, -1
            for e in found:
                if e.source == "progress":
                    current, index = e, index + 1
                elif current is not None:
                    pairs.append((e, current, calls[index].args))
        elif not calls:
            linked = _linked_progress(ev, cell, by_cell, evaluate_calls)
            if linked is not None:
                pairs += [(e, linked[0], linked[1]) for e in found]
    return pairs


def _printed_vs_progress(ev: Evidence) -> list[Flag]:
    loose_code = any(r.names & _LOOSE_CALLS for r in ev.fingerprints.cells)
    flags = []
    for printed, bar, args in evaluation_pairs(ev):
        flags += _compare_printed(printed, bar, args, loose_code)
    return flags


def _linked_progress(ev: Evidence, cell: int, by_cell: dict, evaluate_calls: dict):
    """The evaluate progress line of an earlier cell whose result this print cell shows: the cell names the
    variable the evaluate call assigned, ran right after it (no fit/evaluate cell ran in between), and that
    cell shows exactly one progress line for exactly one evaluate call."""
    records = _records(ev)
    names = records[cell].names if cell in records else frozenset()
    mine = _count(ev, cell)
    if mine is None:
        return None
    candidates = [c for c in ev.code.calls if c.method in _EVALUATE and c.cell is not None and c.cell < cell
                  and c.result is not None and c.result in names]
    if not candidates:
        return None
    call = candidates[-1]
    theirs = _count(ev, call.cell)
    progress = [e for e in by_cell.get(call.cell, []) if e.source == "progress"]
    if theirs is None or theirs >= mine or len(progress) != 1 or len(evaluate_calls.get(call.cell, [])) != 1:
        return None
    busy = {c.cell for c in ev.code.calls if c.method in _FIT + _EVALUATE}
    for r in ev.fingerprints.cells:
        if r.cell in busy and r.execution_count and theirs < r.execution_count < mine:
            return None
    return progress[0], call.args


def _compare_printed(e: Evaluation, bar: Evaluation, args: dict, loose_code: bool) -> list[Flag]:
    interactive = "━" in bar.text
    loose = interactive or loose_code
    flags = []
    for what, printed, logged in (("accuracy", e.accuracy, bar.accuracy), ("loss", e.loss, bar.loss)):
        if printed is None or logged is None:
            continue
        half = _printed_half_unit(e.text, printed)
        if half is None:
            continue
        tol = _keras_half_unit(logged) + half + _SLACK
        if loose:
            tol += K3_BAR_ACCURACY_TOL if what == "accuracy" else max(K3_BAR_LOSS_ABS_TOL, K3_BAR_LOSS_REL_TOL * abs(logged))
        diff = abs(printed - logged)
        if diff <= tol:
            continue
        why = ("Keras 3 の進捗バーの平均のずれを見込んだ許容幅" if interactive else
               "load_model / clone_model 後の進捗バーのずれを見込んだ許容幅" if loose else "表示の桁数による許容幅")
        why_en = ("allowing for the averaging of Keras 3 progress bars" if interactive else
                  "allowing for progress bars after load_model / clone_model" if loose else
                  "allowing for the printed digits")
        note_ja = note_en = ""
        if what == "accuracy":
            counted = _counter(bar.text)
            if counted is not None:
                low, high = _samples(counted[0], counted[1], _batch(args) if counted[1] == "step" else None)
                note_ja, note_en = _ratio_note(printed, low, high, "表示された正解率", "printed accuracy", "テストデータ",
                                               "test samples")
        label = "正解率" if what == "accuracy" else "損失"
        flags.append(_flag(f"表示されたテストの{label}「{e.text}」（セル {e.cell}）が、model.evaluate の進捗表示（セル {bar.cell}: "
                           f"{what} {logged:.4f}）と一致しません（差 {diff:.4f}、{why} {tol:.4f}）。{note_ja}"
                           "表示が打ち直されている可能性があります。",
                           f"the printed test {what} '{e.text}' (cell {e.cell}) disagrees with the model.evaluate progress "
                           f"line (cell {bar.cell}: {what} {logged:.4f}): difference {diff:.4f}, tolerance {tol:.4f} "
                           f"{why_en}.{note_en} The printed value may have been retyped.", [e.cell, bar.cell]))
    return flags


# ------------------------------------------------------------------ the execution record

def _evidence_cells(ev: Evidence) -> dict[int, list[tuple[str, str]]]:
    """Cells holding graded evidence, with what each holds (Japanese, English)."""
    found: dict[int, list[tuple[str, str]]] = {}

    def add(cell: int | None, ja: str, en: str) -> None:
        if cell is not None and (ja, en) not in found.setdefault(cell, []):
            found[cell].append((ja, en))

    for s in ev.summaries:
        add(s.cell, "model.summary", "model.summary")
    for f in ev.fits:
        add(f.cell, "学習ログ", "training log")
    for h in ev.histories:
        add(h.cell, "history", "history")
    for e in ev.evaluations:
        add(e.cell, "テストの評価", "test evaluation")
    for g in ev.figures:
        if g.learning_curve:
            add(g.cell, "学習曲線", "learning curve")
    return dict(sorted(found.items()))


def execution_flags(ev: Evidence, checks: Sequence[CheckResult] = ()) -> list[Flag]:
    """``not_executed``, ``error_output`` and ``out_of_order`` flags, each saying what the student should do."""
    flags = []
    ex = ev.execution
    records = ev.fingerprints.cells
    if ex.code_cells and ex.executed_cells == 0:
        flags.append(Flag("not_executed", f"どのコードセルも実行されていません。{_RERUN_JA}",
                          "no code cell was run. Restart the runtime, run all cells, then save."))
    else:
        graded = {c.cell for c in ev.code.calls if c.method in _FIT + _EVALUATE and c.cell is not None}
        unrun = tuple(r.cell for r in records if r.cell in graded and not r.outputs and not r.execution_count)
        if unrun:
            cells = "、".join(map(str, unrun))
            flags.append(Flag("not_executed",
                              f"model.fit / model.evaluate を呼ぶセルが実行されていません（セル {cells}）。{_RERUN_JA}",
                              f"cells that call model.fit / model.evaluate were not run (cell {', '.join(map(str, unrun))}). "
                              f"{_RERUN_EN}", cells=unrun))
    if ex.error_cells:
        cells = "、".join(str(c) for c in ex.error_cells)
        names = ", ".join(dict.fromkeys(ex.error_names))
        flags.append(Flag("error_output",
                          f"エラー（{names}）で止まったセルがあります（セル {cells}）。エラーを直し、{_RERUN_JA}",
                          f"cells stopped with an error ({names}) (cell {', '.join(map(str, ex.error_cells))}). "
                          "Fix it, restart the runtime, run all cells, then save.", cells=ex.error_cells))
    flags += guarded(_order_flags, ev)
    return flags


def _order_flags(ev: Evidence) -> list[Flag]:
    order = _order_flag(ev)
    return [order] if order is not None else []


def _order_flag(ev: Evidence) -> Flag | None:
    evidence = _evidence_cells(ev)
    records = _records(ev)
    uncounted = [c for c in evidence if c in records and records[c].outputs and not records[c].execution_count]
    counted = [(c, records[c].execution_count) for c in evidence if c in records and records[c].execution_count]
    backwards = [(a, b) for a, b in pairwise(counted) if b[1] < a[1]]  # type: ignore[operator]
    if not backwards and not uncounted:
        return None

    def what(cell: int, en: bool = False) -> str:
        return ("/" if en else "・").join(x[1] if en else x[0] for x in evidence[cell])

    parts_ja, parts_en, cells = [], [], set()
    for (a, ca), (b, cb) in backwards[:3]:
        parts_ja.append(f"セル {a}（{what(a)}）の実行番号 [{ca}] が、後ろのセル {b}（{what(b)}）の [{cb}] より大きく、"
                        f"セル {a} はセル {b} より後に実行されています")
        parts_en.append(f"cell {a} ({what(a, True)}) has execution count [{ca}], above the [{cb}] of the later cell {b} "
                        f"({what(b, True)}): cell {a} ran after cell {b}")
        cells |= {a, b}
    if uncounted:
        shown = "、".join(map(str, uncounted))
        parts_ja.append(f"出力があるのに実行番号のないセルがあり（セル {shown}）、実行の順番を確かめられません")
        parts_en.append(f"cells with outputs but no execution count ({', '.join(map(str, uncounted))}), so the order "
                        "they ran in cannot be checked")
        cells |= set(uncounted)
    return Flag("out_of_order",
                "。".join(parts_ja) + f"。出力が最後のコードと合っていない可能性があります。{_RERUN_JA}",
                "; ".join(parts_en) + f". The outputs may not match the final code. {_RERUN_EN}",
                cells=tuple(sorted(cells)))
