"""The real notebooks of tests/data/real/, read by a person, against ``inspect`` and the integrity rules.

Every notebook there is an executed, public notebook (tests/data/real/PROVENANCE.md: repository, path, commit,
licence, what was reduced). The facts in ``READ`` were written by reading each notebook's JSON (sources, raw
outputs and execution counts printed with a few lines of Python) before ``inspect`` was run on it. Per notebook a
person reads:

- ``totals``: the ``Total params`` of every ``summary()`` table shown, in notebook order;
- ``fits``: the epochs each training log shows (a fit stopped by EarlyStopping or a callback counts the epochs it
  ran; an epoch whose bar never finished does not count; a fit that prints nothing is no log), in notebook order;
  ``sources``: what each was read from (README, ``inspect --json``: ``log`` — ``Epoch i/N`` headers; ``bar`` — a
  one-epoch fit shown by its progress line only; ``callbacks`` — a ``verbose=0`` fit shown only by its callbacks'
  ``Epoch 00012: val_loss …`` lines, counted to the last epoch they name); ``()`` when every fit is a ``log``;
- ``history_keys``: where the notebook's history keys are seen: ``printed`` (it shows a ``history.history``
  dict or its ``dict_keys([...])``), ``log`` (only a training log's metric names), ``None`` (neither); ``log``
  unless given;
- ``test_accuracy``: the accuracy of the model as finally trained, computed on the test data (README, "Test
  accuracy"); ``None`` when the notebook shows none;
- ``gpu``: the verdict the evidence supports (README, "GPU verdict");
- ``errors``: the error outputs (tracebacks); ``out_of_order``: execution counts go backwards between executed
  cells;
- ``tampered``: the ``tampered_output`` flags a person raises too (the cells of each, as ``Flag.cells``): only
  where the saved output really does not match the code as saved. No other accusing flag
  (``integrity_error``, ``gpu_conflict``) is right on any of them, and ``error_output`` is raised exactly when
  there is a traceback.

Where ``inspect`` reads a fact otherwise, the row is an ``xfail(strict=True)`` naming the misread (``MISREAD``);
the expected value stays the person's. No kernel, no TensorFlow: the quick loop runs this module.
"""
from __future__ import annotations

import contextlib
import functools
import io
import json
from pathlib import Path
from typing import NamedTuple

import pytest

from autograder.cli import main
from autograder.judge.integrity import notebook_flags
from autograder.judge.spec import load_spec
from autograder.pipeline import grade_paths
from autograder.read.extract import extract
from autograder.read.notebook import load_notebook

DATA = Path(__file__).resolve().parent / "data" / "real"


class Reading(NamedTuple):
    totals: list[int]
    fits: list[int]
    test_accuracy: float | None
    gpu: str
    errors: int
    out_of_order: bool
    tampered: tuple[tuple[int, ...], ...] = ()
    sources: tuple[str, ...] = ()
    history_keys: str | None = "log"


R = Reading
U, G = "unknown", "gpu"

READ: dict[str, Reading] = {
    # --- Japanese course and Japanese-commented notebooks ---
    # local Jupyter (TF 2.0/2.1 style `Train on 60000 samples`, verbose=2 lines without a bar); the same
    # `test_loss: 0.088, test_acc: 0.975` printed by the fit cell and again by the next cell
    "jp_course_02_relu_keras": R([], [30], 0.975, U, 0, False),
    # one fit of 100 epochs whose log is split over two stdout outputs (Epoch 1–77, then 78–100)
    "jp_course_03_keras_mnist": R([], [100], 0.972, U, 0, False),
    # EarlyStopping: `Epoch 00097: early stopping` after 97 of `epochs=1000`, log split 77 + 20
    "jp_course_04_keras_earlystopping": R([], [97], 0.971, U, 0, False),
    # BatchNormalization + EarlyStopping (`Epoch 00033: early stopping`), a raw cell between fit and evaluate
    "jp_course_05_keras_batchnorm_es": R([], [33], 0.981, U, 0, False),
    # GPU check only (no Keras): device_lib lists /device:GPU:0, TF logs `Created TensorFlow device
    # (/device:GPU:0 …) -> … RTX 2070 SUPER`, torch `cuda available: True`
    "jp_course_check_gpu": R([], [], None, G, 0, False, history_keys=None),
    # Japanese comments, standalone Keras on a local conda kernel; fit_generator 3 epochs, no evaluate
    "jp_mnist_cnn_modelcheckpoint": R([257162], [3], None, U, 0, False),
    # Japanese heading; custom wrapper classes whose evaluate returns dicts: cell 10 displays
    # `({'loss': 0.0991…, 'acc': 0.9795}, {…same…})` for the test data; cells 11 and 12 evaluate the training and
    # validation data (not test results)
    "jp_keras_tools_load_model": R([], [10], 0.9795, U, 0, False),
    # --- Korean and Traditional-Chinese-commented student notebooks ---
    # everything in one cell, `테스트 정확도: 0.9485999941825867`
    "korean_mnist_keras_one_cell": R([], [5], 0.9485999941825867, U, 0, False),
    # counts 20–27 then the evaluate cell at 19: it ran before the fit shown (27)
    "korean_school_mnist_out_of_order": R([], [5], 0.9782999753952026, U, 0, True),
    # all counts null; Colab T4. Cell 0 builds three Conv2D (+2 MaxPooling as saved), cell 1 shows the summary of
    # that base (18,816, the same total: pooling has no parameters), cell 2 adds Flatten/Dense(64)/Dense(10) and
    # shows 21,578. The table of cell 1 has three MaxPooling rows (output (None, 1, 1, 32)): a pooling layer was
    # deleted from cell 0 after it ran, so the code as saved builds 52,298, not 21,578: cell 2's table is stale.
    # Cell 1's total does match the code up to that point.
    "korean_school_cnn_null_counts": R([18816, 21578], [5], 0.983299970626831, G, 0, False, ((0, 2),)),
    # ModelCheckpoint + EarlyStopping, stopped at 9 of 20; `model.evaluate(val_scaled, val_target)` is
    # validation data; Colab GPU metadata but saved by a conda kernel (`conda-env-default-py`): stale setting
    "korean_fashion_cnn_es_mc_one_cell": R([333526], [9], None, U, 0, False),
    # TF 2.15 summary `Total params: 23466 (91.66 KB)`; counts 1, 2, 6, 4, 5 (the fit ran after the evaluate)
    "colab_cnn_mnist_student_out_of_order": R([23466], [10], 0.9814000129699707, U, 0, True),
    # counts 1, None, 3, 4, 10, 13, 11: the fit (13) ran after the evaluate (11)
    "colab_mlp_mnist_student_out_of_order": R([], [20], 0.9348000288009644, U, 0, True),
    "colab_cnn_mnist_score_student": R([23466], [10], 0.9805999994277954, U, 0, False),
    # --- Colab GPU runs and Keras 3 ---
    # Colab 2018, accelerator GPU, three cells; the bare `model.evaluate(...)` shows `[0.0723…, 0.9768]`
    "colab_keras_mnist_three_cells": R([], [5], 0.9768, G, 0, False),
    # BatchNormalization (256 non-trainable), accelerator GPU, `Test accuracy: 0.9246…`, classification report after
    "fashion_mnist_cnn_batchnorm_colab_gpu": R([1200394], [10], 0.9246000051498413, G, 0, False),
    # Keras 3 on a T4; the last cell was run in a new session (count 1) and stopped with a SyntaxError
    "keras3_mnist_cnn_error_restart": R([121930], [10], 0.9922, G, 1, True),
    # Keras 3 on a T4, verbose=2 evaluate line and `Test accuracy: 0.9895`
    "keras3_mnist_cnn_assignment": R([179926], [5], 0.9895, G, 0, False),
    # Keras 3 bar says 0.9902 (a running average), the printed returned value 0.9918; counts 1, 2, 9, 4, …
    "keras3_mnist_cnn_assignment_b": R([], [5], 0.9918, U, 0, True),
    # T4 metadata, all counts null, `Test accuracy: 0.99` (round(score[1], 2))
    "keras3_mnist_cnn_null_counts_score": R([93322], [5], 0.99, G, 0, False),
    # Keras 3, counts null, verbose=2 evaluate line + displayed `[0.0243…, 0.9927999973297119]`
    "keras3_mnist_cnn_batchnorm": R([824326], [10], 0.9927999973297119, U, 0, False),
    # saved by a local `base` kernel, but TensorFlow logs `Created device …GPU:0 … Tesla T4` (cell 8) and the
    # device list shows a GPU; a callback stops the fit at 14 of 100 (`Reached 95% accuracy`, after a partial bar
    # the epoch's final bar); no evaluate: only a classification report of a reloaded model (not read as a result)
    "keras3_fashion_mnist_tugas": R([110474], [14], None, G, 0, False),
    # --- tf.keras 2 / Keras 2 locally and on Colab without a GPU ---
    # EarlyStopping stops at 7 of 10; `result = model.evaluate(...)` shows only its bar; a later cell
    # `print(result)` shows `[0.025386291538908517, 0.9931]`; counts go 13, 140, 111, …
    "mnist_keras_long_kernel_earlystopping": R([569606], [7], 0.9931, U, 0, True),
    # `fit(..., verbose=0, callbacks=[EarlyStopping])` prints nothing (no log); `score = model.evaluate(...)` and
    # `Test accuracy: 0.9241` in a later cell; counts 8, 9, 3, …
    "fashion_mnist_cnn_verbose0_earlystopping": R([], [], 0.9241, U, 0, True, history_keys=None),
    # `Train data accuracy` is printed before `Test data accuracy: 0.9903`
    "mnist_keras_course_c2": R([], [50], 0.9903, U, 0, False),
    # the saved code builds Flatten + Dense(10) (7,850) but the table shows Dense(128) + Dense(10) (101,770): the
    # cell was edited after it ran; no evaluate
    "fashion_mnist_colab_six_cells": R([101770], [10], None, U, 0, False, ((3,),)),
    # the Keras mnist_cnn example; "16 seconds per epoch on a GRID K520 GPU" is in its docstring, not an output
    "keras_example_mnist_cnn_windows_one_cell": R([], [12], 0.9911, U, 0, False),
    # Keras 2.0.8 / Python 2: epoch bars end in `ETA: 0s`; `print('test_acc:', test_acc)` in a later cell shows
    # the tuple `('test_acc:', 0.98170000000000002)`
    "keras_mnist_dense_local": R([], [5], 0.9817, U, 0, False),
    # `history.history.keys()` displays `dict_keys(['loss', 'accuracy', 'val_loss', 'val_accuracy'])`
    "handson_fashion_mnist_mlp_local": R([266610], [30], 0.8899000287055969, U, 0, False, history_keys="printed"),
    # `Test accuracy: 98.77%`; counts 72, 73, 39, 42, …
    "mnist_keras_batchnorm_two_outputs": R([40202], [10], 0.9877, U, 0, True),
    # ten fits in a loop over hyper-parameters (5 epochs ×5, 10 epochs ×5), each followed by an evaluate bar only
    "fashion_mnist_lab_null_counts": R([], [5, 5, 5, 5, 5, 10, 10, 10, 10, 10], 0.8159, U, 0, False),
    # five models; the fit of cell 9 stops inside `Epoch 4/5` (bar at 55/704, no traceback): 3 epochs ran. The
    # model trained last (cell 10) prints `accuracy: {0.31200000643730164}` (a set, from `{accuracy}`); the last
    # three cells have outputs and null counts
    "cifar10_lab_batchnorm_models": R([], [5, 5, 5, 3, 5], 0.31200000643730164, U, 0, False),
    # the TF CNN tutorial: `summary()` of the convolutional base (56,320), Flatten/Dense added, `summary()` again
    # (122,570), in the same cell: both tables match the code at the point they were printed
    "dlt_lab_cnn": R([56320, 122570], [5], 0.6845999956130981, U, 0, False),
    # TF 1.14 on Colab, counts 52, 0, 0, 53, 9, …; no evaluate
    "fashion_mnist_assignment_out_of_order": R([], [5], None, U, 0, True),
    "mnist_keras_anns_score": R([], [5], 0.9740999937057495, U, 0, False),
    # `Epoch 1/10` in its own stdout output, a stderr warning, then the bar
    "fashion_mnist_lp5": R([], [10], 0.8848999738693237, U, 0, False),
    # MIT-licensed lecture notebooks: `Test loss: … / Test accuracy: …` on one line. The empty last cell of the CNN
    # notebook has count 8 (below 17): out of order. The SLP notebook's first cells have outputs and null counts.
    "mit_fashion_mnist_cnn_lecture": R([17578], [5], 0.9042999744415283, U, 0, True),
    "mit_fashion_mnist_slp_lecture_partial_counts": R([7850], [5], 0.8475000262260437, U, 0, False),
    "mit_mnist_mlp_lecture": R([355110], [5], 0.9803000092506409, U, 0, False),
    # wrapper classes: one cell trains an MLP then a CNN (10 epochs each); evaluates display dicts
    # `{'loss': …, 'acc': 0.9798}` (MLP) then `{'loss': …, 'acc': 0.9858}` (CNN, trained last); counts 5, 19, 11
    "keras_tools_mnist_mlp_local": R([], [10, 10], 0.9858, U, 0, True),
    # `Test Loss: 0.05 Test Acc: 0.99`; counts 7, 16, 8, 17, 10
    "keras_mnist_novel_quest_out_of_order": R([305194], [5], 0.99, U, 0, True),
    # Deep Learning with Python ch. 5: the second model (create_model again) is trained 4 epochs and evaluated
    "dlwp_mnist_convnet_local": R([93322], [8, 4], 0.9865000247955322, U, 0, False),
    # --- one-epoch fits without a header, verbose=0 fits seen through their callbacks (issue 17) ---
    # Hands-On ML 2 ch. 10 (tf.keras 2.4, local): a subset of its code cells in order. Fashion MNIST MLP (summary
    # 266,610), 30 epochs, `history.history.keys()` shown as `dict_keys([...])`, evaluate `[0.3357…, 0.8837…]`;
    # California housing regression: 10 epochs (ModelCheckpoint) + an evaluate bar with loss only, then an
    # `epochs=1` fit whose only output is `363/363 [====] - 0s 799us/step - loss: 0.3302 - val_loss: 0.3556` and the
    # callback's `val/train: 1.08` (no `Epoch 1/1`); MNIST: an `epochs=1` learning-rate sweep (`1719/1719 [====] …
    # val_accuracy: 0.1126`, no header), 28 epochs of 100 (EarlyStopping, patience 20, no message), then
    # `load_model` of the best checkpoint and its evaluate `[0.0804…, 0.9805999994277954]`, the last cell
    "handson_ml2_keras_one_epoch_fits": R([266610], [30, 10, 1, 1, 28], 0.9805999994277954, U, 0, False,
                                          sources=("log", "log", "bar", "bar", "log"), history_keys="printed"),
    # Korean textbook ch. 16 (local Windows tf.keras 2): MLP (summary 407,050) and CNN, each `fit(..., epochs=30,
    # verbose=0, callbacks=[early_stopping_callback, checkpointer])`; only ModelCheckpoint(verbose=1) prints:
    # `Epoch 00001: val_loss improved from inf to 0.18529, saving model to ../data/model\MNIST_MLP.hdf5` …
    # `Epoch 00023: val_loss did not improve from 0.08088` (23 epochs; EarlyStopping prints nothing), the CNN 21;
    # each cell then prints `Test Accuracy: %.4f` (0.9816, then 0.9919 for the CNN, trained last). The saved paths
    # (`.hdf5`) differ from the code's `MNIST_MLP.keras` (edited after the run; no rule compares them). Counts 1,
    # 5, 6, then 2 (the CNN cell ran in a new session); the dataset download bars of cell 0 are no fit
    "korean_book_mnist_verbose0_checkpoint": R([407050], [23, 21], 0.9919, U, 0, True,
                                               sources=("callbacks", "callbacks"), history_keys=None),
}

FACTS = ("totals", "fits", "sources", "history_keys", "test_accuracy", "gpu", "errors", "out_of_order", "flags")

# Where inspect reads otherwise: a strict xfail per fact. When the corpus was added, 6 of the first 42 notebooks'
# 294 facts were misread (a summary printed before more add() calls flagged twice, an interrupted epoch counted,
# ``accuracy: {0.312}``, a displayed tuple of evaluate dicts, Python 2's printed tuple); all are read now.
MISREAD: dict[tuple[str, str], str] = {}  # (notebook, fact) → how inspect reads it otherwise; none left


@functools.cache
def _inspected() -> dict[str, dict]:
    """One ``autograder inspect --json`` call over every notebook of the folder (the documented command)."""
    paths = [str(DATA / f"{name}.ipynb") for name in sorted(READ)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["inspect", *paths, "--json"]) == 0
    entries = json.loads(out.getvalue())["notebooks"]
    assert [e["file"] for e in entries] == paths
    return {Path(e["file"]).stem: e for e in entries}


@functools.cache
def _flags(name: str) -> tuple:
    return tuple(notebook_flags(extract(load_notebook(DATA / f"{name}.ipynb"))))


def _read_by_inspect(name: str, fact: str):
    entry = _inspected()[name]
    if fact == "totals":
        return [s["total_params"] for s in entry["summaries"]]
    if fact == "fits":
        return [f["epochs_run"] for f in entry["fits"]]
    if fact == "sources":
        return [f["source"] for f in entry["fits"]]
    if fact == "history_keys":
        return entry["history_keys_source"]
    if fact == "test_accuracy":
        return entry["test_accuracy"]
    if fact == "gpu":
        return entry["gpu"]["verdict"]
    if fact in ("errors", "out_of_order"):
        return entry["execution"][fact]
    flags = _flags(name)
    return {"tampered": tuple(tuple(f.cells) for f in flags if f.kind == "tampered_output"),
            "other_accusations": [f.kind for f in flags if f.kind in ("integrity_error", "gpu_conflict", "collusion")],
            "error_output": any(f.kind == "error_output" for f in flags)}


def _read_by_a_person(name: str, fact: str):
    reading = READ[name]
    if fact == "flags":
        return {"tampered": reading.tampered, "other_accusations": [], "error_output": reading.errors > 0}
    if fact == "sources":
        return list(reading.sources or ("log",) * len(reading.fits))
    value = getattr(reading, fact)
    return pytest.approx(value, abs=1e-9) if fact == "test_accuracy" and value is not None else value


def _params():
    for name in sorted(READ):
        for fact in FACTS:
            reason = MISREAD.get((name, fact))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, fact, marks=marks, id=f"{name}-{fact}")


@pytest.mark.parametrize(("name", "fact"), list(_params()))
def test_inspect_reads_what_a_person_reads(name, fact):
    assert _read_by_inspect(name, fact) == _read_by_a_person(name, fact)


def test_every_notebook_has_a_reading_and_a_provenance_row():
    files = sorted(p.stem for p in DATA.glob("*.ipynb"))
    assert files == sorted(READ) and len(files) >= 25
    provenance = (DATA / "PROVENANCE.md").read_text(encoding="utf-8")
    rows = [line for line in provenance.splitlines() if line.startswith("| ") and ".ipynb`" in line]
    assert sorted(line.split("`")[1][:-len(".ipynb")] for line in rows) == files
    assert all("github.com/" in line and len(line.split("`")[5]) == 40 for line in rows)  # repository, commit
    assert sum(p.stat().st_size for p in DATA.iterdir()) < 3_000_000
    assert set(MISREAD) <= {(name, fact) for name in READ for fact in FACTS}
    assert all(len(r.sources) in (0, len(r.fits)) for r in READ.values())


@functools.cache
def _batch_flags() -> frozenset:
    report = grade_paths([str(DATA)], load_spec("mlp"))
    assert len(report.submissions) == len(READ)
    return frozenset((Path(s.file).stem, str(f.kind), tuple(f.cells)) for s in report.submissions for f in s.flags)


def test_the_folder_as_one_batch_has_no_collusion_nor_other_accusation():
    """Grading the whole folder (collusion included): nothing but the execution record and tampered_output."""
    assert sorted(f for f in _batch_flags() if f[1] in ("collusion", "implausible", "integrity_error", "gpu_conflict")) == []


def test_the_folder_as_one_batch_has_only_the_tampered_flags_a_person_raises():
    seen = {f for f in _batch_flags() if f[1] == "tampered_output"}
    assert seen == {(name, "tampered_output", cells) for name, r in READ.items() for cells in r.tampered}
