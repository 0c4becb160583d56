"""The fast paths of issue #19 change no result: orjson or plain ``json``, the batch cache of parsed cells on or off,
1 or 2 jobs, nbformat 3 upgraded here or by nbformat -- the reports (and every evidence) are identical.

The corpus (../shared/corpus/real), the samples (examples/submissions) and a class-like batch (template cells
repeated across submissions, a notebook with a cell repeated within itself, a copied notebook) are graded in every
configuration and compared as JSON. The inputs orjson reads differently or refuses (BOM, UTF-16, lone surrogates,
NaN, 1e400, 2**70, deep nesting) give what the plain path gives, and the fast path is really taken otherwise.
"""
from __future__ import annotations

import ast
import copy
import json
import logging
from pathlib import Path

import pytest

from autograder.judge.spec import load_spec
from autograder.pipeline import grade_paths
from autograder.read import notebook as nbm
from autograder.read.code import cells as code_cells
from autograder.read.notebook import load_notebook, parse_notebook
from autograder.testing import samples as s

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
SAMPLES = REPO / "examples" / "submissions"
V3 = CORPUS / "nbformat3_cs231n_two_layer_net_py2.ipynb"
MLP = load_spec("mlp")

_HAS_ORJSON = nbm._safe_orjson() is not False  # installed and recent enough (the environment aside)
needs_orjson = pytest.mark.skipif(not _HAS_ORJSON, reason="orjson (the [fast] extra) is not installed")


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    """A class-like batch: the same template cells in every submission, varied outputs, a copied notebook, and a
    notebook that repeats its model cell (one source twice in a notebook: the walk needs its own nodes for each)."""
    root = tmp_path_factory.mktemp("class")
    variants = [{}, {"keras3": False}, {"keras3": False, "summary_variant": "2.15"}, {"verbose": 2},
                {"keras3": False, "fit_updates": 2}, {"gpu": False, "tf_logs": True}, {"accuracy": 0.93}]
    for i, kw in enumerate(variants):
        (root / f"24130{i:02d}_学生{i}_2.ipynb").write_text(s.dumps(s.submission("mlp", seed=70 + i, **kw)), encoding="utf-8")
    repeated = s.submission("mlp", seed=90)
    code = [c for c in repeated["cells"] if c["cell_type"] == "code"]
    model_cell = next(c for c in code if "Sequential" in "".join(c["source"]))
    repeated["cells"].insert(repeated["cells"].index(model_cell) + 1, copy.deepcopy(model_cell))
    (root / "2413090_重複_2.ipynb").write_text(s.dumps(repeated), encoding="utf-8")
    (root / "2413091_写し_2.ipynb").write_bytes((root / "2413000_学生0_2.ipynb").read_bytes())
    return root


def _configure(monkeypatch: pytest.MonkeyPatch, fast: bool, cache: bool) -> None:
    """Both the switches of this process and the environment (workers started by spawn read it)."""
    monkeypatch.setenv("AUTOGRADER_PLAIN_JSON", "0" if fast else "1")
    monkeypatch.setenv("AUTOGRADER_NO_CODE_CACHE", "0" if cache else "1")
    nbm.set_fast_json(fast)
    code_cells.set_cache(cache)


def _graded(paths: list[str], jobs: int) -> str:
    report = grade_paths(paths, MLP, jobs=jobs)
    evidence = [r.evidence.to_json() if r.evidence is not None else None for r in report.submissions]
    return json.dumps([report.to_json(), report.to_json("en"), evidence], ensure_ascii=False, sort_keys=True, default=repr)


CONFIGS = [(False, False, 1), (True, False, 1), (False, True, 1), (True, True, 1), (True, True, 2), (False, False, 2)]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("which", [pytest.param("corpus", marks=pytest.mark.slow), "samples", "class"])  # corpus: ~5 s
def test_every_fast_path_gives_identical_reports(which: str, klass: Path, monkeypatch: pytest.MonkeyPatch):
    folder = {"corpus": CORPUS, "samples": SAMPLES, "class": klass}[which]
    paths = sorted(str(p) for p in folder.glob("*.ipynb"))
    assert len(paths) >= 7
    try:
        seen = {}
        for fast, cache, jobs in CONFIGS:
            _configure(monkeypatch, fast, cache)
            assert nbm.fast_json_available() == (fast and _HAS_ORJSON)
            seen[(fast, cache, jobs)] = _graded(paths, jobs)
            if cache and jobs == 1:  # a second pass reads every cell from the cache
                assert code_cells._CACHE
                seen[(fast, cache, "again")] = _graded(paths, jobs)
        plain = seen[(False, False, 1)]
        assert all(result == plain for result in seen.values()), [k for k, v in seen.items() if v != plain]
        assert '"status": "graded"' in plain
    finally:
        nbm.set_fast_json(None)
        code_cells.set_cache(True)


# ---------------------------------------------------------------- the loader's fallbacks

def _nb(**extra) -> dict:
    nb = s.submission("mlp", seed=3)
    nb["metadata"].update(extra)
    return nb


def _both(data: bytes | str) -> tuple[str, str]:
    """(fast, plain) reading of the same bytes, as comparable text (a Notebook or the error's code and words)."""
    out = []
    for fast in (True, False):
        nbm.set_fast_json(fast)
        try:
            nb = parse_notebook(data, "x.ipynb")
            out.append(repr(nb))
        except Exception as exc:  # the NotebookError of a bad file: its code and both messages
            out.append(f"{type(exc).__name__}: {getattr(exc, 'code', '')} {exc}")
    nbm.set_fast_json(None)
    return out[0], out[1]


@needs_orjson
def test_an_ordinary_notebook_takes_the_fast_path_and_reads_the_same():
    data = s.dumps(_nb()).encode("utf-8")
    nbm.set_fast_json(True)
    try:
        assert nbm._fast_loads(data) is not nbm._NO_FAST
    finally:
        nbm.set_fast_json(None)
    fast, plain = _both(data)
    assert fast == plain and "Notebook(" in fast


FALLBACKS = {
    "bom": lambda: b"\xef\xbb\xbf" + s.dumps(_nb()).encode("utf-8"),
    "utf16_bom": lambda: s.dumps(_nb(note="ノート")).encode("utf-16"),
    "utf16_without_bom": lambda: s.dumps(_nb()).encode("utf-16-le"),
    "lone_surrogate": lambda: s.dumps(_nb()).replace('"metadata": {', '"metadata": {"cut": "emoji \\ud83d", ', 1).encode(),
    "lone_surrogate_key": lambda: s.dumps(_nb()).replace('"metadata": {', '"metadata": {"\\udc00": 1, ', 1).encode(),
    "nan": lambda: s.dumps(_nb()).replace('"metadata": {', '"metadata": {"score": NaN, "top": Infinity, ', 1).encode(),
    "huge_float": lambda: s.dumps(_nb()).replace('"metadata": {', '"metadata": {"x": 1e400, ', 1).encode(),
    "int_2_70": lambda: s.dumps(_nb()).replace('"execution_count": 1,', f'"execution_count": {2**70},', 1).encode(),
    "int_minus_2_63_minus_1": lambda: s.dumps(_nb(n=-(2**63) - 1)).encode(),
    "nesting_300": lambda: s.dumps(_nb()).replace('"metadata": {', '"metadata": {"d": ' + "[" * 300 + "]" * 300 + ", ", 1).encode(),
    "nesting_200000": lambda: b"[" * 200_000 + b"]" * 200_000,
    "empty": lambda: b"  \n",
    "pdf": lambda: b"%PDF-1.4\n",
    "truncated": lambda: s.dumps(_nb()).encode()[:3000],
    "invalid_utf8": lambda: s.dumps(_nb()).encode().replace(b'"metadata": {', b'"metadata": {"b": "\xff", ', 1),
    "text_lone_surrogate": lambda: s.dumps(_nb()).replace('"metadata": {', '"metadata": {"raw": "\ud800", ', 1),
}


@pytest.mark.parametrize("case", sorted(FALLBACKS))
def test_inputs_orjson_refuses_or_reads_otherwise_give_the_plain_result(case: str):
    data = FALLBACKS[case]()
    nbm.set_fast_json(True)
    try:
        assert nbm._fast_loads(data) is nbm._NO_FAST, "this input must take the plain path"
    finally:
        nbm.set_fast_json(None)
    fast, plain = _both(data)
    assert fast == plain


def test_fallback_values_are_read_as_plain_json_reads_them():
    data = FALLBACKS["int_2_70"]()
    nb = parse_notebook(data, "x.ipynb")
    assert 2**70 in [c.execution_count for c in nb.cells]  # an int, not a float
    assert "\ufffd" in repr(parse_notebook(FALLBACKS["lone_surrogate"](), "x.ipynb").metadata)


# ---------------------------------------------------------------- nbformat 3 without nbformat

def _strip_ids(nb: dict) -> dict:
    for cell in nb.get("cells", []):
        if isinstance(cell, dict):
            cell.pop("id", None)
    return nb


def _v3_variants() -> list[dict]:
    base = json.loads(V3.read_text(encoding="utf-8"))
    more = copy.deepcopy(base)
    more["worksheets"][0]["cells"][:0] = [
        {"cell_type": "heading", "level": 2, "source": ["Title\n", "two"], "metadata": {}},
        {"cell_type": "html", "source": "<b>x</b>"},
        {"cell_type": "code", "input": ["a = 1"], "collapsed": True, "language": "python", "prompt_number": 3, "metadata": {},
         "outputs": [{"output_type": "pyerr", "ename": "E", "evalue": "v", "traceback": []},
                     {"output_type": "stream", "stream": "stderr", "text": ["w\n"]},
                     {"output_type": "pyout", "prompt_number": 3, "text": ["1"], "html": ["<p>", "x</p>"],
                      "metadata": {"png": {"width": 3}}}]}]
    more["worksheets"].append({"cells": [{"cell_type": "markdown", "source": ["second ", "sheet"]}], "metadata": {}})
    more["orig_nbformat"] = 2
    more["metadata"]["name"] = "old"
    return [base, more]


@pytest.mark.parametrize("index", [0, 1])
def test_nbformat3_upgrade_without_nbformat_is_what_nbformat_gives(index: int):
    raw = _v3_variants()[index]
    assert nbm._upgrade_v3_plain(copy.deepcopy(raw)) is not None, "the plain upgrade must take this file"
    logging.disable(logging.CRITICAL)  # nbformat logs the schema errors of old files
    try:
        nbm._NATIVE_V3 = False
        by_nbformat = _strip_ids(nbm._upgrade_v3(copy.deepcopy(raw), "x"))
    finally:
        nbm._NATIVE_V3 = True
        logging.disable(logging.NOTSET)
    plain = nbm._upgrade_v3(copy.deepcopy(raw), "x")
    assert all(len(c["id"]) == 8 for c in plain["cells"])
    assert json.dumps(_strip_ids(plain)) == json.dumps(by_nbformat)  # key order included


def test_nbformat3_files_it_is_not_sure_of_go_to_nbformat():
    raw = _v3_variants()[0]
    for broken in ({**raw, "nbformat_minor": []}, {**raw, "metadata": None}, {**raw, "worksheets": [{"cells": None}]},
                   {**raw, "worksheets": [{"cells": [{"cell_type": "code", "input": "x"}]}]}):
        assert nbm._upgrade_v3_plain(copy.deepcopy(broken)) is None
    assert load_notebook(V3).cells  # and the corpus file reads


# ---------------------------------------------------------------- the one-pass call collector

_LEAVES = (ast.expr_context, ast.operator, ast.unaryop, ast.cmpop, ast.boolop, ast.Constant, ast.Name)


def _reference_calls(node: ast.AST) -> list[ast.Call]:
    """The collector it replaced (``ast.iter_child_nodes``, post-order)."""
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


def test_calls_in_finds_the_calls_in_the_same_order():
    sources = ["f(g(x), h(y=k(1)))(z())", "a.evaluate(x).evaluate(y)", "[m(i) for i in r(n) if p(i)]",
               "lambda q: w(q)", "x = {k(): v() for k, v in d.items()}", "@dec(1)\ndef f(a=g()):\n    return h(a)"]
    for path in sorted(CORPUS.glob("*.ipynb"))[:12]:
        sources += [c.source for c in load_notebook(path).code_cells]
    compared = 0
    for source in sources:
        tree = code_cells.parsed_cell(source).tree
        if tree is None:
            continue
        for node in [tree, *tree.body]:
            assert code_cells.calls_in(node) == _reference_calls(node)
            compared += 1
    assert compared > 200


def test_the_batch_cache_is_bounded_and_keeps_what_is_used(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(code_cells, "MAX_ENTRIES", 20)
    monkeypatch.setattr(code_cells, "MAX_CHARS", 400)
    code_cells.set_cache(True)
    try:
        template = "import numpy as np\nmodel.fit(x, y, epochs=5)\n"
        first = code_cells.parsed_cell(template)
        for i in range(200):
            code_cells.parsed_cell(f"x{i} = {i} * 2\n")
            assert code_cells.parsed_cell(template) is first  # used by every notebook: never evicted
            assert len(code_cells._CACHE) <= 20
            assert sum(len(k) for k in code_cells._CACHE) <= 400
        assert "x0 = 0 * 2\n" not in code_cells._CACHE
        big = "y = 1\n" * 10_000
        assert code_cells.parsed_cell(big) is not code_cells.parsed_cell(big)  # a huge cell is never kept
        code_cells.set_cache(False)
        assert code_cells.parsed_cell(template) is not code_cells.parsed_cell(template)
    finally:
        code_cells.set_cache(True)
