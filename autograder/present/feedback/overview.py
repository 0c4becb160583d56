"""The context of the class overview (``index.html``): counts, score and accuracy charts, over-fitting, flags, rates.

For instructors: it lists everyone, un-redacted, but never a hidden check. Rendering only; every verdict comes
from the ``Report``. Imports model, judge.metrics and markupsafe; never pipeline, course, execute or cli.
"""
from __future__ import annotations

import math
import os
import statistics
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from markupsafe import Markup

from autograder.model.format import metric as _num
from autograder.model.format import points as _pts
from autograder.model.results import Report, SubmissionResult
from autograder.model.spec import Spec
from autograder.present.feedback import svgplot
from autograder.present.feedback.facts import flag_context, run_facts
from autograder.present.feedback.texts import TEXT
from autograder.present.roster import STATUS_LABELS, Unplaced
from autograder.present.text import flag_words


def overview_context(report: Report, spec: Spec, lang: str, names: Sequence[str], *,
                     people: Mapping[str, str] | None = None, others: Sequence[Unplaced] = (),
                     extra_pages: Mapping[str, str] | None = None,
                     root: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """Everything ``index.html.j2`` shows of ``report``; ``names`` are the student pages, in report order.
    ``people`` maps student ids to names; ``others`` are the round's students the report does not grade, with
    ``extra_pages`` their pages; paths are shown relative to ``root`` (else the submissions' common folder)."""
    t = TEXT[lang]
    en = lang == "en"
    graded = [s for s in report.submissions if s.status == "graded"]
    pages = list(zip(report.submissions, names, strict=False))
    visible = spec.visible_checks
    shown = _path_shower(root, [s.file for s in report.submissions])
    who = dict(people or {})
    page_of = {s.student_id: page for s, page in pages if s.student_id} | dict(extra_pages or {})
    return {
        "t": t, "lang": lang, "title": (spec.title_en or spec.title) if en else spec.title, "assignment": spec.id,
        "counts": _counts(report, graded), "other_counts": _other_counts(others, lang),
        **_score_section(graded, spec, t),
        **_accuracy_section(graded, spec, t),
        "overfit": _overfit_rows(pages),
        "flagged": _flagged_rows(pages, lang, who, shown),
        "rows": sorted(_submission_rows(pages, lang, who, shown) + _other_rows(others, lang, who, page_of, spec),
                       key=lambda r: (r["student_id"], r["order"])),
        "rates": _checks_section(graded, spec, lang),
        "hidden_count": len(spec.checks) - len(visible),
    }


def _path_shower(root: str | os.PathLike[str] | None, files: Sequence[str]) -> Callable[[str], str]:
    """Paths as the overview shows them: relative to the course folder, never the grading machine's absolute path."""
    base: Path | None = Path(root).resolve() if root is not None else None
    if base is None:
        parents = [str(Path(f).resolve().parent) for f in files if f]
        try:
            base = Path(os.path.commonpath(parents)) if parents else None
        except ValueError:  # another drive on Windows
            base = None

    def shown(path: str) -> str:
        p = Path(path)
        if base is not None:
            try:
                return p.resolve().relative_to(base).as_posix()
            except (ValueError, OSError):
                pass
        return p.name if p.is_absolute() else p.as_posix()
    return shown


def _other_counts(others: Sequence[Unplaced], lang: str) -> list[str]:
    i = 1 if lang == "en" else 0
    counts: dict[str, set[str]] = {}
    for o in others:
        counts.setdefault(o.status, set()).add(o.student_id)
    return [f"{STATUS_LABELS[k][i]} {len(counts[k])}" for k in ("late", "superseded", "refused", "missing") if k in counts]


def _other_rows(others: Sequence[Unplaced], lang: str, who: Mapping[str, str], page_of: Mapping[str, str],
                spec: Spec) -> list[dict[str, Any]]:
    en = lang == "en"
    return [{"student_id": o.student_id, "name": who.get(o.student_id, ""), "file": o.file, "page": page_of.get(o.student_id),
             "status": o.status, "status_label": STATUS_LABELS[o.status][1 if en else 0], "order": 1,
             "score": "-" if o.status == "superseded" else "0", "max_score": _pts(spec.total_points),
             "error": (o.message_en if en else o.message) or None, "flags": ""} for o in others]


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


def _submission_rows(pages: Sequence[tuple[SubmissionResult, str]], lang: str, who: Mapping[str, str],
                     shown: Callable[[str], str]) -> list[dict[str, Any]]:
    """One row per submission: who, which file, its page, its status and score."""
    t = TEXT[lang]
    en = lang == "en"
    return [{"student_id": s.student_id or "-", "name": who.get(s.student_id or "", ""), "file": shown(s.file), "page": page,
             "status": s.status, "status_label": t[f"status_{s.status}"], "score": _pts(s.score),
             "max_score": _pts(s.max_score), "order": 0,
             "error": _error_text(s, en, shown), "flags": "、".join(flag_words(f.kind, lang) for f in s.flags) if not en
             else ", ".join(flag_words(f.kind, lang) for f in s.flags)} for s, page in pages]


def _error_text(s: SubmissionResult, en: bool, shown: Callable[[str], str]) -> str | None:
    text = (s.error_en if en else s.error) if s.status == "error" else None
    return text.replace(s.file, shown(s.file)) if text and s.file else text


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


def _flagged_rows(pages: Sequence[tuple[SubmissionResult, str]], lang: str, who: Mapping[str, str],
                  shown: Callable[[str], str]) -> list[dict[str, Any]]:
    """One row per flag, un-redacted (the overview is for instructors)."""
    rows = []
    for s, page in pages:
        for f in s.flags:
            row = flag_context(f, lang, redact=False)
            for path in sorted({*f.related_files, s.file}, key=len, reverse=True):  # the paths in the words too
                row["message"] = row["message"].replace(path, shown(path))
            row["related"] = [shown(r) for r in row["related"]]
            rows.append({"student_id": s.student_id or "-", "name": who.get(s.student_id or "", ""), "page": page,
                         "file": shown(s.file), **row})
    return rows


def _checks_section(graded: Sequence[SubmissionResult], spec: Spec, lang: str) -> list[dict[str, Any]]:
    """How many graded submissions passed, failed or missed each visible check."""
    en = lang == "en"
    rates = []
    for c in spec.visible_checks:
        results = [r for s in graded for r in s.checks if r.id == c.id]
        rates.append({"id": c.id, "description": ((c.description_en or c.description) if en else c.description) or c.id,
                      "pass": sum(r.status == "pass" for r in results), "fail": sum(r.status == "fail" for r in results),
                      "missing": sum(r.status == "missing" for r in results),
                      "error": sum(r.status == "error" for r in results)})
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
