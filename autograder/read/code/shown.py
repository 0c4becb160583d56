"""Which names hold an evaluate (or ``accuracy_score``) result, and what an expression shows of one; standard
library only.

Imports nothing from autograder but ``read.code.parse`` and ``read.code.cells``. The data flow from a result to where it is shown:
``score = model.evaluate(…)`` binds ``score`` (the whole result), ``loss, acc = …`` binds each item,
``acc = accuracy_score(y_test, …)`` binds the accuracy itself; later cells show it bare, printed or indexed
(``score``, ``print(score)``, ``score[1]``, ``results['accuracy']``). Any other top-level assignment of a name
unbinds it (``score = 0.5`` is no result).
"""
from __future__ import annotations

import ast
from typing import TypeGuard

from autograder.read.code.cells import ParsedCell
from autograder.read.code.parse import parse_cell

__all__ = ["Results", "bound_names", "result_names"]

Results = dict[str, tuple[ast.Call, "int | None"]]
_ACC_KEYS = ("accuracy", "acc", "sparse_categorical_accuracy", "categorical_accuracy", "binary_accuracy")


def _is_evaluate(node: ast.AST) -> TypeGuard[ast.Call]:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "evaluate"


def _is_accuracy_score(node: ast.AST) -> TypeGuard[ast.Call]:
    """``accuracy_score(y_test, y_pred)`` (sklearn, also as ``metrics.accuracy_score``): one accuracy."""
    if not isinstance(node, ast.Call) or len(node.args) < 2:
        return False
    func = node.func
    return (func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else "") \
        == "accuracy_score"


def result_names(source: str, earlier: Results | None = None, parsed: ParsedCell | None = None) -> Results:
    """The names bound to an evaluate (or ``accuracy_score``) result after a cell runs, given those before it:
    ``score = model.evaluate(…)`` binds ``score``; any other top-level assignment of a name unbinds it.
    ``parsed``: the cell's ``ParsedCell`` (of this ``source``), so that it is not parsed again."""
    if "=" not in source:
        return dict(earlier or {})
    if parsed is None:
        tree = parse_cell(source)
        return dict(earlier or {}) if tree is None else bound_names(tree, earlier)
    if parsed.tree is None:
        return dict(earlier or {})
    popped, assigned = parsed.result_changes(_assigned)
    names = dict(earlier or {})
    for name in popped:
        names.pop(name, None)
    names.update(assigned)
    return names


def bound_names(tree: ast.Module, earlier: Results | None, last: bool = True) -> Results:
    """``result_names`` of a parsed cell; ``last=False``: before its last statement runs (what it displays)."""
    names = dict(earlier or {})
    for node in tree.body if last else tree.body[:-1]:
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        names.pop(name.id, None)
    names.update(_assigned(tree))
    return names


def _assigned(tree: ast.Module) -> dict[str, tuple[ast.Call, int | None]]:
    """Names bound to an evaluate result: ``score = m.evaluate(…)`` → (call, None); ``l, a = …`` → index;
    ``acc = accuracy_score(…)`` → (call, 1): the accuracy itself."""
    names: dict[str, tuple[ast.Call, int | None]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and _is_accuracy_score(node.value):
            names.update({t.id: (node.value, 1) for t in node.targets if isinstance(t, ast.Name)})
        elif isinstance(node, ast.Assign) and _is_evaluate(node.value):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    names[target.id] = (node.value, None)
                elif isinstance(target, (ast.Tuple, ast.List)):
                    for i, elt in enumerate(target.elts):
                        if isinstance(elt, ast.Name):
                            names[elt.id] = (node.value, i)
    return names


def _shown(expr: ast.AST, names: dict[str, tuple[ast.Call, int | None]]) -> tuple[ast.Call, int | None] | None:
    """What an expression shows of an evaluate result: (call, None) for the whole result, (call, i) for item i."""
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "print" \
            and len(expr.args) == 1:
        return _shown(expr.args[0], names)
    if _is_evaluate(expr):
        return expr, None
    if _is_accuracy_score(expr):
        return expr, 1
    if isinstance(expr, ast.Name):
        return names.get(expr.id)
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name) and expr.value.id in names:
        call, index = names[expr.value.id]
        key = expr.slice
        if index is None and isinstance(key, ast.Constant) and isinstance(key.value, (int, float)) and key.value in (0, 1):
            return call, int(key.value)
        if index is None and isinstance(key, ast.Constant) and key.value in ("loss", *_ACC_KEYS):
            return call, 0 if key.value == "loss" else 1  # ``results['accuracy']`` of ``return_dict=True``
    return None
