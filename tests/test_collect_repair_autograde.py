"""nbgrader autograde runs on a collected and repaired course: LMS zip → collect → repair → ``nbgrader autograde``.

A small nbgrader course (the one of ``test_repair``'s slow test) is released; two students submit in a zip, one a
Colab copy (every cell's metadata lost, a cell inserted), one intact. After ``collect_zip`` and ``autograder repair``
of the Colab copy, ``nbgrader autograde`` succeeds and both get the same score for the same answers.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from lms_zip import make_zip
from nbformat.v4 import new_code_cell
from test_repair import CONFIG, _nbgrader, _source_notebook

from autograder.cli import main
from autograder.course.collect import collect_zip
from autograder.course.coursedir import open_course

ASSIGNMENT = "ps1"
NUMBER = 1


def _solved(release: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(str(release), as_version=4)
    nb.cells[2].source = "def add(a, b):\n    return a + b"
    nb.cells[4].source = "def mul(a, b):\n    return a * b"
    nb.cells[6].source = "def sub(a, b):\n    return a - b"
    return nb


@pytest.mark.slow
def test_autograde_runs_on_a_collected_and_repaired_course(tmp_path):
    pytest.importorskip("nbgrader")
    course_dir = tmp_path / "course"
    (course_dir / "source" / ASSIGNMENT).mkdir(parents=True)
    (course_dir / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    nbformat.write(_source_notebook(), str(course_dir / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"))
    _nbgrader(course_dir, "generate_assignment", ASSIGNMENT, "--force")
    release = course_dir / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

    colab = _solved(release)
    for cell in colab.cells:
        cell.metadata = {}
    colab.cells.insert(3, new_code_cell("print(add(2, 2))"))
    intact = _solved(release)
    zip_path = make_zip(tmp_path / "webclass.zip", [
        (f"2412001_青木_{NUMBER}.ipynb", nbformat.writes(colab)),
        (f"2412002_石川_{NUMBER}.ipynb", nbformat.writes(intact)),
    ])
    zip_before = zip_path.read_bytes()

    course = open_course(course_dir)
    result = collect_zip(zip_path, course, ASSIGNMENT, NUMBER)
    placed = {sid: course_dir / "submitted" / sid / ASSIGNMENT / f"{ASSIGNMENT}.ipynb" for sid in ("2412001", "2412002")}
    assert all(p.is_file() for p in placed.values()), [(e.entry, e.code) for e in result.manifest.entries]
    assert sorted(e.code for e in result.manifest.entries) == ["accepted", "accepted"]

    repaired = tmp_path / "repaired.ipynb"
    assert main(["repair", "--course", str(course_dir), "--assignment", ASSIGNMENT, str(placed["2412001"]),
                 "-o", str(repaired)]) == 0
    shutil.copyfile(repaired, placed["2412001"])  # the instructor's repair step; the zip is untouched
    assert zip_path.read_bytes() == zip_before

    _nbgrader(course_dir, "autograde", ASSIGNMENT)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        scores = {}
        for sid in placed:
            s = gb.find_submission(ASSIGNMENT, sid)
            scores[sid] = (s.score, s.max_score, {g.name: g.score for g in s.notebooks[0].grades})
    expected = (6.0, 6.0, {"test_add": 3.0, "test_mul": 2.0, "test_sub": 1.0})
    assert scores["2412002"] == expected
    assert scores["2412001"] == scores["2412002"]
