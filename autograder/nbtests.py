"""nbgrader test cells: restore hidden tests from the course source; grade the test cells of a re-executed notebook.

Standard library only (the static path imports it). Restoring works on plain nbformat-4 dicts, before a
notebook is executed; grading works on ``notebook.Notebook`` values, after. Only notebooks written by
``autograder run`` (metadata ``autograder.run``) have their test cells graded: a student's own saved outputs
never do.

How a test cell changes a spec check with the same id (the course's test cells have the ids and points of
the spec's checks): the check passes only when its static check on the executed outputs passes *and* the
test cell ran without an error. A test cell can take points away, never add them, so student code that
redefines the test helpers gains nothing. A test cell whose ``grade_id`` is no check of the spec is added as
a check of its own (category ``code``, its nbgrader points), as nbgrader would count it.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace
from typing import Any, Mapping, Sequence

from .checks import CheckResult
from .notebook import Notebook

BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_MAX_ERROR = 400  # characters of an error value kept in a check message


def nbgrader_meta(cell: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = cell.get("metadata") if isinstance(cell, Mapping) else getattr(cell, "metadata", None)
    found = (meta or {}).get("nbgrader") if isinstance(meta, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def is_test_cell(cell: Any) -> bool:
    """An autograded test cell: a code cell with ``nbgrader.grade`` true that is not a solution cell."""
    meta = nbgrader_meta(cell)
    kind = cell.get("cell_type") if isinstance(cell, Mapping) else getattr(cell, "cell_type", None)
    return kind == "code" and bool(meta.get("grade")) and not meta.get("solution") and isinstance(meta.get("grade_id"), str)


def _source(cell: Mapping[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


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
    want = _normal(visible_part(_source(test)))
    if not want:
        return None
    for i, cell in enumerate(cells):
        if i in taken or not isinstance(cell, Mapping) or cell.get("cell_type") != "code":
            continue
        if nbgrader_meta(cell).get("grade_id") in ids:  # a cell nbgrader knows as something else
            continue
        if _normal(visible_part(_source(cell))) == want:
            return i
    return None


def _restored(cell: Mapping[str, Any], test: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(cell)
    out["cell_type"] = "code"
    out["source"] = _source(test)
    out["metadata"] = {**(cell.get("metadata") or {}), "nbgrader": copy.deepcopy(dict(nbgrader_meta(test)))}
    out.setdefault("outputs", [])
    out.setdefault("execution_count", None)
    return out


# ------------------------------------------------------------------ grading (after execution)

@dataclass(frozen=True)
class TestCell:
    grade_id: str
    points: float
    cell: int
    ran: bool
    error: str | None  # "AssertionError: …" of the first error output, None when it passed


def executed_by_run(nb: Notebook) -> bool:
    meta = nb.metadata.get("autograder")
    return isinstance(meta, Mapping) and isinstance(meta.get("run"), Mapping)


def expected_tests(nb: Notebook) -> tuple[str, ...]:
    """The test cells ``autograder run`` restored or looked for (from the executed notebook's metadata)."""
    meta = nb.metadata.get("autograder")
    run = meta.get("run") if isinstance(meta, Mapping) else None
    tests = run.get("tests") if isinstance(run, Mapping) else None
    return tuple(t for t in tests if isinstance(t, str)) if isinstance(tests, list) else ()


def test_cells(nb: Notebook) -> list[TestCell]:
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


def apply_test_cells(checks: Sequence[CheckResult], nb: Notebook) -> tuple[CheckResult, ...]:
    """The spec's check results with the notebook's test cells applied (see the module docstring)."""
    found = {t.grade_id: t for t in test_cells(nb)}
    expected = set(expected_tests(nb))
    out = []
    for check in checks:
        test = found.pop(check.id, None)
        if test is None:
            if check.id in expected:
                out.append(_lost(check))
            else:
                out.append(check)
        elif test.error is not None or not test.ran:
            out.append(_failed(check, test))
        else:
            out.append(check)
    for test in found.values():  # test cells that are no check of the spec: counted on their own
        base = CheckResult(id=test.grade_id, category="code", status="pass", points=test.points,
                           max_points=test.points, message=f"テストのセル（セル {test.cell}）に合格しました。",
                           message_en=f"the test cell (cell {test.cell}) passed.", cell=test.cell,
                           description=f"nbgrader のテスト {test.grade_id}", description_en=f"nbgrader test {test.grade_id}")
        out.append(base if test.ran and test.error is None else _failed(base, test))
    return tuple(out)


def _failed(check: CheckResult, test: TestCell) -> CheckResult:
    if not test.ran:
        return replace(check, status="missing", points=0.0, cell=test.cell,
                       message=f"テストのセル（セル {test.cell}）は実行されませんでした（その前で実行が止まりました）。",
                       message_en=f"the test cell (cell {test.cell}) was not run (execution stopped before it).")
    return replace(check, status="fail", points=0.0, cell=test.cell,
                   message=f"テストのセル（セル {test.cell}）が失敗しました: {test.error}",
                   message_en=f"the test cell (cell {test.cell}) failed: {test.error}")


def _lost(check: CheckResult) -> CheckResult:
    return replace(check, status="missing", points=0.0, cell=None,
                   message=f"テストのセル {check.id} が見つからないため、隠しテストを実行できませんでした。"
                           "テストのセルは消したり書き換えたりしないでください。",
                   message_en=f"the test cell {check.id} was not found, so its hidden tests could not be run. "
                              "Do not delete or change the test cells.")
