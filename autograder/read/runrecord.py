"""The record ``autograder run`` keeps of each notebook it executed, read back; standard library only.

A notebook counts as executed by ``autograder run`` only when the run's own record says so: ``autograder run``
writes each executed notebook to ``OUT/executed/…`` and, beside that folder, ``OUT/records/<sha256>.json``
named by the SHA-256 of the executed notebook's bytes. A file graded later is trusted as a run's output only
when its bytes hash to a record found in the ``records`` folder beside an ``executed`` folder that contains
it. Nothing inside the notebook (its ``autograder.run`` metadata, cell tags, nbgrader points) is trusted: a
student can type it, but cannot make a file whose hash the instructor's run folder holds.

The record also carries the points of each test cell as the course source (the instructor's notebook) gives
them; a test cell's points are never read from the graded file.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.model.evidence import Verification, VerifiedModel

RECORDS = "records"  # OUT/records/<sha256>.json
EXECUTED = "executed"  # OUT/executed/…
_MAX_DEPTH = 8  # folders between OUT/executed and the notebook (nbgrader layouts are 3 deep)
_MAX_RECORD = 1 << 20  # bytes of one record read at most


@dataclass(frozen=True)
class RunRecord:
    """What ``autograder run`` recorded of one executed notebook."""

    sha256: str
    status: str = "ok"
    tests: Mapping[str, float] = field(default_factory=dict)  # grade_id → points from the course source
    verified: Verification | None = None  # the clean process's verification of the trained model, when the run made one

    def to_json(self) -> dict[str, Any]:
        return {"sha256": self.sha256, "status": self.status, "tests": dict(self.tests)}


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def safe_points(value: Any) -> float:
    """A number of points as a finite, non-negative float; anything else (``"inf"``, NaN, -5, text) is 0."""
    if isinstance(value, bool):
        return 0.0
    try:
        x = float(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return x if math.isfinite(x) and x >= 0 else 0.0


def records_dir(path: str | os.PathLike[str]) -> Path | None:
    """The ``records`` folder of the run output folder holding ``path`` (below ``OUT/executed``), or None."""
    try:
        parents = Path(path).resolve().parents
    except (OSError, RuntimeError):
        return None
    for depth, folder in enumerate(parents):
        if depth >= _MAX_DEPTH:
            break
        if folder.name == EXECUTED:
            found = folder.parent / RECORDS
            return found if found.is_dir() else None
    return None


def record_path(out: str | os.PathLike[str], sha256: str) -> Path:
    return Path(out) / RECORDS / f"{sha256}.json"


def run_record(path: str | os.PathLike[str]) -> RunRecord | None:
    """The run record of the notebook file at ``path``, or None when no run of ours wrote exactly these bytes.

    Cheap for every file outside a run folder: the file is hashed only when a ``records`` folder is beside
    an ``executed`` folder that contains it."""
    folder = records_dir(path)
    if folder is None:
        return None
    try:
        sha = digest(Path(path).read_bytes())
        entry = folder / f"{sha}.json"
        if not entry.is_file() or entry.is_symlink() or entry.stat().st_size > _MAX_RECORD:
            return None
        raw = json.loads(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return parse_record(raw, sha)


def parse_record(raw: Any, sha256: str) -> RunRecord | None:
    """A record as written by ``record_json``; None when it is not one, or is for other bytes."""
    if not isinstance(raw, Mapping) or raw.get("sha256") != sha256:
        return None
    tests = raw.get("tests")
    points = {k: safe_points(v) for k, v in tests.items() if isinstance(k, str)} if isinstance(tests, Mapping) else {}
    status = raw["status"] if isinstance(raw.get("status"), str) else "ok"
    return RunRecord(sha256=sha256, status=status, tests=points, verified=parse_verification(raw.get("verified")))


def parse_verification(raw: Any) -> Verification | None:
    """The ``verified`` entry of a record (``autograder.execute.verify``), every value bounded; None when absent."""
    if not isinstance(raw, Mapping):
        return None
    models: list[VerifiedModel] = []
    for m in raw.get("models") or []:
        if not isinstance(m, Mapping) or len(models) >= 16:
            continue
        params = bounded_count(m.get("params"))
        layers = tuple(c for c in (bounded_count(v) for v in m.get("layers") or [] if len(m.get("layers") or []) <= 1000)
                       if c is not None)
        models.append(VerifiedModel(name=_text(m.get("name")) or "model", params=params, layers=layers,
                                    test_accuracy=bounded_fraction(m.get("test_accuracy")), reason=_text(m.get("reason"))))
    return Verification(models=tuple(models), judged=_text(raw.get("judged")), reason=_text(raw.get("reason")))


def bounded_count(value: Any) -> int | None:
    """A count a record may hold: a non-negative int below 10**13, else None (a bool is no count)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**13 else None


def bounded_fraction(value: Any) -> float | None:
    """A finite fraction in [0, 1] (an accuracy), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    x = float(value)
    return x if math.isfinite(x) and 0.0 <= x <= 1.0 else None


def _text(value: Any) -> str | None:
    return value[:500] if isinstance(value, str) else None


def record_json(data: bytes, status: str, tests: Mapping[str, Any]) -> dict[str, Any]:
    """The record ``autograder run`` writes for one executed notebook (its bytes ``data``)."""
    return RunRecord(digest(data), status, {k: safe_points(v) for k, v in tests.items()}).to_json()
