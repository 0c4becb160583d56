"""Helpers the check modules share: cell lists, metric keys, labelled output lines and their numbers.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from autograder.model.evidence import Evidence
from autograder.model.keras import canonical_metric


def _cells(items: Sequence[Any], sep: str = "、") -> str:
    cells = sorted({i.cell for i in items if getattr(i, "cell", None) is not None})
    return sep.join(str(c) for c in cells)


def _has_keys(keys: Sequence[str], required: Sequence[str]) -> bool:
    have = {canonical_metric(k) for k in keys}
    return all(canonical_metric(k) in have for k in required)


_NUMBER = re.compile(r"[-+−]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|\bTrue\b|\bFalse\b")


_NUMPY_SCALAR = re.compile(r"\bnp\.(?:u?int|float|bool_?)\d*\(([^()]*)\)")


def _numbers(text: str) -> list[float]:
    """Numbers in a printed line; numpy 2 reprs such as ``np.int64(1)`` count as their value."""
    out = []
    for tok in _NUMBER.findall(_NUMPY_SCALAR.sub(r"\1", text)):
        out.append(1.0 if tok == "True" else 0.0 if tok == "False" else float(tok.replace("−", "-")))
    return out


def _labelled_lines(ev: Evidence, labels: Sequence[str]) -> list[tuple[int, list[float], str]]:
    """Output lines that start with one of the labels, with the numbers that follow the label."""
    pattern = re.compile(r"^\s*(?:" + "|".join(re.escape(label) for label in labels) + r")(?![A-Za-z0-9_])\s*[:=：]?\s*(.*)$",
                         re.IGNORECASE)
    found = []
    for cell, text in ev.outputs:
        for line in text.splitlines():
            m = pattern.match(line)
            if m:
                found.append((cell, _numbers(m.group(1)), line.strip()))
    return found


def values_match(found: Sequence[float], expected: float | Sequence[float], tolerance: float = 0.0) -> bool:
    """The numbers after a label equal the expected value or list (element-wise, within tolerance)."""
    want = [float(expected)] if isinstance(expected, (int, float)) else [float(x) for x in expected]
    got = list(found[: len(want)]) if len(want) == 1 else list(found)
    return len(got) == len(want) and all(abs(a - b) <= tolerance + 1e-12 for a, b in zip(got, want, strict=True))
