"""The values the static evaluator knows besides Python literals, and small AST helpers; standard library only.

Imports nothing from autograder except ``model.evidence`` (``CodeLayer``). ``UNKNOWN`` stands for anything that
cannot be known from the code; ``_literal``/``_named`` turn what the evaluator made up back into plain values.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, TypeGuard

from autograder.model.evidence import CodeLayer


class _Unknown:
    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
Shape = tuple  # (None, 28, 28, 1); internally (Ellipsis, 32) means "any leading axes, then 32"


@dataclass(frozen=True)
class _Named:
    """Something known only by name: an import, a def, a call's result (``Adam()``), an attribute (``tf.nn.relu``)."""

    name: str
    node: ast.Call | None = None  # the call that made it, for layers built later (`dense = Dense(32)`)
    imported: bool = False


@dataclass(frozen=True)
class _Array:
    """A NumPy array whose shape is known (the Keras datasets and what reshape/astype/`/ 255` make of them)."""

    shape: tuple[int, ...]


@dataclass(frozen=True)
class _Tensor:
    """A functional-API tensor: the layers from its ``Input`` up to it, and its shape."""

    layers: tuple[CodeLayer, ...]
    shape: Shape | None


@dataclass(eq=False)
class _Builder:
    """A model being built: ``Sequential``/``Model`` call, then ``model.add`` calls."""

    variable: str | None
    cell: int
    scope: _Scope
    loop_depth: int
    layers: list[CodeLayer] = field(default_factory=list)
    shape: Shape | None = None

    @property
    def total(self) -> int | None:
        params = [layer.params for layer in self.layers]
        return None if None in params else sum(params)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _ModelRef:
    builder: _Builder


@dataclass(eq=False)
class _Scope:
    env: dict[str, Any]
    local_names: frozenset[str] | None  # None for the notebook's global scope
    loop_depth: int = 0


_MAX_INT = 10**30
_MAX_LENGTH = 10_000


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _literal(value: Any) -> Any:
    """The value as a plain Python literal, or UNKNOWN for anything the evaluator made up."""
    if value is None or isinstance(value, (bool, int, float, complex, str, bytes)):
        return value
    if isinstance(value, (list, tuple)):
        items = [_literal(item) for item in value]
        return UNKNOWN if any(item is UNKNOWN for item in items) else type(value)(items)
    if isinstance(value, dict):
        pairs = [(_literal(k), _literal(v)) for k, v in value.items()]
        return UNKNOWN if any(UNKNOWN in (k, v) for k, v in pairs) else dict(pairs)
    return UNKNOWN


def _named(value: Any) -> Any:
    """Like ``_literal``, but a call or an attribute counts as its name: ``Adam()`` → "Adam"."""
    if isinstance(value, _Named):
        return value.name
    if isinstance(value, (list, tuple)):
        return type(value)(_named(item) for item in value)
    literal = _literal(value)
    return None if literal is UNKNOWN else literal


def _bounded(value: Any) -> Any:
    if _is_int(value) and abs(value) > _MAX_INT:
        return UNKNOWN
    if isinstance(value, (str, bytes, tuple, list)) and len(value) > _MAX_LENGTH:
        return UNKNOWN
    return value


def _argument(call: ast.Call, position: int | None, *names: str) -> ast.expr | None:
    """The argument passed by keyword (any of ``names``) or at ``position``, if written."""
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    if position is not None and position < len(call.args) \
            and not any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
        return call.args[position]
    return None


def _dotted(node: ast.expr) -> str | None:
    """``self.model`` for an attribute chain on a name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


