"""Feedback pages: one self-contained HTML page per submission and a class overview (``index.html``), ja/en.

Rendering only; every verdict comes from the ``Report``. A hidden check is never shown — not its id, its
description, its parameters, its message or the cell it points to — only how many there are and the points
they gave together; and a page leaves out what would give a hidden check's answer away (the best epoch
when ``best_epoch`` is hidden, the over-fitting gap for ``overfitting_gap``, the GPU verdict for ``gpu``,
the test accuracy for ``test_accuracy``). Pages embed their charts as SVG text and their CSS: no file,
font, script or network access is needed to open them.

Imports jinja2 (the ``course`` extra): ``check``, ``grade`` and ``inspect`` never import this module.
"""
from __future__ import annotations

import math
import os
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from autograder.judge.metrics import best_epoch, training_runs
from autograder.judge.metrics import series as metric_series
from autograder.model.evidence import Evidence, Fit
from autograder.model.format import metric as _num
from autograder.model.format import points as _pts
from autograder.model.results import Flag, Report, SubmissionResult
from autograder.model.spec import Spec
from autograder.present import svgplot
from autograder.read.names import parse_submission_name

LANGS = ("ja", "en")
TEMPLATES = Path(__file__).parent / "templates"

# A section of a page that would give away what a hidden check of this kind judges.
_REVEALS = {"best_epoch": "best_epoch", "overfitting_gap": "gap", "gpu": "gpu", "test_accuracy": "test_accuracy"}

_TEXT: dict[str, dict[str, str]] = {
    "ja": {
        "lang": "ja", "lp": "（", "rp": "）", "sep": "、", "feedback": "採点結果", "student": "学籍番号", "file": "ファイル", "score": "点数",
        "points_unit": " 点", "check": "チェック", "points": "点", "result": "結果", "reason": "理由", "cell": "セル",
        "pass": "合格", "fail": "不合格", "missing": "見つからない", "no_cell": "—",
        "mark_pass": "✓", "mark_fail": "✗", "mark_missing": "？",
        "checks_title": "チェックごとの結果",
        "hidden_line": "このほかに非公開のチェックが {n} 個あり、合わせて {points} / {max} 点でした（内容は公開していません）。",
        "static_note": "この採点は、保存されたノートブックの出力とコードを読んで行いました（ノートブックは実行していません）。"
                       "セル番号は、ノートブックの先頭のセルを 0 として数えた位置です。",
        "error_title": "採点できませんでした",
        "curves_title": "学習曲線（提出されたノートブックの学習記録から描き直したもの）",
        "curves_none": "学習の記録（model.fit のログ、または print(history.history) の出力）が見つからないため、学習曲線は描けません。",
        "run": "学習 {i}", "from_fit": "model.fit のログ", "from_history": "history の出力",
        "epoch": "エポック", "loss_chart": "損失（loss）", "acc_chart": "正解率（accuracy）",
        "best_mark": "最良 {epoch}", "best_epoch": "最良のエポック（val_loss が最小）",
        "final_loss": "最後の loss", "final_val_loss": "最後の val_loss", "gap": "最後の差 val_loss − loss",
        "epochs": "エポック数",
        "test_accuracy": "テスト正解率", "test_accuracy_none": "見つかりませんでした",
        "gpu_title": "GPU の判定", "gpu_verdict": "判定",
        "verdict_gpu": "GPU で実行", "verdict_cpu": "CPU で実行", "verdict_unknown": "不明",
        "gpu_explain": "判定は、保存された出力（GPU 確認のセルの表示、TensorFlow のログ、学習の速さ）と"
                       "ノートブックのメタデータを根拠にしています。",
        "signal_where": "場所", "signal_kind": "種類", "signal_text": "内容", "signal_points": "示すもの",
        "metadata": "メタデータ", "points_gpu": "GPU", "points_cpu": "CPU", "points_none": "参考",
        "no_signals": "根拠になる出力は見つかりませんでした。",
        "flags_title": "確認のお知らせ",
        "flags_intro": "以下は不正の判定ではありません。自動の採点だけでは判断できないことがあったため、担当の教員が内容を確認するという印です。"
                       "この印だけで点数が変わることはありません。心当たりがあれば、担当の教員に相談してください。",
        "flag_cells": "関係するセル", "other_submission": "ほかの提出",
        "generated": "kadai-autograder が生成したページです。",
        # index
        "overview": "クラスの概要", "instructor_only": "教員用のページです。全員の点数が載っているので、学生には各自のページだけを渡してください。",
        "submissions": "提出数", "graded": "採点", "errors": "エラー", "flagged": "フラグ付き",
        "mean": "平均", "median": "中央値", "min": "最低", "max": "最高",
        "score_dist": "点数の分布", "score_axis": "点数", "count_axis": "人数",
        "acc_hist": "テスト正解率の分布", "acc_axis": "テスト正解率", "threshold": "基準 {value}",
        "acc_missing": "テスト正解率が見つからなかった提出: {n} 件",
        "overfit_title": "過学習の表（val_loss が最小のエポックと、最後のエポックの val_loss − loss）",
        "overfit_none": "val_loss のある学習の記録がありません。",
        "since_best": "最良の後のエポック数",
        "flagged_title": "フラグ付きの提出", "flag_kind": "種類", "flag_message": "内容", "related": "関係するファイル",
        "none": "ありません。",
        "all_title": "すべての提出", "status": "状態", "status_graded": "採点済み", "status_error": "エラー",
        "page": "ページ", "open": "開く",
        "check_rates": "チェックごとの合格数", "hidden_omitted": "非公開のチェック {n} 個はこのページに載せていません。",
    },
    "en": {
        "lang": "en", "lp": " (", "rp": ")", "sep": ", ", "feedback": "Feedback", "student": "Student ID", "file": "File", "score": "Score",
        "points_unit": " points", "check": "Check", "points": "Points", "result": "Result", "reason": "Reason", "cell": "Cell",
        "pass": "pass", "fail": "fail", "missing": "not found", "no_cell": "—",
        "mark_pass": "✓", "mark_fail": "✗", "mark_missing": "?",
        "checks_title": "Result of each check",
        "hidden_line": "{n} more checks are not published; together they gave {points} / {max} points.",
        "static_note": "This grade was made by reading the saved outputs and code of the notebook (it was not run). "
                       "Cell numbers count the notebook's cells from 0 at the top.",
        "error_title": "Your file could not be graded",
        "curves_title": "Learning curves (re-drawn from the training record in your notebook)",
        "curves_none": "No training record (a model.fit log or printed history.history) was found, so no learning curves can be drawn.",
        "run": "Training run {i}", "from_fit": "model.fit log", "from_history": "printed history",
        "epoch": "epoch", "loss_chart": "loss", "acc_chart": "accuracy",
        "best_mark": "best {epoch}", "best_epoch": "best epoch (lowest val_loss)",
        "final_loss": "last loss", "final_val_loss": "last val_loss", "gap": "last gap val_loss − loss",
        "epochs": "epochs",
        "test_accuracy": "Test accuracy", "test_accuracy_none": "not found",
        "gpu_title": "GPU verdict", "gpu_verdict": "Verdict",
        "verdict_gpu": "ran on a GPU", "verdict_cpu": "ran on a CPU", "verdict_unknown": "unknown",
        "gpu_explain": "The verdict rests on the saved outputs (the GPU-check cell, TensorFlow's logs, the training speed) "
                       "and the notebook's metadata.",
        "signal_where": "Where", "signal_kind": "Kind", "signal_text": "Text", "signal_points": "Suggests",
        "metadata": "metadata", "points_gpu": "GPU", "points_cpu": "CPU", "points_none": "context",
        "no_signals": "No output that tells the device was found.",
        "flags_title": "Notes for review",
        "flags_intro": "These notes are not an accusation. They mark something automatic grading cannot decide, so an "
                       "instructor will look at it. A note by itself does not change your score. If you know the reason, "
                       "tell your instructor.",
        "flag_cells": "cells", "other_submission": "another submission",
        "generated": "Generated by kadai-autograder.",
        "overview": "Class overview", "instructor_only": "For instructors: this page lists everyone's score. Give each student only their own page.",
        "submissions": "Submissions", "graded": "graded", "errors": "errors", "flagged": "flagged",
        "mean": "mean", "median": "median", "min": "min", "max": "max",
        "score_dist": "Score distribution", "score_axis": "score", "count_axis": "students",
        "acc_hist": "Test accuracy", "acc_axis": "test accuracy", "threshold": "threshold {value}",
        "acc_missing": "Submissions without a test accuracy: {n}",
        "overfit_title": "Over-fitting (the epoch with the lowest val_loss, and val_loss − loss at the last epoch)",
        "overfit_none": "No training record has val_loss.",
        "since_best": "epochs after the best",
        "flagged_title": "Flagged submissions", "flag_kind": "Kind", "flag_message": "Message", "related": "Related files",
        "none": "None.",
        "all_title": "All submissions", "status": "Status", "status_graded": "graded", "status_error": "error",
        "page": "Page", "open": "open",
        "check_rates": "Passes per check", "hidden_omitted": "{n} unpublished checks are not listed on this page.",
    },
}

# Neutral explanations of each flag kind: what was seen and that a person will look at it.
_FLAG_EXPLAIN = {
    "ja": {
        "not_executed": "保存されたノートブックに実行結果がありません。この採点は保存された出力を読むため、確認が必要です。",
        "error_output": "エラーで止まったセルがあります。その後のセルの結果に影響していないか確認します。",
        "tampered_output": "保存された出力の一部が、ふつうの実行で出る形と違って見えます。保存や変換の途中で起こることもあるため、確認します。",
        "collusion": "ほかの提出とよく似た箇所があります。同じ教材や例を使えば似ることもあるため、確認します。",
        "out_of_order": "セルが上から順に実行されていません。結果が最後のコードと合っているか確認します。",
        "late": "提出期限の後に届いたようです。事情があることもあるため、確認します。",
        "metadata_lost": "配布時にセルに付いていた情報（nbgrader のメタデータ）が失われています。Colab での編集などで起こることで、採点用に復元します。",
        "": "自動の採点では判断できないことがあったため、確認します。",
    },
    "en": {
        "not_executed": "The saved notebook has no results of running it. This grading reads saved outputs, so a person will check.",
        "error_output": "A cell stopped with an error. A person will check whether it affected later results.",
        "tampered_output": "Part of a saved output looks different from what a normal run prints. Saving or converting can do this, so a person will check.",
        "collusion": "Parts look very similar to another submission. Using the same materials or examples can do this, so a person will check.",
        "out_of_order": "The cells were not run from top to bottom. A person will check that the results match the final code.",
        "late": "It seems to have arrived after the deadline. There may be a reason, so a person will check.",
        "metadata_lost": "The cell information added when the assignment was released (nbgrader metadata) was lost, as editing in Colab can do; it is restored for grading.",
        "": "Automatic grading could not decide something, so a person will check.",
    },
}


# ------------------------------------------------------------------ public API

def write_feedback(report: Report, spec: Spec, out_dir: str | os.PathLike[str], lang: str = "ja") -> list[Path]:
    """Write one page per submission of ``report`` and ``index.html`` into ``out_dir``; return their paths.

    Pages are named after the student id (``2412001.html``), else the file name; a second file of the same
    student gets ``-2``. The list holds the submissions' pages in report order, then ``index.html``.
    The submitted files are read again (when still there) only to quote the first lines of a cited cell.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = _environment()
    names = page_names(report)
    paths = []
    student = env.get_template("student.html.j2")
    for result, name in zip(report.submissions, names):
        html = student.render(**student_context(result, spec, lang))
        paths.append(_write(out / name, html))
    index = env.get_template("index.html.j2")
    paths.append(_write(out / "index.html", index.render(**overview_context(report, spec, lang, names))))
    return paths


def page_names(report: Report) -> list[str]:
    """The file name of each submission's page, in report order: ``<student_id>.html``, unique, never ``index``."""
    used = {"index"}
    names = []
    for s in report.submissions:
        base = s.student_id or re.sub(r"[^\w.-]+", "_", Path(s.file).stem).strip("._") or "submission"
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name.lower())
        names.append(f"{name}.html")
    return names


# ------------------------------------------------------------------ one submission

def _hidden_kinds(spec: Spec) -> set[str]:
    """Kinds whose every check in the spec is hidden: their page sections would give the answer away."""
    visible = {c.kind for c in spec.checks if not c.hidden}
    return {c.kind for c in spec.checks if c.hidden and c.kind not in visible}


def _shows(spec: Spec, section: str) -> bool:
    return not any(_REVEALS.get(k) == section for k in _hidden_kinds(spec))


def student_context(result: SubmissionResult, spec: Spec, lang: str) -> dict[str, Any]:
    t = _TEXT[lang]
    en = lang == "en"
    visible = [c for c in result.checks if not c.hidden]
    hidden = [c for c in result.checks if c.hidden]
    excerpts = _cell_excerpts(result.file, {c.cell for c in visible if c.cell is not None})
    checks = [{
        "status": c.status, "label": t.get(c.status, c.status), "mark": t.get(f"mark_{c.status}", "•"),
        "description": ((c.description_en or c.description) if en else c.description) or c.id,
        "points": _pts(c.points), "max_points": _pts(c.max_points),
        "message": c.message_en if en else c.message,
        "cell": c.cell, "excerpt": excerpts.get(c.cell) if c.cell is not None else None,
    } for c in visible]
    ev = result.evidence
    show_best, show_gap = _shows(spec, "best_epoch"), _shows(spec, "gap")
    runs = _runs(ev, lang, show_best, show_gap) if ev is not None else []
    accuracy = None
    if ev is not None and _shows(spec, "test_accuracy"):
        acc = ev.test_accuracy
        accuracy = {"value": f"{acc.accuracy:.4f}", "cell": acc.cell, "text": acc.text} if acc and acc.accuracy is not None else None
    return {
        "t": t, "lang": lang,
        "title": (spec.title_en or spec.title) if en else spec.title,
        "assignment": spec.id,
        "student_id": result.student_id,
        "file": Path(result.file).name,
        "status": result.status,
        "error": (result.error_en if en else result.error) if result.status == "error" else None,
        "score": _pts(result.score), "max_score": _pts(result.max_score),
        "checks": checks,
        "hidden": {"n": len(hidden), "points": _pts(sum(c.points for c in hidden)),
                   "max": _pts(sum(c.max_points for c in hidden))} if hidden else None,
        "runs": runs, "has_evidence": ev is not None,
        "show_accuracy": _shows(spec, "test_accuracy"), "accuracy": accuracy,
        "gpu": _gpu(result, lang) if _shows(spec, "gpu") and result.status == "graded" else None,
        "flags": [_flag(f, lang, redact=True) for f in result.flags],
    }


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


@dataclass(frozen=True)
class RunFacts:
    """Numbers of one training run, as the pages show them."""

    cell: int | None
    source: str  # "fit" | "history"
    epochs: int
    loss: list[float]
    val_loss: list[float]
    accuracy: list[float]
    val_accuracy: list[float]

    @property
    def best_epoch(self) -> int | None:
        """1-based epoch of the lowest finite val_loss (``autograder.judge.metrics.best_epoch``, as the check)."""
        return best_epoch(self.val_loss)

    @property
    def gap(self) -> float | None:
        if self.loss and self.val_loss and math.isfinite(self.loss[-1]) and math.isfinite(self.val_loss[-1]):
            return self.val_loss[-1] - self.loss[-1]
        return None


def run_facts(ev: Evidence) -> list[RunFacts]:
    """The training runs the grader uses (fit logs, else printed histories), with their four series."""
    facts = []
    for run in training_runs(ev):
        series = {name: [float(v) for v in metric_series(run, name)] for name in ("loss", "val_loss", "accuracy", "val_accuracy")}
        epochs = max((len(v) for v in series.values()), default=0)
        if epochs:
            facts.append(RunFacts(cell=run.cell, source="fit" if isinstance(run, Fit) else "history", epochs=epochs, **series))
    return facts


def _runs(ev: Evidence, lang: str, show_best: bool, show_gap: bool) -> list[dict[str, Any]]:
    t = _TEXT[lang]
    out = []
    for i, run in enumerate(run_facts(ev), 1):
        best = run.best_epoch if show_best else None
        mark = svgplot.Mark(best, t["best_mark"].format(epoch=best)) if best else None
        where = f"{t['cell']} {run.cell}{t['sep']}" if run.cell is not None else ""
        label = f"{t['run'].format(i=i)}{t['lp']}{where}{t['from_' + run.source]}{t['rp']}"
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
        gap = run.gap if show_gap else None
        out.append({
            "label": label, "epochs": run.epochs, "charts": [Markup(c) for c in charts],
            "best": best, "final_loss": _num(run.loss[-1]) if run.loss else None,
            "final_val_loss": _num(run.val_loss[-1]) if run.val_loss else None,
            "gap": _num(gap) if gap is not None else None,
        })
    return out


def _gpu(result: SubmissionResult, lang: str) -> dict[str, Any]:
    t = _TEXT[lang]
    gpu = result.gpu
    verdict = gpu.verdict if gpu else "unknown"
    signals = [{
        "where": f"{t['cell']} {s.cell}" if s.cell is not None else t["metadata"],
        "kind": s.kind, "text": s.text, "points_to": t[f"points_{s.points_to or 'none'}"],
    } for s in (gpu.signals if gpu else ())]
    return {"verdict": verdict, "label": t[f"verdict_{verdict}"], "signals": signals}


def _flag(flag: Flag, lang: str, redact: bool) -> dict[str, Any]:
    t = _TEXT[lang]
    message = flag.message_en if lang == "en" else flag.message
    if redact:
        message = _redact(message, flag.related_files, t["other_submission"])
    explain = _FLAG_EXPLAIN[lang]
    return {"kind": flag.kind, "message": message, "explain": explain.get(flag.kind, explain[""]),
            "cells": ", ".join(str(c) for c in flag.cells), "related": [] if redact else list(flag.related_files)}


def _redact(text: str, related: Sequence[str], replacement: str) -> str:
    """Remove other students' file names, ids and names from a text shown to one student."""
    tokens: set[str] = set()
    for f in related:
        p = Path(f)
        tokens |= {f, p.name, p.stem}
        parsed = parse_submission_name(f)
        if parsed:
            tokens |= {parsed.student_id, parsed.name}
    for token in sorted((tok for tok in tokens if len(tok) >= 2), key=len, reverse=True):
        text = text.replace(token, replacement)
    return text


# ------------------------------------------------------------------ the class overview

def overview_context(report: Report, spec: Spec, lang: str, names: Sequence[str]) -> dict[str, Any]:
    t = _TEXT[lang]
    en = lang == "en"
    graded = [s for s in report.submissions if s.status == "graded"]
    scores = [s.score for s in graded]
    stats = None
    if scores:
        stats = {"mean": f"{statistics.fmean(scores):.1f}", "median": _pts(statistics.median(scores)),
                 "min": _pts(min(scores)), "max": _pts(max(scores))}
    rows, overfit, flagged = [], [], []
    for s, page in zip(report.submissions, names):
        rows.append({"student_id": s.student_id or "-", "file": s.file, "page": page, "status": s.status,
                     "status_label": t[f"status_{s.status}"], "score": _pts(s.score), "max_score": _pts(s.max_score),
                     "error": (s.error_en if en else s.error) if s.status == "error" else None,
                     "flags": ", ".join(f.kind for f in s.flags)})
        if s.evidence is not None and s.status == "graded":
            for i, run in enumerate(run_facts(s.evidence), 1):
                if not run.val_loss:
                    continue
                best = run.best_epoch
                overfit.append({"student_id": s.student_id or "-", "page": page, "file": s.file, "run": i,
                                "cell": run.cell, "epochs": run.epochs, "best": best,
                                "best_val_loss": _num(run.val_loss[best - 1]) if best else "-",
                                "since_best": run.epochs - best if best else "-",
                                "final_loss": _num(run.loss[-1]) if run.loss else "-",
                                "final_val_loss": _num(run.val_loss[-1]),
                                "gap": _num(run.gap) if run.gap is not None else "-"})
        for f in s.flags:
            flagged.append({"student_id": s.student_id or "-", "page": page, "file": s.file, **_flag(f, lang, redact=False)})
    accuracies = [s.evidence.test_accuracy.accuracy for s in graded
                  if s.evidence is not None and s.evidence.test_accuracy is not None and s.evidence.test_accuracy.accuracy is not None]
    visible = spec.visible_checks
    rates = []
    for c in visible:
        results = [r for s in graded for r in s.checks if r.id == c.id]
        rates.append({"id": c.id, "description": ((c.description_en or c.description) if en else c.description) or c.id,
                      "pass": sum(r.status == "pass" for r in results), "fail": sum(r.status == "fail" for r in results),
                      "missing": sum(r.status == "missing" for r in results)})
    return {
        "t": t, "lang": lang, "title": (spec.title_en or spec.title) if en else spec.title, "assignment": spec.id,
        "counts": {"submissions": len(report.submissions), "graded": len(graded),
                   "errors": len(report.submissions) - len(graded), "flagged": sum(1 for s in report.submissions if s.flags)},
        "stats": stats,
        "score_chart": Markup(_score_histogram(scores, spec.total_points, t)) if scores else None,
        "acc_chart": Markup(_accuracy_histogram(accuracies, spec, t)) if accuracies else None,
        "acc_missing": len(graded) - len(accuracies),
        "overfit": overfit, "flagged": flagged, "rows": rows, "rates": rates,
        "hidden_count": len(spec.checks) - len(visible),
    }


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


# ------------------------------------------------------------------ helpers

def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


