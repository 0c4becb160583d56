"""Where each name of a notebook is bound (assignments, imports, defs), for names used before or far from it; standard library only.

Imports nothing from autograder. The walk meets a name before the cell that assigns it when a function
defined early is called late, or a cell is run out of order; these bindings let the evaluator find it.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class _Binding:
    kind: str  # "assign" (value known), "import", "def", "other"
    value: ast.expr | None = None
    path: tuple[int, ...] = ()  # index into the value for tuple targets: `(a, b), c = …`
    imported: str | None = None  # the imported object's own name (`from keras.optimizers import Adam as A`)




def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> frozenset[str]:
    arguments = function.args
    params = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]
    names = {param.arg for param in params if param is not None}
    names.update(name for name, _ in _bound_names(function.body))
    return frozenset(names)


def _bound_names(statements: list[ast.stmt]) -> Iterator[tuple[str, _Binding]]:
    """Every name a block binds, without entering nested functions, classes or comprehensions."""
    for statement in statements:
        yield from _statement_bindings(statement)
        for block in _blocks(statement):
            yield from _bound_names(block)


def _statement_bindings(statement: ast.stmt) -> Iterator[tuple[str, _Binding]]:
    """The names one statement binds itself (the blocks nested in it are walked by ``_bound_names``)."""
    if isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        yield from _assignment_bindings(statement)
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        yield from _target_bindings(statement.target, None, ())
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        for item in statement.items:
            if item.optional_vars is not None:
                yield from _target_bindings(item.optional_vars, None, ())
    elif isinstance(statement, (ast.Import, ast.ImportFrom)):
        yield from _import_bindings(statement)
    elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield statement.name, _Binding("def")
    elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        for handler in statement.handlers:  # type: ignore[attr-defined]
            if handler.name:
                yield handler.name, _Binding("other")


def _assignment_bindings(statement: ast.Assign | ast.AnnAssign | ast.AugAssign) -> Iterator[tuple[str, _Binding]]:
    """``a = b = 1``, ``(a, b), c = …``; ``x: int = 1`` (not a bare annotation); ``n += 1`` (value unknown)."""
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            yield from _target_bindings(target, statement.value, ())
    elif isinstance(statement.target, ast.Name):
        if isinstance(statement, ast.AugAssign):
            yield statement.target.id, _Binding("other")
        elif statement.value is not None:
            yield statement.target.id, _Binding("assign", statement.value)


def _import_bindings(statement: ast.Import | ast.ImportFrom) -> Iterator[tuple[str, _Binding]]:
    """``import a.b`` binds ``a``; ``from m import x as y`` binds ``y``, which names ``x``; ``*`` binds nothing known."""
    for alias in statement.names:
        if alias.name != "*":
            local = alias.asname or alias.name.split(".")[0]
            imported = alias.name.split(".")[-1] if alias.asname else local
            yield local, _Binding("import", imported=imported)


def _target_bindings(target: ast.expr, value: ast.expr | None, path: tuple[int, ...]) -> Iterator[tuple[str, _Binding]]:
    if isinstance(target, ast.Name):
        yield target.id, (_Binding("assign", value, path) if value is not None else _Binding("other"))
    elif isinstance(target, (ast.Tuple, ast.List)):
        starred = any(isinstance(element, ast.Starred) for element in target.elts)
        for position, element in enumerate(target.elts):
            if isinstance(element, ast.Starred):
                element = element.value
            yield from _target_bindings(element, None if starred else value, (*path, position))


def _blocks(statement: ast.stmt) -> list[list[ast.stmt]]:
    """The statement blocks nested in a compound statement that share its scope."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    blocks = [getattr(statement, name) for name in ("body", "orelse", "finalbody") if hasattr(statement, name)]
    blocks += [handler.body for handler in getattr(statement, "handlers", [])]
    blocks += [case.body for case in getattr(statement, "cases", [])]
    return [block for block in blocks if isinstance(block, list)]






def defined_names(bodies: list[list[ast.stmt]]) -> frozenset[str]:
    """Names of every function and class defined in these blocks, at any depth."""
    names: set[str] = set()
    blocks = list(bodies)
    while blocks:
        for statement in blocks.pop():
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(statement.name)
                blocks.append(statement.body)
            else:
                blocks.extend(_blocks(statement))
    return frozenset(names)
