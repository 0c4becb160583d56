"""The execution record of one notebook: cells never run, cells stopped by an error, evidence run out of order.
Judging layer: pure functions of ``Evidence``; standard library and ``autograder.model`` only (never ``autograder.read``).

Session traces (``session_flag``): Keras names models and layers by counters of the Python session (``sequential``,
``sequential_1``, ``dense_2`` …). A notebook whose execution counts claim one clean top-to-bottom run in a fresh
kernel (the counted cells are exactly ``[1], [2], … [k]`` in cell order) but whose first ``model.summary()`` names
``sequential_N`` with more earlier models than its code built before it was run in a session that had already built
models: it was re-run in a live session and renumbered, so the outputs may not come from the code shown. Standalone
Keras ≤ 2.2 numbers from 1 (a fresh session's first model is ``sequential_1``); tf.keras ≥ 2.x and Keras 3 from 0
(``sequential``). The numbering is known to start at 0 only when a summary shows a bare name (``sequential``, or a
layer named exactly as its type: ``dense``) or a fit log counts steps (TensorFlow ≥ 2.2's tf.keras, Keras 3); else
the lenient 1 is assumed. Skipped (no flag) when a cell up to the summary could build models more often than its
code shows: a loop, a function or ``lambda``, ``exec``/``eval``, ``load_model``/``clone_model``/``model_from_*``,
``%run``. Measured on the 37 real notebooks of ../shared/corpus/real, the samples and the course solutions: no
honest notebook has clean counts and a first model above its code's count (the clean ones all show ``sequential``);
the re-run ones (``sequential_80``, ``sequential_19`` …) all have counts that already say so.
"""
from __future__ import annotations

import re
from itertools import pairwise

from autograder.judge.integrity.common import RERUN_EN, RERUN_JA, records
from autograder.model.evidence import Evidence
from autograder.model.keras import EVALUATE_METHODS, FIT_METHODS
from autograder.model.results import Flag, FlagKind

__all__ = ["error_flags", "not_executed_flags", "order_flags", "session_flag"]

_MODEL_NAME = re.compile(r"^sequential(?:_(\d+))?$")
_COUNTER = re.compile(r"_\d+$")
_MAY_BUILD_MORE = frozenset({"for", "while", "def", "lambda", "exec", "eval", "load_model", "clone_model",
                             "model_from_json", "model_from_yaml", "model_from_config", "from_config", "run",
                             "import_module", "reload"})


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
    outputs without an execution count; or a session trace that contradicts a clean run (``session_flag``)."""
    return [f for f in (_order_flag(ev), session_flag(ev)) if f is not None]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _first_index(ev: Evidence) -> int:
    """Where this Keras starts its name counters: 0 when a summary shows a bare default name, else 1."""
    for s in ev.summaries:
        if s.model == "sequential" or any(layer.name == _snake(layer.type) for layer in s.layers):
            return 0
    # per-step counters (``1875/1875 … ms/step``) are TensorFlow ≥ 2.2's tf.keras or Keras 3, both counting from 0
    return 0 if ev.keras == "keras3" or any(f.step_unit == "step" for f in ev.fits) else 1


def session_flag(ev: Evidence) -> Flag | None:
    """``out_of_order`` when the first summary's model name says earlier models were built in the session,
    though the execution counts claim a clean top-to-bottom run (see the module docstring)."""
    cells = records(ev)
    counted = [r.execution_count for r in ev.fingerprints.cells if r.execution_count]
    if not counted or counted != list(range(1, len(counted) + 1)):
        return None  # no clean run claimed: the counts already tell (``_order_flag``)
    named = sorted((s for s in ev.summaries if s.cell is not None and s.model), key=lambda s: s.cell or 0)
    match = _MODEL_NAME.match(named[0].model or "") if named else None
    if match is None:
        return None
    first = named[0]
    shown = int(match.group(1) or 0)
    cell = first.cell if first.cell is not None else -1
    upto = [r for c, r in cells.items() if c <= cell]
    if not (cell in cells and cells[cell].execution_count) or any(r.names & _MAY_BUILD_MORE for r in upto):
        return None
    built = sum(1 for m in ev.code.models if m.cell is not None and m.cell <= cell)
    earlier = shown - _first_index(ev)  # models this session built before the one shown
    if built == 0 or earlier < built:
        return None
    n = cells[cell].execution_count
    return Flag(FlagKind.OUT_OF_ORDER,
                f"セル {cell} の model.summary() のモデル名が「{first.model}」です。Keras はモデルを作るたびに名前の番号を"
                f"増やすので、このモデルの前に同じセッションで {earlier} 個のモデルが作られていたことになりますが、"
                f"コードでこのモデルより前に作られるモデルは {built - 1} 個だけです。実行番号（[1] から [{n}] まで順番どおり）は新しい"
                f"セッションで上から一度だけ実行したように見えますが、実際には実行中のセッションで実行し直されています。"
                f"出力が最後のコードと合っていない可能性があります。{RERUN_JA}",
                f"the model.summary() of cell {cell} names the model '{first.model}'. Keras numbers a model's name by "
                f"the models built before it in the session, so {earlier} model(s) had been built before this one, but "
                f"the code builds only {built - 1} before it. The execution counts ([1] to [{n}] in order) look like one "
                f"top-to-bottom run in a fresh session, yet it was run again in a live session. The outputs may not "
                f"match the final code. {RERUN_EN}", cells=(cell,))


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
