"""Preparing submissions in this process: the course source found, hidden tests put back, outputs cleared; no cli.

A file the static reader cannot read becomes a ``not_run`` result with the static grader's error entry;
any other becomes a ``Job``: its cache key and a ``Task`` for a worker. Imports no kernel library.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.course.hidden_tests import Restoration, restore_hidden_tests
from autograder.errors import NotebookError
from autograder.execute.cache import job_key
from autograder.execute.values import Job, Options, RunResult, Task
from autograder.execute.verify import dataset_of, wanted_models
from autograder.judge.verified import VERIFIED_KINDS
from autograder.model.spec import Spec
from autograder.pipeline import grade_notebook
from autograder.read.notebook import read_raw

REPO = Path(__file__).resolve().parents[2]


def find_source(assignment: str, course: str | os.PathLike[str] | None = None) -> Path | None:
    """The nbgrader source ``source/<id>/<id>.ipynb``: of ``course`` if given, else of ``./assignments``,
    the current folder (an nbgrader course root) or this repository's ``assignments``."""
    rel = Path("source") / assignment / f"{assignment}.ipynb"
    if course is not None:
        path = Path(course) / rel
        return path if path.is_file() else None
    for root in (Path.cwd() / "assignments", Path.cwd(), REPO / "assignments"):
        if (root / rel).is_file():
            return root / rel
    return None


def prepare(raw: dict[str, Any], source: Mapping[str, Any] | None, source_name: str | None) -> tuple[dict[str, Any], Restoration]:
    """Hidden tests put back into a notebook read by ``read_raw``, every output and execution count cleared (a cell
    not reached shows nothing)."""
    restoration = restore_hidden_tests(raw, source, source_name)
    nb = restoration.notebook
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    return nb, restoration


def prepare_one(file: str, spec: Spec, source: Mapping[str, Any] | None, source_path: Path | None, options: Options,
                datasets_dir: str | None, base_key: str, executed: Path) -> Job | RunResult:
    """One submission ready to run (``executed``: where its executed notebook goes), or its ``not_run`` result."""
    try:
        data = Path(file).read_bytes()
        raw = read_raw(data, file)  # the static reader's verdict on the file: a bad file is an error entry, not a run
        nb, restoration = prepare(raw, source, str(source_path) if source_path else None)
    except (NotebookError, OSError, ValueError) as exc:
        graded = grade_notebook(file, spec)
        if graded.status != "error":  # readable by the static reader but not by nbformat
            graded = replace(graded, status="error", score=0.0, checks=(), error=f"{file}: ノートブックとして読めません（{exc}）。",
                             error_en=f"{file}: cannot be read as a notebook ({exc}).")
        return RunResult(file, "not_run", "ファイルを読めないため実行していません。", "not run: the file cannot be read.", graded)
    nb.setdefault("metadata", {}).setdefault("autograder", {})
    check = options.verify and any(c.kind in VERIFIED_KINDS for c in spec.checks)  # the spec judges a trained model
    task = Task(Path(file).name, json.dumps(nb, ensure_ascii=False), data, options, datasets_dir, verify=check,
                models=wanted_models(nb) if check else (), dataset=dataset_of(nb, datasets_dir) if check else None)
    return Job(file, job_key(base_key, data), executed, task, restoration)
