"""What every integrity rule shares: the cells' execution records and the wording of a ``tampered_output`` flag.
Judging layer: standard library and ``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

from collections.abc import Iterable

from autograder.judge.integrity.tolerances import TAMPERED
from autograder.model.evidence import CellRecord, Evidence
from autograder.model.results import Flag

__all__ = ["RERUN_EN", "RERUN_JA", "count", "records", "tampered"]

RERUN_JA = "ランタイムを再起動してすべてのセルを実行してから保存してください。"
RERUN_EN = "Restart the runtime, run all cells, then save."
_REVIEW_JA = "不正と決めつけるものではなく、教員が確認します。"
_REVIEW_EN = "This is not a finding of misconduct; an instructor will review it."


def records(ev: Evidence) -> dict[int, CellRecord]:
    """The execution record of each code cell, by cell index."""
    return {r.cell: r for r in ev.fingerprints.cells}


def count(ev: Evidence, cell: int | None) -> int | None:
    """The cell's execution count; None when it has none (null or 0) or is unknown."""
    r = records(ev).get(cell) if cell is not None else None
    return r.execution_count if r is not None and r.execution_count else None


def tampered(message: str, message_en: str, cells: Iterable[int | None]) -> Flag:
    """A ``tampered_output`` flag: the disagreement, that a person reviews it, and what an honest student does."""
    shown = tuple(sorted({c for c in cells if c is not None}))
    return Flag(TAMPERED, f"{message}{_REVIEW_JA}実行後にコードを変えた場合は、{RERUN_JA}",
                f"{message_en} {_REVIEW_EN} If you changed code after running it: restart the runtime, run all "
                "cells, then save.", cells=shown)
