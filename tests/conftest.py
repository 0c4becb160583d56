"""Shared fixtures and suite policy: a notebook factory that writes notebooks *with outputs* built in code, the real
corpus, per-test timeouts, the hypothesis profiles and CI's strict mode.

Strict mode (``CI=true``, which CI services set, or ``AUTOGRADER_STRICT_TESTS=1``; ``.ci/run`` sets both): a missing
prerequisite -- the shared corpus ``../shared/corpus/real``, Chromium, Linux namespaces -- is a failure with a clear
message instead of a skip, and a session in which any test was skipped fails. On a developer's machine those tests
skip with the reason and the install hint.

Timeouts: every test gets ``FAST_TIMEOUT`` seconds, or ``SLOW_TIMEOUT`` when marked ``slow``, unless the test or its
module sets its own ``pytest.mark.timeout(N)``.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from autograder.errors import RAISE_ENV
from autograder.testing import samples

# A crash inside a check or an integrity rule fails the test that caused it, instead of becoming an ``error``
# result or an ``integrity_error`` flag (which is what users get). Subprocesses of the tests inherit it.
os.environ[RAISE_ENV] = "1"

REPO = Path(__file__).resolve().parents[1]
# AUTOGRADER_TEST_CORPUS moves it (tests/test_ci_policy.py uses it to check that a missing corpus stops CI).
CORPUS = Path(os.environ.get("AUTOGRADER_TEST_CORPUS") or REPO.parent / "shared" / "corpus" / "real")
ASSIGNMENTS = ("perceptron", "mlp", "history", "dropout")  # the course in assignments/, in order

STRICT_ENV = "AUTOGRADER_STRICT_TESTS"
FAST_TIMEOUT = 60  # seconds, every test not marked slow (parsers must fail, not hang)
SLOW_TIMEOUT = 900  # seconds, tests marked slow (kernels, TensorFlow, nbgrader)

# Hypothesis: "dev" is the default; "ci" (selected in strict mode, or with HYPOTHESIS_PROFILE=ci) draws more
# examples, never uses a deadline (the machine is shared) and prints the failing example's blob to reproduce it;
# "quick" (selected by the quick command, ``-m "not slow"``, outside strict mode) draws a fifth of them: the quick
# loop must stay under a minute, and the full suite and CI still draw every example.
settings.register_profile("dev", deadline=None)
settings.register_profile("quick", max_examples=20, deadline=None)
settings.register_profile("ci", max_examples=200, deadline=None, print_blob=True, derandomize=True,
                          suppress_health_check=[HealthCheck.too_slow])
QUICK_DIVISOR = 5  # property tests with their own example count draw count // 5 (at least 20) in the quick loop
_QUICK = {"on": False}


def strict() -> bool:
    """True in CI (``CI=true``) or with ``AUTOGRADER_STRICT_TESTS=1``: missing prerequisites fail, skips fail."""
    return os.environ.get(STRICT_ENV, "") == "1" or os.environ.get("CI", "").lower() in ("true", "1")


def missing(what: str, hint: str) -> None:
    """A prerequisite is absent: skip on a developer's machine, fail in strict mode (CI). Never returns."""
    message = f"{what}. {hint}"
    if strict():
        pytest.fail(f"CI prerequisite missing: {message} (strict mode: CI=true or {STRICT_ENV}=1)", pytrace=False)
    pytest.skip(message)


CORPUS_HINT = ("Clone the shared material beside the repository (../shared/corpus/real); "
               "many tests are parametrized over its files at collection time.")


def quick_run(config: pytest.Config) -> bool:
    """The quick command: ``-m "not slow"`` outside strict mode (CI always runs the full suite)."""
    return not strict() and "not slow" in (config.getoption("markexpr", "") or "")


def pytest_configure(config: pytest.Config) -> None:
    _QUICK["on"] = quick_run(config)
    settings.load_profile("ci" if strict() else os.environ.get("HYPOTHESIS_PROFILE")
                          or ("quick" if _QUICK["on"] else "dev"))


def examples(full: int) -> int:
    """Examples for a property test that sets its own count: ``full`` in the full suite and in CI, a fifth of it (at
    least 20) in the quick command. Test modules are imported after ``pytest_configure``, so module-level
    ``settings(max_examples=examples(N))`` sees the run's choice."""
    return max(20, full // QUICK_DIVISOR) if _QUICK["on"] else full


def pytest_sessionstart(session: pytest.Session) -> None:
    # Parametrized corpus tests are generated from the files at collection time: without the corpus they are never
    # generated, so a per-test failure could not catch it. In strict mode the whole session stops here.
    if strict() and not CORPUS.is_dir():
        raise pytest.UsageError(f"CI prerequisite missing: the shared corpus {CORPUS} is not there. {CORPUS_HINT}")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.get_closest_marker("timeout") is None:
            seconds = SLOW_TIMEOUT if item.get_closest_marker("slow") is not None else FAST_TIMEOUT
            item.add_marker(pytest.mark.timeout(seconds))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if strict() and skipped:
        terminalreporter.write_line(f"STRICT MODE: {len(skipped)} test(s) skipped; in CI every test must run "
                                    "(install the missing prerequisite named in the skip reason).", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if strict() and skipped and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        missing(f"{CORPUS} is not beside the repository", CORPUS_HINT)
    return CORPUS


@pytest.fixture(scope="session")
def released_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the course after ``nbgrader generate_assignment`` of all four assignments, made once per session
    and shared by the nbgrader tests. Read it, or copy it (``shutil.copytree``) before changing anything in it."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("released-course")
    shutil.copy(REPO / "assignments" / "nbgrader_config.py", root)
    shutil.copytree(REPO / "assignments" / "source", root / "source")
    script = ("import json\nfrom nbgrader.apps import NbGraderAPI\nfrom traitlets.config.loader import PyFileConfigLoader\n"
              "api = NbGraderAPI(config=PyFileConfigLoader('nbgrader_config.py', path='.').load_config())\n"
              f"out = {{a: api.generate_assignment(a)['success'] for a in {list(ASSIGNMENTS)!r}}}\n"
              "print(json.dumps(out))\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == {a: True for a in ASSIGNMENTS}, proc.stderr[-3000:]
    return root


@pytest.fixture
def write_nb(tmp_path: Path) -> Callable[..., Path]:
    """write_nb(cells_or_notebook, name="nb.ipynb", metadata=None) -> path of the written notebook."""

    def write(content: Any, name: str = "nb.ipynb", metadata: dict | None = None) -> Path:
        nb = content if isinstance(content, dict) else samples.notebook(content, metadata)
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        return path

    return write
