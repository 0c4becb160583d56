"""Benchmark `autograder run`: the overhead per notebook and the speed-up from 1 to N workers (not a test).

    python benchmarks/bench_run.py [-n 6] [--compute 2] [--jobs 0]

Overhead per notebook = everything `run` adds around the notebook's own compute: the run folder and
environment (setup), starting the kernel in its sandbox until it answers (kernel start), killing it and
removing the folder (teardown); measured on notebooks of one trivial cell, with and without isolation, one at
a time. The speed-up runs n notebooks that each compute for about --compute seconds (pure Python, one core)
with 1 worker and with N (default: all cores); wall time includes preparing, grading and writing the report.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

from autograder.execute.run import Options, containment, run_paths
from autograder.judge.spec import load_spec

SPIN = "import time\nend = time.perf_counter() + {seconds}\nn = 0\nwhile time.perf_counter() < end:\n    n += 1\nprint(n > 0)"


def write(folder: Path, n: int, source: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        nbformat.write(new_notebook(cells=[new_code_cell(source), new_code_cell(f"print({i})")]),
                       str(folder / f"24{i:05d}_bench_1.ipynb"))


def overhead(root: Path, n: int, isolate: bool) -> dict[str, float]:
    subs = root / f"trivial-{isolate}"
    write(subs, n, "x = 1")
    report = run_paths([str(subs)], load_spec("perceptron"), root / f"out-trivial-{isolate}",
                       Options(isolate=isolate, timeout_cell=60), jobs=1, force=True)
    rows = [r.seconds for r in report.results if r.status == "ok"]
    assert len(rows) == n, [r.message for r in report.results]
    parts = {k: statistics.median(r[k] for r in rows) for k in ("setup", "kernel_start", "cells", "teardown")}
    parts["overhead"] = statistics.median(r["setup"] + r["kernel_start"] + r["teardown"] for r in rows)
    parts["min_overhead"] = min(r["setup"] + r["kernel_start"] + r["teardown"] for r in rows)
    return parts


def wall(root: Path, n: int, seconds: float, jobs: int) -> float:
    subs = root / "compute"
    if not subs.is_dir():
        write(subs, n, SPIN.format(seconds=seconds))
    start = time.perf_counter()
    report = run_paths([str(subs)], load_spec("perceptron"), root / f"out-compute-{jobs}", Options(timeout_cell=600),
                       jobs=jobs, force=True)
    took = time.perf_counter() - start
    assert all(r.status == "ok" for r in report.results), [r.message for r in report.results]
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=6, help="notebooks per measurement (default 6)")
    ap.add_argument("--compute", type=float, default=2.0, help="seconds of compute per notebook in the speed-up run")
    ap.add_argument("--jobs", type=int, default=0, help="workers for the parallel run (0: all cores)")
    args = ap.parse_args()
    jobs = args.jobs or os.cpu_count() or 1
    c = containment(True)
    print(f"machine: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "")
    print(f"containment: {'isolated, user ' + c.user if c.isolated else 'not isolated: ' + c.reason}; memory {c.memory}")
    with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
        root = Path(tmp)
        print(f"\noverhead per notebook (median of {args.n}, one at a time; seconds)")
        print(f"{'':14}{'setup':>8}{'kernel start':>14}{'teardown':>10}{'overhead':>10}{'best':>8}")
        for isolate in ([True, False] if c.isolated else [False]):
            o = overhead(root, args.n, isolate)
            label = "sandboxed" if isolate else "plain"
            print(f"{label:14}{o['setup']:8.3f}{o['kernel_start']:14.3f}{o['teardown']:10.3f}{o['overhead']:10.3f}{o['min_overhead']:8.3f}")
        print(f"\nspeed-up: {args.n} notebooks × {args.compute:g} s of compute (sandboxed)")
        one = wall(root, args.n, args.compute, 1)
        many = wall(root, args.n, args.compute, jobs)
        print(f"  1 worker : {one:7.2f} s  ({one / args.n:.2f} s per notebook)")
        print(f"  {jobs} workers: {many:7.2f} s  ({many / args.n:.2f} s per notebook)  speed-up ×{one / many:.2f}")


if __name__ == "__main__":
    sys.exit(main())
