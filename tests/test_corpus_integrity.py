"""The integrity rules on every real notebook of ../shared/corpus/real: no honest notebook is accused.

Every notebook in the corpus is an honest, public run (PROVENANCE.md); none may get a ``tampered_output`` or a
``collusion`` flag. The execution-record flags they do get are listed below with the reason each is right.
The tolerances of ``autograder.integrity`` are re-measured here from the same notebooks.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from autograder.judge.integrity import (
    K3_BAR_ACCURACY_TOL,
    K3_BAR_LOSS_ABS_TOL,
    K3_BAR_LOSS_REL_TOL,
    KERAS_HALF_UNIT,
    _samples,
    evaluation_pairs,
    notebook_flags,
    ratio_check,
)
from autograder.judge.spec import load_spec
from autograder.pipeline import grade_paths
from autograder.read.extract import extract
from autograder.read.notebook import load_notebook
from autograder.read.outputs.fitlog import step_counter as _counter

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"

FILES = sorted(p.name for p in CORPUS.glob("*.ipynb")) if CORPUS.is_dir() else []

# Execution-record flags that are right on these honest notebooks (never an accusation: they ask for a re-run).
EXPECTED = {
    # all execution counts null although every cell has outputs (Colab): order cannot be checked
    "colab_gpu_mnist_mlp_minimal_null_exec_counts.ipynb": {"out_of_order"},
    "tf215_colab_mnist_cnn_student_null_exec_counts.ipynb": {"out_of_order"},
    "keras3_mnist_cnn_lab_partial_exec_counts.ipynb": {"out_of_order"},  # fit and evaluate cells: null counts
    # the learning-curve cell [7] ran before the second training [5] was re-run
    "jp_soft_computing_report_mnist_mlp_cnn.ipynb": {"out_of_order"},
    # model construction stops with ValueError; the fit cell after it never ran
    "keras2_cifar10_cnn_valueerror.ipynb": {"error_output", "not_executed"},
    # four fits; the one in cell 9 [13] ran after cell 11 [8]
    "keras2_colab_gpu_fashion_mnist_mlp_cnn_gpuclass.ipynb": {"out_of_order"},
    # the fit [34] was re-run after the evaluation [22] it precedes: the failed 0.11 accuracy comes from that
    "keras2_mnist_cnn_failed_training_out_of_order.ipynb": {"out_of_order"},
    "keras2_mnist_cnn_typeerror.ipynb": {"error_output"},  # matplotlib TypeError
    # KeyboardInterrupt in the last fit; every count is null
    "keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt.ipynb": {"error_output", "out_of_order"},
    # experiments re-run out of order; two fit/evaluate cells never ran
    "keras3_coursera_c1w2_fashion_mnist_lab.ipynb": {"not_executed", "out_of_order"},
    # counts restart per cell (2, 1, 1, 2, 1): every cell ran in its own session
    "keras3_mnist_mlp_dropout_analysis_tf_xla_logs.ipynb": {"out_of_order"},
    "keras3_mnist_nn_demo_typeerror.ipynb": {"error_output"},  # the exercise stub left as None
    # heavily out-of-order counts (…, 88–91, None, 78–80, 51, 92–100)
    "tf215_colab_gpu_mit_lab2_mnist.ipynb": {"out_of_order"},
}


def _evidence(name: str):
    return extract(load_notebook(CORPUS / name))


@pytest.mark.parametrize("name", FILES)
def test_no_honest_notebook_is_flagged_as_tampered(corpus, name):
    flags = notebook_flags(_evidence(name))
    assert [f.message_en for f in flags if f.kind == "tampered_output"] == []
    assert {f.kind for f in flags} == EXPECTED.get(name, set())


def test_the_whole_corpus_as_one_batch_has_no_collusion(corpus):
    report = grade_paths([str(corpus)], load_spec("mlp"))
    assert len(report.submissions) == len(FILES) == 37
    assert [(s.file, f.message_en) for s in report.submissions for f in s.flags if f.kind in ("collusion", "tampered_output")] == []


def test_the_corpus_exercises_the_collusion_fingerprints(corpus):
    """Not vacuous: the corpus has training runs and Colab outputIds on evidence cells (and shared template cell ids)."""
    from autograder.judge.collusion import fingerprints
    prints = [fingerprints(_evidence(name)) for name in FILES]
    assert sum(len(p.runs) for p in prints) >= 60
    assert sum(1 for p in prints for kind, _ in p.keys if kind == "output_id") >= 70


def _pairs(corpus):
    for name in FILES:
        ev = _evidence(name)
        for printed, bar, args in evaluation_pairs(ev):
            for what in ("accuracy", "loss"):
                a, b = getattr(printed, what), getattr(bar, what)
                if a is not None and b is not None:
                    yield name, what, a, b, "━" in bar.text, printed, bar, args


def test_measured_progress_bar_tolerances(corpus):
    """The numbers in the integrity module's docstring, measured again."""
    exact = [(n, abs(a - b)) for n, _, a, b, k3, *_ in _pairs(corpus) if not k3]
    averaged = [(n, w, abs(a - b), abs(a - b) / abs(a)) for n, w, a, b, k3, *_ in _pairs(corpus) if k3]
    # tf.keras 2 bars and verbose=2 lines: the returned value rounded to 4 decimals
    assert len(exact) == 18 and len({n for n, _ in exact}) == 10
    assert max(d for _, d in exact) < KERAS_HALF_UNIT
    # Keras 3 interactive bars: an average of running averages, off by up to 0.0078 / 0.0072 (2.1 %)
    acc = [d for _, w, d, _ in averaged if w == "accuracy"]
    loss = [(d, r) for _, w, d, r in averaged if w == "loss"]
    assert len(acc) == 6 and len(loss) == 2 and len({n for n, *_ in averaged}) == 4
    assert 0.0077 < max(acc) < 0.0079 and max(acc) * 2.5 <= K3_BAR_ACCURACY_TOL
    assert 0.0072 < max(d for d, _ in loss) < 0.0073 and max(r for _, r in loss) < 0.021
    assert max(d for d, _ in loss) * 2.5 <= K3_BAR_LOSS_ABS_TOL and max(r for _, r in loss) * 2.5 <= K3_BAR_LOSS_REL_TOL


def test_printed_accuracies_of_real_runs_are_k_over_n(corpus):
    checked = 0
    for name, what, printed, _, _, _ev_printed, bar, args in _pairs(corpus):
        digits = len(repr(printed).replace(".", "").lstrip("0"))
        if what != "accuracy" or digits < 9:
            continue
        count, unit = _counter(bar.text)
        low, high = _samples(count, unit, args.get("batch_size", 32))
        _, n = ratio_check(printed, low, high)
        assert n == 10000, (name, printed)
        checked += 1
    assert checked == 18
