"""Grade a course's collected submissions statically into nbgrader's gradebook. Never imports execute or cli.

How our checks map to nbgrader (``nbgrader.api.Gradebook``, the course's ``gradebook.db``):

- assignment = the spec id (``mlp``); notebook = the source notebook's name without ``.ipynb`` (``mlp``);
- one **grade cell per check**, named by the check id, ``max_score`` = the check's points. The course's source
  notebooks already carry test cells with exactly these ids and points (``assignments/build_notebooks.py``), so
  ``nbgrader generate_assignment`` and this module agree; missing cells are created, and a cell whose
  ``max_score`` differs from the spec is set to the spec's points (with a warning);
- a check's points are stored as the grade's ``auto_score`` — what ``nbgrader autograde`` stores — and
  ``manual_score`` is never written, so a grader's override in formgrader wins (nbgrader's ``score`` is the
  manual score when there is one). ``needs_manual_grade`` is set as nbgrader's ``SaveAutoGrades`` sets it (true
  when a manual score exists), and also when the notebook could not be read (every check 0);
- the submission's ``timestamp`` comes from ``timestamp.txt``; ``--deadline`` becomes the assignment's ``duedate``;
- the graded notebook and its ``timestamp.txt`` are copied to ``autograded/<student>/<assignment>/`` (as UTF-8
  nbformat-4 JSON, converted only when it was not already, so that nbgrader reads it):
  that is how nbgrader knows a submission was autograded, so formgrader shows our scores and lets a grader
  override them (a later ``nbgrader autograde --force`` that executes the notebooks replaces both);
- a submission in the gradebook whose notebook is no longer in ``submitted/`` gets ``auto_score`` 0 on every
  cell, as ``nbgrader autograde`` does for a missing notebook;
- a student is created when new, with the name from the file name in ``last_name`` (a roster imported with
  ``nbgrader db student import`` is never overwritten).

Flags (``late`` is added here, from ``timestamp.txt`` and the due date) are not a gradebook concept: they are in
the report, ``autograded/<assignment>_report.json``. Imports nbgrader; never imported by ``grade`` / ``check``.
"""
from __future__ import annotations

import json
import os
import re
import warnings as _warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from autograder.course.collect.times import delay_text, shown_time
from autograder.course.coursedir import Course
from autograder.model.results import Flag, Report, SubmissionResult
from autograder.model.spec import Spec
from autograder.pipeline import grade_paths


@dataclass(frozen=True)
class AutogradeResult:
    report: Report
    report_path: Path
    created_cells: tuple[str, ...] = ()  # grade cells this run added to the gradebook
    warnings: tuple[tuple[str, str], ...] = ()  # (Japanese, English)


@contextmanager
def warnings_of_nbgrader_silenced() -> Iterator[None]:
    """nbgrader's ``add_submission`` makes SQLAlchemy 2 warn (objects built before they join the session); the
    rows are written correctly, so the warnings are noise on an instructor's screen."""
    from sqlalchemy.exc import SAWarning

    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", SAWarning)
        yield


def _utc_naive(t: datetime) -> datetime:
    """nbgrader stores times as naive UTC."""
    return t.astimezone(timezone.utc).replace(tzinfo=None) if t.tzinfo else t


def _jst(t_utc_naive: datetime) -> str:
    return shown_time(t_utc_naive.replace(tzinfo=timezone.utc))


def late_flag(timestamp: datetime, duedate: datetime) -> Flag:
    """Both naive UTC, as nbgrader keeps them."""
    seconds = (timestamp - duedate).total_seconds()
    return Flag("late",
                f"締切（{_jst(duedate)}）より後の提出です（{_jst(timestamp)}、{delay_text(seconds, 'ja')}遅れ）。",
                f"submitted after the deadline ({_jst(duedate)}) at {_jst(timestamp)}, {delay_text(seconds, 'en')} late.")


def _student_pattern(course: Course, assignment: str) -> re.Pattern[str]:
    cd = course.coursedir
    return re.compile(cd.format_path(cd.submitted_directory, "(?P<student_id>[^/\\\\]+)", re.escape(assignment), escape=True)
                      + re.escape(os.sep) + r"[^/\\]+\.ipynb$")


def _read_timestamp(folder: Path) -> datetime | None:
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    try:
        text = path.read_text(encoding="utf-8").strip()
        return parse_utc(text) if text else None
    except (OSError, ValueError, OverflowError):
        return None


def autograde_course(course: Course, spec: Spec, deadline: datetime | None = None, jobs: int = 1,
                     names: Mapping[str, str] | None = None, lang: str = "ja", progress: bool = False) -> AutogradeResult:
    """Grade every ``submitted/*/<assignment>/*.ipynb`` of the course and store the scores in its gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    assignment = spec.id
    notebook_id = course.notebook_name(assignment)[: -len(".ipynb")]
    files = course.submitted_notebooks(assignment)
    pattern = _student_pattern(course, assignment)
    warnings: list[tuple[str, str]] = []
    with Gradebook(course.db_url, course.course_id) as gb, warnings_of_nbgrader_silenced():
        kwargs: dict[str, Any] = {"duedate": _utc_naive(deadline)} if deadline is not None else {}
        gb_assignment = gb.update_or_create_assignment(assignment, **kwargs)
        duedate = gb_assignment.duedate
        created = _ensure_cells(gb, spec, notebook_id, warnings)

        report = grade_paths([str(f) for f in files], spec, jobs=jobs, progress=progress,
                             template=_released_evidence(course, assignment))
        assert len(report.submissions) == len(files)
        results = []
        for f, result in zip(files, report.submissions, strict=True):
            m = pattern.match(str(f))
            sid = m["student_id"] if m else f.parent.parent.name
            if Path(result.file).name != f"{notebook_id}.ipynb":
                warnings.append((f"{result.file}: ノートブックの名前が {notebook_id}.ipynb ではないので、成績表には入れていません。",
                                 f"{result.file}: not named {notebook_id}.ipynb, so it is not stored in the gradebook."))
                results.append(replace(result, student_id=sid))
                continue
            timestamp = _read_timestamp(f.parent)
            flags = result.flags
            if timestamp is not None and duedate is not None and timestamp > duedate:
                flags = flags + (late_flag(timestamp, duedate),)
            result = replace(result, student_id=sid, flags=flags)
            results.append(result)
            _store(gb, result, spec, assignment, notebook_id, timestamp, (names or {}).get(sid))
            _mirror_autograded(course, f, sid, assignment)
        graded = {r.student_id for r in results}
        for submission in list(gb.assignment_submissions(assignment)):
            if submission.student.id not in graded:
                try:
                    sn = gb.find_submission_notebook(notebook_id, assignment, submission.student.id)
                except MissingEntry:
                    continue
                for grade in sn.grades:
                    grade.auto_score = 0.0
                    grade.needs_manual_grade = grade.manual_score is not None
                gb.db.commit()
                warnings.append((f"{submission.student.id}: 成績表に提出がありますが submitted/ にノートブックがないので、"
                                 "自動採点の点を 0 にしました。",
                                 f"{submission.student.id}: in the gradebook but no notebook in submitted/, "
                                 "so its automatic scores were set to 0."))
    report = Report(assignment=report.assignment, submissions=tuple(results))
    path = course.report_path(assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report.to_json(lang), ensure_ascii=False, indent=2) + "\n"
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")
    return AutogradeResult(report=report, report_path=path, created_cells=tuple(created), warnings=tuple(warnings))


def _released_evidence(course: Course, assignment: str) -> list[Any]:
    """What the released (else source) notebook shows: identifiers every student starts with, which collusion
    detection must not count."""
    from autograder.errors import NotebookError
    from autograder.read.extract import extract
    from autograder.read.notebook import load_notebook

    cd = course.coursedir
    for step in (cd.release_directory, cd.source_directory):
        path = Path(cd.format_path(step, ".", assignment)) / course.notebook_name(assignment)
        if path.is_file():
            try:
                return [extract(load_notebook(path))]
            except NotebookError:
                return []
    return []


def _mirror_autograded(course: Course, notebook: Path, sid: str, assignment: str) -> None:
    """``autograded/<sid>/<assignment>/``: the graded notebook (unchanged: nothing is executed) and its
    ``timestamp.txt``, which is how nbgrader (formgrader, ``generate_feedback``) knows a submission was autograded."""
    cd = course.coursedir
    dest = Path(cd.format_path(cd.autograded_directory, sid, assignment))
    for src in (notebook, notebook.parent / "timestamp.txt"):
        if not src.is_file():
            continue
        data = src.read_bytes()
        if src is notebook:
            data = _readable_by_nbgrader(data, src)
        target = dest / src.name
        if not target.is_file() or target.read_bytes() != data:
            dest.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _readable_by_nbgrader(data: bytes, path: Path) -> bytes:
    """A notebook placed in ``submitted/`` by hand may still carry a BOM, UTF-16 or nbformat 3: the autograded copy
    is converted so that nbgrader reads it (an unreadable one is copied as it is; it was graded 0 with a reason)."""
    from autograder.course.collect.convert import for_nbgrader
    from autograder.errors import NotebookError

    try:
        return for_nbgrader(data, path.name)[0]
    except NotebookError:
        return data


def _ensure_cells(gb: Any, spec: Spec, notebook_id: str, warnings: list[tuple[str, str]]) -> list[str]:
    """The notebook and one grade cell per check; returns the names of the cells created."""
    from nbgrader.api import MissingEntry

    assignment = spec.id
    try:
        gb.find_notebook(notebook_id, assignment)
    except MissingEntry:
        gb.add_notebook(notebook_id, assignment)
    created = []
    for check in spec.checks:
        try:
            cell = gb.find_grade_cell(check.id, notebook_id, assignment)
        except MissingEntry:
            gb.add_grade_cell(check.id, notebook_id, assignment, max_score=check.points, cell_type="code")
            created.append(check.id)
            continue
        if abs(cell.max_score - check.points) > 1e-9:
            warnings.append((f"成績表のセル {check.id} の満点 {cell.max_score:g} を仕様の {check.points:g} に合わせました。",
                             f"grade cell {check.id}: max score {cell.max_score:g} set to the spec's {check.points:g}."))
            cell.max_score = check.points
            gb.db.commit()
    ids = {c.id for c in spec.checks}
    extra = sorted(c.name for c in gb.find_notebook(notebook_id, assignment).grade_cells if c.name not in ids)
    if extra:
        warnings.append((f"成績表のセル {', '.join(extra)} に対応するチェックが仕様にないので、自動では点が入りません。",
                         f"grade cells {', '.join(extra)} have no check in the spec, so no automatic score is stored for them."))
    return created


def _submitted_notebook(gb: Any, notebook_id: str, assignment: str, student: str) -> Any:
    from nbgrader.api import MissingEntry, SubmittedNotebook

    try:
        return gb.find_submission_notebook(notebook_id, assignment, student)
    except MissingEntry:  # the notebook was added to the assignment after this submission was made
        sn = SubmittedNotebook(notebook=gb.find_notebook(notebook_id, assignment),
                               assignment=gb.find_submission(assignment, student))
        gb.db.add(sn)
        gb.db.commit()
        return sn


def _store(gb: Any, result: SubmissionResult, spec: Spec, assignment: str, notebook_id: str,
           timestamp: datetime | None, name: str | None) -> None:
    from nbgrader.api import Grade, MissingEntry

    sid = result.student_id
    assert sid is not None
    try:
        student = gb.find_student(sid)
        if name and not (student.first_name or student.last_name):
            student.last_name = name
            gb.db.commit()
    except MissingEntry:
        gb.add_student(sid, last_name=name or None)
    if timestamp is not None:
        gb.update_or_create_submission(assignment, sid, timestamp=timestamp)
    else:
        gb.update_or_create_submission(assignment, sid)
    sn = _submitted_notebook(gb, notebook_id, assignment, sid)
    grades = {g.cell.name: g for g in sn.grades if g.cell is not None}
    points = {c.id: c.points for c in result.checks}
    for check in spec.checks:
        grade = grades.get(check.id)
        if grade is None:
            grade = Grade(cell=gb.find_grade_cell(check.id, notebook_id, assignment), notebook=sn)
            gb.db.add(grade)
        grade.auto_score = float(points.get(check.id, 0.0))
        grade.needs_manual_grade = grade.manual_score is not None or result.status == "error"
    gb.db.commit()


@dataclass(frozen=True)
class FinalScore:
    """A student's score as the gradebook holds it now: a grader's manual scores in formgrader included."""

    score: float  # nbgrader's score minus its late penalty, as the CSV has it
    cells: Mapping[str, float]  # grade cell → score
    manual: frozenset[str]  # the grade cells a grader scored by hand


def final_scores(course: Course, assignment: str) -> dict[str, FinalScore]:
    """Every submission of ``assignment`` in the gradebook → its final score (empty when there is none)."""
    from nbgrader.api import Gradebook, MissingEntry

    notebook_id = course.notebook_name(assignment)[: -len(".ipynb")]
    out: dict[str, FinalScore] = {}
    with Gradebook(course.db_url, course.course_id) as gb:
        try:
            submissions = list(gb.assignment_submissions(assignment))
        except MissingEntry:
            return {}
        for sub in submissions:
            score = max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0.0))
            cells: dict[str, float] = {}
            manual: set[str] = set()
            for nb in sub.notebooks:
                if nb.name != notebook_id:
                    continue
                for g in nb.grades:
                    cells[g.name] = float(g.score)
                    if g.manual_score is not None:
                        manual.add(g.name)
            out[sub.student.id] = FinalScore(score, cells, frozenset(manual))
    return out


def roster(course: Course) -> dict[str, str]:
    """Every student in the gradebook (a roster imported with ``nbgrader db student import``, and every student
    graded before) → name (``""`` when none)."""
    from nbgrader.api import Gradebook

    with Gradebook(course.db_url, course.course_id) as gb:
        return {s.id: " ".join(p for p in (s.last_name, s.first_name) if p) for s in gb.students}
