"""Judge one notebook's evidence against a spec: flags, checks, policies → ``SubmissionResult``. Pure; reads no file.

Standard library only; imports nothing from reading, presentation, the course or re-execution.
"""
from __future__ import annotations

from autograder.judge.checks import run_checks
from autograder.judge.integrity import notebook_flags
from autograder.judge.policy import apply_policy, apply_test_cells
from autograder.model.evidence import Evidence
from autograder.model.results import SubmissionResult
from autograder.model.spec import Spec


def grade_evidence(file: str, evidence: Evidence, spec: Spec, student_id: str | None = None) -> SubmissionResult:
    """The result of one notebook: integrity flags, the spec's checks, the ``tampered`` policy and, for a
    notebook written by ``autograder run``, its nbgrader test cells (which can only take points away)."""
    flags = tuple(notebook_flags(evidence))
    checks = apply_policy(run_checks(spec, evidence), flags, spec.tampered)
    max_score = spec.total_points
    if evidence.tests.by_run:
        checks = apply_test_cells(checks, evidence.tests)
        max_score = sum(c.max_points for c in checks)
    score = sum(c.points for c in checks)
    return SubmissionResult(file=file, student_id=student_id, status="graded", score=score, max_score=max_score,
                            checks=checks, gpu=evidence.gpu, flags=flags, evidence=evidence)
