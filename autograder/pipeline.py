"""The static pipeline, the IO edge of grading: files → read → judge → ``SubmissionResult``/``Report``. Never executes.

One entry per input file, whatever the file holds; a bad file is an ``error`` entry, never a stopped batch.
Imports reading and judging (standard library only); never the course, re-execution or the CLI, nor
TensorFlow, Keras, nbclient or nbconvert.
"""
from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from autograder.errors import NotebookError, raise_internal_errors
from autograder.judge.grade import grade_evidence
from autograder.judge.policy import apply_release
from autograder.judge.spec import load_spec
from autograder.model.evidence import Evidence
from autograder.model.results import Inspection, Report, SubmissionResult
from autograder.model.spec import Spec
from autograder.present.progress import progress_bar
from autograder.read.extract import extract
from autograder.read.names import parse_submission_name
from autograder.read.notebook import Notebook, display_name, load_notebook
from autograder.read.runrecord import run_record
from autograder.read.tests import test_record

# ------------------------------------------------------------------ one notebook

def student_id_of(path: str | os.PathLike[str]) -> str | None:
    parsed = parse_submission_name(path)
    if parsed:
        return parsed.student_id
    parts = Path(path).parts  # nbgrader layout: submitted/<student_id>/<assignment>/<notebook>.ipynb
    if len(parts) >= 4 and parts[-4] in ("submitted", "autograded"):
        return parts[-3]
    return None


def grade_notebook(path: str | os.PathLike[str], spec: Spec | str) -> SubmissionResult:
    """Grade one file. Never raises for a bad file: it becomes a result with status ``error``."""
    spec = load_spec(spec) if isinstance(spec, str) else spec
    file = display_name(path)  # printable: a cp932 file name would stop a UTF-8 report
    sid = student_id_of(path)
    try:
        nb = load_notebook(path)
        return grade_evidence(file, with_run_record(path, nb, extract(nb)), spec, sid)
    except NotebookError as exc:
        return error_result(file, sid, spec, exc)
    except Exception as exc:  # a bug of ours on this one file: its error entry, and the batch goes on
        if raise_internal_errors():
            raise
        return error_result(file, sid, spec, internal_error(file, exc))


def internal_error(file: str, exc: BaseException) -> NotebookError:
    """The error entry of a file that the grader itself failed on (a bug, not the student's fault): it says so and
    asks for a report with the file. ``AUTOGRADER_RAISE_INTERNAL_ERRORS=1`` (the test suite) raises instead."""
    kind = type(exc).__name__
    return NotebookError("internal_error",
                         f"{file}: 採点プログラムの不具合で、このファイルを採点できませんでした（{kind}）。"
                         "提出した人のせいではありません。このファイルを添えて報告してください（学生の方は担当教員に知らせてください）。",
                         f"{file}: a bug in the grader stopped it from grading this file ({kind}); this is not the "
                         "student's fault. Please report it with this file (students: tell your instructor).")


def with_run_record(path: str | os.PathLike[str], nb: Notebook, evidence: Evidence) -> Evidence:
    """The evidence with its test cells trusted only when ``autograder run``'s own record names this file's
    bytes (``autograder.read.runrecord``); the notebook's metadata never says so."""
    record = run_record(path)
    return evidence if record is None else replace(evidence, tests=test_record(nb, record), verified=record.verified)


def error_result(file: str, sid: str | None, spec: Spec, exc: NotebookError) -> SubmissionResult:
    return SubmissionResult(file=file, student_id=sid, status="error", score=0.0, max_score=spec.total_points,
                            error=exc.message("ja"), error_en=exc.message("en"), error_code=exc.code)


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
    """One file of a batch, graded as ``grade_notebook`` does, then slimmed of what only the checks and integrity rules
    read, which have run: ``Evidence.outputs`` (the cleaned text of every output, ≈ 12 KB a notebook), each cell
    record's identifier set (``CellRecord.names``) and the lines traced in each figure (``Figure.lines``). What
    comes after a batch (the report, collusion detection, the release comparison, feedback pages) reads none. The
    same function serves one job and the workers, so a batch's results do not depend on ``--jobs``."""
    result = grade_notebook(*args)
    ev = result.evidence
    if ev is None:
        return result
    cells = tuple(replace(r, names=frozenset()) if r.names else r for r in ev.fingerprints.cells)
    figures = tuple(replace(f, lines=()) if f.lines else f for f in ev.figures)
    return replace(result, evidence=replace(ev, outputs=(), fingerprints=replace(ev.fingerprints, cells=cells),
                                            figures=figures))


def grade_paths(paths: Sequence[str], spec: Spec, jobs: int = 1, progress: bool = False, collusion: bool = True,
                template: Sequence[Evidence] = ()) -> Report:
    """Grade every file; then, unless ``collusion`` is False, flag groups of submissions that share a training run
    or Colab identifiers (``autograder.collusion``; ``template``: evidence of the released notebooks, whose
    identifiers never count and whose locked cells are compared with each submission: ``apply_release``)."""
    files = expand_paths(paths)
    results = list(progress_bar(_map(files, spec, jobs), len(files), progress and len(files) > 1))
    if template:  # the release the instructor gave: its locked cells (GPU check, data loading) compared by content
        results = [apply_release(r, template) for r in results]
    if collusion:
        from autograder.judge.collusion import detect_collusion  # lazy: `check` grades one file (cold start, 23 ms)

        results = detect_collusion(results, template=template)
    return Report(assignment=spec.id, submissions=tuple(results))


def _map(files: list[str], spec: Spec, jobs: int) -> Iterator[SubmissionResult]:
    if jobs <= 1 or len(files) < 4:
        for f in files:
            yield _grade_for_pool((f, spec))
        return
    from concurrent.futures import ProcessPoolExecutor  # lazy: `check` never needs worker processes (cold start)
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            for result in pool.map(_grade_for_pool, [(f, spec) for f in files],
                                   chunksize=max(1, len(files) // (jobs * 8))):
                yield result
                done += 1
    except BrokenProcessPool:  # a worker died (killed, out of memory, a crash in a library): which file is unknown
        yield from _one_by_one(files[done:], spec)


def _one_by_one(files: list[str], spec: Spec) -> Iterator[SubmissionResult]:
    """Grade the files left after a worker died, each in turn in one worker process (a new one after each death),
    so that the file that kills a worker gets its own error entry and every other file is graded."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    pool = None
    try:
        for f in files:
            pool = pool or ProcessPoolExecutor(max_workers=1)
            try:
                yield pool.submit(_grade_for_pool, (f, spec)).result()
            except BrokenProcessPool:
                pool.shutdown(wait=False)
                pool = None
                yield error_result(display_name(f), student_id_of(f), spec, worker_died(display_name(f)))
    finally:
        if pool is not None:
            pool.shutdown()


def worker_died(file: str) -> NotebookError:
    """The error entry of a file whose grading process died (killed, out of memory, a crash inside a library)."""
    return NotebookError("worker_died",
                         f"{file}: このファイルの採点中に採点プロセスが止まりました（メモリ不足などで強制終了）。"
                         "ほかのファイルは採点しました。ファイルが壊れていないか確かめ、このファイルだけ --jobs 1 で"
                         "採点し直すか、ファイルを添えて報告してください。",
                         f"{file}: the process grading this file died (killed, e.g. out of memory). The other files "
                         "were graded. Check that the file is intact, grade it alone with --jobs 1, or report it "
                         "with the file.")


# ------------------------------------------------------------------ inspect

def inspect_file(path: str) -> Inspection:
    name = display_name(path)  # a cp932 file name from a Windows zip must not crash the output
    try:
        return Inspection(name, extract(load_notebook(path)))
    except NotebookError as exc:
        return Inspection(name, None, exc)
    except Exception as exc:  # a bug of ours: this file's entry says so, the other files are still listed
        if raise_internal_errors():
            raise
        return Inspection(name, None, internal_error(name, exc))
