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
from pathlib import Path
from typing import Any

from autograder.execute import sandbox
from autograder.execute.datasets import DatasetBundle, kernel_env, materialize, prepare_ipython_dir
from autograder.execute.kernel_run import KernelRun, exit_code, kernel_manager, run_notebook
from autograder.execute.status import final_status, status_message
from autograder.execute.values import Execution, Options, Task

# Environment variables a kernel keeps (values from the grader's environment); everything else is dropped.
ENV_KEEP = ("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_MESSAGES", "LC_NUMERIC", "TZ", "LD_LIBRARY_PATH",
            "SYSTEMROOT", "WINDIR", "COMSPEC", "PATHEXT",  # Windows needs these to start Python at all
            "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "XLA_FLAGS", "KERAS_BACKEND",
            "TF_CPP_MIN_LOG_LEVEL", "TF_ENABLE_ONEDNN_OPTS", "TF_FORCE_GPU_ALLOW_GROWTH", "TF_DETERMINISTIC_OPS",
            "TF_NUM_INTEROP_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_XLA_FLAGS")
ENV_KEEP_PREFIXES = ("OPENBLAS_", "OMP_", "MKL_")
REPO = Path(__file__).resolve().parents[2]  # the folder holding the autograder package: the kernel imports it

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


def execute_task(task: Task, datasets: DatasetBundle | None = None) -> Execution:
    """Run one prepared notebook in a fresh, contained kernel. Never raises: every failure is an ``Execution``."""
    try:
        return _in_own_loop(_execute, task, materialize(datasets) if datasets is not None else task.datasets)
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


def _execute_in(run: Path, task: Task, datasets_dir: str | None, t0: float) -> Execution:
    """The run folder made, the kernel run in it, its outputs judged (``t0``: when this task began)."""
    import nbformat

    opts = task.options
    contained = containment(opts.isolate)
    env = _scratch(run, task, datasets_dir)
    uid, gid = sandbox.run_as(contained.isolated)
    sandbox.hand_over(str(run), uid, gid)
    km = _kernel_manager(run, contained, opts, uid, gid, datasets_dir)
    nb = nbformat.reads(task.notebook, as_version=4)
    log_path = run / "kernel.log"
    with open(log_path, "wb") as log:
        done = run_notebook(nb, km, opts, str(run / "work"), env, log)
    tail = _tail(log_path)
    code = exit_code(km)
    t_end = time.perf_counter()
    seconds = {"setup": round(done.t_start - t0, 4), "kernel_start": round(done.t_ready - done.t_start, 4),
               "cells": round(done.t_cells - done.t_ready, 4), "teardown": round(t_end - done.t_cells, 4),
               "total": round(t_end - t0, 4)}
    nb.metadata.setdefault("autograder", {})["executed_with_datasets"] = datasets_dir is not None
    return _execution(nb, done, opts, tail, code, seconds, contained)


def _execution(nb: Any, done: KernelRun, opts: Options, tail: str, code: int | None, seconds: dict[str, float],
               contained: sandbox.Containment) -> Execution:
    import nbformat

    status, cell_at, ename = final_status(nb, done.status, done.cell, tail, code)
    detail = ename if status == "error" else done.detail
    message, message_en = status_message(status, cell_at, detail, opts, code)
    return Execution(status, message, message_en, nbformat.writes(nb), cell_at, seconds, contained.to_json(),
                     tail if status in ("dead", "setup_failed", "memory") else "")


def _scratch(run: Path, task: Task, datasets_dir: str | None) -> dict[str, str]:
    """Make the run folder (the submission's copy in ``work/``); return the kernel's environment."""
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
    return env


def _user_site_env() -> dict[str, str]:
    """With ``HOME`` moved, Python would look for user packages in the scratch folder: point it back."""
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and user_site in sys.path and os.path.isdir(user_site):
        return {"PYTHONUSERBASE": site.getuserbase()}
    return {}


def _kernel_manager(run: Path, contained: sandbox.Containment, opts: Options, uid: int | None, gid: int | None,
                    datasets_dir: str | None) -> Any:
    """A kernel manager whose kernel starts inside the sandbox: in namespaces over Unix sockets when this machine
    isolates, else with the limits and the watchdog only (POSIX), over TCP on the loopback."""
    memory = opts.memory_mb * 1024 * 1024 if opts.memory_mb else None
    max_file = opts.max_file_mb * 1024 * 1024 if opts.max_file_mb else None
    deadline = (opts.timeout or 24 * 3600) + opts.startup_timeout + 60
    connection_file = run / "conn" / "kernel.json"
    if not contained.isolated:
        prefix: list[str] = []
        if sandbox.can_wrap():
            config = sandbox.Config(writable=(str(run),), cwd=str(run / "work"), memory=memory, max_file=max_file,
                                    deadline=deadline, namespaces=False)
            prefix = sandbox.launch_prefix(config)
        return kernel_manager(connection_file, opts.kernel_name, prefix)
    keep = sandbox.python_paths([str(REPO), *([datasets_dir] if datasets_dir else [])])
    hide = sandbox.hidden_roots(_runs_root())
    if uid is not None:  # as nobody: folders it could not enter on the way to what it must read
        hide = (*hide, *sandbox.closed_ancestors([*keep, str(run)]))
    config = sandbox.Config(writable=(str(run),), hide=hide, keep=keep, cwd=str(run / "work"), memory=memory,
                            max_file=max_file, uid=uid, gid=gid, deadline=deadline)
    return kernel_manager(connection_file, opts.kernel_name, sandbox.launch_prefix(config, contained.prefix),
                          ipc=str(run / "conn" / "k"), owner=(uid, gid))


def _tail(path: Path, limit: int = 2000) -> str:
    try:
        data = path.read_bytes()[-limit:]
    except OSError:
        return ""
    return data.decode("utf-8", "replace")
