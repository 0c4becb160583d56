"""Checks: small pure functions of the evidence, registered by kind, one module per spec category.

A check never earns points for what could not be read: absent evidence is ``missing`` with a message saying
what was expected and where to put it; an exception inside a check is ``error`` for review, never a pass.
The same functions run in the static grader and, through ``autograder.kernel``, inside a student's kernel.

Standard library only; never imports reading, presentation, the pipeline, the course, re-execution or the CLI.
Importing this package registers every kind in ``KINDS`` (``autograder.judge.registry``).
"""
from __future__ import annotations

from autograder.errors import raise_internal_errors

# every category module, so that KINDS is complete (the modules register their kinds on import)
from autograder.judge.checks import accuracy, code, gpu, history, plot, summary  # noqa: F401
from autograder.judge.checks.common import values_match
from autograder.judge.registry import KINDS, Kind, Param, kind
from autograder.model.evidence import Evidence
from autograder.model.results import CheckResult, Outcome, Status
from autograder.model.spec import CheckSpec, Spec

__all__ = ["KINDS", "Kind", "Param", "kind", "run_checks", "run_one", "values_match"]


def run_one(check: CheckSpec, evidence: Evidence) -> CheckResult:
    """Run one check on the evidence. An exception is a result that needs a person, never points."""
    try:
        outcome = KINDS[check.kind].run(evidence, check.params)
    except Exception as exc:  # noqa: BLE001 - a bug in a check must not stop a batch or award points
        if raise_internal_errors():
            raise
        outcome = Outcome(Status.ERROR,
                          f"このチェックの実行中に採点プログラムの内部エラー（{type(exc).__name__}）が起きました。"
                          "提出者の問題ではありません。教員が確認します。",
                          f"internal error of the grader while running this check ({type(exc).__name__}); this is not "
                          "the student's fault, an instructor will review it.")
    points = check.points if outcome.status == Status.PASS else 0.0
    return CheckResult(id=check.id, category=check.category, status=outcome.status, points=points,
                       max_points=check.points, message=outcome.message, message_en=outcome.message_en,
                       cell=outcome.cell, hidden=check.hidden, description=check.description,
                       description_en=check.description_en)


def run_checks(spec: Spec, evidence: Evidence, include_hidden: bool = True) -> list[CheckResult]:
    """The results of the spec's checks, in the spec's order (hidden ones only when ``include_hidden``)."""
    return [run_one(c, evidence) for c in spec.checks if include_hidden or not c.hidden]
