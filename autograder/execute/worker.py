"""What a worker does: one ``Task`` in a fresh, contained kernel, one ``Execution`` out; never imports cli.

``execute_task`` makes a scratch run folder (the submission's copy, the connection files, an IPython folder, a
temporary folder), a scrubbed environment whose home is that folder, and a kernel manager whose command
starts inside the sandbox (``sandbox.py``: namespaces where this machine allows them, else only limits and a
watchdog); the kernel driver (``kernel_run.run_notebook``) runs the cells; ``status`` says what the outputs
mean. The same function runs on local threads and on Dask workers: it reads nothing of this machine but
the datasets folder, and never raises.

nbformat, nbclient and jupyter_client only inside the functions that run a kernel; never TensorFlow.
"""
from __future__ import annotations

import asyncio
import atexit
import os
import shutil
import site
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from autograder.execute import contain, limits, sandbox, verify
from autograder.execute.datasets import DatasetBundle, kernel_env, materialize, prepare_ipython_dir
from autograder.execute.kernel_run import KernelRun, exit_code, kernel_manager, run_notebook
from autograder.execute.status import final_status, status_message
from autograder.execute.values import Execution, Options, Task

# Environment variables a kernel keeps (values from the grader's environment); everything else is dropped.
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LC_NUMERIC", "TZ", "LD_LIBRARY_PATH",
            "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT",  # Windows needs these to start Python at all
            "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "XLA_FLAGS", "KERAS_BACKEND",
            "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "TF_FORCE_GPU_ALLOW_GROWTH", "TF_DETERMINISTIC_OPS",
            "TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_XLA_FLAGS",
            # thread counts only, so that a shared machine is not oversubscribed; no other OMP_*/MKL_* (they can name
            # files and libraries to load)
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
ENV_KEEP_PREFIXES: tuple[str, ...] = ()  # no wildcards: every name the kernel gets is listed in ENV_KEEP
PACKAGE = Path(__file__).resolve().parents[1]  # the autograder package: the kernel imports it (only it, not the repository)
REPO = PACKAGE.parent
LOG_KEPT = 64 * 1024  # bytes of the kernel's stdout/stderr the grader keeps (the end); the rest is read and dropped

_CONTAINMENT: dict[bool, contain.Containment] = {}
_LOCK = threading.Lock()
_RUNS_ROOT: list[str] = []


def containment(isolate: bool = True) -> contain.Containment:
    """What this machine contains, probed once per process."""
    with _LOCK:
        if isolate not in _CONTAINMENT:
            _CONTAINMENT[isolate] = contain.probe() if isolate else contain.Containment(
                False, memory=contain.memory_limit_kind(), reason="isolation off")
        return _CONTAINMENT[isolate]


def _runs_root() -> str:
    """One folder per process holding every run folder; covered inside each sandbox so runs cannot see each other."""
    with _LOCK:
        if not _RUNS_ROOT:
            base = tempfile.gettempdir()
            if len(base) > 40 and os.path.isdir("/tmp"):  # the kernel's Unix sockets need a path under ~100 bytes
                base = "/tmp"
            root = tempfile.mkdtemp(prefix="autograder-run-", dir=base)
            os.chmod(root, 0o711)
            _RUNS_ROOT.append(root)
            atexit.register(shutil.rmtree, root, True)
        return _RUNS_ROOT[0]


def scrubbed_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The grader's environment reduced to ``ENV_KEEP`` (no credentials, no home, no proxies, no tokens)."""
    base = os.environ if base is None else base
    return {k: v for k, v in base.items() if k in ENV_KEEP}


def execute_task(task: Task, datasets: DatasetBundle | None = None) -> Execution:
    """Run one prepared notebook in a fresh, contained kernel. Never raises: every failure is an ``Execution``."""
    where = _dask_worker()  # here, on the worker's own thread (Dask's state is per thread)
    try:
        done = _in_own_loop(_execute, task, materialize(datasets) if datasets is not None else task.datasets)
        return replace(done, device={**done.device, **where}) if where else done
    except Exception as exc:  # noqa: BLE001 - a failure of ours is this submission's result, not a stopped batch
        return Execution("setup_failed", f"カーネルを準備できませんでした（{type(exc).__name__}: {exc}）。",
                         f"could not prepare a kernel ({type(exc).__name__}: {exc}).")


def _in_own_loop(fn: Callable[..., Execution], *args: Any) -> Execution:
    """Call ``fn`` in a new thread with a new event loop, closed afterwards. nbclient runs its coroutines on the
    calling thread's loop, and a caller's thread may already have one that is running (a Dask worker's)."""
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
        shutil.rmtree(_conn(run), ignore_errors=True)


def _conn(run: Path) -> Path:
    """The connection folder of a run: beside the run folder, in the runs root the kernel cannot change (not inside
    the run folder, which the kernel owns and could rename or replace by a link)."""
    return run.with_name(run.name + "-conn")


def _execute_in(run: Path, task: Task, datasets_dir: str | None, t0: float) -> Execution:
    """The run folder made, the kernel run in it, its outputs judged (``t0``: when this task began)."""
    import nbformat

    opts = task.options
    contained = containment(opts.isolate)
    env = _scratch(run, task, datasets_dir)
    if contained.isolated:  # the kernel imports the grader's own package (the only thing of REPO in its view), even
        env["PYTHONPATH"] = str(REPO)  # when the environment's install points elsewhere (a checkout run with PYTHONPATH)
    uid, gid = contain.run_as(contained.isolated)
    contain.hand_over(str(run), uid, gid)
    _seal_conn(_conn(run), uid)
    (run / "view").mkdir()  # the sealed view's root is built here, inside the namespaces
    group = limits.make(opts.memory_mb * 1024 * 1024 if opts.memory_mb else None, opts.max_processes or None)
    try:
        km = _kernel_manager(run, contained, opts, uid, gid, datasets_dir, group)
        nb = nbformat.reads(task.notebook, as_version=4)
        epilogue = verify.save_code(task.models, str(run / verify.EXPORT)) if task.verify else None
        with LogPipe(LOG_KEPT) as log:  # a pipe the grader owns: nothing in the run folder is read back
            done = run_notebook(nb, km, opts, str(run / "work"), env, log.writer, epilogue=epilogue,
                                epilogue_timeout=verify.SAVE_TIMEOUT)
        tail = log.text()
        code = exit_code(km)
        if group.oom_killed() and done.status == "dead":
            tail += "\nautograder: out of memory (cgroup)"
    finally:
        group.close()  # the kernel and everything it started are gone before its files are read
    t_verify = time.perf_counter()
    verified = _verified(run, task, datasets_dir, contained, done) if task.verify else None
    t_end = time.perf_counter()
    seconds = {"setup": round(done.t_start - t0, 4), "kernel_start": round(done.t_ready - done.t_start, 4),
               "cells": round(done.t_cells - done.t_ready, 4), "teardown": round(t_verify - done.t_cells, 4),
               "total": round(t_end - t0, 4)}
    if verified is not None:
        seconds["verify"] = round(t_end - t_verify, 4)
    nb.metadata.setdefault("autograder", {})["executed_with_datasets"] = datasets_dir is not None
    return replace(_execution(nb, done, opts, tail, code, seconds, contained), verified=verified)


def _verified(run: Path, task: Task, datasets_dir: str | None, contained: contain.Containment, done: KernelRun) -> dict[str, Any]:
    """The clean-process verification of what the kernel saved (``execute.verify``), in a sandbox of its own; a failure
    of ours is a ``failed`` verification (no points for what it judges), never a lost notebook."""
    try:
        return _verify_saved(run, task, datasets_dir, contained, done)
    except Exception as exc:  # noqa: BLE001 - this notebook's verification failed; the run itself stands
        return {"status": "failed", "reason": f"{type(exc).__name__}: {exc}"[:500], "models": [], "judged": None}


def _verify_saved(run: Path, task: Task, datasets_dir: str | None, contained: contain.Containment,
                  done: KernelRun) -> dict[str, Any]:
    files, problems = verify.collect(run)
    if done.epilogue is None:
        problems.insert(0, "the notebook was stopped before the model could be saved")
    elif done.epilogue != "ok":
        problems.insert(0, f"the save cell ended with {done.epilogue}")
    base = Path(tempfile.mkdtemp(dir=_runs_root(), prefix="verify-"))
    try:
        work, home = base / "work", base / "home"
        work.mkdir()
        home.mkdir()
        os.chmod(base, 0o711)
        uid, gid = contain.run_as(contained.isolated)
        contain.hand_over(str(home), uid, gid)
        opts = task.options
        memory = max(opts.memory_mb, verify.VERIFY_MEMORY_MB) * 1024 * 1024 if opts.memory_mb else None
        env = {**scrubbed_env(), "HOME": str(home), "KERAS_HOME": str(home / ".keras"), "KERAS_BACKEND": "tensorflow",
               "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": "-1", "PYTHONDONTWRITEBYTECODE": "1",
               "TMPDIR": str(home), "MPLBACKEND": "Agg"}
        group = limits.make(memory, opts.max_processes or None)
        try:
            prefix = _clean_prefix(base, work, home, contained, memory, uid, gid, datasets_dir, group, opts.max_processes)
            return verify.verify(files, problems, task.models, datasets_dir, task.dataset, str(work), env, prefix)
        finally:
            group.close()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _clean_prefix(base: Path, work: Path, home: Path, contained: contain.Containment, memory: int | None,
                  uid: int | None, gid: int | None, datasets_dir: str | None, group: limits.Group,
                  max_processes: int) -> list[str]:
    """The sandbox command of the clean process: the kernel's sealed view holding Python, the model copies (read-only),
    the datasets and a home of its own, no network; or, where this machine does not isolate, only the limits."""
    deadline = verify.VERIFY_TIMEOUT + 60
    max_file = 64 * 1024 * 1024
    if not contained.isolated:
        if not contain.can_wrap():
            return []
        config = sandbox.Config(writable=(str(home),), cwd=str(work), memory=memory, max_file=max_file, deadline=deadline,
                                namespaces=False, cgroups=group.procs, parent=os.getpid())
        return contain.launch_prefix(config)
    (base / "view").mkdir()
    keep = contain.python_paths([str(work), *([datasets_dir] if datasets_dir else [])])
    nproc = max_processes if group.kind == "rlimit" and uid is not None and max_processes else None
    config = sandbox.Config(writable=(str(home),), keep=keep, cwd=str(work), memory=memory, max_file=max_file, uid=uid,
                            gid=gid, deadline=deadline, root=str(base / "view"), devices=contain.devices(), processes=nproc)
    chain = sandbox.Config(writable=(), namespaces=False, chain=True, cgroups=group.procs, parent=os.getpid())
    return contain.launch_prefix(config, contained.prefix, chain)


def _seal_conn(conn: Path, uid: int | None) -> None:
    """The connection folder: the grader's; when the kernel runs as its own user, sticky and open to it, so that the
    kernel can make its sockets there but never remove or replace the grader's files (``seal_ipc`` takes its
    sockets back once it has started)."""
    conn.mkdir(mode=0o700)
    if uid is not None:
        os.chmod(conn, 0o1777)


def _execution(nb: Any, done: KernelRun, opts: Options, tail: str, code: int | None, seconds: dict[str, float],
               contained: contain.Containment) -> Execution:
    import nbformat

    status, cell_at, ename = final_status(nb, done.status, done.cell, tail, code)
    detail = ename if status == "error" else done.detail
    message, message_en = status_message(status, cell_at, detail, opts, code)
    kinds = {**contained.to_json(), "limits": limits.kind() if contained.isolated or contain.can_wrap() else "none"}
    return Execution(status, message, message_en, nbformat.writes(nb), cell_at, seconds, kinds,
                     tail if status in ("dead", "setup_failed", "memory") else "", done.dropped, done.device)


def _dask_worker() -> dict[str, Any]:
    """On a Dask worker: its name and resources (which worker ran the notebook, e.g. one with ``GPU=1``)."""
    if "distributed" not in sys.modules:
        return {}
    try:
        from distributed import get_worker

        w = get_worker()
    except (ImportError, ValueError):
        return {}
    return {"worker": str(w.name), "worker_resources": dict(getattr(w.state, "total_resources", None) or {})}


def _scratch(run: Path, task: Task, datasets_dir: str | None) -> dict[str, str]:
    """Make the run folder (the submission's copy in ``work/``); return the kernel's environment."""
    work, export, ipython, tmp = run / "work", run / verify.EXPORT, run / "ipython", run / "tmp"
    for d in (work, export, ipython, tmp):
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
    return env


def _user_site_env() -> dict[str, str]:
    """With ``HOME`` moved, Python would look for user packages in the scratch folder: point it back."""
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and user_site in sys.path and os.path.isdir(user_site):
        return {"PYTHONUSERBASE": site.getuserbase()}
    return {}


def _kernel_manager(run: Path, contained: contain.Containment, opts: Options, uid: int | None, gid: int | None,
                    datasets_dir: str | None, group: limits.Group) -> Any:
    """A kernel manager whose kernel starts inside the sandbox: in namespaces over Unix sockets when this machine
    isolates, else with the limits and the watchdog only (POSIX), over TCP on the loopback."""
    memory = opts.memory_mb * 1024 * 1024 if opts.memory_mb else None
    max_file = opts.max_file_mb * 1024 * 1024 if opts.max_file_mb else None
    deadline = (opts.timeout or 24 * 3600) + opts.startup_timeout + 60 + verify.SAVE_TIMEOUT  # + the save cell
    conn = _conn(run)
    connection_file = conn / "kernel.json"
    nproc = opts.max_processes if group.kind == "rlimit" and uid is not None and opts.max_processes else None
    if not contained.isolated:
        prefix: list[str] = []
        if contain.can_wrap():
            config = sandbox.Config(writable=(str(run), str(conn)), cwd=str(run / "work"), memory=memory, max_file=max_file,
                                    deadline=deadline, namespaces=False, cgroups=group.procs, parent=os.getpid())
            prefix = contain.launch_prefix(config)
        return kernel_manager(connection_file, opts.kernel_name, prefix)
    keep = contain.python_paths([str(PACKAGE), *([datasets_dir] if datasets_dir else [])])
    config = sandbox.Config(writable=(str(run), str(conn)), keep=keep, cwd=str(run / "work"), memory=memory, max_file=max_file,
                            uid=uid, gid=gid, deadline=deadline, root=str(run / "view"), devices=contain.devices(),
                            processes=nproc)
    chain = sandbox.Config(writable=(), namespaces=False, chain=True, cgroups=group.procs, parent=os.getpid())
    return kernel_manager(connection_file, opts.kernel_name, contain.launch_prefix(config, contained.prefix, chain),
                          ipc=str(conn / "k"), owner=(uid, gid))


class LogPipe:
    """The kernel's stdout and stderr through a pipe read by a thread of the grader: only the last ``kept``
    bytes are kept, everything else is read and dropped, so the kernel never blocks and the grader's memory
    stays bounded; no file the kernel can replace (a FIFO, a link to ``/dev/zero``) is ever opened."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self.data = bytearray()
        self.total = 0
        self._stop = threading.Event()
        read_fd, write_fd = os.pipe()
        self._read = read_fd
        self.writer = os.fdopen(write_fd, "wb")
        self._thread = threading.Thread(target=self._drain, name="autograder-log", daemon=True)

    def __enter__(self) -> LogPipe:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.writer.close()
        self._stop.set()  # a process that escaped and still holds the pipe cannot keep the grader waiting
        self._thread.join(5)
        if not self._thread.is_alive():
            os.close(self._read)

    def _drain(self) -> None:
        import select

        while True:
            ready, _, _ = select.select([self._read], [], [], 0.2)
            if self._stop.is_set() and (not ready or self._stop.wait(0) and time.perf_counter() > self._until()):
                return
            if not ready:
                continue
            chunk = os.read(self._read, 65536)
            if not chunk:
                return
            self.total += len(chunk)
            self.data += chunk
            if len(self.data) > self.kept:
                del self.data[:len(self.data) - self.kept]

    def _until(self) -> float:
        if not hasattr(self, "_stopped_at"):
            self._stopped_at = time.perf_counter() + 1.0  # after the kernel is gone: one more second of reading
        return self._stopped_at

    def text(self) -> str:
        return bytes(self.data[-2000:]).decode("utf-8", "replace")
