"""The students of a round that the report does not grade: late, superseded, refused files, missing from the roster.

The course layer (``course.round``) says who they are as ``Unplaced`` rows (from the collection's manifest and the
gradebook's students); this module only shows them: a row each in the overview, and a page for each student whose
file was not graded (the reason in words a student reads, never the manifest code alone). Rendering only; standard
library and model only (no jinja2, so the course layer builds these rows without the page builder); never pipeline,
course, execute or cli.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autograder.model.results import SubmissionResult

# status → (Japanese, English) label in the overview
STATUS_LABELS = {
    "graded": ("採点済み", "graded"), "error": ("エラー", "error"), "late": ("締切後", "late"),
    "superseded": ("再提出で不採用", "superseded"), "refused": ("受理せず", "not accepted"),
    "missing": ("未提出", "not submitted"),
}
# the manifest's code → what the student's page says (Japanese, English)
REASONS = {
    "late": ("締切より後に提出されたので、採点していません。", "It was submitted after the deadline, so it was not graded."),
    "unreadable": ("提出されたファイルをノートブックとして読めなかったので、採点していません。Colab の「ファイル → ダウンロード → "
                   ".ipynb をダウンロード」で保存したファイルを提出してください。",
                   "The file could not be read as a notebook, so it was not graded. Submit the file saved with Colab's "
                   "File → Download → Download .ipynb."),
    "not_notebook": ("提出されたのはノートブック（.ipynb）ではなかったので、採点していません。.ipynb ファイルを提出してください。",
                     "The file submitted is not a notebook (.ipynb), so it was not graded. Submit the .ipynb file."),
    "wrong_assignment": ("ファイル名の課題番号が別の課題のものだったので、採点していません。この課題のノートブックを提出してください。",
                         "The file name carries another assignment's number, so it was not graded. Submit this "
                         "assignment's notebook."),
    "bad_name": ("ファイル名から学籍番号が分からなかったので、採点していません。名前を 学籍番号_名前_課題番号.ipynb にしてください。",
                 "The file name gives no student id, so it was not graded. Name it student-id_name_number.ipynb."),
    "id_mismatch": ("提出したフォルダとファイル名の学籍番号が違ったので、採点していません。自分の学籍番号の名前で提出し直してください。",
                    "The student id in the file name is not yours, so it was not graded. Submit it again under your "
                    "own student id."),
    "conflict": ("提出されたファイルを、採点の準備の都合で置けませんでした。担当の教員が確認します。",
                 "The file could not be placed for grading; the instructor will look at it."),
}


@dataclass(frozen=True)
class Unplaced:
    """A student (or one of their files) of the round that the report does not grade."""

    student_id: str
    status: str  # "late" | "superseded" | "refused" | "missing"
    file: str = ""  # the entry's name in the zip (or "")
    code: str = ""  # the manifest's code (late, unreadable, not_notebook, …)
    message: str = ""  # for the instructor (the manifest's reason)
    message_en: str = ""


def pages_for(others: Sequence[Unplaced], graded_ids: set[str], max_score: float) -> list[SubmissionResult]:
    """One page each for the students with a file but nothing graded: the first refused or late file says why."""
    out: dict[str, SubmissionResult] = {}
    for o in others:
        if o.student_id in graded_ids or o.student_id in out or o.status not in ("late", "refused"):
            continue
        ja, en = REASONS.get(o.code, REASONS["unreadable"] if o.status == "refused" else REASONS["late"])
        out[o.student_id] = SubmissionResult(file=o.file, student_id=o.student_id, status="error", score=0.0,
                                             max_score=max_score, error=ja, error_en=en, error_code=o.code or o.status)
    return list(out.values())
