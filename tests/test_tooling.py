"""The tooling that keeps the layers so: ruff and mypy run as part of the test suite (so CI runs them)."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parents[1]
LINTED = ["autograder", "assignments/build", "assignments/build_notebooks.py", "tests", "benchmarks", "examples"]


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *cmd], cwd=REPO, capture_output=True, text=True, timeout=280)


def test_ruff_is_clean():
    if shutil.which("ruff") is None and _run("ruff", "--version").returncode != 0:
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    out = _run("ruff", "check", *LINTED)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]


def test_mypy_is_clean_on_the_package():
    out = _run("mypy")  # files and options: [tool.mypy] in pyproject.toml
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
