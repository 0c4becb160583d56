"""Grade notebooks against a spec: load → extract → checks → flags → SubmissionResult. Never executes a notebook.

One entry per input file, whatever the file holds; a bad file is an ``error`` entry, never a stopped batch.
Must not import TensorFlow, Keras, nbclient or nbconvert.
"""
from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence, TypeVar

from .checks import CheckResult, run_checks
from .evidence import Evidence, Gpu
from .extract import extract
from .names import parse_submission_name
from .nbtests import apply_test_cells, executed_by_run
from .notebook import NotebookError, display_name, load_notebook
from .spec import Spec, load_spec

T = TypeVar("T")
FLAG_KINDS = ("tampered_output", "collusion", "not_executed", "error_output", "out_of_order", "late", "metadata_lost")


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
        return {
            "file": self.file,
            "student_id": self.student_id,
            "status": self.status,
            "error": (self.error_en if lang == "en" else self.error) if self.error else None,
            "score": self.score,
            "max_score": self.max_score,
            "checks": [c.to_json(lang) for c in checks],
            "gpu": self.gpu.to_json() if self.gpu else {"verdict": "unknown", "signals": []},
            "flags": [f.to_json(lang) for f in self.flags],
        }


@dataclass(frozen=True)
class Report:
    assignment: str
    submissions: tuple[SubmissionResult, ...]

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"assignment": self.assignment, "submissions": [s.to_json(lang) for s in self.submissions]}


# ------------------------------------------------------------------ one notebook

def student_id_of(path: str | os.PathLike[str]) -> str | None:
    parsed = parse_submission_name(path)
    if parsed:
        return parsed.student_id
    parts = Path(path).parts  # nbgrader layout: submitted/<student_id>/<assignment>/<notebook>.ipynb
    if len(parts) >= 4 and parts[-4] in ("submitted", "autograded"):
        return parts[-3]
    return None


def grade_evidence(file: str, evidence: Evidence, spec: Spec, student_id: str | None = None) -> SubmissionResult:
    # imported here: integrity imports Flag from this module
    from .integrity import apply_policy, notebook_flags

    flags = tuple(notebook_flags(evidence))
    checks = apply_policy(run_checks(spec, evidence), flags, getattr(spec, "tampered", "review"))
    score = sum(c.points for c in checks)
    return SubmissionResult(file=file, student_id=student_id, status="graded", score=score, max_score=spec.total_points,
                            checks=checks, gpu=evidence.gpu, flags=flags, evidence=evidence)


def grade_notebook(path: str | os.PathLike[str], spec: Spec | str) -> SubmissionResult:
    """Grade one file. Never raises for a bad file: it becomes a result with status ``error``."""
    spec = load_spec(spec) if isinstance(spec, str) else spec
    file = display_name(path)  # printable: a cp932 file name would stop a UTF-8 report
    sid = student_id_of(path)
    try:
        nb = load_notebook(path)
    except NotebookError as exc:
        return error_result(file, sid, spec, exc)
    result = grade_evidence(file, extract(nb), spec, sid)
    if executed_by_run(nb):  # written by `autograder run`: its nbgrader test cells count too (autograder.nbtests)
        checks = apply_test_cells(result.checks, nb)
        result = replace(result, checks=checks, score=sum(c.points for c in checks),
                         max_score=sum(c.max_points for c in checks))
    return result


def error_result(file: str, sid: str | None, spec: Spec, exc: NotebookError) -> SubmissionResult:
    return SubmissionResult(file=file, student_id=sid, status="error", score=0.0, max_score=spec.total_points,
                            error=exc.message("ja"), error_en=exc.message("en"), error_code=exc.code)


def execution_flags(ev: Evidence, checks: Sequence[CheckResult] = ()) -> list[Flag]:
    """``not_executed``, ``error_output`` and ``out_of_order`` flags (see ``autograder.integrity``)."""
    from .integrity import execution_flags as flags_of

    return flags_of(ev, checks)


# ------------------------------------------------------------------ batches

def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files, folders (every ``*.ipynb`` below, sorted) and globs, in the order given, without duplicates.

    A path that matches nothing is kept, so that it is reported as an error rather than silently dropped.
    """
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir() and not p.lower().endswith(".ipynb"):
            found = sorted(str(f) for f in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in f.parts)
        elif any(ch in p for ch in "*?[") and not path.exists():
            found = sorted(glob.glob(p, recursive=True)) or [p]
        else:
            found = [p]
        out.extend(found)
    return list(dict.fromkeys(out))


def _grade_for_pool(args: tuple[str, Spec]) -> SubmissionResult:
    return grade_notebook(*args)


def grade_paths(paths: Sequence[str], spec: Spec, jobs: int = 1, progress: bool = False, collusion: bool = True,
                template: Sequence[Evidence] = ()) -> Report:
    """Grade every file; then, unless ``collusion`` is False, flag groups of submissions that share a training run
    or Colab identifiers (``autograder.collusion``; ``template``: evidence of the released notebooks, whose
    identifiers never count)."""
    files = expand_paths(paths)
    results = list(progress_bar(_map(files, spec, jobs), len(files), progress and len(files) > 1))
    if collusion:
        from .collusion import detect_collusion

        results = detect_collusion(results, template=template)
    return Report(assignment=spec.id, submissions=tuple(results))


def _map(files: list[str], spec: Spec, jobs: int) -> Iterator[SubmissionResult]:
    if jobs <= 1 or len(files) < 4:
        for f in files:
            yield grade_notebook(f, spec)
        return
    from concurrent.futures import ProcessPoolExecutor  # lazy: `check` never needs worker processes (cold start)

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_grade_for_pool, [(f, spec) for f in files], chunksize=max(1, len(files) // (jobs * 8)))


def progress_bar(items: Iterable[T], total: int, show: bool, label: str = "採点中", note: str = "") -> Iterator[T]:
    """Yield the items, drawing a bar on stderr when ``show`` and stderr is a terminal (grade, run)."""
    stream = sys.stderr
    show = show and total > 0 and stream.isatty()
    for i, item in enumerate(items, 1):
        if show:
            width = 30
            filled = int(width * i / total)
            stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {i}/{total}{note}")
            stream.flush()
        yield item
    if show:
        stream.write("\n")
