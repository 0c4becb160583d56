"""The execution record of one notebook: cells never run, cells stopped by an error, evidence run out of order.
Judging layer: pure functions of ``Evidence``; standard library and ``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

from itertools import pairwise

from autograder.judge.integrity.common import RERUN_EN, RERUN_JA, records
from autograder.model.evidence import Evidence
from autograder.model.keras import EVALUATE_METHODS, FIT_METHODS
from autograder.model.results import Flag, FlagKind

__all__ = ["error_flags", "not_executed_flags", "order_flags"]


def not_executed_flags(ev: Evidence) -> list[Flag]:
    """No code cell was run, or cells that call ``fit``/``evaluate`` were never run."""
    ex = ev.execution
    if ex.code_cells and ex.executed_cells == 0:
        return [Flag(FlagKind.NOT_EXECUTED, f"どのコードセルも実行されていません。{RERUN_JA}",
                     "no code cell was run. Restart the runtime, run all cells, then save.")]
    graded = {c.cell for c in ev.code.calls if c.method in FIT_METHODS + EVALUATE_METHODS and c.cell is not None}
    unrun = tuple(r.cell for r in ev.fingerprints.cells if r.cell in graded and not r.outputs and not r.execution_count)
    if not unrun:
        return []
    cells = "、".join(map(str, unrun))
    return [Flag(FlagKind.NOT_EXECUTED,
                 f"model.fit / model.evaluate を呼ぶセルが実行されていません（セル {cells}）。{RERUN_JA}",
                 f"cells that call model.fit / model.evaluate were not run (cell {', '.join(map(str, unrun))}). "
                 f"{RERUN_EN}", cells=unrun)]


def error_flags(ev: Evidence) -> list[Flag]:
    """Cells whose output shows a traceback."""
    ex = ev.execution
    if not ex.error_cells:
        return []
    cells = "、".join(str(c) for c in ex.error_cells)
    names = ", ".join(dict.fromkeys(ex.error_names))
    return [Flag(FlagKind.ERROR_OUTPUT,
                 f"エラー（{names}）で止まったセルがあります（セル {cells}）。エラーを直し、{RERUN_JA}",
                 f"cells stopped with an error ({names}) (cell {', '.join(map(str, ex.error_cells))}). "
                 "Fix it, restart the runtime, run all cells, then save.", cells=ex.error_cells)]


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


def order_flags(ev: Evidence) -> list[Flag]:
    """``out_of_order``: execution counts that go backwards between the cells holding graded evidence, or evidence
    outputs without an execution count."""
    order = _order_flag(ev)
    return [order] if order is not None else []


def _order_flag(ev: Evidence) -> Flag | None:
    evidence = _evidence_cells(ev)
    cells = records(ev)
    uncounted = [c for c in evidence if c in cells and cells[c].outputs and not cells[c].execution_count]
    counted = [(c, n) for c in evidence if c in cells and (n := cells[c].execution_count)]
    backwards = [(a, b) for a, b in pairwise(counted) if b[1] < a[1]]
    if not backwards and not uncounted:
        return None

    def what(cell: int, en: bool = False) -> str:
        return ("/" if en else "・").join(x[1] if en else x[0] for x in evidence[cell])

    parts_ja, parts_en, involved = [], [], set()
    for (a, ca), (b, cb) in backwards[:3]:
        parts_ja.append(f"セル {a}（{what(a)}）の実行番号 [{ca}] が、後ろのセル {b}（{what(b)}）の [{cb}] より大きく、"
                        f"セル {a} はセル {b} より後に実行されています")
        parts_en.append(f"cell {a} ({what(a, True)}) has execution count [{ca}], above the [{cb}] of the later cell {b} "
                        f"({what(b, True)}): cell {a} ran after cell {b}")
        involved |= {a, b}
    if uncounted:
        shown = "、".join(map(str, uncounted))
        parts_ja.append(f"出力があるのに実行番号のないセルがあり（セル {shown}）、実行の順番を確かめられません")
        parts_en.append(f"cells with outputs but no execution count ({', '.join(map(str, uncounted))}), so the order "
                        "they ran in cannot be checked")
        involved |= set(uncounted)
    return Flag(FlagKind.OUT_OF_ORDER,
                "。".join(parts_ja) + f"。出力が最後のコードと合っていない可能性があります。{RERUN_JA}",
                "; ".join(parts_en) + f". The outputs may not match the final code. {RERUN_EN}",
                cells=tuple(sorted(involved)))
