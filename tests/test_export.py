"""autograder.gradebook (static scores into nbgrader's gradebook) and autograder.export (the CSV for the LMS)."""
from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from lms_zip import copy_course, make_zip

from autograder.course.collect import JST, collect_zip
from autograder.course.coursedir import open_course
from autograder.course.export import LmsExportPlugin, build_rows, csv_bytes, export_course
from autograder.course.gradebook import autograde_course
from autograder.errors import ExportError
from autograder.judge.spec import load_spec
from autograder.testing import samples as s

DEADLINE = datetime(2026, 11, 23, 23, 59, tzinfo=JST)
SPEC = load_spec("mlp")


def unexecuted(nb: dict) -> dict:
    """The same notebook as saved before anything was run."""
    nb = {**nb, "cells": [dict(c) for c in nb["cells"]]}
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
    return nb


ENTRIES = [
    ("2412001_青木陽菜_2.ipynb", s.dumps(s.submission("mlp", seed=1)), (2026, 11, 23, 20, 0, 0), "cp932"),
    ("2412002_髙橋湊_2.ipynb", s.dumps(s.submission("mlp", seed=2, accuracy=0.9)), (2026, 11, 23, 20, 5, 0), "cp932"),
    ("2412003_𠮷田結衣_2.ipynb", s.dumps(s.submission("mlp", seed=3, gpu=False)), (2026, 11, 23, 21, 0, 0)),
    ("2412004_江藤蓮_2.ipynb", s.dumps(unexecuted(s.submission("mlp", seed=4))), (2026, 11, 23, 22, 0, 0)),
    ("2412005_太田陸_2.ipynb", s.dumps(s.submission("mlp", seed=5)), (2026, 11, 24, 0, 10, 0)),
    ("2412006_加藤芽依_2.pdf", b"%PDF-1.4\n", (2026, 11, 23, 20, 0, 0)),
]


@pytest.fixture
def graded(tmp_path):
    """A course after collect (keeping late files) and autograde."""
    course = open_course(copy_course(tmp_path / "course"))
    collected = collect_zip(make_zip(tmp_path / "k.zip", ENTRIES), course, "mlp", 2, deadline=DEADLINE, keep_late=True)
    result = autograde_course(course, SPEC, deadline=DEADLINE, names=collected.manifest.names())
    return course, result


def test_static_scores_are_stored_in_nbgraders_gradebook(graded):
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    course, result = graded
    report = {r.student_id: r for r in result.report.submissions}
    assert sorted(report) == ["2412001", "2412002", "2412003", "2412004", "2412005"]
    assert {sid: r.score for sid, r in report.items()} == {"2412001": 100, "2412002": 80, "2412003": 90,
                                                          "2412004": 20, "2412005": 100}
    assert result.created_cells == tuple(c.id for c in SPEC.checks)  # no generate_assignment was run
    with Gradebook(course.db_url, course.course_id) as gb:
        assignment = gb.find_assignment("mlp")
        assert assignment.duedate == datetime(2026, 11, 23, 14, 59)  # naive UTC, as nbgrader keeps it
        assert assignment.max_score == 100
        for sid, r in report.items():
            for check in r.checks:
                grade = gb.find_grade(check.id, "mlp", "mlp", sid)
                assert (grade.auto_score, grade.max_score, grade.manual_score) == (check.points, check.max_points, None)
                assert grade.needs_manual_grade is False
            assert gb.find_submission("mlp", sid).score == r.score
        assert gb.find_submission("mlp", "2412002").timestamp == datetime(2026, 11, 23, 11, 5)
        assert gb.find_student("2412003").last_name == "𠮷田結衣"
        assert gb.find_submission("mlp", "2412005").total_seconds_late == 660
    # nbgrader's own API (what formgrader shows): autograded, with our scores
    api = NbGraderAPI(coursedir=course.coursedir)
    assert api.get_autograded_students("mlp") == set(report)
    assert {x["student"]: x["score"] for x in api.get_submissions("mlp")} == {sid: r.score for sid, r in report.items()}
    assert (course.root / "autograded/2412001/mlp/mlp.ipynb").read_bytes() == \
        (course.root / "submitted/2412001/mlp/mlp.ipynb").read_bytes()


def test_flags_and_the_report_file(graded):
    import json

    course, result = graded
    flags = {r.student_id: [f.kind for f in r.flags] for r in result.report.submissions}
    assert flags == {"2412001": [], "2412002": [], "2412003": [], "2412004": ["not_executed"], "2412005": ["late"]}
    late = next(r for r in result.report.submissions if r.student_id == "2412005").flags[0]
    assert late.message == "締切（2026-11-23 23:59）より後の提出です（2026-11-24 00:10、11 分遅れ）。"
    doc = json.loads(result.report_path.read_text(encoding="utf-8"))
    assert result.report_path == course.root / "autograded" / "mlp_report.json"
    assert [x["student_id"] for x in doc["submissions"]] == sorted(flags)


def test_generate_assignment_then_autograde_uses_nbgraders_grade_cells(tmp_path):
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    course = open_course(copy_course(tmp_path / "course"))
    assert NbGraderAPI(coursedir=course.coursedir).generate_assignment("mlp")["success"]
    collect_zip(make_zip(tmp_path / "k.zip", ENTRIES[:2]), course, "mlp", 2)
    result = autograde_course(course, SPEC)
    assert result.created_cells == () and result.warnings == ()  # the source notebook's test cells are the checks
    with Gradebook(course.db_url, course.course_id) as gb:
        assert gb.find_submission("mlp", "2412002").score == 80
        assert gb.find_assignment("mlp").max_score == SPEC.total_points


def test_a_graders_manual_score_wins_and_survives_a_rerun(graded):
    from nbgrader.api import Gradebook

    course, _ = graded
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.find_grade("test_accuracy", "mlp", "mlp", "2412002").manual_score = 15.0
        gb.db.commit()
    autograde_course(course, SPEC, deadline=DEADLINE)
    with Gradebook(course.db_url, course.course_id) as gb:
        grade = gb.find_grade("test_accuracy", "mlp", "mlp", "2412002")
        assert (grade.auto_score, grade.manual_score, grade.needs_manual_grade) == (0.0, 15.0, True)
    rows = {r.student_id: r for r in export_course(course, "mlp").rows}
    assert rows["2412002"].score == 95


def test_export_rows(graded):
    from nbgrader.api import Gradebook

    course, _ = graded
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.add_student("2412099", last_name="山本", first_name="花子")  # a roster imported into nbgrader
        gb.update_or_create_student("2412001", last_name="青木", first_name="陽菜")
    autograde_course(course, SPEC, deadline=DEADLINE, names={"2412001": "青木陽菜"})  # never overwrites a roster's names
    result = export_course(course, "mlp")
    assert result.path == course.root / "autograded" / "mlp_grades.csv"
    assert [(r.student_id, r.name, r.score, r.max_score, r.flags) for r in result.rows] == [
        ("2412001", "青木 陽菜", 100, 100, ()),
        ("2412002", "髙橋湊", 80, 100, ()),
        ("2412003", "𠮷田結衣", 90, 100, ()),
        ("2412004", "江藤蓮", 20, 100, ("not_executed",)),
        ("2412005", "太田陸", 100, 100, ("late",)),
        ("2412006", "加藤芽依", 0, 100, ("not_notebook",)),
        ("2412099", "山本 花子", 0, 100, ("not_submitted",)),
    ]


def test_the_csv_opens_with_the_right_japanese_text_in_both_encodings(graded, tmp_path):
    course, _ = graded
    utf8 = export_course(course, "mlp")
    data = utf8.path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and utf8.warnings == ()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["学籍番号", "氏名", "点数", "満点", "フラグ"]
    assert rows[1:4] == [["2412001", "青木陽菜", "100", "100", ""], ["2412002", "髙橋湊", "80", "100", ""],
                         ["2412003", "𠮷田結衣", "90", "100", ""]]
    assert rows[5] == ["2412005", "太田陸", "100", "100", "late"]
    assert data.count(b"\r\n") == 7  # Excel's line ends

    sjis = export_course(course, "mlp", out=tmp_path / "sjis.csv", encoding="cp932")
    data = sjis.path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("cp932"))))
    assert rows[0] == ["学籍番号", "氏名", "点数", "満点", "フラグ"]
    assert rows[1][1] == "青木陽菜" and rows[2][1] == "髙橋湊"  # 髙 is in cp932 (NEC/IBM extensions)
    assert rows[3] == ["2412003", "?田結衣", "90", "100", ""]  # 𠮷 is not
    assert sjis.warnings == (("2412003: 「𠮷田結衣」の 𠮷 は cp932 で書けないので ? にしました。",
                              "2412003: '𠮷田結衣': 𠮷 cannot be written in cp932 and became '?'."),)

    english = export_course(course, "mlp", out=tmp_path / "en.csv", lang="en")  # a machine format: same columns
    assert english.path.read_text(encoding="utf-8-sig").splitlines()[0] == "学籍番号,氏名,点数,満点,フラグ"


def test_nbgraders_export_app_runs_our_plugin_and_its_own(graded, tmp_path):
    from nbgrader.apps import ExportApp

    course, _ = graded
    ours = export_course(course, "mlp").path.read_bytes()
    common = [f"--CourseDirectory.root={course.root}", f"--CourseDirectory.course_id={course.course_id}", "--assignment=mlp"]
    app = ExportApp()
    app.initialize(common + ["--exporter=autograder.export.LmsExportPlugin", f"--ExportPlugin.to={tmp_path / 'p.csv'}"])
    app.start()
    assert (tmp_path / "p.csv").read_bytes() == ours
    app = ExportApp()
    app.initialize(common + [f"--ExportPlugin.to={tmp_path / 'nbgrader.csv'}"])  # nbgrader's CsvExportPlugin
    app.start()
    rows = {r["student_id"]: r for r in csv.DictReader(io.StringIO((tmp_path / "nbgrader.csv").read_text(encoding="utf-8")))}
    assert {sid: float(r["score"]) for sid, r in rows.items() if r["timestamp"]} == {
        "2412001": 100, "2412002": 80, "2412003": 90, "2412004": 20, "2412005": 100}
    assert rows["2412001"]["last_name"] == "青木陽菜" and rows["2412001"]["max_score"] == "100.0"


def test_export_errors(tmp_path):
    from nbgrader.api import Gradebook

    course = open_course(copy_course(tmp_path / "course"))
    with Gradebook(course.db_url, course.course_id) as gb, pytest.raises(ExportError) as info:
        build_rows(gb, "mlp")
    assert "autograde" in info.value.message("ja")
    with pytest.raises(ExportError):
        csv_bytes([], encoding="latin-1")
    plugin = LmsExportPlugin(assignment=[])
    plugin.course = course
    with Gradebook(course.db_url, course.course_id) as gb:
        gb.add_assignment("mlp")
        gb.add_assignment("history")
        with pytest.raises(ExportError) as info:
            plugin.export(gb)
    assert "1 つ" in info.value.message("ja")
