"""Benchmark the time collusion detection adds to grading a batch of generated submissions (not a test).

    python benchmarks/bench_collusion.py [-n 500] [--assignment history] [--jobs 1]

Generates ``n`` submissions with ``autograder.samples`` as Colab saves them (a fresh ``outputId`` on every
cell with output, the released notebook's cell ids), among them copied pairs and groups of three, grades them
once without collusion detection and then times ``detect_collusion`` on the graded results (the only step
``grade`` adds). ``measure()`` returns the numbers for other benchmark scripts.
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from autograder.judge.collusion import detect_collusion
from autograder.judge.spec import load_spec
from autograder.pipeline import grade_paths
from autograder.testing import samples


def _colab(nb: dict, rnd: random.Random) -> dict:
    for i, cell in enumerate(nb["cells"]):
        cell.setdefault("metadata", {})["id"] = f"cell-{i}"
        if cell["cell_type"] == "code" and cell.get("outputs"):
            cell["metadata"]["outputId"] = str(uuid.UUID(int=rnd.getrandbits(128)))
    return nb


def generate(folder: Path, n: int, assignment: str) -> list[Path]:
    """``n`` submissions; every 25th is a copy of the one before (a pair) and every 50th a third copy (a group)."""
    rnd = random.Random(0)
    number = load_spec(assignment).number
    paths: list[Path] = []
    previous: dict | None = None
    for i in range(n):
        if previous is not None and i % 25 == 0:
            nb = copy.deepcopy(previous)
        else:
            nb = _colab(samples.submission(assignment, seed=i, keras3=bool(i % 2)), rnd)
        if i % 50 == 1 and i > 1:
            nb = copy.deepcopy(previous)  # type: ignore[arg-type]
        path = folder / f"24{i:05d}_学生{i}_{number}.ipynb"
        path.write_text(samples.dumps(nb), encoding="utf-8")
        paths.append(path)
        previous = nb
    return paths


def measure(n: int = 500, assignment: str = "history", jobs: int = 1) -> dict[str, float]:
    """Seconds to grade ``n`` generated submissions without collusion detection, and seconds the detection adds."""
    spec = load_spec(assignment)
    with tempfile.TemporaryDirectory() as tmp:
        paths = [str(p) for p in generate(Path(tmp), n, assignment)]
        start = time.perf_counter()
        report = grade_paths(paths, spec, jobs=jobs, collusion=False)
        grading = time.perf_counter() - start
    results = list(report.submissions)
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        flagged = detect_collusion(results)
        runs.append(time.perf_counter() - start)
    members = sum(1 for r in flagged if any(f.kind == "collusion" for f in r.flags))
    return {"n": n, "grading": grading, "collusion": min(runs), "flagged": members}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=500, help="number of submissions (default 500)")
    ap.add_argument("--assignment", default="history", help="assignment to generate (default history: 50-epoch "
                                                            "fit log and printed history per notebook)")
    ap.add_argument("--jobs", type=int, default=1, help="workers for grading (default 1)")
    args = ap.parse_args()
    m = measure(args.n, args.assignment, args.jobs or os.cpu_count() or 1)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(f"{m['n']} generated '{args.assignment}' submissions ({m['flagged']} flagged as members of copied pairs/groups)\n")
    print("| step | seconds | per submission |")
    print("|---|---:|---:|")
    print(f"| grading without collusion detection ({args.jobs} job) | {m['grading']:.3f} | {m['grading'] / m['n'] * 1e3:.2f} ms |")
    print(f"| collusion detection (detect_collusion, best of 5) | {m['collusion']:.3f} | "
          f"{m['collusion'] / m['n'] * 1e3:.3f} ms |")
    print(f"\ncollusion detection adds {m['collusion']:.3f} s ({m['collusion'] / m['grading']:.1%} of grading) "
          f"to a batch of {m['n']}.")


if __name__ == "__main__":
    sys.exit(main())
