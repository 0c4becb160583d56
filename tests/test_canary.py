"""Canary (issue #7): grading never runs a notebook's code, and the static path imports no kernel or ML library.

One subprocess runs ``autograder check``, ``grade`` and ``inspect`` through ``autograder.cli.main`` on a complete
submission whose cells, if anything ran them, would create files, connect to a socket listening in this test,
import a module with side effects, run shell commands and start processes. The subprocess records, with an
audit hook (PEP 578), every attempt to write a file, open a socket, start a process or execute code naming the
canary, and prints what it saw and which forbidden modules ``sys.modules`` holds at the end.
"""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from autograder.testing import samples as s

CANARY = "CANARY_7f3a9"  # a name only the notebook's code uses: any code object naming it was executed
FORBIDDEN = ("tensorflow", "keras", "torch", "nbclient", "nbconvert", "nbgrader",
             # the kernel machinery, and nbformat (imported only to upgrade an nbformat 3 file)
             "nbformat", "jupyter_client", "zmq", "IPython", "ipykernel")

RUNNER = textwrap.dedent('''
    import io, json, os, sys, contextlib
    CANARY, report, forbidden = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    notebook, folder = sys.argv[4], sys.argv[5]
    seen = []
    WRITE = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def names(code):
        found = set(code.co_names) | set(code.co_varnames)
        for const in code.co_consts:
            if hasattr(const, "co_names"):
                found |= names(const)
        return found

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            writing = any(c in mode for c in "wax+") if isinstance(mode, str) else bool((flags or 0) & WRITE)
            if writing:
                seen.append(["write", str(path)])
        elif event == "exec":
            if CANARY in names(args[0]):
                seen.append(["exec", args[0].co_filename])
        elif event.startswith(("socket.", "subprocess.", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                               "os.fork", "pty.", "ctypes.", "urllib.", "http.", "webbrowser.", "shutil.")):
            seen.append([event, repr(args)[:120]])

    sys.addaudithook(hook)
    from autograder.cli import main
    codes = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        codes["check"] = main(["check", notebook])
        codes["grade"] = main(["grade", "--assignment", "mlp", folder, "--json", report])
        codes["inspect"] = main(["inspect", "--json", notebook])
    present = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
    print(json.dumps({"codes": codes, "seen": seen, "modules": present, "stdout": len(out.getvalue()),
                      "canary_module": "canary_side_effect_7f3a9" in sys.modules}))
''')


def _trap_notebook(folder: Path, port: int) -> dict:
    """A full-marks mlp submission with booby-trapped cells, each with an output so that it looks executed."""
    markers = {k: folder / f"{k}.marker" for k in ("open", "module", "shell", "bash", "system", "exec", "pickle")}
    (folder / "canary_side_effect_7f3a9.py").write_text(
        f"open({str(markers['module'])!r}, 'w').write('imported')\n", encoding="utf-8")
    traps = [
        f"{CANARY} = open({str(markers['open'])!r}, 'w')\n{CANARY}.write('ran')\nprint('Test accuracy:', 0.99)",
        f"import socket\n{CANARY} = socket.create_connection(('127.0.0.1', {port}))\nprint({CANARY})",
        f"import canary_side_effect_7f3a9 as {CANARY}",
        f"!touch {markers['shell']}\n{CANARY} = 1",
        f"%%bash\ntouch {markers['bash']}",
        f"{CANARY} = __import__('os').system('touch {markers['system']}')",
        f"exec(\"open({str(markers['exec'])!r}, 'w')\")\n{CANARY} = eval('1 + 1')",
        ("import pickle, os\n"
         f"class {CANARY}:\n    def __reduce__(self):\n        return (os.system, ('touch {markers['pickle']}',))\n"
         f"pickle.loads(pickle.dumps({CANARY}()))"),
        f"import subprocess\n{CANARY} = subprocess.run(['touch', {str(markers['shell'])!r}])",
    ]
    nb = s.submission("mlp", seed=11)
    evaluate = nb["cells"].pop()
    nb["cells"] += [s.code(t, [s.stream(f"{CANARY}\n")]) for t in traps] + [evaluate]
    nb["metadata"]["autograder"] = {"assignment": "mlp"}
    return nb, markers


def test_grading_runs_nothing_and_imports_no_kernel_or_ml_library(tmp_path: Path):
    folder = tmp_path / "submissions"
    folder.mkdir()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    nb, markers = _trap_notebook(folder, port)
    notebook = folder / "2412345_罠_2.ipynb"
    notebook.write_text(s.dumps(nb), encoding="utf-8")
    report = tmp_path / "report.json"
    proc = subprocess.run(
        [sys.executable, "-B", "-c", RUNNER, CANARY, str(report), ",".join(FORBIDDEN), str(notebook), str(folder)],
        cwd=folder, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(folder), "AUTOGRADER_LANG": "ja"},
        capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])

    # the commands really graded the notebook (every check passes: the traps are ordinary-looking cells)
    assert out["codes"] == {"check": 0, "grade": 0, "inspect": 0}
    graded = json.loads(report.read_text(encoding="utf-8"))["submissions"][0]
    assert graded["status"] == "graded" and graded["score"] == 100

    # nothing ran: no file created, no connection, no process, no code naming the canary executed
    assert [k for k, m in markers.items() if m.exists()] == []
    assert out["seen"] == [["write", str(report)]]
    assert out["canary_module"] is False
    listener.setblocking(False)
    with pytest.raises(BlockingIOError):
        listener.accept()  # no pending connection
    listener.close()

    # the static path imported none of the kernel or ML libraries
    assert out["modules"] == []


def test_the_canary_would_see_execution(tmp_path: Path):
    """The hook is not blind: executing one trap cell in the same kind of subprocess is recorded and leaves
    its marker. (Guards the test above against passing because the hook never fires.)"""
    folder = tmp_path / "f"
    folder.mkdir()
    nb, markers = _trap_notebook(folder, 9)
    source = next(c["source"] for c in nb["cells"] if c["cell_type"] == "code" and "'ran'" in "".join(c["source"]))
    runner = RUNNER.replace("from autograder.cli import main", f"exec(compile({source!r}, '<cell>', 'exec'))\n"
                                                                "from autograder.cli import main")
    notebook = folder / "2412345_罠_2.ipynb"
    notebook.write_text(s.dumps(nb), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-B", "-c", runner, CANARY, str(tmp_path / "r.json"), "tensorflow",
                           str(notebook), str(folder)], cwd=folder, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert ["exec", "<cell>"] in out["seen"]
    assert ["write", str(markers["open"])] in out["seen"]
    assert markers["open"].exists()
