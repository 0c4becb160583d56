"""The grades CSV for the LMS (WebClass), from nbgrader's gradebook; an nbgrader export plugin. Never imports execute or cli.

Columns ``学籍番号, 氏名, 点数, 満点, フラグ`` (student id, name, score, max score, flags) whatever ``--lang``: a
machine format never depends on the display language. One row per student, sorted by student id:

- a student with a submission in the gradebook: ``点数`` is nbgrader's score (a grader's manual score in formgrader
  wins over ours) minus its late penalty, exactly as ``nbgrader export`` computes it; flags from the report;
- a student the collect manifest names but who has no accepted file (only late, a PDF, the wrong number, …):
  0 points, flags = those manifest codes;
- any other student in the gradebook: 0 points, flag ``not_submitted``.

``フラグ`` holds stable codes joined by ``;`` (``late;not_executed``). A cell a spreadsheet would read as a formula (a
name typed as ``=HYPERLINK(…)``) gets a leading ``'`` (``collect.safe.csv_cell``). UTF-8 with BOM by default (Japanese Excel
opens it); ``cp932`` replaces what cp932 cannot encode with ``?`` and reports each replacement.
``LmsExportPlugin`` is an ``nbgrader.plugins.ExportPlugin``: ``nbgrader export --exporter=autograder.export.LmsExportPlugin
--assignment=[mlp]`` writes the same file. Imports nbgrader; never imported by ``grade`` / ``check``.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Unicode

from autograder.course.collect import ACCEPTED, Manifest, read_manifest
from autograder.course.collect.safe import csv_cell
from autograder.course.coursedir import Course, open_course
from autograder.errors import ExportError
from autograder.model.format import CSV_ENCODING, CSV_ENCODINGS
from autograder.model.format import score as _num

ENCODINGS = CSV_ENCODINGS
# one machine format whatever the display language: WebClass and the instructor's spreadsheets read these columns
HEADER = ("学籍番号", "氏名", "点数", "満点", "フラグ")
_NOT_COUNTED = ("superseded", "directory", "system_file")


@dataclass(frozen=True)
class ExportRow:
    student_id: str
    name: str
    score: float
    max_score: float
    flags: tuple[str, ...] = ()
    submitted: bool = True  # has a submission in the gradebook


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: tuple[ExportRow, ...]
    warnings: tuple[tuple[str, str], ...] = ()  # (Japanese, English)




def _report_flags(path: Path) -> dict[str, list[str]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {s["student_id"]: [f["kind"] for f in s.get("flags", [])]
                for s in raw.get("submissions", []) if s.get("student_id")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _name(student: Any, fallback: str) -> str:
    parts = [p for p in (student.last_name, student.first_name) if p]
    return " ".join(parts) if parts else fallback


def build_rows(gb: Gradebook, assignment: str, manifest: Manifest | None = None,
               report_flags: dict[str, list[str]] | None = None) -> list[ExportRow]:
    try:
        a = gb.find_assignment(assignment)
    except MissingEntry:
        raise ExportError(f"成績表（gradebook.db）に課題 {assignment} がありません。"
                          "先に autograder autograde（または round）を実行してください。",
                          f"the gradebook has no assignment {assignment}; run autograder autograde (or round) first.") from None
    max_score = float(a.max_score or 0.0)
    names = manifest.names() if manifest else {}
    report_flags = report_flags or {}
    by_student: dict[str, list[str]] = {}
    if manifest:
        for e in manifest.entries:
            if e.student_id and e.code not in _NOT_COUNTED:
                by_student.setdefault(e.student_id, []).append(e.code)
    rows: dict[str, ExportRow] = {}
    for student in gb.students:
        sid = student.id
        try:
            sub = gb.find_submission(assignment, sid)
        except MissingEntry:
            codes = [c for c in by_student.get(sid, []) if c not in ACCEPTED]
            rows[sid] = ExportRow(sid, _name(student, names.get(sid, "")), 0.0, max_score,
                                  tuple(dict.fromkeys(codes or ["not_submitted"])), submitted=False)
            continue
        score = max(0.0, float(sub.score) - float(sub.late_submission_penalty or 0.0))
        codes = by_student.get(sid, [])
        # a student graded earlier is not in this round's report: say why from the manifest
        flags = list(report_flags[sid]) if sid in report_flags else [c for c in codes if c not in ACCEPTED]
        if "accepted_late" in codes:
            flags.append("late")
        rows[sid] = ExportRow(sid, _name(student, names.get(sid, "")), score, max_score, tuple(dict.fromkeys(flags)))
    for sid, codes in by_student.items():
        if sid not in rows:
            rows[sid] = ExportRow(sid, names.get(sid, ""), 0.0, max_score,
                                  tuple(dict.fromkeys(c for c in codes if c not in ACCEPTED)) or ("not_submitted",),
                                  submitted=False)
    return [rows[sid] for sid in sorted(rows)]


def _encodable(text: str, encoding: str) -> tuple[str, list[str]]:
    """``text`` with every character ``encoding`` cannot write replaced by ``?``, and the characters replaced."""
    if encoding != "cp932":
        return text, []
    out, bad = [], []
    for ch in text:
        try:
            ch.encode("cp932")
            out.append(ch)
        except UnicodeEncodeError:
            out.append("?")
            bad.append(ch)
    return "".join(out), bad


def csv_bytes(rows: list[ExportRow], encoding: str = CSV_ENCODING, lang: str = "ja") -> tuple[bytes, list[tuple[str, str]]]:
    if encoding not in ENCODINGS:
        raise ExportError(f"文字コード {encoding} は使えません（{', '.join(ENCODINGS)}）。",
                          f"unknown encoding {encoding} (choose {', '.join(ENCODINGS)}).")
    warnings: list[tuple[str, str]] = []
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HEADER)  # ``lang`` changes only the warnings' words, never the file
    for r in rows:
        cells = []
        for value in (csv_cell(r.student_id), csv_cell(r.name), _num(r.score), _num(r.max_score), csv_cell(";".join(r.flags))):
            safe, bad = _encodable(value, encoding)
            if bad:
                chars = "".join(dict.fromkeys(bad))
                warnings.append((f"{r.student_id}: 「{value}」の {chars} は cp932 で書けないので ? にしました。",
                                 f"{r.student_id}: '{value}': {chars} cannot be written in cp932 and became '?'."))
            cells.append(safe)
        w.writerow(cells)
    return buf.getvalue().encode(encoding), warnings


class LmsExportPlugin(ExportPlugin):
    """nbgrader export plugin: the LMS CSV of one assignment (see the module docstring)."""

    encoding = Unicode(CSV_ENCODING, help="utf-8-sig (default, for Excel), utf-8 or cp932").tag(config=True)
    lang = Unicode("ja", help="the language of the warnings (the CSV's columns are the same in every language)").tag(config=True)

    course: Course | None = None
    result: ExportResult | None = None

    def _course(self) -> Course:
        if self.course is not None:
            return self.course
        coursedir = getattr(self.parent, "coursedir", None)
        return Course(root=Path(coursedir.root), coursedir=coursedir) if coursedir is not None else open_course()

    def export(self, gradebook: Gradebook) -> None:
        course = self._course()
        if len(self.assignment) == 1:
            assignment = str(self.assignment[0])
        elif not self.assignment and len(gradebook.assignments) == 1:
            assignment = gradebook.assignments[0].name
        else:
            raise ExportError("課題を 1 つ指定してください（--assignment）。LMS の CSV は課題ごとです。",
                              "give exactly one assignment (--assignment): the LMS CSV is per assignment.")
        manifest = read_manifest(course.manifest_paths(assignment)[1])
        rows = build_rows(gradebook, assignment, manifest, _report_flags(course.report_path(assignment)))
        if self.student:
            wanted = {str(s) for s in self.student}
            rows = [r for r in rows if r.student_id in wanted]
        data, warnings = csv_bytes(rows, self.encoding, self.lang)
        path = Path(self.to) if self.to else course.export_path(assignment)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        self.result = ExportResult(path=path, rows=tuple(rows), warnings=tuple(warnings))


def export_course(course: Course, assignment: str, out: str | os.PathLike[str] | None = None, encoding: str = CSV_ENCODING,
                  lang: str = "ja") -> ExportResult:
    """Write the LMS CSV of ``assignment`` (default ``autograded/<assignment>_grades.csv``)."""
    plugin = LmsExportPlugin(to=str(out) if out else "", assignment=[assignment], encoding=encoding, lang=lang)
    plugin.course = course
    with Gradebook(course.db_url, course.course_id) as gb:
        plugin.export(gb)
    assert plugin.result is not None
    return plugin.result
