"""Result values: what judging decides about one notebook and a batch. Values only; standard library only.

Statuses are ``str`` Enums, so ``status == "pass"`` and the JSON contracts keep their plain string values.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from autograder.errors import NotebookError
from autograder.model.evidence import Evidence, Gpu


def json_safe(doc: Any) -> Any:
    """``doc`` with every non-finite float (NaN, ±inf: a diverged run's ``loss: nan``) replaced by None, so that
    ``json.dumps(..., allow_nan=False)`` always succeeds: every report is valid JSON."""
    if isinstance(doc, float):
        return doc if math.isfinite(doc) else None
    if isinstance(doc, dict):
        return {k: json_safe(v) for k, v in doc.items()}
    if isinstance(doc, (list, tuple)):
        return [json_safe(v) for v in doc]
    return doc


class _StrEnum(str, Enum):
    """A ``str`` whose ``str()`` and format are its value (as ``enum.StrEnum``, which needs Python 3.11)."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


class Status(_StrEnum):
    """The status of one check. ``error``: the check itself crashed (a bug to report), not the student's fault."""

    PASS = "pass"
    FAIL = "fail"
    MISSING = "missing"
    ERROR = "error"


class FlagKind(_StrEnum):
    """Kinds of flags for a person to review; none changes a score on its own (see the spec key ``tampered``)."""

    TAMPERED_OUTPUT = "tampered_output"
    COLLUSION = "collusion"
    NOT_EXECUTED = "not_executed"
    ERROR_OUTPUT = "error_output"
    OUT_OF_ORDER = "out_of_order"
    LATE = "late"
    METADATA_LOST = "metadata_lost"
    INTEGRITY_ERROR = "integrity_error"
    GPU_CONFLICT = "gpu_conflict"  # GPU evidence that disagrees with itself (autograder.model.gpu.conflicts)
    LOCKED_CHANGED = "locked_changed"  # a read-only cell of the release deleted or altered (judge.policy.apply_release)
    IMPLAUSIBLE = "implausible"  # results no honest run shows together: for review only


@dataclass(frozen=True)
class Outcome:
    """What a check function decides: a status, a message in Japanese and English, the cell it refers to."""

    status: Status
    message: str
    message_en: str
    cell: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))


@dataclass(frozen=True)
class CheckResult:
    id: str
    category: str
    status: Status
    points: float
    max_points: float
    message: str
    message_en: str
    cell: int | None = None
    hidden: bool = False
    description: str = ""
    description_en: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "status", Status(self.status))

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"id": self.id, "category": self.category, "status": self.status.value, "points": self.points,
                "max_points": self.max_points, "message": self.message_en if lang == "en" else self.message,
                "cell": self.cell}


@dataclass(frozen=True)
class Flag:
    kind: str
    message: str
    message_en: str
    cells: tuple[int, ...] = ()
    related_files: tuple[str, ...] = ()

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message_en if lang == "en" else self.message,
                "cells": list(self.cells), "related_files": list(self.related_files)}


@dataclass(frozen=True)
class SubmissionResult:
    file: str
    student_id: str | None
    status: str  # "graded" | "error"
    score: float
    max_score: float
    checks: tuple[CheckResult, ...] = ()
    gpu: Gpu | None = None
    flags: tuple[Flag, ...] = ()
    error: str | None = None
    error_en: str | None = None
    error_code: str | None = None
    evidence: Evidence | None = field(default=None, compare=False)

    def to_json(self, lang: str = "ja", include_hidden: bool = True) -> dict[str, Any]:
        checks = [c for c in self.checks if include_hidden or not c.hidden]
        return json_safe({
            "file": self.file,
            "student_id": self.student_id,
            "status": self.status,
            "error": (self.error_en if lang == "en" else self.error) if self.error else None,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [c.to_json(lang) for c in checks],
            "gpu": self.gpu.to_json() if self.gpu else {"verdict": "unknown", "signals": []},
            "flags": [f.to_json(lang) for f in self.flags],
        })


@dataclass(frozen=True)
class Report:
    assignment: str
    submissions: tuple[SubmissionResult, ...]

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"assignment": self.assignment, "submissions": [s.to_json(lang) for s in self.submissions]}


@dataclass(frozen=True)
class Inspection:
    file: str
    evidence: Evidence | None
    failure: NotebookError | None = None

    def error(self, lang: str = "ja") -> str | None:
        return self.failure.message(lang) if self.failure else None

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        doc: dict[str, Any] = {"file": self.file, "status": "read" if self.evidence else "error", "error": self.error(lang)}
        if self.evidence is not None:
            doc.update(self.evidence.to_json())
        return json_safe(doc)
