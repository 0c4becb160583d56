"""Text a ``print`` call writes that is fully written in the code (typed results); standard library only.

Imports nothing from autograder but its siblings in ``read.code``. ``print("Test accuracy: 0.97")``,
``print('Test accuracy:', 0.97)``, ``print(f"Test accuracy: {0.97:.4f}")``, ``print("… %.2f" % 0.97)``,
``"….format(0.97)"`` and names bound to such constants (``acc = 0.97``) all print a text known before the
cell runs: such a line is not the result of any computation, whatever it says. Anything the static evaluator
cannot know (a name bound to ``model.evaluate``'s result, an index of it, any call) makes the text unknown:
``None``, never a guess.
"""
from __future__ import annotations

import ast
from typing import Any

from autograder.read.code.evaluator import _Evaluator
from autograder.read.code.values import UNKNOWN, _literal

_MAX_TEXT = 2000


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def static_value(node: ast.AST | None, evaluator: _Evaluator) -> Any:
    """The constant a print argument evaluates to (str, int, float, bool or a tuple of them), else UNKNOWN."""
    if node is None:
        return UNKNOWN
    if isinstance(node, ast.JoinedStr):
        return _joined(node, evaluator)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left, right = static_value(node.left, evaluator), static_value(node.right, evaluator)
        if isinstance(left, str) and right is not UNKNOWN:
            try:
                return left % right
            except (TypeError, ValueError, KeyError):
                return UNKNOWN
        return UNKNOWN
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _format_call(node, evaluator)
    if isinstance(node, ast.Tuple):
        items = tuple(static_value(e, evaluator) for e in node.elts)
        return UNKNOWN if any(i is UNKNOWN for i in items) else items
    value = _literal(evaluator.value(node))
    return value if value is not UNKNOWN and _scalar(value) else UNKNOWN


def _joined(node: ast.JoinedStr, evaluator: _Evaluator) -> Any:
    parts: list[str] = []
    for part in node.values:
        if isinstance(part, ast.Constant) and isinstance(part.value, str):
            parts.append(part.value)
            continue
        if not isinstance(part, ast.FormattedValue):
            return UNKNOWN
        value = static_value(part.value, evaluator)
        spec = static_value(part.format_spec, evaluator) if part.format_spec is not None else ""
        if value is UNKNOWN or not isinstance(spec, str):
            return UNKNOWN
        if part.conversion == ord("r"):
            value = repr(value)
        elif part.conversion in (ord("s"), ord("a")):
            value = str(value)
        try:
            parts.append(format(value, spec))
        except (TypeError, ValueError):
            return UNKNOWN
    return "".join(parts)


def _format_call(node: ast.Call, evaluator: _Evaluator) -> Any:
    assert isinstance(node.func, ast.Attribute)
    template = static_value(node.func.value, evaluator)
    if not isinstance(template, str) or any(isinstance(a, ast.Starred) for a in node.args):
        return UNKNOWN
    args = [static_value(a, evaluator) for a in node.args]
    kwargs = {k.arg: static_value(k.value, evaluator) for k in node.keywords if k.arg is not None}
    if len(kwargs) != len(node.keywords) or UNKNOWN in args or UNKNOWN in kwargs.values():
        return UNKNOWN
    try:
        return template.format(*args, **kwargs)
    except (IndexError, KeyError, ValueError, TypeError, AttributeError):
        return UNKNOWN


def printed_text(call: ast.Call, evaluator: _Evaluator) -> str | None:
    """What ``print(...)`` writes (without the final ``end``) when every argument is written in the code."""
    if any(isinstance(a, ast.Starred) for a in call.args):
        return None
    sep = " "
    for keyword in call.keywords:
        if keyword.arg == "sep":
            value = static_value(keyword.value, evaluator)
            if not isinstance(value, str):
                return None
            sep = value
        elif keyword.arg not in ("end", "flush"):
            return None  # file=…: not the cell's output
    values = [static_value(a, evaluator) for a in call.args]
    if not values or any(v is UNKNOWN for v in values):
        return None
    text = sep.join(str(v) for v in values)
    return text if len(text) <= _MAX_TEXT else None
