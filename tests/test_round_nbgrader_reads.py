"""What a round places for nbgrader is a notebook nbgrader reads, whatever the student sent (BOM, UTF-16, nbformat 3).

The students' bytes are kept untouched in ``submitted/<assignment>_originals/`` and the manifest says what was
converted. Real ``nbgrader autograde`` and ``generate_feedback`` then run on the collected course (slow: they
start nbgrader in a subprocess and execute the small ps1 notebooks).
"""
from __future__ import annotations

import codecs
import json

import nbformat
import pytest
from lms_zip import copy_course, make_zip
from test_repair import CONFIG, _nbgrader, _source_notebook

from autograder.cli import main
from autograder.course.collect import collect_zip, read_manifest
from autograder.course.collect.convert import for_nbgrader
from autograder.course.coursedir import open_course
from autograder.testing import samples as s

pytestmark = pytest.mark.timeout(900)

DEADLINE = "2026-11-23T23:59+09:00"


def _variants(text: str, v3: str) -> dict[str, bytes]:
    return {"bom": codecs.BOM_UTF8 + text.encode("utf-8"), "utf-16": text.encode("utf-16"),
            "nbformat3": v3.encode("utf-8"), "plain": text.encode("utf-8")}


def _v3(nb: dict) -> str:
    return nbformat.writes(nbformat.convert(nbformat.from_dict(nb), 3))


def test_for_nbgrader_converts_only_what_nbgrader_cannot_read():
    nb = s.submission("mlp", seed=1)
    text = s.dumps(nb)
    for kind, data in _variants(text, _v3(nb)).items():
        out, done = for_nbgrader(data, f"{kind}.ipynb")
        if kind == "plain":
            assert (out, done) == (data, ())
            continue
        assert done[0] == kind
        raw = json.loads(out.decode("utf-8"))  # strict UTF-8, no BOM
        assert raw["nbformat"] == 4
        nbformat.reads(out.decode("utf-8"), as_version=4)


@pytest.mark.slow
def test_round_places_readable_notebooks_and_nbgrader_generate_feedback_reads_them(tmp_path, capsys):
    course = copy_course(tmp_path / "course")
    nb = s.submission("mlp", seed=1)
    variants = _variants(s.dumps(nb), _v3(nb))
    ids = {"bom": "2412001", "utf-16": "2412002", "nbformat3": "2412003"}
    zip_path = make_zip(tmp_path / "kadai2.zip", [(f"{sid}_学生{sid[-1]}_2.ipynb", variants[kind]) for kind, sid in ids.items()])
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    capsys.readouterr()
    manifest = read_manifest(course / "submitted" / "mlp_manifest.json")
    assert manifest is not None
    for e in manifest.entries:
        kind = next(k for k, sid in ids.items() if sid == e.student_id)
        assert e.code == "accepted" and e.converted.split(";")[0] == kind
        assert (course / e.original).read_bytes() == variants[kind]  # the original, untouched
        assert "nbgrader" in e.message and e.original in e.message
        for step in ("submitted", "autograded"):
            placed = course / step / e.student_id / "mlp" / "mlp.ipynb"
            assert json.loads(placed.read_bytes().decode("utf-8"))["nbformat"] == 4
    # the same zip again changes nothing
    before = {p: p.read_bytes() for p in (course / "submitted").rglob("*") if p.is_file()}
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    assert {p: p.read_bytes() for p in (course / "submitted").rglob("*") if p.is_file()} == before
    _nbgrader(course, "generate_feedback", "mlp", "--force")
    for sid in ids.values():
        assert (course / "feedback" / sid / "mlp" / "mlp.html").is_file()


@pytest.mark.slow
def test_nbgrader_autograde_and_generate_feedback_run_on_bom_utf16_and_nbformat3_submissions(tmp_path):
    course_dir = tmp_path / "course"
    (course_dir / "source" / "ps1").mkdir(parents=True)
    (course_dir / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    nbformat.write(_source_notebook(), str(course_dir / "source" / "ps1" / "ps1.ipynb"))
    _nbgrader(course_dir, "generate_assignment", "ps1", "--force")
    solved = nbformat.read(str(course_dir / "release" / "ps1" / "ps1.ipynb"), as_version=4)
    solved.cells[2].source = "def add(a, b):\n    return a + b"
    solved.cells[4].source = "def mul(a, b):\n    return a * b"
    solved.cells[6].source = "def sub(a, b):\n    return a - b"
    text = nbformat.writes(solved)
    variants = _variants(text, nbformat.writes(nbformat.convert(solved, 3)))
    ids = {"bom": "2412001", "utf-16": "2412002", "nbformat3": "2412003", "plain": "2412004"}
    zip_path = make_zip(tmp_path / "webclass.zip", [(f"{sid}_学生_1.ipynb", variants[kind]) for kind, sid in ids.items()])
    result = collect_zip(zip_path, open_course(course_dir), "ps1", 1)
    assert [e.code for e in result.manifest.entries] == ["accepted"] * 4
    assert [e.converted.split(";")[0] for e in result.manifest.entries] == ["bom", "utf-16", "nbformat3", ""]
    assert result.manifest.entries[3].original is None

    _nbgrader(course_dir, "autograde", "ps1")
    _nbgrader(course_dir, "generate_feedback", "ps1")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        scores = {sid: gb.find_submission("ps1", sid).score for sid in ids.values()}
    assert scores == dict.fromkeys(ids.values(), 6.0)
    for sid in ids.values():
        assert (course_dir / "feedback" / sid / "ps1" / "ps1.html").is_file()
