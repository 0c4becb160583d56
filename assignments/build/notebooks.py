"""The course's notebooks from the cell descriptions: nbgrader sources, solution notebooks, the points check, the command.

Imports nbformat, ``autograder`` (spec) and the modules of ``assignments.build``; no TensorFlow, no nbgrader.
Run it as ``python assignments/build_notebooks.py [--check] [assignment ...]``.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from assignments.build.cells import BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, Cell
from assignments.build.dropout import dropout
from assignments.build.history import history
from assignments.build.mlp import mlp
from assignments.build.perceptron import perceptron
from assignments.build.selfcheck import selfcheck_cells
from autograder.judge.spec import load_spec
from autograder.model.spec import Spec

DESCRIPTION = "Build the course's notebooks from one description: nbgrader sources and the students' solution notebooks."

COURSE = Path(__file__).resolve().parents[1]
REPO = COURSE.parent
ASSIGNMENTS = ("perceptron", "mlp", "history", "dropout")
SOURCE_DIR = COURSE / "source"
SOLUTION_DIR = REPO / "solutions"

BUILDERS: dict[str, Callable[[Spec], list[Cell]]] = {"perceptron": perceptron, "mlp": mlp, "history": history, "dropout": dropout}

_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _nbgrader(cell: Cell) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": cell.kind == "test", "grade_id": cell.grade_id, "locked": cell.kind in ("locked", "test"),
                            "schema_version": 3, "solution": cell.kind == "solution", "task": False}
    if cell.kind == "test":
        meta["points"] = int(cell.points) if float(cell.points).is_integer() else cell.points  # type: ignore[arg-type]
    return meta


def source_notebook(assignment: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook: solutions and hidden tests in, nbgrader metadata on every graded cell."""
    spec = load_spec(assignment)
    cells = []
    for i, cell in enumerate(described_cells(assignment, spec)):
        cell_id = cell.grade_id or f"{assignment}-{i:02d}"
        new_cell = new_markdown_cell if cell.kind in ("md", "answer") else new_code_cell
        nb_cell = new_cell(cell.source, id=cell_id)
        if cell.kind in ("locked", "solution", "test"):
            nb_cell.metadata["nbgrader"] = _nbgrader(cell)
        if cell.tags:
            nb_cell.metadata["tags"] = list(cell.tags)
        cells.append(nb_cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {"autograder": {"assignment": assignment}, "kernelspec": dict(_KERNELSPEC),
                   "language_info": {"name": "python"}}
    _check_points(nb, spec)
    return nb


def described_cells(assignment: str, spec: Spec) -> list[Cell]:
    """The assignment's cells, then the self-check cells every released notebook ends with."""
    return [*BUILDERS[assignment](spec), *selfcheck_cells(assignment, spec.number)]


def solution_notebook(assignment: str) -> nbformat.NotebookNode:
    """What students get after the deadline: the solution without markers, hidden tests or nbgrader metadata."""
    spec = load_spec(assignment)
    source = source_notebook(assignment)
    described = described_cells(assignment, spec)
    cells = []
    for cell, nb_cell in zip(described, source.cells, strict=True):
        nb_cell = nbformat.from_dict(dict(nb_cell))
        nb_cell.metadata = {"tags": list(cell.tags)} if cell.tags else {}
        if cell.kind == "answer":
            nb_cell.source = cell.example or ""
        elif nb_cell.cell_type == "code":
            nb_cell.source = strip_markers(nb_cell.source)
        cells.append(nb_cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {"autograder": {"assignment": assignment}, "kernelspec": dict(_KERNELSPEC),
                   "language_info": {"name": "python"}}
    return nb


def strip_markers(text: str) -> str:
    """Remove solution markers (keeping the code) and hidden-test blocks (with their code)."""
    out, hidden = [], False
    for line in text.splitlines():
        mark = line.strip()
        if mark == BEGIN_HIDDEN:
            hidden = True
        elif mark == END_HIDDEN:
            hidden = False
        elif not hidden and mark not in (BEGIN_SOLUTION, END_SOLUTION):
            out.append(line)
    return "\n".join(out).strip("\n")


def _check_points(nb: nbformat.NotebookNode, spec: Spec) -> None:
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    expected = {c.id: c.points for c in spec.checks}
    if graded != expected:
        raise SystemExit(f"{spec.id}: test cells {graded} do not match the spec's checks {expected}")


def render(nb: nbformat.NotebookNode) -> str:
    nbformat.validate(nb)
    return nbformat.writes(nb, version=4) + "\n"


def outputs(assignment: str) -> dict[Path, str]:
    return {SOURCE_DIR / assignment / f"{assignment}.ipynb": render(source_notebook(assignment)),
            SOLUTION_DIR / f"{assignment}.ipynb": render(solution_notebook(assignment))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    parser.add_argument("assignments", nargs="*", default=list(ASSIGNMENTS))
    args = parser.parse_args(argv)
    stale = []
    for assignment in args.assignments:
        for path, text in outputs(assignment).items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if args.check:
                stale.append(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(REPO)}")
    for path in stale:
        print(f"out of date: {path.relative_to(REPO)} (run python assignments/build_notebooks.py)")
    return 1 if stale else 0
