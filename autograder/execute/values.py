"""Values of re-execution (options, a worker's task and its execution, a run's result and report); no kernel library.

Frozen dataclasses only: nothing here starts a kernel or reads a file, and nothing imports nbclient,
jupyter_client, distributed or ``autograder.cli``. A ``Task`` and an ``Execution`` travel to and from cluster
workers (pickled), so they refer to nothing on this machine but the datasets folder.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.execute.defaults import (
    DEFAULT_MAX_FILE_MB,
    DEFAULT_MAX_OUTPUT_MB,
    DEFAULT_MAX_PROCESSES,
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT,
    DEFAULT_TIMEOUT_CELL,
)
from autograder.model.results import Report, SubmissionResult

if TYPE_CHECKING:
    from autograder.course.hidden_tests import Restoration

STATUSES = ("ok", "error", "timeout", "memory", "dead", "setup_failed", "not_run")
STOPPED = ("timeout", "dead", "setup_failed")  # execution stopped before the last cell


@dataclass(frozen=True)
class Options:
    """How each notebook is run. Part of the cache key."""

    timeout_cell: float = DEFAULT_TIMEOUT_CELL  # seconds for one cell
    timeout: float = DEFAULT_TIMEOUT  # seconds for the whole notebook
    memory_mb: int = DEFAULT_MEMORY_MB  # RLIMIT_AS of the kernel; 0: no cap
    max_file_mb: int = DEFAULT_MAX_FILE_MB  # RLIMIT_FSIZE: the largest file the notebook may write
    isolate: bool = True  # namespaces where the machine allows them (benchmarks compare with False)
    kernel_name: str = "python3"
    startup_timeout: float = 60.0
    max_output_mb: int = DEFAULT_MAX_OUTPUT_MB  # outputs kept per notebook; 0: no cap
    max_processes: int = DEFAULT_MAX_PROCESSES  # processes and threads of the kernel together; 0: no cap
    gpu: bool = False  # on a Dask cluster: only workers with the resource GPU=1 run it
    verify: bool = True  # save the trained model and score it in a clean process (``verify``), for specs that judge one

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


DEFAULT_OPTIONS = Options()


@dataclass(frozen=True)
class Task:
    """What a worker needs to run one notebook; nothing refers to this machine's files but ``datasets``."""

    name: str  # the submission's file name: its scratch copy has it
    notebook: str  # nbformat-4 JSON to execute: hidden tests restored, outputs cleared
    original: bytes  # the file as submitted: the scratch copy
    options: Options = DEFAULT_OPTIONS
    datasets: str | None = None  # a folder on the worker (None: no datasets, or a DatasetBundle passed along)
    verify: bool = False  # save the trained models and verify them in a clean process (``execute.verify``)
    models: tuple[str, ...] = ()  # the names ``fit`` is called on (the code analysis), the last one's accuracy counts
    dataset: str | None = None  # the test data the clean process scores on: ``<datasets>/<dataset>.npz``


@dataclass(frozen=True)
class Execution:
    """What a worker sends back."""

    status: str
    message: str
    message_en: str
    notebook: str | None = None  # the executed notebook (JSON), partial outputs included
    cell: int | None = None  # the cell where execution stopped or first failed
    seconds: Mapping[str, float] = field(default_factory=dict)
    containment: Mapping[str, Any] = field(default_factory=dict)
    log: str = ""  # the end of the kernel's stderr, when it died or did not start
    dropped_output: int = 0  # bytes of outputs not kept (over ``Options.max_output_mb``)
    device: Mapping[str, Any] = field(default_factory=dict)  # what TensorFlow in the kernel used, when it was imported
    verified: Mapping[str, Any] | None = None  # what the clean process found in the saved model (``execute.verify``)


@dataclass(frozen=True)
class Job:
    """One submission prepared in this process: its cache key, where its executed notebook goes, its task."""

    file: str
    key: str
    executed: Path
    task: Task
    restoration: Restoration


@dataclass(frozen=True)
class RunResult:
    file: str
    status: str
    message: str
    message_en: str
    submission: SubmissionResult
    executed: str | None = None
    cell: int | None = None
    hidden_tests: Mapping[str, Any] = field(default_factory=dict)
    seconds: Mapping[str, float] = field(default_factory=dict)
    containment: Mapping[str, Any] = field(default_factory=dict)
    cached: bool = False
    dropped_output: int = 0
    note: str | None = None  # e.g. not made from the release: graded by the static checks only
    note_en: str | None = None
    device: Mapping[str, Any] = field(default_factory=dict)
    verified: Mapping[str, Any] | None = None  # the clean process's numbers (None: not verified)

    def run_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"status": self.status, "message": self.message_en if lang == "en" else self.message,
                "cell": self.cell, "executed": self.executed, "hidden_tests": dict(self.hidden_tests),
                "seconds": dict(self.seconds), "containment": dict(self.containment), "cached": self.cached,
                "dropped_output_bytes": self.dropped_output, "note": self.note_en if lang == "en" else self.note,
                "device": dict(self.device), "verified": self.verified_json()}

    def verified_json(self) -> dict[str, Any] | None:
        """The clean process's numbers next to what the notebook printed (test accuracy, total parameters)."""
        if self.verified is None:
            return None
        ev = self.submission.evidence
        printed: dict[str, Any] = {"test_accuracy": None, "total_params": []}
        if ev is not None:
            printed["test_accuracy"] = ev.test_accuracy.accuracy if ev.test_accuracy is not None else None
            printed["total_params"] = [s.total_params for s in ev.summaries]
        return {**dict(self.verified), "printed": printed}

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {**self.submission.to_json(lang), "run": self.run_json(lang)}


@dataclass(frozen=True)
class RunReport:
    assignment: str
    results: tuple[RunResult, ...]
    out: str = ""
    containment: Mapping[str, Any] = field(default_factory=dict)

    @property
    def report(self) -> Report:
        """The grade report of the executed notebooks (the contract of ``autograder grade``)."""
        return Report(assignment=self.assignment, submissions=tuple(r.submission for r in self.results))

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        return {"assignment": self.assignment, "submissions": [r.to_json(lang) for r in self.results]}
