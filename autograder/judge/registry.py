"""The registry of check kinds (parameters, their validation, the function that runs each). Standard library only.

``autograder.judge.checks`` registers every kind here with ``@kind(...)``; ``autograder.judge.spec`` validates
a spec's parameters against it. Imports nothing of autograder but the value types of ``autograder.model``.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from autograder.model.evidence import Evidence
from autograder.model.results import Outcome

CheckFn = Callable[[Evidence, Mapping[str, Any]], Outcome]
NUM: tuple[type, ...] = (int, float)  # a number parameter (``bool`` is refused unless a Param lists it)


@dataclass(frozen=True)
class Param:
    types: tuple[type, ...]
    required: bool = False
    list_of: tuple[type, ...] | None = None  # element types when the value is a list


@dataclass(frozen=True)
class Kind:
    name: str
    params: Mapping[str, Param]
    run: CheckFn
    needs_one_of: tuple[str, ...] = ()

    def validate(self, params: Mapping[str, Any]) -> str | None:
        """What is wrong with the parameters as ``"日本語 / English"``, or ``None`` when they are valid."""
        problem = self.problem(params)
        return f"{problem[0]} / {problem[1]}" if problem else None

    def problem(self, params: Mapping[str, Any]) -> tuple[str, str] | None:
        """What is wrong with the parameters, in Japanese and English, or ``None`` when they are valid."""
        for key in params:
            if key not in self.params:
                known_ja, known_en = (", ".join(self.params), ", ".join(self.params)) if self.params else ("なし", "none")
                return (f"不明なパラメータ '{key}'（使えるのは {known_ja}）",
                        f"unknown parameter '{key}' (known: {known_en})")
        for key, p in self.params.items():
            if key not in params:
                if p.required:
                    return f"パラメータ '{key}' が必要です", f"parameter '{key}' is required"
                continue
            problem = _param_problem(key, p, params[key])
            if problem:
                return problem
        if self.needs_one_of and not any(k in params for k in self.needs_one_of):
            keys = ", ".join(self.needs_one_of)
            return f"{keys} のどれかが必要です", f"one of {keys} is required"
        return None


def _param_problem(key: str, p: Param, value: Any) -> tuple[str, str] | None:
    """What is wrong with one given parameter value, or ``None``."""
    if (isinstance(value, bool) and bool not in p.types) or not isinstance(value, p.types):
        return f"パラメータ '{key}' の型が違います", f"parameter '{key}' has the wrong type ({value!r})"
    if isinstance(value, list) and p.list_of is not None and (
            not value or not all(isinstance(v, p.list_of) and not isinstance(v, bool) for v in value)):
        return f"パラメータ '{key}' の要素が不正です", f"parameter '{key}' has bad elements ({value!r})"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (value < 0 or math.isnan(value)):
        return f"パラメータ '{key}' は 0 以上にしてください", f"parameter '{key}' must not be negative"
    return None


KINDS: dict[str, Kind] = {}


def kind(name: str, needs_one_of: tuple[str, ...] = (), **params: Param) -> Callable[[CheckFn], CheckFn]:
    """Register the decorated function as the check kind ``name`` with these parameters."""
    def register(fn: CheckFn) -> CheckFn:
        KINDS[name] = Kind(name, params, fn, needs_one_of)
        return fn
    return register
