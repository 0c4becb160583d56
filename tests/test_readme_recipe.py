"""The README's re-execution recipe, taken literally (issue 14 item 6): its commands, end to end, on stand-in data.

The fenced ``bash`` block under "Install and try it" in the section "For instructors: re-execute in a sandbox" is
parsed from README.md (when the README changes, the test follows), and each line is run in order with ``bash``.
Where: a copy of the work tree as a clone would hold it — the files ``git ls-files`` names, tracked or new but not
ignored, with their current contents (a ``git clone`` would miss what is not committed yet, and running in the
work tree itself would leave ``data/`` and ``assignments/run/`` behind). The environment is installed already,
so the ``pip install`` lines are checked (they must install the ``[run]`` extra) and not run; the copy's own
package is the one imported (``PYTHONPATH``), as ``pip install -e .`` in that clone would make it.

Then the report the recipe leaves must hold the expected result for the course's solution: every check but
``gpu`` passes (all of them on a machine with a GPU), its hidden tests restored, and the trained model verified
in the clean process (25,450 parameters, test accuracy ≥ 0.95 on the stand-in data).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import missing

REPO = Path(__file__).resolve().parents[1]
SECTION = "## For instructors: re-execute in a sandbox"
SUBSECTION = "### Install and try it"


def recipe(readme: str) -> list[str]:
    """The commands of the first ``bash`` block under ``SUBSECTION`` of ``SECTION``: comments dropped, continued
    lines joined."""
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    part = section.split(SUBSECTION, 1)[1].split("\n### ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", part, re.S)
    assert block, f"no ```bash block under {SUBSECTION}"
    commands, current = [], ""
    for line in block.group(1).splitlines():
        line = line.split(" #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip():
            commands.append(current.strip())
        current = ""
    return commands


def test_the_recipe_is_parsed_from_the_readme():
    commands = recipe((REPO / "README.md").read_text(encoding="utf-8"))
    assert commands[0].startswith("pip install") and any(c.startswith("autograder run") for c in commands)
    assert all("#" not in c for c in commands)


def _copy_work_tree(to: Path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        missing("this is not a git work tree", "Run the test from a clone of the repository.")
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True, timeout=60).stdout.decode().split("\0")
    for name in filter(None, listed):
        src = REPO / name
        if src.is_file() and not src.is_symlink():  # a file deleted but not yet committed is not copied
            (to / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, to / name)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_readme_recipe_works_end_to_end_on_stand_in_data(tmp_path):
    if importlib.util.find_spec("tensorflow") is None:  # not imported here: only the kernels and the clean process do
        missing("TensorFlow is not installed", "pip install -e '.[test]' (tensorflow-cpu).")
    clone = tmp_path / "clone"
    _copy_work_tree(clone)
    env = {**os.environ, "PYTHONPATH": str(clone), "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"]}
    found = subprocess.run(["python", "-c", "import autograder; print(autograder.__file__)"], cwd=clone, env=env,
                           capture_output=True, text=True, timeout=60, check=True).stdout.strip()
    assert Path(found).resolve().is_relative_to(clone.resolve()), found  # the copy's package, not the work tree's
    commands = recipe((clone / "README.md").read_text(encoding="utf-8"))
    ran, t0 = [], time.perf_counter()
    for command in commands:
        words = shlex.split(command)
        if words[:2] == ["pip", "install"]:  # installed already: it must be the [run] extra
            assert any(re.fullmatch(r"\.\[run(,[a-z]+)*\]", w) for w in words), command
            continue
        proc = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, timeout=420)
        ran.append((command, proc.returncode, proc.stdout[-3000:], proc.stderr[-3000:]))
    elapsed = time.perf_counter() - t0
    run = [r for r in ran if r[0].startswith("autograder run")]
    assert len(run) == 1 and all(code == 0 for c, code, *_ in ran if c not in (run[0][0],)), ran
    report = json.loads((clone / "assignments" / "run" / "mlp" / "report.json").read_text(encoding="utf-8"))
    [sub] = report["submissions"]
    checks = {c["id"]: c["status"] for c in sub["checks"]}
    gpu = bool(sub["run"]["device"].get("gpu"))
    assert {k for k, v in checks.items() if v != "pass"} == (set() if gpu else {"gpu"}), (checks, run[0][2])
    assert sub["score"] == (100 if gpu else 90)
    assert run[0][1] == (0 if gpu else 1), run  # on a CPU the gpu hidden test raises: exit status 1, as documented
    assert "90/100" in run[0][2] or gpu
    assert not sub["run"]["hidden_tests"]["missing"] and sub["run"]["note"] is None
    verified = sub["run"]["verified"]
    assert verified["status"] == "ok" and verified["dataset"] == "mnist" and verified["test_samples"] == 10_000
    model = verified["models"][-1]
    assert model["params"] == 25450 and model["test_accuracy"] >= 0.95
    assert abs(model["test_accuracy"] - verified["printed"]["test_accuracy"]) < 1e-4
    print(f"README recipe: {elapsed:.0f} s")
