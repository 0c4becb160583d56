"""The run cache: ``OUT/cache/<key>.json`` per submission and ``OUT/executed/``; graded here; no kernel library, no cli.

A submission's key is the SHA-256 of ``base_key`` (``VERSION``, the spec file, the course source, the options
and the datasets' digest, as sorted JSON) followed by the SHA-256 of the submitted file. An entry is used
again only when its ``version`` and ``key`` match and its executed notebook is still there; the grade is
always computed afresh from the executed notebook (``grade_notebook``), never cached.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.execute.datasets import read_bundle
from autograder.execute.values import Execution, Job, Options, RunResult
from autograder.model.results import SubmissionResult
from autograder.model.spec import Spec
from autograder.pipeline import grade_notebook, student_id_of
from autograder.read.runrecord import RECORDS, record_json, record_path
from autograder.read.tests import nbgrader_meta

VERSION = 3  # 2: runs keep OUT/records (read.runrecord); 3: and the clean-process verification; bump when a change here
# makes old cached runs wrong


def base_key(spec: Spec, source_path: Path | None, options: Options, datasets_dir: str | None) -> str:
    """What every submission's key of one batch shares."""
    parts = {"version": VERSION, "spec": _digest_file(spec.path) or repr(spec),
             "source": _digest_file(str(source_path)) if source_path else None, "options": options.to_json(),
             "datasets": read_bundle(datasets_dir).digest if datasets_dir else None}
    return json.dumps(parts, sort_keys=True)


def job_key(base: str, data: bytes) -> str:
    """One submission's key: the batch's ``base_key`` and the submitted file's bytes."""
    return hashlib.sha256(base.encode() + hashlib.sha256(data).digest()).hexdigest()


def _digest_file(path: str | None) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None
    except OSError:
        return None


def finish(job: Job, execution: Execution, spec: Spec, out: Path) -> RunResult:
    """Write the executed notebook, grade it, cache the run."""
    executed = None
    if execution.notebook is not None:
        nb = json.loads(execution.notebook)
        meta = nb.setdefault("metadata", {}).setdefault("autograder", {})
        meta["run"] = {"status": execution.status, "tests": list(_expected(job)),
                       "hidden_tests": job.restoration.to_json(), "source_file": job.file}
        job.executed.parent.mkdir(parents=True, exist_ok=True)
        write_json(job.executed, nb, indent=1)
        write_record(out, job.executed, execution.status, nb, _expected(job), execution.verified)
        executed = str(job.executed)
    entry = {"version": VERSION, "key": job.key, "file": job.file, "status": execution.status,
             "message": execution.message, "message_en": execution.message_en, "cell": execution.cell,
             "executed": executed, "hidden_tests": job.restoration.to_json(), "seconds": dict(execution.seconds),
             "containment": dict(execution.containment), "log": execution.log,
             "dropped_output": execution.dropped_output, "device": dict(execution.device),
             "verified": dict(execution.verified) if execution.verified is not None else None, **_note(job)}
    write_json(out / "cache" / f"{job.key}.json", entry)
    return result(job.file, entry, spec, cached=False)


def cached(job: Job, spec: Spec, out: Path) -> RunResult | None:
    """The cached run of ``job``, graded again; None when there is none that still holds."""
    path = out / "cache" / f"{job.key}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("version") != VERSION or entry.get("key") != job.key:
        return None
    if entry.get("executed") and not Path(entry["executed"]).is_file():
        return None
    return result(job.file, entry, spec, cached=True)


def result(file: str, entry: Mapping[str, Any], spec: Spec, cached: bool) -> RunResult:
    """A cache entry as a ``RunResult``: the executed notebook graded, or an error entry when there is none."""
    executed = entry.get("executed")
    if executed:
        graded = replace(grade_notebook(executed, spec), file=file, student_id=student_id_of(file))
    else:
        graded = SubmissionResult(file=file, student_id=student_id_of(file), status="error", score=0.0,
                                  max_score=spec.total_points, error=entry["message"], error_en=entry["message_en"],
                                  error_code="not_executed")
    return RunResult(file, entry["status"], entry["message"], entry["message_en"], graded, executed, entry.get("cell"),
                     entry.get("hidden_tests", {}), entry.get("seconds", {}), entry.get("containment", {}), cached,
                     int(entry.get("dropped_output") or 0), entry.get("note"), entry.get("note_en"), entry.get("device") or {},
                     entry.get("verified"))


def from_release(job: Job) -> bool:
    """The submission was made from the release: at least one of the course's test cells was found in it.
    One with none (a notebook written from scratch) is graded by the static checks on its executed outputs."""
    r = job.restoration
    return r.source is None or bool(r.by_id or r.by_content)


def _expected(job: Job) -> tuple[str, ...]:
    return job.restoration.expected if from_release(job) else ()


def _note(job: Job) -> dict[str, str]:
    if from_release(job):
        return {}
    return {"note": "配布したノートブックのテストのセルが一つもないため、隠しテストは実行せず、実行後の出力を通常のチェックで採点しました。"
                    "配布版から作られていない提出です。確認してください。",
            "note_en": "none of the released test cells is in this notebook, so no hidden test was run: its executed outputs "
                       "were graded by the static checks. It was not made from the release; please review it."}


def write_record(out: Path, executed: Path, status: str, nb: Mapping[str, Any], expected: Sequence[str],
                 verified: Mapping[str, Any] | None = None) -> None:
    """``OUT/records/<sha256>.json``: the run's own record that it executed exactly these bytes
    (``autograder.read.runrecord``), with each restored test cell's points as the course source gives them (none
    when not made from the release) and the clean process's verification of the trained model (``verified``)."""
    points: dict[str, Any] = dict.fromkeys(expected, 0.0)
    for cell in nb.get("cells") or []:
        meta = nbgrader_meta(cell)
        if meta.get("grade_id") in points:
            points[meta["grade_id"]] = meta.get("points", 0)
    doc = record_json(executed.read_bytes(), status, points)
    if verified is not None:
        doc["verified"] = dict(verified)
    (out / RECORDS).mkdir(parents=True, exist_ok=True)
    write_json(record_path(out, doc["sha256"]), doc)


def write_json(path: Path, doc: Any, indent: int | None = 2) -> None:
    """Write ``doc`` as UTF-8 JSON, atomically (a temporary file beside it, then renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=indent) + "\n", encoding="utf-8")
    os.replace(tmp, path)
