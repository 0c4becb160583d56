"""Policies that turn check results into final ones: test cells of a re-executed notebook, and the spec's
``tampered`` key. Pure functions of values; standard library only.

How a test cell changes a spec check with the same id (the course's test cells have the ids and points of
the spec's checks): the check passes only when its static check on the executed outputs passes *and* the
test cell ran without an error. A test cell can take points away, never add them, so student code that
redefines the test helpers gains nothing. A test cell whose ``grade_id`` is no check of the spec is added as
a check of its own (category ``code``, its nbgrader points), as nbgrader would count it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from autograder.model.evidence import TestCell, TestRecord
from autograder.model.results import CheckResult, Flag, FlagKind, Status


def apply_test_cells(checks: Sequence[CheckResult], tests: TestRecord) -> tuple[CheckResult, ...]:
    """The spec's check results with the notebook's test cells applied (see the module docstring)."""
    found = {t.grade_id: t for t in tests.cells}
    expected = set(tests.expected)
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
        base = CheckResult(id=test.grade_id, category="code", status=Status.PASS, points=test.points,
                           max_points=test.points, message=f"テストのセル（セル {test.cell}）に合格しました。",
                           message_en=f"the test cell (cell {test.cell}) passed.", cell=test.cell,
                           description=f"nbgrader のテスト {test.grade_id}", description_en=f"nbgrader test {test.grade_id}")
        out.append(base if test.ran and test.error is None else _failed(base, test))
    return tuple(out)


def _failed(check: CheckResult, test: TestCell) -> CheckResult:
    if not test.ran:
        return replace(check, status=Status.MISSING, points=0.0, cell=test.cell,
                       message=f"テストのセル（セル {test.cell}）は実行されませんでした（その前で実行が止まりました）。",
                       message_en=f"the test cell (cell {test.cell}) was not run (execution stopped before it).")
    return replace(check, status=Status.FAIL, points=0.0, cell=test.cell,
                   message=f"テストのセル（セル {test.cell}）が失敗しました: {test.error}",
                   message_en=f"the test cell (cell {test.cell}) failed: {test.error}")


def _lost(check: CheckResult) -> CheckResult:
    return replace(check, status=Status.MISSING, points=0.0, cell=None,
                   message=f"テストのセル {check.id} が見つからないため、隠しテストを実行できませんでした。"
                           "テストのセルは消したり書き換えたりしないでください。",
                   message_en=f"the test cell {check.id} was not found, so its hidden tests could not be run. "
                              "Do not delete or change the test cells.")


def apply_policy(checks: Sequence[CheckResult], flags: Sequence[Flag], policy: str = "review") -> tuple[CheckResult, ...]:
    """The spec's ``tampered`` policy for checks whose evidence cell is named by a ``tampered_output`` flag.

    ``"review"`` (default): the check keeps its status and points; its message says the evidence is flagged.
    ``"fail"``: a passing check fails with 0 points and its message says why. Other checks are unchanged.
    """
    tampered = [f for f in flags if f.kind == FlagKind.TAMPERED_OUTPUT]
    if not tampered:
        return tuple(checks)
    out = []
    for c in checks:
        hits = [f for f in tampered if c.cell is not None and c.cell in f.cells]
        if c.status != Status.PASS or not hits:
            out.append(c)
            continue
        cells = "、".join(str(x) for x in sorted({x for f in hits for x in f.cells}))
        cells_en = ", ".join(str(x) for x in sorted({x for f in hits for x in f.cells}))
        if policy == "fail":
            out.append(replace(c, status=Status.FAIL, points=0.0,
                               message=f"{c.message}（ただし、根拠の出力（セル {cells}）に不整合があるため合格にしません: "
                                       f"フラグ tampered_output を参照。教員が確認します）",
                               message_en=f"{c.message} (not passed: the evidence it rests on (cell {cells_en}) is "
                                          f"inconsistent, see the tampered_output flag; an instructor will review it)"))
        else:
            out.append(replace(c, message=f"{c.message}（要確認: 根拠の出力（セル {cells}）に不整合があります。"
                                          f"フラグ tampered_output を参照）",
                               message_en=f"{c.message} (to review: the evidence it rests on (cell {cells_en}) is "
                                          f"inconsistent, see the tampered_output flag)"))
    return tuple(out)
