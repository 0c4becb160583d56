"""Contain one kernel process (namespaces, read-only files, hidden home, no network, limits); stdlib only, no autograder.

Standard library only, and nothing from ``autograder``: on Linux this file is also run as a script
(``python -I -S sandbox.py CONFIG -- KERNEL-ARGV...``), the first program inside fresh namespaces made by
util-linux ``unshare``, where it sets up the view of the file system, drops privileges and starts the kernel.
``autograder.execute.worker`` imports it to build that command (``launch_prefix``) and to learn, once per
process, what this machine allows (``probe``).

What one kernel gets on Linux when ``unshare`` works (root, or unprivileged user namespaces):

- its own network namespace: only a loopback interface that is down, so no network and no abstract Unix
  sockets of the host. The kernel talks to the grader over Unix sockets (ZeroMQ ``ipc``) in its run folder;
- its own PID namespace (when the grader kills it, everything it started dies with it) and its own mount
  namespace holding a **sealed view built from an allow-list**: a new empty root into which only the system's
  runtime (``/usr``, ``/bin``, ``/lib*``, ``/etc``, ``/sys``), Python's prefixes and site-packages, the
  ``autograder`` package folder and the datasets folder are bound read-only, the run folder read-write, a few
  devices, a private ``/proc``, an empty ``/tmp`` and ``/dev/shm``; then ``pivot_root`` and the old root is
  detached: the repository, the course, other submissions, the output folder, homes, ``/run`` and host
  sockets have no path at all;
- when the grader runs as root, the kernel runs as ``nobody`` (uid 65534) with no capabilities; without
  root, in a user namespace, it keeps the grader's uid but loses every capability and cannot remount;
- ``no_new_privs``; the parent-death signal (the kernel is killed when the grader's thread that started it
  ends, also when the grader is killed); the cgroups made by ``limits`` (memory and processes of the whole
  kernel), joined by a first link run before ``unshare`` (``Config.chain``); ``RLIMIT_AS`` (memory per
  process), ``RLIMIT_FSIZE`` (largest file), no core files, ``RLIMIT_NPROC`` only as the fallback without cgroups.

Elsewhere (macOS, a Linux where ``unshare`` is refused, e.g. an unprivileged container) the same script runs
without namespaces: only the limits, the cgroups when there are, the parent-death signal (Linux) and the
deadline watchdog apply; on Windows the kernel starts unwrapped. ``contain.probe`` says which.
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

NOBODY = 65534
HERE = os.path.abspath(__file__)

# <linux/mount.h>, <linux/prctl.h>
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_NOATIME, MS_NODIRATIME, MS_BIND = 32, 1024, 2048, 4096
MS_REC, MS_PRIVATE, MS_RELATIME, MS_STRICTATIME = 16384, 1 << 18, 1 << 21, 1 << 24
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_SECUREBITS, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT = 1, 24, 28, 38, 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
SECURE_ALL_BITS_AND_LOCKS = 0x3F  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS and their locks
_OPTION_FLAGS = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC, "noatime": MS_NOATIME,
                 "nodiratime": MS_NODIRATIME, "relatime": MS_RELATIME, "strictatime": MS_STRICTATIME}


@dataclass(frozen=True)
class Config:
    """What the in-namespace set-up does. Paths are absolute and already exist."""

    writable: tuple[str, ...]  # read-write in the view (the run folder)
    hide: tuple[str, ...] = ()  # unused since the sealed view (kept so old configs still load)
    keep: tuple[str, ...] = ()  # read-only in the view: the runtime (system folders, Python, datasets)
    cwd: str = "/"
    root: str | None = None  # an empty folder where the new root is built (the sealed view); None: no view
    devices: tuple[str, ...] = ()  # device files bound into the view's /dev (null, zero, urandom, GPUs)
    cgroups: tuple[str, ...] = ()  # cgroup.procs files to join first (memory and process caps for the whole kernel)
    parent: int | None = None  # die (SIGKILL) when this process, the grader, ends (PR_SET_PDEATHSIG)
    processes: int | None = None  # RLIMIT_NPROC (the fallback without cgroups, when the kernel has a uid of its own)
    chain: bool = False  # only join the cgroups and arm the parent-death signal, then exec the command (before unshare)
    memory: int | None = None  # bytes, RLIMIT_AS
    max_file: int | None = None  # bytes, RLIMIT_FSIZE
    uid: int | None = None  # switch to this uid/gid (when started as real root)
    gid: int | None = None
    deadline: float | None = None  # seconds: PID 1 kills the kernel then, even if the grader is gone
    namespaces: bool = True  # False: only the limits and the watchdog (no unshare: macOS, refused namespaces)

    def to_json(self) -> str:
        return json.dumps({k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()})

    @staticmethod
    def from_json(text: str) -> Config:
        raw = json.loads(text)
        fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}
        return Config(**fields)


# ------------------------------------------------------------------ limits (script)

def set_limits(memory: int | None, max_file: int | None, processes: int | None = None) -> None:
    import resource

    def cap(which: int, value: int) -> None:
        _soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(which, (value, value if hard == resource.RLIM_INFINITY else hard))

    if memory:
        cap(resource.RLIMIT_AS, int(memory))
    if max_file:
        cap(resource.RLIMIT_FSIZE, int(max_file))
    if processes:
        cap(resource.RLIMIT_NPROC, int(processes))
    cap(resource.RLIMIT_CORE, 0)


# ------------------------------------------------------------------ inside the namespaces (script)

def _libc() -> Any:
    return ctypes.CDLL(None, use_errno=True)


def _mount(libc: Any, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    def enc(s: str | None) -> bytes | None:
        return s.encode() if s is not None else None

    if libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} {target}: {os.strerror(err)}")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _mounts() -> list[tuple[str, set[str]]]:
    """Mount points in order, with their per-mount options (``/proc/self/mountinfo``)."""
    out = []
    with open("/proc/self/mountinfo", encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            target = parts[4].encode().decode("unicode_escape")  # \040 for a space
            out.append((target, set(parts[5].split(","))))
    return out


SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "ppc64le": 203, "s390x": 217, "riscv64": 41}
MNT_DETACH = 2


def _bind(libc: Any, fd: int, target: str, recursive: bool) -> None:
    _mount(libc, f"/proc/self/fd/{fd}", target, None, MS_BIND | (MS_REC if recursive else 0))


def _place(view: str, path: str, is_dir: bool) -> str:
    """Make the mount point for ``path`` inside the view (a folder, or an empty file for a device)."""
    target = view + path
    if is_dir:
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "a"):
            pass
    return target


def setup(config: Config) -> None:
    """Build the sealed view and enter it; runs as the first process in the new namespaces.

    An allow-list: a new, empty root (tmpfs at ``config.root``) into which only ``keep`` (read-only),
    ``writable`` (read-write), ``devices``, a private ``/proc`` of the new PID namespace, an empty ``/tmp``
    and ``/dev/shm`` are bound; then ``pivot_root`` into it and the old root detached, so nothing else of
    the machine (the repository, the course, the output folder, homes, ``/tmp``, ``/run``, host sockets) has
    a path any more. Every mount but the run folder, ``/tmp`` and ``/dev/shm`` is then made read-only."""
    libc = _libc()
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    if config.root is None:
        raise OSError(22, "no root for the sealed view")
    wanted = sorted({*config.keep, *config.writable}, key=len)
    links = {p: os.readlink(p) for p in wanted if os.path.islink(p)}  # /bin -> usr/bin: made again in the view
    wanted = [p for p in wanted if p not in links]
    fds: dict[str, int] = {}
    for p in wanted:  # opened before anything is covered
        if os.path.exists(p) and (p in config.writable or not any(_under(p, q) for q in fds if q not in config.writable)):
            fds[p] = os.open(p, os.O_PATH | os.O_CLOEXEC)
    devs = {d: os.open(d, os.O_PATH | os.O_CLOEXEC) for d in config.devices if os.path.exists(d)}
    proc = os.open("/proc", os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    view = os.path.realpath(config.root)
    _mount(libc, "tmpfs", view, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,mode=755")
    _mount(libc, "tmpfs", _place(view, "/tmp", True), "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")  # first: binds go on top
    for p, fd in fds.items():
        is_dir = os.path.isdir(f"/proc/self/fd/{fd}")
        _bind(libc, fd, _place(view, p, is_dir), recursive=p not in config.writable)
        os.close(fd)
    for p, to in links.items():
        if not os.path.lexists(view + p):
            os.makedirs(os.path.dirname(view + p), exist_ok=True)
            os.symlink(to, view + p)
    _mount(libc, "tmpfs", _place(view, "/dev", True), "tmpfs", MS_NOSUID, "size=64k,mode=755")
    for d, fd in devs.items():
        _bind(libc, fd, _place(view, d, False), recursive=False)
        os.close(fd)
    for name, to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                     ("stderr", "/proc/self/fd/2")):
        os.symlink(to, f"{view}/dev/{name}")
    _mount(libc, "tmpfs", _place(view, "/dev/shm", True), "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    _bind(libc, proc, _place(view, "/proc", True), recursive=True)
    os.close(proc)
    _pivot(libc, view)
    _read_only(libc, {*config.writable, "/dev/shm", "/tmp"})
    os.chdir(config.cwd)


def _pivot(libc: Any, view: str) -> None:
    """``pivot_root(view, view)`` then detach the old root: the machine's own tree is gone from this namespace."""
    import platform

    number = SYS_PIVOT_ROOT.get(platform.machine())
    os.chdir(view)
    if number is None or libc.syscall(number, b".", b".") != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"pivot_root: {os.strerror(err) if err else 'unknown machine ' + platform.machine()}")
    if libc.umount2(b".", MNT_DETACH) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"umount old root: {os.strerror(err)}")
    os.chdir("/")


def _read_only(libc: Any, keep_rw: set[str]) -> None:
    for target, options in _mounts():
        if target in keep_rw or _under(target, "/proc") or "ro" in options:
            continue
        flags = MS_REMOUNT | MS_BIND | MS_RDONLY
        for name, bit in _OPTION_FLAGS.items():
            if name in options:
                flags |= bit
        try:
            _mount(libc, None, target, None, flags)
        except OSError:
            if target == "/":
                raise


def drop_privileges(config: Config) -> None:
    """No way back: switch to ``nobody`` when root, else drop every capability; then ``no_new_privs``."""
    libc = _libc()
    if config.uid is not None:
        os.setgroups([])
        os.setgid(config.gid if config.gid is not None else config.uid)
        os.setuid(config.uid)
    else:
        for cap in range(64):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                break
        libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        libc.prctl(PR_SET_SECUREBITS, SECURE_ALL_BITS_AND_LOCKS, 0, 0, 0)
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    # A change of uid clears the parent-death signal that ``unshare --kill-child`` set: set it again, so that
    # killing unshare (what the grader does) still kills this process and, as it is PID 1, the whole namespace.
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def supervise(argv: Sequence[str], deadline: float | None = None) -> int:
    """Be PID 1: start ``argv``, pass signals on, reap orphans, exit when it exits (taking its status).

    ``deadline``: kill it after that many seconds — the grader kills it long before, but a grader that died
    (or was killed) must not leave a kernel looping forever."""
    env = dict(os.environ, JPY_PARENT_PID=str(os.getpid()))  # ipykernel: its parent is this process (PID 1)
    child = os.fork()
    if child == 0:
        try:
            _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # dies with this supervisor
            os.execvpe(argv[0], list(argv), env)
        finally:
            os._exit(127)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2):
        signal.signal(sig, lambda s, _f: os.kill(child, s))
    if deadline:
        signal.signal(signal.SIGALRM, lambda _s, _f: os.kill(child, signal.SIGKILL))
        signal.alarm(max(1, int(deadline + 0.999)))
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue
        if pid == child:
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def die_with(parent: int | None) -> None:
    """SIGKILL this process when ``parent`` (the grader's thread that started it) ends; if it already has, now."""
    if parent is None or not sys.platform.startswith("linux"):
        return
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(137)


def join_cgroups(files: Sequence[str]) -> None:
    """Move this process (and so all it starts) into the kernel's cgroups: one memory and one process cap for all."""
    for path in files:
        with open(path, "w", encoding="ascii") as fh:
            fh.write(str(os.getpid()))


def main(argv: Sequence[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: sandbox.py CONFIG -- COMMAND...", file=sys.stderr)
        return 2
    config = Config.from_json(argv[0])
    try:
        die_with(config.parent)
        join_cgroups(config.cgroups)
        if config.chain:  # the first link, before unshare: the death signal and the cgroups survive exec
            os.execvp(argv[2], list(argv[2:]))
        if config.namespaces:
            setup(config)
        set_limits(config.memory, config.max_file, config.processes)
        if config.namespaces:
            drop_privileges(config)
    except OSError as exc:
        print(f"autograder sandbox: {exc}", file=sys.stderr)
        return 125
    return supervise(argv[2:], config.deadline)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
