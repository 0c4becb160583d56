"""A round on a real machine: the console script by its full path without the venv on PATH, missing tools, no deadline,
final scores from the gradebook (a grader's manual override), the WebClass CSV's fixed header."""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from lms_zip import copy_course, files_under, make_zip

from autograder.cli import main
from autograder.course import tools
from autograder.testing import samples as s

pytestmark = pytest.mark.timeout(300)

DEADLINE = "2026-11-23T23:59+09:00"
ENTRIES = [
    ("2412001_青木陽菜_2.ipynb", s.dumps(s.submission("mlp", seed=1)), (2026, 11, 23, 20, 0, 0)),
    ("2412002_宗像ソラ_2.ipynb", s.dumps(s.submission("mlp", seed=2, accuracy=0.9)), (2026, 11, 23, 20, 0, 0)),
    ("2412003_上田結衣_2.ipynb", s.dumps(s.submission("mlp", seed=4)), (2026, 11, 24, 1, 0, 0)),
]


@pytest.fixture
def setup(tmp_path):
    return copy_course(tmp_path / "course"), make_zip(tmp_path / "kadai2.zip", ENTRIES)


def _console_script() -> Path:
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        if (folder / "autograder").is_file():
            return folder / "autograder"
    pytest.fail("the autograder console script is not installed next to the interpreter (pip install -e .)")


@pytest.mark.slow  # a fresh interpreter imports nbgrader and runs alembic: ~6 s, the full suite runs it
def test_round_by_the_console_script_s_full_path_without_the_venv_on_path(tmp_path):
    course = copy_course(tmp_path / "course", gradebook=False)  # a new gradebook: nbgrader runs alembic
    zip_path = make_zip(tmp_path / "kadai2.zip", ENTRIES)
    script = _console_script()
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYENV_VERSION")}
    env["PATH"] = "/usr/bin:/bin"  # neither the venv's bin/ nor pyenv's shims
    proc = subprocess.run([str(script), "round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE],
                          capture_output=True, text=True, env=env, timeout=240, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert (course / "gradebook.db").is_file() and (course / "autograded" / "mlp_grades.csv").is_file()


def test_a_missing_alembic_is_a_clear_message_before_anything_is_written(tmp_path, monkeypatch, capsys):
    course = copy_course(tmp_path / "course", gradebook=False)
    zip_path = make_zip(tmp_path / "kadai2.zip", ENTRIES)
    monkeypatch.setattr(tools, "find_tool", lambda name: None)
    before = files_under(course)
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 2
    err = capsys.readouterr().err
    assert "alembic" in err and "何も書き出していません" in err and "Traceback" not in err
    assert files_under(course) == before


def test_tools_path_puts_the_interpreter_s_folder_first_once():
    first = str(Path(sys.executable).parent)
    path = tools.tools_path(os.pathsep.join(["/usr/bin", first, "/bin"]))
    assert path.split(os.pathsep) == [first, "/usr/bin", "/bin"]
    with tools.tools_on_path():
        assert os.environ["PATH"].split(os.pathsep)[0] == first
    assert tools.find_tool("alembic") is not None


def test_a_round_without_a_deadline_refuses_unless_no_deadline(setup, capsys):
    course, zip_path = setup
    before = files_under(course)
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course)]) == 2
    err = capsys.readouterr().err
    assert "締切が分かりません" in err and "--no-deadline" in err
    assert files_under(course) == before  # refused before anything is written
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--lang", "en"]) == 2
    assert "no deadline" in capsys.readouterr().err
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--no-deadline"]) == 0
    assert "受理 3" in capsys.readouterr().out  # the late upload is accepted: the instructor said so
    # once the gradebook has a due date, it is the deadline
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    capsys.readouterr()
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course)]) == 0
    assert "締切（成績表より）" in capsys.readouterr().out


def _override(course: Path, sid: str, cell: str, score: float) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dl-kadai") as gb:
        grade = gb.find_grade(cell, "mlp", "mlp", sid)
        grade.manual_score = score
        gb.db.commit()


def test_a_grader_s_manual_score_reaches_the_pages_the_overview_and_the_summary(setup, capsys):
    course, zip_path = setup
    args = ["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]
    assert main(args) == 0
    capsys.readouterr()
    from autograder.judge.spec import load_spec

    check = next(c for c in load_spec("mlp").checks if not c.hidden)
    _override(course, "2412001", check.id, 0.0)  # formgrader: the grader takes this check's points away
    assert main(args) == 0
    out = capsys.readouterr().out
    rows = list(csv.reader(io.StringIO((course / "autograded" / "mlp_grades.csv").read_text(encoding="utf-8-sig"))))
    csv_scores = {r[0]: float(r[2]) for r in rows[1:]}
    expected_001 = 100 - check.points
    assert csv_scores["2412001"] == expected_001
    mean = (csv_scores["2412001"] + csv_scores["2412002"]) / 2
    summary = out.split("\n\n")[-1]
    assert f"平均 {mean:.1f} / 100 点" in summary
    page = (course / "feedback" / "mlp" / "2412001.html").read_text(encoding="utf-8")
    assert f"{expected_001:g}" in page and "採点者が 0 点にしました" in page
    index = (course / "feedback" / "mlp" / "index.html").read_text(encoding="utf-8")
    assert f"{mean:.1f}" in index


def test_the_webclass_csv_has_one_header_whatever_the_language(setup, capsys):
    course, zip_path = setup
    heads = []
    for lang in ("ja", "en"):
        assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE, "--lang", lang]) == 0
        heads.append((course / "autograded" / "mlp_grades.csv").read_text(encoding="utf-8-sig").splitlines()[0])
        assert main(["export", "-a", "mlp", "--course", str(course), "--lang", lang]) == 0
        heads.append((course / "autograded" / "mlp_grades.csv").read_text(encoding="utf-8-sig").splitlines()[0])
    capsys.readouterr()
    assert heads == ["学籍番号,氏名,点数,満点,フラグ"] * 4
