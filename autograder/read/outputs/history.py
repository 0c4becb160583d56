"""Read printed ``history.history`` dicts and ``dict_keys([...])`` of them from cleaned cell text; imports only the
standard library and ``autograder.model``.

A dict is read with ``ast.literal_eval`` once its braces balance (quotes respected, at most ``MAX_DICT_CHARS``);
NumPy scalars (``np.float32(0.9)``) are unwrapped and ``nan``/``inf`` accepted. It is a history when its values
are lists of numbers and at least one key is a metric name (``loss``, ``val_*``, ``*_accuracy``, …).
"""
from __future__ import annotations

import ast
import math
import re

from autograder.model.evidence import History

__all__ = ["MAX_DICT_CHARS", "parse_histories"]

MAX_DICT_CHARS = 1_000_000  # a printed history longer than this is not parsed
_DICT_HEAD = re.compile(r"\{\s*(['\"])[^'\"\n]{1,100}\1\s*:\s*\[")
_DICT_KEYS = re.compile(r"dict_keys\(\[([^\]]{0,4000})\]\)")
_NP_SCALAR = re.compile(r"(?:np|numpy)\.(?:float|int)(?:16|32|64|128)?\(\s*([^()]*?)\s*\)")
_NAN_INF = re.compile(r"(?<![\w.'\"])(-?)(nan|inf)(?![\w'\"])")
_METRIC_NAMES = {"loss", "acc", "accuracy", "mae", "mse", "lr", "learning_rate", "auc", "precision", "recall"}
_METRIC_SUFFIXES = ("_accuracy", "_acc", "_loss", "_crossentropy", "_error")


def _is_metric_key(key: str) -> bool:
    return key in _METRIC_NAMES or key.startswith("val_") or key.endswith(_METRIC_SUFFIXES)


_SPECIAL = re.compile(r"[\\'\"{}\[\]()]")  # the only characters _balanced acts on


def _balanced(text: str, start: int) -> int:
    """Index after the ``}`` closing the ``{`` at ``start`` (quotes respected), or -1.

    Jumps from one quote, bracket or backslash to the next (the digits of a long history are skipped)."""
    depth = 0
    quote = ""
    limit = min(len(text), start + MAX_DICT_CHARS)
    i = start
    while i < limit:
        m = _SPECIAL.search(text, i, limit)
        if m is None:
            return -1
        i = m.start()
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
            if depth == 0:
                return i + 1 if ch == "}" else -1
        i += 1
    return -1


def _nan_inf(m: re.Match[str]) -> str:
    if m.group(2) == "nan":
        return "None"
    return m.group(1) + "1e999"


def _literal(snippet: str) -> object:
    snippet = _NP_SCALAR.sub(r"\1", snippet)
    snippet = _NAN_INF.sub(_nan_inf, snippet)
    try:
        return ast.literal_eval(snippet)
    except (ValueError, SyntaxError, TypeError, OverflowError, MemoryError, RecursionError):
        return None


def _number(value: object) -> float | None:
    if value is None:
        return math.nan
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _history(obj: object) -> History | None:
    if not isinstance(obj, dict) or not obj:
        return None
    values: dict[str, tuple[float, ...]] = {}
    for key, series in obj.items():
        if not isinstance(key, str) or not isinstance(series, (list, tuple)):
            return None
        numbers = [_number(v) for v in series]
        if any(n is None for n in numbers):
            return None
        values[key] = tuple(n for n in numbers if n is not None)
    if not any(_is_metric_key(k) for k in values):
        return None
    return History(keys=tuple(values), values=values)


def _keys_history(inner: str) -> History | None:
    keys = _literal("[" + inner + "]")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        return None
    if not any(_is_metric_key(k) for k in keys):
        return None
    return History(keys=tuple(keys), values=None)


def parse_histories(text: str) -> list[History]:
    """Printed ``history.history`` dicts and ``dict_keys([...])`` of them, in order of appearance."""
    if not text or ("{" not in text and "dict_keys" not in text):
        return []
    found: list[tuple[int, History]] = []
    if "dict_keys" in text:
        for keys in _DICT_KEYS.finditer(text):
            h = _keys_history(keys.group(1))
            if h is not None:
                found.append((keys.start(), h))
    pos = 0
    while True:
        m = _DICT_HEAD.search(text, pos)
        if not m:
            break
        end = _balanced(text, m.start())
        if end == -1:
            pos = m.end()
            continue
        h = _history(_literal(text[m.start():end]))
        if h is not None:
            found.append((m.start(), h))
            pos = end
        else:
            pos = m.end()
    found.sort(key=lambda f: f[0])
    return [h for _, h in found]
