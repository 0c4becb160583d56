"""CI cannot go green by skipping: strict mode (tests/conftest.py), the default timeouts and ``.ci/run``'s checks.

Each case runs pytest in a subprocess on a small test file written here, with tests/conftest.py loaded as a plugin,
so the hooks that decide CI's exit code are exercised exactly as in a real session.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# each case starts a pytest process (about 10 s on a busy machine): slow, so the quick loop stays quick
pytestmark = pytest.mark.timeout(120)

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent

SAMPLE = '''
import pytest
from conftest import missing

def test_runs():
    assert True

def test_needs_chromium():
    missing("chromium is not installed", "apt-get install chromium")

@pytest.mark.slow
def test_slow_timeout(request):
    assert request.node.get_closest_marker("timeout").args == (900,)

def test_fast_timeout(request):
    assert request.node.get_closest_marker("timeout").args == (60,)

@pytest.mark.timeout(5)
def test_own_timeout(request):
    assert request.node.get_closest_marker("timeout").args == (5,)
'''


def _pytest(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    (folder / "test_sample.py").write_text(SAMPLE, encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "AUTOGRADER_STRICT_TESTS", "AUTOGRADER_TEST_CORPUS")}
    full_env = {**clean, "PYTHONPATH": str(TESTS), **env}
    cmd = [sys.executable, "-m", "pytest", "-p", "conftest", "-p", "no:cacheprovider", "-q", "-rs",
           "--rootdir", str(folder), "-c", os.devnull, str(folder / "test_sample.py"), *args]
    return subprocess.run(cmd, cwd=folder, env=full_env, capture_output=True, text=True, timeout=100)


@pytest.mark.slow
def test_on_a_developer_machine_a_missing_prerequisite_is_a_skip_with_its_hint(tmp_path):
    proc = _pytest(tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "4 passed, 1 skipped" in proc.stdout and "apt-get install chromium" in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("env", [{"CI": "true"}, {"AUTOGRADER_STRICT_TESTS": "1"}])
def test_in_ci_a_missing_prerequisite_fails_with_its_reason(tmp_path, env):
    proc = _pytest(tmp_path, **env)
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "CI prerequisite missing: chromium is not installed" in proc.stdout


@pytest.mark.slow
def test_in_ci_any_skipped_test_fails_the_session(tmp_path):
    (tmp_path / "test_skips.py").write_text("import pytest\n\ndef test_skipped():\n    pytest.skip('no reason')\n")
    proc = _pytest(tmp_path, str(tmp_path / "test_skips.py"), "-k", "skipped or runs", CI="true")
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert "STRICT MODE: 1 test(s) skipped" in proc.stdout


@pytest.mark.slow
def test_in_ci_a_missing_corpus_stops_the_session_before_collection(tmp_path):
    proc = _pytest(tmp_path, CI="true", AUTOGRADER_TEST_CORPUS=str(tmp_path / "no-corpus"))
    assert proc.returncode == 4, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "the shared corpus" in proc.stdout + proc.stderr and "no-corpus" in proc.stdout + proc.stderr


def test_ci_run_without_the_shared_corpus_fails_and_says_why(tmp_path):
    clone = tmp_path / "clone"
    (clone / ".ci").mkdir(parents=True)
    shutil.copy(REPO / ".ci" / "run", clone / ".ci" / "run")
    proc = subprocess.run(["bash", str(clone / ".ci" / "run")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "../shared/corpus/real" in proc.stderr and "CI prerequisite missing" in proc.stderr


def test_ci_run_sets_strict_mode_and_installs_chromium_outside_the_tests():
    script = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "export CI=true AUTOGRADER_STRICT_TESTS=1" in script
    assert "apt-get update" in script and "apt-get install" in script and "chromium" in script
    assert script.rstrip().endswith('exit "$status"') and "python -m pytest || status=$?" in script
    call = '"apt' + '-get"'  # split, so that this file does not match itself
    for test in TESTS.glob("test_*.py"):
        assert call not in test.read_text(encoding="utf-8"), f"{test.name} runs apt-get: install in .ci/run"
