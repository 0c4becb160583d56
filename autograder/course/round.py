"""One grading round: collect → grade into the gradebook → feedback → export → a summary. Never imports execute or cli.

Each step is the library call of its own command (``collect``, ``autograde``, ``feedback``, ``export``); a bad file
never stops the round, and a failing feedback step is reported without stopping the export. Imports nbgrader.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from autograder.course.collect import (
    ACCEPTED,
    ERRORS,
    CollectResult,
    collect_zip,
    parse_time,
)
from autograder.course.coursedir import Course
from autograder.course.export import ExportResult, export_course
from autograder.course.gradebook import AutogradeResult, autograde_course
from autograder.model.format import CSV_ENCODING
from autograder.model.results import Report
from autograder.model.spec import Spec


@dataclass(frozen=True)
class RoundResult:
    collect: CollectResult
    autograde: AutogradeResult
    export: ExportResult
    feedback_dir: Path | None
    feedback_error: tuple[str, str] | None  # (Japanese, English) when the feedback step did not run or failed
    db_url: str = ""

    @property
    def accepted(self) -> int:
        return self.collect.manifest.count(*ACCEPTED)

    @property
    def late(self) -> tuple[int, int]:
        """(accepted although late, excluded as late)"""
        m = self.collect.manifest
        return m.count("accepted_late"), m.count("late")

    @property
    def errors(self) -> int:
        """Entries refused for what they are (not a notebook, unreadable, bad name, …) plus notebooks that could
        not be graded."""
        return self.collect.manifest.count(*ERRORS) + sum(1 for s in self.autograde.report.submissions if s.status == "error")

    @property
    def flagged(self) -> int:
        return sum(1 for s in self.autograde.report.submissions if s.status == "graded" and s.flags)

    @property
    def mean(self) -> float | None:
        """Mean exported score of the students with a submission (a grader's manual scores included)."""
        scores = [r.score for r in self.export.rows if r.submitted]
        return sum(scores) / len(scores) if scores else None


def run_round(zip_path: str | os.PathLike[str], spec: Spec, course: Course, deadline: datetime | None = None,
              times: str | os.PathLike[str] | None = None, keep_late: bool = False, force: bool = False, jobs: int = 1,
              encoding: str = CSV_ENCODING, out: str | os.PathLike[str] | None = None, lang: str = "ja",
              progress: bool = False) -> RoundResult:
    """Raises ``CollectError`` (nothing written) when the zip cannot be used at all; otherwise runs every step."""
    collected = collect_zip(zip_path, course, spec.id, spec.number, deadline=deadline, times=times,
                            keep_late=keep_late, force=force)
    graded = autograde_course(course, spec, deadline=deadline, jobs=jobs, names=collected.manifest.names(), lang=lang,
                              progress=progress)
    feedback_dir, feedback_error = _feedback(graded.report, spec, course.feedback_dir(spec.id), lang)
    exported = export_course(course, spec.id, out=out, encoding=encoding, lang=lang)
    return RoundResult(collected, graded, exported, feedback_dir, feedback_error, course.db_url)


def _feedback(report: Report, spec: Spec, out_dir: Path, lang: str) -> tuple[Path | None, tuple[str, str] | None]:
    try:
        from autograder.present.feedback import write_feedback  # jinja2: installed by the course extra
    except ImportError as exc:
        return None, (f"フィードバックは作っていません（ページを作る部品を読み込めません: {exc}。"
                      "pip install -e \".[course]\" で入ります）。",
                      f"no feedback written (the page builder cannot be imported: {exc}; "
                      "pip install -e \".[course]\" installs it).")
    try:
        write_feedback(report, spec, out_dir, lang)
    except Exception as exc:  # the round goes on to the export; the instructor sees why
        return None, (f"フィードバックの作成に失敗しました（{type(exc).__name__}: {exc}）。採点と CSV は作りました。",
                      f"writing the feedback failed ({type(exc).__name__}: {exc}); the grades and the CSV were written.")
    return out_dir, None


def relative_path(path: Path | str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def display_report(report: Report) -> Report:
    """The same report with file paths relative to the current folder, for the table printed on screen."""
    return replace(report, submissions=tuple(replace(s, file=relative_path(s.file)) for s in report.submissions))


def resolve_deadline(course: Course, assignment: str, text: str | None) -> tuple[datetime | None, str]:
    """``--deadline`` (no offset: JST); else the assignment's due date in the gradebook, when there is one.
    Returns the deadline and where it came from (``"option"``, ``"gradebook"`` or ``""``)."""
    if text:
        return parse_time(text), "option"
    path = course.db_url[len("sqlite:///"):] if course.db_url.startswith("sqlite:///") else None
    if not path or not Path(path).is_file():
        return None, ""
    from datetime import timezone

    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            due = gb.find_assignment(assignment).duedate
        except MissingEntry:
            return None, ""
    return (due.replace(tzinfo=timezone.utc), "gradebook") if due else (None, "")
