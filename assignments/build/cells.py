"""The cell description the assignments are written in: the Cell type and its md/code/locked/solution/test/answer builders.

Imports only ``autograder.model.spec`` (for the check a test cell tests); knows nothing of nbformat.
"""
from __future__ import annotations

from dataclasses import dataclass

from autograder.model.spec import Spec

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


@dataclass
class Cell:
    kind: str  # "md", "code", "locked", "solution", "test", "answer"
    source: str
    grade_id: str | None = None
    points: float | None = None
    example: str | None = None  # for "answer": the 解答例 of the solution notebook
    tags: tuple[str, ...] = ()  # the cell's metadata tags (the self-check cell's)


def md(text: str) -> Cell:
    return Cell("md", text.strip("\n"))


def code(text: str) -> Cell:
    """A plain code cell the student may change (not graded)."""
    return Cell("code", text.strip("\n"))


def locked(grade_id: str, text: str) -> Cell:
    """A read-only cell: nbgrader restores it from the source when grading."""
    return Cell("locked", text.strip("\n"), grade_id)


def solution(grade_id: str, text: str) -> Cell:
    """A cell with ``### BEGIN SOLUTION`` … ``### END SOLUTION`` regions, replaced by a stub in the release."""
    assert BEGIN_SOLUTION in text, grade_id
    return Cell("solution", text.strip("\n"), grade_id)


def test(spec: Spec, check_id: str, visible: str, hidden: str) -> Cell:
    """An autograded test cell for one spec check: same id, same points."""
    check = spec.check(check_id)
    hidden_lines = "\n".join(["from autograder import kernel", *hidden.strip("\n").splitlines()])
    text = f"{visible.strip()}\n{BEGIN_HIDDEN}\n{hidden_lines}\n{END_HIDDEN}"
    return Cell("test", text, check.id, check.points)


def answer(prompt: str, example: str) -> Cell:
    """A markdown cell for the student's thoughts (ungraded); the solution notebook shows ``example``."""
    return Cell("answer", prompt.strip("\n"), example=example.strip("\n"))
