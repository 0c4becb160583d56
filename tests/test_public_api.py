"""The public API is pinned: ``autograder.__all__`` lists what users may rely on, each name resolves, and the
documented dotted paths (README) keep working."""
from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import autograder

pytestmark = pytest.mark.timeout(120)

EXPECTED = {
    "AutograderError", "CheckResult", "Evidence", "Flag", "FlagKind", "NotebookError", "Report", "Spec", "SpecError",
    "Status", "SubmissionResult", "__version__", "extract", "grade_evidence", "grade_notebook", "grade_paths",
    "inspect_file", "load_notebook", "load_spec", "parse_notebook", "read_raw",
}


def test_all_is_pinned_and_every_name_resolves():
    assert set(autograder.__all__) == EXPECTED
    for name in autograder.__all__:
        assert getattr(autograder, name) is not None, name
    assert set(autograder.__all__) <= set(dir(autograder))
    with pytest.raises(AttributeError):
        autograder.no_such_name  # noqa: B018


@pytest.mark.parametrize("dotted", [
    "autograder.collect.SubmissionNameCollector", "autograder.export.LmsExportPlugin", "autograder.extract.extract",
    "autograder.feedback.write_feedback", "autograder.datasets.make_standin_datasets", "autograder.kernel.check_model",
    "autograder.cli.main",
])
def test_documented_dotted_paths_keep_working(dotted):
    module, _, name = dotted.rpartition(".")
    assert callable(getattr(importlib.import_module(module), name)), dotted


def test_importing_the_package_is_cheap_and_python_dash_m_datasets_works():
    code = "import sys, autograder; print(sorted(m for m in sys.modules if m.startswith('autograder')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['autograder']"  # the API is imported on first use, not by `import autograder`
    helped = subprocess.run([sys.executable, "-m", "autograder.datasets", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "standin" in helped.stdout


def test_the_package_ships_its_type_information():
    from pathlib import Path

    assert (Path(autograder.__file__).parent / "py.typed").is_file()
