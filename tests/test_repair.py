"""Repair for Colab (autograder.repair): re-attach nbgrader metadata by content; nbgrader autograde then works.

Fast tests build released notebooks with nbgrader metadata in code. The slow test builds a small nbgrader
course in a temporary folder, runs ``nbgrader generate_assignment`` and ``nbgrader autograde`` as
subprocesses, and checks the gradebook's scores. One more test: static grading ignores cell metadata.
"""
from __future__ import annotations

import copy
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.cli import main
from autograder.course.repair import output_path, repair, repair_notebook
from autograder.errors import RepairError
from autograder.judge.spec import load_spec
from autograder.pipeline import grade_notebook
from autograder.testing import samples

STUB = "    # YOUR CODE HERE\n    raise NotImplementedError()"


def nbg(grade_id: str, *, grade: bool = False, solution: bool = False, locked: bool = False, points: float | None = None,
        cell_type: str = "code") -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution,
            "checksum": hashlib.md5(grade_id.encode()).hexdigest()}
    if grade:
        meta["points"] = points
        meta["cell_type"] = cell_type
    out = {"nbgrader": meta}
    if locked:
        out.update(editable=False, deletable=False)
    return out


def released() -> nbformat.NotebookNode:
    """A released notebook as nbgrader writes it: instructions, a locked set-up cell, two solutions with tests."""
    return new_notebook(cells=[
        new_markdown_cell("# 課題 0\n\n関数 add と mul を書いてください。"),
        new_code_cell("BASE = 10\nimport math", metadata=nbg("setup", locked=True)),
        new_code_cell("def add(a, b):\n" + STUB, metadata=nbg("add", solution=True)),
        new_code_cell("assert add(1, 2) == 3", metadata=nbg("test_add", grade=True, locked=True, points=3)),
        new_markdown_cell("## かけ算"),
        new_code_cell("def mul(a, b):\n" + STUB, metadata=nbg("mul", solution=True)),
        new_code_cell("assert mul(2, 3) == 6\nassert mul(0, 5) == 0", metadata=nbg("test_mul", grade=True, locked=True, points=2)),
        new_markdown_cell("考察を書いてください。", metadata=nbg("answer", grade=True, solution=True, points=1, cell_type="markdown")),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def stripped(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """What Colab hands back: the cells' metadata gone (Colab's own keys instead), answers written."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        cell.metadata = {"id": f"colab{abs(hash(cell.source)) % 10**6}"}
    nb.cells[2].source = "def add(a, b):\n    return a + b"
    nb.cells[5].source = "def mul(a, b):\n    return a * b"
    nb.cells[7].source = "足し算とかけ算を実装しました。"
    return nb


def by_id(result) -> dict:
    return {m.grade_id: m for m in result.matches}


def grade_ids(nb) -> list[str | None]:
    return [c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells]


# ------------------------------------------------------------------ matching

def test_all_metadata_lost_and_a_cell_inserted():
    sub = stripped(released())
    sub.cells.insert(3, new_code_cell("print(add(2, 2))"))  # between the solution and its test
    result = repair(released(), sub)
    m = by_id(result)
    assert {k: (v.how, v.submission_index) for k, v in m.items()} == {
        "setup": ("exact", 1), "add": ("position", 2), "test_add": ("exact", 4), "mul": ("position", 6),
        "test_mul": ("exact", 7), "answer": ("position", 8)}
    assert result.extra_cells == (3,) and not result.unmatched and not result.restored
    assert grade_ids(result.notebook) == [None, "setup", "add", None, "test_add", None, "mul", "test_mul", "answer"]
    assert result.notebook.cells[3].metadata == sub.cells[3].metadata  # the inserted cell is kept as it was
    for cell, original in zip(result.notebook.cells, sub.cells, strict=False):
        assert cell.source == original.source and cell.metadata.get("id") == original.metadata.get("id")
    test_add = result.notebook.cells[4]
    assert test_add.metadata["nbgrader"] == released().cells[3].metadata["nbgrader"]
    assert test_add.metadata["editable"] is False and test_add.metadata["deletable"] is False


def test_the_most_similar_cell_between_anchors_gets_the_solution():
    sub = stripped(released())
    sub.cells[2].source = "# YOUR CODE HERE\ndef add(a, b):\n    return a + b"
    sub.cells.insert(2, new_code_cell("x = 1"))  # a scratch cell just before the solution
    result = repair(released(), sub)
    assert by_id(result)["add"].submission_index == 3 and result.extra_cells == (2,)


def test_a_copied_test_cell_gets_the_metadata_once_and_stale_copies_lose_theirs():
    sub = copy.deepcopy(released())  # metadata kept (Jupyter), but the student copied the test cell
    sub.cells[2].source = "def add(a, b):\n    return a + b"
    sub.cells.insert(4, copy.deepcopy(sub.cells[3]))
    result = repair(released(), sub)
    ids = [g for g in grade_ids(result.notebook) if g]
    assert len(ids) == len(set(ids)) == 6
    assert result.stale_metadata == (4,) and result.extra_cells == (4,)
    assert by_id(result)["test_add"].how == "exact" and by_id(result)["test_add"].submission_index == 3


def test_a_deleted_test_cell_is_restored_and_a_deleted_solution_is_reported():
    sub = stripped(released())
    del sub.cells[6]  # test_mul deleted
    del sub.cells[2]  # the add solution deleted
    result = repair(released(), sub)
    m = by_id(result)
    assert m["add"].how == "unmatched" and [u.grade_id for u in result.unmatched] == ["add"]
    assert m["test_mul"].how == "restored"
    cells = result.notebook.cells
    restored = cells[m["test_mul"].output_index]
    assert restored.source == released().cells[6].source and restored.metadata["nbgrader"]["grade_id"] == "test_mul"
    assert cells[m["test_mul"].output_index - 1].source == "def mul(a, b):\n    return a * b"  # right after mul
    assert restored.outputs == [] and restored.execution_count is None
    nbformat.validate(result.notebook)
    assert len({c.id for c in cells}) == len(cells)
    text = result.describe()
    assert "add（解答のセル）: 提出の中に見つかりません" in text and "test_mul（テストのセル）: 削除されていたため" in text
    assert "add (solution): not found" in result.describe("en")


def test_a_restored_cell_fits_an_old_nbformat_4_4_submission(tmp_path):
    sub = json.loads(nbformat.writes(stripped(released())))
    sub["nbformat_minor"] = 4
    for cell in sub["cells"]:
        cell.pop("id", None)
    del sub["cells"][3]  # test_add deleted
    (tmp_path / "old.ipynb").write_text(json.dumps(sub), encoding="utf-8")
    nbformat.write(released(), str(tmp_path / "rel.ipynb"))
    result = repair_notebook(tmp_path / "rel.ipynb", tmp_path / "old.ipynb", tmp_path / "out.ipynb")
    assert [m.grade_id for m in result.restored] == ["test_add"]
    written = json.loads((tmp_path / "out.ipynb").read_text(encoding="utf-8"))
    assert written["nbformat_minor"] == 4 and all("id" not in c for c in written["cells"])
    nbformat.validate(nbformat.reads(json.dumps(written), as_version=4))


def test_an_edited_locked_cell_is_matched_by_position():
    sub = stripped(released())
    sub.cells[1].source = "BASE = 12\nimport math  # changed"
    result = repair(released(), sub)
    assert by_id(result)["setup"].how == "position" and by_id(result)["setup"].submission_index == 1


def test_a_cell_that_only_lost_its_trailing_newline_is_an_exact_anchor():
    sub = stripped(released())
    sub.cells[3].source = "assert add(1, 2) == 3\n\n"
    sub.cells[6].source = "assert mul(2, 3) == 6\nassert mul(0, 5) == 1"  # one character changed: near-exact
    result = repair(released(), sub)
    assert by_id(result)["test_add"].how == "exact" and by_id(result)["test_mul"].how == "near"


def test_a_release_without_nbgrader_cells_is_refused():
    plain = new_notebook(cells=[new_code_cell("x = 1")])
    with pytest.raises(RepairError, match="grade_id"):
        repair(plain, plain)


# ------------------------------------------------------------------ files

@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    rel = tmp_path / "release" / "ps0" / "ps0.ipynb"
    rel.parent.mkdir(parents=True)
    nbformat.write(released(), str(rel))
    sub = tmp_path / "subs" / "2412001_山田太郎_1.ipynb"
    sub.parent.mkdir()
    nbformat.write(stripped(released()), str(sub))
    return rel, sub


def test_the_original_is_never_modified_and_the_output_is_new(files):
    rel, sub = files
    before = (rel.read_bytes(), sub.read_bytes())
    result = repair_notebook(rel, sub)
    assert Path(result.output) == sub.parent / "repaired" / sub.name
    assert (rel.read_bytes(), sub.read_bytes()) == before
    written = nbformat.read(result.output, as_version=4)
    nbformat.validate(written)
    assert grade_ids(written) == [None, "setup", "add", "test_add", None, "mul", "test_mul", "answer"]
    for target in (sub, rel, sub.parent / "." / sub.name):
        with pytest.raises(RepairError, match="入力のファイル"):
            repair_notebook(rel, sub, target)
    assert (rel.read_bytes(), sub.read_bytes()) == before
    assert output_path(sub, sub.parent.parent) == sub.parent.parent / sub.name  # a folder: same file name inside


def test_an_unreadable_submission_is_a_clear_error(files, tmp_path):
    rel, _ = files
    pdf = tmp_path / "2412002_佐藤花子_1.ipynb"
    pdf.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(RepairError) as info:
        repair_notebook(rel, pdf)
    assert "PDF" in info.value.message("ja") and "PDF" in info.value.message("en")


def test_cli_repair(files, tmp_path, capsys):
    rel, sub = files
    pdf = sub.parent / "2412002_佐藤花子_1.ipynb"
    pdf.write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "fixed"
    assert main(["repair", "--course", str(tmp_path), "--assignment", "ps0", str(sub), str(pdf), "-o", str(out)]) == 1
    captured = capsys.readouterr()
    assert "✓ test_add（テストのセル）: セル 3（完全に一致" in captured.out and "PDF" in captured.err
    assert (out / sub.name).is_file() and not (out / pdf.name).exists()
    assert main(["repair", "--release", str(rel), str(sub), "-o", str(tmp_path / "one.ipynb"), "--lang", "en"]) == 0
    assert "test_add (test): cell 3 (exact" in capsys.readouterr().out
    assert main(["repair", str(sub)]) == 2  # neither --release nor --course
    assert main(["repair", "--course", str(tmp_path), "--assignment", "nope", str(sub)]) == 2
    proc = subprocess.run([sys.executable, "-m", "autograder", "repair", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--release" in proc.stdout and "--course" in proc.stdout


# ------------------------------------------------------------------ static grading ignores cell metadata

def _with_rich_cell_metadata(nb: dict) -> dict:
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb["cells"]):
        cell["metadata"] = {"id": f"c{i}", "colab": {"base_uri": "https://localhost:8080/"}, "outputId": f"o{i}",
                            "tags": ["raises-exception"], "editable": False, "deletable": False,
                            "nbgrader": {"grade": i % 2 == 0, "grade_id": f"cell_{i}", "locked": True, "points": 5,
                                         "solution": False, "schema_version": 3}}
    return nb


def _strip_cell_metadata(nb: dict) -> dict:
    nb = copy.deepcopy(nb)
    for cell in nb["cells"]:
        cell["metadata"] = {}
    return nb


@pytest.mark.parametrize("assignment,kwargs", [("perceptron", {}), ("mlp", {}), ("mlp", {"gpu": False, "keras3": False}),
                                               ("history", {}), ("dropout", {"accuracy": 0.8})])
def test_static_grade_does_not_depend_on_cell_metadata(tmp_path, assignment, kwargs):
    nb = samples.submission(assignment, seed=4, **kwargs)
    with_meta, without = tmp_path / "a" / "2412001_山田太郎_1.ipynb", tmp_path / "b" / "2412001_山田太郎_1.ipynb"
    for path, content in ((with_meta, _with_rich_cell_metadata(nb)), (without, _strip_cell_metadata(nb))):
        path.parent.mkdir()
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    spec = load_spec(assignment)
    a, b = grade_notebook(with_meta, spec), grade_notebook(without, spec)
    assert a.status == "graded" and a.score > 0
    assert {**a.to_json(), "file": None} == {**b.to_json(), "file": None}
    assert a.evidence.to_json() == b.evidence.to_json()


def test_static_grade_of_real_notebooks_does_not_depend_on_cell_metadata(corpus, tmp_path):
    spec = load_spec("mlp")
    checked = 0
    for path in sorted(corpus.glob("*.ipynb")):
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
        if not isinstance(raw, dict) or raw.get("nbformat") != 4 or not any(c.get("metadata") for c in raw.get("cells", [])):
            continue
        stripped_path = tmp_path / path.name
        stripped_path.write_text(json.dumps(_strip_cell_metadata(raw), ensure_ascii=False), encoding="utf-8")
        a, b = grade_notebook(path, spec), grade_notebook(stripped_path, spec)
        assert {**a.to_json(), "file": None} == {**b.to_json(), "file": None}, path.name
        checked += 1
    assert checked >= 3


# ------------------------------------------------------------------ nbgrader autograde (slow)

CONFIG = """c = get_config()
c.CourseDirectory.course_id = "repair-test"
c.CourseDirectory.root = __import__("os").path.dirname(__import__("os").path.abspath(__file__))
"""


def _source_notebook() -> nbformat.NotebookNode:
    def meta(grade_id, **kw):
        base = {"schema_version": 3, "grade": False, "locked": False, "solution": False, "grade_id": grade_id}
        base.update(kw)
        return {"nbgrader": base}

    return new_notebook(cells=[
        new_markdown_cell("# Problem set 1"),
        new_code_cell("BASE = 10", metadata=meta("setup", locked=True)),
        new_code_cell("def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION", metadata=meta("add", solution=True)),  # noqa: E501 - a verbatim output or source line
        new_code_cell("assert add(1, 2) == 3\n### BEGIN HIDDEN TESTS\nassert add(BASE, 1) == 11\n### END HIDDEN TESTS",
                      metadata=meta("test_add", grade=True, locked=True, points=3)),
        new_code_cell("def mul(a, b):\n    ### BEGIN SOLUTION\n    return a * b\n    ### END SOLUTION", metadata=meta("mul", solution=True)),  # noqa: E501 - a verbatim output or source line
        new_code_cell("assert mul(2, 3) == 6", metadata=meta("test_mul", grade=True, locked=True, points=2)),
        new_code_cell("def sub(a, b):\n    ### BEGIN SOLUTION\n    return a - b\n    ### END SOLUTION", metadata=meta("sub", solution=True)),  # noqa: E501 - a verbatim output or source line
        new_code_cell("assert sub(5, 3) == 2", metadata=meta("test_sub", grade=True, locked=True, points=1)),
    ], metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    return proc


@pytest.mark.slow
def test_repaired_submission_passes_nbgrader_autograde_with_the_right_score(tmp_path):
    pytest.importorskip("nbgrader")
    course = tmp_path / "course"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    nbformat.write(_source_notebook(), str(course / "source" / "ps1" / "ps1.ipynb"))
    _nbgrader(course, "generate_assignment", "ps1", "--force")
    release = course / "release" / "ps1" / "ps1.ipynb"

    # the student's Colab copy: every cell's metadata lost, a cell inserted, test_sub deleted, mul wrong
    nb = nbformat.read(str(release), as_version=4)
    for cell in nb.cells:
        cell.metadata = {}
    nb.cells[2].source = "def add(a, b):\n    return a + b"
    nb.cells[4].source = "def mul(a, b):\n    return a + b"  # wrong: test_mul fails
    nb.cells[6].source = "def sub(a, b):\n    return a - b"
    del nb.cells[7]  # test_sub deleted
    nb.cells.insert(3, new_code_cell("print(add(2, 2))"))  # inserted between add and its test
    submission = tmp_path / "2412001_山田太郎_1.ipynb"
    nbformat.write(nb, str(submission))

    for student in ("broken", "fixed"):
        (course / "submitted" / student / "ps1").mkdir(parents=True)
    (course / "submitted" / "broken" / "ps1" / "ps1.ipynb").write_bytes(submission.read_bytes())
    result = repair_notebook(release, submission, course / "submitted" / "fixed" / "ps1" / "ps1.ipynb")
    assert [m.grade_id for m in result.restored] == ["test_sub"] and not result.unmatched

    _nbgrader(course, "autograde", "ps1")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {}
        for student in ("broken", "fixed"):
            s = gb.find_submission("ps1", student)
            scores[student] = (s.score, s.max_score, {g.name: g.score for g in s.notebooks[0].grades})
    assert scores["fixed"] == (4.0, 6.0, {"test_add": 3.0, "test_mul": 0.0, "test_sub": 1.0})
    assert scores["broken"][0] == 0.0  # without repair nbgrader finds no test cell: no points at all
    graded = nbformat.read(str(course / "autograded" / "fixed" / "ps1" / "ps1.ipynb"), as_version=4)
    assert "assert add(BASE, 1) == 11" in "".join(c.source for c in graded.cells)  # hidden test put back and run
