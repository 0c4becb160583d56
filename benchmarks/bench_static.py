"""Benchmark static grading against the `json.loads` floor on N generated submissions (not a test).

    python benchmarks/bench_static.py [-n 400] [--jobs 0]

Prints, for the same bytes on this machine: json.loads alone, load_notebook (json + normalising), full static
grading with 1 job and with all cores, and the cold start of `autograder check`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from autograder import samples
from autograder.grade import grade_notebook, grade_paths
from autograder.notebook import load_notebook
from autograder.spec import load_spec

ASSIGNMENTS = ("mlp", "history", "dropout", "perceptron")


def generate(folder: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        assignment = ASSIGNMENTS[i % len(ASSIGNMENTS)]
        nb = samples.submission(assignment, seed=i, keras3=bool(i % 2), gpu=i % 5 != 0)
        path = folder / f"24{i:05d}_学生{i}_{load_spec(assignment).number}.ipynb"
        path.write_text(samples.dumps(nb), encoding="utf-8")
        paths.append(path)
    return paths


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=400, help="number of submissions (default 400)")
    ap.add_argument("--jobs", type=int, default=0, help="workers for the parallel run (0: all cores)")
    args = ap.parse_args()
    jobs = args.jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(folder, args.n)
        size = sum(p.stat().st_size for p in paths)
        for p in paths:  # warm the page cache so every row reads the same way
            p.read_bytes()
        by_assignment = {a: [p for p in paths if p.name.endswith(f"_{load_spec(a).number}.ipynb")] for a in ASSIGNMENTS}
        specs = {a: load_spec(a) for a in ASSIGNMENTS}
        rows = [
            ("json.loads (floor)", timed(lambda: [json.loads(p.read_bytes()) for p in paths])),
            ("load_notebook", timed(lambda: [load_notebook(p) for p in paths])),
            ("grade, 1 job", timed(lambda: [grade_notebook(p, specs[a]) for a, ps in by_assignment.items() for p in ps])),
            (f"grade, {jobs} jobs", timed(lambda: [grade_paths([str(p) for p in ps], specs[a], jobs=jobs)
                                                   for a, ps in by_assignment.items()])),
        ]
        cold = min(timed(lambda: subprocess.run([sys.executable, "-m", "autograder", "check", str(paths[0])],
                                                capture_output=True)) for _ in range(5))
    floor = rows[0][1]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(f"{args.n} generated submissions, {size / 1e6:.1f} MB\n")
    print(f"| step | seconds | notebooks/s | × json.loads |")
    print(f"|---|---:|---:|---:|")
    for name, secs in rows:
        print(f"| {name} | {secs:.3f} | {args.n / secs:,.0f} | {secs / floor:.2f} |")
    print(f"\n`autograder check` cold start (best of 5, a new Python process): {cold:.3f} s")


if __name__ == "__main__":
    main()
