"""Re-execute submissions in contained kernels, then grade what they printed with the static pipeline.

One submission: read → put back the hidden tests from the course source (``nbtests``) → clear its outputs →
execute it in a fresh kernel inside a scratch run folder (``sandbox``) → write the executed notebook under
the output folder → ``grade_notebook`` on it, as on any notebook. A failure (time limit, memory cap, dead
kernel, traceback) is that submission's ``run.status``; its partial outputs are kept and graded.

A batch runs on local worker threads (each kernel is a process of its own) or on a Dask cluster (``cluster=``): workers only execute (a
``Task`` in, an ``Execution`` out, nothing but the datasets read from their disk); this process prepares,
writes, grades and caches, so both give the same results. Finished submissions are cached under
``OUT/cache/`` by (file, spec, course source, options) and not run again unless ``force``.

Imports nbclient and jupyter_client only where a kernel starts, distributed only for ``cluster=``; never
TensorFlow.
"""
from __future__ import annotations

import atexit
import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.course.hidden_tests import Restoration, restore_hidden_tests
from autograder.errors import NotebookError, RunError
from autograder.execute import sandbox
from autograder.model.results import Report, SubmissionResult
from autograder.model.spec import Spec
from autograder.pipeline import expand_paths, grade_notebook, student_id_of
from autograder.present.progress import progress_bar
from autograder.read.notebook import read_raw

VERSION = 1  # bump when a change here makes old cached runs wrong
STATUSES = ("ok", "error", "timeout", "memory", "dead", "setup_failed", "not_run")
STOPPED = ("timeout", "dead", "setup_failed")  # execution stopped before the last cell

DEFAULT_TIMEOUT_CELL = 1200.0
DEFAULT_TIMEOUT = 3600.0
DEFAULT_MEMORY_MB = 8192  # RLIMIT_AS of the kernel: TensorFlow on CPU maps ~2.5 GB of address space; 0 = no cap
DEFAULT_MAX_FILE_MB = 1024

# Environment variables a kernel keeps (values from the grader's environment); everything else is dropped.
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LC_NUMERIC", "TZ", "LD_LIBRARY_PATH",
            "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT",  # Windows needs these to start Python at all
            "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "XLA_FLAGS", "KERAS_BACKEND",
            "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "TF_FORCE_GPU_ALLOW_GROWTH", "TF_DETERMINISTIC_OPS",
            "TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_XLA_FLAGS")
ENV_KEEP_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_")


# ------------------------------------------------------------------ values



@dataclass(frozen=True)
class Options:
    """How each notebook is run. Part of the cache key."""

    timeout_cell: float = DEFAULT_TIMEOUT_CELL  # seconds for one cell
    timeout: float = DEFAULT_TIMEOUT  # seconds for the whole notebook
    memory_mb: int = DEFAULT_MEMORY_MB  # RLIMIT_AS of the kernel; 0: no cap
    max_file_mb: int = DEFAULT_MAX_FILE_MB  # RLIMIT_FSIZE: the largest file the notebook may write
    isolate: bool = True  # namespaces where the machine allows them (benchmarks compare with False)
    kernel_name: str = "python3"
    startup_timeout: float = 60.0

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class DatasetBundle:
    """The ``.npz`` files of a datasets folder, sent to cluster workers that do not share this disk."""

    digest: str
    files: Mapping[str, bytes]


@dataclass(frozen=True)
class Task:
    """What a worker needs to run one notebook; nothing refers to this machine's files but ``datasets``."""

    name: str  # the submission's file name: its scratch copy has it
    notebook: str  # nbformat-4 JSON to execute: hidden tests restored, outputs cleared
    original: bytes  # the file as submitted: the scratch copy
    options: Options = Options()
    datasets: str | None = None  # a folder on the worker (None: no datasets, or a DatasetBundle passed along)


@dataclass(frozen=True)
class Execution:
    """What a worker sends back."""

    status: str
    message: str
    message_en: str
    notebook: str | None = None  # the executed notebook (JSON), partial outputs included
    cell: int | None = None  # the cell where execution stopped or first failed
    seconds: Mapping[str, float] = field(default_factory=dict)
    containment: Mapping[str, Any] = field(default_factory=dict)
    log: str = ""  # the end of the kernel's stderr, when it died or did not start


@dataclass(frozen=True)
class RunResult:
    file: str
    status: str
    message: str
    message_en: str
    submission: SubmissionResult
    executed: str | None = None
    cell: int | None = None
    hidden_tests: Mapping[str, Any] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict)
    containment: Mapping[str, Any] = field(default_factory=dict)
    cached: bool = False

    def run_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"status": self.status, "message": self.message_en if lang == "en" else self.message,
                "cell": self.cell, "executed": self.executed, "hidden_tests": dict(self.hidden_tests),
                "seconds": dict(self.seconds), "containment": dict(self.containment), "cached": self.cached}

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {**self.submission.to_json(lang), "run": self.run_json(lang)}


@dataclass(frozen=True)
class RunReport:
    assignment: str
    results: tuple[RunResult, ...]
    out: str = ""
    containment: Mapping[str, Any] = field(default_factory=dict)

    @property
    def report(self) -> Report:
        """The grade report of the executed notebooks (the contract of ``autograder grade``)."""
        return Report(assignment=self.assignment, submissions=tuple(r.submission for r in self.results))

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"assignment": self.assignment, "submissions": [r.to_json(lang) for r in self.results]}


# ------------------------------------------------------------------ preparing (this process)

def find_source(assignment: str, course: str | os.PathLike[str] | None = None) -> Path | None:
    """The nbgrader source ``source/<id>/<id>.ipynb``: of ``course`` if given, else of ``./assignments``,
    the current folder (an nbgrader course root) or this repository's ``assignments``."""
    rel = Path("source") / assignment / f"{assignment}.ipynb"
    if course is not None:
        path = Path(course) / rel
        return path if path.is_file() else None
    for root in (Path.cwd() / "assignments", Path.cwd(), Path(__file__).resolve().parents[2] / "assignments"):
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


# ------------------------------------------------------------------ executing (a worker)

_CONTAINMENT: dict[bool, sandbox.Containment] = {}
_LOCK = threading.Lock()
_RUNS_ROOT: list[str] = []


def containment(isolate: bool = True) -> sandbox.Containment:
    """What this machine contains, probed once per process."""
    with _LOCK:
        if isolate not in _CONTAINMENT:
            _CONTAINMENT[isolate] = sandbox.probe() if isolate else sandbox.Containment(
                False, memory=sandbox.memory_limit_kind(), reason="isolation off")
        return _CONTAINMENT[isolate]


def _runs_root() -> str:
    """One folder per process holding every run folder; covered inside each sandbox so runs cannot see each other."""
    with _LOCK:
        if not _RUNS_ROOT:
            root = tempfile.mkdtemp(prefix="autograder-run-")
            os.chmod(root, 0o711)
            _RUNS_ROOT.append(root)
            atexit.register(shutil.rmtree, root, True)
        return _RUNS_ROOT[0]


def scrubbed_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The grader's environment reduced to ``ENV_KEEP`` (no credentials, no home, no proxies, no tokens)."""
    base = os.environ if base is None else base
    return {k: v for k, v in base.items() if k in ENV_KEEP or k.startswith(ENV_KEEP_PREFIXES)}


def _materialize(bundle: DatasetBundle) -> str:
    folder = Path(tempfile.gettempdir()) / f"autograder-datasets-{bundle.digest[:16]}"
    if not folder.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="autograder-datasets-"))
        for name, data in bundle.files.items():
            (staging / name).write_bytes(data)
        os.chmod(staging, 0o755)
        try:
            os.rename(staging, folder)
            atexit.register(shutil.rmtree, folder, True)  # the worker that wrote it removes it when it ends
        except OSError:  # another worker was first
            shutil.rmtree(staging, ignore_errors=True)
    return str(folder)


def execute_task(task: Task, datasets: DatasetBundle | None = None) -> Execution:
    """Run one prepared notebook in a fresh, contained kernel. Never raises: every failure is an ``Execution``."""
    try:
        return _in_own_loop(_execute, task, _materialize(datasets) if datasets is not None else task.datasets)
    except Exception as exc:  # noqa: BLE001 - a failure of ours is this submission's result, not a stopped batch
        return Execution("setup_failed", f"カーネルを準備できませんでした（{type(exc).__name__}: {exc}）。",
                         f"could not prepare a kernel ({type(exc).__name__}: {exc}).")


def _in_own_loop(fn: Callable[..., Execution], *args: Any) -> Execution:
    """Call ``fn`` in a new thread with a new event loop, closed afterwards. nbclient runs its coroutines on the
    calling thread's loop, and a caller's thread may already have one that is running (a Dask worker's)."""
    import asyncio

    box: dict[str, Any] = {}

    def target() -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    thread = threading.Thread(target=target, name="autograder-kernel", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _execute(task: Task, datasets_dir: str | None) -> Execution:
    t0 = time.perf_counter()
    run = Path(tempfile.mkdtemp(dir=_runs_root()))
    try:
        return _execute_in(run, task, datasets_dir, t0)
    finally:
        shutil.rmtree(run, ignore_errors=True)


def _execute_in(run: Path, task: Task, datasets_dir: str | None, t0: float) -> Execution:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    from autograder.execute.datasets import kernel_env, prepare_ipython_dir

    opts = task.options
    contained = containment(opts.isolate)
    work, conn, ipython, tmp = run / "work", run / "conn", run / "ipython", run / "tmp"
    for d in (work, conn, ipython, tmp):
        d.mkdir()
    (work / Path(task.name).name).write_bytes(task.original)
    env = scrubbed_env()
    env.update(HOME=str(work), USERPROFILE=str(work), TMPDIR=str(tmp), TEMP=str(tmp), TMP=str(tmp), PYTHONHASHSEED="0",
               PYTHONDONTWRITEBYTECODE="1")  # no MPLBACKEND: ipykernel's inline backend makes figures outputs
    env.update(_user_site_env())
    if datasets_dir is not None:
        prepare_ipython_dir(ipython)
        env = kernel_env(datasets_dir, ipython, base=env)
    else:
        env["IPYTHONDIR"] = str(ipython)
    memory = opts.memory_mb * 1024 * 1024 if opts.memory_mb else None
    max_file = opts.max_file_mb * 1024 * 1024 if opts.max_file_mb else None
    uid, gid = sandbox.run_as(contained.isolated)
    sandbox.hand_over(str(run), uid, gid)
    km = _kernel_manager(run, contained, opts, memory, max_file, uid, gid, datasets_dir)
    nb = nbformat.reads(task.notebook, as_version=4)
    client = NotebookClient(nb, km=km, kernel_name=opts.kernel_name, allow_errors=True, interrupt_on_timeout=False,
                            startup_timeout=int(opts.startup_timeout), shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(work)}})
    current: list[float | None] = [None]  # this cell's limit (nbclient's ``timeout`` trait takes whole seconds only)
    client.timeout_func = lambda _cell: current[0]
    replies: dict[int, Any] = {}
    client.on_cell_executed = lambda cell, cell_index, execute_reply: replies.__setitem__(cell_index, execute_reply)
    log_path = run / "kernel.log"
    status, cell_at, limit_hit, started = "ok", None, None, False
    t_start = t_ready = t_cells = time.perf_counter()
    log = open(log_path, "wb")
    try:
        kwargs: dict[str, Any] = {"env": env, "stdout": log, "stderr": log, "cleanup_kc": True}
        t_start = time.perf_counter()
        try:
            with client.setup_kernel(**kwargs):
                reply = client.wait_for_reply(client.kc.kernel_info())
                if reply and "language_info" in reply.get("content", {}):
                    nb.metadata["language_info"] = reply["content"]["language_info"]
                t_ready = time.perf_counter()
                started = True
                deadline = t_ready + opts.timeout if opts.timeout else float("inf")  # 0: no limit
                for index, cell in enumerate(nb.cells):
                    if cell.cell_type != "code":
                        continue
                    cell_at = index
                    remaining = deadline - time.perf_counter()
                    if remaining <= 0:
                        status, limit_hit = "timeout", "notebook"
                        _stop_output(cell, "notebook", opts)
                        break
                    by_cell = bool(opts.timeout_cell) and opts.timeout_cell <= remaining
                    limit_hit = "cell" if by_cell else "notebook"
                    limit = opts.timeout_cell if by_cell else remaining
                    current[0] = max(0.01, limit) if limit != float("inf") else None
                    try:
                        client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                        _error_from_reply(cell, replies.get(index))
                    except CellTimeoutError:
                        status = "timeout"
                        _stop_output(cell, limit_hit, opts)
                        break
                    except DeadKernelError:
                        status = "dead"
                        _stop_output(cell, "dead", opts)
                        break
                t_cells = time.perf_counter()
        except (DeadKernelError, RuntimeError, TimeoutError) as exc:  # died, or never answered
            if started:
                status = "dead"
            else:
                status, limit_hit = "setup_failed", f"{type(exc).__name__}: {exc}"
    finally:
        if t_cells < t_ready:
            t_cells = time.perf_counter()
        _kill(km)
        log.close()
        tail = _tail(log_path)
        exit_code = _exit_code(km)
    t_end = time.perf_counter()
    seconds = {"setup": round(t_start - t0, 4), "kernel_start": round(t_ready - t_start, 4),
               "cells": round(t_cells - t_ready, 4), "teardown": round(t_end - t_cells, 4), "total": round(t_end - t0, 4)}
    status, cell_at, ename = _final_status(nb, status, cell_at, tail, exit_code)
    if status == "error":
        limit_hit = ename
    message, message_en = _status_message(status, cell_at, limit_hit, opts, exit_code)
    nb.metadata.setdefault("autograder", {})["executed_with_datasets"] = datasets_dir is not None
    return Execution(status, message, message_en, nbformat.writes(nb), cell_at, seconds, contained.to_json(),
                     tail if status in ("dead", "setup_failed", "memory") else "")


def _user_site_env() -> dict[str, str]:
    """With ``HOME`` moved, Python would look for user packages in the scratch folder: point it back."""
    import site

    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and user_site in sys.path and os.path.isdir(user_site):
        return {"PYTHONUSERBASE": site.getuserbase()}
    return {}


def _kernel_manager(run: Path, contained: sandbox.Containment, opts: Options, memory: int | None,
                    max_file: int | None, uid: int | None, gid: int | None, datasets_dir: str | None) -> Any:
    from jupyter_client.manager import AsyncKernelManager  # nbclient's loop needs the asynchronous client

    class ContainedKernelManager(AsyncKernelManager):
        """A KernelManager whose kernel command starts inside the sandbox and talks over Unix sockets."""

        prefix: list[str] = []

        def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
            return [*self.prefix, *super().format_kernel_cmd(extra_arguments)]

        def write_connection_file(self, **kwargs: Any) -> Any:
            written = super().write_connection_file(**kwargs)
            if uid is not None:
                os.chown(self.connection_file, uid, gid if gid is not None else -1)
            return written

    deadline = (opts.timeout or 24 * 3600) + opts.startup_timeout + 60
    if not contained.isolated:  # limits and watchdog only (POSIX), over TCP on the loopback
        km = ContainedKernelManager(kernel_name=opts.kernel_name)
        km.connection_file = str(run / "conn" / "kernel.json")
        if sandbox.can_wrap():
            config = sandbox.Config(writable=(str(run),), cwd=str(run / "work"), memory=memory, max_file=max_file,
                                    deadline=deadline, namespaces=False)
            km.prefix = sandbox.launch_prefix(config)
        return km
    km = ContainedKernelManager(kernel_name=opts.kernel_name, transport="ipc", ip=str(run / "conn" / "k"))
    km.connection_file = str(run / "conn" / "kernel.json")
    keep = sandbox.python_paths([str(Path(__file__).resolve().parents[2]), *([datasets_dir] if datasets_dir else [])])
    hide = sandbox.hidden_roots(_runs_root())
    if uid is not None:  # as nobody: folders it could not enter on the way to what it must read
        hide = (*hide, *sandbox.closed_ancestors([*keep, str(run)]))
    config = sandbox.Config(writable=(str(run),), hide=hide, keep=keep, cwd=str(run / "work"), memory=memory,
                            max_file=max_file, uid=uid, gid=gid, deadline=deadline)
    km.prefix = sandbox.launch_prefix(config, contained.prefix)
    return km


def _kill(km: Any) -> None:
    """Kill the kernel's whole process group (the sandbox's PID 1 with it) and remove its connection files."""
    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - already gone
        pass
    try:
        run_sync(km.cleanup_resources)()
    except Exception:  # noqa: BLE001
        pass


def _exit_code(km: Any) -> int | None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    code = process.poll() if process is not None else None
    return code


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        data = path.read_bytes()[-limit:]
    except OSError:
        return ""
    return data.decode("utf-8", "replace")


_MEMORY_SIGNS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "failed to map segment", "out of memory",
                 "OOM when allocating", "ResourceExhaustedError", "failed to allocate")


def _error_from_reply(cell: Any, reply: Any) -> None:
    """A cell whose reply says ``error`` but that shows no error output (IPython could not format the
    exception, e.g. out of memory, and wrote to stderr instead) gets one, so that it counts as failed."""
    content = (reply or {}).get("content", {}) if isinstance(reply, dict) else {}
    if content.get("status") != "error" or any(o.get("output_type") == "error" for o in cell.outputs):
        return
    from nbformat.v4 import new_output

    cell.outputs.append(new_output("error", ename=str(content.get("ename") or "Error"), evalue=str(content.get("evalue") or ""),
                                   traceback=[str(t) for t in content.get("traceback") or []]))


def _memory_error(cell: Any) -> bool:
    """The cell failed for want of memory: a MemoryError, TensorFlow's ResourceExhaustedError, a library that
    could not be mapped, or such a message in what the cell wrote to stderr."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return False
    texts = [f"{o.get('ename')}: {o.get('evalue')}" for o in errors]
    texts += ["".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    return any(sign in text for text in texts for sign in _MEMORY_SIGNS)


def _final_status(nb: Any, status: str, cell_at: int | None, tail: str,
                  exit_code: int | None) -> tuple[str, int | None, str | None]:
    """Stopped runs keep their status (a dead kernel with signs of the memory cap is ``memory``); otherwise
    a ``MemoryError`` anywhere is ``memory``, any other error output ``error``. Also: the first error's name."""
    if status == "dead" and any(sign in tail for sign in _MEMORY_SIGNS):
        return "memory", cell_at, None
    if status in STOPPED:
        return status, cell_at, None
    first: tuple[int, str] | None = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if _memory_error(cell):
            return "memory", index, "MemoryError"
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and first is None:
                first = (index, str(out.get("ename") or "Error"))
    return ("error", first[0], first[1]) if first is not None else ("ok", None, None)


def _stop_output(cell: Any, why: str, opts: Options) -> None:
    """An error output on the cell where execution stopped, so the grade (flag ``error_output``) and a person see it."""
    from nbformat.v4 import new_output

    text = {"cell": (f"autograder: セルの実行が {opts.timeout_cell:g} 秒を超えたので止めました。",
                     f"the cell ran longer than {opts.timeout_cell:g} s and was stopped."),
            "notebook": (f"autograder: ノートブック全体の制限時間 {opts.timeout:g} 秒を超えたので止めました。",
                         f"the notebook ran longer than {opts.timeout:g} s in all and was stopped."),
            "dead": ("autograder: このセルの実行中にカーネルが止まりました。", "the kernel died while running this cell.")}[why]
    ename = "DeadKernelError" if why == "dead" else "CellTimeoutError"
    cell.outputs.append(new_output("error", ename=ename, evalue=f"{text[0]} / {text[1]}", traceback=[f"{ename}: {text[0]}"]))


def _status_message(status: str, cell: int | None, detail: str | None, opts: Options, exit_code: int | None) -> tuple[str, str]:
    where = [f"セル {cell}"] if cell is not None else []
    where_en = [f"cell {cell}"] if cell is not None else []
    if status == "dead" and exit_code is not None:
        where.append(f"終了コード {exit_code}")
        where_en.append(f"exit code {exit_code}")
    at_ja = f"（{'、'.join(where)}）" if where else ""
    at_en = f" ({', '.join(where_en)})" if where_en else ""
    if status == "ok":
        return "すべてのセルをエラーなく実行しました。", "every cell ran without an error."
    if status == "error":
        name_ja = f"（セル {cell}: {detail}）" if cell is not None and detail else at_ja
        name_en = f" (cell {cell}: {detail})" if cell is not None and detail else at_en
        return f"エラーになったセルがあります{name_ja}。", f"a cell raised an error{name_en}."
    if status == "timeout" and detail == "notebook":
        return (f"ノートブック全体の制限時間 {opts.timeout:g} 秒を超えたので止めました{at_ja}。",
                f"stopped: the whole notebook ran longer than {opts.timeout:g} s{at_en}.")
    if status == "timeout":
        return (f"セルの制限時間 {opts.timeout_cell:g} 秒を超えたので止めました{at_ja}。",
                f"stopped: a cell ran longer than {opts.timeout_cell:g} s{at_en}.")
    if status == "memory":
        cap = f"{opts.memory_mb} MB" if opts.memory_mb else "-"
        return (f"メモリの上限（{cap}）を超えました{at_ja}。", f"the memory cap ({cap}) was exceeded{at_en}.")
    if status == "dead":
        return f"カーネルが止まりました{at_ja}。", f"the kernel died{at_en}."
    if status == "setup_failed":
        return (f"カーネルを起動できませんでした（{detail}）。", f"could not start a kernel ({detail}).")
    return "実行していません。", "not run."


# ------------------------------------------------------------------ a batch (this process)

@dataclass(frozen=True)
class _Job:
    file: str
    key: str
    executed: Path
    task: Task
    restoration: Restoration


def run_paths(paths: Sequence[str], spec: Spec, out: str | os.PathLike[str], options: Options = Options(),
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
    base_key = _base_key(spec, source_path, options, datasets_dir)
    names = _executed_names(files)
    results: dict[str, RunResult] = {}
    todo: list[_Job] = []
    for file in files:
        prepared = _prepare_one(file, spec, source, source_path, options, datasets_dir, base_key, out / "executed" / names[file])
        if isinstance(prepared, RunResult):
            results[file] = prepared
            continue
        cached = None if force else _cached(prepared, spec, out)
        if cached is not None:
            results[file] = cached
        else:
            todo.append(prepared)
    skipped = len(files) - len(todo)
    done = progress_bar(_executions(todo, jobs, cluster, datasets_dir), len(todo), progress, "実行中",
                        f"（実行済み {skipped} 件は省略）" if skipped else "")
    for job, execution in done:
        results[job.file] = _finish(job, execution, spec, out)
    ordered = tuple(results[f] for f in files)
    kinds = [r.containment for r in ordered if r.containment]
    report = RunReport(spec.id, ordered, str(out), kinds[0] if kinds else {})
    _write_json(out / "report.json", report.to_json())
    return report


def _prepare_one(file: str, spec: Spec, source: Mapping[str, Any] | None, source_path: Path | None, options: Options,
                 datasets_dir: str | None, base_key: str, executed: Path) -> _Job | RunResult:
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
    key = hashlib.sha256(base_key.encode() + hashlib.sha256(data).digest()).hexdigest()
    task = Task(Path(file).name, json.dumps(nb, ensure_ascii=False), data, options, datasets_dir)
    return _Job(file, key, executed, task, restoration)


def _executions(todo: list[_Job], jobs: int | None, cluster: Any, datasets_dir: str | None) -> Iterator[tuple[_Job, Execution]]:
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


def _on_cluster(todo: list[_Job], cluster: Any, datasets_dir: str | None) -> Iterator[tuple[_Job, Execution]]:
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
        futures = [client.submit(execute_task, task, bundle, key=f"autograder-run-{job.key[:24]}", pure=False)
                   for job, task in zip(todo, tasks)]
        by_future = dict(zip(futures, todo))
        for future in dask_completed(futures):
            yield by_future[future], _result_or_failure(future)
    finally:
        if client is not cluster:
            client.close()


def read_bundle(datasets_dir: str) -> DatasetBundle:
    files = {p.name: p.read_bytes() for p in sorted(Path(datasets_dir).glob("*.npz"))}
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return DatasetBundle(digest.hexdigest(), files)


def _finish(job: _Job, execution: Execution, spec: Spec, out: Path) -> RunResult:
    """Write the executed notebook, grade it, cache the run."""
    executed = None
    if execution.notebook is not None:
        nb = json.loads(execution.notebook)
        meta = nb.setdefault("metadata", {}).setdefault("autograder", {})
        meta["run"] = {"status": execution.status, "tests": list(job.restoration.expected),
                       "hidden_tests": job.restoration.to_json(), "source_file": job.file}
        job.executed.parent.mkdir(parents=True, exist_ok=True)
        _write_json(job.executed, nb, indent=1)
        executed = str(job.executed)
    entry = {"version": VERSION, "key": job.key, "file": job.file, "status": execution.status,
             "message": execution.message, "message_en": execution.message_en, "cell": execution.cell,
             "executed": executed, "hidden_tests": job.restoration.to_json(), "seconds": dict(execution.seconds),
             "containment": dict(execution.containment), "log": execution.log}
    _write_json(out / "cache" / f"{job.key}.json", entry)
    return _result(job.file, entry, spec, cached=False)


def _cached(job: _Job, spec: Spec, out: Path) -> RunResult | None:
    path = out / "cache" / f"{job.key}.json"
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if entry.get("version") != VERSION or entry.get("key") != job.key:
        return None
    if entry.get("executed") and not Path(entry["executed"]).is_file():
        return None
    return _result(job.file, entry, spec, cached=True)


def _result(file: str, entry: Mapping[str, Any], spec: Spec, cached: bool) -> RunResult:
    executed = entry.get("executed")
    if executed:
        graded = replace(grade_notebook(executed, spec), file=file, student_id=student_id_of(file))
    else:
        graded = SubmissionResult(file=file, student_id=student_id_of(file), status="error", score=0.0,
                                  max_score=spec.total_points, error=entry["message"], error_en=entry["message_en"],
                                  error_code="not_executed")
    return RunResult(file, entry["status"], entry["message"], entry["message_en"], graded, executed, entry.get("cell"),
                     entry.get("hidden_tests", {}), entry.get("seconds", {}), entry.get("containment", {}), cached)


def _base_key(spec: Spec, source_path: Path | None, options: Options, datasets_dir: str | None) -> str:
    parts = {"version": VERSION, "spec": _digest_file(spec.path) or repr(spec),
             "source": _digest_file(str(source_path)) if source_path else None, "options": options.to_json(),
             "datasets": read_bundle(datasets_dir).digest if datasets_dir else None}
    return json.dumps(parts, sort_keys=True)


def _digest_file(path: str | None) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest() if path else None
    except OSError:
        return None


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


def _write_json(path: Path, doc: Any, indent: int | None = 2) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=indent) + "\n", encoding="utf-8")
    os.replace(tmp, path)


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
        missing = r.hidden_tests.get("missing") if r.hidden_tests else None
        if missing:
            lines.append(f"  {r.file}: " + (f"hidden tests not restored: {', '.join(missing)}" if en else
                                            f"隠しテストを戻せませんでした: {', '.join(missing)}"))
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
