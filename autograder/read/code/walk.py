"""The walk: a notebook's statements in order, building models and recording compile/fit/evaluate calls; standard library only.

Imports nothing from autograder but ``model`` and its siblings in ``read.code``. Branches that may or may not
run are walked from the same state, and a name any of them rebinds is unknown after them; a layer added in a
loop or a function counts, but its parameters are unknown (how many times it was added is not known).
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from autograder.model.evidence import Call, CodeLayer, ModelCode
from autograder.model.keras import RECORDED_METHODS
from autograder.read.code.bindings import _Binding, _statement_bindings
from autograder.read.code.cells import ParsedCell, calls_in
from autograder.read.code.evaluator import _Evaluator
from autograder.read.code.layers import _build_layer
from autograder.read.code.printed import printed_text
from autograder.read.code.values import UNKNOWN, _argument, _Builder, _dotted, _literal, _ModelRef, _Named, _named, _Scope, _Tensor

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
        self.factories: dict[str, _Builder] = {}  # functions that build and return a model
        self.called: set[_Builder] = set()  # factories called once already
        self.typed_prints: list[tuple[int | None, str]] = []  # (cell, None inside a def; text) of constant prints
        self.cell = -1
        self.parsed: ParsedCell | None = None  # the cell being walked: its calls and local names, made once

    @property
    def scope(self) -> _Scope:
        return self.evaluator.scopes[-1]

    def model_codes(self) -> tuple[ModelCode, ...]:
        return tuple(ModelCode(b.variable, tuple(b.layers), b.cell) for b in self.builders)

    def walk_cell(self, index: int, tree: ast.Module, parsed: ParsedCell | None = None) -> None:
        """Walk one cell's statements; ``parsed``: the ``ParsedCell`` of ``tree``, whose per-node facts are kept."""
        self.cell = index
        self.parsed = parsed if parsed is not None else ParsedCell("", tree)  # a bare tree: facts for this walk only
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
        assert self.parsed is not None
        self.evaluator.scopes.append(_Scope({}, self.parsed.local_names(statement)))
        try:
            self._block(statement.body)
            returned = [s.value for s in statement.body if isinstance(s, ast.Return) and s.value is not None]
            model = self.evaluator.value(returned[-1]) if returned and not isinstance(statement, ast.ClassDef) else None
        finally:
            self.evaluator.scopes.pop()
        self.scope.env[statement.name] = _Named(statement.name)
        if isinstance(model, _ModelRef):
            self.factories[statement.name] = model.builder  # `def build_model(): … return model`
        else:
            self.factories.pop(statement.name, None)

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
        calls = self.parsed.calls if self.parsed is not None else calls_in
        for node in nodes:
            for call in calls(node):
                self._call(call, assigned.get(id(call)) if assigned else None)

    def _call(self, call: ast.Call, assigned_to: str | None) -> None:
        func = call.func
        if isinstance(func, ast.Name) and func.id == "print" and self.evaluator.callee(func) == "print":
            text = printed_text(call, self.evaluator)
            if text is not None:
                self.typed_prints.append((self.cell if len(self.evaluator.scopes) == 1 else None, text))
        if isinstance(func, ast.Attribute):
            if func.attr in RECORDED_METHODS or func.attr == "summary":
                self._record(call, func, assigned_to)
            elif func.attr == "add":
                self._add(call, func)
            elif func.attr in _MUTATING_METHODS and isinstance(func.value, ast.Name) \
                    and isinstance(self.evaluator.lookup(func.value.id), (list, dict)):
                self.scope.env[func.value.id] = UNKNOWN  # `sizes.append(64)` changes the list
        self._construct(call, assigned_to)

    def _record(self, call: ast.Call, func: ast.Attribute, assigned_to: str | None) -> None:
        receiver = self.evaluator.value(func.value)
        if isinstance(receiver, _Named) and receiver.imported:  # `re.compile(…)`
            return
        if func.attr == "summary" and not isinstance(receiver, _ModelRef) and call.args:
            return  # `df.summary(x)`: not a Keras model's summary
        arguments = self._arguments(call, func.attr)
        model = self.builders.index(receiver.builder) if isinstance(receiver, _ModelRef) else None
        # a summary shows the model as built so far: later ``add`` calls are not in its table
        layers = len(receiver.builder.layers) if func.attr == "summary" and isinstance(receiver, _ModelRef) else None
        self.calls.append(Call(func.attr, _dotted(func.value), arguments, assigned_to, self.cell, model, layers))

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
        """``Sequential(…)`` or functional ``Model(inputs, outputs)``: a new model; a call of a function that builds
        and returns one (``model = build_model()``): a new model with the layers the function adds."""
        if isinstance(call.func, ast.Name) and call.func.id in self.user_defined:
            factory = self.factories.get(call.func.id)
            if factory is None or self.evaluator.lookup(call.func.id) != _Named(call.func.id):
                return
            if factory not in self.called:  # the first call: the model the function's body built
                self.called.add(factory)
                self.evaluator.created[id(call)] = _ModelRef(factory)
                return
            builder = self._new_builder(variable)  # every further call: another model with the same layers
            builder.layers, builder.shape = list(factory.layers), factory.shape
            self.evaluator.created[id(call)] = _ModelRef(builder)
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


_calls_in = calls_in  # the calls under a node in evaluation order (``cells.calls_in``)
