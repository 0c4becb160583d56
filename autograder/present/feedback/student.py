"""The context of one student's feedback page: checks, hidden total, learning curves, test accuracy, GPU, flags.

Rendering only; every verdict comes from the ``SubmissionResult``. A hidden check is never shown, and a section
that would give a hidden check's answer away is left out (``REVEALS``). Imports model, judge.metrics, read
(cell excerpts) and markupsafe; never pipeline, course, execute or cli.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup

from autograder.model.evidence import Evidence
from autograder.model.format import metric as _num
from autograder.model.format import points as _pts
from autograder.model.results import CheckResult, SubmissionResult
from autograder.model.spec import Spec
from autograder.present.feedback import svgplot
from autograder.present.feedback.facts import RunFacts, flag_context, run_facts
from autograder.present.feedback.texts import TEXT

# A section of a page that would give away what a hidden check of this kind judges.
REVEALS = {"best_epoch": "best_epoch", "overfitting_gap": "gap", "gpu": "gpu", "test_accuracy": "test_accuracy"}


def _hidden_kinds(spec: Spec) -> set[str]:
    """Kinds whose every check in the spec is hidden: their page sections would give the answer away."""
    visible = {c.kind for c in spec.checks if not c.hidden}
    return {c.kind for c in spec.checks if c.hidden and c.kind not in visible}


def _shows(spec: Spec, section: str) -> bool:
    return not any(REVEALS.get(k) == section for k in _hidden_kinds(spec))


def student_context(result: SubmissionResult, spec: Spec, lang: str) -> dict[str, Any]:
    """Everything ``student.html.j2`` shows of one submission, in ``lang``."""
    t = TEXT[lang]
    en = lang == "en"
    ev = result.evidence
    runs = _runs(ev, lang, _shows(spec, "best_epoch"), _shows(spec, "gap")) if ev is not None else []
    return {
        "t": t, "lang": lang,
        "title": (spec.title_en or spec.title) if en else spec.title,
        "assignment": spec.id,
        "student_id": result.student_id,
        "file": Path(result.file).name,
        "status": result.status,
        "error": _error(result, en),
        "score": _pts(result.score), "max_score": _pts(result.max_score),
        "checks": _check_rows(result, lang),
        "hidden": _hidden_summary([c for c in result.checks if c.hidden]),
        "runs": runs, "has_evidence": ev is not None,
        "show_accuracy": _shows(spec, "test_accuracy"), "accuracy": _accuracy(ev) if _shows(spec, "test_accuracy") else None,
        "gpu": _gpu(result, lang) if _shows(spec, "gpu") and result.status == "graded" else None,
        "flags": [flag_context(f, lang, redact=True) for f in result.flags],
    }


def _error(result: SubmissionResult, en: bool) -> str | None:
    """The reason a file was not graded, naming the file as the student saved it, not the grading machine's path."""
    text = (result.error_en if en else result.error) if result.status == "error" else None
    return text.replace(result.file, Path(result.file).name) if text and result.file else text


def _check_rows(result: SubmissionResult, lang: str) -> list[dict[str, Any]]:
    """One row per visible check, with the first lines of the cell it cites."""
    visible = [c for c in result.checks if not c.hidden]
    excerpts = _cell_excerpts(result.file, {c.cell for c in visible if c.cell is not None})
    return [_check_row(c, lang, excerpts) for c in visible]


def _check_row(c: CheckResult, lang: str, excerpts: dict[int, str]) -> dict[str, Any]:
    t = TEXT[lang]
    en = lang == "en"
    return {
        "status": c.status, "label": t.get(c.status, c.status), "mark": t.get(f"mark_{c.status}", "•"),
        "description": ((c.description_en or c.description) if en else c.description) or c.id,
        "points": _pts(c.points), "max_points": _pts(c.max_points),
        "message": c.message_en if en else c.message,
        "cell": c.cell, "excerpt": excerpts.get(c.cell) if c.cell is not None else None,
    }


def _hidden_summary(hidden: list[CheckResult]) -> dict[str, Any] | None:
    """How many hidden checks there are and the points they gave together; nothing else of them."""
    if not hidden:
        return None
    return {"n": len(hidden), "points": _pts(sum(c.points for c in hidden)), "max": _pts(sum(c.max_points for c in hidden))}


def _accuracy(ev: Evidence | None) -> dict[str, Any] | None:
    acc = ev.test_accuracy if ev is not None else None
    if acc is None or acc.accuracy is None:
        return None
    return {"value": f"{acc.accuracy:.4f}", "cell": acc.cell, "text": acc.text}


def _cell_excerpts(file: str, cells: set[int], lines: int = 2, width: int = 90) -> dict[int, str]:
    """The first and last lines of each cited cell, to help find it; empty when the file cannot be read."""
    if not cells:
        return {}
    from autograder.errors import NotebookError
    from autograder.read.notebook import load_notebook

    try:
        nb = load_notebook(file)
    except (NotebookError, OSError):
        return {}
    out = {}
    for cell in nb.cells:
        if cell.index in cells:
            shown = [line.rstrip() for line in cell.source.splitlines() if line.strip()]
            if len(shown) > lines:  # the first line and the last ones: where the cell starts, what it ends with
                shown = [shown[0], "…", *shown[len(shown) - lines + 1:]]
            out[cell.index] = "\n".join(line if len(line) <= width else line[: width - 1] + "…" for line in shown)
    return out


def _runs(ev: Evidence, lang: str, show_best: bool, show_gap: bool) -> list[dict[str, Any]]:
    """One entry per training run: its label, its charts and its numbers (best epoch and gap when shown)."""
    return [_run(i, run, lang, show_best, show_gap) for i, run in enumerate(run_facts(ev), 1)]


def _run(i: int, run: RunFacts, lang: str, show_best: bool, show_gap: bool) -> dict[str, Any]:
    t = TEXT[lang]
    best = run.best_epoch if show_best else None
    where = f"{t['cell']} {run.cell}{t['sep']}" if run.cell is not None else ""
    label = f"{t['run'].format(i=i)}{t['lp']}{where}{t['from_' + run.source]}{t['rp']}"
    gap = run.gap if show_gap else None
    return {
        "label": label, "epochs": run.epochs, "charts": [Markup(c) for c in _charts(run, t, best)],
        "best": best, "final_loss": _num(run.loss[-1]) if run.loss else None,
        "final_val_loss": _num(run.val_loss[-1]) if run.val_loss else None,
        "gap": _num(gap) if gap is not None else None,
    }


def _charts(run: RunFacts, t: dict[str, str], best: int | None) -> list[str]:
    """The loss chart and the accuracy chart of a run (each when it has the series), the best epoch marked."""
    mark = svgplot.Mark(best, t["best_mark"].format(epoch=best)) if best else None
    charts = []
    if run.loss or run.val_loss:
        charts.append(svgplot.line_chart(
            [svgplot.Line("loss", run.loss, svgplot.TRAIN_COLOR), svgplot.Line("val_loss", run.val_loss, svgplot.VAL_COLOR)],
            title=t["loss_chart"], x_label=t["epoch"], y_label="loss", mark=mark))
    if run.accuracy or run.val_accuracy:
        charts.append(svgplot.line_chart(
            [svgplot.Line("accuracy", run.accuracy, svgplot.TRAIN_COLOR),
             svgplot.Line("val_accuracy", run.val_accuracy, svgplot.VAL_COLOR)],
            title=t["acc_chart"], x_label=t["epoch"], y_label="accuracy", mark=mark))
    return charts


def _gpu(result: SubmissionResult, lang: str) -> dict[str, Any]:
    t = TEXT[lang]
    gpu = result.gpu
    verdict = gpu.verdict if gpu else "unknown"
    signals = [{
        "where": f"{t['cell']} {s.cell}" if s.cell is not None else t["metadata"],
        "kind": s.kind, "text": s.text, "points_to": t[f"points_{s.points_to or 'none'}"],
    } for s in (gpu.signals if gpu else ())]
    return {"verdict": verdict, "label": t[f"verdict_{verdict}"], "signals": signals}
