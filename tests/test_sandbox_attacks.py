"""Attacks on ``autograder run``'s sandbox, each run inside a real kernel and asserted contained (issue 14).

Slow tests (``-m slow``) start kernels on tiny pure-Python notebooks, all in one batch on two workers: reading
the course, the solutions, the output folder, a planted secret, ``/tmp``, ``/run`` and a host Unix socket;
replacing the run folder's files by a FIFO and links; forking and allocating past the whole-kernel caps;
printing far more than the output cap. Another test kills the grader and looks for the kernel left behind.
Fast tests check the allow-lists and the pipe that carries the kernel's log.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import missing
from nbformat.v4 import new_code_cell, new_notebook

from autograder.execute import contain, limits, worker
from autograder.execute.run import Options, run_paths
from autograder.judge.spec import load_spec

pytestmark = pytest.mark.timeout(600)
REPO = Path(__file__).resolve().parents[1]
LINUX = sys.platform.startswith("linux")


def _write(path: Path, *sources: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), str(path))
    return path


def _text(cell: dict) -> str:
    return "".join("".join(o["text"]) if isinstance(o.get("text"), list) else o.get("text", "")
                   for o in cell.get("outputs", []) if o["output_type"] == "stream")


def _errors(cell: dict) -> list[str]:
    return [o["ename"] for o in cell.get("outputs", []) if o["output_type"] == "error"]


# ================================================================== fast

def test_the_environment_is_an_allow_list_without_wildcards():
    env = worker.scrubbed_env({"PATH": "/usr/bin", "OMP_NUM_THREADS": "2", "OMP_TOOL_LIBRARIES": "/tmp/evil.so",
                               "MKL_VERBOSE": "1", "OPENBLAS_CORETYPE": "x", "AWS_SECRET_ACCESS_KEY": "k"})
    assert env == {"PATH": "/usr/bin", "OMP_NUM_THREADS": "2"}
    assert worker.ENV_KEEP_PREFIXES == ()


def test_the_view_keeps_python_and_never_the_repository_or_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    keep = contain.python_paths([str(worker.PACKAGE)])
    assert str(worker.PACKAGE) in keep and os.path.realpath(sys.prefix) in keep
    assert str(REPO) not in keep and str(tmp_path) not in keep and os.path.realpath(tempfile.gettempdir()) not in keep
    assert not any(p in ("/", "/home", "/root", "/tmp", "/run", "/var") for p in keep)


def test_the_log_pipe_keeps_only_the_end_and_never_blocks_the_writer():
    with worker.LogPipe(1000) as log:
        for _ in range(200):
            log.writer.write(b"x" * 10_000)  # 2 MB through a 64 KB pipe: the reader keeps draining
        log.writer.write(b"THE-END")
        log.writer.flush()
        time.sleep(0.3)
    assert log.total == 2_000_007 and len(log.data) == 1000 and log.text().endswith("THE-END")


def test_the_cgroup_kind_is_stated():
    assert limits.kind() in ("cgroup-v2", "cgroup-v1", "rlimit")


def test_the_default_output_folder_is_under_the_course_and_git_ignored(tmp_path, monkeypatch):
    from autograder.cli.run import default_out

    assert default_out("mlp", str(tmp_path)) == tmp_path / "run" / "mlp"
    monkeypatch.chdir(tmp_path)
    assert default_out("mlp", None) == Path("run-mlp")  # no course here: ignored by the repository's run-*/
    (tmp_path / "assignments" / "source").mkdir(parents=True)
    assert default_out("mlp", None) == Path("assignments") / "run" / "mlp"
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return
    for path in ("assignments/run/mlp/report.json", "run-mlp/report.json"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO).returncode == 0, path


def test_run_exits_non_zero_when_a_notebook_was_refused(tmp_path):
    from autograder.cli import main

    bad = tmp_path / "2412001_x_1.ipynb"
    bad.write_text("{ not json")
    assert main(["run", "-a", "perceptron", str(bad), "-o", str(tmp_path / "out"), "--json", str(tmp_path / "r.json")]) == 1


# ================================================================== in kernels (slow)

SECRET = "PLANTED-SECRET-4f1c"


@pytest.fixture(scope="module")
def attacks(tmp_path_factory) -> dict[str, Any]:
    contained = worker.containment(True)
    if not contained.isolated:
        missing(f"Linux namespaces are not available here ({contained.reason})",
                "Run the suite as root on Linux with mount/network/PID namespaces allowed (unshare), as CI does.")
    root = tmp_path_factory.mktemp("attacks")
    home = root / "home"
    home.mkdir()
    (home / "secret.txt").write_text(SECRET)
    planted_tmp = Path(tempfile.gettempdir()) / f"autograder-planted-{os.getpid()}.txt"
    planted_tmp.write_text(SECRET)
    sock_path = Path(tempfile.gettempdir()) / f"autograder-host-{os.getpid()}.sock"
    host = socket.socket(socket.AF_UNIX)
    host.bind(str(sock_path))
    host.listen(1)
    out = root / "out"
    subs = root / "subs"
    read_paths = [str(REPO / "assignments" / "source" / "perceptron" / "perceptron.ipynb"),
                  str(REPO / "solutions" / "perceptron.ipynb"), str(REPO / "README.md"), str(REPO / "assignments"),
                  str(out), str(out / "cache"), str(home / "secret.txt"), str(planted_tmp), str(subs), "/run", "/root",
                  "/home", "/var", str(REPO / "tests")]
    probe = textwrap.dedent(f"""
        import json, os
        seen = {{}}
        for p in {read_paths!r}:
            try:
                seen[p] = os.listdir(p) if os.path.isdir(p) else open(p, errors='replace').read(200)
            except OSError as exc:
                seen[p] = type(exc).__name__
        print('SEEN', json.dumps(seen))
        """)
    _write(subs / "read.ipynb", probe,
           f"import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect({str(sock_path)!r})\nprint('CONNECTED')",
           "import autograder.kernel\nprint('IMPORTED', autograder.kernel.__name__)")
    _write(subs / "files.ipynb",
           "import os\nrun = os.path.dirname(os.getcwd())\nprint(sorted(os.listdir(run)))",
           "for n in ('kernel.log', 'log', 'fifo'):\n    p = os.path.join(run, n)\n    os.path.lexists(p) and os.remove(p)\n"
           "    os.mkfifo(p)\nos.symlink('/dev/zero', os.path.join(run, 'zero'))\n"
           "os.symlink('/etc/shadow', os.path.join(run, 'shadow'))\nprint('PLANTED')",
           "print('after')")
    _write(subs / "forks.ipynb",
           "import os, time\nn = 0\npids = []\nfor _ in range(2000):\n    try:\n        pid = os.fork()\n"
           "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n        os._exit(0)\n"
           "    pids.append(pid)\nprint('FORKED', len(pids))\nfor p in pids:\n    os.kill(p, 9)\n"
           "for p in pids:\n    os.waitpid(p, 0)")
    # Each child holds 300 MB, says which it is, and stays. A child the memory cap kills may already have said so
    # (the OOM killer takes the largest), so what counts is who is still alive and holding at the end: the memory
    # held *at once*, not how many ever got there.
    _write(subs / "children.ipynb", textwrap.dedent("""\
        import os, select, time
        r, w = os.pipe()
        kids = []
        for i in range(5):
            pid = os.fork()
            if pid == 0:
                try:
                    b = bytearray(300 * 1024 * 1024)
                    b[::4096] = b'x' * len(b[::4096])
                    os.write(w, bytes([48 + i]))
                    time.sleep(60)
                finally:
                    os._exit(0)
            kids.append(pid)
        os.close(w)
        got = b''
        last = time.time()
        while len(got) < 5 and time.time() - last < 8:
            ready, _, _ = select.select([r], [], [], 1)
            if ready:
                c = os.read(r, 10)
                if not c:
                    break
                got += c
                last = time.time()
        alive = [i for i, k in enumerate(kids) if os.waitpid(k, os.WNOHANG) == (0, 0)]
        holding = [i for i in alive if bytes([48 + i]) in got]
        print('HELD', len(got), 'ALIVE', len(alive), 'HOLDING', len(holding))
        for k in kids:
            try: os.kill(k, 9)
            except OSError: pass
        """))
    _write(subs / "loud.ipynb", "for _ in range(400):\n    print('y' * 100_000)", "print('still here')")
    try:
        start = time.perf_counter()
        report = run_paths([str(subs)], load_spec("perceptron"), out,
                           Options(timeout_cell=90, timeout=240, memory_mb=1024, max_processes=64, max_output_mb=1), jobs=2)
        elapsed = time.perf_counter() - start
    finally:
        host.close()
        sock_path.unlink(missing_ok=True)
        planted_tmp.unlink(missing_ok=True)
    results = {Path(r.file).stem: r for r in report.results}
    executed = {k: json.loads(Path(r.executed).read_text()) for k, r in results.items() if r.executed}
    return {"results": results, "executed": executed, "elapsed": elapsed, "out": out}


@pytest.mark.slow
def test_the_kernel_sees_nothing_of_the_course_the_output_or_planted_secrets(attacks):
    cells = attacks["executed"]["read"]["cells"]
    line = next(x for x in _text(cells[0]).splitlines() if x.startswith("SEEN "))
    seen = json.loads(line[5:])
    keep = contain.python_paths([str(worker.PACKAGE)])
    for path, what in seen.items():
        if isinstance(what, list):  # a folder on the way to Python (``/root/.pyenv``): only that way is there
            assert all(any(k.startswith(os.path.join(path, name)) for k in keep) for name in what), (path, what)
        else:
            assert what in ("FileNotFoundError", "PermissionError"), (path, what)
    assert SECRET not in json.dumps(attacks["executed"]["read"])


@pytest.mark.slow
def test_a_host_unix_socket_is_unreachable_and_the_checks_module_still_imports(attacks):
    cells = attacks["executed"]["read"]["cells"]
    assert _errors(cells[1]) in (["FileNotFoundError"], ["ConnectionRefusedError"], ["PermissionError"])
    assert "CONNECTED" not in _text(cells[1])
    assert "IMPORTED autograder.kernel" in _text(cells[2])  # the package is in the view, the repository is not


@pytest.mark.slow
def test_fifos_and_links_in_the_run_folder_are_never_read_by_the_grader(attacks):
    r = attacks["results"]["files"]
    cells = attacks["executed"]["files"]["cells"]
    assert "PLANTED" in _text(cells[1]) and "after" in _text(cells[2])
    assert r.status == "ok"
    cache = json.loads(next((attacks["out"] / "cache").glob("*.json")).read_text())
    assert "root:" not in json.dumps(cache)  # no /etc/shadow copied in
    assert attacks["elapsed"] < 400  # the batch went on: no hang on a FIFO, no endless read of /dev/zero


@pytest.mark.slow
def test_forks_past_the_process_cap_fail(attacks):
    text = _text(attacks["executed"]["forks"]["cells"][0])
    forked = int(text.split("FORKED")[1].split()[0])
    assert forked < 64, text  # the cap is for the kernel and its children together


@pytest.mark.slow
def test_children_together_cannot_hold_more_than_the_memory_cap(attacks):
    r = attacks["results"]["children"]
    if r.containment.get("limits") == "rlimit":
        pytest.skip("no cgroups here: the memory cap is per process (RLIMIT_AS)")
    text = _text(attacks["executed"]["children"]["cells"][0])
    assert "HOLDING" in text, text
    holding = int(text.split("HOLDING")[1].split()[0])
    assert holding <= 3, text  # 5 × 300 MB asked for under a 1024 MB cap for the whole kernel: at most 3 at once
    assert int(text.split("ALIVE")[1].split()[0]) < 5, text


@pytest.mark.slow
def test_output_past_the_cap_is_dropped_with_a_note_and_reported(attacks):
    r = attacks["results"]["loud"]
    executed = Path(r.executed)
    assert r.status == "ok" and r.dropped_output > 30_000_000
    assert executed.stat().st_size < 3 * 1024 * 1024
    nb = attacks["executed"]["loud"]
    assert "too much output" in json.dumps(nb)
    assert r.run_json("en")["dropped_output_bytes"] == r.dropped_output


@pytest.mark.slow
def test_a_notebook_not_made_from_the_release_is_graded_by_the_static_checks_with_a_note(attacks):
    r = attacks["results"]["read"]
    assert r.note and "release" in r.note_en
    assert not any(c.status == "missing" and "test cell" in c.message_en for c in r.submission.checks)


GRADER = """
import sys
from autograder.execute.run import Options, run_paths
from autograder.judge.spec import load_spec
r = run_paths([sys.argv[1]], load_spec("perceptron"), sys.argv[2], Options(timeout_cell=600, timeout=600), jobs=1)
print(r.results[0].status, r.results[0].message_en, r.results[0].seconds, file=sys.stderr)
"""


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="PR_SET_PDEATHSIG is Linux only")
def test_killing_the_grader_kills_the_kernel(tmp_path):
    nb = _write(tmp_path / "sub" / "sleep.ipynb", "import time\nprint('sleeping', flush=True)\ntime.sleep(600)")
    token = Path(tempfile.mkdtemp(prefix="agk-", dir="/tmp"))  # short: the kernel's socket paths live under it
    env = dict(os.environ, TMPDIR=str(token), PYTHONPATH=str(REPO))
    with open(tmp_path / "grader.log", "w") as log:
        grader = subprocess.Popen([sys.executable, "-c", GRADER, str(nb), str(tmp_path / "out")], env=env,
                                  stdout=subprocess.DEVNULL, stderr=log)

    def kernels() -> list[int]:
        found = []
        for pid in os.listdir("/proc"):
            if not pid.isdigit() or int(pid) == grader.pid:
                continue
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if str(token).encode() in cmd and b"ipykernel" in cmd:
                found.append(int(pid))
        return found

    try:
        deadline = time.time() + 90
        while not kernels() and time.time() < deadline:
            time.sleep(0.5)
        assert kernels(), (grader.poll(), (tmp_path / "grader.log").read_text()[-3000:], [str(p) for p in tmp_path.rglob("*")][:20],
                           (lambda p: p.read_text()[:3000] if p.exists() else None)(tmp_path / "out" / "report.json"))
        time.sleep(2)
        grader.send_signal(signal.SIGKILL)
        grader.wait(10)
        deadline = time.time() + 10
        while kernels() and time.time() < deadline:
            time.sleep(0.2)
        assert not kernels()
    finally:
        if grader.poll() is None:
            grader.kill()
        for pid in kernels():
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(token, ignore_errors=True)


@pytest.mark.slow
def test_the_device_tensorflow_used_is_asked_of_the_kernel(tmp_path):
    pytest.importorskip("tensorflow")
    nb = _write(tmp_path / "sub" / "tf.ipynb", "import tensorflow as tf\nprint(tf.reduce_sum(tf.ones(3)).numpy())")
    report = run_paths([str(nb)], load_spec("perceptron"), tmp_path / "out", Options(timeout_cell=300, timeout=400, memory_mb=0))
    (r,) = report.results
    assert r.status == "ok", r.message_en
    assert r.device["tensorflow"] is True and r.device["source"] == "kernel"
    assert any(d.endswith("CPU:0") for d in r.device["devices"]) and r.device["gpu"] is False  # no GPU on this machine
    assert r.run_json()["device"] == dict(r.device)
