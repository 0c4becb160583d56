"""Checks of the category ``history``: the training record, the best epoch, the over-fitting gap. Standard library only.

The record is a fit log or a printed ``history`` dict; the facts of a run come from ``autograder.judge.metrics``.
Pure functions of evidence values.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.checks.common import _cells, _has_keys, _labelled_lines
from autograder.judge.metrics import Run, best_epoch, best_epochs, last_gap, series, training_runs
from autograder.judge.registry import Param, kind
from autograder.model.evidence import Evidence, Fit
from autograder.model.results import Outcome, Status


def _run_epochs(run: Run) -> int | None:
    return run.epochs_run if isinstance(run, Fit) else run.epochs


def _run_keys(run: Run) -> tuple[str, ...]:
    return run.metrics if isinstance(run, Fit) else run.keys


@kind("history", keys=Param((list,), required=True, list_of=(str,)), epochs=Param((int,)), count=Param((int,)),
      printed=Param((bool,)))
def check_history(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
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

    candidates: list[Run] = [*fits, *histories]
    passed = [ok(r) for r in candidates]  # once per run: a fit's metric names are found by reading every epoch
    good = max(sum(passed[:len(fits)]), sum(passed[len(fits):]))
    if good >= count:
        matched = [r for r, yes in zip(candidates, passed, strict=True) if yes]
        return Outcome(Status.PASS,
                       f"{', '.join(keys)} が{f' {epochs} エポック分' if epochs else ''}記録されています（セル {_cells(matched)}）。",
                       f"{', '.join(keys)} recorded{f' for {epochs} epochs' if epochs else ''} (cell {_cells(matched, ', ')}).",
                       next(r.cell for r in reversed(matched)))  # StopIteration when none (count < 1), as before
    found = "、".join(f"セル {r.cell}: {_epochs_ja(r)}（{', '.join(_run_keys(r)) or 'キーなし'}）" for r in candidates)
    found_en = "; ".join(f"cell {r.cell}: {_epochs_en(r)} ({', '.join(_run_keys(r)) or 'no keys'})" for r in candidates)
    need = f"{count} 回の学習それぞれに" if count > 1 else ""
    need_en = f"each of {count} training runs needs " if count > 1 else "needs "
    return Outcome(Status.FAIL, f"{need}{', '.join(keys)} が{f' {epochs} エポック分' if epochs else ''}必要です。見つかったもの: {found}。"
                   "validation_split を指定し、エポック数を確認してください。",
                   f"{need_en}{', '.join(keys)}{f' for {epochs} epochs' if epochs else ''}. Found: {found_en}. "
                   "Set validation_split and check the number of epochs.", candidates[-1].cell)


@kind("best_epoch")
def check_best_epoch(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    runs = training_runs(ev)
    val_loss = series(runs[-1], "val_loss") if runs else []
    if not val_loss:
        return Outcome(Status.MISSING, "val_loss の記録が見つからないため、最良のエポックを確認できません。",
                       "no val_loss record was found, so the best epoch cannot be confirmed.")
    best = best_epoch(val_loss)
    if best is None:
        return Outcome(Status.FAIL, "val_loss の記録に有限の値がありません（nan や inf だけです）。学習がうまくいっていません。",
                       "the val_loss record has no finite value (only nan or inf): training did not work.", runs[-1].cell)
    lines = _labelled_lines(ev, ("best epoch", "best_epoch", "最良のエポック", "最良エポック", "ベストエポック", "ベストなエポック"))
    if not lines:
        return Outcome(Status.MISSING, f"「best epoch: {best}」のように、val_loss が最小のエポックを表示してください。",
                       f"print the epoch with the lowest val_loss, e.g. 'best epoch: {best}'.")
    tied = best_epochs(val_loss)  # epochs whose val_loss prints the same lowest value: each is right
    for cell, numbers, _line in reversed(lines):
        if numbers and int(numbers[0]) == numbers[0] and int(numbers[0]) in {*tied, *(b - 1 for b in tied)}:
            base = "1 から数えて" if int(numbers[0]) in tied else "0 から数えて"
            base_en = "counting from 1" if int(numbers[0]) in tied else "counting from 0"
            return Outcome(Status.PASS, f"最良のエポック {int(numbers[0])}（{base}）は val_loss の記録と一致します。",
                           f"best epoch {int(numbers[0])} ({base_en}) agrees with the val_loss record.", cell)
    cell, _, line = lines[-1]
    return Outcome(Status.FAIL, f"表示された最良のエポック「{line}」が、val_loss が最小のエポック {best} と一致しません。",
                   f"the printed best epoch '{line}' does not match the epoch with the lowest val_loss ({best}).", cell)


@kind("overfitting_gap")
def check_overfitting_gap(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    runs = [r for r in training_runs(ev) if series(r, "loss") and series(r, "val_loss")]
    if len(runs) < 2:
        return Outcome(Status.MISSING, "loss と val_loss のある学習が 2 回（Dropout なし・あり）必要です。両方の学習ログを残してください。",
                       "two training runs with loss and val_loss (without and with Dropout) are needed; keep both logs.")
    first, last = runs[0], runs[-1]
    gap_first, gap_last = last_gap(first), last_gap(last)
    if gap_first is None or gap_last is None:
        bad = [(ja, en, r.cell) for ja, en, r, gap in (("Dropout なし", "without Dropout", first, gap_first),
                                                        ("Dropout あり", "with Dropout", last, gap_last)) if gap is None]
        where = "、".join(f"{ja}（セル {cell}）" for ja, _, cell in bad)
        where_en = ", ".join(f"{en} (cell {cell})" for _, en, cell in bad)
        return Outcome(Status.FAIL, f"最後のエポックの loss か val_loss が有限の値ではありません（nan や inf です。{where}）。"
                       "学習がうまくいっていません。",
                       f"the last epoch's loss or val_loss is not finite (nan or inf; {where_en}): training did not work.",
                       bad[-1][2])
    detail = f"Dropout なし（セル {first.cell}）: {gap_first:.4f}、Dropout あり（セル {last.cell}）: {gap_last:.4f}"
    detail_en = f"without Dropout (cell {first.cell}): {gap_first:.4f}, with Dropout (cell {last.cell}): {gap_last:.4f}"
    if gap_last < gap_first:
        return Outcome(Status.PASS, f"最後のエポックの val_loss − loss は {detail} で、Dropout ありの方が小さくなっています。",
                       f"val_loss − loss at the last epoch: {detail_en}; smaller with Dropout.", last.cell)
    return Outcome(Status.FAIL, f"最後のエポックの val_loss − loss は {detail} で、Dropout ありの方が小さくなっていません。",
                   f"val_loss − loss at the last epoch: {detail_en}; not smaller with Dropout.", last.cell)


def _epochs_ja(run: Run) -> str:
    """``12 エポック``, or words when the count cannot be read (never 「? エポック」)."""
    n = _run_epochs(run)
    return f"{n} エポック" if n is not None else "エポック数は読み取れません"


def _epochs_en(run: Run) -> str:
    n = _run_epochs(run)
    return f"{n} epochs" if n is not None else "epoch count unreadable"
