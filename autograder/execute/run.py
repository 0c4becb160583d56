"""A batch of ``autograder run``: prepare, execute on threads or a Dask cluster, write, grade, cache; never imports cli.

One submission: read → put back the hidden tests from the course source (``prepare``) → clear its outputs →
execute it in a fresh kernel inside a scratch run folder (``worker``, ``sandbox``) → write the executed
notebook under the output folder → ``grade_notebook`` on it, as on any notebook (``cache``). A failure (time
limit, memory cap, dead kernel, traceback) is that submission's ``run.status``; its partial outputs are kept
and graded.

A batch runs on local worker threads (each kernel is a process of its own) or on a Dask cluster (``cluster=``):
workers only execute (a ``Task`` in, an ``Execution`` out, nothing but the datasets read from their disk);
this process prepares, writes, grades and caches, so both give the same results. Finished submissions are
cached under ``OUT/cache/`` by (file, spec, course source, options) and not run again unless ``force``.

This module is also the stable import path of what it held before the split (``__all__``): names of ``values``,
``prepare``, ``worker``, ``status``, ``cache`` and ``datasets``. Imports distributed only
for ``cluster=``; nbclient and jupyter_client only where a kernel starts; never TensorFlow.
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.errors import RunError
from autograder.execute.cache import VERSION, base_key, finish, write_json
from autograder.execute.cache import cached as cached_result
from autograder.execute.datasets import DatasetBundle, read_bundle
from autograder.execute.defaults import DEFAULT_MAX_FILE_MB, DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT_CELL
from autograder.execute.kernel_run import error_from_reply
from autograder.execute.prepare import find_source, prepare, prepare_one
from autograder.execute.status import final_status
from autograder.execute.values import DEFAULT_OPTIONS, STATUSES, STOPPED, Execution, Job, Options, RunReport, RunResult, Task
from autograder.execute.worker import ENV_KEEP, ENV_KEEP_PREFIXES, containment, execute_task, scrubbed_env
from autograder.model.spec import Spec
from autograder.pipeline import expand_paths
from autograder.present.progress import progress_bar
from autograder.read.notebook import read_raw

# What this module held before it was split, importable from here as before.
__all__ = [
    "DEFAULT_MAX_FILE_MB", "DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT", "DEFAULT_TIMEOUT_CELL", "ENV_KEEP",
    "ENV_KEEP_PREFIXES", "STATUSES", "STATUS_LABELS", "STOPPED", "VERSION", "DatasetBundle", "Execution", "Options",
    "RunReport", "RunResult", "Task", "containment", "execute_task", "find_source", "prepare", "read_bundle",
    "run_paths", "scrubbed_env", "summary",
]
# Its private names that the tests use.
_Job = Job
_prepare_one = prepare_one
_base_key = base_key
_final_status = final_status
_error_from_reply = error_from_reply


# ------------------------------------------------------------------ a batch (this process)

def run_paths(paths: Sequence[str], spec: Spec, out: str | os.PathLike[str], options: Options = DEFAULT_OPTIONS,
              jobs: int | None = None, datasets: str | os.PathLike[str] | None = None,
              course: str | os.PathLike[str] | None = None, cluster: Any = None, force: bool = False,
              progress: bool = False) -> RunReport:
    """Execute and grade every file of ``paths`` (files, folders, globs); write ``OUT/report.json``.

    ``jobs``: local worker processes (None: one per core). ``cluster``: a Dask scheduler address or a
    ``distributed.Client`` — then the cluster's workers execute instead. ``force``: run again what the cache
    under ``OUT/cache`` already holds.
    """
    out = Path(out)
    (out / "cache").mkdir(parents=True, exist_ok=True)
    files = expand_paths(paths)
    source_path = find_source(spec.id, course)
    if course is not None and source_path is None:
        raise RunError(f"{course}: source/{spec.id}/{spec.id}.ipynb がありません / no course source for {spec.id} there")
    source = read_raw(source_path) if source_path else None
    datasets_dir = str(Path(datasets).resolve()) if datasets is not None else None
    if datasets_dir is not None and not Path(datasets_dir).is_dir():
        raise RunError(f"{datasets}: データセットのフォルダがありません / no such datasets folder")
    base = base_key(spec, source_path, options, datasets_dir)
    names = _executed_names(files)
    results: dict[str, RunResult] = {}
    todo: list[Job] = []
    for file in files:
        prepared = prepare_one(file, spec, source, source_path, options, datasets_dir, base, out / "executed" / names[file])
        if isinstance(prepared, RunResult):
            results[file] = prepared
            continue
        cached = None if force else cached_result(prepared, spec, out)
        if cached is not None:
            results[file] = cached
        else:
            todo.append(prepared)
    skipped = len(files) - len(todo)
    done = progress_bar(_executions(todo, jobs, cluster, datasets_dir), len(todo), progress, "実行中",
                        f"（実行済み {skipped} 件は省略）" if skipped else "")
    for job, execution in done:
        results[job.file] = finish(job, execution, spec, out)
    ordered = tuple(results[f] for f in files)
    kinds = [r.containment for r in ordered if r.containment]
    report = RunReport(spec.id, ordered, str(out), kinds[0] if kinds else {})
    write_json(out / "report.json", report.to_json())
    return report


def _executed_names(files: Sequence[str]) -> dict[str, str]:
    """Each input's path below OUT/executed: its path relative to the inputs' common folder (nbgrader's
    ``submitted/<student>/<assignment>/<name>.ipynb`` keep their student folders)."""
    absolute = {f: Path(f).resolve() for f in files}
    try:
        common = Path(os.path.commonpath([str(p.parent) for p in absolute.values()])) if absolute else Path(".")
    except ValueError:  # different drives
        common = None
    names = {}
    for f, p in absolute.items():
        rel = p.relative_to(common) if common is not None else Path(p.name)
        names[f] = str(rel.with_suffix(".ipynb")) if rel.suffix.lower() != ".ipynb" else str(rel)
    return names


def _executions(todo: list[Job], jobs: int | None, cluster: Any, datasets_dir: str | None) -> Iterator[tuple[Job, Execution]]:
    if not todo:
        return
    if cluster is not None:
        yield from _on_cluster(todo, cluster, datasets_dir)
        return
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(todo) == 1:
        for job in todo:
            yield job, execute_task(job.task)
        return
    containment(todo[0].task.options.isolate)  # probe once, before the threads start
    # Threads, not processes: each kernel is its own process; a worker only waits on its messages.
    with ThreadPoolExecutor(max_workers=min(jobs, len(todo)), thread_name_prefix="autograder-run") as pool:
        futures = {pool.submit(execute_task, job.task): job for job in todo}
        for future in as_completed(futures):
            yield futures[future], _result_or_failure(future)


def _result_or_failure(future: Any) -> Execution:
    try:
        return future.result()
    except Exception as exc:  # noqa: BLE001 - a lost worker is this submission's failure
        return Execution("setup_failed", f"ワーカーが失敗しました（{type(exc).__name__}: {exc}）。",
                         f"the worker failed ({type(exc).__name__}: {exc}).")


def _on_cluster(todo: list[Job], cluster: Any, datasets_dir: str | None) -> Iterator[tuple[Job, Execution]]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise RunError("--cluster には dask が必要です: pip install 'kadai-autograder[cluster]' / "
                       "--cluster needs dask: pip install 'kadai-autograder[cluster]'") from None

    client = cluster if isinstance(cluster, Client) else Client(cluster)
    try:
        bundle = None
        if datasets_dir is not None:
            bundle = client.scatter(read_bundle(datasets_dir), broadcast=True)
        tasks = [replace(job.task, datasets=None) for job in todo]
        resources = {"GPU": 1} if todo[0].task.options.gpu else None  # workers started with --resources GPU=1
        futures = [client.submit(execute_task, task, bundle, key=f"autograder-run-{job.key[:24]}", pure=False, resources=resources)
                   for job, task in zip(todo, tasks, strict=True)]
        by_future = dict(zip(futures, todo, strict=True))
        for future in dask_completed(futures):
            yield by_future[future], _result_or_failure(future)
    finally:
        if client is not cluster:
            client.close()


# ------------------------------------------------------------------ texts

STATUS_LABELS = {"ok": ("完了", "ok"), "error": ("エラー", "error"), "timeout": ("時間切れ", "timeout"),
                 "memory": ("メモリ超過", "memory"), "dead": ("カーネル停止", "dead"),
                 "setup_failed": ("起動失敗", "setup failed"), "not_run": ("未実行", "not run")}


def summary(report: RunReport, lang: str = "ja") -> str:
    """A few lines after the grade table: counts by run status, every run that did not end ``ok``, containment."""
    en = lang == "en"
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.status] = counts.get(r.status, 0) + 1
    cached = sum(r.cached for r in report.results)
    parts = [f"{STATUS_LABELS[s][1 if en else 0]} {n}" for s, n in counts.items()]
    lines = [("run: " if en else "実行: ") + ", ".join(parts) + (f" ({cached} from cache)" if en and cached else
                                                                 f"（{cached} 件はキャッシュ）" if cached else "")]
    for r in report.results:
        if r.status != "ok":
            lines.append(f"  {r.file}: {STATUS_LABELS[r.status][1 if en else 0]} — {r.message_en if en else r.message}")
        if r.note:
            lines.append(f"  {r.file}: {r.note_en if en else r.note}")
        if r.dropped_output:
            lines.append(f"  {r.file}: " + (f"{r.dropped_output:,} bytes of output over the cap were not kept" if en else
                                            f"上限を超えた出力 {r.dropped_output:,} バイトは保存していません"))
        missing = r.hidden_tests.get("missing") if r.hidden_tests else None
        if missing and not r.note:
            lines.append(f"  {r.file}: " + (f"hidden tests not restored: {', '.join(missing)}" if en else
                                            f"隠しテストを戻せませんでした: {', '.join(missing)}"))
        v = r.verified
        if v is not None and v.get("status") != "ok":
            why = v.get("reason")
            ja = f"学習したモデルを検証できませんでした（{why}）: パラメータ数と正解率の点はありません"
            lines.append(f"  {r.file}: " + (f"trained model not verified ({why}): no points for parameters or test accuracy"
                                            if en else ja))
        if r.hidden_tests and not r.hidden_tests.get("source") and r.status != "not_run":
            lines.append(f"  {r.file}: " + ("no course source found: hidden tests not run" if en else
                                            "課題のソースが見つからないため隠しテストは実行していません"))
    c = report.containment
    if c:
        if c.get("isolated"):
            what = "network, filesystem, processes isolated; user " + str(c.get("user")) if en else \
                f"ネットワーク・ファイル・プロセスを隔離、ユーザー {c.get('user')}"
        else:
            what = f"not isolated ({c.get('reason')})" if en else f"隔離なし（{c.get('reason')}）"
        lines.append(("containment: " if en else "隔離: ") + what + f"; memory {c.get('memory')}")
    lines.append(("executed notebooks and report: " if en else "実行したノートブックとレポート: ") + report.out)
    return "\n".join(lines)
