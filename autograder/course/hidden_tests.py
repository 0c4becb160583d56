"""Restore the course's test cells (hidden tests included) into a submission before re-execution. No third-party imports.

Works on plain nbformat-4 dicts; standard library only. Reading the test cells of an executed notebook is
``autograder.read.tests``; how they change the checks is ``autograder.judge.policy.apply_test_cells``.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.judge import policy
from autograder.model.results import CheckResult
from autograder.read.notebook import Notebook
from autograder.read.runrecord import RunRecord
from autograder.read.tests import is_test_cell, nbgrader_meta, test_record
from autograder.read.text import join_source

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_MAX_ERROR = 400  # characters of an error value kept in a check message


def visible_part(source: str) -> str:
    """The source without its hidden-test regions: what nbgrader releases (``ClearHiddenTests``)."""
    lines, hidden = [], False
    for line in source.splitlines():
        if line.strip() == BEGIN_HIDDEN:
            hidden = True
        elif line.strip() == END_HIDDEN:
            hidden = False
        elif not hidden:
            lines.append(line)
    return "\n".join(lines)


def _normal(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


# ------------------------------------------------------------------ restoring (before execution)

@dataclass(frozen=True)
class Restoration:
    """A submission with the course's test cells put back, and how each was found."""

    notebook: dict[str, Any]
    by_id: tuple[str, ...] = ()  # matched by nbgrader grade_id (as nbgrader autograde does)
    by_content: tuple[str, ...] = ()  # the submission lost its metadata: matched by the visible test code
    missing: tuple[str, ...] = ()  # not found: its hidden tests could not be run
    source: str | None = None  # the course source used (None: no source found)

    @property
    def expected(self) -> tuple[str, ...]:
        return (*self.by_id, *self.by_content, *self.missing)

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "by_id": list(self.by_id), "by_content": list(self.by_content),
                "missing": list(self.missing)}


def restore_hidden_tests(submission: Mapping[str, Any], source: Mapping[str, Any] | None,
                         source_name: str | None = None) -> Restoration:
    """Put the source's test cells (hidden tests included) in place of the submission's.

    A source test cell is found in the submission by its ``grade_id``; else, for a submission that lost its
    nbgrader metadata (Colab can drop it), by a code cell whose text equals the test's visible part. The cell
    found gets the source's text and nbgrader metadata; its other metadata stay. ``source=None``: nothing
    to restore (the submission is returned as it is).
    """
    nb = copy.deepcopy(dict(submission))
    if source is None:
        return Restoration(nb)
    cells = nb.get("cells") or []
    tests = [c for c in source.get("cells", []) if is_test_cell(c)]
    by_grade_id: dict[str, int] = {}
    for i, cell in enumerate(cells):
        gid = nbgrader_meta(cell).get("grade_id")
        if isinstance(gid, str) and gid not in by_grade_id:
            by_grade_id[gid] = i
    taken: set[int] = set()
    by_id, by_content, missing = [], [], []
    for test in tests:
        gid = nbgrader_meta(test)["grade_id"]
        index = by_grade_id.get(gid)
        if index is not None and index not in taken:
            by_id.append(gid)
        else:
            index = _find_by_content(cells, test, taken, set(by_grade_id))
            if index is None:
                missing.append(gid)
                continue
            by_content.append(gid)
        taken.add(index)
        cells[index] = _restored(cells[index], test)
    return Restoration(nb, tuple(by_id), tuple(by_content), tuple(missing), source_name)


def _find_by_content(cells: Sequence[Any], test: Mapping[str, Any], taken: set[int], ids: set[str]) -> int | None:
    want = _normal(visible_part(join_source(test.get("source"))))
    if not want:
        return None
    for i, cell in enumerate(cells):
        if i in taken or not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        if nbgrader_meta(cell).get("grade_id") in ids:  # a cell nbgrader knows as something else
            continue
        if _normal(visible_part(join_source(cell.get("source")))) == want:
            return i
    return None


def _restored(cell: Mapping[str, Any], test: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(cell)
    out["cell_type"] = "code"
    out["source"] = join_source(test.get("source"))
    out["metadata"] = {**(cell.get("metadata") or {}), "nbgrader": copy.deepcopy(dict(nbgrader_meta(test)))}
    out.setdefault("outputs", [])
    out.setdefault("execution_count", None)
    return out


# ------------------------------------------------------------------ grading (after execution)



def apply_test_cells(checks: Sequence[CheckResult], nb: Notebook, record: RunRecord | None = None) -> tuple[CheckResult, ...]:
    """``autograder.judge.policy.apply_test_cells`` on the test cells read from an executed notebook; their
    points and the expected ids come from the run's ``record`` only (``autograder.read.runrecord``)."""
    return policy.apply_test_cells(checks, test_record(nb, record))
