"""Write N realistic synthetic submissions of each course assignment into a folder (for benchmarks; not a test).

    python benchmarks/generate.py OUT_DIR [-n 250] [--assignments mlp history dropout perceptron]

Every notebook is built by ``autograder.samples.submission`` with the outputs of a real Colab run, varied the
way a class varies: Keras 3 and tf.keras 2 output (summary formats of tf.keras 2.2, 2.12 and 2.15),
``verbose=1`` and ``verbose=2`` logs, one in four Keras 2 logs saved raw with intermediate progress bars
(``\\b``/``\\r``, a few hundred KB like a Keras 2.1 notebook), TensorFlow's stderr lines on two thirds, a CPU
runtime on one in ten, test accuracies around the threshold, and a learning-curve PNG of 20–60 KB (the size of
a real ``figsize=(12, 4)`` Colab figure). File names follow ``学籍番号_名前_N.ipynb``.
"""
from __future__ import annotations

import argparse
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from autograder.testing import samples

ASSIGNMENTS = ("mlp", "history", "dropout", "perceptron")
NUMBERS = {"perceptron": 1, "mlp": 2, "history": 3, "dropout": 4}
THRESHOLD = {"mlp": 0.95, "history": 0.86, "dropout": 0.87}


def options(assignment: str, i: int) -> dict:
    """The submission() arguments of student ``i``: deterministic, varied like a real class."""
    rnd = random.Random(f"{assignment}-{i}")
    keras3 = i % 2 == 0
    return {
        "seed": i,
        "keras3": keras3,
        "gpu": i % 10 != 9,
        "accuracy": THRESHOLD[assignment] + rnd.uniform(-0.01, 0.03),
        "figure_kb": rnd.uniform(20, 60),
        "summary_variant": ("2.2", "2.12", "2.15")[i // 2 % 3],
        "verbose": 2 if i % 5 == 4 else 1,
        "fit_updates": 8 if not keras3 and i % 8 == 1 else 0,
        "tf_logs": i % 3 != 2,
    }


def write_one(args: tuple[str, int, str]) -> str:
    assignment, i, folder = args
    nb = samples.submission(assignment, **options(assignment, i)) if assignment != "perceptron" \
        else samples.submission("perceptron", seed=i)
    path = Path(folder) / f"24{NUMBERS[assignment]}{i:04d}_学生{i}_{NUMBERS[assignment]}.ipynb"
    path.write_text(samples.dumps(nb), encoding="utf-8")
    return str(path)


def generate(folder: str | Path, n: int, assignments=ASSIGNMENTS, jobs: int = 0) -> dict[str, list[str]]:
    """``n`` submissions of each assignment in ``folder``; returns the paths by assignment, sorted."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    work = [(a, i, str(folder)) for a in assignments for i in range(n)]
    with ProcessPoolExecutor(max_workers=jobs or None) as pool:
        paths = list(pool.map(write_one, work, chunksize=16))
    by_assignment: dict[str, list[str]] = {a: [] for a in assignments}
    for (a, _, _), p in zip(work, paths, strict=False):
        by_assignment[a].append(p)
    return {a: sorted(ps) for a, ps in by_assignment.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="output folder")
    ap.add_argument("-n", type=int, default=250, help="submissions per assignment (default 250)")
    ap.add_argument("--assignments", nargs="+", default=list(ASSIGNMENTS), choices=ASSIGNMENTS)
    args = ap.parse_args()
    found = generate(args.out, args.n, args.assignments)
    total = sum(len(v) for v in found.values())
    size = sum(Path(p).stat().st_size for v in found.values() for p in v)
    print(f"{total} notebooks, {size / 1e6:.1f} MB in {args.out}")


if __name__ == "__main__":
    main()
