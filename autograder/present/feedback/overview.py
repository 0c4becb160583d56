"""The context of the class overview (``index.html``): counts, score and accuracy charts, over-fitting, flags, rates.

For instructors: it lists everyone, un-redacted, but never a hidden check. Rendering only; every verdict comes
from the ``Report``. Imports model, judge.metrics and markupsafe; never pipeline, course, execute or cli.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from autograder.model.format import metric as _num
from autograder.model.format import points as _pts
from autograder.model.results import Report, SubmissionResult
from autograder.model.spec import Spec
from autograder.present.feedback import svgplot
from autograder.present.feedback.facts import flag_context, run_facts
from autograder.present.feedback.texts import TEXT


def overview_context(report: Report, spec: Spec, lang: str, names: Sequence[str]) -> dict[str, Any]:
    """Everything ``index.html.j2`` shows of ``report``; ``names`` are the student pages, in report order."""
    t = TEXT[lang]
    en = lang == "en"
    graded = [s for s in report.submissions if s.status == "graded"]
    pages = list(zip(report.submissions, names, strict=False))
    visible = spec.visible_checks
    return {
        "t": t, "lang": lang, "title": (spec.title_en or spec.title) if en else spec.title, "assignment": spec.id,
        "counts": _counts(report, graded),
        **_score_section(graded, spec, t),
        **_accuracy_section(graded, spec, t),
        "overfit": _overfit_rows(pages),
        "flagged": _flagged_rows(pages, lang),
        "rows": _submission_rows(pages, lang),
        "rates": _checks_section(graded, spec, lang),
        "hidden_count": len(spec.checks) - len(visible),
    }


def _counts(report: Report, graded: Sequence[SubmissionResult]) -> dict[str, int]:
    return {"submissions": len(report.submissions), "graded": len(graded),
            "errors": len(report.submissions) - len(graded), "flagged": sum(1 for s in report.submissions if s.flags)}


def _score_section(graded: Sequence[SubmissionResult], spec: Spec, t: dict[str, str]) -> dict[str, Any]:
    """The score statistics and the score histogram (``None`` when nothing was graded)."""
    scores = [s.score for s in graded]
    if not scores:
        return {"stats": None, "score_chart": None}
    stats = {"mean": f"{statistics.fmean(scores):.1f}", "median": _pts(statistics.median(scores)),
             "min": _pts(min(scores)), "max": _pts(max(scores))}
    return {"stats": stats, "score_chart": Markup(_score_histogram(scores, spec.total_points, t))}


def _accuracy_section(graded: Sequence[SubmissionResult], spec: Spec, t: dict[str, str]) -> dict[str, Any]:
    """The histogram of the test accuracies found, and how many graded submissions have none."""
    accuracies = [s.evidence.test_accuracy.accuracy for s in graded
                  if s.evidence is not None and s.evidence.test_accuracy is not None and s.evidence.test_accuracy.accuracy is not None]
    return {"acc_chart": Markup(_accuracy_histogram(accuracies, spec, t)) if accuracies else None,
            "acc_missing": len(graded) - len(accuracies)}


def _submission_rows(pages: Sequence[tuple[SubmissionResult, str]], lang: str) -> list[dict[str, Any]]:
    """One row per submission: who, which file, its page, its status and score."""
    t = TEXT[lang]
    en = lang == "en"
    return [{"student_id": s.student_id or "-", "file": s.file, "page": page, "status": s.status,
             "status_label": t[f"status_{s.status}"], "score": _pts(s.score), "max_score": _pts(s.max_score),
             "error": (s.error_en if en else s.error) if s.status == "error" else None,
             "flags": ", ".join(f.kind for f in s.flags)} for s, page in pages]


def _overfit_rows(pages: Sequence[tuple[SubmissionResult, str]]) -> list[dict[str, Any]]:
    """One row per training run with val_loss of a graded submission: the best epoch and the last gap."""
    rows = []
    for s, page in pages:
        if s.evidence is None or s.status != "graded":
            continue
        for i, run in enumerate(run_facts(s.evidence), 1):
            if not run.val_loss:
                continue
            best = run.best_epoch
            rows.append({"student_id": s.student_id or "-", "page": page, "file": s.file, "run": i,
                         "cell": run.cell, "epochs": run.epochs, "best": best,
                         "best_val_loss": _num(run.val_loss[best - 1]) if best else "-",
                         "since_best": run.epochs - best if best else "-",
                         "final_loss": _num(run.loss[-1]) if run.loss else "-",
                         "final_val_loss": _num(run.val_loss[-1]),
                         "gap": _num(run.gap) if run.gap is not None else "-"})
    return rows


def _flagged_rows(pages: Sequence[tuple[SubmissionResult, str]], lang: str) -> list[dict[str, Any]]:
    """One row per flag, un-redacted (the overview is for instructors)."""
    return [{"student_id": s.student_id or "-", "page": page, "file": s.file, **flag_context(f, lang, redact=False)}
            for s, page in pages for f in s.flags]


def _checks_section(graded: Sequence[SubmissionResult], spec: Spec, lang: str) -> list[dict[str, Any]]:
    """How many graded submissions passed, failed or missed each visible check."""
    en = lang == "en"
    rates = []
    for c in spec.visible_checks:
        results = [r for s in graded for r in s.checks if r.id == c.id]
        rates.append({"id": c.id, "description": ((c.description_en or c.description) if en else c.description) or c.id,
                      "pass": sum(r.status == "pass" for r in results), "fail": sum(r.status == "fail" for r in results),
                      "missing": sum(r.status == "missing" for r in results)})
    return rates


def _score_histogram(scores: Sequence[float], total: float, t: dict[str, str]) -> str:
    """Ten bins of a tenth of the total each; a full score falls in the last."""
    width = total / 10 if total > 0 else 1.0
    counts = [0] * 10
    for score in scores:
        counts[min(9, max(0, int(score // width)))] += 1
    return svgplot.histogram(counts, [_pts(i * width) for i in range(11)], title=t["score_dist"],
                             x_label=t["score_axis"], y_label=t["count_axis"], css_class="chart histogram scores")


def _accuracy_histogram(values: Sequence[float], spec: Spec, t: dict[str, str]) -> str:
    """At most 18 bins of a round width over the accuracies found, with the threshold of a visible check marked."""
    lo, hi = min(values), max(values)
    threshold = next((float(c.params["min"]) for c in spec.visible_checks if c.kind == "test_accuracy"), None)
    if threshold is not None:
        lo, hi = min(lo, threshold), max(hi, threshold)
    width = next(w for w in (0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0) if (hi - lo) / w <= 17)
    start = math.floor(lo / width + 1e-9) * width
    n = max(1, math.floor((hi - start) / width + 1e-9) + 1)
    counts = [0] * n
    for v in values:
        counts[min(n - 1, max(0, int((v - start) / width + 1e-9)))] += 1
    digits = 3 if width < 0.01 else 2 if width < 0.1 else 1
    edges = [f"{start + i * width:.{digits}f}" for i in range(n + 1)]
    mark = (threshold - start) / width if threshold is not None else None
    return svgplot.histogram(counts, edges, title=t["acc_hist"], x_label=t["acc_axis"], y_label=t["count_axis"], mark_at=mark,
                             mark_label=t["threshold"].format(value=f"{threshold:g}") if threshold is not None else "",
                             css_class="chart histogram accuracy")
