"""The size budget of one notebook for static grading: refuse, before reading its cells, what no real notebook
reaches. Standard library only; imports nothing from autograder but the error tree.

Grading time and memory grow with the code (AST analysis) and the output text (log parsers): without a bound a
30 MB code cell took 6.2 GB and 74 s, 115 MB of epoch lines 3.6 GB and 119 s. The budgets are far above every
real notebook we have (../shared/corpus/real, the samples, the solutions: at most 98 cells, 16 KB of code in one
cell, 102 KB of code in one notebook, 412 KB of output text) and keep one notebook at the limits within tens of
seconds and a few hundred MB on the 2-core machine (tests/test_hostile.py measures it: 1 MB of one-line statements
17 s / 440 MB, 10 MB of epoch lines 7 s / 165 MB). The file size itself is bounded before reading
(``notebook.MAX_BYTES``).
"""
from __future__ import annotations

from typing import Any

from autograder.errors import NotebookError

MAX_CELLS = 20_000  # cells of any type
MAX_CODE_CHARS = 1_000_000  # characters of source in all code cells together
MAX_TEXT_CHARS = 10_000_000  # characters of output text (streams, text/*, errors) and of markdown/raw cells together

_TEXT_KEYS = ("text/plain", "text/html", "text/markdown", "text/latex")


def _length(value: object) -> int:
    """Characters of a string or of the strings in a list (nbformat's multi-line form); anything else counts 0."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(len(s) for s in value if isinstance(s, str))
    return 0


def _output_text(output: object) -> int:
    if not isinstance(output, dict):
        return 0
    size = _length(output.get("text")) + _length(output.get("evalue")) + _length(output.get("ename"))
    data = output.get("data")
    if isinstance(data, dict):
        size += sum(_length(data.get(key)) for key in _TEXT_KEYS)
    return size


def check_budget(cells: list[Any], name: str) -> None:
    """Raise ``NotebookError`` (``too_many_cells``, ``too_much_code``, ``too_much_output``) when the cells are
    over budget; a cheap pass over the parsed JSON, before any cell is read."""
    if len(cells) > MAX_CELLS:
        raise NotebookError("too_many_cells",
                            f"{name}: セルが多すぎます（{len(cells):,} 個、上限 {MAX_CELLS:,} 個）。"
                            "課題と関係のないセルを消して保存し直してください。",
                            f"{name}: too many cells ({len(cells):,}, limit {MAX_CELLS:,}). "
                            "Delete the cells that are not part of the assignment and save again.")
    code = text = 0
    for cell in cells:
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "code":
            code += _length(cell.get("source"))
            outputs = cell.get("outputs")
            if isinstance(outputs, list):
                text += sum(_output_text(o) for o in outputs)
        else:
            text += _length(cell.get("source"))
    if code > MAX_CODE_CHARS:
        raise NotebookError("too_much_code",
                            f"{name}: コードが大きすぎます（{_mb(code)}、上限 {_mb(MAX_CODE_CHARS)}）。"
                            "データや出力をコードセルに貼り付けていないか確かめて、保存し直してください。",
                            f"{name}: too much code ({_mb(code)}, limit {_mb(MAX_CODE_CHARS)}). "
                            "Check that no data or output was pasted into a code cell, and save again.")
    if text > MAX_TEXT_CHARS:
        raise NotebookError("too_much_output",
                            f"{name}: 出力の文字が多すぎます（{_mb(text)}、上限 {_mb(MAX_TEXT_CHARS)}）。"
                            "大量に表示しているセル（ループの中の print など）を直し、実行し直して保存してください。",
                            f"{name}: too much output text ({_mb(text)}, limit {_mb(MAX_TEXT_CHARS)}). "
                            "Fix the cell that prints so much (a print inside a loop, …), run it again and save.")


def _mb(chars: int) -> str:
    """Characters as millions, the way a person reads a size: ``2.0 MB`` (one character of code is about a byte)."""
    return f"{chars / 1_000_000:.1f} MB"
