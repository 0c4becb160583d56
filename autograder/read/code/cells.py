"""One code cell parsed once, with what every reader asks of its tree, and a bounded cache of them; standard library only.

Imports nothing from autograder but its siblings in ``read.code``. ``parsed_cell(source)`` gives a ``ParsedCell``:
the tree (``parse_cell``) and, computed on first use and kept, the names the cell binds (``bindings``), the
functions and classes it defines, its top-level functions, the calls under each node the walk scans, its
``.evaluate(`` calls and the names it binds to evaluate results. The code analysis, the evaluate reader and the
result names all read the same ``ParsedCell``: each cell is parsed once per notebook.

Within a batch, template cells repeat across most of a class: ``parsed_cell`` keeps the most recently used cells
(``MAX_ENTRIES`` cells, ``MAX_CHARS`` characters of source; worker-local under ``--jobs``, every process has its
own). Nothing in a ``ParsedCell`` depends on the notebook it came from, and nothing changes a tree or a kept value
once made: every value is a tuple, a frozenset, or a dict its readers copy. ``AUTOGRADER_NO_CODE_CACHE=1`` (or
``set_cache(False)``) turns the cache off; results are identical either way (``tests/test_fast_paths.py``).
"""
from __future__ import annotations

import ast
import os
from collections.abc import Callable
from typing import Any

from autograder.read.code.bindings import _Binding, _bound_names, _local_names, defined_names
from autograder.read.code.parse import parse_cell

__all__ = ["ParsedCell", "calls_in", "parsed_cell", "set_cache"]

MAX_ENTRIES = 2048  # cells kept; a class of 300 shares a few dozen template cells per assignment
MAX_CHARS = 1_000_000  # characters of source kept: a kept cell takes ≈ 40 bytes per character (≈ 40 MB at most)
MAX_CELL_CHARS = 50_000  # a longer cell (pasted data) is never kept: it is not a template


class ParsedCell:
    """A cell's source, its tree (None: it cannot be parsed), and what readers derive from the tree, each made once."""

    __slots__ = ("_bindings", "_calls", "_evaluate_calls", "_functions", "_locals", "_results", "_user_defined",
                 "source", "tree")

    def __init__(self, source: str, tree: ast.Module | None | str = ""):
        """``tree``: the tree when already parsed (``""``: parse ``source``)."""
        self.source = source
        self.tree: ast.Module | None = parse_cell(source) if isinstance(tree, str) else tree
        self._bindings: tuple[tuple[str, _Binding], ...] | None = None
        self._user_defined: frozenset[str] | None = None
        self._functions: tuple[str, ...] | None = None
        self._calls: dict[int, tuple[ast.Call, ...]] = {}  # id(node) → the calls under it (the tree is kept alive)
        self._locals: dict[int, frozenset[str]] = {}  # id(def or class) → its local names
        self._evaluate_calls: tuple[ast.Call, ...] | None = None
        self._results: tuple[tuple[str, ...], dict[str, tuple[ast.Call, int | None]]] | None = None

    def fresh(self) -> ParsedCell:
        """The same cell parsed anew: a second cell of one notebook with the same source gets its own nodes (the walk
        keys what a call built by the call node)."""
        return ParsedCell(self.source)

    # -- the notebook-level facts, per cell --

    @property
    def bindings(self) -> tuple[tuple[str, _Binding], ...]:
        """Every name the cell binds (``bindings._bound_names`` of its body); on a RecursionError, those found before."""
        if self._bindings is None:
            found: list[tuple[str, _Binding]] = []
            if self.tree is not None:
                try:
                    for item in _bound_names(self.tree.body):
                        found.append(item)
                except RecursionError:
                    pass
            self._bindings = tuple(found)
        return self._bindings

    @property
    def user_defined(self) -> frozenset[str]:
        """Names of every function and class the cell defines, at any depth."""
        if self._user_defined is None:
            self._user_defined = defined_names([self.tree.body] if self.tree is not None else [])
        return self._user_defined

    @property
    def functions(self) -> tuple[str, ...]:
        """The cell's top-level functions, in order, each once."""
        if self._functions is None:
            names: list[str] = []
            for statement in self.tree.body if self.tree is not None else []:
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name not in names:
                    names.append(statement.name)
            self._functions = tuple(names)
        return self._functions

    # -- what the walk asks of a node --

    def calls(self, node: ast.AST) -> tuple[ast.Call, ...]:
        """``calls_in(node)``, made once per node of this cell's tree."""
        found = self._calls.get(id(node))
        if found is None:
            found = self._calls[id(node)] = tuple(calls_in(node))
        return found

    def local_names(self, statement: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> frozenset[str]:
        """The names local to a def (its parameters and what its body binds) or a class body."""
        found = self._locals.get(id(statement))
        if found is None:
            if isinstance(statement, ast.ClassDef):
                found = frozenset(name for name, _ in _bound_names(statement.body))
            else:
                found = _local_names(statement)
            self._locals[id(statement)] = found
        return found

    # -- what the evaluate reader asks --

    def evaluate_calls(self, is_evaluate: Callable[[ast.AST], bool]) -> tuple[ast.Call, ...]:
        """The cell's ``.evaluate(…)`` calls in source order (``ast.walk`` order among calls at one position)."""
        if self._evaluate_calls is None:
            calls: list[Any] = [n for n in ast.walk(self.tree) if is_evaluate(n)] if self.tree is not None else []
            self._evaluate_calls = tuple(sorted(calls, key=lambda c: (c.lineno, c.col_offset)))
        return self._evaluate_calls

    def result_changes(self, assigned: Callable[[ast.Module], dict[str, tuple[ast.Call, int | None]]]
                       ) -> tuple[tuple[str, ...], dict[str, tuple[ast.Call, int | None]]]:
        """(names every top-level assignment unbinds, in order; names bound to evaluate results): what
        ``shown.bound_names`` does to the names before the cell. The dict is never changed: readers copy it."""
        if self._results is None:
            popped: list[str] = []
            tree = self.tree
            assert tree is not None
            for node in tree.body:
                if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                    for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                        popped.extend(name.id for name in ast.walk(target) if isinstance(name, ast.Name))
            self._results = (tuple(popped), assigned(tree))
        return self._results


# ---------------------------------------------------------------- the calls under a node, in one pass

_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Constant, ast.Name)
_DESCEND: dict[type, bool] = {}  # node type → may hold a call below it (an AST node that is not a leaf)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _descends(kind: type) -> bool:
    found = _DESCEND.get(kind)
    if found is None:
        found = _DESCEND[kind] = issubclass(kind, ast.AST) and not issubclass(kind, _LEAVES)
    return found


def calls_in(node: ast.AST) -> list[ast.Call]:
    """Every call under ``node`` (itself included) in evaluation order -- arguments before the call, children in
    field order -- without recursion and without per-node generators (``ast.iter_child_nodes``)."""
    calls: list[ast.Call] = []
    stack: list[Any] = [node]
    pop, push, descend, fields_of = stack.pop, stack.append, _DESCEND.get, _FIELDS.get
    call_type = ast.Call
    while stack:
        current = pop()
        kind = type(current)
        if kind is tuple:  # a call whose arguments are done
            calls.append(current[0])
            continue
        if kind is call_type:
            push((current,))
        fields = fields_of(kind)
        if fields is None:
            fields = _FIELDS[kind] = tuple(kind._fields)
        children: list[Any] = []
        for name in fields:
            value = getattr(current, name, None)
            if isinstance(value, list):
                for item in value:
                    item_kind = type(item)
                    if descend(item_kind) or (item_kind not in _DESCEND and _descends(item_kind)):
                        children.append(item)
            else:
                value_kind = type(value)
                if descend(value_kind) or (value_kind not in _DESCEND and _descends(value_kind)):
                    children.append(value)
        if children:
            children.reverse()
            stack.extend(children)
    return calls


# ---------------------------------------------------------------- the batch cache

_CACHE: dict[str, ParsedCell] = {}
_cache_chars = 0
_enabled = os.environ.get("AUTOGRADER_NO_CODE_CACHE", "") in ("", "0")


def set_cache(enabled: bool) -> None:
    """Turn the batch cache on or off for this process (and the workers it starts afterwards); off empties it."""
    global _enabled, _cache_chars
    _enabled = enabled
    _CACHE.clear()
    _cache_chars = 0


def parsed_cell(source: str) -> ParsedCell:
    """The cell of this source, from the cache when a cell of the batch had it (most recently used kept)."""
    global _cache_chars
    if not _enabled or len(source) > MAX_CELL_CHARS:
        return ParsedCell(source)
    found = _CACHE.pop(source, None)
    if found is None:
        found = ParsedCell(source)
        _cache_chars += len(source)
        while _CACHE and (len(_CACHE) >= MAX_ENTRIES or _cache_chars > MAX_CHARS):
            _cache_chars -= len(_CACHE.pop(next(iter(_CACHE))).source)
    _CACHE[source] = found  # the end of the dict: the most recently used
    return found
