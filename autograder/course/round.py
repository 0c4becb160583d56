"""One grading round: collect → grade into the gradebook → feedback → export → a summary. Never imports execute or cli.

Each step is the library call of its own command (``collect``, ``autograde``, ``feedback``, ``export``); a bad file
never stops the round, and a failing feedback step is reported without stopping the export. Imports nbgrader.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from autograder.course.collect import (
    ACCEPTED,
    ERRORS,
    CollectResult,
    Manifest,
    collect_zip,
    parse_time,
)
from autograder.course.coursedir import Course
from autograder.course.export import ExportResult, export_course
from autograder.course.gradebook import AutogradeResult, FinalScore, autograde_course, final_scores, roster
from autograder.course.tools import check_prerequisites, tools_on_path
from autograder.errors import CourseError
from autograder.model.format import CSV_ENCODING
from autograder.model.format import points as score_text
from autograder.model.results import CheckResult, Report
from autograder.model.spec import Spec
from autograder.present.roster import Unplaced


@dataclass(frozen=True)
class RoundResult:
    collect: CollectResult
    autograde: AutogradeResult
    export: ExportResult
    feedback_dir: Path | None
    feedback_error: tuple[str, str] | None  # (Japanese, English) when the feedback step did not run or failed
    db_url: str = ""
    final: Report | None = None  # the round's report with the gradebook's final scores (manual scores included)

    @property
    def report(self) -> Report:
        """What pages, the overview and the summary show: the final scores."""
        return self.final if self.final is not None else self.autograde.report

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
        return sum(1 for s in self.report.submissions if s.status == "graded" and s.flags)

    @property
    def mean(self) -> float | None:
        """The mean final score of the graded submissions (a grader's manual scores included); the overview shows
        the same number."""
        return mean_score(self.report)


def run_round(zip_path: str | os.PathLike[str], spec: Spec, course: Course, deadline: datetime | None = None,
              times: str | os.PathLike[str] | None = None, keep_late: bool = False, force: bool = False, jobs: int = 1,
              encoding: str = CSV_ENCODING, out: str | os.PathLike[str] | None = None, lang: str = "ja",
              progress: bool = False, no_deadline: bool = False) -> RoundResult:
    """Raises ``CollectError`` / ``CourseError`` (nothing written) when the zip cannot be used at all, when there is
    no deadline (unless ``no_deadline``) or when a tool the round needs is missing; otherwise runs every step."""
    require_deadline(deadline, no_deadline)
    check_prerequisites(course.db_url)
    with tools_on_path():
        collected = collect_zip(zip_path, course, spec.id, spec.number, deadline=deadline, times=times,
                                keep_late=keep_late, force=force)
        graded = autograde_course(course, spec, deadline=deadline, jobs=jobs, names=collected.manifest.names(), lang=lang,
                                  progress=progress)
        exported = export_course(course, spec.id, out=out, encoding=encoding, lang=lang)
        final = with_final_scores(graded.report, final_scores(course, spec.id))
        feedback_dir, feedback_error = _feedback(final, spec, course, collected.manifest, lang)
    return RoundResult(collected, graded, exported, feedback_dir, feedback_error, course.db_url, final)


def with_final_scores(report: Report, finals: Mapping[str, FinalScore]) -> Report:
    """The report with each student's score as the gradebook holds it (the CSV's score), and each check a grader
    scored by hand in formgrader showing that score, so that pages, the overview and the summary agree with the CSV."""
    out = []
    for s in report.submissions:
        final = finals.get(s.student_id or "")
        if final is None:
            out.append(s)
            continue
        checks = tuple(_manual(c, final.cells[c.id]) if c.id in final.manual and c.id in final.cells else c
                       for c in s.checks)
        out.append(replace(s, score=final.score, checks=checks))
    return replace(report, submissions=tuple(out))


def _manual(c: CheckResult, points: float) -> CheckResult:
    if abs(points - c.points) < 1e-9:
        return c
    return replace(c, points=points,
                   message=f"{c.message}（採点者が {score_text(points)} 点にしました。自動採点では {score_text(c.points)} 点でした。）",
                   message_en=f"{c.message_en} (a grader set this to {score_text(points)} points; "
                              f"the automatic score was {score_text(c.points)}.)")


def mean_score(report: Report) -> float | None:
    """The one class average: the mean score of the graded submissions (final scores, when the report has them)."""
    scores = [s.score for s in report.submissions if s.status == "graded"]
    return sum(scores) / len(scores) if scores else None


def require_deadline(deadline: datetime | None, no_deadline: bool) -> None:
    """Late work is not accepted in this course: a round without a deadline would accept it silently."""
    if deadline is None and not no_deadline:
        raise CourseError("締切が分かりません（--deadline がなく、成績表にも締切がありません）。締切後の提出を見分けられないので、"
                          "何もしていません。--deadline 2026-11-23T23:59 のように指定するか、締切なしで採点するなら "
                          "--no-deadline を付けてください。",
                          "no deadline (no --deadline, and the gradebook has no due date): late work could not be told "
                          "apart, so nothing was done. Give --deadline (e.g. 2026-11-23T23:59), or --no-deadline to "
                          "grade without one.")


def _feedback(report: Report, spec: Spec, course: Course, manifest: Manifest,
              lang: str) -> tuple[Path | None, tuple[str, str] | None]:
    out_dir = course.feedback_dir(spec.id)
    try:
        from autograder.present.feedback import write_feedback  # jinja2: installed by the course extra
    except ImportError as exc:
        return None, (f"フィードバックは作っていません（ページを作る部品を読み込めません: {exc}。"
                      "pip install -e \".[course]\" で入ります）。",
                      f"no feedback written (the page builder cannot be imported: {exc}; "
                      "pip install -e \".[course]\" installs it).")
    try:
        people = roster(course)
        names = {**{sid: name for sid, name in people.items() if name}, **manifest.names()}
        write_feedback(report, spec, out_dir, lang, names=names, others=unplaced(report, manifest, people),
                       root=course.root)
    except Exception as exc:  # the round goes on; the instructor sees why
        return None, (f"フィードバックの作成に失敗しました（{type(exc).__name__}: {exc}）。採点と CSV は作りました。",
                      f"writing the feedback failed ({type(exc).__name__}: {exc}); the grades and the CSV were written.")
    return out_dir, None


_SHOWN = {"superseded": "superseded", "late": "late", **dict.fromkeys(ERRORS, "refused")}


def unplaced(report: Report, manifest: Manifest, people: Mapping[str, str]) -> list[Unplaced]:
    """The round's students the report does not grade: every superseded, late or refused file of the zip with a
    student id, and the gradebook's students with no entry in the zip at all (missing)."""
    out = [Unplaced(e.student_id, _SHOWN[e.code], e.entry, e.code, e.message, e.message_en)
           for e in manifest.entries if e.student_id and e.code in _SHOWN]
    present = {e.student_id for e in manifest.entries if e.student_id} | {s.student_id for s in report.submissions}
    out += [Unplaced(sid, "missing") for sid in sorted(people) if sid not in present]
    return out


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
