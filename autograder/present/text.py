"""Text for people: the student's checklist, the instructor's batch table, the evidence listing (ja/en).

Rendering only; it decides nothing. Standard library only.
"""
from __future__ import annotations

from typing import Any

from autograder.model.evidence import Evidence
from autograder.model.format import points as _pts
from autograder.model.results import Report, Status, SubmissionResult
from autograder.model.spec import Spec

# the mark of each check status, on every page and table a person reads; ！: the check itself crashed (our bug)
MARKS: dict[str, str] = {Status.PASS: "✓", Status.FAIL: "✗", Status.MISSING: "？", Status.ERROR: "！"}
_VERDICT_JA = {"gpu": "GPU", "cpu": "CPU", "unknown": "不明"}
#: A flag kind in words (ja, en): what a person reads in a table, never the code alone.
FLAG_WORDS = {
    "tampered_output": ("出力の食い違い", "outputs disagree"),
    "collusion": ("ほかの提出と類似", "similar to another submission"),
    "not_executed": ("実行結果なし", "not run"),
    "error_output": ("エラーで停止したセル", "a cell stopped with an error"),
    "out_of_order": ("実行順が前後", "run out of order"),
    "late": ("期限後の提出", "after the deadline"),
    "metadata_lost": ("nbgrader 情報の消失", "nbgrader metadata lost"),
    "integrity_error": ("確認できなかった検査", "a cross-check could not run"),
    "gpu_conflict": ("GPU の証拠が食い違い", "GPU evidence disagrees"),
    "locked_changed": ("変更不可のセルが変更", "a read-only cell changed"),
    "implausible": ("ありそうにない結果", "unlikely results"),
}


def flag_words(kind: str, lang: str = "ja") -> str:
    """The flag kind as words in ``lang``; an unknown kind is shown as it is, after the word for "check"."""
    words = FLAG_WORDS.get(str(kind))
    if words is None:
        return f"check: {kind}" if lang == "en" else f"要確認: {kind}"
    return words[1] if lang == "en" else words[0]


def checklist(result: SubmissionResult, spec: Spec, lang: str = "ja") -> str:
    """The self-check a student reads: one line per visible check, with ✓/✗, points and a hint."""
    en = lang == "en"
    title = (spec.title_en or spec.title) if en else spec.title
    lines = [f"{title} — {result.file}"]
    if result.status == "error":
        lines.append(("Error: " if en else "エラー: ") + ((result.error_en if en else result.error) or ""))
        return "\n".join(lines)
    visible = [c for c in result.checks if not c.hidden]
    for c in visible:
        desc = (c.description_en or c.description) if en else c.description
        lines.append(f"{MARKS[c.status]} {_pts(c.points)}/{_pts(c.max_points)}  {desc or c.id}")
        lines.append(f"    {c.message_en if en else c.message}")
    score = sum(c.points for c in visible)
    top = sum(c.max_points for c in visible)
    lines.append(("Total: " if en else "合計: ") + f"{_pts(score)}/{_pts(top)}" + ("" if en else " 点"))
    for f in result.flags:
        lines.append(("Note: " if en else "注意: ") + (f.message_en if en else f.message))
    hidden = len(result.checks) - len(visible)
    if hidden:
        lines.append(f"{hidden} more checks are run when your submission is graded." if en
                     else f"このほかに、提出後の採点で行うチェックが {hidden} 個あります。")
    return "\n".join(lines)


def batch_table(report: Report, spec: Spec, lang: str = "ja") -> str:
    en = lang == "en"
    ids = [c.id for c in spec.checks]
    head = ["file", "student", "score"] + ids + ["flags"] if en else ["ファイル", "学籍番号", "点数"] + ids + ["フラグ"]
    rows = [head]
    for s in report.submissions:
        if s.status == "error":
            rows.append([s.file, s.student_id or "-", "error" if en else "エラー"] + ["-"] * len(ids)
                        + [(s.error_en if en else s.error) or ""])
            continue
        by_id = {c.id: c for c in s.checks}
        rows.append([s.file, s.student_id or "-", f"{_pts(s.score)}/{_pts(s.max_score)}"]
                    + [MARKS[by_id[i].status] if i in by_id else "-" for i in ids]
                    + [("; " if en else "、").join(flag_words(f.kind, lang) for f in s.flags)])
    widths = [max(_width(r[i]) for r in rows) for i in range(len(head) - 1)]
    out = []
    for r in rows:
        out.append("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(r[:-1])) + "  " + r[-1])
    graded = [s for s in report.submissions if s.status == "graded"]
    errors = len(report.submissions) - len(graded)
    mean = sum(s.score for s in graded) / len(graded) if graded else 0.0
    flagged = sum(1 for s in graded if s.flags)
    out.append(f"{len(report.submissions)} files: {len(graded)} graded, {errors} errors, {flagged} flagged, mean {mean:.1f}"
               if en else f"{len(report.submissions)} 件: 採点 {len(graded)}、エラー {errors}、フラグ付き {flagged}、平均 {mean:.1f} 点")
    return "\n".join(out)


def _width(s: str) -> int:
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def evidence_listing(file: str, ev: Evidence | None, error: str | None = None, lang: str = "ja") -> str:
    """A short readable listing of what the extraction found in one notebook."""
    en = lang == "en"
    lines = [f"== {file}"]
    if ev is None:
        lines.append(("  error: " if en else "  エラー: ") + (error or ""))
        return "\n".join(lines)
    d: dict[str, Any] = ev.to_json()
    lines.append(f"  Keras output style: {d['keras']}" if en else f"  Keras の出力形式: {d['keras']}")
    lines += _summaries(ev, en)
    lines += _fits(ev, en)
    if d["history_keys"] is not None:
        printed = d["history_keys_source"] == "printed"
        how = (" (printed)" if printed else " (inferred from the log)") if en else ("（表示）" if printed else "（ログから推定）")
        lines.append(("  history keys: " if en else "  history のキー: ") + ", ".join(d["history_keys"]) + how)
    lines += _evaluations(ev, en)
    acc = d["test_accuracy"]
    lines.append(("  test accuracy: " if en else "  テスト正解率: ") + (f"{acc:.4f}" if acc is not None else "-"))
    lines += _figures(ev, en)
    lines += _gpu(ev, en)
    lines.append(_execution(ev, en))
    return "\n".join(lines)


def _summaries(ev: Evidence, en: bool) -> list[str]:
    out = []
    for s in ev.summaries:
        kinds = ", ".join(f"{layer.type}({layer.params:,})" for layer in s.layers)
        out.append(f"  summary (cell {s.cell}) {s.model or ''}: total {s.total_params:,} — {kinds}" if en
                   else f"  summary（セル {s.cell}）{s.model or ''}: 総パラメータ {s.total_params:,} — {kinds}")
    return out


def _fits(ev: Evidence, en: bool) -> list[str]:
    out = []
    for f in ev.fits:
        last = ", ".join(f"{k}={v:g}" for k, v in f.last.items())
        arg_en = f"epochs={f.epochs_arg}" if f.epochs_arg is not None else "epochs not read from the code"
        arg_ja = f"epochs={f.epochs_arg}" if f.epochs_arg is not None else "コードの epochs は読み取れず"
        kind_en, kind_ja = {"bar": (" (one epoch, no Epoch header)", "（1 エポック、Epoch 表示なし）")}.get(f.source, ("", ""))
        out.append(f"  fit (cell {f.cell}){kind_en}: {f.epochs_run} epochs run ({arg_en}); last: {last or '-'}" if en
                   else f"  学習（セル {f.cell}）{kind_ja}: {f.epochs_run} エポック（{arg_ja}）; 最後: {last or '-'}")
    for f in ev.callback_fits:  # verbose=0: only what the callbacks printed
        stop_en = f", early stopping at epoch {f.stopped_epoch}" if f.stopped_epoch is not None else ""
        stop_ja = f"、エポック {f.stopped_epoch} で早期終了" if f.stopped_epoch is not None else ""
        out.append(f"  fit (cell {f.cell}, verbose=0, seen through callbacks): up to epoch {f.epochs_seen}{stop_en}; "
                   "no per-epoch log" if en else
                   f"  学習（セル {f.cell}、verbose=0、コールバックの表示のみ）: エポック {f.epochs_seen} まで{stop_ja}; "
                   "エポックごとのログなし")
    return out


def _evaluations(ev: Evidence, en: bool) -> list[str]:
    return [f"  evaluation (cell {e.cell}, {e.source}): {e.text}" if en else f"  評価（セル {e.cell}、{e.source}）: {e.text}"
            for e in ev.evaluations]


def _figures(ev: Evidence, en: bool) -> list[str]:
    if not ev.figures:
        return []
    figs = ", ".join(f"{f.cell}" + (f"({f.axes} axes)" if en and f.axes else f"（軸 {f.axes}）" if f.axes else "")
                     for f in ev.figures)
    return [("  figures in cells: " if en else "  図のあるセル: ") + figs]


def _gpu(ev: Evidence, en: bool) -> list[str]:
    g = ev.gpu
    out = [f"  GPU: {g.verdict}" if en else f"  GPU 判定: {_VERDICT_JA[g.verdict]}"]
    for s in g.signals:
        where = (f"cell {s.cell}" if en else f"セル {s.cell}") if s.cell is not None else ("metadata" if en else "メタデータ")
        out.append(f"    - {s.kind} ({where}): {s.text}" if en else f"    - {s.kind}（{where}）: {s.text}")
    return out


def _execution(ev: Evidence, en: bool) -> str:
    ex = ev.execution
    if en:
        return (f"  execution: {ex.executed_cells}/{ex.code_cells} code cells run, {ex.errors} errors, "
                f"{'out of order' if ex.out_of_order else 'in order'}")
    return (f"  実行: コードセル {ex.code_cells} 個中 {ex.executed_cells} 個実行、エラー {ex.errors} 個、"
            f"{'実行順が前後しています' if ex.out_of_order else '実行順は上から順'}")
