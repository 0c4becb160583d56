"""Caps for a whole kernel (it and every process it starts): a cgroup per run; standard library only, no cli.

Where this machine lets the grader make cgroups (root, or a delegated cgroup v2 subtree), each run gets one
with ``memory.max`` (v1: ``memory.limit_in_bytes``) and ``pids.max``: the memory of the kernel and all its
children together, and how many processes and threads they may have. The sandbox script joins it as its
first act (``sandbox.Config.cgroups``), so nothing the kernel starts is outside it. ``Group.close`` kills
whatever is still in it and removes it. Without cgroups the fallback is ``RLIMIT_AS`` per process and, when
the kernel runs as its own user (``nobody``), ``RLIMIT_NPROC`` for that user (``kind()`` says which).
"""
from __future__ import annotations

import contextlib
import itertools
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
_COUNTER = itertools.count()


def _own_v2() -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return ROOT / line[3:].lstrip("/")
    except OSError:
        return None
    return None


def kind() -> str:
    """``cgroup-v2`` | ``cgroup-v1`` | ``rlimit``: what caps a whole kernel here."""
    own = _own_v2()
    controllers = ROOT / "cgroup.controllers"
    if own is not None and controllers.is_file():
        have = set(controllers.read_text().split())
        if {"memory", "pids"} <= have and os.access(own, os.W_OK):
            return "cgroup-v2"
    if all(os.access(ROOT / c, os.W_OK) and (ROOT / c / "cgroup.procs").is_file() for c in ("memory", "pids")):
        return "cgroup-v1"
    return "rlimit"


@dataclass
class Group:
    """One run's cgroup(s): the ``cgroup.procs`` files to join, and the folders to remove afterwards."""

    kind: str
    folders: list[Path] = field(default_factory=list)

    @property
    def procs(self) -> tuple[str, ...]:
        return tuple(str(f / "cgroup.procs") for f in self.folders)

    def oom_killed(self) -> bool:
        """The memory cap killed a process of this run."""
        for folder in self.folders:
            with contextlib.suppress(OSError, ValueError):
                if self.kind == "cgroup-v2":
                    events = dict(line.split() for line in (folder / "memory.events").read_text().splitlines())
                    return int(events.get("oom_kill", "0")) > 0
                if (folder / "memory.failcnt").is_file():
                    return int((folder / "memory.failcnt").read_text()) > 0
        return False

    def close(self) -> None:
        """Kill what is left in the group (nothing, usually) and remove it."""
        for folder in self.folders:
            for _ in range(50):
                try:
                    pids = [int(p) for p in (folder / "cgroup.procs").read_text().split()]
                except OSError:
                    break
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    folder.rmdir()
                    break
                time.sleep(0.05)


def make(memory: int | None, processes: int | None) -> Group:
    """A new cgroup with these caps (bytes; processes and threads); ``Group("rlimit")`` when there is none."""
    which = kind()
    name = f"autograder-{os.getpid()}-{next(_COUNTER)}"
    group = Group(which)
    try:
        if which == "cgroup-v2":
            own = _own_v2()
            assert own is not None
            with contextlib.suppress(OSError):
                (own / "cgroup.subtree_control").write_text("+memory +pids")
            folder = own / name
            folder.mkdir()
            group.folders.append(folder)
            _write(folder / "memory.max", memory)
            _write(folder / "memory.swap.max", 0 if memory else None)
            _write(folder / "pids.max", processes)
        elif which == "cgroup-v1":
            mem, pids = ROOT / "memory" / name, ROOT / "pids" / name
            mem.mkdir()
            group.folders.append(mem)
            pids.mkdir()
            group.folders.append(pids)
            _write(mem / "memory.limit_in_bytes", memory)
            with contextlib.suppress(OSError):
                _write(mem / "memory.memsw.limit_in_bytes", memory)
            _write(pids / "pids.max", processes)
    except OSError:
        group.close()
        return Group("rlimit")
    return group


def _write(path: Path, value: int | None) -> None:
    if value is not None and path.exists():
        path.write_text(str(int(value)))
