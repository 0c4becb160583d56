"""The nbgrader test cells of a notebook, as evidence (``TestRecord``): which ran, which failed. Standard library only.

Only notebooks written by ``autograder run`` (metadata ``autograder.run``) have their test cells graded
(``autograder.judge.policy.apply_test_cells``): a student's own saved outputs never do.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.model.evidence import TestCell, TestRecord
from autograder.read.notebook import Cell, Notebook

_MAX_ERROR = 400  # characters of an error value kept in a check message


def nbgrader_meta(cell: Mapping[str, Any] | Cell) -> Mapping[str, Any]:
    """The ``nbgrader`` metadata of a cell (a raw JSON cell or a read ``Cell``); empty when it has none."""
    meta = cell.get("metadata") if isinstance(cell, Mapping) else getattr(cell, "metadata", None)
    found = (meta or {}).get("nbgrader") if isinstance(meta, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def is_test_cell(cell: Any) -> bool:
    """An autograded test cell: a code cell with ``nbgrader.grade`` true that is not a solution cell."""
    meta = nbgrader_meta(cell)
    kind = cell.get("cell_type") if isinstance(cell, Mapping) else getattr(cell, "cell_type", None)
    return kind == "code" and bool(meta.get("grade")) and not meta.get("solution") and isinstance(meta.get("grade_id"), str)


def executed_by_run(nb: Notebook) -> bool:
    """``autograder run`` wrote this notebook (its metadata has ``autograder.run``)."""
    meta = nb.metadata.get("autograder")
    return isinstance(meta, Mapping) and isinstance(meta.get("run"), Mapping)


def expected_tests(nb: Notebook) -> tuple[str, ...]:
    """The test cells ``autograder run`` restored or looked for (from the executed notebook's metadata)."""
    meta = nb.metadata.get("autograder")
    run = meta.get("run") if isinstance(meta, Mapping) else None
    tests = run.get("tests") if isinstance(run, Mapping) else None
    return tuple(t for t in tests if isinstance(t, str)) if isinstance(tests, list) else ()


def test_cells(nb: Notebook) -> list[TestCell]:
    """Each test cell: its grade id, points, whether it ran, and its first error (shortened)."""
    out = []
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        meta = nbgrader_meta(cell)
        try:
            points = float(meta.get("points", 0) or 0)
        except (TypeError, ValueError):
            points = 0.0
        errors = [o for o in cell.outputs if o.kind == "error"]
        error = None
        if errors:
            value = (errors[0].evalue or "").strip()
            value = value if len(value) <= _MAX_ERROR else value[:_MAX_ERROR] + "…"
            error = f"{errors[0].ename or 'Error'}: {value}" if value else (errors[0].ename or "Error")
        out.append(TestCell(meta["grade_id"], points, cell.index, bool(cell.execution_count) or bool(cell.outputs), error))
    return out


def test_record(nb: Notebook) -> TestRecord:
    """The notebook's test cells and whether ``autograder run`` wrote it (its metadata says so)."""
    return TestRecord(by_run=executed_by_run(nb), expected=expected_tests(nb), cells=tuple(test_cells(nb)))
