"""The grader's side of the sandbox: what this machine contains (``probe``), the command that starts a kernel in it,
the read-only runtime of the sealed view; never imports cli.

``sandbox.py`` is the script that runs inside the namespaces (standard library only, nothing from autograder);
this module builds its ``Config`` and command line (``launch_prefix``) and probes, once per process, what
this machine allows: a throw-away Python started in the sandbox reports whether the network, the file system,
the instructor's home and the rest of the machine were really out of reach.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from autograder.execute.sandbox import HERE, NOBODY, Config


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


def unshare_prefix() -> tuple[str, ...] | None:
    """The ``unshare`` command line that makes the namespaces, or None when there is no ``unshare``."""
    if not sys.platform.startswith("linux"):
        return None
    exe = shutil.which("unshare")
    if exe is None:
        return None
    user = () if os.geteuid() == 0 else ("--user", "--map-root-user")
    return (exe, *user, "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc")


def launch_prefix(config: Config, prefix: Sequence[str] = (), chain: Config | None = None) -> list[str]:
    """``[sandbox.py CHAIN --] unshare … python -I -S sandbox.py CONFIG --``: put before the kernel's own command.
    Without ``prefix`` (and ``config.namespaces`` False) the script only sets the limits and watches the deadline.
    ``chain``: a first link run before ``unshare`` (``Config.chain``: parent-death signal, cgroups, then exec)."""
    first = [sys.executable, "-I", "-S", HERE, chain.to_json(), "--"] if chain is not None else []
    return [*first, *prefix, sys.executable, "-I", "-S", HERE, config.to_json(), "--"]


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
out["sealed"] = out["home_hidden"] and not os.path.exists(os.environ["PROBE_OTHER"]) and not os.path.exists("/run")
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
        os.mkdir(os.path.join(run, "view"))
        os.chmod(root, 0o711)
        uid, gid = run_as(True)
        hand_over(run, uid, gid)
        config = Config(writable=(run,), keep=python_paths(), cwd=run, uid=uid, gid=gid,
                        root=os.path.join(run, "view"), devices=devices())
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PROBE_PORT": str(server.getsockname()[1]),
               "PROBE_HOME": home, "PROBE_SECRET": secret.name,
               "PROBE_OTHER": os.path.join(root, "other")}
        open(os.path.join(root, "other"), "w").close()
        cmd = launch_prefix(config, prefix) + [sys.executable, "-I", "-S", "-c", _PROBE_CODE]
        try:
            proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            seen = json.loads(proc.stdout.strip().splitlines()[-1])
        except Exception as exc:  # noqa: BLE001 - any failure means: not isolated here, say why
            err = locals().get("proc")
            detail = (err.stderr.strip().splitlines() or [""])[-1] if err is not None else f"{type(exc).__name__}: {exc}"
            return Containment(False, memory=limits, reason=f"unshare が使えません / unshare refused: {detail}")
    user = "nobody" if seen["uid"] == NOBODY else "no-capabilities"
    ok = seen["network"] and seen["filesystem"] and seen.get("sealed", False)
    return Containment(ok, network=seen["network"], filesystem=seen["filesystem"], home_hidden=seen["home_hidden"],
                       processes=seen["processes"], user=user, memory=limits,
                       reason="" if ok else "名前空間の一部が効きません / namespaces only partly work",
                       prefix=prefix if ok else ())


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


SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/sys")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty")


def _python_paths() -> tuple[str, ...]:
    """Python's own folders: its prefixes, the interpreter's folder, the standard library and site-packages
    (never ``sys.path`` as a whole: it can hold the current folder or the repository)."""
    import site
    import sysconfig

    paths = [sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             os.path.dirname(sys.executable)]
    paths += [sysconfig.get_path(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")]
    with contextlib.suppress(AttributeError):
        paths += site.getsitepackages()
    if site.ENABLE_USER_SITE:
        paths.append(site.getusersitepackages())
    return tuple(dict.fromkeys(os.path.realpath(p) for p in paths if p and os.path.isdir(p)))


def python_paths(extra: Sequence[str] = ()) -> tuple[str, ...]:
    """What the kernel reads in the sealed view (read-only): the system folders, Python, its packages, ``extra``."""
    system = [p for p in SYSTEM if os.path.lexists(p)]
    return tuple(dict.fromkeys([*system, *_python_paths(), *(os.path.realpath(p) for p in extra)]))


def devices() -> tuple[str, ...]:
    """The device files of the view's ``/dev``: the usual ones, and NVIDIA's when this machine has a GPU."""
    found = [d for d in DEVICES if os.path.exists(d)]
    with contextlib.suppress(OSError):
        found += sorted(os.path.join("/dev", n) for n in os.listdir("/dev") if n.startswith(("nvidia", "dri")))
    return tuple(found)


