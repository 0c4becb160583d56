"""Integrity rules 3–5: a training log against its ``epochs=``, against gaps in its own epoch headers, and against
the printed ``history.history`` of the same fit call. Judging layer: pure functions of ``Evidence``; standard library
and ``autograder.model`` only (never ``autograder.read``: the log's headers and truncation are fields of the evidence).
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from autograder.judge.integrity.common import count, records, tampered
from autograder.judge.integrity.tolerances import SLACK, batch_size, keras_half_unit, ratio_note, samples
from autograder.model.evidence import Call, Evidence, Fit, History
from autograder.model.keras import FIT_METHODS, canonical_metric
from autograder.model.results import Flag

__all__ = ["epoch_gaps", "fit_vs_code", "history_vs_fit"]


# ------------------------------------------------------------------ rule 3: fit log vs epochs= in the code

def fit_vs_code(ev: Evidence) -> list[Flag]:
    """``Epoch i/N`` of a log shows ``N`` = the ``epochs=`` of the fit call behind it."""
    flags = []
    for f in ev.fits:
        if f.epochs_arg is None or f.epochs_total is None or f.epochs_total == f.epochs_arg:
            continue
        flags.append(tampered(f"学習ログ（セル {f.cell}）は「Epoch …/{f.epochs_total}」ですが、"
                              f"同じセルのコードは epochs={f.epochs_arg} です。"
                              "コードを実行後に変更したか、ログが貼り付け・編集されている可能性があります。",
                              f"the training log (cell {f.cell}) shows 'Epoch …/{f.epochs_total}' but the code of that cell says "
                              f"epochs={f.epochs_arg}. The code was changed after it ran, or the log was pasted or edited.",
                              [f.cell]))
    return flags


# ------------------------------------------------------------------ rule 4: gaps in the epoch headers

def epoch_gaps(ev: Evidence) -> list[Flag]:
    """The epoch headers of one run have no gap (``Epoch 9/30`` then ``Epoch 21/30``); the first gap of a cell is
    flagged, and a cell whose output was truncated by the frontend is skipped."""
    cells = records(ev)
    flagged: set[int] = set()
    flags = []
    for f in ev.fits:
        if f.cell is None or f.cell in flagged:
            continue
        rec = cells.get(f.cell)
        if rec is not None and rec.truncated:
            continue
        gap = next(((a, b) for a, b in pairwise(f.headers) if b > a + 1), None)
        if gap is None:
            continue
        a, b = gap
        total, cell = f.epochs_total, f.cell
        flags.append(tampered(f"学習ログ（セル {cell}）で「Epoch {a}/{total}」の次が「Epoch {b}/{total}」です"
                              f"（エポック {a + 1}〜{b - 1} がありません）。Keras はすべてのエポックを順に表示するため、"
                              "ログの一部が削除されている可能性があります。",
                              f"the training log (cell {cell}) goes from 'Epoch {a}/{total}' to 'Epoch {b}/{total}' "
                              f"(epochs {a + 1}–{b - 1} are missing). Keras prints every epoch in order, so part of "
                              "the log may have been deleted.", [cell]))
        flagged.add(cell)
    return flags


# ------------------------------------------------------------------ rule 5: history.history vs the fit log

def _fit_call_for(ev: Evidence, cell: int, names: frozenset[str]) -> Call | None:
    """The fit call whose result the cell's code names (``print(result.history)``), the latest before it."""
    calls = [c for c in ev.code.calls if c.method in FIT_METHODS and c.cell is not None and c.cell <= cell
             and c.result is not None and c.result in names]
    return calls[-1] if calls else None


def history_vs_fit(ev: Evidence) -> list[Flag]:
    """A printed ``history.history`` against the log of the same fit call (or its ``epochs=`` without a log)."""
    cells = records(ev)
    errors = set(ev.execution.error_cells)
    flags = []
    for h in ev.histories:
        if not h.values or h.cell is None:
            continue
        rec = cells.get(h.cell)
        call = _fit_call_for(ev, h.cell, rec.names if rec else frozenset())
        if call is None or call.cell is None or call.cell in errors or "validation_freq" in call.args:
            continue  # validation_freq: val_* lists are shorter and the log shows them on some epochs only
        fit_rec = cells.get(call.cell)
        if fit_rec is not None and fit_rec.truncated:
            continue  # Jupyter or Colab dropped part of the log: honestly incomplete
        if call.cell != h.cell:
            a, b = count(ev, call.cell), count(ev, h.cell)
            if a is None or b is None or b < a:
                continue  # order unknown, or the history was printed before the (last) training
        lengths = {len(v) for v in h.values.values()}
        if len(lengths) > 1 and "callbacks" in call.args:
            continue  # a callback may add its own key to the logs on some epochs only
        if len(lengths) > 1:
            detail = "、".join(f"{k}: {len(v)}" for k, v in h.values.items())
            flags.append(tampered(f"表示された history（セル {h.cell}）の項目ごとの件数が揃っていません（{detail}）。"
                                  "Keras は毎エポックすべての項目を記録するため、値が編集されている可能性があります。",
                                  f"the printed history (cell {h.cell}) has lists of different lengths "
                                  f"({detail.replace('、', ', ')}); "
                                  "Keras records every metric every epoch, so the values may have been edited.", [h.cell]))
            continue
        entries = lengths.pop() if lengths else 0
        logs = [f for f in ev.fits if f.cell == call.cell]
        if len(logs) == 1:
            flags += _compare_history(h, logs[0], call.args, entries)
        elif not logs:
            flags += _history_vs_epochs(h, call, entries)
    return flags


def _history_vs_epochs(h: History, call: Call, entries: int) -> list[Flag]:
    epochs, start = call.args.get("epochs"), call.args.get("initial_epoch", 0)
    if not isinstance(epochs, int) or not isinstance(start, int):
        return []
    expected = epochs - start
    if entries == expected or (entries < expected and "callbacks" in call.args):
        return []
    return [tampered(f"表示された history（セル {h.cell}）は {entries} エポック分ですが、学習のコード（セル {call.cell}）は "
                     f"epochs={epochs} です" + ("（コールバックなしで途中終了はしません）" if entries < expected else "") +
                     "。コードを実行後に変更したか、出力が編集されている可能性があります。",
                     f"the printed history (cell {h.cell}) has {entries} epochs but the training code (cell {call.cell}) says "
                     f"epochs={epochs}" + (" (without callbacks training does not stop early)" if entries < expected else "") +
                     ". The code was changed after it ran, or the output was edited.", [h.cell, call.cell])]


def _mismatches(h: History, fit: Fit) -> list[tuple[int, str, float, float]]:
    """(epoch, metric, logged, history) where the history differs from the log by more than Keras' rounding. Of a
    Keras 3 interactive log only ``val_*`` are compared (its bars show averages of running averages)."""
    only_val = fit.style == "keras3" and fit.interactive
    assert h.values is not None
    by_name = {canonical_metric(k): v for k, v in h.values.items()}
    found = []
    for e, logged in enumerate(fit.epochs):
        for key, shown in logged.items():
            name = canonical_metric(key)
            if (only_val and not name.startswith("val_")) or name not in by_name:
                continue
            value = by_name[name][e]
            if math.isnan(value) and math.isnan(shown):
                continue
            if not abs(value - shown) <= keras_half_unit(shown) + SLACK:
                found.append((e + 1, key, shown, value))
    return found


def _compare_history(h: History, fit: Fit, args: Mapping[str, Any], entries: int) -> list[Flag]:
    if entries != fit.epochs_run:
        return [tampered(f"表示された history（セル {h.cell}）は {entries} エポック分ですが、同じ学習のログ（セル {fit.cell}）は "
                         f"{fit.epochs_run} エポックです。ログか history が編集・差し替えられている可能性があります。",
                         f"the printed history (cell {h.cell}) has {entries} epochs but the log of the same training "
                         f"(cell {fit.cell}) has {fit.epochs_run}. The log or the history may have been edited or replaced.",
                         [h.cell, fit.cell])]
    mismatches = _mismatches(h, fit)
    if not mismatches:
        return []
    shown_ja = "、".join(f"エポック {e} の {k}: ログ {s:.4f} / history {v!r}" for e, k, s, v in mismatches[:3])
    shown_en = "; ".join(f"epoch {e} {k}: log {s:.4f} / history {v!r}" for e, k, s, v in mismatches[:3])
    more = f" ほか {len(mismatches) - 3} 件" if len(mismatches) > 3 else ""
    more_en = f" and {len(mismatches) - 3} more" if len(mismatches) > 3 else ""
    note_ja, note_en = _history_ratio_note(fit, args, mismatches)
    return [tampered(f"表示された history（セル {h.cell}）の値が、同じ学習のログ（セル {fit.cell}）と小数第 4 位で一致しません: "
                     f"{shown_ja}{more}。{note_ja}ログか history が編集・差し替えられている可能性があります。",
                     f"the printed history (cell {h.cell}) disagrees with the log of the same training (cell {fit.cell}) at "
                     f"4 decimals: {shown_en}{more_en}.{note_en} The log or the history may have been edited or replaced.",
                     [h.cell, fit.cell])]


def _history_ratio_note(fit: Fit, args: Mapping[str, Any],
                        mismatches: list[tuple[int, str, float, float]]) -> tuple[str, str]:
    if fit.steps is None or fit.step_unit is None:
        return "", ""
    low, high = samples(fit.steps, fit.step_unit, batch_size(args) if fit.step_unit == "step" else None)
    if low is None or high is None:
        return "", ""
    split = args.get("validation_split")
    for _, key, _, value in mismatches:
        name = canonical_metric(key)
        if name == "accuracy":
            ja, en = ratio_note(value, low, high, "学習データの正解率", "training accuracy", "学習データ", "training samples")
        elif name == "val_accuracy" and isinstance(split, (int, float)) and 0 < split < 1:
            vlow, vhigh = _validation_range(low, high, float(split))
            ja, en = ratio_note(value, vlow, vhigh, "検証データの正解率", "validation accuracy", "検証データ",
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
