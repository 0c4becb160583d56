"""The code of a notebook, read with ast; standard library only, never imports judge/present/pipeline/course/execute/cli.

What it reads: the models and their analytic parameter counts, the compile/fit/evaluate calls, the top-level defs.
Like all of ``autograder.read``, it imports from autograder only ``autograder.model`` (and ``autograder.errors``).
It never executes or imports student code.

``analyze_cells`` parses every code cell (IPython magics and shell lines become ``pass``: ``parse``), then walks
the statements in notebook order (``walk``) with a small static evaluator (``evaluator``, ``values``): names
bound to literals, tuples, simple arithmetic (``bindings`` finds names assigned elsewhere), the shapes of the
Keras datasets (``mnist.load_data()``), functional-API tensors and the models being built. Layer output shapes
and parameter counts are computed analytically, as ``model.summary()`` would print them (``layers``); anything
that cannot be known from the code is ``None``, never a guess. ``parse_cell`` is also the parser of
``read.outputs.evaluate``: one magic handling for the whole layer.
"""
from __future__ import annotations

import ast

from autograder.model.evidence import CodeFacts
from autograder.read.code.bindings import _module_bindings, _top_level_functions, _user_defined
from autograder.read.code.parse import parse_cell
from autograder.read.code.walk import _Walker

__all__ = ["analyze_cells", "parse_cell"]


def analyze_cells(cells: list[tuple[int, str]]) -> CodeFacts:
    """Facts about the code of a notebook: ``cells`` is (cell index, source) of every code cell, in order."""
    trees: list[tuple[int, ast.Module]] = []
    syntax_errors: list[int] = []
    for index, source in cells:
        tree = parse_cell(source)
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
        typed_prints=tuple(walker.typed_prints),
    )
