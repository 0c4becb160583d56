"""Keras vocabulary shared by reading and judging: method names and metric aliases. Values only; standard library only."""
from __future__ import annotations

FIT_METHODS: tuple[str, ...] = ("fit", "fit_generator")  # Keras ≤ 2.x trains generators with fit_generator
EVALUATE_METHODS: tuple[str, ...] = ("evaluate", "evaluate_generator")
RECORDED_METHODS: frozenset[str] = frozenset({"compile", *FIT_METHODS, *EVALUATE_METHODS})  # calls the code analysis keeps

METRIC_ALIASES: dict[str, str] = {"acc": "accuracy", "val_acc": "val_accuracy"}  # Keras ≤ 2.2 names


def canonical_metric(name: str) -> str:
    """``acc`` → ``accuracy``, ``val_acc`` → ``val_accuracy``; other names unchanged."""
    return METRIC_ALIASES.get(name, name)


def metric_names(name: str) -> tuple[str, ...]:
    """The canonical name and every alias of it, canonical first (``accuracy`` → ``("accuracy", "acc")``)."""
    canonical = canonical_metric(name)
    return (canonical, *[k for k, v in METRIC_ALIASES.items() if v == canonical])


def significant_digits(value: float) -> int:
    """Significant digits of a float's shortest repr: ``0.97`` → 2, ``0.9728000164031982`` → 16."""
    mantissa = repr(abs(value)).lower().partition("e")[0].replace(".", "").lstrip("0")
    return len(mantissa)
