"""One owner for the facts of a training run that checks, integrity, collusion and the feedback pages share.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

import math
from collections.abc import Sequence

from autograder.model.evidence import Evidence, Fit, History
from autograder.model.keras import canonical_metric, metric_names

Run = Fit | History


def training_runs(ev: Evidence) -> list[Run]:
    """Training runs with per-epoch values: fit logs, or printed history dicts when no log was printed."""
    fits = [f for f in ev.fits if f.epochs]
    if fits:
        return list(fits)
    return [h for h in ev.histories if h.values]


def series(run: Run, name: str) -> list[float]:
    """The per-epoch values of one metric (aliases accepted: ``acc`` = ``accuracy``); ``[]`` when absent."""
    if isinstance(run, Fit):
        for key in metric_names(name):
            values = run.series(key)
            if values:
                return values
        return []
    if run.values is None:
        return []
    for key, recorded in run.values.items():
        if canonical_metric(key) == canonical_metric(name):
            return list(recorded)
    return []


def best_epoch(values: Sequence[float]) -> int | None:
    """1-based epoch of the lowest *finite* value, the first of equal ones (``[nan, 0.5, 0.3]`` → 3); ``None`` when
    none is finite."""
    tied = best_epochs(values)
    return tied[0] if tied else None


def best_epochs(values: Sequence[float]) -> list[int]:
    """Every 1-based epoch whose finite value equals the lowest one. A training log shows 4 decimals, and rounding
    keeps the order (x < y never shows as x > y), so the true lowest epoch is always among these; two epochs that
    print the same value are both right as far as the notebook shows."""
    finite = [v for v in values if isinstance(v, (int, float)) and math.isfinite(v)]
    if not finite:
        return []
    low = min(finite)
    return [i + 1 for i, v in enumerate(values) if v == low]


def last_gap(run: Run) -> float | None:
    """``val_loss − loss`` at the last epoch, ``None`` when either is missing or not finite."""
    loss, val_loss = series(run, "loss"), series(run, "val_loss")
    if loss and val_loss and math.isfinite(loss[-1]) and math.isfinite(val_loss[-1]):
        return val_loss[-1] - loss[-1]
    return None
