"""The code of a notebook, read with ast; standard library only, never imports judge/present/pipeline/course/execute/cli.

What it reads: the models and their analytic parameter counts, the compile/fit/evaluate calls, the top-level defs.
Like all of ``autograder.read``, it imports from autograder only ``autograder.model`` (and ``autograder.errors``).
It never executes or imports student code.

``analyze_cells`` parses every code cell (IPython magics and shell lines become ``pass``: ``parse``), then walks
the statements in notebook order (``walk``) with a small static evaluator (``evaluator``, ``values``): names
bound to literals, tuples, simple arithmetic (``bindings`` finds names assigned elsewhere), the shapes of the
Keras datasets (``mnist.load_data()``), functional-API tensors and the models being built. Layer output shapes
and parameter counts are computed analytically, as ``model.summary()`` would print them (``layers``); anything
that cannot be known from the code is ``None``, never a guess. Each cell is parsed once
(``cells.parsed_cell``, kept across a batch for repeated template cells); ``read.outputs.evaluate`` and
``extract`` read the same ``ParsedCell``: one parse and one magic handling per cell for the whole layer.
"""
from __future__ import annotations

from autograder.model.evidence import CodeFacts
from autograder.read.code.bindings import _Binding
from autograder.read.code.cells import ParsedCell, parsed_cell
from autograder.read.code.parse import parse_cell
from autograder.read.code.walk import _Walker

__all__ = ["ParsedCell", "analyze_cells", "analyze_parsed", "parse_cell", "parsed_cell"]


def analyze_cells(cells: list[tuple[int, str]]) -> CodeFacts:
    """Facts about the code of a notebook: ``cells`` is (cell index, source) of every code cell, in order."""
    return analyze_parsed([(index, parsed_cell(source)) for index, source in cells])


def analyze_parsed(cells: list[tuple[int, ParsedCell]]) -> CodeFacts:
    """``analyze_cells`` of cells already parsed (``parsed_cell``): the readers of one notebook share the trees."""
    used: set[int] = set()
    parsed: list[tuple[int, ParsedCell]] = []
    syntax_errors: list[int] = []
    for index, cell in cells:
        if cell.tree is None:
            syntax_errors.append(index)
            continue
        if id(cell) in used:  # the same source twice in one notebook: the walk needs nodes of its own for each
            cell = cell.fresh()
        used.add(id(cell))
        parsed.append((index, cell))
    bindings: dict[str, list[_Binding]] = {}
    user_defined: set[str] = set()
    functions: list[str] = []
    for _, cell in parsed:
        for name, binding in cell.bindings:
            bindings.setdefault(name, []).append(binding)
        user_defined |= cell.user_defined
        functions += [name for name in cell.functions if name not in functions]
    walker = _Walker(bindings, frozenset(user_defined))
    for index, cell in parsed:
        assert cell.tree is not None
        try:
            walker.walk_cell(index, cell.tree, cell)
        except RecursionError:  # a pathologically deep expression: the rest of this cell is skipped
            continue
    return CodeFacts(
        models=walker.model_codes(),
        calls=tuple(walker.calls),
        functions=tuple(functions),
        syntax_errors=tuple(syntax_errors),
        typed_prints=tuple(walker.typed_prints),
    )
