"""Collection against hostile names: another student's id inside one's own folder, formulas and escape sequences."""
from __future__ import annotations

import csv
import io

import pytest
from lms_zip import copy_course, make_zip

from autograder.cli import main
from autograder.course.collect import collect_zip, read_name
from autograder.course.collect.safe import csv_cell, terminal_text
from autograder.course.coursedir import open_course
from autograder.testing import samples as s

pytestmark = pytest.mark.timeout(300)

DEADLINE = "2026-11-23T23:59+09:00"
VICTIM = s.dumps(s.submission("mlp", seed=1))
ATTACK = s.dumps(s.submission("mlp", seed=2, accuracy=0.5))


def test_another_student_s_id_in_one_s_own_folder_is_refused_and_names_both_ids(tmp_path):
    course = open_course(copy_course(tmp_path / "course", gradebook=False))
    zip_path = make_zip(tmp_path / "kadai2.zip", [
        ("課題2/2412001_青木陽菜/2412001_青木陽菜_2.ipynb", VICTIM, (2026, 11, 23, 20, 0, 0)),
        ("課題2/2412099_攻撃者/2412001_青木陽菜_2.ipynb", ATTACK, (2026, 11, 23, 22, 0, 0)),  # later: would win
    ])
    result = collect_zip(zip_path, course, "mlp", 2)
    victim, attack = result.manifest.entries
    assert (victim.code, victim.student_id, victim.placed) == ("accepted", "2412001", "submitted/2412001/mlp/mlp.ipynb")
    assert (attack.code, attack.student_id, attack.placed) == ("id_mismatch", "2412099", None)
    assert "2412099" in attack.message and "2412001" in attack.message
    assert "2412099" in attack.message_en and "2412001" in attack.message_en
    assert (course.root / "submitted/2412001/mlp/mlp.ipynb").read_text(encoding="utf-8") == VICTIM
    assert not (course.root / "submitted/2412099").exists()
    assert read_name("課題2/2412099_攻撃者/2412001_青木陽菜_2.ipynb").disagrees
    assert not read_name("課題2/2412001_青木陽菜/2412001_青木陽菜_2.ipynb").disagrees


def test_the_uploader_gets_the_refusal_in_the_webclass_csv(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    zip_path = make_zip(tmp_path / "kadai2.zip", [
        ("課題2/2412001_青木陽菜/2412001_青木陽菜_2.ipynb", VICTIM, (2026, 11, 23, 20, 0, 0)),
        ("課題2/2412099_攻撃者/2412001_青木陽菜_2.ipynb", ATTACK, (2026, 11, 23, 22, 0, 0)),
    ])
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    out = capsys.readouterr().out
    assert "フォルダとファイル名の学籍番号が違う" in out
    rows = list(csv.reader(io.StringIO((course / "autograded/mlp_grades.csv").read_text(encoding="utf-8-sig"))))
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["2412001"][2] == "100"
    assert by_id["2412099"][2:] == ["0", "100", "id_mismatch"]


def test_a_formula_name_stays_text_in_every_csv(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    zip_path = make_zip(tmp_path / "kadai2.zip", [  # the name ("/" makes the part before it a folder)
        ('2412042_=HYPERLINK("http://x","y")_2.ipynb', VICTIM, (2026, 11, 23, 20, 0, 0)),
        ('2412043_=HYPERLINK("x","y")_2.ipynb', VICTIM, (2026, 11, 23, 20, 0, 0)),
        ("2412044_@SUM(A1)_2.ipynb", VICTIM, (2026, 11, 23, 20, 0, 0))])
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    capsys.readouterr()
    rows = list(csv.reader(io.StringIO((course / "autograded/mlp_grades.csv").read_text(encoding="utf-8-sig"))))
    names = [r[1] for r in rows[1:]]
    assert names[1:] == ['\'=HYPERLINK("x","y")', "'@SUM(A1)"]
    assert all(not n.startswith(("=", "+", "-", "@")) for n in names), names
    manifest = (course / "submitted/mlp_manifest.csv").read_text(encoding="utf-8-sig")
    for row in csv.reader(io.StringIO(manifest)):
        assert not any(cell.startswith(("=", "+", "@")) for cell in row), row


def test_escape_sequences_in_names_are_shown_escaped_on_the_terminal(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    zip_path = make_zip(tmp_path / "kadai2.zip", [
        ("2412001_青木\x1b[2J陽菜_2.ipynb", VICTIM, (2026, 11, 23, 20, 0, 0)),
        ("2412002_宗像\x1b]0;pwned\x07_2.pdf", b"%PDF-1.4\n", (2026, 11, 23, 20, 0, 0)),
        ("2412003_上田\u202e結衣_2.ipynb", VICTIM, (2026, 11, 24, 1, 0, 0)),  # late: its row is printed
    ])
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    captured = capsys.readouterr()
    for stream in (captured.out, captured.err):
        assert "\x1b" not in stream and "\x07" not in stream and "\u202e" not in stream
    assert "\\x1b]0;pwned\\x07" in captured.out and "\\u202e" in captured.out


def test_csv_cell_and_terminal_text():
    assert csv_cell("=1+1") == "'=1+1" and csv_cell("+x") == "'+x" and csv_cell("-x") == "'-x" and csv_cell("@x") == "'@x"
    assert csv_cell("\tx") == "'\tx" and csv_cell("-1") == "-1" and csv_cell("山田太郎") == "山田太郎" and csv_cell("") == ""
    assert terminal_text("a\x1b[31mb") == "a\\x1b[31mb"
    assert terminal_text("行1\n行2") == "行1\n行2"
    assert terminal_text("\u202e") == "\\u202e"
