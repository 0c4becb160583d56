"""One grading round: collect the LMS zip → grade into the gradebook → feedback → export the LMS CSV → a summary.

Each step is the library call of its own command (``collect``, ``autograde``, ``feedback``, ``export``); a bad file
never stops the round, and a failing feedback step is reported without stopping the export. Imports nbgrader.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from autograder.course.collect import ACCEPTED, ERRORS, CollectResult, collect_zip
from autograder.course.coursedir import Course
from autograder.course.export import ExportResult, export_course
from autograder.course.gradebook import AutogradeResult, autograde_course
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
              encoding: str = "utf-8-sig", out: str | os.PathLike[str] | None = None, lang: str = "ja",
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
        from autograder.present.feedback import write_feedback  # written in parallel (issue #4 item 3); optional until it lands
    except ImportError as exc:
        return None, (f"フィードバックは作っていません（autograder.feedback がまだありません: {exc}）。",
                      f"no feedback written (autograder.feedback is not available yet: {exc}).")
    try:
        write_feedback(report, spec, out_dir, lang)
    except Exception as exc:  # the round goes on to the export; the instructor sees why
        return None, (f"フィードバックの作成に失敗しました（{type(exc).__name__}: {exc}）。採点と CSV は作りました。",
                      f"writing the feedback failed ({type(exc).__name__}: {exc}); the grades and the CSV were written.")
    return out_dir, None


def _relative(path: Path | str) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def display_report(report: Report) -> Report:
    """The same report with file paths relative to the current folder, for the table printed on screen."""
    return replace(report, submissions=tuple(replace(s, file=_relative(s.file)) for s in report.submissions))


def render_summary(r: RoundResult, lang: str = "ja") -> str:
    en = lang == "en"
    m = r.collect.manifest
    kept, excluded = r.late
    total = r.export.rows[0].max_score if r.export.rows else 0.0
    mean = "-" if r.mean is None else f"{r.mean:.1f}"
    lines = []
    if en:
        lines.append(f"zip: {len(m.entries)} entries — accepted {r.accepted} (late {kept}), late and excluded {excluded}, "
                     f"superseded {m.count('superseded')}, errors {r.errors}")
        lines.append(f"graded: {len(r.autograde.report.submissions)}, flagged {r.flagged}, mean {mean} / {total:g}")
    else:
        lines.append(f"ZIP: {len(m.entries)} 件 — 受理 {r.accepted}（うち締切後 {kept}）、締切後で除外 {excluded}、"
                     f"再提出で不採用 {m.count('superseded')}、エラー {r.errors}")
        lines.append(f"採点: {len(r.autograde.report.submissions)} 件、フラグ付き {r.flagged}、平均 {mean} / {total:g} 点")
    if r.feedback_error:
        lines.append(("feedback: " if en else "フィードバック: ") + r.feedback_error[1 if en else 0])
    elif r.feedback_dir:
        lines.append(("feedback: " if en else "フィードバック: ") + _relative(r.feedback_dir))
    lines.append(("manifest: " if en else "一覧: ") + _relative(r.collect.manifest_csv))
    lines.append(("gradebook: " if en else "成績表: ") + (_relative(r.db_url[len("sqlite:///"):])
                                                          if r.db_url.startswith("sqlite:///") else r.db_url))
    lines.append(("CSV for WebClass: " if en else "WebClass 用 CSV: ") + _relative(r.export.path))
    return "\n".join(lines)


# ------------------------------------------------------------------ for the command line

def resolve_deadline(course: Course, assignment: str, text: str | None) -> tuple[datetime | None, str]:
    """``--deadline`` (no offset: JST); else the assignment's due date in the gradebook, when there is one.
    Returns the deadline and where it came from (``"option"``, ``"gradebook"`` or ``""``)."""
    from autograder.course.collect import parse_time

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


def error_text(exc: Exception, lang: str) -> str:
    """The message of a course-command error in the language asked for."""
    message = getattr(exc, "message", None)
    if callable(message):
        return message(lang)
    text = str(exc)
    if " / " in text:  # "Japanese / English" messages
        ja, en = text.split(" / ", 1)
        return en if lang == "en" else ja
    return text


def course_errors() -> tuple[type[Exception], ...]:
    from autograder.errors import CollectError, CourseError, ExportError

    return (CollectError, CourseError, ExportError, ValueError)


def run_command(args) -> int:  # args: argparse.Namespace of collect / autograde / export / round
    """What ``autograder collect|autograde|export|round`` do; messages in ``args.lang``."""
    import sys

    from autograder.course.collect import render_collect
    from autograder.course.coursedir import open_course
    from autograder.judge.spec import load_spec
    from autograder.present.text import batch_table

    lang = args.lang
    en = lang == "en"
    spec = load_spec(args.assignment)
    course = open_course(args.course)
    deadline, source = (None, "") if args.command == "export" else resolve_deadline(course, spec.id, args.deadline)
    if source == "gradebook":
        print(f"deadline from the gradebook: {_shown_jst(deadline)}" if en else f"締切（成績表より）: {_shown_jst(deadline)}")
    jobs = max(1, getattr(args, "jobs", 1)) if getattr(args, "jobs", 1) != 0 else (os.cpu_count() or 1)

    def warn(pairs) -> None:
        for ja, en_text in pairs:
            print(("warning: " if en else "注意: ") + (en_text if en else ja), file=sys.stderr)

    if args.command == "collect":
        from autograder.course.collect import collect_zip

        result = collect_zip(args.zip, course, spec.id, spec.number, deadline=deadline, times=args.times,
                             keep_late=args.keep_late, force=args.force)
        print(render_collect(result, lang))
        return 0
    if args.command == "autograde":
        names = _manifest_names(course, spec.id)
        graded = autograde_course(course, spec, deadline=deadline, jobs=jobs, names=names, lang=lang, progress=True)
        print(batch_table(display_report(graded.report), spec, lang))
        warn(graded.warnings)
        print(("report: " if en else "レポート: ") + _relative(graded.report_path))
        return 0
    if args.command == "export":
        exported = export_course(course, spec.id, out=args.out, encoding=args.encoding, lang=lang)
        warn(exported.warnings)
        print(f"wrote {len(exported.rows)} students to {_relative(exported.path)}" if en
              else f"{len(exported.rows)} 人分を {_relative(exported.path)} に書き出しました。")
        return 0
    result = run_round(args.zip, spec, course, deadline=deadline, times=args.times, keep_late=args.keep_late,
                       force=args.force, jobs=jobs, encoding=args.encoding, out=args.out, lang=lang, progress=True)
    print(render_collect(result.collect, lang))
    print()
    print(batch_table(display_report(result.autograde.report), spec, lang))
    warn(result.autograde.warnings)
    warn(result.export.warnings)
    print()
    print(render_summary(result, lang))
    return 0


def _shown_jst(t: datetime | None) -> str:
    from autograder.course.collect import _shown

    return _shown(t) if t else "-"


def _manifest_names(course: Course, assignment: str) -> dict[str, str]:
    from autograder.course.collect import read_manifest

    manifest = read_manifest(course.manifest_paths(assignment)[1])
    return manifest.names() if manifest else {}
