"""Hostile input (issue 16, item 7): numbers of any length, the size budget of one notebook (refused in bounded
time and memory, measured in a fresh process), and a batch that never dies on one file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder import pipeline
from autograder.cli import main
from autograder.errors import RAISE_ENV
from autograder.judge.spec import load_spec
from autograder.read import budget
from autograder.read.extract import extract
from autograder.read.notebook import load_notebook

pytestmark = pytest.mark.timeout(120)

NINES = "9" * 4301  # one digit past Python's int-string limit (4,300)
REPO = Path(__file__).resolve().parents[1]


def _nb(cells: list[dict], **top) -> dict:
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells, **top}


def _code(source: str, text: str = "", data: dict | None = None) -> dict:
    outputs: list[dict] = []
    if text:
        outputs.append({"output_type": "stream", "name": "stdout", "text": text})
    if data:
        outputs.append({"output_type": "display_data", "metadata": {}, "data": data})
    return {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": source, "outputs": outputs}


def _write(tmp_path: Path, nb: dict, name: str = "2412042_test_1.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


# ------------------------------------------------------------------ numbers of any length

HUGE_NUMBERS = {
    "epoch header": _code("model.fit(x, y, epochs=2)", f"Epoch 1/{NINES}\n"),
    "epoch number": _code("model.fit(x, y, epochs=2)", f"Epoch {NINES}/2\n"),
    "step counter": _code("model.fit(x, y, epochs=1)", f"Epoch 1/1\n1/{NINES} [====] - 1s - loss: 0.3\n"),
    "glued counter": _code("model.fit(x, y, epochs=1)", f"Epoch 1/1\n{NINES}/{NINES} ━━━━ 1s 2ms/step - loss: 0.3\n"),
    "evaluate counter": _code("model.evaluate(x, y)", f"{NINES}/{NINES} [====] - 1s - loss: 0.3 - accuracy: 0.9\n"),
    "summary total": _code("model.summary()", f"Total params: {NINES}\nTrainable params: {NINES}\n"),
    "summary row": _code("model.summary()",
                         "Layer (type)   Output Shape   Param #\n" + "=" * 40 + f"\ndense (Dense)  (None, 10)  {NINES}\n"),
    "gpu count": _code("print('Num GPUs Available:', len(tf.config.list_physical_devices('GPU')))",
                       f"Num GPUs Available: {NINES}\n"),
    "figure axes": _code("plt.plot(history.history['loss'])", data={"text/plain": f"<Figure size 640x480 with {NINES} Axes>"}),
    "train on": _code("model.fit(x, y, epochs=1)", f"Train on {NINES} samples\nEpoch 1/1\n"),
    "metric value": _code("model.fit(x, y, epochs=1)", f"Epoch 1/1\n1/1 [====] - 1s - loss: {NINES}.5 - accuracy: {NINES}\n"),
    "code literal": _code(f"x = {NINES}\nprint(x)", "1\n"),
}


@pytest.mark.parametrize("where", sorted(HUGE_NUMBERS))
def test_a_number_of_any_length_is_simply_not_read(tmp_path, where):
    path = _write(tmp_path, _nb([HUGE_NUMBERS[where]]))
    result = pipeline.grade_notebook(path, load_spec("mlp"))  # raises in tests if anything inside crashes
    assert result.status in ("graded", "error")
    assert pipeline.inspect_file(str(path)).failure is None
    extract(load_notebook(path))


def test_a_huge_nbformat_string_is_not_a_version(tmp_path):
    path = _write(tmp_path, _nb([], nbformat=NINES))
    result = pipeline.grade_notebook(path, load_spec("mlp"))
    assert result.status == "error" and result.error_code == "unsupported_version" and len(result.error or "") < 200
    path = _write(tmp_path, _nb([], nbformat="²"))  # str.isdigit() but not int(): never a crash
    pipeline.grade_notebook(path, load_spec("mlp"))


@pytest.mark.parametrize("command", ["check", "inspect", "grade", "feedback"])
def test_the_4301_digit_notebook_does_not_stop_a_command(tmp_path, capsys, command, monkeypatch):
    path = _write(tmp_path, _nb([HUGE_NUMBERS["epoch header"]]))
    monkeypatch.chdir(tmp_path)
    argv = {"check": ["check", str(path), "--assignment", "mlp"], "inspect": ["inspect", str(path)],
            "grade": ["grade", "--assignment", "mlp", str(path), "--csv", str(tmp_path / "out.csv")],
            "feedback": ["feedback", "--assignment", "mlp", str(path), "--out", str(tmp_path / "fb")]}[command]
    assert main(argv) in (0, 1)
    assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------------------------ the size budget

def _over(kind: str) -> dict:
    if kind == "cells":
        return _nb([{"cell_type": "markdown", "metadata": {}, "source": "x"}] * (budget.MAX_CELLS + 1))
    if kind == "code":
        return _nb([_code("x = 1\n" * (budget.MAX_CODE_CHARS // 6 + 1))])
    line = "Epoch 1/1\n469/469 [==============================] - 2s 4ms/step - loss: 0.2941 - accuracy: 0.9153\n"
    return _nb([_code("model.fit(x, y, epochs=1)", line * (budget.MAX_TEXT_CHARS // len(line) + 1))])


# Peak memory is the process's own VmHWM: ru_maxrss would carry the forking parent's peak over exec (Linux keeps
# the larger of the two), so a child of a big pytest process would seem big.
MEASURE = """
import json, sys, time
from autograder.pipeline import grade_notebook
start = time.perf_counter()
result = grade_notebook(sys.argv[1], "mlp")
seconds = time.perf_counter() - start
status = open("/proc/self/status", encoding="ascii").read()
peak_kb = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))
print(json.dumps({"seconds": seconds, "rss_mb": peak_kb / 1024,
                  "status": result.status, "code": result.error_code, "error": result.error}))
"""


def _measure(path: Path) -> dict:
    """Grade ``path`` in a fresh interpreter: its wall time and its peak resident memory (measured, not slept)."""
    env = {**os.environ, RAISE_ENV: "1"}
    done = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, env=env,
                          cwd=REPO, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("kind, code", [("cells", "too_many_cells"), ("code", "too_much_code"), ("text", "too_much_output")])
def test_an_oversized_notebook_is_refused_quickly_and_in_little_memory(tmp_path, kind, code):
    path = _write(tmp_path, _over(kind))
    measured = _measure(path)
    assert measured["status"] == "error" and measured["code"] == code, measured
    assert "上限" in measured["error"] and path.name in measured["error"]
    # the whole file is parsed as JSON once, then refused: no AST, no log parsing
    assert measured["seconds"] < 10 and measured["rss_mb"] < 600, measured


def test_a_batch_goes_on_past_an_oversized_notebook(tmp_path):
    big = _write(tmp_path, _over("code"), "2412001_a_1.ipynb")
    fine = _write(tmp_path, _nb([_code("print(1)", "1\n")]), "2412002_b_1.ipynb")
    report = pipeline.grade_paths([str(big), str(fine)], load_spec("mlp"))
    assert [r.status for r in report.submissions] == ["error", "graded"]


@pytest.mark.slow
@pytest.mark.timeout(600)
@pytest.mark.parametrize("kind", ["code", "text"])
def test_a_notebook_just_under_the_budget_is_graded_in_bounded_time_and_memory(tmp_path, kind):
    nb = _over(kind)
    cell = nb["cells"][0]
    if kind == "code":
        cell["source"] = cell["source"][: budget.MAX_CODE_CHARS - 10]
    else:
        text = cell["outputs"][0]["text"]
        cell["outputs"][0]["text"] = text[: text.rfind("Epoch", 0, budget.MAX_TEXT_CHARS - 100)]
    measured = _measure(_write(tmp_path, nb))
    assert measured["status"] == "graded", measured
    # measured on the shared 2-core machine: 1 MB of one-line statements 17 s / 440 MB (the costliest code shape),
    # 10 MB of epoch lines 7 s / 165 MB; the bound leaves room for a loaded machine
    assert measured["seconds"] < 60 and measured["rss_mb"] < 1000, measured


# ------------------------------------------------------------------ a batch never dies on one file

def _boom_on(name: str):
    real = pipeline.extract

    def extract_or_crash(nb):
        if nb.path.endswith(name):
            raise RuntimeError("a bug")
        return real(nb)
    return extract_or_crash


def test_an_unexpected_crash_on_one_file_is_its_error_entry(tmp_path, monkeypatch):
    files = [_write(tmp_path, _nb([_code("print(1)", "1\n")]), f"24120{i}_x_1.ipynb") for i in range(3)]
    monkeypatch.setattr(pipeline, "extract", _boom_on("241201_x_1.ipynb"))
    monkeypatch.delenv(RAISE_ENV)
    report = pipeline.grade_paths([str(f) for f in files], load_spec("mlp"))
    statuses = {Path(r.file).name: (r.status, r.error_code) for r in report.submissions}
    assert statuses["241201_x_1.ipynb"] == ("error", "internal_error")
    assert statuses["241200_x_1.ipynb"][0] == statuses["241202_x_1.ipynb"][0] == "graded"
    crashed = next(r for r in report.submissions if r.error_code == "internal_error")
    assert "報告" in (crashed.error or "") and "RuntimeError" in (crashed.error or "") and "report" in (crashed.error_en or "")
    inspection = pipeline.inspect_file(str(files[1]))
    assert inspection.evidence is None and "報告" in (inspection.error("ja") or "")


def test_the_test_suite_still_sees_internal_errors(tmp_path, monkeypatch):
    path = _write(tmp_path, _nb([_code("print(1)", "1\n")]), "241201_x_1.ipynb")
    monkeypatch.setattr(pipeline, "extract", _boom_on("241201_x_1.ipynb"))
    assert os.environ.get(RAISE_ENV) == "1"
    with pytest.raises(RuntimeError):
        pipeline.grade_notebook(path, load_spec("mlp"))


def test_check_prints_the_internal_error_entry_not_a_traceback(tmp_path, monkeypatch, capsys):
    path = _write(tmp_path, _nb([_code("print(1)", "1\n")]), "241201_x_1.ipynb")
    monkeypatch.setattr(pipeline, "extract", _boom_on("241201_x_1.ipynb"))
    monkeypatch.delenv(RAISE_ENV)
    start = time.perf_counter()
    assert main(["check", str(path), "--assignment", "mlp"]) == 1
    out = capsys.readouterr()
    assert "報告" in out.out and "Traceback" not in out.err and time.perf_counter() - start < 30
