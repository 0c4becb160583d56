"""Parse one code cell with ast, IPython magics and shell lines made ``pass``; standard library only, imports nothing from autograder.

Line numbers are kept: a magic line becomes ``pass`` at its own indentation, the continuation lines of a
backslash-continued magic become blank, and a cell magic's first line (``%%time``) becomes blank. A cell
whose cell magic is not Python (``%%bash``, ``%%writefile`` …) is an empty module.
"""
from __future__ import annotations

import ast
import re
import textwrap
import warnings

__all__ = ["parse_cell"]

_NON_PYTHON_CELL_MAGICS = frozenset({
    "bash", "sh", "script", "system", "sx", "html", "javascript", "js", "latex", "markdown", "svg", "perl",
    "ruby", "writefile", "file", "cmd", "powershell", "python2", "pypy", "sql", "bigquery", "shell",
})
_SHELL_ASSIGNMENT = re.compile(r"[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[!%]")
_MAX_FIXES = 20  # syntax errors repaired one line at a time before replacing every magic-looking line


def parse_cell(source: object) -> ast.Module | None:
    """The cell's module, an empty module for a non-Python cell magic, None when it cannot be parsed."""
    if not isinstance(source, str):
        return None
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        words = lines[first].strip()[2:].split()
        if words and words[0] in _NON_PYTHON_CELL_MAGICS:
            return ast.Module(body=[], type_ignores=[])
        lines[first] = ""
    try:
        return _parse_lines(lines)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None


def _parse_lines(lines: list[str]) -> ast.Module:
    """Parse; else replace the magic lines at statement starts, then each magic line the parser stumbles on
    (``obj?``), then every magic-looking line, then try dedenting."""
    try:
        return _quiet_parse("\n".join(lines))
    except SyntaxError:
        pass
    for row, starts in enumerate(_statement_starts(lines)):
        if starts and _is_magic_line(lines[row], strict=True):
            _replace_magic(lines, row)
    for _ in range(_MAX_FIXES):
        try:
            return _quiet_parse("\n".join(lines))
        except SyntaxError as error:
            row = (error.lineno or 0) - 1
            if not (0 <= row < len(lines)) or not _is_magic_line(lines[row]):
                break
            _replace_magic(lines, row)
    for row in range(len(lines)):
        if _is_magic_line(lines[row]):
            _replace_magic(lines, row)
    text = "\n".join(lines)
    try:
        return _quiet_parse(text)
    except SyntaxError:
        return _quiet_parse(textwrap.dedent(text))


def _is_magic_line(line: str, strict: bool = False) -> bool:
    """``%magic``, ``!shell``, ``x = !ls``, ``?obj``, and unless ``strict`` ``obj?`` (a comment may end in ``?``)."""
    stripped = line.strip()
    if not stripped or stripped == "pass":
        return False
    if stripped[0] in "%!?" or _SHELL_ASSIGNMENT.match(stripped):
        return True
    return not strict and stripped.endswith("?")


def _replace_magic(lines: list[str], row: int) -> None:
    """``pass`` at the line's indentation; backslash-continued lines of the same command become blank."""
    line = lines[row]
    lines[row] = line[: len(line) - len(line.lstrip())] + "pass"
    while line.rstrip().endswith("\\") and row + 1 < len(lines):
        row += 1
        line, lines[row] = lines[row], ""


def _statement_starts(lines: list[str]) -> list[bool]:
    """Per line: does a statement start there (not inside brackets or a triple-quoted string, no ``\\`` before)?

    Magic lines at statement starts are skipped, so that ``!pip install "a[b]"`` opens no bracket.
    """
    starts: list[bool] = []
    depth, quote, continued = 0, None, False
    for line in lines:
        starts.append(depth == 0 and quote is None and not continued)
        if starts[-1] and _is_magic_line(line, strict=True):
            continued = line.rstrip().endswith("\\")
            continue
        depth, quote, continued = _scan_line(line, depth, quote)
    return starts


def _scan_line(line: str, depth: int, quote: str | None) -> tuple[int, str | None, bool]:
    """Bracket depth, open triple quote and backslash continuation after ``line``."""
    i, length = 0, len(line)
    while i < length:
        char = line[i]
        if quote is not None:  # inside a triple-quoted string
            if line.startswith(quote, i):
                i, quote = i + 3, None
            else:
                i += 2 if char == "\\" else 1
        elif char == "#":
            return depth, None, False
        elif char in "'\"":
            if line.startswith(char * 3, i):
                i, quote = i + 3, char * 3
            else:
                i = _string_end(line, i + 1, char)
        else:
            depth += 1 if char in "([{" else -1 if char in ")]}" and depth else 0
            i += 1
    return depth, quote, quote is None and line.endswith("\\")


def _string_end(line: str, i: int, char: str) -> int:
    while i < len(line) and line[i] != char:
        i += 2 if line[i] == "\\" else 1
    return i + 1


def _quiet_parse(text: str) -> ast.Module:
    """``ast.parse`` without SyntaxWarnings (``"\\d"``, ``1if``): under ``-W error`` they would fail valid cells."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text)

