"""kadai-autograder: grade Keras/Colab assignment notebooks from their saved outputs. The public API.

Everything named in ``__all__`` is stable; it is imported lazily on first use, so ``import autograder`` (and
``from autograder import kernel`` in a student's kernel) stays cheap. Layers, bottom to top: ``model`` (values),
``read`` (files → evidence), ``judge`` (evidence × spec → results), ``present`` (text, JSON, CSV, pages),
``pipeline`` (the static grading edge), ``course`` (nbgrader), ``execute`` (re-execution), ``cli``.
"""
from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_WHERE = {
    "AutograderError": "autograder.errors", "NotebookError": "autograder.errors", "SpecError": "autograder.errors",
    "CheckResult": "autograder.model.results", "Flag": "autograder.model.results", "FlagKind": "autograder.model.results",
    "Report": "autograder.model.results", "Status": "autograder.model.results",
    "SubmissionResult": "autograder.model.results", "Evidence": "autograder.model.evidence",
    "Spec": "autograder.model.spec", "load_notebook": "autograder.read.notebook", "parse_notebook": "autograder.read.notebook",
    "read_raw": "autograder.read.notebook", "extract": "autograder.read.extract", "load_spec": "autograder.judge.spec",
    "grade_evidence": "autograder.judge.grade", "grade_notebook": "autograder.pipeline", "grade_paths": "autograder.pipeline",
    "inspect_file": "autograder.pipeline",
}
__all__ = [
    "AutograderError",
    "CheckResult",
    "Evidence",
    "Flag",
    "FlagKind",
    "NotebookError",
    "Report",
    "Spec",
    "SpecError",
    "Status",
    "SubmissionResult",
    "__version__",
    "extract",
    "grade_evidence",
    "grade_notebook",
    "grade_paths",
    "inspect_file",
    "load_notebook",
    "load_spec",
    "parse_notebook",
    "read_raw",
]


if TYPE_CHECKING:  # pragma: no cover - for type checkers and editors
    from autograder.errors import AutograderError, NotebookError, SpecError
    from autograder.judge.grade import grade_evidence
    from autograder.judge.spec import load_spec
    from autograder.model.evidence import Evidence
    from autograder.model.results import CheckResult, Flag, FlagKind, Report, Status, SubmissionResult
    from autograder.model.spec import Spec
    from autograder.pipeline import grade_notebook, grade_paths, inspect_file
    from autograder.read.extract import extract
    from autograder.read.notebook import load_notebook, parse_notebook, read_raw


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(import_module(_WHERE[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'autograder' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
