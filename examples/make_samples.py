"""Regenerate the bundled sample submissions of 課題2 (mlp) in examples/submissions/: `python examples/make_samples.py`.

The notebooks are synthetic but carry outputs in the exact formats of real Colab runs (autograder.samples).
Each sample shows one situation an instructor meets; the output is deterministic.
"""
from __future__ import annotations

import json
from pathlib import Path

from autograder.testing import samples as s

OUT = Path(__file__).resolve().parent / "submissions"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()

    def write(name: str, nb: dict) -> None:
        (OUT / name).write_text(s.dumps(nb), encoding="utf-8")

    write("2412001_青木陽菜_2.ipynb", s.submission("mlp", seed=1))                      # full marks, Keras 3, T4
    write("2412002_石川湊_2.ipynb", s.submission("mlp", seed=2, keras3=False))          # full marks, Keras 2 output
    write("2412003_上田結衣_2.ipynb", s.submission("mlp", seed=3, gpu=False))            # ran on a CPU runtime
    write("2412004_江藤蓮_2.ipynb", s.submission("mlp", seed=4, accuracy=0.93, epochs=10))  # 10 epochs, 0.93
    unrun = s.submission("mlp", seed=5)
    for cell in unrun["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    write("2412005_太田陸_2.ipynb", unrun)                                                # never executed
    (OUT / "2412006_加藤芽依_2.ipynb").write_bytes(b"%PDF-1.4\n% a report saved as PDF, renamed\n")
    (OUT / "2412007_木村大翔_2.ipynb").write_text(json.dumps(s.submission("mlp", seed=7))[:5000], encoding="utf-8")


if __name__ == "__main__":
    main()
