"""Which results belong to which model, and the one test-accuracy rule; standard library only (reading layer).

Never imports judging. ``extract`` calls these once; grading, ``inspect`` and the feedback page all read the
``Evidence.test_accuracy`` and the ``not_taken`` reasons they leave on every other result.

The test-accuracy rule (README, "Test accuracy"): the accuracy of the model as finally trained.

* A printed line whose whole text is written in the code (``print("Test accuracy: 0.97")``, a name bound to a
  constant, an f-string of constants) is not a result: ``typed``.
* A result of an ``evaluate`` call whose model the code names (``CodeFacts.models``) counts only when that model
  was trained (a ``fit`` of it, or a ``fit`` of a model the code cannot name, at or before the result's cell:
  else ``untrained``; a notebook that shows no training at all is judged by the fit checks, not here) and no
  training of it (or of a model the code cannot name) follows (``retrained``).
* A result the code cannot tie to a model counts only when no training at all follows it (``before_training``).
* Of the results left, those shown after the last training of any model when there are some (the model trained
  last), else those of the last cell showing one (the model evaluated last); of these the last labelled print,
  else the last displayed value, else the last progress line (``superseded`` for the others).
"""
from __future__ import annotations

from dataclasses import replace

from autograder.model.evidence import CodeFacts, Evaluation, Fit, Summary
from autograder.model.keras import EVALUATE_METHODS, FIT_METHODS

__all__ = ["NOT_TAKEN", "bind_summaries", "choose_test_accuracy", "typed"]

NOT_TAKEN: dict[str, tuple[str, str]] = {
    "typed": ("数値がコードに直接書かれた表示で、計算結果ではありません",
              "the number is written in the code, not computed"),
    "untrained": ("学習（fit）していないモデルの評価です", "it evaluates a model that was never trained (fit)"),
    "retrained": ("この評価の後に同じモデルをさらに学習しています", "the same model is trained again after it"),
    "before_training": ("この後に学習（fit）が行われています", "training (fit) follows it"),
    "no_accuracy": ("正解率の値がありません", "it shows no accuracy"),
    "superseded": ("別の結果を採用しました（ラベル付きの表示、後のセルを優先）",
                   "another result is taken (labelled prints and later cells first)"),
}


def typed(evaluations: list[Evaluation], code: CodeFacts) -> list[Evaluation]:
    """Mark printed results whose line is the whole text of a constant ``print`` of that cell (or of a def)."""
    lines: dict[int | None, set[str]] = {}
    for cell, text in code.typed_prints:
        lines.setdefault(cell, set()).update(line.strip() for line in text.split("\n"))
    anywhere = lines.get(None, set())
    return [replace(e, typed=True) if e.source == "print" and (e.text in lines.get(e.cell, set()) or e.text in anywhere)
            else e for e in evaluations]


def _models_by_cell(code: CodeFacts, methods: tuple[str, ...]) -> dict[int, set[int | None]]:
    by_cell: dict[int, set[int | None]] = {}
    for c in code.calls:
        if c.method in methods and c.cell is not None:
            by_cell.setdefault(c.cell, set()).add(c.model)
    return by_cell


def _trainings(fits: list[Fit], code: CodeFacts) -> list[tuple[int, int | None]]:
    """(cell, model or None) of every training: the cells with a fit log (the models their fit calls name, None
    when unknown), fit calls of known models without a log; without any log, every fit call."""
    calls = [(c.cell, c.model) for c in code.calls if c.method in FIT_METHODS and c.cell is not None]
    logged = {f.cell for f in fits if f.cell is not None}
    if not logged:
        return calls
    by_cell: dict[int, set[int | None]] = {}
    for cell, model in calls:
        by_cell.setdefault(cell, set()).add(model)
    found = [(cell, m) for cell in sorted(logged) for m in (by_cell.get(cell) or {None})]
    # with logs, a fit call without a log counts only when it trains a model the code builds (``verbose=0``);
    # ``LabelBinarizer().fit(y)`` and other non-Keras fits print nothing and train nothing
    return found + [(cell, m) for cell, m in calls if cell not in logged and m is not None]


def _reason(e: Evaluation, trainings: list[tuple[int, int | None]]) -> str | None:
    cell = e.cell if e.cell is not None else -1
    if e.typed:
        return "typed"
    if e.model is None:
        return "before_training" if any(c > cell for c, _ in trainings) else None
    if trainings and not any(c <= cell and m in (e.model, None) for c, m in trainings):
        return "untrained"
    if any(c > cell and m in (e.model, None) for c, m in trainings):
        return "retrained"
    return None


def choose_test_accuracy(evaluations: list[Evaluation], fits: list[Fit], code: CodeFacts
                         ) -> tuple[list[Evaluation], Evaluation | None]:
    """Every result with its ``model`` and ``not_taken`` reason, and the test accuracy (see the module doc)."""
    evaluated = _models_by_cell(code, EVALUATE_METHODS)
    trainings = _trainings(fits, code)
    marked: list[Evaluation] = []
    for e in typed(evaluations, code):
        models = evaluated.get(e.cell, set()) if e.cell is not None else set()
        model = next(iter(models)) if len(models) == 1 else None
        e = replace(e, model=model)
        reason = _reason(e, trainings)
        if reason is None and e.accuracy is None:
            reason = "no_accuracy"
        marked.append(replace(e, not_taken=reason))
    usable = [e for e in marked if e.not_taken is None]
    last = max((c for c, _ in trainings), default=-1)
    late = [e for e in usable if e.cell is not None and e.cell >= last]
    if not late and usable:  # no result after the last training: the model evaluated last
        final = max(e.cell if e.cell is not None else -1 for e in usable)
        late = [e for e in usable if e.cell == final]
    usable = late
    picked = None
    for source in ("print", "value", "progress"):
        of_source = [e for e in usable if e.source == source]
        if of_source:
            picked = of_source[-1]
            break
    return [e if e is picked or e.not_taken is not None else replace(e, not_taken="superseded") for e in marked], picked


def bind_summaries(summaries: list[Summary], code: CodeFacts) -> list[Summary]:
    """Set ``trained`` on each summary whose cell's ``summary()`` calls all name models the code knows."""
    fitted = {c.model for c in code.calls if c.method in FIT_METHODS}
    shown = _models_by_cell(code, ("summary",))
    out = []
    for s in summaries:
        models = shown.get(s.cell, set()) if s.cell is not None else set()
        if not models or None in models or not fitted:
            out.append(s)
        elif models & fitted:
            out.append(replace(s, trained=True))
        else:
            out.append(replace(s, trained=None if None in fitted else False))
    return out

