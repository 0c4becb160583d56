"""Mutation testing of the judging and reading modules: standard library only (ast), bounded in time. Not a test.

Each mutant is one small change to one module -- a comparison flipped (``<`` ↔ ``<=``, ``==`` ↔ ``!=``, ``in`` ↔
``not in``), ``and`` ↔ ``or``, a ``not`` removed, an integer constant moved by one, ``+`` ↔ ``-``, a ``True``/``False``
swapped, a ``return X`` made ``return None``. The mutant is written into a copy of the package (the working tree is
never touched, so other people can keep working), and the module's fast test subset runs against the copy (from the
copy's folder, which ``python -m`` puts before the editable install on ``sys.path``). A mutant is *killed* when a
test fails or the run times out, *survives* when every test passes. Results go to a JSON file; ``docs/mutation.md`` records the scores.

    python benchmarks/mutation.py                         # every module below, at most 40 mutants each
    python benchmarks/mutation.py -m judge/checks/code.py --max 0   # every mutant of one module
    python benchmarks/mutation.py --budget 900 --json /tmp/mutation.json
    python benchmarks/mutation.py -m judge/metrics.py --line 30     # every mutant of line 30 (is a survivor killed?)

Why not mutmut or cosmic-ray: both rewrite the files in place (mutmut 3 in a ``mutants/`` copy that needs its own
pytest configuration) and run the whole suite by default; here the tree is shared and the time is bounded, and 150
lines of ``ast`` need nothing installed.
"""
from __future__ import annotations

import argparse
import ast
import copy
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# the integrity rules: unit tests first (fast), then the red-team attacks, then "no honest notebook is flagged"
INTEGRITY = ["tests/test_integrity.py", "tests/test_survivors.py", "tests/test_redteam_computed.py",
             "tests/test_redteam_logs.py", "tests/test_corpus_integrity.py"]
# reading a whole notebook: unit tests of extract, then the real notebooks (../shared) and their hand-read entries
EXTRACT = ["tests/test_extract.py", "tests/test_survivors.py", "tests/test_real_project_corpus.py",
           "tests/test_inspect_corpus.py"]
# the code analysis: its unit tests, the evaluate parser (reads names bound in the code), the typed results (the
# texts ``print`` writes from constants: ``read/code/printed.py``), then whole notebooks
CODE = ["tests/test_code.py", "tests/test_survivors.py", "tests/test_evaluate.py", "tests/test_redteam_computed.py",
        *EXTRACT[2:]]
# module (under autograder/) -> the fast tests that should kill its mutants
TARGETS: dict[str, list[str]] = {
    "judge/checks/code.py": ["tests/test_checks.py", "tests/test_survivors.py"],
    "judge/checks/common.py": ["tests/test_checks.py", "tests/test_survivors.py"],
    "judge/checks/history.py": ["tests/test_checks.py", "tests/test_survivors.py", "tests/test_one_owner.py",
                                "tests/test_judge_speed_equivalence.py"],
    "judge/checks/summary.py": ["tests/test_checks.py", "tests/test_survivors.py"],
    "judge/checks/accuracy.py": ["tests/test_checks.py", "tests/test_survivors.py"],
    "judge/checks/gpu.py": ["tests/test_checks.py", "tests/test_survivors.py", "tests/test_gpu.py"],
    "judge/metrics.py": ["tests/test_checks.py", "tests/test_one_owner.py", "tests/test_survivors.py"],
    "judge/integrity/execution.py": [*INTEGRITY, "tests/test_redteam_points_gpu.py"],  # the session flag: red team
    "judge/integrity/summary_rules.py": ["tests/test_integrity.py", "tests/test_survivors.py", "tests/test_redteam_computed.py"],
    "judge/integrity/evaluate_rules.py": [*INTEGRITY],
    "judge/integrity/training_rules.py": [*INTEGRITY],
    "judge/integrity/figure_rules.py": [*INTEGRITY, "tests/test_judge_speed_equivalence.py"],
    "judge/collusion/prints.py": ["tests/test_collusion.py", "tests/test_judge_speed_equivalence.py"],
    "judge/integrity/tolerances.py": [*INTEGRITY],
    "judge/integrity/plausibility.py": [*INTEGRITY],
    "judge/integrity/gpu_rules.py": ["tests/test_integrity.py", "tests/test_survivors.py", "tests/test_redteam_points_gpu.py"],
    "read/outputs/summary.py": ["tests/test_summary.py", "tests/test_survivors.py"],
    "read/outputs/fitlog.py": ["tests/test_fitlog.py", "tests/test_fitlog_equivalence.py", "tests/test_fitlog_formats.py",
                               "tests/test_survivors.py"],
    "read/outputs/evaluate.py": ["tests/test_evaluate.py", "tests/test_survivors.py"],
    "read/outputs/gpu.py": ["tests/test_gpu.py", "tests/test_survivors.py"],
    "read/outputs/history.py": ["tests/test_extract.py", "tests/test_survivors.py", "tests/test_fitlog.py",
                                "tests/test_properties.py", "tests/test_parser_time.py"],
    "read/outputs/callbacks.py": ["tests/test_fitlog_formats.py", "tests/test_survivors.py", *EXTRACT],
    "judge/checks/plot.py": ["tests/test_checks.py", "tests/test_survivors.py"],
    "judge/integrity/common.py": [*INTEGRITY],
    "judge/integrity/__init__.py": [*INTEGRITY],
    "read/extract.py": [*EXTRACT, "tests/test_bad_inputs.py"],
    "read/results.py": [*EXTRACT, "tests/test_evaluate.py", "tests/test_redteam_computed.py"],
    "read/notebook.py": ["tests/test_notebook.py", "tests/test_survivors.py", "tests/test_bad_inputs.py", *EXTRACT],
    "read/figures.py": ["tests/test_figures_equivalence.py", *EXTRACT, "tests/test_redteam_logs.py", "tests/test_charts.py"],
    **{f"read/code/{name}.py": CODE for name in ("__init__", "cells", "walk", "bindings", "shown", "evaluator",
                                                  "values", "printed", "parse", "layers")},
}

FLIP = {ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
        ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is}


@dataclass
class Mutant:
    module: str
    line: int
    what: str
    status: str = "pending"  # killed | survived | timeout | error
    seconds: float = 0.0


def _docstring_nodes(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            ids.add(id(body[0].value))
    return ids


def _points(tree: ast.AST) -> Iterator[tuple[int, int, str]]:
    """(node index in ast.walk order, sub-index, description) of every mutation point."""
    docs = _docstring_nodes(tree)
    for index, node in enumerate(ast.walk(tree)):
        if isinstance(node, ast.Compare):
            for k, op in enumerate(node.ops):
                if type(op) in FLIP:
                    yield index, k, f"{type(op).__name__} -> {FLIP[type(op)].__name__}"
        elif isinstance(node, ast.BoolOp):
            yield index, 0, "and <-> or"
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            yield index, 0, "not removed"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            yield index, 0, "+ <-> -"
        elif isinstance(node, ast.Constant) and id(node) not in docs:
            if isinstance(node.value, bool):
                yield index, 0, f"{node.value} -> {not node.value}"
            elif isinstance(node.value, int):
                yield index, 0, f"{node.value} -> {node.value + 1}"
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            yield index, 0, "return None"


def _apply(tree: ast.AST, index: int, sub: int) -> tuple[ast.AST, int]:
    tree = copy.deepcopy(tree)
    node = list(ast.walk(tree))[index]
    if isinstance(node, ast.Compare):
        node.ops[sub] = FLIP[type(node.ops[sub])]()
    elif isinstance(node, ast.BoolOp):
        node.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
    elif isinstance(node, ast.UnaryOp):
        node.op = ast.UAdd()  # `+x` of a bool is its int: truthiness kept, the `not` is gone
    elif isinstance(node, ast.BinOp):
        node.op = ast.Sub() if isinstance(node.op, ast.Add) else ast.Add()
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        node.value = not node.value
    elif isinstance(node, ast.Constant) and isinstance(node.value, int):
        node.value = node.value + 1
    elif isinstance(node, ast.Return):
        node.value = ast.Constant(None)
    return ast.fix_missing_locations(tree), getattr(node, "lineno", 0)


def _run_tests(copy_root: Path, tests: list[str], timeout: float) -> str:
    # cwd is the copy: ``python -m`` puts the current folder first on sys.path, before the editable install
    env = {**os.environ, "PYTHONPATH": str(copy_root), "PYTHONDONTWRITEBYTECODE": "1"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not slow",
           f"--rootdir={REPO}", "-c", str(REPO / "pyproject.toml"), *(str(REPO / t) for t in tests)]
    try:
        proc = subprocess.run(cmd, cwd=copy_root, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    return {0: "survived", 1: "killed"}.get(proc.returncode, "error")


def _mutants(module: str, limit: int, rng: random.Random,
             lines: frozenset[int] = frozenset()) -> tuple[ast.AST, list[tuple[int, int, str]]]:
    tree = ast.parse((REPO / "autograder" / module).read_text(encoding="utf-8"))
    points = list(_points(tree))
    if lines:  # only the mutants on these lines (to check that a new test kills a survivor), never sampled
        nodes = list(ast.walk(tree))
        return tree, [p for p in points if getattr(nodes[p[0]], "lineno", 0) in lines]
    if limit and len(points) > limit:
        points = sorted(rng.sample(points, limit))
    return tree, points


def run(modules: list[str], limit: int, budget: float, timeout: float, seed: int,
        lines: frozenset[int] = frozenset()) -> list[Mutant]:
    rng = random.Random(seed)
    work = Path(tempfile.mkdtemp(prefix="mutation-"))
    shutil.copytree(REPO / "autograder", work / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    deadline = time.monotonic() + budget
    results: list[Mutant] = []
    try:
        for module in modules:
            target = work / "autograder" / module
            original = target.read_text(encoding="utf-8")
            tree, points = _mutants(module, limit, rng, lines)
            for index, sub, what in points:
                if time.monotonic() > deadline:
                    break
                mutated, line = _apply(tree, index, sub)
                mutant = Mutant(module, line, what)
                target.write_text(ast.unparse(mutated), encoding="utf-8")
                start = time.monotonic()
                mutant.status = _run_tests(work, TARGETS[module], timeout)
                mutant.seconds = round(time.monotonic() - start, 1)
                results.append(mutant)
                print(f"{module}:{line} {what}: {mutant.status} ({mutant.seconds} s)", flush=True)
            target.write_text(original, encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return results


def table(results: list[Mutant]) -> str:
    rows = ["| module | mutants | killed | survived | score |", "|---|---:|---:|---:|---:|"]
    for module in dict.fromkeys(m.module for m in results):
        ms = [m for m in results if m.module == module]
        killed = sum(m.status in ("killed", "timeout", "error") for m in ms)
        rows.append(f"| `{module}` | {len(ms)} | {killed} | {len(ms) - killed} | {100 * killed / len(ms):.0f} % |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-m", "--module", action="append", choices=sorted(TARGETS), help="module(s) under autograder/")
    parser.add_argument("--max", type=int, default=40, help="mutants per module, sampled (0: all)")
    parser.add_argument("--budget", type=float, default=1800, help="seconds for the whole run")
    parser.add_argument("--timeout", type=float, default=120, help="seconds per mutant (a hang is a kill)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--json", type=Path, help="write every mutant and its status here")
    parser.add_argument("--line", type=int, action="append", default=[],
                        help="only the mutants on this line (repeatable; every one of them, not sampled)")
    args = parser.parse_args(argv)
    # check the tests pass unmutated first: a red baseline would count every mutant as killed
    for tests in dict.fromkeys(tuple(TARGETS[m]) for m in args.module or TARGETS):
        base = _run_tests(REPO, list(tests), args.timeout)
        if base != "survived":
            print(f"baseline of {', '.join(tests)} is {base}: fix the tests first", file=sys.stderr)
            return 2
    results = run(args.module or list(TARGETS), args.max, args.budget, args.timeout, args.seed, frozenset(args.line))
    print(table(results))
    for m in results:
        if m.status == "survived":
            print(f"survived: {m.module}:{m.line} {m.what}")
    if args.json:
        args.json.write_text(json.dumps([asdict(m) for m in results], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
