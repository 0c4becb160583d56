"""Contain one kernel process (namespaces, read-only files, hidden home, no network, limits); stdlib only, no autograder.

Standard library only, and nothing from ``autograder``: on Linux this file is also run as a script
(``python -I -S sandbox.py CONFIG -- KERNEL-ARGV...``), the first program inside fresh namespaces made by
util-linux ``unshare``, where it sets up the view of the file system, drops privileges and starts the kernel.
``autograder.execute.worker`` imports it to build that command (``launch_prefix``) and to learn, once per
process, what this machine allows (``probe``).

What one kernel gets on Linux when ``unshare`` works (root, or unprivileged user namespaces):

- its own network namespace: only a loopback interface that is down, so no network at all. The kernel talks
  to the grader over Unix sockets (ZeroMQ ``ipc``) in its run folder, which need no network;
- its own PID namespace (it sees only its own processes; when the grader kills it, everything it started
  dies with it) and its own mount namespace in which:
  every mount is read-only except the run folder (the scratch working folder, the kernel's connection
  files, its IPython folder); the instructor's home and the folder holding every run are covered by empty
  file systems, with the Python installation, the datasets folder and this run's own folder put back
  (read-only, except the run folder); ``/dev/shm`` is a private, small tmpfs;
- when the grader runs as root, the kernel runs as ``nobody`` (uid 65534) with no capabilities; without
  root, in a user namespace, it keeps the grader's uid but loses every capability and cannot remount;
- ``no_new_privs``; limits: ``RLIMIT_AS`` (the memory cap), ``RLIMIT_FSIZE`` (largest file), no core files.

Elsewhere (macOS, a Linux where ``unshare`` is refused, e.g. an unprivileged container) the same script runs
without namespaces: only the ``setrlimit`` limits and the deadline watchdog apply; on Windows the kernel
starts unwrapped. ``probe`` says which.
"""
from __future__ import annotations

import contextlib
import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
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

    writable: tuple[str, ...]  # stay read-write (the run folder)
    hide: tuple[str, ...] = ()  # covered by an empty tmpfs (the instructor's home, the folder of all runs)
    keep: tuple[str, ...] = ()  # put back read-only when under a hidden path (Python, datasets)
    cwd: str = "/"
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


@dataclass(frozen=True)
class Containment:
    """What this machine lets ``autograder run`` contain (the answer of ``probe``)."""

    isolated: bool  # namespaces work: network, file system, processes
    network: bool = False
    filesystem: bool = False
    home_hidden: bool = False
    processes: bool = False
    user: str = "same"  # "nobody" | "no-capabilities" | "same"
    memory: str = "none"  # "rlimit" | "none"
    reason: str = ""  # why not isolated
    prefix: tuple[str, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {"isolated": self.isolated, "network": self.network, "filesystem": self.filesystem,
                "home_hidden": self.home_hidden, "processes": self.processes, "user": self.user,
                "memory": self.memory, "reason": self.reason}


# ------------------------------------------------------------------ the grader's side

def unshare_prefix() -> tuple[str, ...] | None:
    """The ``unshare`` command line that makes the namespaces, or None when there is no ``unshare``."""
    if not sys.platform.startswith("linux"):
        return None
    exe = shutil.which("unshare")
    if exe is None:
        return None
    user = () if os.geteuid() == 0 else ("--user", "--map-root-user")
    return (exe, *user, "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc")


def launch_prefix(config: Config, prefix: Sequence[str] = ()) -> list[str]:
    """``unshare … python -I -S sandbox.py CONFIG --``: put before the kernel's own command. Without
    ``prefix`` (and ``config.namespaces`` False) the script only sets the limits and watches the deadline."""
    return [*prefix, sys.executable, "-I", "-S", HERE, config.to_json(), "--"]


def can_wrap() -> bool:
    """The script needs ``fork`` and ``resource``: POSIX. On Windows the kernel starts unwrapped."""
    return hasattr(os, "fork") and os.name == "posix"


def run_as(isolated: bool) -> tuple[int | None, int | None]:
    """The uid/gid the kernel gets: ``nobody`` when we are root and the kernel is isolated, else unchanged."""
    if isolated and os.geteuid() == 0:
        return NOBODY, NOBODY
    return None, None


def hand_over(path: str, uid: int | None, gid: int | None) -> None:
    """Give a run folder to the kernel's user (when it runs as ``nobody``)."""
    if uid is None:
        return
    for root, _dirs, files in os.walk(path):
        os.chown(root, uid, gid if gid is not None else -1)
        for name in files:
            os.chown(os.path.join(root, name), uid, gid if gid is not None else -1, follow_symlinks=False)


def set_limits(memory: int | None, max_file: int | None) -> None:
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
    cap(resource.RLIMIT_CORE, 0)


_PROBE_CODE = r"""
import json, os, socket
out = {"uid": os.getuid()}
try:
    s = socket.create_connection(("127.0.0.1", int(os.environ["PROBE_PORT"])), timeout=1)
    s.close(); out["network"] = False
except OSError:
    out["network"] = True
out["filesystem"] = bool(os.statvfs("/").f_flag & os.ST_RDONLY)
try:
    open(os.path.join(os.environ["PROBE_HOME"], ".autograder-probe"), "w").close(); out["filesystem"] = False
except OSError:
    pass
out["home_hidden"] = not os.path.exists(os.environ["PROBE_SECRET"])
out["processes"] = os.getppid() <= 1 or os.getpid() < 10
print(json.dumps(out))
"""


def memory_limit_kind() -> str:
    """``rlimit`` where ``RLIMIT_AS`` is enforced (Linux); macOS accepts it but does not enforce it."""
    try:
        import resource  # noqa: F401
    except ImportError:
        return "none"
    return "rlimit" if sys.platform.startswith("linux") else "none"


def probe() -> Containment:
    """Start a throw-away contained Python once and report what was really contained on this machine."""
    limits = memory_limit_kind()
    prefix = unshare_prefix()
    if prefix is None:
        why = "unshare がありません / no unshare" if sys.platform.startswith("linux") else f"{sys.platform}: 名前空間なし / no namespaces"
        return Containment(False, memory=limits, reason=why)
    import socket

    home = os.path.realpath(os.path.expanduser("~"))
    with tempfile.TemporaryDirectory(prefix="autograder-probe-") as root, \
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server, \
            tempfile.NamedTemporaryFile(dir=home if os.access(home, os.W_OK) else None, prefix=".autograder-probe-") as secret:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        run = os.path.join(root, "run")
        os.mkdir(run)
        os.chmod(root, 0o711)
        uid, gid = run_as(True)
        hand_over(run, uid, gid)
        config = Config(writable=(run,), hide=_hidden_roots(home, root), keep=_python_paths(), cwd=run,
                        uid=uid, gid=gid)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROBE_PORT": str(server.getsockname()[1]),
               "PROBE_HOME": home, "PROBE_SECRET": secret.name}
        cmd = launch_prefix(config, prefix) + [sys.executable, "-I", "-S", "-c", _PROBE_CODE]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            seen = json.loads(proc.stdout.strip().splitlines()[-1])
        except Exception as exc:  # noqa: BLE001 - any failure means: not isolated here, say why
            err = locals().get("proc")
            detail = (err.stderr.strip().splitlines() or [""])[-1] if err is not None else f"{type(exc).__name__}: {exc}"
            return Containment(False, memory=limits, reason=f"unshare が使えません / unshare refused: {detail}")
    user = "nobody" if seen["uid"] == NOBODY else "no-capabilities"
    ok = seen["network"] and seen["filesystem"]
    return Containment(ok, network=seen["network"], filesystem=seen["filesystem"], home_hidden=seen["home_hidden"],
                       processes=seen["processes"], user=user, memory=limits,
                       reason="" if ok else "名前空間の一部が効きません / namespaces only partly work",
                       prefix=prefix if ok else ())


def _hidden_roots(home: str, runs_root: str) -> tuple[str, ...]:
    hide = [runs_root]
    if home not in ("/", "") and os.path.isdir(home):
        hide.append(home)
    if os.geteuid() == 0 and os.path.isdir("/root"):
        hide.append("/root")
    return tuple(dict.fromkeys(os.path.realpath(h) for h in hide))


def hidden_roots(runs_root: str) -> tuple[str, ...]:
    """The instructor's home (and ``/root`` when root) and the folder that holds every run."""
    return _hidden_roots(os.path.realpath(os.path.expanduser("~")), os.path.realpath(runs_root))


def closed_ancestors(paths: Sequence[str]) -> tuple[str, ...]:
    """For a kernel run as ``nobody``: the highest folder above each path that others cannot enter (mode
    without ``o+x``). Covering it and putting the path back (``Config.hide``/``keep``) lets the kernel reach
    the path, and nothing else that was closed to it."""
    found = []
    for path in paths:
        parts = os.path.realpath(path).split(os.sep)
        for i in range(2, len(parts)):
            folder = os.sep.join(parts[:i])
            try:
                closed = not os.stat(folder).st_mode & 0o001
            except OSError:
                break
            if closed:
                found.append(folder)
                break
    return tuple(dict.fromkeys(found))


def _python_paths() -> tuple[str, ...]:
    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))]
    paths += [p for p in sys.path if p and os.path.isdir(p)]
    return tuple(dict.fromkeys(os.path.realpath(p) for p in paths))


def python_paths(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Folders the kernel must still read when the home is hidden: Python, its packages, ``extra``."""
    return tuple(dict.fromkeys([*_python_paths(), *(os.path.realpath(p) for p in extra)]))


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


def setup(config: Config) -> None:
    """Mount the view described by ``config``; runs as the first process in the new namespaces."""
    libc = _libc()
    _mount(libc, None, "/", None, MS_REC | MS_PRIVATE)
    hidden: list[str] = []
    for h in sorted(config.hide, key=len):
        if os.path.isdir(h) and not any(_under(h, x) for x in hidden):
            hidden.append(h)
    back = sorted({*config.writable, *config.keep}, key=len)
    fds = {p: os.open(p, os.O_PATH | os.O_DIRECTORY) for p in back if os.path.isdir(p)}
    for h in hidden:
        _mount(libc, "tmpfs", h, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    bound: list[str] = []
    for p, fd in fds.items():
        needed = p in config.writable or (any(_under(p, h) for h in hidden) and not any(_under(p, b) for b in bound))
        if needed:
            os.makedirs(p, exist_ok=True)
            _mount(libc, f"/proc/self/fd/{fd}", p, None, MS_BIND | MS_REC)
            bound.append(p)
        os.close(fd)
    if os.path.isdir("/dev/shm"):
        _mount(libc, "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    keep_rw = {*config.writable, "/dev/shm"}
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
    os.chdir(config.cwd)


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


def main(argv: Sequence[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print("usage: sandbox.py CONFIG -- COMMAND...", file=sys.stderr)
        return 2
    config = Config.from_json(argv[0])
    try:
        if config.namespaces:
            setup(config)
        set_limits(config.memory, config.max_file)
        if config.namespaces:
            drop_privileges(config)
    except OSError as exc:
        print(f"autograder sandbox: {exc}", file=sys.stderr)
        return 125
    return supervise(argv[2:], config.deadline)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
