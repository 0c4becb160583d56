"""autograder round (and the collect / autograde / export commands) end to end, through autograder.cli.main."""
from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest
from lms_zip import copy_course, files_under, make_zip

from autograder.cli import main
from autograder.testing import samples as s

PDF = b"%PDF-1.4\n"
ZIP_ENTRIES = [
    ("2412001_青木陽菜_2.ipynb", s.dumps(s.submission("mlp", seed=1)), (2026, 11, 23, 20, 0, 0), "cp932"),
    ("2412002_宗像ソラ_2.ipynb", s.dumps(s.submission("mlp", seed=2, accuracy=0.9)), (2026, 11, 23, 20, 0, 0), "cp932"),
    ("2412002_宗像ソラ_2 (1).ipynb", s.dumps(s.submission("mlp", seed=3, gpu=False)), (2026, 11, 23, 21, 0, 0), "cp932"),
    ("2412003_上田結衣_2.ipynb", s.dumps(s.submission("mlp", seed=4)), (2026, 11, 24, 1, 0, 0)),
    ("2412004_江藤蓮_3.ipynb", s.dumps(s.submission("history", seed=4))),
    ("2412005_太田陸_2.pdf", PDF),
    ("2412006_加藤芽依_2.ipynb", PDF),
    ("課題2/2412007_木村大翔/提出.ipynb", s.dumps(s.submission("mlp", seed=7, accuracy=0.93)), (2026, 11, 23, 12, 0, 0), "cp932"),
]
DEADLINE = "2026-11-23T23:59+09:00"


@pytest.fixture
def setup(tmp_path):
    return copy_course(tmp_path / "course"), make_zip(tmp_path / "kadai2.zip", ZIP_ENTRIES)


def _csv(path, encoding="utf-8-sig"):
    return list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))


def test_round_end_to_end(setup, capsys):
    course, zip_path = setup
    assert main(["round", str(zip_path), "--assignment", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    out = capsys.readouterr().out
    summary = out.split("\n\n")[-1]
    assert summary.splitlines()[:2] == [
        "ZIP: 8 件 — 受理 3（うち締切後 0）、締切後で除外 1、再提出で不採用 1、エラー 3",
        "採点: 3 件、フラグ付き 0、平均 90.0 / 100 点",
    ]
    assert "フィードバック: " in summary and "WebClass 用 CSV: " in summary and "mlp_grades.csv" in summary
    assert "2412006_加藤芽依_2.ipynb: ノートブックとして読めない" in out  # the rows that need attention

    files = files_under(course)
    assert {p for p in files if p.startswith("submitted/")} == {
        "submitted/2412001/mlp/mlp.ipynb", "submitted/2412001/mlp/timestamp.txt",
        "submitted/2412002/mlp/mlp.ipynb", "submitted/2412002/mlp/timestamp.txt",
        "submitted/2412007/mlp/mlp.ipynb", "submitted/2412007/mlp/timestamp.txt",
        "submitted/mlp_manifest.csv", "submitted/mlp_manifest.json"}
    assert {"autograded/mlp_report.json", "autograded/mlp_grades.csv", "autograded/2412001/mlp/mlp.ipynb",
            "feedback/mlp/index.html", "feedback/mlp/2412001.html", "feedback/mlp/2412007.html", "gradebook.db"} <= set(files)
    assert _csv(course / "autograded" / "mlp_grades.csv") == [
        ["学籍番号", "氏名", "点数", "満点", "フラグ"],
        ["2412001", "青木陽菜", "100", "100", ""],
        ["2412002", "宗像ソラ", "90", "100", ""],
        ["2412003", "上田結衣", "0", "100", "late"],
        ["2412004", "江藤蓮", "0", "100", "wrong_assignment"],
        ["2412005", "太田陸", "0", "100", "not_notebook"],
        ["2412006", "加藤芽依", "0", "100", "unreadable"],
        ["2412007", "木村大翔", "80", "100", ""],
    ]
    page = (course / "feedback" / "mlp" / "2412002.html").read_text(encoding="utf-8")
    assert "2412002" in page

    # a second run changes nothing (the gradebook's rows are compared through nbgrader, not as bytes)
    before = {p: b for p, b in files_under(course).items() if p != "gradebook.db"}
    assert main(["round", str(zip_path), "--assignment", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    assert capsys.readouterr().out.split("\n\n")[-1] == summary
    assert {p: b for p, b in files_under(course).items() if p != "gradebook.db"} == before


def test_round_keep_late_cp932_and_english(setup, capsys):
    course, zip_path = setup
    out_csv = course.parent / "webclass.csv"
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE, "--keep-late",
                 "--encoding", "cp932", "--out", str(out_csv), "--lang", "en"]) == 0
    summary = capsys.readouterr().out.split("\n\n")[-1].splitlines()
    assert summary[:2] == ["zip: 8 entries — accepted 4 (late 1), late and excluded 0, superseded 1, errors 3",
                           "graded: 4, flagged 1, mean 92.5 / 100"]
    rows = _csv(out_csv, "cp932")
    assert rows[0] == ["学籍番号", "氏名", "点数", "満点", "フラグ"]  # the same columns whatever --lang
    assert rows[3] == ["2412003", "上田結衣", "100", "100", "late"]


def test_the_commands_one_by_one_give_what_round_gives(setup, tmp_path, capsys):
    course, zip_path = setup
    other = copy_course(tmp_path / "other")
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(other), "--deadline", DEADLINE]) == 0
    assert main(["collect", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    assert "一覧: " in capsys.readouterr().out
    assert main(["autograde", "-a", "mlp", "--course", str(course)]) == 0
    out = capsys.readouterr().out
    assert "3 件: 採点 3" in out
    assert main(["export", "-a", "mlp", "--course", str(course)]) == 0
    assert "7 人分を" in capsys.readouterr().out
    assert (course / "autograded/mlp_grades.csv").read_bytes() == (other / "autograded/mlp_grades.csv").read_bytes()
    # the gradebook now has the due date: a later run without --deadline uses it
    assert main(["collect", str(zip_path), "-a", "mlp", "--course", str(other)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("締切（成績表より）: 2026-11-23 23:59")
    assert "締切後なので除外 1" in out


def test_an_unsafe_zip_stops_the_round_before_anything_is_written(setup, tmp_path, capsys):
    course, _ = setup
    bad = make_zip(tmp_path / "evil.zip", [("2412001_青木陽菜_2.ipynb", ZIP_ENTRIES[0][1]), ("../../etc/x.ipynb", "{}")])
    before = files_under(course)
    assert main(["round", str(bad), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 2
    err = capsys.readouterr().err
    assert "安全でない ZIP なので何も書き出していません" in err and "'..'" in err
    assert files_under(course) == before


def test_usage_errors_exit_two(setup, tmp_path, capsys):
    course, zip_path = setup
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", "next monday"]) == 2
    assert "日時として読めません" in capsys.readouterr().err
    assert main(["collect", str(zip_path), "-a", "mlp", "--course", str(tmp_path / "nowhere")]) == 2
    assert "コースのフォルダがありません" in capsys.readouterr().err
    assert main(["export", "-a", "mlp", "--course", str(course), "--lang", "en"]) == 2
    assert "run autograder autograde (or round) first" in capsys.readouterr().err
    assert main(["round", str(zip_path), "-a", "nosuch", "--course", str(course)]) == 2


def test_round_goes_on_when_feedback_is_unavailable_or_fails(setup, monkeypatch, capsys):
    course, zip_path = setup
    monkeypatch.setitem(sys.modules, "autograder.present.feedback", None)  # as before the feedback module landed
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    summary = capsys.readouterr().out.split("\n\n")[-1]
    assert "フィードバックは作っていません" in summary
    assert (course / "autograded" / "mlp_grades.csv").is_file()

    import types

    broken = types.ModuleType("autograder.present.feedback")

    def write_feedback(report, spec, out_dir, lang, **kwargs):
        raise OSError("disk full")

    broken.write_feedback = write_feedback
    monkeypatch.setitem(sys.modules, "autograder.present.feedback", broken)
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    assert "フィードバックの作成に失敗しました（OSError: disk full）" in capsys.readouterr().out


def test_check_and_grade_never_import_nbgrader(tmp_path):
    path = tmp_path / "2412001_青木陽菜_2.ipynb"
    path.write_text(s.dumps(s.submission("mlp", seed=1)), encoding="utf-8")
    code = ("import sys; from autograder.cli import main; main(['check', sys.argv[1]]); "
            "main(['grade', '-a', 'mlp', sys.argv[1]]); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nbgrader', 'sqlalchemy', 'alembic')))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "[]"
