"""The kernel driver: one notebook's code cells in one fresh kernel, with a limit per cell and per notebook; no cli.

The one engine both executions share: ``autograder run`` (``worker.execute_task``, in the sandbox) and
``datasets.execute_notebook`` (the tests' and instructors' offline execution, isolation off). The caller
builds the kernel manager (``kernel_manager``: a command prefix for the sandbox, the connection file in a
folder of its own) and the environment; ``run_notebook`` starts the kernel, runs the cells, marks the cell
where a limit or a dead kernel stopped it, and kills the kernel. What the outputs then mean (``status``) is
the caller's business.

nbclient, nbformat and jupyter_client are imported only inside the functions that start or talk to a kernel;
never TensorFlow, never ``autograder.cli``.
"""
from __future__ import annotations

import contextlib
import functools
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from autograder.execute.values import Options


@dataclass
class KernelRun:
    """How far ``run_notebook`` got (filled in as it goes)."""

    status: str = "ok"  # "ok" | "timeout" | "dead" | "setup_failed"
    cell: int | None = None  # the last code cell started
    detail: str | None = None  # the limit in force ("cell" | "notebook"), or why the kernel did not start
    started: bool = False  # the kernel answered
    t_start: float = 0.0  # perf_counter: starting the kernel, it answered, the cells were done
    t_ready: float = 0.0
    t_cells: float = 0.0
    error: BaseException | None = field(default=None, compare=False)  # what stopped it (timeout, dead kernel, no start)
    dropped: int = 0  # bytes of outputs not kept (over the cap)
    device: dict[str, Any] = field(default_factory=dict)  # TensorFlow's devices in the kernel, asked after the last cell
    epilogue: str | None = None  # how the grader's own cell after the student's ended ("ok", "error", "timeout"), if run


class _Watch:
    """What nbclient calls back: the limit of the cell being run (its ``timeout`` trait takes whole seconds
    only), and each cell's reply."""

    def __init__(self) -> None:
        self.limit: float | None = None
        self.replies: dict[int, Any] = {}

    def timeout(self, _cell: Any) -> float | None:
        return self.limit

    def executed(self, cell: Any, cell_index: int, execute_reply: Any) -> None:
        self.replies[cell_index] = execute_reply


# ------------------------------------------------------------------ the kernel manager

# The kernel packs its messages with the standard library's json, not orjson (jupyter_client's default when orjson
# is installed): under the memory cap orjson 3.13 crashes the kernel (SIGSEGV on a failed allocation) where json
# raises MemoryError, and a student's large output must end as "too much output", not a dead kernel.
STDLIB_JSON = ("--Session.packer=json", "--Session.unpacker=json")


class _Contained:
    """A KernelManager whose kernel command starts after ``prefix`` (the sandbox), whose connection file the
    kernel's user (``owner``, when it runs as ``nobody``) may read but not replace, and which never follows a
    link in its connection folder: the folder is opened once, before the kernel starts, and every later
    access (taking the sockets back, removing the files) goes through that descriptor."""

    prefix: list[str] = []
    owner: tuple[int | None, int | None] = (None, None)
    folder_fd: int | None = None
    # jupyter_client's traits (annotations only: the traits of the manager class are found after this mixin)
    connection_file: str
    transport: str
    ip: str
    ports: list[int]
    _connection_file_written: bool

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)  # type: ignore[misc]
        return [*self.prefix, *command, *STDLIB_JSON]


    def write_connection_file(self, **kwargs: Any) -> Any:
        written = super().write_connection_file(**kwargs)  # type: ignore[misc]
        if self.folder_fd is None:
            from autograder.execute.verify import open_folder

            self.folder_fd = open_folder(os.path.dirname(os.path.abspath(self.connection_file)))
        uid, gid = self.owner
        if uid is not None:  # the kernel reads it through its group; the file stays the grader's
            name = os.path.basename(self.connection_file)
            os.chown(name, -1, gid if gid is not None else uid, dir_fd=self.folder_fd, follow_symlinks=False)
            os.chmod(name, 0o640, dir_fd=self.folder_fd)
        return written

    def seal_ipc(self) -> None:
        """Once the kernel listens: its socket files become the grader's, so that in the sticky connection folder
        the kernel can no longer remove them or put a link in their place (where a reconnecting client would go)."""
        if self.owner[0] is None or self.transport != "ipc" or self.folder_fd is None:
            return
        import stat

        prefix = os.path.basename(self.ip) + "-"
        for name in os.listdir(self.folder_fd):
            if not name.startswith(prefix):
                continue
            with contextlib.suppress(OSError):
                info = os.stat(name, dir_fd=self.folder_fd, follow_symlinks=False)
                if stat.S_ISSOCK(info.st_mode):
                    os.chown(name, os.getuid(), os.getgid(), dir_fd=self.folder_fd, follow_symlinks=False)

    def _unlink(self, path: str) -> None:
        if self.folder_fd is None:
            return
        with contextlib.suppress(OSError):
            os.unlink(os.path.basename(path), dir_fd=self.folder_fd)  # a link is removed, never followed

    def cleanup_connection_file(self) -> None:
        if self._connection_file_written:
            self._connection_file_written = False
            self._unlink(self.connection_file)

    def cleanup_ipc_files(self) -> None:
        if self.transport == "ipc":
            for port in self.ports:
                self._unlink(f"{self.ip}-{port}")

    def close_folder(self) -> None:
        if self.folder_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.folder_fd)
            self.folder_fd = None


@functools.cache
def _manager_class() -> type:
    from jupyter_client.manager import AsyncKernelManager  # nbclient's loop needs the asynchronous client

    class ContainedKernelManager(_Contained, AsyncKernelManager):
        pass

    return ContainedKernelManager


def kernel_manager(connection_file: Path, kernel_name: str, prefix: Sequence[str] = (), ipc: str | None = None,
                   owner: tuple[int | None, int | None] = (None, None)) -> Any:
    """A kernel manager for one run: ``prefix`` before the kernel's command; over Unix sockets at ``ipc`` when
    given, else TCP on the loopback; the connection file at ``connection_file``, given to ``owner``'s uid/gid."""
    cls = _manager_class()
    km = cls(kernel_name=kernel_name) if ipc is None else cls(kernel_name=kernel_name, transport="ipc", ip=ipc)
    km.connection_file = str(connection_file)
    if prefix:
        km.prefix = list(prefix)
    km.owner = owner
    return km


def kill(km: Any) -> None:
    """Kill the kernel's whole process group (the sandbox's PID 1 with it) and remove its connection files."""
    from jupyter_core.utils import run_sync

    with contextlib.suppress(Exception):  # already gone
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    with contextlib.suppress(Exception):
        run_sync(km.cleanup_resources)()
    if hasattr(km, "close_folder"):
        km.close_folder()


def exit_code(km: Any) -> int | None:
    """The kernel process's exit code, once it has ended (None: still running, or never started)."""
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return process.poll() if process is not None else None


# ------------------------------------------------------------------ running the cells

def run_notebook(nb: Any, km: Any, opts: Options, cwd: str, env: Mapping[str, str] | None = None,
                 stdio: IO[bytes] | None = None, allow_errors: bool = True, widgets: bool = False,
                 epilogue: str | None = None, epilogue_timeout: float = 300.0) -> KernelRun:
    """Execute the code cells of ``nb`` (an ``nbformat.NotebookNode``, changed in place) in a new kernel of ``km``.

    ``opts.timeout_cell`` limits each cell, ``opts.timeout`` all cells together (0: no limit); a cell stopped
    by a limit or a dead kernel gets an error output saying so, and the run ends there. ``cwd``: the kernel's
    working folder; ``env``: its environment (None: this process's); ``stdio``: where its stdout and stderr go
    (None: this process's). ``allow_errors`` False: a failing cell raises nbclient's ``CellExecutionError``.
    ``widgets``: record widget state in the metadata, as ``NotebookClient.execute`` does. ``epilogue``: code of the
    grader's run silently after the last cell (no output, not in the notebook; ``verify.save_code``) when no limit
    stopped the notebook, within ``epilogue_timeout`` seconds. The kernel is killed before this returns or raises.
    """
    from nbclient.exceptions import DeadKernelError

    watch = _Watch()
    client = _client(nb, km, opts, cwd, allow_errors, watch)
    kwargs: dict[str, Any] = {"cleanup_kc": True}
    if env is not None:
        kwargs["env"] = dict(env)
    if stdio is not None:
        kwargs.update(stdout=stdio, stderr=stdio)
    now = time.perf_counter()
    run = KernelRun(t_start=now, t_ready=now, t_cells=now)
    try:
        run.t_start = time.perf_counter()
        with client.setup_kernel(**kwargs):
            _start_kernel(client, nb, run)
            _run_cells(client, nb, opts, run, watch)
            if run.status == "ok":
                run.device = _devices(client)
            if run.status == "ok" and epilogue:
                run.epilogue = _epilogue(client, epilogue, epilogue_timeout)
            if widgets:
                client.set_widgets_metadata()
            run.t_cells = time.perf_counter()
    except (DeadKernelError, RuntimeError, TimeoutError) as exc:  # died, or never answered
        if run.started:
            run.status = "dead"
        else:
            run.status, run.detail = "setup_failed", f"{type(exc).__name__}: {exc}"
        run.error = exc
    finally:
        run.dropped = client.dropped
        if run.t_cells < run.t_ready:
            run.t_cells = time.perf_counter()
        kill(km)
    return run


@functools.cache
def _client_class() -> type:
    from nbclient import NotebookClient
    from nbformat.v4 import new_output

    class CappedClient(NotebookClient):
        """A NotebookClient that keeps at most ``budget`` bytes of outputs for the whole notebook: what comes after
        is read and dropped (``dropped`` counts it), and the cell gets one note saying so."""

        budget: int = 0
        dropped: int = 0
        noted: set[int] = set()

        def output(self, outs: Any, msg: dict[str, Any], display_id: Any, cell_index: int) -> Any:
            if self.budget:
                size = _size(msg.get("content"))
                if size > self.budget:
                    self.dropped += size
                    if cell_index not in self.noted:
                        self.noted.add(cell_index)
                        outs.append(new_output("stream", name="stderr", text=(
                            "autograder: 出力が多すぎるため、ここから先の出力は保存していません。 / "
                            "too much output: what follows was not kept.\n")))
                    return None
                self.budget -= size
            return super().output(outs, msg, display_id, cell_index)

    return CappedClient


def _size(value: Any) -> int:
    """About how many bytes an output message's content holds (its strings)."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_size(v) + len(str(k)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sum(_size(v) for v in value)
    return 8


def _client(nb: Any, km: Any, opts: Options, cwd: str, allow_errors: bool, watch: _Watch) -> Any:
    client = _client_class()(nb, km=km, kernel_name=opts.kernel_name, allow_errors=allow_errors, interrupt_on_timeout=False,
                          startup_timeout=int(opts.startup_timeout), shutdown_kernel="immediate",
                          resources={"metadata": {"path": cwd}}, timeout_func=watch.timeout,
                          on_cell_executed=watch.executed)
    client.budget = int(getattr(opts, "max_output_mb", 0) or 0) * 1024 * 1024
    client.noted = set()
    return client


def _start_kernel(client: Any, nb: Any, run: KernelRun) -> None:
    """The kernel has started: wait for its first answer and record its language."""
    reply = client.wait_for_reply(client.kc.kernel_info())
    if reply and "language_info" in reply.get("content", {}):
        nb.metadata["language_info"] = reply["content"]["language_info"]
    if hasattr(client.km, "seal_ipc"):
        client.km.seal_ipc()
    run.t_ready = time.perf_counter()
    run.started = True


def _run_cells(client: Any, nb: Any, opts: Options, run: KernelRun, watch: _Watch) -> None:
    """Each code cell in turn, under the smaller of the cell's limit and what is left of the notebook's."""
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    deadline = run.t_ready + opts.timeout if opts.timeout else float("inf")  # 0: no limit
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        run.cell = index
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            run.status, run.detail = "timeout", "notebook"
            stop_output(cell, "notebook", opts)
            return
        by_cell = bool(opts.timeout_cell) and opts.timeout_cell <= remaining
        run.detail = "cell" if by_cell else "notebook"
        limit = opts.timeout_cell if by_cell else remaining
        watch.limit = max(0.01, limit) if limit != float("inf") else None
        try:
            client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
            error_from_reply(cell, watch.replies.get(index))
        except CellTimeoutError as exc:
            run.status, run.error = "timeout", exc
            stop_output(cell, run.detail, opts)
            return
        except DeadKernelError as exc:
            run.status, run.error = "dead", exc
            stop_output(cell, "dead", opts)
            return


# Evaluated in the kernel after the student's cells (a user expression: no output, no execution count).
DEVICE_EXPRESSION = ("__import__('json').dumps([[d.name, d.device_type] for d in __import__('sys').modules['tensorflow']"
                     ".config.list_logical_devices()]) if 'tensorflow' in __import__('sys').modules else 'null'")


def _devices(client: Any) -> dict[str, Any]:
    """The devices TensorFlow in the kernel knows (only when the notebook imported it), as the kernel says."""
    import json

    try:
        msg_id = client.kc.execute("", silent=True, store_history=False, user_expressions={"d": DEVICE_EXPRESSION})
        reply = client.wait_for_reply(msg_id)
        value = reply["content"]["user_expressions"]["d"]
        devices = json.loads(value["data"]["text/plain"].strip("'\"")) if value.get("status") == "ok" else None
    except Exception:  # noqa: BLE001 - no answer: nothing recorded
        return {}
    if not isinstance(devices, list):
        return {"tensorflow": False}
    names = [str(d[0]) for d in devices if isinstance(d, list) and d]
    return {"tensorflow": True, "devices": names, "gpu": any(":GPU:" in n for n in names), "source": "kernel"}


def _epilogue(client: Any, code: str, timeout: float) -> str:
    """Run the grader's own code silently in the kernel; how it ended (what it did is judged elsewhere, never here)."""
    from nbclient.exceptions import CellTimeoutError

    before = client.timeout
    client.timeout = max(1, int(timeout))  # a reply without a cell is waited for under the client's own timeout
    try:
        msg_id = client.kc.execute(code, silent=True, store_history=False)
        reply = client.wait_for_reply(msg_id)
    except (CellTimeoutError, TimeoutError):
        return "timeout"
    except Exception:  # noqa: BLE001 - a kernel that does not answer: nothing saved
        return "error"
    finally:
        client.timeout = before
    status = ((reply or {}).get("content") or {}).get("status") if isinstance(reply, dict) else None
    return "ok" if status == "ok" else "error"


def error_from_reply(cell: Any, reply: Any) -> None:
    """A cell whose reply says ``error`` but that shows no error output (IPython could not format the
    exception, e.g. out of memory, and wrote to stderr instead) gets one, so that it counts as failed."""
    content = (reply or {}).get("content", {}) if isinstance(reply, dict) else {}
    if content.get("status") != "error" or any(o.get("output_type") == "error" for o in cell.outputs):
        return
    from nbformat.v4 import new_output

    cell.outputs.append(new_output("error", ename=str(content.get("ename") or "Error"), evalue=str(content.get("evalue") or ""),
                                   traceback=[str(t) for t in content.get("traceback") or []]))


def stop_output(cell: Any, why: str, opts: Options) -> None:
    """An error output on the cell where execution stopped, so the grade (flag ``error_output``) and a person see it."""
    from nbformat.v4 import new_output

    text = {"cell": (f"autograder: セルの実行が {opts.timeout_cell:g} 秒を超えたので止めました。",
                     f"the cell ran longer than {opts.timeout_cell:g} s and was stopped."),
            "notebook": (f"autograder: ノートブック全体の制限時間 {opts.timeout:g} 秒を超えたので止めました。",
                         f"the notebook ran longer than {opts.timeout:g} s in all and was stopped."),
            "dead": ("autograder: このセルの実行中にカーネルが止まりました。", "the kernel died while running this cell.")}[why]
    ename = "DeadKernelError" if why == "dead" else "CellTimeoutError"
    cell.outputs.append(new_output("error", ename=ename, evalue=f"{text[0]} / {text[1]}", traceback=[f"{ename}: {text[0]}"]))
