"""Parse ``model.summary()`` tables (Keras 1/2 plain text, Keras 3 box drawing) from output text; standard library only."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from autograder.model.evidence import Layer, Summary

_NUMBER = r"\d{1,3}(?:,\d{3}){1,12}|\d{1,40}"  # 25,450 or 25450; a longer run is no count we read
_PARAM_CELL = re.compile(rf"\s*({_NUMBER})(?:\s*\(unbuilt\))?\s*")  # Keras 3 shows "0 (unbuilt)"
_TOTALS_LINE = re.compile(rf"\s*(Total|Trainable|Non-trainable|Optimizer) params:\s*({_NUMBER})(?:\s*\([^()]*\))?\s*")
_MODEL_LINE = re.compile(r'\s*Model:\s*"([^"]*)"\s*')
_KERAS2_HEADER = re.compile(r"\s*Layer \(type\)\s+Output Shape\s+Param #")
_COMMA = re.compile(r",\s*")
_NON_SPACE = re.compile(r"\S")

_KERAS3_BORDER = "│"
_KERAS3_HEADER_BORDERS = ("┃", "│")  # heavy in rich's default box; light when drawn with a plain box
_KERAS3_HEADER_RULES = ("┡", "├")
_KERAS3_TOPS = ("┏", "┌")
_LOOKBACK = 4  # lines between a `Model: "…"` line and the table header: a rule, a top border, a blank line


@dataclass
class _Row:
    """One table row being read: its parameter count and the pieces of its wrapped cells."""

    params: int
    name: list[str] = field(default_factory=list)
    shape: list[str] = field(default_factory=list)


def parse_summaries(text: str) -> list[Summary]:
    """Every complete ``model.summary()`` table in ``text``, in order, with ``cell=None``.

    ``text`` is ``Cell.text`` or ``html_to_text`` of a Keras 3 ``text/html`` summary; it is read line by line,
    once. A table counts only when its ``Total params:`` line follows it: numbers are read, never guessed.
    """
    if not isinstance(text, str) or "Total params" not in text or "Layer (type)" not in text:
        return []
    lines = text.splitlines()
    summaries: list[Summary] = []
    i = 0
    while i < len(lines):
        if "Layer (type)" not in lines[i]:
            i += 1
            continue
        summary, i = _table_at(lines, i)
        if summary is not None:
            summaries.append(summary)
    return summaries


def _table_at(lines: list[str], header: int) -> tuple[Summary | None, int]:
    """The summary whose header row is ``lines[header]``, and the index where reading should go on (> header)."""
    if _is_keras3_header(lines, header):
        style, joiner = "keras3", " "  # rich wraps cells at spaces
        rows, end = _keras3_rows(lines, header)
    elif _is_keras2_header(lines, header):
        style, joiner = "keras2", ""  # Keras 2 cuts cells at a fixed width, even inside a word
        rows, end = _keras2_rows(lines, header)
    else:
        return None, header + 1
    if rows is None:
        return None, end
    totals, end = _totals(lines, end)
    if "Total" not in totals:
        return None, end
    summary = Summary(
        total_params=totals["Total"],
        layers=tuple(_layer(joiner.join(row.name), joiner.join(row.shape), row.params) for row in rows),
        trainable_params=totals.get("Trainable"),
        non_trainable_params=totals.get("Non-trainable"),
        model=_model_name(lines, header),
        style=style,
    )
    return summary, end


# ---------------------------------------------------------------- Keras 1/2 plain text

def _is_keras2_header(lines: list[str], i: int) -> bool:
    return bool(_KERAS2_HEADER.match(lines[i])) and i + 1 < len(lines) and _is_rule(lines[i + 1], "=")


def _keras2_rows(lines: list[str], header: int) -> tuple[list[_Row] | None, int]:
    """Rows between the ``=`` rules, cut at the columns of the header, and the index after the closing rule.

    Rows are None when the table is not closed (cut short); the index is then the first line that is not the table's.
    """
    head = lines[header]
    shape_at = head.index("Output Shape")
    param_at = head.index("Param #")
    next_column = _NON_SPACE.search(head, param_at + len("Param #"))  # "Connected to" (Keras 1, functional)
    param_end = next_column.start() if next_column else None
    rows: list[_Row] = []
    current: _Row | None = None
    i = header + 2
    while i < len(lines):
        line = lines[i]
        if _is_rule(line, "="):
            return rows, i + 1
        if not line.strip() or _is_rule(line, "_"):
            current = None  # a spacer row or a `_` rule closes the row
        else:
            current = _add_piece(rows, current, line[:shape_at], line[shape_at:param_at], line[param_at:param_end])
            if current is None:
                return None, i
        i += 1
    return None, i


# ---------------------------------------------------------------- Keras 3 box drawing

def _is_keras3_header(lines: list[str], i: int) -> bool:
    return (lines[i].lstrip().startswith(_KERAS3_HEADER_BORDERS) and i + 1 < len(lines)
            and lines[i + 1].lstrip().startswith(_KERAS3_HEADER_RULES))


def _keras3_rows(lines: list[str], header: int) -> tuple[list[_Row] | None, int]:
    """Rows between ``┡`` and ``└``, split at the ``│`` borders, and the index after ``└`` (as ``_keras2_rows``)."""
    head = lines[header].strip()
    columns = [c.strip() for c in _cells(head, head[0])]
    if not all(c in columns for c in ("Layer (type)", "Output Shape", "Param #")):
        return None, header + 1
    name_col, shape_col, param_col = (columns.index(c) for c in ("Layer (type)", "Output Shape", "Param #"))
    rows: list[_Row] = []
    current: _Row | None = None
    i = header + 2
    while i < len(lines):
        line = lines[i].strip()
        if line.startswith("└"):
            return rows, i + 1
        if line.startswith("├"):
            current = None
        else:
            cells = _cells(line, _KERAS3_BORDER)
            if len(cells) != len(columns):
                return None, i
            current = _add_piece(rows, current, cells[name_col], cells[shape_col], cells[param_col])
            if current is None:
                return None, i
        i += 1
    return None, i


def _cells(line: str, border: str) -> list[str]:
    """``│ a │ b │`` → ``[" a ", " b "]``; a line without both outer borders has no cells."""
    line = line.strip()
    if len(line) < 2 or not (line.startswith(border) and line.endswith(border)):
        return []
    return line[1:-1].split(border)


# ---------------------------------------------------------------- shared

def _add_piece(rows: list[_Row], current: _Row | None, name: str, shape: str, params: str) -> _Row | None:
    """Start a row (the line has a parameter count) or continue the current one (its count cell is empty).

    Returns the row being read, or None when the line cannot belong to the table.
    """
    match = _PARAM_CELL.fullmatch(params)
    if match:
        current = _Row(int(match.group(1).replace(",", "")))
        rows.append(current)
    elif current is None or params.strip():
        return None
    for pieces, piece in ((current.name, name.strip()), (current.shape, shape.strip())):
        if piece:
            pieces.append(piece)
    return current


def _layer(name_type: str, shape: str, params: int) -> Layer:
    """``dense (Dense)`` → name and type; a type cut short by Keras stays as shown (``MaxPooling2``, ``Batc``)."""
    name, paren, kind = name_type.rpartition("(")
    if not paren:
        return Layer(name_type.strip(), "", _COMMA.sub(", ", shape), params)
    return Layer(name.strip(), kind.removesuffix(")").strip(), _COMMA.sub(", ", shape), params)


def _totals(lines: list[str], start: int) -> tuple[dict[str, int], int]:
    """``Total params`` (required first) and the ``Trainable``/``Non-trainable``/``Optimizer`` lines after it.

    Blank lines may come between (a summary shown as HTML); returns the counts by kind and the next index.
    """
    totals: dict[str, int] = {}
    i = start
    while i < len(lines):
        if lines[i].strip():
            match = _TOTALS_LINE.fullmatch(lines[i])
            if not match or (not totals and match.group(1) != "Total") or match.group(1) in totals:
                break
            totals[match.group(1)] = int(match.group(2).replace(",", ""))
        i += 1
    return totals, i


def _model_name(lines: list[str], header: int) -> str | None:
    """The name in ``Model: "…"`` just above the table (past its top rule or border), else None."""
    for i in range(header - 1, max(header - 1 - _LOOKBACK, -1), -1):
        line = lines[i].strip()
        match = _MODEL_LINE.fullmatch(line)
        if match:
            return match.group(1)
        if line and not line.startswith(_KERAS3_TOPS) and not _is_rule(line, "_"):
            return None
    return None


def _is_rule(line: str, char: str) -> bool:
    stripped = line.strip()
    return len(stripped) >= 10 and stripped[0] == char and stripped == char * len(stripped)
