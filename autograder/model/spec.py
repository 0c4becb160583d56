"""Spec values: an assignment's checks, their points and parameters. Values only; standard library only."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CATEGORIES = ("summary", "history", "accuracy", "gpu", "plot", "code")


@dataclass(frozen=True)
class CheckSpec:
    id: str
    kind: str
    category: str
    points: float
    params: Mapping[str, Any] = field(default_factory=dict)
    hidden: bool = False
    description: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class Spec:
    id: str
    number: int
    title: str
    total_points: float
    checks: tuple[CheckSpec, ...]
    title_en: str = ""
    path: str = ""
    tampered: str = "review"  # a passing check whose evidence is flagged tampered_output: "review" keeps it, "fail" fails it

    def check(self, check_id: str) -> CheckSpec:
        for c in self.checks:
            if c.id == check_id:
                return c
        raise KeyError(check_id)

    @property
    def visible_checks(self) -> tuple[CheckSpec, ...]:
        return tuple(c for c in self.checks if not c.hidden)
