"""Read models, compile/fit/evaluate calls and defs from code cells with ast; never executes or imports student code.

``analyze_cells`` parses every code cell (IPython magics and shell lines become ``pass``), then walks the
statements in notebook order with a small static evaluator: names bound to literals, tuples, simple
arithmetic, the shapes of the Keras datasets (``mnist.load_data()``), functional-API tensors and the models
being built. Layer output shapes and parameter counts are computed analytically, as ``model.summary()``
would print them; anything that cannot be known from the code is ``None``, never a guess.
"""
from __future__ import annotations

import ast
import math
import operator
import re
import textwrap
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from autograder.model.evidence import Call, CodeFacts, CodeLayer, ModelCode

__all__ = ["analyze_cells"]


def analyze_cells(cells: list[tuple[int, str]]) -> CodeFacts:
    """Facts about the code of a notebook: ``cells`` is (cell index, source) of every code cell, in order."""
    trees: list[tuple[int, ast.Module]] = []
    syntax_errors: list[int] = []
    for index, source in cells:
        tree = _parse_cell(source)
        if tree is None:
            syntax_errors.append(index)
        else:
            trees.append((index, tree))
    walker = _Walker(_module_bindings(trees), _user_defined(trees))
    for index, tree in trees:
        try:
            walker.walk_cell(index, tree)
        except RecursionError:  # a pathologically deep expression: the rest of this cell is skipped
            continue
    return CodeFacts(
        models=walker.model_codes(),
        calls=tuple(walker.calls),
        functions=_top_level_functions(trees),
        syntax_errors=tuple(syntax_errors),
    )


# ---------------------------------------------------------------------------------------------------
# Parsing: IPython magics and shell lines become `pass` with the same indentation (line numbers kept).
# ---------------------------------------------------------------------------------------------------

_NON_PYTHON_CELL_MAGICS = frozenset({
    "bash", "sh", "script", "system", "sx", "html", "javascript", "js", "latex", "markdown", "svg", "perl",
    "ruby", "writefile", "file", "cmd", "powershell", "python2", "pypy", "sql", "bigquery", "shell",
})
_SHELL_ASSIGNMENT = re.compile(r"[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[!%]")
_MAX_FIXES = 20  # syntax errors repaired one line at a time before replacing every magic-looking line


def _parse_cell(source: object) -> ast.Module | None:
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


def _top_level_functions(trees: list[tuple[int, ast.Module]]) -> tuple[str, ...]:
    names: list[str] = []
    for _, tree in trees:
        for statement in tree.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name not in names:
                names.append(statement.name)
    return tuple(names)


def _user_defined(trees: list[tuple[int, ast.Module]]) -> frozenset[str]:
    """Names of every function and class the notebook defines (a student's ``def Model():`` is not Keras)."""
    names: set[str] = set()
    blocks = [tree.body for _, tree in trees]
    while blocks:
        for statement in blocks.pop():
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(statement.name)
                blocks.append(statement.body)
            else:
                blocks.extend(_blocks(statement))
    return frozenset(names)


# ---------------------------------------------------------------------------------------------------
# Bindings: where each name is assigned, for names used before (or far from) their assignment.
# ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Binding:
    kind: str  # "assign" (value known), "import", "def", "other"
    value: ast.expr | None = None
    path: tuple[int, ...] = ()  # index into the value for tuple targets: `(a, b), c = …`
    imported: str | None = None  # the imported object's own name (`from keras.optimizers import Adam as A`)


def _module_bindings(trees: list[tuple[int, ast.Module]]) -> dict[str, list[_Binding]]:
    bindings: dict[str, list[_Binding]] = {}
    for _, tree in trees:
        try:
            for name, binding in _bound_names(tree.body):
                bindings.setdefault(name, []).append(binding)
        except RecursionError:
            continue
    return bindings


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
    if isinstance(statement, ast.Assign):
        for target in statement.targets:
            yield from _target_bindings(target, statement.value, ())
    elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        if statement.value is not None:
            yield statement.target.id, _Binding("assign", statement.value)
    elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
        yield statement.target.id, _Binding("other")
    elif isinstance(statement, (ast.For, ast.AsyncFor)):
        yield from _target_bindings(statement.target, None, ())
    elif isinstance(statement, (ast.With, ast.AsyncWith)):
        for item in statement.items:
            if item.optional_vars is not None:
                yield from _target_bindings(item.optional_vars, None, ())
    elif isinstance(statement, (ast.Import, ast.ImportFrom)):
        for alias in statement.names:
            if alias.name != "*":
                local = alias.asname or alias.name.split(".")[0]
                imported = alias.name.split(".")[-1] if alias.asname else local
                yield local, _Binding("import", imported=imported)
    elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield statement.name, _Binding("def")
    elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
        for handler in statement.handlers:  # type: ignore[attr-defined]
            if handler.name:
                yield handler.name, _Binding("other")


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


# ---------------------------------------------------------------------------------------------------
# Values the evaluator knows besides Python literals.
# ---------------------------------------------------------------------------------------------------

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


_DATASETS = {
    "mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "fashion_mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "cifar10": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "cifar100": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
}
_MAX_DEPTH = 60  # nested evaluations before giving up (keeps far below Python's recursion limit)
_MAX_INT = 10**30
_MAX_LENGTH = 10_000
_ARITHMETIC: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
}
_COMPARISONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_, ast.IsNot: operator.is_not,
}
_BUILTINS: dict[str, Callable[..., Any]] = {
    "int": int, "float": float, "abs": abs, "round": round, "min": min, "max": max, "len": len, "tuple": tuple,
    "list": list,
}


def _is_int(value: object) -> bool:
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
    if position is not None and position < len(call.args):
        if not any(isinstance(arg, ast.Starred) for arg in call.args[: position + 1]):
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


# ---------------------------------------------------------------------------------------------------
# The evaluator: what an expression is worth, statically.
# ---------------------------------------------------------------------------------------------------

class _Evaluator:
    """What an expression is worth: a literal, an array shape, a tensor, a model, a name, or UNKNOWN."""

    def __init__(self, bindings: dict[str, list[_Binding]]):
        self.bindings = bindings
        self.module = _Scope({}, None)
        self.scopes: list[_Scope] = [self.module]
        self.created: dict[int, _ModelRef] = {}  # id(call node) → the model that call built
        self._globals: dict[str, Any] = {}
        self._resolving: set[str] = set()
        self._depth = 0

    # -- entry points --

    def value(self, node: ast.AST | None) -> Any:
        if node is None or self._depth >= _MAX_DEPTH:
            return UNKNOWN
        handler = self._HANDLERS.get(type(node))
        if handler is None:
            return UNKNOWN
        self._depth += 1
        try:
            return handler(self, node)
        finally:
            self._depth -= 1

    def literal(self, node: ast.AST | None, default: Any = UNKNOWN) -> Any:
        """The literal written (or bound) there; ``default`` when nothing is written; UNKNOWN when unknowable."""
        return default if node is None else _literal(self.value(node))

    def callee(self, func: ast.expr) -> str | None:
        """The name a call is known by: ``Dense`` of ``layers.Dense(…)``, the imported name behind an alias."""
        if isinstance(func, ast.Attribute):
            return func.attr
        if isinstance(func, ast.Name):
            bound = self.lookup(func.id)
            return bound.name if isinstance(bound, _Named) else func.id
        return None

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope.env:
                return scope.env[name]
            if scope.local_names is not None and name in scope.local_names:
                return UNKNOWN
        return self._global(name)

    # -- names bound elsewhere in the notebook --

    def _global(self, name: str) -> Any:
        if name in self._globals:
            return self._globals[name]
        if name in self._resolving:
            return UNKNOWN
        self._resolving.add(name)
        saved, self.scopes = self.scopes, [_Scope({}, None)]
        try:
            value = self._from_bindings(name, self.bindings.get(name, []))
        finally:
            self.scopes = saved
            self._resolving.discard(name)
        self._globals[name] = value
        return value

    def _from_bindings(self, name: str, bindings: list[_Binding]) -> Any:
        if not bindings:
            return "__main__" if name == "__name__" else _Named(name)
        if all(binding.kind == "import" for binding in bindings):
            return _Named(bindings[-1].imported or name, imported=True)
        if all(binding.kind == "def" for binding in bindings):
            return _Named(name)
        if len(bindings) != 1 or bindings[0].kind != "assign":
            return UNKNOWN
        value = self.value(bindings[0].value)
        for position in bindings[0].path:
            value = value[position] if isinstance(value, (tuple, list)) and position < len(value) else UNKNOWN
        return value

    # -- expressions --

    def _constant(self, node: ast.Constant) -> Any:
        return _bounded(node.value)

    def _name(self, node: ast.Name) -> Any:
        return self.lookup(node.id)

    def _sequence(self, node: ast.Tuple | ast.List) -> Any:
        if len(node.elts) > _MAX_LENGTH or any(isinstance(e, ast.Starred) for e in node.elts):
            return UNKNOWN
        items = [self.value(element) for element in node.elts]
        return tuple(items) if isinstance(node, ast.Tuple) else items

    def _dict(self, node: ast.Dict) -> Any:
        if len(node.keys) > _MAX_LENGTH or any(key is None for key in node.keys):
            return UNKNOWN
        result = {}
        for key, value in zip(node.keys, node.values):
            key_value = self.literal(key)
            if not isinstance(key_value, (str, int, float, bool, type(None))):
                return UNKNOWN
            result[key_value] = self.value(value)
        return result

    def _unary(self, node: ast.UnaryOp) -> Any:
        operand = self.value(node.operand)
        if isinstance(node.op, ast.Not) and _literal(operand) is not UNKNOWN:
            return not operand
        if _is_number(operand) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -operand if isinstance(node.op, ast.USub) else operand
        return UNKNOWN

    def _binary(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(left, _Array) and (_is_number(right) or right == left):
            return left
        if isinstance(right, _Array) and _is_number(left):
            return right
        function = _ARITHMETIC.get(type(node.op))
        if function is None or not _arithmetic_allowed(node.op, left, right):
            return UNKNOWN
        try:
            return _bounded(function(left, right))
        except (ArithmeticError, TypeError, ValueError):
            return UNKNOWN

    def _boolean(self, node: ast.BoolOp) -> Any:
        result: Any = UNKNOWN
        for operand in node.values:
            result = _literal(self.value(operand))
            if result is UNKNOWN:
                return UNKNOWN
            if bool(result) == isinstance(node.op, ast.Or):
                return result
        return result

    def _compare(self, node: ast.Compare) -> Any:
        left = _literal(self.value(node.left))
        for op, comparator in zip(node.ops, node.comparators):
            right = _literal(self.value(comparator))
            if UNKNOWN in (left, right):
                return UNKNOWN
            try:
                if not _COMPARISONS[type(op)](left, right):
                    return False
            except (TypeError, ValueError, KeyError):
                return UNKNOWN
            left = right
        return True

    def _if_expression(self, node: ast.IfExp) -> Any:
        test = _literal(self.value(node.test))
        if test is UNKNOWN:
            return UNKNOWN
        return self.value(node.body if test else node.orelse)

    def _subscript(self, node: ast.Subscript) -> Any:
        base = self.value(node.value)
        if isinstance(base, _Array):
            return _array_index(base, node.slice, self)
        index = self._index(node.slice)
        if index is UNKNOWN or not isinstance(base, (tuple, list, str, dict)):
            return UNKNOWN
        try:
            return base[index]
        except (IndexError, KeyError, TypeError, ValueError):
            return UNKNOWN

    def _index(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Slice):
            parts = [self.literal(part, None) for part in (node.lower, node.upper, node.step)]
            if any(part is not None and not _is_int(part) for part in parts) or parts[2] == 0:
                return UNKNOWN
            return slice(*parts)
        index = self.literal(node)
        return index if isinstance(index, (int, str, float, tuple)) else UNKNOWN

    def _attribute(self, node: ast.Attribute) -> Any:
        base = self.value(node.value)
        if isinstance(base, _Array):
            return {"shape": base.shape, "ndim": len(base.shape), "size": math.prod(base.shape)}.get(node.attr, UNKNOWN)
        if isinstance(base, _Named):
            return _Named(node.attr)
        return UNKNOWN

    def _call(self, node: ast.Call) -> Any:
        if id(node) in self.created:
            return self.created[id(node)]
        applied = self._applied_layer(node)
        if applied is not UNKNOWN:
            return applied
        name = self.callee(node.func)
        if name is None:
            return UNKNOWN
        special = self._SPECIAL_CALLS.get(name)
        if special is not None:
            result = special(self, node)
            if result is not UNKNOWN:
                return result
        if isinstance(node.func, ast.Attribute):
            result = _array_method(self.value(node.func.value), name, node, self)
            if result is not UNKNOWN:
                return result
        return _Named(name, node)

    def _applied_layer(self, node: ast.Call) -> Any:
        """``Dense(32)(x)``, ``dense(x)``, ``model(x)`` with ``x`` a functional-API tensor."""
        if len(node.args) != 1 or not isinstance(node.func, (ast.Call, ast.Name)):
            return UNKNOWN
        layer = self.value(node.func)
        if not (isinstance(layer, _ModelRef) or (isinstance(layer, _Named) and layer.node is not None)):
            return UNKNOWN
        tensor = self.value(node.args[0])
        if not isinstance(tensor, _Tensor):
            return UNKNOWN
        built, shape = _build_layer(layer, tensor.shape, first=False, evaluator=self)
        return _Tensor((*tensor.layers, built), shape)

    def _input(self, node: ast.Call) -> Any:
        shape = _input_spec(node, self, "InputLayer")
        return _Tensor((CodeLayer("InputLayer", 0, _public(shape)),), shape)

    def _load_data(self, node: ast.Call) -> Any:
        if not isinstance(node.func, ast.Attribute):
            return UNKNOWN
        shapes = _DATASETS.get(self.callee(node.func.value) or "")
        if shapes is None:
            return UNKNOWN
        return tuple(tuple(_Array(shape) for shape in split) for split in shapes)

    def _builtin(self, node: ast.Call) -> Any:
        function = _BUILTINS[node.func.id] if isinstance(node.func, ast.Name) and node.func.id in _BUILTINS else None
        if function is None or node.keywords or len(node.args) > 3:
            return UNKNOWN
        args = [self.value(arg) for arg in node.args]
        if function is len and len(args) == 1 and isinstance(args[0], _Array):
            return args[0].shape[0]
        args = [_literal(arg) for arg in args]
        if UNKNOWN in args or (function in (int, float) and not all(_is_number(a) or isinstance(a, str) for a in args)):
            return UNKNOWN
        if function is round and len(args) > 1 and not (_is_int(args[1]) and abs(args[1]) <= 20):
            return UNKNOWN
        try:
            return _bounded(function(*args))
        except (ArithmeticError, TypeError, ValueError):
            return UNKNOWN

    def _expand_dims(self, node: ast.Call) -> Any:
        array, axis = self.value(_argument(node, 0, "a", "input")), self.literal(_argument(node, 1, "axis"))
        if not isinstance(array, _Array) or not _is_int(axis) or not -len(array.shape) - 1 <= axis <= len(array.shape):
            return UNKNOWN
        position = axis if axis >= 0 else len(array.shape) + 1 + axis
        return _Array((*array.shape[:position], 1, *array.shape[position:]))

    def _same_array(self, node: ast.Call) -> Any:
        array = self.value(node.args[0]) if node.args else UNKNOWN
        return array if isinstance(array, _Array) else UNKNOWN

    _HANDLERS: dict[type, Callable[[_Evaluator, Any], Any]] = {
        ast.Constant: _constant, ast.Name: _name, ast.Tuple: _sequence, ast.List: _sequence, ast.Dict: _dict,
        ast.UnaryOp: _unary, ast.BinOp: _binary, ast.BoolOp: _boolean, ast.Compare: _compare,
        ast.IfExp: _if_expression, ast.Subscript: _subscript, ast.Attribute: _attribute, ast.Call: _call,
    }
    _SPECIAL_CALLS: dict[str, Callable[[_Evaluator, ast.Call], Any]] = {
        "Input": _input, "load_data": _load_data, "expand_dims": _expand_dims,
        "array": _same_array, "asarray": _same_array, "float32": _same_array, "cast": _same_array,
        "image_data_format": lambda self, node: "channels_last",  # TensorFlow's default, Keras ≥ 2
        "image_dim_ordering": lambda self, node: "tf",
        **dict.fromkeys(_BUILTINS, _builtin),
    }


def _arithmetic_allowed(op: ast.operator, left: Any, right: Any) -> bool:
    """Numbers (small powers only), and sequence concatenation/repetition within bounds."""
    if _is_number(left) and _is_number(right):
        return not isinstance(op, ast.Pow) or (abs(right) <= 64 and abs(left) <= 10**6)
    sequences = (str, tuple, list)
    if isinstance(op, ast.Add):
        return isinstance(left, sequences) and type(left) is type(right)
    if isinstance(op, ast.Mult):
        pairs = ((left, right), (right, left))
        return any(isinstance(s, sequences) and _is_int(n) and len(s) * max(n, 0) <= _MAX_LENGTH for s, n in pairs)
    return False


def _array_method(base: Any, name: str, node: ast.Call, evaluator: _Evaluator) -> Any:
    if not isinstance(base, _Array):
        return UNKNOWN
    if name in ("astype", "copy"):
        return base
    if name in ("flatten", "ravel"):
        return _Array((math.prod(base.shape),))
    if name == "reshape":
        dims = [evaluator.value(arg) for arg in node.args]
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = list(dims[0])
        return _reshape(base.shape, dims)
    return UNKNOWN


def _reshape(shape: tuple[int, ...], dims: list[Any]) -> Any:
    if not dims or not all(_is_int(d) and (d > 0 or d == -1) for d in dims) or dims.count(-1) > 1:
        return UNKNOWN
    total, known = math.prod(shape), math.prod(d for d in dims if d != -1)
    if -1 in dims:
        if known == 0 or total % known:
            return UNKNOWN
        dims = [total // known if d == -1 else d for d in dims]
    return _Array(tuple(dims)) if math.prod(dims) == total else UNKNOWN


def _array_index(array: _Array, index: ast.expr, evaluator: _Evaluator) -> Any:
    """``x[:1000]``, ``x[0]``, ``x[..., None]`` / ``x[..., np.newaxis]``."""
    if isinstance(index, ast.Tuple) and len(index.elts) == 2:
        first, second = evaluator.value(index.elts[0]), evaluator.value(index.elts[1])
        newaxis = second is None or (isinstance(second, _Named) and second.name == "newaxis")
        return _Array((*array.shape, 1)) if first is Ellipsis and newaxis else UNKNOWN
    position = evaluator._index(index)
    if isinstance(position, slice):
        return _Array((len(range(*position.indices(array.shape[0]))), *array.shape[1:]))
    if _is_int(position) and len(array.shape) > 1:
        return _Array(array.shape[1:])
    return UNKNOWN


# ---------------------------------------------------------------------------------------------------
# Layers: output shape and parameter count of one layer, as model.summary() shows them.
# ---------------------------------------------------------------------------------------------------

_CANONICAL = {
    "Input": "InputLayer", "MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D",
    "Convolution2D": "Conv2D", "GlobalAvgPool2D": "GlobalAveragePooling2D", "GlobalMaxPool2D": "GlobalMaxPooling2D",
}
_PASSTHROUGH = frozenset({
    "Activation", "Dropout", "SpatialDropout2D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ReLU",
    "Softmax", "LeakyReLU", "ELU", "ThresholdedReLU", "Rescaling", "ActivityRegularization",
})


@dataclass(frozen=True)
class _Computed:
    params: int | None
    shape: Shape | None
    units: int | None = None
    activation: str | None = None
    rate: float | None = None


def _public(shape: Shape | None) -> tuple[int | None, ...] | None:
    return None if shape is None or Ellipsis in shape else tuple(shape)


def _last(shape: Shape | None) -> int | None:
    return shape[-1] if shape and _is_int(shape[-1]) else None


def _dims(value: Any) -> tuple[int | None, ...] | None:
    if _is_int(value) and value > 0:
        return (value,)
    if isinstance(value, (tuple, list)) and 0 < len(value) <= 8:
        if all(d is None or (_is_int(d) and d > 0) for d in value):
            return tuple(value)
    return None


def _pair(value: Any) -> tuple[int, int] | None:
    if _is_int(value) and value > 0:
        return (value, value)
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) and v > 0 for v in value):
        return (value[0], value[1])
    return None


def _bias(call: ast.Call, evaluator: _Evaluator) -> int | None:
    use_bias = evaluator.literal(_argument(call, None, "use_bias", "bias"), True)
    return int(use_bias) if isinstance(use_bias, bool) else None


def _activation(call: ast.Call, position: int | None, evaluator: _Evaluator) -> str | None:
    node = _argument(call, position, "activation")
    name = _named(evaluator.value(node)) if node is not None else None
    return name if isinstance(name, str) else None


def _input_spec(call: ast.Call, evaluator: _Evaluator, kind: str) -> Shape | None:
    """The input shape a layer declares (``input_shape``, ``input_dim``, ``Input(shape=…)``), with the batch axis."""
    shape = evaluator.literal(_argument(call, 0 if kind == "InputLayer" else None, "shape", "input_shape"), None)
    if _dims(shape) is not None:
        return (None, *_dims(shape))  # type: ignore[misc]
    batch_shape = evaluator.literal(_argument(call, None, "batch_shape", "batch_input_shape"), None)
    if isinstance(batch_shape, (tuple, list)) and len(batch_shape) > 1 and _dims(batch_shape[1:]) is not None:
        return (batch_shape[0] if _is_int(batch_shape[0]) else None, *_dims(batch_shape[1:]))  # type: ignore[misc]
    input_dim = evaluator.literal(_argument(call, None, "input_dim"), None)
    return (None, input_dim) if _is_int(input_dim) and input_dim > 0 else None


def _spatial(shape: Shape | None) -> tuple[int | None, int | None, int | None] | None:
    """(height, width, channels) of a channels-last image batch; unknown axes None; None if not an image."""
    if shape is None or Ellipsis in shape:
        return None, None, _last(shape)
    if len(shape) != 4:
        return None
    return shape[1], shape[2], shape[3]


def _channels_last(call: ast.Call, evaluator: _Evaluator) -> bool:
    """Only channels-last images are computed, not ``data_format='channels_first'`` / ``dim_ordering='th'``."""
    data_format = evaluator.literal(_argument(call, None, "data_format", "dim_ordering"), None)
    return data_format in (None, "channels_last", "tf")


def _window(size: int | None, kernel: int, stride: int, padding: Any, dilation: int = 1) -> int | None:
    if size is None:
        return None
    if padding == "same":
        return -(-size // stride)
    reach = (kernel - 1) * dilation + 1
    if padding != "valid" or size < reach:
        return None
    return (size - reach) // stride + 1


def _dense(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    units = evaluator.literal(_argument(call, 0, "units", "output_dim"))
    units = units if _is_int(units) and units > 0 else None
    fan_in, bias = _last(shape), _bias(call, evaluator)
    params = (fan_in + bias) * units if None not in (fan_in, bias, units) else None  # type: ignore[operator]
    out = (*(shape[:-1] if shape else (Ellipsis,)), units)
    return _Computed(params, out, units=units, activation=_activation(call, 1, evaluator))


def _conv2d(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    literal = evaluator.literal
    filters = literal(_argument(call, 0, "filters", "nb_filter"))
    filters = filters if _is_int(filters) and filters > 0 else None
    keras1 = name == "Convolution2D" and len(call.args) >= 3  # Keras 1: Convolution2D(32, 3, 3)
    if keras1 or _argument(call, None, "nb_row") is not None:
        kernel = _pair([literal(_argument(call, 1, "nb_row")), literal(_argument(call, 2, "nb_col"))])
    else:
        kernel = _pair(literal(_argument(call, 1, "kernel_size")))
    strides = _pair(literal(_argument(call, None if keras1 else 2, "strides", "subsample"), 1))
    padding = literal(_argument(call, None if keras1 else 3, "padding", "border_mode"), "valid")
    dilation = _pair(literal(_argument(call, None, "dilation_rate"), 1))
    spatial, bias = _spatial(shape), _bias(call, evaluator)
    activation = _activation(call, None, evaluator)
    if spatial is None or None in (kernel, strides, dilation) or not _channels_last(call, evaluator):
        return _Computed(None, None, units=filters, activation=activation)
    height, width, channels = spatial
    padding = padding.lower() if isinstance(padding, str) else None
    out_h = _window(height, kernel[0], strides[0], padding, dilation[0])  # type: ignore[index]
    out_w = _window(width, kernel[1], strides[1], padding, dilation[1])  # type: ignore[index]
    known = None not in (channels, bias, filters)
    params = (kernel[0] * kernel[1] * channels + bias) * filters if known else None  # type: ignore[index,operator]
    return _Computed(params, (None, out_h, out_w, filters), units=filters, activation=activation)


def _pooling(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    literal = evaluator.literal
    pool = _pair(literal(_argument(call, 0, "pool_size"), 2))
    strides_value = literal(_argument(call, 1, "strides"), None)
    strides = pool if strides_value is None else _pair(strides_value)
    padding = literal(_argument(call, 2, "padding", "border_mode"), "valid")
    spatial = _spatial(shape)
    if spatial is None or pool is None or strides is None or not _channels_last(call, evaluator):
        return _Computed(0, None)
    height, width, channels = spatial
    padding = padding.lower() if isinstance(padding, str) else None
    out_h, out_w = _window(height, pool[0], strides[0], padding), _window(width, pool[1], strides[1], padding)
    return _Computed(0, (None, out_h, out_w, channels))


def _global_pooling(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    return _Computed(0, (None, _last(shape)) if _spatial(shape) is not None else None)


def _flatten(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    inner = shape[1:] if shape is not None and Ellipsis not in shape else (None,)
    return _Computed(0, (None, math.prod(inner) if None not in inner else None))  # type: ignore[arg-type]


def _reshape_layer(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    target = evaluator.literal(_argument(call, 0, "target_shape", "dims"))
    if not isinstance(target, (tuple, list)) or not all(_is_int(d) and (d > 0 or d == -1) for d in target):
        return _Computed(0, None)
    target = list(target)
    if -1 in target:
        inner = shape[1:] if shape is not None and Ellipsis not in shape else (None,)
        rest = math.prod(d for d in target if d != -1)
        size = math.prod(inner) if None not in inner and target.count(-1) == 1 else None  # type: ignore[arg-type]
        missing = size // rest if size is not None and rest and size % rest == 0 else None
        target = [missing if d == -1 else d for d in target]
    return _Computed(0, (None, *target))


def _batch_normalization(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    literal = evaluator.literal
    axis = literal(_argument(call, 0, "axis"), -1)
    if axis == -1:
        channels = _last(shape)
    elif _is_int(axis) and shape is not None and Ellipsis not in shape and -len(shape) <= axis < len(shape):
        channels = shape[axis]
    else:
        channels = None
    center, scale = literal(_argument(call, None, "center"), True), literal(_argument(call, None, "scale"), True)
    if not _is_int(channels) or not isinstance(center, bool) or not isinstance(scale, bool):
        return _Computed(None, shape)
    return _Computed(channels * (2 + center + scale), shape)  # moving mean and variance, beta, gamma


def _passthrough(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    """Activation, Dropout and friends: no weights, the shape unchanged."""
    activation = _activation(call, 0 if name == "Activation" else None, evaluator)
    rate = evaluator.literal(_argument(call, 0, "rate", "p")) if "Dropout" in name else None
    return _Computed(0, shape, activation=activation, rate=rate if _is_number(rate) else None)


def _input_layer(call: ast.Call, shape: Shape | None, evaluator: _Evaluator, name: str) -> _Computed:
    return _Computed(0, shape)


_LAYERS: dict[str, Callable[[ast.Call, Shape | None, _Evaluator, str], _Computed]] = {
    "Dense": _dense, "Conv2D": _conv2d, "MaxPooling2D": _pooling, "AveragePooling2D": _pooling,
    "GlobalAveragePooling2D": _global_pooling, "GlobalMaxPooling2D": _global_pooling, "Flatten": _flatten,
    "Reshape": _reshape_layer, "BatchNormalization": _batch_normalization, "InputLayer": _input_layer,
    **{name: _passthrough for name in _PASSTHROUGH},
}


def _build_layer(value: Any, shape: Shape | None, first: bool, evaluator: _Evaluator) -> tuple[CodeLayer, Shape | None]:
    """The layer that ``value`` (a layer call, an ``Input`` tensor, a model) makes of input ``shape``.

    ``first``: the model's first layer, which may declare the input (``input_shape=(784,)``).
    """
    if isinstance(value, _Tensor) and len(value.layers) == 1 and value.layers[0].type == "InputLayer":
        return value.layers[0], value.shape
    if isinstance(value, _ModelRef):
        nested = value.builder
        kind = "Sequential" if nested.layers and nested.layers[0].type != "InputLayer" else "Functional"
        return CodeLayer(kind, nested.total, _public(nested.shape)), nested.shape
    if not isinstance(value, _Named) or value.node is None:
        return CodeLayer("unknown", None), None
    call = value.node
    kind = _CANONICAL.get(value.name, value.name)
    if first:
        shape = _input_spec(call, evaluator, kind) or shape
    computer = _LAYERS.get(kind)
    if computer is None:
        return CodeLayer(kind, None), None
    computed = computer(call, shape, evaluator, value.name)
    shape = computed.shape
    return CodeLayer(kind, computed.params, _public(shape), computed.units, computed.activation, computed.rate), shape


# ---------------------------------------------------------------------------------------------------
# The walk: statements in notebook order; models, calls and the values of names along the way.
# ---------------------------------------------------------------------------------------------------

_RECORDED_METHODS = frozenset({"compile", "fit", "fit_generator", "evaluate", "evaluate_generator"})
_NAMED_ARGUMENTS = frozenset({"optimizer", "loss", "metrics", "weighted_metrics", "callbacks"})
_POSITIONAL_ARGUMENTS = {
    "compile": ("optimizer", "loss", "metrics"),
    "fit": (None, None, "batch_size", "epochs"),
    "evaluate": (None, None, "batch_size"),
}
_MUTATING_METHODS = frozenset({"append", "extend", "insert", "pop", "remove", "clear", "update", "sort", "reverse"})


class _Walker:
    """Walks the cells' statements in order, building models and recording calls as it goes."""

    def __init__(self, bindings: dict[str, list[_Binding]], user_defined: frozenset[str]):
        self.evaluator = _Evaluator(bindings)
        self.user_defined = user_defined
        self.builders: list[_Builder] = []
        self.calls: list[Call] = []
        self.cell = -1

    @property
    def scope(self) -> _Scope:
        return self.evaluator.scopes[-1]

    def model_codes(self) -> tuple[ModelCode, ...]:
        return tuple(ModelCode(b.variable, tuple(b.layers), b.cell) for b in self.builders)

    def walk_cell(self, index: int, tree: ast.Module) -> None:
        self.cell = index
        self.evaluator.scopes = [self.evaluator.module]
        self.evaluator.module.loop_depth = 0
        self._block(tree.body)

    # -- statements --

    def _block(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self._statement(statement)

    def _statement(self, statement: ast.stmt) -> None:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self._definition(statement)
        elif isinstance(statement, ast.If):
            self._if(statement)
        elif isinstance(statement, (ast.For, ast.AsyncFor, ast.While)):
            self._loop(statement)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            self._scan([item.context_expr for item in statement.items])
            for item in statement.items:
                if item.optional_vars is not None:
                    self._assign(item.optional_vars, UNKNOWN)
            self._block(statement.body)
        elif isinstance(statement, ast.Try) or type(statement).__name__ == "TryStar":
            self._block(statement.body)  # type: ignore[attr-defined]
            self._branches([handler.body for handler in statement.handlers])  # type: ignore[attr-defined]
            self._block(statement.orelse)  # type: ignore[attr-defined]
            self._block(statement.finalbody)  # type: ignore[attr-defined]
        elif type(statement).__name__ == "Match":
            self._scan([statement.subject])  # type: ignore[attr-defined]
            self._branches([case.body for case in statement.cases])  # type: ignore[attr-defined]
        else:
            self._simple(statement)

    def _definition(self, statement: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        if isinstance(statement, ast.ClassDef):
            local_names = frozenset(name for name, _ in _bound_names(statement.body))
        else:
            local_names = _local_names(statement)
        self.evaluator.scopes.append(_Scope({}, local_names))
        try:
            self._block(statement.body)
        finally:
            self.evaluator.scopes.pop()
        self.scope.env[statement.name] = _Named(statement.name)

    def _if(self, statement: ast.If) -> None:
        test = _literal(self.evaluator.value(statement.test))
        if test is UNKNOWN:
            self._scan([statement.test])
            self._branches([statement.body, statement.orelse])
        else:  # `if K.image_data_format() == 'channels_first':` and other tests known statically
            self._block(statement.body if test else statement.orelse)

    def _loop(self, statement: ast.For | ast.AsyncFor | ast.While) -> None:
        if isinstance(statement, ast.While):
            self._scan([statement.test])
        else:
            self._scan([statement.iter])
            self._assign(statement.target, UNKNOWN)
        self.scope.loop_depth += 1
        try:
            self._branches([statement.body])
        finally:
            self.scope.loop_depth -= 1
        self._block(statement.orelse)

    def _branches(self, bodies: list[list[ast.stmt]]) -> None:
        """Walk blocks that may or may not run from the same state; a name any of them rebinds is then unknown.

        A model stays known, so that a later ``model.add`` still finds it.
        """
        env = self.scope.env
        before = dict(env)
        changed: dict[str, list[Any]] = {}
        for body in bodies:
            env.clear()
            env.update(before)
            self._block(body)
            for name, value in env.items():
                if before.get(name, UNKNOWN) is not value:
                    changed.setdefault(name, []).append(value)
        env.clear()
        env.update(before)
        for name, values in changed.items():
            models = [value for value in values if isinstance(value, _ModelRef)]
            env[name] = models[-1] if models else UNKNOWN

    def _simple(self, statement: ast.stmt) -> None:
        assigned = _assigned_names(statement)
        self._scan([statement], assigned)
        evaluate = self.evaluator.value
        if isinstance(statement, ast.Assign):
            value = evaluate(statement.value)
            for target in statement.targets:
                self._assign(target, value)
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            self._assign(statement.target, evaluate(statement.value))
        elif isinstance(statement, ast.AugAssign) and isinstance(statement.target, ast.Name):
            current = ast.Name(id=statement.target.id, ctx=ast.Load())
            self._assign(statement.target, evaluate(ast.BinOp(left=current, op=statement.op, right=statement.value)))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            for name, binding in _statement_bindings(statement):
                self.scope.env[name] = _Named(binding.imported or name, imported=True)
        elif isinstance(statement, ast.Delete):
            for target in statement.targets:
                self._assign(target, UNKNOWN)

    def _assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.scope.env[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            exact = isinstance(value, (tuple, list)) and len(value) == len(target.elts)
            exact = exact and not any(isinstance(element, ast.Starred) for element in target.elts)
            for position, element in enumerate(target.elts):
                element = element.value if isinstance(element, ast.Starred) else element
                self._assign(element, value[position] if exact else UNKNOWN)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self._assign(target.value, UNKNOWN)  # `sizes[0] = 64` changes the list

    # -- calls --

    def _scan(self, nodes: Iterable[ast.AST], assigned: dict[int, str] | None = None) -> None:
        for node in nodes:
            for call in _calls_in(node):
                self._call(call, (assigned or {}).get(id(call)))

    def _call(self, call: ast.Call, assigned_to: str | None) -> None:
        func = call.func
        if isinstance(func, ast.Attribute):
            if func.attr in _RECORDED_METHODS:
                self._record(call, func, assigned_to)
            elif func.attr == "add":
                self._add(call, func)
            elif func.attr in _MUTATING_METHODS and isinstance(func.value, ast.Name):
                if isinstance(self.evaluator.lookup(func.value.id), (list, dict)):
                    self.scope.env[func.value.id] = UNKNOWN
        self._construct(call, assigned_to)

    def _record(self, call: ast.Call, func: ast.Attribute, assigned_to: str | None) -> None:
        receiver = self.evaluator.value(func.value)
        if isinstance(receiver, _Named) and receiver.imported:  # `re.compile(…)`
            return
        arguments = self._arguments(call, func.attr)
        self.calls.append(Call(func.attr, _dotted(func.value), arguments, assigned_to, self.cell))

    def _arguments(self, call: ast.Call, method: str) -> dict[str, Any]:
        arguments: dict[str, Any] = {}
        positional = _POSITIONAL_ARGUMENTS.get(method, ())
        for position, name in enumerate(positional):
            node = _argument(call, position)
            if name is not None and node is not None:
                arguments[name] = self._argument_value(name, node)
        for keyword in call.keywords:
            if keyword.arg is not None:
                arguments[keyword.arg] = self._argument_value(keyword.arg, keyword.value)
        if "nb_epoch" in arguments and "epochs" not in arguments:
            arguments["epochs"] = arguments["nb_epoch"]
        return arguments

    def _argument_value(self, name: str, node: ast.expr) -> Any:
        if name == "validation_data":
            return not (isinstance(node, ast.Constant) and node.value is None)
        value = self.evaluator.value(node)
        if name in _NAMED_ARGUMENTS:
            return _named(value)
        literal = _literal(value)
        return None if literal is UNKNOWN else literal

    def _add(self, call: ast.Call, func: ast.Attribute) -> None:
        model = self.evaluator.value(func.value)
        if not isinstance(model, _ModelRef):
            return
        builder = model.builder
        uncertain = builder.scope is not self.scope or self.scope.loop_depth > builder.loop_depth
        self._append(builder, self.evaluator.value(_argument(call, 0, "layer")), uncertain)

    def _append(self, builder: _Builder, value: Any, uncertain: bool = False) -> None:
        layer, shape = _build_layer(value, builder.shape, not builder.layers, self.evaluator)
        if uncertain:  # added in a loop or a function: how many times is unknown
            layer, shape = replace(layer, params=None, output_shape=None), None
        builder.layers.append(layer)
        builder.shape = shape

    def _construct(self, call: ast.Call, variable: str | None) -> None:
        """``Sequential(…)`` or functional ``Model(inputs, outputs)``: a new model."""
        if isinstance(call.func, ast.Name) and call.func.id in self.user_defined:
            return
        name = self.evaluator.callee(call.func)
        if name == "Sequential":
            builder = self._new_builder(variable)
            layers = _argument(call, 0, "layers")
            value = self.evaluator.value(layers) if layers is not None else []
            for element in (value if isinstance(value, (list, tuple)) else [value] if value is not None else []):
                self._append(builder, element)
        elif name in ("Model", "Functional"):
            outputs = _argument(call, 1, "outputs", "output")
            if outputs is None:
                return
            tensor = self.evaluator.value(outputs)
            if isinstance(tensor, (list, tuple)) and len(tensor) == 1:
                tensor = tensor[0]
            builder = self._new_builder(variable)
            if isinstance(tensor, _Tensor):
                builder.layers.extend(tensor.layers)
                builder.shape = tensor.shape
            else:
                builder.layers.append(CodeLayer("unknown", None))
        else:
            return
        self.evaluator.created[id(call)] = _ModelRef(builder)

    def _new_builder(self, variable: str | None) -> _Builder:
        builder = _Builder(variable, self.cell, self.scope, self.scope.loop_depth)
        self.builders.append(builder)
        return builder


def _assigned_names(statement: ast.stmt) -> dict[int, str]:
    """id(value) → name for ``name = value`` (the first plain name when there are several targets)."""
    if isinstance(statement, ast.Assign):
        names = [target.id for target in statement.targets if isinstance(target, ast.Name)]
        return {id(statement.value): names[0]} if names else {}
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
        return {id(statement.value): statement.target.id}
    return {}


_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Constant, ast.Name)


def _calls_in(node: ast.AST) -> list[ast.Call]:
    """Every call under ``node`` in evaluation order (arguments before the call), without recursion."""
    calls: list[ast.Call] = []
    stack: list[tuple[ast.AST, bool]] = [(node, False)]
    while stack:
        current, visited = stack.pop()
        if visited:
            if isinstance(current, ast.Call):
                calls.append(current)
            continue
        stack.append((current, True))
        children = [child for child in ast.iter_child_nodes(current) if not isinstance(child, _LEAVES)]
        stack.extend((child, False) for child in reversed(children))
    return calls
