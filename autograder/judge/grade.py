"""Judge one notebook's evidence against a spec: flags, checks, policies → ``SubmissionResult``. Pure; reads no file.

Standard library only; imports nothing from reading, presentation, the course or re-execution.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from autograder.judge.checks import run_checks
from autograder.judge.integrity import notebook_flags
from autograder.judge.policy import apply_policy, apply_test_cells
from autograder.judge.verified import apply_verification, verification_flags
from autograder.model.evidence import Evidence
from autograder.model.results import CheckResult, SubmissionResult
from autograder.model.spec import Spec


def grade_evidence(file: str, evidence: Evidence, spec: Spec, student_id: str | None = None) -> SubmissionResult:
    """The result of one notebook: integrity flags, the spec's checks, the ``tampered`` policy and, for a
    notebook the run record says ``autograder run`` executed, its nbgrader test cells and the clean process's
    verification of the trained model (``judge.verified``), both of which can only take points away. Every number
    of the score is finite and non-negative, and no check earns more than its maximum."""
    flags = (*notebook_flags(evidence), *verification_flags(evidence))
    checks = apply_policy(apply_verification(spec, run_checks(spec, evidence), evidence), flags, spec.tampered)
    max_score = spec.total_points
    if evidence.tests.by_run:
        checks = apply_test_cells(checks, evidence.tests)
        max_score = sum(_finite(c.max_points) for c in checks)
    checks = _bounded(checks)
    max_score = _finite(max_score)
    score = min(sum(c.points for c in checks), max_score)
    return SubmissionResult(file=file, student_id=student_id, status="graded", score=score, max_score=max_score,
                            checks=checks, gpu=evidence.gpu, flags=flags, evidence=evidence)


def _finite(x: float) -> float:
    """``x`` when it is a finite number ≥ 0, else 0 (NaN, ±inf and negative numbers never reach a score)."""
    try:
        x = float(x)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return x if math.isfinite(x) and x >= 0 else 0.0


def _bounded(checks: Sequence[CheckResult]) -> tuple[CheckResult, ...]:
    out = []
    for c in checks:
        top = _finite(c.max_points)
        points = min(_finite(c.points), top)
        out.append(c if (points, top) == (c.points, c.max_points) else replace(c, points=points, max_points=top))
    return tuple(out)
