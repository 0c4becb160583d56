"""Policies that turn check results into final ones: test cells of a re-executed notebook, the spec's
``tampered`` key, and the release's locked cells (``apply_release``). Pure functions of values; standard library only.

How a test cell changes a spec check with the same id (the course's test cells have the ids and points of
the spec's checks): the check passes only when its static check on the executed outputs passes *and* the
test cell ran without an error. A test cell can take points away, never add them, so student code that
redefines the test helpers gains nothing. A test cell whose ``grade_id`` is no check of the spec counts as a
check of its own (category ``code``) only with points the instructor gave it: ``TestCell.points`` comes from the
run's record (the course source's nbgrader points, ``autograder.read.runrecord``), never from the submission,
so a cell a student adds with ``{"grade": true, "points": 1000}`` earns nothing and is not listed.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from autograder.model.evidence import Evidence, TestCell, TestRecord
from autograder.model.results import CheckResult, Flag, FlagKind, Status, SubmissionResult


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
        if not (test.points > 0 and test.grade_id in expected):  # not the instructor's (NaN fails too)
            continue
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
                               message=f"{c.message}（ただし、根拠の出力（セル {cells}）がほかの出力と食い違っているため合格にしません。"
                                       f"理由は「注意」の項目にあります。教員が確認します）",
                               message_en=f"{c.message} (not passed: the output it rests on (cell {cells_en}) disagrees "
                                          f"with other outputs; the note below says how. An instructor will review it)"))
        else:
            out.append(replace(c, message=f"{c.message}（要確認: 根拠の出力（セル {cells}）がほかの出力と食い違っています。"
                                          f"理由は「注意」の項目にあります）",
                               message_en=f"{c.message} (to review: the output it rests on (cell {cells_en}) disagrees "
                                          f"with other outputs; the note below says how)"))
    return tuple(out)


# ------------------------------------------------------------------ the release's locked cells

def apply_release(result: SubmissionResult, releases: Sequence[Evidence]) -> SubmissionResult:
    """The result with the released notebook's locked cells compared by content (``TestRecord.locked``, nbgrader's
    read-only cells: the GPU check, the data loading, …). A locked cell missing or altered is a ``locked_changed``
    flag naming it; when it is the GPU check, its output is not the released check's, so the ``gpu`` check does
    not pass on it and the verdict is "unknown". ``releases``: the release notebooks the instructor gave
    (``--template``); compared only when the submission carries their nbgrader metadata (``_release_of``)."""
    ev = result.evidence
    release = _release_of(ev, releases) if ev is not None and result.status == "graded" else None
    if ev is None or release is None:
        return result
    changed = [(gid, role) for gid, digest, role in release.tests.locked if digest not in ev.tests.digests]
    if not changed:
        return result
    names = ", ".join(gid for gid, _ in changed)
    flag = Flag(FlagKind.LOCKED_CHANGED,
                f"配布したときの変更できないセル（{names}）が、消されたか書き換えられています。"
                "そのセルの出力は配布したコードの結果として扱いません。教員が確認します。配布されたノートブックのセルは"
                "元に戻して、すべて実行し直してから保存してください。",
                f"the read-only cells of the released notebook ({names}) were deleted or changed, so their outputs "
                "do not count as results of the released code; an instructor will review it. Restore the released "
                "cells, run all cells again and save.")
    checks, gpu = result.checks, result.gpu
    if any(role == "gpu" for _, role in changed) and gpu is not None and gpu.verdict == "gpu":
        gpu = replace(gpu, verdict="unknown")
        checks = tuple(_gpu_lost(c, names) if c.category == "gpu" and c.status == Status.PASS else c for c in checks)
    score = min(sum(c.points for c in checks), result.max_score)
    return replace(result, checks=checks, gpu=gpu, score=score, flags=(*result.flags, flag))


def _release_of(ev: Evidence, releases: Sequence[Evidence]) -> Evidence | None:
    """The release this submission was made from: one whose locked cells' ids the submission's own nbgrader
    metadata carries (a notebook not made from the release, or whose metadata Colab dropped, is not compared)."""
    mine = {gid for gid, _, _ in ev.tests.locked}
    candidates = [r for r in releases if mine & {gid for gid, _, _ in r.tests.locked}]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    shared = [sum(d in ev.tests.digests for _, d, _ in r.tests.locked) for r in candidates]
    best = max(shared)
    return candidates[shared.index(best)] if best else None


def _gpu_lost(check: CheckResult, names: str) -> CheckResult:
    return replace(check, status=Status.MISSING, points=0.0,
                   message=f"GPU 確認のセル（{names}）が配布したものから変わっているため、その出力では GPU で実行したと判定しません。"
                           "配布されたセルに戻し、GPU のランタイムで実行し直して保存してください。",
                   message_en=f"the GPU-check cell ({names}) differs from the released one, so its output does not show "
                              "a GPU run. Restore the released cell, run it again on a GPU runtime and save.")
