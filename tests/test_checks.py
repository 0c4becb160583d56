"""Checks as pure functions of evidence: pass, fail and missing for every kind, and never points for the unread."""
from __future__ import annotations

import json

import pytest

from autograder.errors import RAISE_ENV
from autograder.judge.checks import KINDS, run_one, values_match
from autograder.judge.spec import load_spec
from autograder.model.evidence import (
    Call,
    CodeFacts,
    Evaluation,
    Evidence,
    Execution,
    Figure,
    Fit,
    Gpu,
    GpuSignal,
    History,
    Layer,
    Summary,
)
from autograder.model.results import Status
from autograder.model.spec import CheckSpec


def _check(kind: str, points: float = 10, **params) -> CheckSpec:
    return CheckSpec(id=kind, kind=kind, category="code", points=points, params=params)


def _summary(total: int, layer_params=(), cell=3, types=None) -> Summary:
    types = types or ["Dense"] * len(layer_params)
    layers = tuple(Layer(f"l{i}", t, "(None, 1)", p) for i, (t, p) in enumerate(zip(types, layer_params, strict=False)))
    return Summary(total_params=total, layers=layers, cell=cell)


def _fit(epochs: int, keys=("loss", "accuracy", "val_loss", "val_accuracy"), cell=4, loss=0.1, val_loss=0.3) -> Fit:
    epoch = {k: (loss if k == "loss" else val_loss if k == "val_loss" else 0.9) for k in keys}
    return Fit(epochs=tuple(dict(epoch) for _ in range(epochs)), cell=cell)


def test_every_kind_used_by_the_course_is_registered():
    kinds = {c.kind for sid in ("perceptron", "mlp", "history", "dropout") for c in load_spec(sid).checks}
    assert kinds <= set(KINDS)


def test_missing_evidence_earns_nothing():
    empty = Evidence()
    for sid in ("perceptron", "mlp", "history", "dropout"):
        for check in load_spec(sid).checks:
            result = run_one(check, empty)
            assert result.points == 0, check.id
            assert result.status in ("missing", "fail"), check.id
            assert result.message and result.message_en


def test_summary_params_pass_fail_layers_and_count():
    check = _check("summary_params", total=25450, layer_params=[25120, 330])
    assert run_one(check, Evidence(summaries=(_summary(25450, [25120, 330]),))).status == "pass"
    r = run_one(check, Evidence(summaries=(_summary(24000, [23550, 450], cell=7),)))
    assert (r.status, r.points, r.cell) == ("fail", 0, 7)
    assert "25,450" in r.message and "24,000" in r.message
    r = run_one(check, Evidence(summaries=(_summary(25450, [25000, 450]),)))
    assert r.status == "fail" and "[25000, 450]" in r.message
    two = _check("summary_params", total=111146, count=2)
    assert run_one(two, Evidence(summaries=(_summary(111146, [1]),))).status == "fail"
    assert run_one(two, Evidence(summaries=(_summary(111146, [1]), _summary(111146, [1], cell=9)))).status == "pass"


def test_summary_layer():
    check = _check("summary_layer", type="Dropout")
    with_drop = _summary(10, [10, 0], types=["Dense", "Dropout"])
    assert run_one(check, Evidence(summaries=(with_drop,))).status == "pass"
    assert run_one(check, Evidence(summaries=(_summary(10, [10]),))).status == "fail"
    assert run_one(check, Evidence()).status == "missing"


def test_history_from_fit_logs_with_aliases_and_counts():
    check = _check("history", keys=["loss", "accuracy", "val_loss", "val_accuracy"], epochs=30)
    assert run_one(check, Evidence(fits=(_fit(30),))).status == "pass"
    old = _fit(30, keys=("loss", "acc", "val_loss", "val_acc"))
    assert run_one(check, Evidence(fits=(old,))).status == "pass"
    r = run_one(check, Evidence(fits=(_fit(20),)))
    assert r.status == "fail" and "20" in r.message
    assert run_one(check, Evidence(fits=(_fit(30, keys=("loss", "accuracy")),))).status == "fail"
    both = _check("history", keys=["loss", "val_loss"], epochs=50, count=2)
    assert run_one(both, Evidence(fits=(_fit(50), _fit(50, cell=8)))).status == "pass"
    assert run_one(both, Evidence(fits=(_fit(50), _fit(40, cell=8)))).status == "fail"
    two = run_one(both, Evidence(fits=(_fit(50), _fit(50, cell=8))))
    assert "(cell 4, 8)" in two.message_en and "（セル 4、8）" in two.message


def test_history_printed_requires_a_printed_dict():
    check = _check("history", keys=["loss", "val_loss"], epochs=3, printed=True)
    assert run_one(check, Evidence(fits=(_fit(3),))).status == "missing"
    printed = History(keys=("loss", "val_loss"), values={"loss": (1.0, 0.5, 0.4), "val_loss": (1.0, 0.6, 0.7)}, cell=5)
    assert run_one(check, Evidence(fits=(_fit(3),), histories=(printed,))).status == "pass"
    keys_only = History(keys=("loss", "val_loss"), cell=5)
    assert run_one(check, Evidence(histories=(keys_only,))).status == "missing"


def test_best_epoch_one_or_zero_based_and_wrong():
    printed = History(keys=("loss", "val_loss"), values={"loss": (1.0, 0.5, 0.4), "val_loss": (1.0, 0.6, 0.7)}, cell=5)
    check = _check("best_epoch")
    for line, status in (("best epoch: 2", "pass"), ("Best epoch = 1", "pass"), ("best epoch: 3", "fail")):
        assert run_one(check, Evidence(histories=(printed,), outputs=((6, line),))).status == status, line
    assert run_one(check, Evidence(histories=(printed,))).status == "missing"


def test_best_epoch_tied_in_the_printed_log_accepts_each_tied_epoch():
    """A log shows 4 decimals: the true lowest val_loss (epoch 35, from the full-precision history the student
    took argmin of) can print the same as epoch 34's. Both are right as far as the notebook shows; 36 is not."""
    val = [0.5] * 33 + [0.3215, 0.3215, 0.3301] + [0.4] * 14
    printed = History(keys=("loss", "val_loss"), values={"loss": tuple([0.2] * 50), "val_loss": tuple(val)}, cell=5)
    check = _check("best_epoch")
    for line, status in (("best epoch: 35", "pass"), ("best epoch: 34", "pass"), ("best epoch: 33", "pass"),
                         ("best epoch: 36", "fail"), ("best epoch: 32", "fail")):
        assert run_one(check, Evidence(histories=(printed,), outputs=((6, line),))).status == status, line


def test_overfitting_gap():
    check = _check("overfitting_gap")
    base, drop = _fit(5, loss=0.05, val_loss=0.5), _fit(5, loss=0.2, val_loss=0.3, cell=9)
    r = run_one(check, Evidence(fits=(base, drop)))
    assert r.status == "pass" and "0.4500" in r.message and "0.1000" in r.message
    assert run_one(check, Evidence(fits=(drop, base))).status == "fail"
    assert run_one(check, Evidence(fits=(base,))).status == "missing"


def test_test_accuracy_threshold():
    check = _check("test_accuracy", min=0.95)
    ok = Evaluation("print", "Test accuracy: 0.9612", accuracy=0.9612, cell=12)
    r = run_one(check, Evidence(test_accuracy=ok))
    assert (r.status, r.points, r.cell) == ("pass", 10, 12)
    low = Evaluation("print", "Test accuracy: 0.9", accuracy=0.9, cell=12)
    assert run_one(check, Evidence(test_accuracy=low)).status == "fail"
    assert run_one(check, Evidence()).status == "missing"


def test_gpu_verdicts():
    check = _check("gpu")
    gpu = Gpu("gpu", (GpuSignal("device_list", "[PhysicalDevice(name='/physical_device:GPU:0'...)]", "gpu", cell=2),))
    r = run_one(check, Evidence(gpu=gpu))
    assert r.status == "pass" and r.cell == 2
    cpu = Gpu("cpu", (GpuSignal("device_list", "[]", "cpu", cell=2),))
    r = run_one(check, Evidence(gpu=cpu))
    assert r.status == "fail" and "T4" in r.message
    assert run_one(check, Evidence()).status == "missing"
    metadata_only = Gpu("gpu", (GpuSignal("metadata.accelerator", "accelerator: GPU", "gpu", runtime=False),))
    assert run_one(check, Evidence(gpu=metadata_only, execution=Execution(5, 4, 0, False))).status == "pass"
    never_run = run_one(check, Evidence(gpu=metadata_only, execution=Execution(5, 0, 0, False)))
    assert never_run.status == "missing" and "実行されていない" in never_run.message


def test_figure_axes_and_learning_curve():
    check = _check("figure", axes=2)
    curve = Figure(axes=2, learning_curve=True, cell=8)
    assert run_one(check, Evidence(figures=(curve,))).status == "pass"
    assert run_one(check, Evidence(figures=(Figure(axes=1, learning_curve=True, cell=8),))).status == "fail"
    assert run_one(check, Evidence(figures=(Figure(axes=None, learning_curve=True, cell=8),))).status == "missing"
    assert run_one(check, Evidence(figures=(Figure(axes=2, learning_curve=False, cell=8),))).status == "fail"
    assert run_one(_check("figure"), Evidence(figures=(Figure(axes=None, learning_curve=True),))).status == "pass"


def test_fit_and_compile_args():
    fit = _check("fit_args", epochs=30, batch_size=64, validation_split=0.2)
    call = Call("fit", "model", {"epochs": 30, "batch_size": 64, "validation_split": 0.2}, "result", cell=5)
    assert run_one(fit, Evidence(code=CodeFacts(calls=(call,)))).status == "pass"
    wrong = Call("fit", "model", {"epochs": 10, "batch_size": 64}, "result", cell=5)
    r = run_one(fit, Evidence(code=CodeFacts(calls=(wrong,))))
    assert r.status == "fail" and "epochs=10" in r.message and "validation_split" in r.message
    assert run_one(fit, Evidence()).status == "missing"
    comp = _check("compile_args", loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    for args in ({"loss": "categorical_crossentropy", "optimizer": "Adam", "metrics": ["acc"]},
                 {"loss": "CategoricalCrossentropy", "optimizer": "Adam", "metrics": ["accuracy"]}):
        assert run_one(comp, Evidence(code=CodeFacts(calls=(Call("compile", "model", args),)))).status == "pass"
    sgd = Call("compile", "model", {"loss": "mse", "optimizer": "sgd", "metrics": ["accuracy"]})
    assert run_one(comp, Evidence(code=CodeFacts(calls=(sgd,)))).status == "fail"


def test_printed_values_and_functions():
    outputs = ((3, "mu = 0.4000000000000001\nz = 1"), (4, "AND: [0, 0, 0, 1]\nNAND: [1, 1, 1, 1]"))
    ev = Evidence(outputs=outputs, code=CodeFacts(functions=("step", "relu")), execution=Execution(3, 3, 0, False))
    spec = load_spec("perceptron")
    got = {c.id: run_one(c, ev).status for c in spec.checks}
    assert got == {"functions": "fail", "example_mu": "pass", "example_z": "pass", "gate_and": "pass",
                   "gate_or": "missing", "gate_nand": "fail"}
    assert values_match([0.4000000000000001], 0.4, 1e-6)
    assert not values_match([0, 0, 1], [0, 0, 0, 1])
    assert values_match([1.0], 1)
    numpy2 = Evidence(outputs=((5, "AND: [np.int64(0), np.int64(0), np.int64(0), np.int64(1)]\nOR: [np.True_, np.False_]"),))
    assert run_one(spec.check("gate_and"), numpy2).status == "pass"


def test_an_exception_inside_a_check_is_an_error_never_missing_nor_points(monkeypatch):
    """A crash is the grader's bug: status ``error`` (not "your output is missing"), 0 points, a message saying so."""
    monkeypatch.delenv(RAISE_ENV, raising=False)
    check = _check("test_accuracy", min=0.5)
    ev = Evidence(test_accuracy=Evaluation("print", "x", accuracy="oops", cell=1))  # type: ignore[arg-type]
    r = run_one(check, ev)
    assert (r.status, r.points) == ("error", 0) and r.status is Status.ERROR
    assert r.to_json()["status"] == "error" and json.loads(json.dumps(r.to_json()))["status"] == "error"
    assert "内部エラー" in r.message and "TypeError" in r.message and "提出者の問題ではありません" in r.message


def test_an_exception_inside_a_check_is_raised_when_the_tests_ask(monkeypatch):
    monkeypatch.setenv(RAISE_ENV, "1")
    ev = Evidence(test_accuracy=Evaluation("print", "x", accuracy="oops", cell=1))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        run_one(_check("test_accuracy", min=0.5), ev)


def test_overfitting_gap_reads_the_last_epoch_and_fails_on_non_finite_values():
    check = _check("overfitting_gap")

    def run(losses, val_losses, cell):
        epochs = tuple({"loss": a, "val_loss": b} for a, b in zip(losses, val_losses, strict=True))
        return Fit(epochs=epochs, cell=cell)

    # the gap narrows only at the last epoch: a check reading any other epoch would fail this
    without = run([0.5, 0.3, 0.2], [0.5, 0.6, 0.7], 4)  # last gap 0.5
    with_dropout = run([0.5, 0.4, 0.3], [0.5, 1.4, 0.6], 6)  # gap 1.0 at epoch 2, 0.3 at the last
    assert run_one(check, Evidence(fits=(without, with_dropout))).status == "pass"
    assert run_one(check, Evidence(fits=(with_dropout, without))).status == "fail"
    broken = run([0.5, 0.4, float("inf")], [0.5, 0.5, 0.6], 6)  # a gap of -inf must not pass
    result = run_one(check, Evidence(fits=(without, broken)))
    assert result.status == "fail" and result.points == 0 and result.cell == 6


def test_a_check_that_crashed_is_shown_with_its_own_mark_and_words_everywhere(tmp_path):
    """The ``error`` status reaches every page a person reads: a mark and words, never a crash or a bare code."""
    from autograder.model.results import CheckResult, Report, SubmissionResult
    from autograder.present.feedback import write_feedback
    from autograder.present.text import MARKS, batch_table, checklist

    spec = load_spec("mlp")
    crashed = CheckResult(id="test_accuracy", category="accuracy", status="error", points=0, max_points=20,
                          message="内部エラー", message_en="internal error")
    result = SubmissionResult(file="2412001_a_2.ipynb", student_id="2412001", status="graded", score=0,
                              max_score=100, checks=(crashed,))
    assert set(MARKS) == set(Status)
    assert "！ 0/20" in checklist(result, spec)
    assert "！" in batch_table(Report("mlp", (result,)), spec)
    pages = write_feedback(Report("mlp", (result,)), spec, tmp_path, "ja")
    page = next(p for p in pages if "2412001" in str(p))
    html = page.read_text(encoding="utf-8")
    assert "採点側のエラー" in html and "！" in html
    overview = pages[-1].read_text(encoding="utf-8")
    assert "<th class=\"num\">採点側のエラー（教員が確認）</th>" in overview  # the crashed check is counted, not dropped
