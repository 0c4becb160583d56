"""Integrity rule 6: a printed test accuracy or loss against the ``model.evaluate`` progress line of the same call.
Judging layer: pure functions of ``Evidence``; standard library and ``autograder.model`` only (never
``autograder.read``: a progress line's counter and bar style are fields of the ``Evaluation``).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.integrity.common import count, records, tampered
from autograder.judge.integrity.tolerances import (
    K3_BAR_ACCURACY_TOL,
    SLACK,
    batch_size,
    k3_bar_loss_tolerance,
    keras_half_unit,
    printed_half_unit,
    ratio_note,
    samples,
)
from autograder.model.evidence import Call, Evaluation, Evidence
from autograder.model.keras import EVALUATE_METHODS, FIT_METHODS
from autograder.model.results import Flag, FlagKind

__all__ = ["evaluation_pairs", "printed_vs_progress", "typed_results"]

_LOOSE_CALLS = frozenset({"load_model", "clone_model"})

Pair = tuple[Evaluation, Evaluation, Mapping[str, Any]]


def evaluation_pairs(ev: Evidence) -> list[Pair]:
    """(printed or displayed result, the evaluate progress line it comes from, that evaluate call's arguments).

    Same cell: the cell shows as many progress lines as it has evaluate calls, and each print follows its line.
    Another cell: see ``_linked_progress``.
    """
    evaluate_calls: dict[int, list[Call]] = {}
    for c in ev.code.calls:
        if c.method in EVALUATE_METHODS and c.cell is not None:
            evaluate_calls.setdefault(c.cell, []).append(c)
    by_cell: dict[int, list[Evaluation]] = {}
    for e in ev.evaluations:
        if e.cell is not None:
            by_cell.setdefault(e.cell, []).append(e)
    pairs: list[Pair] = []
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


def printed_vs_progress(ev: Evidence) -> list[Flag]:
    """Each printed or displayed test result against its progress line (tolerances: ``tolerances``)."""
    loose_code = any(r.names & _LOOSE_CALLS for r in ev.fingerprints.cells)
    flags = []
    for printed, bar, args in evaluation_pairs(ev):
        flags += _compare_printed(printed, bar, args, loose_code)
    return flags


def _linked_progress(ev: Evidence, cell: int, by_cell: dict[int, list[Evaluation]],
                     evaluate_calls: dict[int, list[Call]]) -> tuple[Evaluation, Mapping[str, Any]] | None:
    """The evaluate progress line of an earlier cell whose result this print cell shows: the cell names the
    variable the evaluate call assigned, ran right after it (no fit/evaluate cell ran in between), and that
    cell shows exactly one progress line for exactly one evaluate call."""
    cells = records(ev)
    names = cells[cell].names if cell in cells else frozenset()
    mine = count(ev, cell)
    if mine is None:
        return None
    candidates = [c for c in ev.code.calls if c.method in EVALUATE_METHODS and c.cell is not None and c.cell < cell
                  and c.result is not None and c.result in names]
    if not candidates:
        return None
    call = candidates[-1]
    theirs = count(ev, call.cell)
    if call.cell is None or theirs is None:
        return None
    progress = [e for e in by_cell.get(call.cell, []) if e.source == "progress"]
    if theirs >= mine or len(progress) != 1 or len(evaluate_calls.get(call.cell, [])) != 1:
        return None
    busy = {c.cell for c in ev.code.calls if c.method in FIT_METHODS + EVALUATE_METHODS}
    for r in ev.fingerprints.cells:
        if r.cell in busy and r.execution_count and theirs < r.execution_count < mine:
            return None
    return progress[0], call.args


def _tolerance(what: str, logged: float, half: float, loose: bool) -> float:
    tol = keras_half_unit(logged) + half + SLACK
    if loose:
        tol += K3_BAR_ACCURACY_TOL if what == "accuracy" else k3_bar_loss_tolerance(logged)
    return tol


def _accuracy_note(printed: float, bar: Evaluation, args: Mapping[str, Any]) -> tuple[str, str]:
    """The k/N arithmetic for a printed test accuracy, N from the progress line's counter."""
    if bar.steps is None or bar.step_unit is None:
        return "", ""
    low, high = samples(bar.steps, bar.step_unit, batch_size(args) if bar.step_unit == "step" else None)
    return ratio_note(printed, low, high, "表示された正解率", "printed accuracy", "テストデータ", "test samples")


def _compare_printed(e: Evaluation, bar: Evaluation, args: Mapping[str, Any], loose_code: bool) -> list[Flag]:
    interactive = bar.interactive
    loose = interactive or loose_code
    flags = []
    for what, printed, logged in (("accuracy", e.accuracy, bar.accuracy), ("loss", e.loss, bar.loss)):
        if printed is None or logged is None:
            continue
        half = printed_half_unit(e.text, printed)
        if half is None:
            continue
        tol = _tolerance(what, logged, half, loose)
        diff = abs(printed - logged)
        if diff <= tol:
            continue
        why = ("Keras 3 の進捗バーの平均のずれを見込んだ許容幅" if interactive else
               "load_model / clone_model 後の進捗バーのずれを見込んだ許容幅" if loose else "表示の桁数による許容幅")
        why_en = ("allowing for the averaging of Keras 3 progress bars" if interactive else
                  "allowing for progress bars after load_model / clone_model" if loose else
                  "allowing for the printed digits")
        note_ja, note_en = _accuracy_note(printed, bar, args) if what == "accuracy" else ("", "")
        label = "正解率" if what == "accuracy" else "損失"
        flags.append(tampered(f"表示されたテストの{label}「{e.text}」（セル {e.cell}）が、model.evaluate の進捗表示（セル {bar.cell}: "
                              f"{what} {logged:.4f}）と一致しません（差 {diff:.4f}、{why} {tol:.4f}）。{note_ja}"
                              "表示が打ち直されている可能性があります。",
                              f"the printed test {what} '{e.text}' (cell {e.cell}) disagrees with the model.evaluate progress "
                              f"line (cell {bar.cell}: {what} {logged:.4f}): difference {diff:.4f}, tolerance {tol:.4f} "
                              f"{why_en}.{note_en} The printed value may have been retyped.", [e.cell, bar.cell]))
    return flags


def typed_results(ev: Evidence) -> list[Flag]:
    """Rule 7: a printed test result whose whole line is written in the code (``print("Test accuracy: 0.97")``,
    a name bound to a constant, an f-string of constants): shown, but computed by nothing (``Evaluation.typed``)."""
    flags = []
    for e in ev.evaluations:
        if e.typed:
            flags.append(Flag(
                FlagKind.TAMPERED_OUTPUT,
                f"セル {e.cell} の「{e.text}」は、数値がコードに直接書かれた print の出力で、model.evaluate などで計算された"
                "結果ではありません。テスト正解率としては扱いません。教員が確認します。"
                "計算結果を表示するには print('Test accuracy:', score[1]) のように evaluate の戻り値を表示してください。",
                f"'{e.text}' in cell {e.cell} is printed from a number written in the code, not computed by "
                "model.evaluate or similar; it is not taken as the test accuracy. An instructor will review it. "
                "To show the result, print the value evaluate returns, e.g. print('Test accuracy:', score[1]).",
                cells=(e.cell,) if e.cell is not None else ()))
    return flags
