"""Fuzzing the static path (issue 16, item 7): thousands of mutated real notebooks -- bit flips, truncations,
cut and doubled slices, wrong JSON types, huge strings and numbers, deep nesting -- never stop grading.

Every mutated file must give one result (``graded`` or a clear ``error``) from ``grade_notebook`` and one entry
from ``inspect_file``, and both must render as text (what ``check`` and ``inspect`` print) and as JSON. The suite
sets ``AUTOGRADER_RAISE_INTERNAL_ERRORS=1``, so a crash anywhere inside fails here instead of hiding as an
``internal_error`` entry. Bounded: in CI 1,500 byte-level and 1,500 structural examples over small real notebooks
(about 35 s of CPU on the 2-core machine; the module's timeout is 300 s), 300 of each elsewhere.
"""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import pipeline
from autograder.judge.spec import load_spec
from autograder.present.text import checklist, evidence_listing

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
SPEC = load_spec("mlp")
WORK = Path(tempfile.mkdtemp(prefix="autograder-fuzz-"))
#: examples per test: 1,500 in CI (strict mode), 300 on a developer's machine (60 in the quick command, -m "not slow");
#: AUTOGRADER_FUZZ_EXAMPLES overrides
EXAMPLES = int(os.environ.get("AUTOGRADER_FUZZ_EXAMPLES") or (1500 if os.environ.get("CI", "").lower() in ("true", "1")
                                                               or os.environ.get("AUTOGRADER_STRICT_TESTS") == "1" else examples(300)))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def _seeds() -> list[bytes]:
    """Small real notebooks (≤ 80 KB, so that thousands of examples stay fast): the solutions, the samples and
    the shared corpus when it is there (CI has it)."""
    files = sorted([*REPO.glob("solutions/*.ipynb"), *REPO.glob("examples/submissions/*.ipynb"), *CORPUS.glob("*.ipynb")])
    return [f.read_bytes() for f in files if f.stat().st_size <= 80_000]


SEEDS = _seeds()


def _parses(data: bytes) -> object | None:
    try:
        return json.loads(data.decode("utf-8-sig"))
    except ValueError:
        return None


PARSED = [p for p in (_parses(b) for b in SEEDS) if isinstance(p, dict)]


def _grade_and_render(data: bytes, name: str = "2412042_fuzz_2.ipynb") -> None:
    path = WORK / name
    path.write_bytes(data)
    result = pipeline.grade_notebook(path, SPEC)
    assert result.status in ("graded", "error"), result.status
    assert result.status == "graded" or (result.error and result.error_en), result
    json.dumps(result.to_json("ja"), ensure_ascii=False, allow_nan=False)
    for lang in ("ja", "en"):
        assert checklist(result, SPEC, lang)
    entry = pipeline.inspect_file(str(path))
    assert (entry.evidence is None) == (entry.failure is not None)
    assert evidence_listing(entry.file, entry.evidence, entry.error("ja"), "ja")
    json.dumps(entry.to_json("en"), ensure_ascii=False)


# ------------------------------------------------------------------ byte level

@st.composite
def byte_mutants(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    kind = draw(st.sampled_from(["flip", "truncate", "cut", "double", "splice"]))
    n = len(data)
    at = draw(st.integers(0, max(0, n - 1)))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, max(0, n - 1)))
            data[i] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    if kind == "truncate":
        return bytes(data[:at])
    length = draw(st.integers(1, 2000))
    if kind == "cut":
        return bytes(data[:at] + data[at + length:])
    if kind == "double":
        return bytes(data[:at + length] + data[at:])
    return bytes(data[:at]) + draw(st.binary(max_size=64)) + bytes(data[at:])


@FUZZ
@given(byte_mutants())
def test_byte_mutants_never_stop_grading(data):
    _grade_and_render(data)


# ------------------------------------------------------------------ structure level

NINES = "9" * 4301
HUGE_TEXT = [NINES, "Epoch 1/" + NINES, f"Epoch {NINES}/2\n1/1 [==] - 1s - loss: {NINES}", "x" * 200_000,
             "\b" * 5000 + "a", "\r" * 5000, "━" * 20_000, "Total params: " + NINES, "/".join(["1"] * 20_000),
             " - loss: nan - accuracy: inf" * 500, "\x1b[" * 5000, "\ud800", "<" * 20_000, "Epoch 1/1\n" * 5000]
WRONG_TYPES: list[object] = [None, True, False, 0, -1, 1.5, math.inf, math.nan, 10**4000, -(10**300), "", "x", [], {}, [None], [[]],
               {"a": 1}, {"output_type": "stream"}, {"cell_type": "code"}, [1, "a", None, {}]]


def _nest(depth: int, kind: str) -> object:
    node: object = "x"
    for _ in range(depth):
        node = [node] if kind == "list" else {"a": node}
    return node


def _nodes(doc: object) -> list[tuple[object, object]]:
    """Every (container, key) of the document, in a fixed order."""
    found: list[tuple[object, object]] = []
    stack = [doc]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            found.append((node, key))
            if isinstance(value, (dict, list)):
                stack.append(value)
    return found


def _plant(doc: object, which: int, text: str, keep: bool) -> None:
    found = doc.get("cells") if isinstance(doc, dict) else None  # an earlier mutation may have made it any JSON type
    cells = [c for c in found if isinstance(c, dict) and c.get("cell_type") == "code"] if isinstance(found, list) else []
    if not cells:
        return
    cell = cells[which % len(cells)]
    outputs = cell.get("outputs")
    old = [o.get("text", "") for o in (outputs if isinstance(outputs, list) else [])
           if isinstance(o, dict) and o.get("output_type") == "stream"]
    before = "".join("".join(x for x in t if isinstance(x, str)) if isinstance(t, list) else t if isinstance(t, str) else ""
                     for t in old) if keep else ""
    cut = which % (len(before) + 1)
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": before[:cut] + text + before[cut:]}]


@st.composite
def structural_mutants(draw) -> bytes:
    doc = json.loads(json.dumps(draw(st.sampled_from(PARSED))))
    for _ in range(draw(st.integers(1, 3))):
        nodes = _nodes(doc)
        if not nodes:
            break
        container, key = nodes[draw(st.integers(0, len(nodes) - 1))]
        kind = draw(st.sampled_from(["type", "text", "nest", "drop", "number", "log"]))
        if kind == "log":  # an output a parser reads: a code cell's stream, the original text with a hostile piece
            _plant(doc, draw(st.integers(0, 10**6)), draw(st.sampled_from(HUGE_TEXT)), draw(st.booleans()))
        elif kind == "type":
            container[key] = draw(st.sampled_from(WRONG_TYPES))
        elif kind == "text":
            container[key] = draw(st.sampled_from(HUGE_TEXT))
        elif kind == "nest":
            container[key] = _nest(draw(st.integers(1, 600)), draw(st.sampled_from(["list", "dict"])))
        elif kind == "number":
            container[key] = "__NUMBER__"
        else:  # drop the node
            container.pop(key)
    text = json.dumps(doc, ensure_ascii=draw(st.booleans()))
    number = draw(st.sampled_from([NINES, "1e999", "-1e999", "1" + "0" * 4300, "0." + "0" * 5000 + "1", "NaN", "-Infinity"]))
    return text.replace("\"__NUMBER__\"", number).encode("utf-8", "surrogatepass")  # a lone surrogate: bytes no UTF-8 reader takes


@FUZZ
@given(structural_mutants())
def test_structural_mutants_never_stop_grading(data):
    _grade_and_render(data)


def test_the_seeds_are_real_notebooks():
    assert len(PARSED) >= 8  # the solutions and samples at least; CI adds the shared corpus
