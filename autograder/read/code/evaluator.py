"""The static evaluator: what an expression of a notebook is worth, without running it; standard library only.

Imports nothing from autograder but ``model.evidence`` and its siblings in ``read.code``. A value is a literal,
an array shape (the Keras datasets and what reshape/astype/``/ 255`` make of them), a functional-API tensor, a
model being built, a name, or ``UNKNOWN``.
"""
from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

from autograder.model.evidence import CodeLayer
from autograder.read.code.bindings import _Binding
from autograder.read.code.layers import _build_layer, _input_spec, _public
from autograder.read.code.values import (
    _MAX_LENGTH,
    UNKNOWN,
    _argument,
    _Array,
    _bounded,
    _is_int,
    _is_number,
    _literal,
    _ModelRef,
    _Named,
    _Scope,
    _Tensor,
)

_DATASETS = {
    "mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "fashion_mnist": (((60000, 28, 28), (60000,)), ((10000, 28, 28), (10000,))),
    "cifar10": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
    "cifar100": (((50000, 32, 32, 3), (50000, 1)), ((10000, 32, 32, 3), (10000, 1))),
}
_MAX_DEPTH = 60  # nested evaluations before giving up (keeps far below Python's recursion limit)
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
        for key, value in zip(node.keys, node.values, strict=True):
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
        for op, comparator in zip(node.ops, node.comparators, strict=True):
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


