"""The nbgrader test cells of a notebook, as evidence (``TestRecord``): which ran, which failed. Standard library only.

Only notebooks that ``autograder run`` executed have their test cells graded
(``autograder.judge.policy.apply_test_cells``), and "executed" is what the run's own record says
(``autograder.read.runrecord``: the SHA-256 of the executed file in ``OUT/records``), never the notebook's
``autograder.run`` metadata, which a student can type. A test cell's points come from that record (the
course source's points), never from the graded file's ``nbgrader.points``.
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from autograder.model.evidence import TestCell, TestRecord
from autograder.read.notebook import Cell, Notebook
from autograder.read.runrecord import RunRecord
from autograder.read.selfcheck_cell import is_selfcheck_cell

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


def test_cells(nb: Notebook, points: Mapping[str, float] | None = None) -> list[TestCell]:
    """Each test cell: its grade id, its points from ``points`` (the run record; 0 when it has none: the cell's
    own ``nbgrader.points`` never count), whether it ran, and its first error (shortened)."""
    points = points or {}
    out = []
    for cell in nb.cells:
        if not is_test_cell(cell):
            continue
        meta = nbgrader_meta(cell)
        errors = [o for o in cell.outputs if o.kind == "error"]
        error = None
        if errors:
            value = (errors[0].evalue or "").strip()
            value = value if len(value) <= _MAX_ERROR else value[:_MAX_ERROR] + "…"
            error = f"{errors[0].ename or 'Error'}: {value}" if value else (errors[0].ename or "Error")
        ran = bool(cell.execution_count) or bool(cell.outputs)
        out.append(TestCell(meta["grade_id"], points.get(meta["grade_id"], 0.0), cell.index, ran, error))
    return out


_GPU_CHECK = re.compile(r"list_(?:physical|logical)_devices|gpu_device_name|is_gpu_available|nvidia-smi")
_DATA = re.compile(r"\.load_data\(|datasets\.")


def source_digest(source: str) -> str:
    """The SHA-256 of a cell's code with each line's surrounding spaces and empty lines dropped (Colab and
    Jupyter may re-save a cell with other trailing spaces or newlines; the code is the same)."""
    lines = [line.strip() for line in source.splitlines()]
    return hashlib.sha256("\n".join(line for line in lines if line).encode("utf-8", "surrogatepass")).hexdigest()


def locked_cells(nb: Notebook) -> tuple[tuple[str, str, str], ...]:
    """Each nbgrader locked code cell that is neither a test cell nor the self-check cell: (grade_id,
    ``source_digest``, role: "gpu" for a GPU check, "data" for loading the data set, else "")."""
    out = []
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or not meta.get("locked") or not isinstance(meta.get("grade_id"), str):
            continue
        if meta.get("grade") or is_selfcheck_cell(cell.source):  # test cells: restored by `run`; self-check: never evidence
            continue
        role = "gpu" if _GPU_CHECK.search(cell.source) else "data" if _DATA.search(cell.source) else ""
        out.append((meta["grade_id"], source_digest(cell.source), role))
    return tuple(out)


def test_record(nb: Notebook, record: RunRecord | None = None) -> TestRecord:
    """The notebook's test cells; ``by_run`` only with the run's ``record`` of this very file (see the module
    docstring), whose test ids are the ones the run restored or looked for."""
    locked = locked_cells(nb)
    digests = frozenset(source_digest(c.source) for c in nb.cells if c.cell_type == "code")
    if record is None:
        return TestRecord(by_run=False, expected=(), cells=tuple(test_cells(nb)), locked=locked, digests=digests)
    return TestRecord(by_run=True, expected=tuple(record.tests), cells=tuple(test_cells(nb, record.tests)),
                      locked=locked, digests=digests)
