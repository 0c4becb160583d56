"""What both feedback pages show of a submission: the numbers of each training run and the rows of its flags.

Reads evidence and flags, decides nothing (the best epoch is ``autograder.judge.metrics.best_epoch``, as the
check). Imports model, judge.metrics and read.names only; no jinja2 here.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.judge.metrics import best_epoch, training_runs
from autograder.judge.metrics import series as metric_series
from autograder.model.evidence import Evidence, Fit
from autograder.model.results import Flag
from autograder.present.feedback.texts import FLAG_EXPLAIN, TEXT
from autograder.present.text import flag_words
from autograder.read.names import parse_submission_name


@dataclass(frozen=True)
class RunFacts:
    """Numbers of one training run, as the pages show them."""

    cell: int | None
    source: str  # "fit" | "history"
    epochs: int
    loss: list[float]
    val_loss: list[float]
    accuracy: list[float]
    val_accuracy: list[float]

    @property
    def best_epoch(self) -> int | None:
        """1-based epoch of the lowest finite val_loss (``autograder.judge.metrics.best_epoch``, as the check)."""
        return best_epoch(self.val_loss)

    @property
    def gap(self) -> float | None:
        if self.loss and self.val_loss and math.isfinite(self.loss[-1]) and math.isfinite(self.val_loss[-1]):
            return self.val_loss[-1] - self.loss[-1]
        return None


def run_facts(ev: Evidence) -> list[RunFacts]:
    """The training runs the grader uses (fit logs, else printed histories), with their four series."""
    facts = []
    for run in training_runs(ev):
        series = {name: [float(v) for v in metric_series(run, name)] for name in ("loss", "val_loss", "accuracy", "val_accuracy")}
        epochs = max((len(v) for v in series.values()), default=0)
        if epochs:
            facts.append(RunFacts(cell=run.cell, source="fit" if isinstance(run, Fit) else "history", epochs=epochs, **series))
    return facts


def flag_context(flag: Flag, lang: str, redact: bool) -> dict[str, Any]:
    """One flag as a page shows it; ``redact`` (a student's page) hides the other students it names."""
    t = TEXT[lang]
    message = flag.message_en if lang == "en" else flag.message
    if redact:
        message = redact_names(message, flag.related_files, t["other_submission"])
    explain = FLAG_EXPLAIN[lang]
    return {"kind": flag.kind, "kind_words": flag_words(flag.kind, lang), "message": message,
            "explain": explain.get(flag.kind, explain[""]),
            "cells": ", ".join(str(c) for c in flag.cells), "related": [] if redact else list(flag.related_files)}


def redact_names(text: str, related: Sequence[str], replacement: str) -> str:
    """Remove other students' file names, ids and names from a text shown to one student."""
    tokens: set[str] = set()
    for f in related:
        p = Path(f)
        tokens |= {f, p.name, p.stem}
        parsed = parse_submission_name(f)
        if parsed:
            tokens |= {parsed.student_id, parsed.name}
    for token in sorted((tok for tok in tokens if len(tok) >= 2), key=len, reverse=True):
        text = text.replace(token, replacement)
    return text
