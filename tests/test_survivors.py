"""Tests that kill the grade- or flag-changing mutants that survived the suite (issue #18, docs/mutation.md).

Each test names the mutant it kills: a change to the judging or reading code that would change a grade or a flag
and that no other test noticed. They assert the exact boundary (the spec value ± one step, the epoch that is read,
the word that makes a line not a test result), not just "something passes".
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.errors import RAISE_ENV
from autograder.judge import integrity, metrics
from autograder.judge.checks import run_one
from autograder.judge.checks.common import _numbers
from autograder.judge.integrity import execution, figure_rules, gpu_rules, plausibility, summary_rules, tolerances, training_rules
from autograder.judge.registry import KINDS
from autograder.judge.spec import load_spec
from autograder.model.evidence import (
    Call,
    CellRecord,
    CodeFacts,
    Evaluation,
    Evidence,
    Figure,
    Fingerprints,
    Fit,
    Gpu,
    GpuSignal,
    History,
    Layer,
    LineTrace,
    Summary,
)
from autograder.model.results import FlagKind, Status
from autograder.model.spec import CheckSpec
from autograder.pipeline import grade_notebook, grade_paths
from autograder.read.outputs.evaluate import parse_evaluations
from autograder.read.outputs.gpu import blank_check_signals, text_signals
from autograder.read.outputs.gpu import verdict as gpu_verdict
from autograder.read.outputs.summary import parse_summaries
from autograder.testing import samples as s

pytestmark = pytest.mark.timeout(60)


def _check(kind: str, **params) -> CheckSpec:
    return CheckSpec(id=kind, kind=kind, category="code", points=10, params=params)


def _fit_call(**args) -> Evidence:
    return Evidence(code=CodeFacts(calls=(Call(method="fit", receiver="model", args=args, cell=4),)))


# ------------------------------------------------------------------ fit_args: the tolerance is exact

@pytest.mark.parametrize(("written", "status"), [(30, Status.PASS), (29, Status.FAIL), (31, Status.FAIL),
                                                  (30.0, Status.PASS), (True, Status.FAIL), ("30", Status.FAIL)])
def test_fit_args_epochs_must_equal_the_spec(written, status):
    """``epochs=29`` (or 31) never passes a spec asking for 30: no numeric tolerance on integer arguments."""
    assert run_one(_check("fit_args", epochs=30), _fit_call(epochs=written)).status == status


@pytest.mark.parametrize(("written", "status"), [(0.2, Status.PASS), (0.2 + 1e-12, Status.PASS), (0.21, Status.FAIL),
                                                  (0.19, Status.FAIL), (0.2001, Status.FAIL), (0.1999, Status.FAIL)])
def test_fit_args_validation_split_tolerance_is_only_rounding(written, status):
    assert run_one(_check("fit_args", validation_split=0.2), _fit_call(validation_split=written)).status == status


def test_fit_args_every_argument_must_match_in_one_call():
    ev = Evidence(code=CodeFacts(calls=(Call("fit", "model", {"epochs": 30, "batch_size": 32}, cell=3),
                                        Call("fit", "model", {"epochs": 20, "batch_size": 64}, cell=5))))
    assert run_one(_check("fit_args", epochs=30, batch_size=64), ev).status == Status.FAIL
    assert run_one(_check("fit_args", epochs=20, batch_size=64), ev).status == Status.PASS
    result = run_one(_check("fit_args", epochs=30, batch_size=64), ev)
    assert result.points == 0 and result.cell == 5  # the message points at the last call


# ------------------------------------------------------------------ overfitting_gap reads the LAST epoch

def _fit(loss: list[float], val_loss: list[float], cell: int) -> Fit:
    return Fit(epochs=tuple({"loss": a, "val_loss": b} for a, b in zip(loss, val_loss, strict=True)), cell=cell)


def test_overfitting_gap_compares_the_last_epoch_not_the_first_or_a_middle_one():
    # without Dropout the gap grows 0.0 -> 0.1 -> 0.4; with Dropout it is 0.5 -> 0.3 -> 0.2
    no_dropout = _fit([0.5, 0.3, 0.1], [0.5, 0.4, 0.5], cell=4)
    dropout = _fit([0.5, 0.4, 0.3], [1.0, 0.7, 0.5], cell=7)
    result = run_one(_check("overfitting_gap"), Evidence(fits=(no_dropout, dropout)))
    assert result.status == Status.PASS, result.message  # at the last epoch: 0.2 < 0.4
    assert "0.4000" in result.message and "0.2000" in result.message
    # the first epoch would say the opposite (0.5 > 0.0): reversing the runs' last epochs must fail
    swapped = (_fit([0.5, 0.4, 0.3], [0.5, 0.7, 0.5], cell=4), _fit([0.5, 0.3, 0.1], [1.0, 0.4, 0.5], cell=7))
    assert run_one(_check("overfitting_gap"), Evidence(fits=swapped)).status == Status.FAIL


def test_overfitting_gap_uses_the_first_and_the_last_run():
    a, b, c = _fit([0.1], [0.5], 3), _fit([0.1], [0.2], 5), _fit([0.1], [0.3], 8)  # gaps 0.4, 0.1, 0.2
    assert run_one(_check("overfitting_gap"), Evidence(fits=(a, b, c))).status == Status.PASS  # 0.2 < 0.4
    assert run_one(_check("overfitting_gap"), Evidence(fits=(b, a, c))).status == Status.FAIL  # 0.2 > 0.1
    equal = (_fit([0.25], [0.5], 3), _fit([0.5], [0.75], 5))  # equal gaps (exact in binary): not smaller, no points
    assert run_one(_check("overfitting_gap"), Evidence(fits=equal)).status == Status.FAIL


def test_best_epoch_reads_the_epoch_of_the_minimum_not_the_last():
    hist = History(keys=("loss", "val_loss"), values={"loss": (0.9, 0.5, 0.3, 0.2), "val_loss": (0.8, 0.4, 0.6, 0.7)}, cell=4)
    ev = Evidence(histories=(hist,), outputs=((5, "best epoch: 2"),))
    assert run_one(_check("best_epoch"), ev).status == Status.PASS
    for wrong in ("best epoch: 4", "best epoch: 3", "best epoch: 0"):
        ev = Evidence(histories=(hist,), outputs=((5, wrong),))
        assert run_one(_check("best_epoch"), ev).status == Status.FAIL, wrong
    ev = Evidence(histories=(hist,), outputs=((5, "best epoch: 1"),))  # counted from 0
    assert run_one(_check("best_epoch"), ev).status == Status.PASS


# ------------------------------------------------------------------ numpy 2 scalars in printed values

def test_numpy_scalar_reprs_count_as_their_value():
    assert _numbers("accuracy: np.float64(0.9712)") == [0.9712]
    assert _numbers("np.int64(30) epochs") == [30.0]
    assert _numbers("flag np.bool_(True)") == [1.0]
    assert _numbers("x = np.float32(-1.5e-3), y = 2") == [-0.0015, 2.0]


@pytest.mark.parametrize(("line", "status"), [("total: np.int64(25450)", Status.PASS), ("total: np.float64(25450.0)", Status.PASS),
                                               ("total: np.int64(25451)", Status.FAIL), ("total: 64", Status.FAIL)])
def test_printed_value_reads_numpy_scalars(line, status):
    ev = Evidence(outputs=((3, line),))
    assert run_one(_check("printed_value", label="total", value=25450), ev).status == status


# ------------------------------------------------------------------ what is not a test accuracy

@pytest.mark.parametrize("line", [
    "Top-5 test accuracy: 0.99", "top test accuracy: 0.99", "Expected test accuracy: 0.95",
    "train test accuracy: 0.90", "training test accuracy: 0.90", "Target test accuracy: 0.98",
    "しきい値 テスト精度: 0.90", "目標 テスト正解率: 0.95", "訓練データでの正解率: 0.99", "検証データでの正解率: 0.98",
])
def test_labels_that_are_not_a_test_result_are_not_read(line):
    assert parse_evaluations(line, "print(1)") == []


@pytest.mark.parametrize(("line", "kind", "value"), [
    ("Test accuracy: 0.97", "accuracy", 0.97), ("テストデータでの正解率: 0.97", "accuracy", 0.97),
    ("テストデータでの loss: 0.08", "loss", 0.08), ("テストでの accuracy: 0.96", "accuracy", 0.96),
    ("テストデータに対する精度: 0.95", "accuracy", 0.95),
])
def test_test_labels_with_japanese_particles_are_read(line, kind, value):
    found = parse_evaluations(line, "print(1)")
    assert len(found) == 1 and getattr(found[0], kind) == pytest.approx(value), found


# ------------------------------------------------------------------ list_logical_devices('GPU')

@pytest.mark.parametrize(("code", "text", "kind", "points"), [
    ("print(tf.config.list_logical_devices('GPU'))", "[]", "device_list", "cpu"),
    ("print(tf.config.list_logical_devices(device_type='GPU'))", "[]", "device_list", "cpu"),
    ("print(tf.config.list_logical_devices('GPU'))", "[LogicalDevice(name='/device:GPU:0', device_type='GPU')]",
     "device_list", "gpu"),
    ("print(len(tf.config.list_logical_devices('GPU')))", "1", "gpu_count", "gpu"),
    ("print(len(tf.config.list_logical_devices('GPU')))", "0", "gpu_count", "cpu"),
    ("assert tf.config.list_logical_devices('GPU')\nprint('ok')", "ok", "gpu_assert", "gpu"),
])
def test_list_logical_devices_gpu_is_read_like_list_physical_devices(code, text, kind, points):
    signals = text_signals(text, "import tensorflow as tf\n" + code)
    assert [(g.kind, g.points_to) for g in signals] == [(kind, points)], signals


def test_an_empty_list_without_a_gpu_query_is_no_signal():
    assert text_signals("[]", "print(tf.config.list_logical_devices('CPU'))") == []
    assert text_signals("[]", "print([])") == []


# ------------------------------------------------------------------ not_executed never widens to honest cells

def _flags(path: Path) -> set[str]:
    return {f.kind for f in grade_notebook(path, "mlp").flags}


def test_an_unrun_cell_without_fit_or_evaluate_is_not_a_not_executed_flag(write_nb):
    nb = s.submission("mlp", seed=3)
    nb["cells"].append(s.code("# 考察用のメモ\nprint('あとで実行')"))  # never run, no outputs, no count
    nb["cells"].append(s.code("def helper(x):\n    return x"))
    # a model call that is neither fit nor evaluate (``method in FIT + EVALUATE and cell`` → ``or`` would flag it)
    nb["cells"].append(s.code("model.summary()"))
    assert FlagKind.NOT_EXECUTED not in _flags(write_nb(nb))


def test_an_unrun_fit_cell_is_flagged_with_its_cell(write_nb):
    nb = s.submission("mlp", seed=3)
    nb["cells"].append(s.code("history2 = model.fit(x_train, y_train, epochs=5, validation_split=0.2)"))
    result = grade_notebook(write_nb(nb), "mlp")
    flags = [f for f in result.flags if f.kind == FlagKind.NOT_EXECUTED]
    assert len(flags) == 1 and flags[0].cells == (len(nb["cells"]) - 1,), flags


def test_a_run_fit_cell_that_printed_nothing_is_not_flagged(write_nb):
    nb = s.submission("mlp", seed=3)
    nb["cells"].append(s.code("history2 = model.fit(x_train, y_train, epochs=5, verbose=0)", count=40))
    assert FlagKind.NOT_EXECUTED not in _flags(write_nb(nb))


# ------------------------------------------------------------------ crashing rules are not "no flag"

def test_a_crashing_integrity_rule_raises_in_tests_and_is_a_flag_for_users(monkeypatch):
    def broken(ev):
        raise ZeroDivisionError("bug")

    with pytest.raises(ZeroDivisionError):
        integrity.guarded(broken, Evidence())
    monkeypatch.delenv(RAISE_ENV)
    flags = integrity.guarded(broken, Evidence())
    assert [f.kind for f in flags] == [FlagKind.INTEGRITY_ERROR] and "broken" in flags[0].message_en


# ------------------------------------------------------------------ a malformed summary table never stops a batch

MALFORMED_TABLES = [
    "Model: \"sequential\"\n_____\n Layer (type)  Output Shape  Param #\n=====\n dense (Dense) (None, 32) 25,120\n",
    "Model: \"sequential\"\n┏━━━┓\n┃ Layer (type) ┃ Output Shape ┃ Param # ┃\n┡━━━┩\n│ dense (Dense) │ (None, 32) │ x,y │\n",
    "Model: \"sequential\"\n┏━━━┓\n┃ Layer (type) ┃ Output Shape ┃ Param # ┃\n┡━━━┩\n│ │ │\n└─┘\n Total params: 1e9999\n",
    "Layer (type) Output Shape Param #\n" + "=" * 60 + "\n" + "dense (Dense) (None, 32) 99999999999999999999999\n" * 3,
    "Model: \"m\"\n" + "_" * 65 + "\n Layer (type)                Output Shape              Param #\n" + "=" * 65 + "\n"
    + " d (Dense)                   (None, 1)                 -5\n" + "=" * 65 + "\nTotal params: -5\nTrainable params: ?\n",
    "Total params: 25,450 (99.41 KB)\nTrainable params: \nNon-trainable params: 0 (0.00 B)\n",
]


@pytest.mark.parametrize("table", MALFORMED_TABLES)
def test_a_malformed_summary_table_does_not_raise(table):
    summaries = parse_summaries(table)
    assert isinstance(summaries, list)
    for summary in summaries:
        assert summary.total_params is None or summary.total_params >= 0


def test_a_malformed_summary_in_a_batch_is_one_entry_and_the_rest_is_graded(tmp_path):
    paths = []
    for i, table in enumerate(MALFORMED_TABLES):
        nb = s.submission("mlp", seed=10 + i)
        nb["cells"].append(s.code("model.summary()", [s.stream(table)]))
        path = tmp_path / f"24121{i:02d}_学生_{i}.ipynb"
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    report = grade_paths(paths, load_spec("mlp"))
    assert len(report.submissions) == len(paths)
    assert all(r.status == "graded" for r in report.submissions), [(r.file, r.error) for r in report.submissions]


# ------------------------------------------------------------------ compile_args: lists compare element by element

def _compile_call(**args) -> Evidence:
    return Evidence(code=CodeFacts(calls=(Call(method="compile", receiver="model", args=args, cell=3),)))


@pytest.mark.parametrize(("metrics", "status"), [
    (["accuracy"], Status.PASS), (["acc"], Status.PASS), (("accuracy",), Status.PASS), (["mse"], Status.FAIL),
    (["accuracy", "mse"], Status.FAIL), ([], Status.FAIL), ("accuracy", Status.FAIL), (None, Status.FAIL),
])
def test_compile_metrics_must_be_the_same_list(metrics, status):
    assert run_one(_check("compile_args", metrics=["accuracy"]), _compile_call(metrics=metrics)).status == status


@pytest.mark.parametrize(("loss", "status"), [("categorical_crossentropy", Status.PASS), ("CategoricalCrossentropy", Status.PASS),
                                              ("mse", Status.FAIL), ("sparse_categorical_crossentropy", Status.FAIL)])
def test_compile_loss_is_compared_by_name(loss, status):
    check = _check("compile_args", loss="categorical_crossentropy")
    assert run_one(check, _compile_call(loss=loss)).status == status


# ------------------------------------------------------------------ values_match: first number, or the whole list

@pytest.mark.parametrize(("line", "expected", "status"), [
    ("total: 25450 (99.41 KB)", 25450, Status.PASS),  # one value: the first number after the label
    ("total: 99.41 KB, 25450", 25450, Status.FAIL),
    ("w: [0.5, 0.25]", [0.5, 0.25], Status.PASS),  # a list: every number, no more and no fewer
    ("w: [0.5, 0.25, 1.0]", [0.5, 0.25], Status.FAIL),
    ("w: [0.5]", [0.5, 0.25], Status.FAIL),
])
def test_printed_value_takes_the_first_number_or_exactly_the_list(line, expected, status):
    label = line.split(":")[0]
    assert run_one(_check("printed_value", label=label, value=expected), Evidence(outputs=((3, line),))).status == status


# ------------------------------------------------------------------ second run (docs/mutation.md): checks and metrics

@pytest.mark.parametrize(("kind", "params", "missing"), [
    ("test_accuracy", {}, "min"), ("functions_defined", {}, "names"), ("printed_value", {"value": 1}, "label"),
    ("printed_value", {"label": "x"}, "value"), ("history", {}, "keys"), ("summary_params", {}, "total"),
    ("summary_layer", {}, "type"),
])
def test_a_spec_without_a_required_parameter_is_refused(kind, params, missing):
    """``required=True`` → ``False`` on a parameter: the spec would load and the check would crash on every file."""
    problem = KINDS[kind].validate(params)
    assert problem is not None and f"'{missing}'" in problem, problem


def _summary(total: int, cell: int, trained: bool | None, *types: str) -> Summary:
    return Summary(total_params=total, cell=cell, trained=trained,
                   layers=tuple(Layer(f"l{i}", t, "(None, 10)", 10) for i, t in enumerate(types)))


def test_summary_params_of_only_untrained_models_fails_and_says_so():
    result = run_one(_check("summary_params", total=100), Evidence(summaries=(_summary(100, 3, False, "Dense"),)))
    assert result.status == Status.FAIL and result.cell == 3
    assert "学習（fit）していないモデル" in result.message and "never trained" in result.message_en


def test_summary_params_with_one_summary_wanted_names_the_total_not_a_count():
    result = run_one(_check("summary_params", total=100), Evidence(summaries=(_summary(90, 3, True, "Dense"),)))
    assert result.status == Status.FAIL
    assert "総パラメータ数が 100 ではありません" in result.message and "つ必要" not in result.message


@pytest.mark.parametrize(("summaries", "status"), [
    ((_summary(100, 3, True, "Dense", "Dropout"),), Status.PASS),  # a trained model's summary counts
    ((_summary(100, 3, None, "Dropout"),), Status.PASS),  # the code does not say: it counts
    ((_summary(100, 3, False, "Dropout"), _summary(100, 5, True, "Dense")), Status.FAIL),  # only the untrained has it
    ((_summary(100, 3, False, "Dropout"),), Status.FAIL),
])
def test_summary_layer_reads_only_summaries_of_trained_models(summaries, status):
    result = run_one(_check("summary_layer", type="Dropout"), Evidence(summaries=summaries))
    assert result.status == status, result.message
    if all(s.trained is False for s in summaries):
        assert "学習（fit）していないモデル" in result.message


def test_a_missing_test_accuracy_explains_the_last_three_results_not_taken():
    ev = Evidence(evaluations=(
        Evaluation("print", "first 0.91", accuracy=0.91, cell=2, not_taken="untrained"),
        Evaluation("print", "typed 0.5", accuracy=0.5, cell=3, not_taken="typed"),
        Evaluation("print", "again 0.6", accuracy=0.6, cell=4, not_taken="retrained"),
        Evaluation("print", "early 0.7", accuracy=0.7, cell=6, not_taken="before_training"),
        Evaluation("print", "loss only", accuracy=None, cell=7, not_taken="typed"),  # no accuracy: not explained
        Evaluation("print", "older 0.8", accuracy=0.8, cell=8, not_taken="superseded"),  # no reason a student needs
    ))
    result = run_one(_check("test_accuracy", min=0.5), ev)
    assert result.status == Status.MISSING and result.points == 0 and result.cell == 6
    for text in ("typed 0.5", "again 0.6", "early 0.7"):
        assert text in result.message and text in result.message_en
    for text in ("first 0.91", "loss only", "older 0.8"):
        assert text not in result.message
    assert "数値がコードに直接書かれた" in result.message and "この表示の後で学習（fit）をしています" in result.message
    assert "training (fit) follows it" in result.message_en


def test_conflicting_gpu_evidence_quotes_three_signals_and_points_at_the_other_side():
    signals = (*(GpuSignal("device_list", f"GPU:{i}", "gpu", cell=i + 1) for i in range(4)),
               GpuSignal("tf_log", "CPU only", "cpu", cell=9))
    result = run_one(_check("gpu"), Evidence(gpu=Gpu("unknown", signals)))
    assert result.status == Status.MISSING and result.cell == 9
    assert all(f"GPU:{i}" in result.message for i in range(3)) and "GPU:3" not in result.message
    assert "CPU only" in result.message_en


def test_an_unrun_gpu_check_cell_is_named_by_its_cell():
    signals = (GpuSignal("metadata.accelerator", "GPU", "gpu", runtime=False), GpuSignal("gpu_check_unrun", "", None, cell=4))
    result = run_one(_check("gpu"), Evidence(gpu=Gpu("unknown", signals)))
    assert result.status == Status.MISSING and result.cell == 4
    assert "GPU 確認のセル（セル 4）" in result.message


def test_a_gpu_pass_quotes_the_signals_that_point_to_the_gpu():
    signals = (GpuSignal("python_version", "Python 3.10", None, cell=1),
               GpuSignal("device_list", "[PhysicalDevice GPU:0]", "gpu", cell=2))
    result = run_one(_check("gpu"), Evidence(gpu=Gpu("gpu", signals)))
    assert result.status == Status.PASS and result.cell == 2
    assert "PhysicalDevice GPU:0" in result.message and "Python 3.10" not in result.message


def test_series_of_an_absent_metric_is_an_empty_list():
    """The feedback pages iterate over it (``facts.py``): ``None`` would crash them on a fit without validation."""
    assert metrics.series(Fit(epochs=({"loss": 0.5},), cell=3), "val_loss") == []
    assert metrics.series(History(keys=("loss",), values=None, cell=3), "loss") == []
    assert metrics.series(History(keys=("loss",), values={"loss": (0.5, 0.4)}, cell=3), "val_loss") == []
    assert metrics.series(Fit(epochs=({"loss": 0.5, "acc": 0.9},), cell=3), "accuracy") == [0.9]


def test_summary_params_wanting_two_says_how_many_were_found():
    result = run_one(_check("summary_params", total=100, count=2), Evidence(summaries=(_summary(100, 3, True, "Dense"),)))
    assert result.status == Status.FAIL and "2 つ必要ですが、1 つしかありません" in result.message


# ------------------------------------------------------------------ second run: reading summaries and the GPU

def test_an_output_cut_right_after_a_keras2_header_is_no_summary_and_no_crash():
    """``i + 1 < len(lines)`` → ``i - 1``: the rule under the header would be read past the end of the output."""
    cut = ('Total params: 100\nModel: "sequential_1"\n_________________\n'  # an earlier table's last line
           'Layer (type)                 Output Shape              Param #   ')
    assert parse_summaries(cut) == []


def test_gpu_metadata_with_a_gpu_check_cell_that_never_ran_is_unknown():
    signals = [GpuSignal("metadata.accelerator", "accelerator: GPU", "gpu", runtime=False),
               *blank_check_signals("print(tf.config.list_physical_devices('GPU'))", None)]
    assert [s.kind for s in signals] == ["metadata.accelerator", "gpu_check_unrun"]
    assert gpu_verdict(signals) == "unknown"
    assert gpu_verdict(signals[:1]) == "gpu"


# ------------------------------------------------------------------ second run: integrity rules

def _epochs(n: int) -> tuple[dict[str, float], ...]:
    return tuple({"loss": 1.0 / (i + 1)} for i in range(n))


def test_a_log_missing_a_single_epoch_is_flagged_with_that_epoch():
    """``b > a + 1`` → ``a + 2`` would let one deleted epoch (``Epoch 3/5`` then ``Epoch 5/5``) through."""
    fit = Fit(epochs=_epochs(4), epochs_total=5, cell=4, headers=(1, 2, 3, 5))
    (flag,) = training_rules.epoch_gaps(Evidence(fits=(fit,)))
    assert flag.kind == FlagKind.TAMPERED_OUTPUT and flag.cells == (4,)
    assert "エポック 4〜4 がありません" in flag.message and "epochs 4–4 are missing" in flag.message_en
    assert training_rules.epoch_gaps(Evidence(fits=(replace(fit, headers=(1, 2, 3, 4)),))) == []


def test_a_summary_with_non_trainable_parameters_adds_up():
    """``t + n`` → ``t - n`` would flag every honest BatchNormalization model (non-trainable parameters)."""
    layers = (Layer("dense", "Dense", "(None, 64)", 50240), Layer("batch_normalization", "BatchNormalization", "(None, 64)", 256))
    honest = Summary(total_params=50496, trainable_params=50368, non_trainable_params=128, layers=layers, cell=3)
    assert summary_rules.summary_totals(Evidence(summaries=(honest,))) == []
    only_total = replace(honest, trainable_params=None, non_trainable_params=None)
    assert summary_rules.summary_totals(Evidence(summaries=(only_total,))) == []
    cut = replace(honest, non_trainable_params=None)  # an output cut after its Trainable line
    assert summary_rules.summary_totals(Evidence(summaries=(cut,))) == []
    (flag,) = summary_rules.summary_totals(Evidence(summaries=(replace(honest, non_trainable_params=0),)))
    assert flag.kind == FlagKind.TAMPERED_OUTPUT and flag.cells == (3,)


def test_a_pasted_block_of_epochs_is_named_by_its_first_and_last_epochs():
    losses = (0.9, 0.7, 0.5, 0.3, 0.7, 0.5, 0.2, 0.1)  # epochs 2–3 printed again as epochs 5–6
    fit = Fit(epochs=tuple({"loss": v, "accuracy": 1 - v} for v in losses), epochs_total=8, cell=4)
    (flag,) = figure_rules.repeated_epochs(Evidence(fits=(fit,)))
    assert flag.kind == FlagKind.TAMPERED_OUTPUT and flag.cells == (4,)
    assert "エポック 2〜3 とエポック 5〜6 の値" in flag.message and "epochs 2–3 and epochs 5–6" in flag.message_en


def test_keras_half_unit_of_zero_and_of_small_values():
    """``value == 0`` → ``!=``: 0 would crash (log10) and 5e-4, printed ``5.0000e-04``, would get the "%.4f" unit."""
    assert tolerances.keras_half_unit(0.0) == tolerances.KERAS_HALF_UNIT
    assert tolerances.keras_half_unit(0.5) == tolerances.KERAS_HALF_UNIT
    assert tolerances.keras_half_unit(5e-4) == pytest.approx(tolerances.KERAS_HALF_UNIT * 1e-4)
    assert tolerances.keras_half_unit(1e-3) == pytest.approx(tolerances.KERAS_HALF_UNIT * 1e-3)  # Keras: %.4e at 1e-3


@pytest.mark.parametrize(("value", "n", "expected"), [(1.0, 10000, (10000, 10000)), (0.0, 10, (0, 10)),
                                                     (0.9812, 10000, (9812, 10000)), (1.0001, 10000, None)])
def test_a_perfect_or_a_zero_accuracy_is_a_ratio(value, n, expected):
    """``0.0 <= value <= 1.0`` → ``<``: an honest 100 % (or 0 %) accuracy would not be k/N."""
    assert tolerances.ratio_check(value, n, n) == expected


def test_a_gpu_conflict_flag_names_both_sides_in_each_language():
    printed = (GpuSignal("device_list", "[PhysicalDevice GPU:0]", "gpu", cell=2), GpuSignal("tf_log", "CPU only", "cpu", cell=5))
    (flag,) = gpu_rules.gpu_conflict_flags(Evidence(gpu=Gpu("unknown", printed)))
    assert flag.kind == FlagKind.GPU_CONFLICT and flag.cells == (2, 5)
    assert "「[PhysicalDevice GPU:0]」（セル 2）" in flag.message and "「CPU only」（セル 5）" in flag.message
    assert "'[PhysicalDevice GPU:0]' (cell 2)" in flag.message_en and "'CPU only' (cell 5)" in flag.message_en
    assert "CPU で実行したことを示す出力" in flag.message and "ran on a CPU" in flag.message_en
    cleared = (GpuSignal("metadata.accelerator", "accelerator: GPU", "gpu", runtime=False),
               GpuSignal("gpu_check_blank", "print(tf.config.list_physical_devices('GPU'))", None, cell=4))
    (flag,) = gpu_rules.gpu_conflict_flags(Evidence(gpu=Gpu("unknown", cleared)))
    assert flag.cells == (4,) and "「accelerator: GPU」（メタデータ）" in flag.message
    assert "'accelerator: GPU' (metadata)" in flag.message_en and "its output was cleared" in flag.message_en
    assert "出力が消されています" in flag.message


@pytest.mark.parametrize(("model", "layer", "keras", "unit", "first"), [
    ("sequential_1", "dense_3", "2", "sample", 1),  # Keras ≤ 2.1, per-sample counters: names count from 1
    ("sequential_1", "dense_3", "2", "step", 0),  # tf.keras ≥ 2.2: per-step counters, names count from 0
    ("sequential_1", "dense_3", "keras3", "sample", 0),
    ("sequential", "dense_3", "2", "sample", 0),  # a bare default model name: this Keras counts from 0
    ("sequential_1", "dense", "2", "sample", 0),  # a bare default layer name: the same
])
def test_where_keras_starts_its_name_counters(model, layer, keras, unit, first):
    """``_first_index`` decides how many models the session built before the one a summary names: one off, an
    honest Keras 1/2.1 notebook showing ``sequential_1`` would be flagged ``out_of_order`` (or a rerun missed)."""
    shown = Summary(total_params=10, model=model, layers=(Layer(layer, "Dense", "(None, 10)", 10),), cell=3)
    ev = Evidence(keras=keras, summaries=(shown,), fits=(Fit(epochs=_epochs(2), step_unit=unit, cell=4),))
    assert execution._first_index(ev) == first


# ------------------------------------------------------------------ second run: reading test results

@pytest.mark.parametrize(("line", "accuracy"), [
    ("Test accuracy 0.9812", 0.9812),  # no separator and no words between: read (``and`` → ``or`` would skip it)
    ("Test accuracy: 0.9812", 0.9812), ("Test accuracy by model0: 0.77", 0.77), ("Test accuracy by model0 0.77", None),
])
def test_a_test_accuracy_label_needs_a_separator_only_when_words_follow_it(line, accuracy):
    found = parse_evaluations(line, "print(line)")
    assert [e.accuracy for e in found] == ([] if accuracy is None else [accuracy])


PROGRESS = "313/313 [==============================] - 1s 2ms/step - loss: 0.0712 - accuracy: 0.9781"


@pytest.mark.parametrize(("source", "read"), [("model.evaluate(verbose=2)", True), ("model.evaluate(x_test, y_test)", True),
                                              ("model.evaluate(x=x_test, y=y_test)", True),
                                              ("model.evaluate(x_train, y_train)", False), ("model.evaluate(x=x_val)", False)])
def test_an_evaluate_call_without_data_arguments_is_not_training_data(source, read):
    """``_not_test_data``: no positional or ``x=`` argument is not "training data" (``return False`` → ``True``
    would drop the test accuracy of ``model.evaluate(verbose=2)`` on a dataset bound elsewhere)."""
    assert [e.accuracy for e in parse_evaluations(PROGRESS, source)] == ([0.9781] if read else [])


def _zigzag(k: int, n: int) -> tuple[float, ...]:
    """A traced profile of ``n`` columns through ``k`` equally spaced vertices alternating 0 and 50 px."""
    out = []
    for j in range(n):
        x = j * (k - 1) / (n - 1)
        i = min(int(x), k - 2)
        a, b = (0.0, 50.0) if i % 2 == 0 else (50.0, 0.0)
        out.append(a + (b - a) * (x - i))
    return tuple(out)


def test_the_vertices_of_a_narrow_line_are_searched_up_to_a_third_of_its_columns():
    """``min(most, len(p) // 3) + 1``: 5 vertices in 17 columns is the largest count the search tries."""
    assert figure_rules.vertices(LineTrace("C0", 0, 16, _zigzag(5, 17))) == 5
    assert figure_rules.vertices(LineTrace("C0", 0, 12, _zigzag(4, 13))) == 4


def test_a_figure_flag_states_the_line_s_width_and_vertices():
    flag = figure_rules._figure_flag(7, LineTrace("C0", 10, 26, _zigzag(5, 17)), [(4, 30, [[1.0, 0.5]])], 0.4)
    assert "17 pixels wide" in flag.message_en and "横 17 ピクセル" in flag.message
    assert "about 5 vertices (about 5 epochs)" in flag.message_en and "cell 4: 30 epochs" in flag.message_en
    assert flag.cells == (4, 7)


def test_a_printed_history_of_two_epochs_is_a_run_a_figure_is_compared_with():
    two = History(keys=("loss",), values={"loss": (0.5, 0.4)}, cell=3)
    one = History(keys=("loss",), values={"loss": (0.5,)}, cell=4)
    assert figure_rules._runs(Evidence(histories=(two, one)), 5) == [(3, 2, [[0.5, 0.4]])]


def test_a_figure_is_compared_with_a_run_of_two_epochs():
    """``len(s) >= 2`` → ``> 2``: a learning curve beside a two-epoch history would never be compared (no flag)."""
    lines = (LineTrace("C0", 60, 460, _zigzag(5, 401)), LineTrace("C1", 61, 459, _zigzag(5, 399)))
    figure = Figure(learning_curve=True, cell=6, lines=lines)
    two = History(keys=("loss", "val_loss"), values={"loss": (0.5, 0.4), "val_loss": (0.6, 0.55)}, cell=3)
    (flag,) = figure_rules.figure_vs_log(Evidence(figures=(figure,), histories=(two,)))
    assert flag.kind == FlagKind.TAMPERED_OUTPUT and flag.cells == (3, 6) and "cell 3: 2 epochs" in flag.message_en


def test_a_test_accuracy_printed_in_the_fit_s_own_cell_is_compared_with_its_validation_accuracy():
    """``b < a`` → ``b <= a``: a cell that trains and then evaluates would escape the validation-gap rule."""
    fit = Fit(epochs=({"loss": 0.3, "val_accuracy": 0.97}, {"loss": 0.2, "val_accuracy": 0.98}), cell=4)
    test = Evaluation("print", "Test accuracy: 0.80", accuracy=0.80, cell=4)
    cells = (CellRecord(cell=4, execution_count=5, outputs=1),)
    ev = Evidence(fits=(fit,), evaluations=(test,), test_accuracy=test, fingerprints=Fingerprints(cells=cells))
    (flag,) = plausibility.validation_gap(ev)
    assert flag.kind == FlagKind.IMPLAUSIBLE and 4 in flag.cells
    earlier = (CellRecord(cell=4, execution_count=5, outputs=1), CellRecord(cell=6, execution_count=3, outputs=1))
    moved = replace(test, cell=6)  # printed in a cell run before the training: another model state
    assert plausibility.validation_gap(replace(ev, test_accuracy=moved, fingerprints=Fingerprints(cells=earlier))) == []
    assert plausibility.validation_gap(replace(ev, test_accuracy=replace(test, accuracy=0.975))) == []


# ------------------------------------------------------------------ third run: read/results.py (the test-accuracy rule)

def _call(method: str, cell: int, model: int | None) -> Call:
    return Call(method=method, receiver="m", args={}, cell=cell, model=model)


def _result(cell: int, accuracy: float, source: str = "print") -> Evaluation:
    return Evaluation(source=source, text=f"Test accuracy: {accuracy}", accuracy=accuracy, cell=cell)


def test_a_result_is_tied_to_the_model_its_evaluate_call_names_not_to_other_calls_of_the_cell():
    """results.py:53 (``and`` → ``or``): every call of a cell would count as an evaluation, so the result of the
    untrained model 1, in a cell that also shows model 0's summary, would belong to no model and be taken."""
    from autograder.read.results import choose_test_accuracy
    code = CodeFacts(calls=(_call("fit", 1, 0), _call("summary", 2, 0), _call("evaluate", 2, 1)))
    marked, picked = choose_test_accuracy([_result(2, 0.97)], [Fit(epochs=({"loss": 0.1},), cell=1)], code)
    assert picked is None
    assert [(e.model, e.not_taken) for e in marked] == [(1, "untrained")]


def test_a_non_keras_fit_without_a_log_after_the_result_is_not_a_training():
    """results.py:62 (``is not`` → ``is``), :71 (``and`` → ``or``): with a fit log in the notebook, a later
    ``LabelBinarizer().fit(y)`` (no log, no model) would count as a training and the honest result be refused."""
    from autograder.read.results import choose_test_accuracy
    code = CodeFacts(calls=(_call("fit", 1, 0), _call("evaluate", 2, 0), _call("fit", 3, None)))
    marked, picked = choose_test_accuracy([_result(2, 0.97)], [Fit(epochs=({"loss": 0.1},), cell=1)], code)
    assert picked is not None and picked.accuracy == 0.97
    assert [e.not_taken for e in marked] == [None]


def test_a_labelled_print_in_the_cell_of_the_last_training_is_preferred_to_a_later_displayed_value():
    """results.py:103 (``>=`` → ``>``): results shown in the cell of the last training are "after" it; the labelled
    print there wins over a displayed value of a later cell."""
    from autograder.read.results import choose_test_accuracy
    code = CodeFacts(calls=(_call("fit", 1, 0), _call("evaluate", 1, 0), _call("evaluate", 2, 0)))
    results = [_result(1, 0.97), _result(2, 0.95, source="value")]
    marked, picked = choose_test_accuracy(results, [Fit(epochs=({"loss": 0.1},), cell=1)], code)
    assert picked is not None and (picked.cell, picked.accuracy) == (1, 0.97)
    assert [e.not_taken for e in marked] == [None, "superseded"]


def test_only_the_results_not_picked_are_superseded():
    """results.py:114 (``is`` → ``is not``): the picked result would be marked superseded and the others not."""
    from autograder.read.results import choose_test_accuracy
    code = CodeFacts(calls=(_call("fit", 1, 0), _call("evaluate", 2, 0)))
    marked, picked = choose_test_accuracy([_result(2, 0.95, source="progress"), _result(2, 0.96)],
                                          [Fit(epochs=({"loss": 0.1},), cell=1)], code)
    assert picked is marked[1] and picked.not_taken is None
    assert marked[0].not_taken == "superseded"


# ------------------------------------------------------------------ third run: read/extract.py

def test_a_log_is_paired_with_the_fit_call_that_prints_not_with_a_verbose_0_one():
    """extract.py:172 (``verbose != 0`` → ``!= 1``): a cell with ``fit(…, epochs=5, verbose=0)`` and
    ``fit(…, epochs=10, verbose=1)`` shows one log, the second call's; the spec's epochs are read from that call."""
    from autograder.read.extract import _fit_args
    log = Fit(epochs=({"loss": 0.1},) * 10, epochs_total=None, cell=1)
    calls = [{"epochs": 5, "verbose": 0}, {"epochs": 10, "batch_size": 32, "verbose": 1}]
    assert _fit_args(calls, [log]) == [{"epochs": 10, "batch_size": 32}]
    assert _fit_args([{"epochs": 5, "verbose": 0}, {"epochs": 10}], [log]) == [{"epochs": 10, "batch_size": None}]


# ------------------------------------------------------------------ third run: read/code/*

@pytest.mark.parametrize(("method", "epochs"), [("append(3)", None), ("index(5)", 5), ("pop()", None)])
def test_only_a_mutating_method_makes_a_list_unknown(method, epochs):
    """walk.py:199 (``in`` → ``not in``): ``e.append(3)`` changes the list, so ``epochs=e[0]`` is not read as 5;
    ``e.index(5)`` does not, so it is."""
    from autograder.read.code import analyze_cells
    facts = analyze_cells([(1, f"e = [5]\ne.{method}\nmodel.fit(x, y, epochs=e[0])")])
    assert [(c.method, c.args.get("epochs")) for c in facts.calls] == [("fit", epochs)]


def test_result_names_of_an_unparsed_cell_are_its_evaluate_results():
    """shown.py:45 (``return …`` → ``None``): ``result_names`` without a ``ParsedCell`` parses the source itself."""
    from autograder.read.code.shown import result_names
    names = result_names("score = model.evaluate(x, y)\nloss, acc = model.evaluate(x, y)")
    assert {name: index for name, (_, index) in names.items()} == {"score": None, "loss": 0, "acc": 1}
    assert result_names("score = 1", names).keys() == {"loss", "acc"}
    assert result_names("score = (", names) == names  # a cell that does not parse changes nothing


@pytest.mark.parametrize(("expr", "index"), [("score[0]", 0), ("score[1]", 1), ("score[2]", None), ("score[i]", None),
                                             ("score['loss']", 0), ("score['accuracy']", 1), ("score['acc']", 1),
                                             ("print(score['sparse_categorical_accuracy'])", 1), ("acc[0]", None)])
def test_which_item_of_an_evaluate_result_an_expression_shows(expr, index):
    """shown.py:101 (``and`` → ``or``: ``score[i]`` would raise, ``score[2]`` be an item), :104 (``==`` → ``!=``:
    ``results['accuracy']`` of ``return_dict=True`` would be read as the loss)."""
    import ast

    from autograder.read.code.shown import _shown, result_names
    names = result_names("score = model.evaluate(x, y)\nloss, acc = model.evaluate(x, y)")
    shown = _shown(ast.parse(expr, mode="eval").body, names)
    assert (shown[1] if shown is not None else None) == index
    assert (shown is None) == (index is None)


# ------------------------------------------------------------------ third run: read/outputs/callbacks.py

_RESTORING = "Restoring model weights from the end of the best epoch"


def _runs(text: str) -> list[tuple[int | None, int | None, int | None]]:
    from autograder.read.outputs.callbacks import parse_callback_fits
    return [(f.epochs_seen, f.stopped_epoch, f.best_epoch) for f in parse_callback_fits(text)]


def test_a_text_without_callback_lines_is_no_run():
    """callbacks.py:83 (``return []`` → ``None``)."""
    from autograder.read.outputs.callbacks import parse_callback_fits
    assert parse_callback_fits("") == [] and parse_callback_fits("loss: 0.1\n") == []


def test_a_callback_line_of_the_stopping_epoch_after_restoring_still_belongs_to_the_stop():
    """callbacks.py:69 (``epoch < last`` → ``<=``): ``callbacks=[ReduceLROnPlateau, EarlyStopping, ModelCheckpoint]``
    in tf.keras 2 print, in the stopping epoch 11, a line before and one after "Restoring …", then the stop: one run,
    not a run ended at "Restoring …" and a second one."""
    text = ("Epoch 10: val_loss did not improve from 0.08000\n"
            "Epoch 11: ReduceLROnPlateau reducing learning rate to 0.0001.\n"
            f"{_RESTORING}: 8.\n"
            "Epoch 11: val_loss did not improve from 0.08000\n"
            "Epoch 11: early stopping\n")
    assert _runs(text) == [(11, 11, 8)]


def test_keras3_restoring_after_a_stop_belongs_to_that_stop_even_when_a_later_fit_stops_too():
    """callbacks.py:95 (``events[k - 1]`` → ``events[k - 2]``): Keras 3 prints "Restoring …" right after
    "early stopping"; a second fit that stops at a later epoch (no restoring) is a run of its own."""
    text = ("Epoch 5: val_loss did not improve from 0.08000\n"
            "Epoch 5: early stopping\n"
            f"{_RESTORING}: 3.\n"
            "Epoch 7: early stopping\n")
    assert _runs(text) == [(5, 5, 3), (7, 7, None)]


def test_two_restoring_lines_after_a_stop_do_not_raise():
    """callbacks.py:95 (``and`` → ``or``): the line before a "Restoring …" may be another "Restoring …" (TF 2.2–2.5
    print no epoch), which has no ``early`` group: reading it would raise and stop the whole notebook."""
    assert _runs(f"Epoch 11: early stopping\n{_RESTORING}.\n{_RESTORING}: 4.\n") == [(11, 11, 4)]


def test_a_parameter_of_a_def_hides_the_global_of_the_same_name():
    """cells.py:101 (``is None`` → ``is not None``): the def's local names would be ``None``, so the global
    ``epochs = 10`` would be read for ``fit(epochs=epochs)`` inside ``def train(model, epochs)``."""
    from autograder.read.code import analyze_cells
    facts = analyze_cells([(1, "epochs = 10\ndef train(model, epochs):\n    model.fit(x, y, epochs=epochs)\n"),
                           (2, "m.fit(x, y, epochs=epochs)")])
    assert [(c.cell, c.args.get("epochs")) for c in facts.calls] == [(1, None), (2, 10)]


def test_the_calls_under_a_node_do_not_depend_on_the_node_kinds_seen_before(monkeypatch):
    """cells.py:172 (the inner ``and`` → ``or``): a list item of a kind not seen yet (the ``str`` of ``global x``,
    the ``None`` key of ``{**a}``) would be walked into and raise."""
    import ast

    from autograder.read.code import cells
    for source, names in [("global x\nf(g(1))", ["g", "f"]), ("{**a, 'k': h()}", ["h"])]:
        monkeypatch.setattr(cells, "_DESCEND", {})
        assert [c.func.id for c in cells.calls_in(ast.parse(source)) if isinstance(c.func, ast.Name)] == names


def test_the_batch_cache_keeps_a_cell_only_when_on_and_never_more_than_its_bound(monkeypatch):
    """cells.py:202 (``not`` removed, ``>`` → ``>=``), :208 (``>=`` → ``>``, ``and`` → ``or``): off, every call parses
    again; on, the same source gives the same parsed cell, and the cache holds the ``MAX_ENTRIES`` most recent cells."""
    from autograder.read.code import cells
    was = cells._enabled
    try:
        cells.set_cache(False)
        assert cells.parsed_cell("a = 1") is not cells.parsed_cell("a = 1")
        cells.set_cache(True)
        assert cells.parsed_cell("a = 1") is cells.parsed_cell("a = 1")
        monkeypatch.setattr(cells, "MAX_CELL_CHARS", 5)
        assert cells.parsed_cell("b = 22") is not cells.parsed_cell("b = 22")  # longer than the bound: not kept
        assert cells.parsed_cell("b = 2") is cells.parsed_cell("b = 2")  # exactly the bound: kept
        monkeypatch.setattr(cells, "MAX_ENTRIES", 3)
        for k in range(6):
            cells.parsed_cell(f"c = {k}")
        assert list(cells._CACHE) == ["c = 3", "c = 4", "c = 5"]  # the most recently used kept, not only the last
        cells.set_cache(True)
        monkeypatch.setattr(cells, "MAX_ENTRIES", 100)
        monkeypatch.setattr(cells, "MAX_CHARS", 10)  # :208 (``>`` → ``>=``): exactly the bound of characters is kept
        for k in range(3):
            cells.parsed_cell(f"d = {k}")
            assert list(cells._CACHE) == [f"d = {j}" for j in range(max(0, k - 1), k + 1)]
    finally:
        cells.set_cache(was)


# ------------------------------------------------------------------ third run: read/notebook.py

def test_an_nbformat3_heading_without_a_level_is_a_first_level_title():
    """notebook.py:532 (``level`` default 1 → 2), :559 (``in`` → ``not in``: every v3 output left to nbformat)."""
    from autograder.read.notebook import _upgrade_output, parse_notebook
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "heading", "source": "Title", "metadata": {}},
        {"cell_type": "heading", "level": 2, "source": "Sub", "metadata": {}}]}]}
    assert [c.source for c in parse_notebook(json.dumps(v3)).cells] == ["# Title", "## Sub"]
    assert _upgrade_output({"output_type": "pyout", "prompt_number": 1, "text": "2"}) == {
        "output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {"text/plain": "2"}}


def test_a_plain_notebook_takes_the_fast_json_path_and_is_immutable():
    """notebook.py:350 (``return True`` → ``None``: every notebook would leave the fast path), :93 (``frozen``)."""
    import dataclasses

    from autograder.read.notebook import _plain_equivalent, parse_notebook
    assert _plain_equivalent({"cells": [{"x": 1.5, "y": [1, {"z": 2.0}]}]}) is True
    assert _plain_equivalent({"cells": [{"x": 1e300}]}) is False
    nb = parse_notebook(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        nb.path = "other.ipynb"  # type: ignore[misc]


# ------------------------------------------------------------------ third run: read/code/* (evaluator, values, printed, parse)

def _first_params(source: str) -> list[int | None]:
    from autograder.read.code import analyze_cells
    (model,) = analyze_cells([(0, "import numpy as np\n(x, y), (xt, yt) = tf.keras.datasets.mnist.load_data()\n"
                                 + source)]).models
    return [layer.params for layer in model.layers]


@pytest.mark.parametrize(("axis", "params"), [(-1, 20), (-2, 290), (0, 290), (1, 290), (3, 20)])
def test_expand_dims_with_a_negative_axis_counts_from_the_end(axis, params):
    """evaluator.py:305 (``len + 1 + axis`` → ``len + 1 - axis``): ``np.expand_dims(x, -2)`` of (60000, 28, 28) is
    (60000, 28, 1, 28), so a ``Dense(10)`` on it has 28·10 + 10 parameters, not 1·10 + 10; :305 (``axis >= 0`` →
    ``> 0`` or ``>= 1``): axis 0 puts the new axis first."""
    assert _first_params(f"x = np.expand_dims(x, {axis})\nmodel = Sequential([Dense(10, input_shape=x.shape[1:])])") \
        == [params]


@pytest.mark.parametrize(("dims", "params"), [("-1, 784", 7850), ("(-1, 784)", 7850), ("len(x), -1", 7850), ("-1, 784, 1", 7850),
                                              ("-1, -1", None), ("60000, 0", None), ("-2, -392", None), ("n, -1", None)])
def test_a_reshape_is_read_only_with_positive_sizes_and_at_most_one_minus_one(dims, params):
    """evaluator.py:355 (``and`` ↔ ``or``; ``d > 0`` → ``d > 1``: a size 1 refused): ``reshape(-1, -1)``, a size 0 or
    below -1, or an unknown size give no shape (the parameters are not guessed)."""
    assert _first_params(f"x = x.reshape({dims})\nmodel = Sequential([Dense(10, input_dim=x.shape[1])])") == [params]


@pytest.mark.parametrize(("expr", "epochs"), [("int(20 / 2)", 10), ("int('7')", 7), ("float(3)", 3.0), ("int(True)", None),
                                              ("int(n)", None), ("round(9.6)", 10), ("max(3, 5)", 5)])
def test_int_and_float_of_a_number_or_a_string_are_read(expr, epochs):
    """evaluator.py:292 (``and`` ↔ ``or``): ``int(20 / 2)`` is 10; ``int(True)`` or ``int`` of an unknown name is
    not read."""
    from autograder.read.code import analyze_cells
    (call,) = analyze_cells([(0, f"model.fit(x, y, epochs={expr})")]).calls
    assert call.args.get("epochs") == epochs


@pytest.mark.parametrize(("expr", "value"), [("{0: 1.0, 1: 2.0}", {0: 1.0, 1: 2.0}), ("{0: w}", None), ("{w: 1}", None),
                                             ("len([10**31, 5])", None), ("len([10**29, 5])", 2)])
def test_a_dict_is_read_only_when_every_key_and_value_is_known_and_huge_ints_are_unknown(expr, value):
    """values.py:98 (``return`` → ``None``, ``in`` → ``not in``): ``class_weight={0: 1.0, 1: 2.0}`` is read, a dict
    with an unknown key or value is not; :114 (``return UNKNOWN`` → ``None``): an int beyond 10**30 is unknown, not
    ``None`` (a list holding one has no known length)."""
    from autograder.read.code import analyze_cells
    from autograder.read.code.values import UNKNOWN
    (call,) = analyze_cells([(0, f"model.fit(x, y, class_weight={expr})")]).calls
    assert call.args.get("class_weight") == value
    assert repr(UNKNOWN) == "UNKNOWN"  # values.py:17, what a debugging session shows


@pytest.mark.parametrize(("source", "text"), [
    ('print("Test accuracy: 0.97")', "Test accuracy: 0.97"), ('print(f"Test accuracy: {0.97:.2f}")', "Test accuracy: 0.97"),
    ('print("%.2f" % 0.5)', "0.50"), ('print(("a", 1))', "('a', 1)"), ('print("{}".format(3))', "3"),
    ('print("a", "b", sep="-")', "a-b"), ('print("a", end="")', "a"),
    ('print(f"acc: {acc}")', None), ("print(f\"{'a':d}\")", None), ('print("%d" % "x")', None),
    ('print("{:d}".format("x"))', None), ("print()", None), ("print(acc)", None), ('print("a", file=f)', None)])
def test_the_text_a_constant_print_writes(source, text):
    """printed.py (every survivor of run 3 before ``test_redteam_computed.py`` joined the subset): the text of a
    ``print`` whose arguments are all written in the code (f-strings, ``%``, ``.format``, tuples, ``sep=``) is a
    typed print; an unknown name, a format that raises, ``print()`` or ``file=`` is none (``None`` would print
    as the text "None", ``UNKNOWN`` as "UNKNOWN")."""
    from autograder.read.code import analyze_cells
    assert analyze_cells([(0, source)]).typed_prints == (((0, text),) if text is not None else ())


@pytest.mark.parametrize(("source", "statement", "text"), [
    ('s = """\nIs it?\n"""\nmodel?\nprint(s)', 0, "\nIs it?\n"), ('model?\ns = """\nIs it?\n"""\nprint(s)', 1, "\nIs it?\n"),
    ('!pip install x\ns = """\n%d epochs\n"""\nprint(s % 3)', 1, "\n%d epochs\n"),
    ("!pip install x\ns = '''\n!not a shell line\n'''\nprint(s)", 1, "\n!not a shell line\n")])
def test_a_magic_looking_line_inside_a_triple_quoted_string_is_kept(source, statement, text):
    """parse.py:56 (``not`` removed, or ``0 <= row`` → ``0 < row`` for ``model?`` on the first line: the
    parser-guided repair would stop at once and every magic-looking line, the string's ``Is it?`` too, become
    ``pass``), :117 (``char * 3`` → ``* 4``: a triple quote not seen, the
    string's ``%d epochs`` taken for a magic at a statement start). A typed print compares these texts."""
    from autograder.read.code.parse import parse_cell
    tree = parse_cell(source)
    assert tree is not None and tree.body[statement].value.value == text  # type: ignore[attr-defined]


# ------------------------------------------------------------------ third run: judge/integrity/common.py

def test_the_execution_count_of_a_cell_without_a_record_or_never_run_is_none():
    """integrity/common.py:28 (``and`` → ``or``): a cell without a record would raise, one whose count is 0 give 0
    (a rule comparing counts would then order an unrun cell first)."""
    from autograder.judge.integrity.common import count
    ev = Evidence(fingerprints=Fingerprints(cells=(CellRecord(cell=1, execution_count=3, outputs=1),
                                                   CellRecord(cell=2, execution_count=0, outputs=0),
                                                   CellRecord(cell=3, execution_count=None, outputs=0))))
    assert [count(ev, c) for c in (1, 2, 3, 4, None)] == [3, None, None, None, None]


# ------------------------------------------------------------------ third run: read/figures.py

def _png(w: int, h: int, pixel) -> str:
    """A base64 RGB PNG, written with the standard library (``pixel(x, y)`` → (r, g, b))."""
    import base64
    import struct
    import zlib
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(w)) for y in range(h))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")).decode()


_BLUE, _WHITE = (0x1F, 0x77, 0xB4), (255, 255, 255)  # the first colour of matplotlib's cycle


def test_a_line_is_traced_from_its_first_to_its_last_column():
    """figures.py:140 (``part[-1]`` → ``part[-2]``: the last column lost): a stair of 100 columns, one step down
    every 10, is traced column for column, from its first to its last."""
    pytest.importorskip("numpy")
    pytest.importorskip("PIL")
    from autograder.read.figures import read_png
    pixels = read_png(_png(160, 80, lambda x, y: _BLUE if 10 <= x <= 109 and y == 20 + (x - 10) // 10 else _WHITE))
    assert pixels is not None
    (line,) = pixels.lines
    assert (line.colour, line.x0, line.x1) == ("#1f77b4", 10, 109)
    assert line.profile == tuple(float(20 + k // 10) for k in range(100))


def test_a_line_exactly_min_width_columns_wide_is_traced():
    """figures.py:125 (``count < MIN_WIDTH`` → ``<=``): a line of exactly ``MIN_WIDTH`` pixels, one per column."""
    pytest.importorskip("numpy")
    pytest.importorskip("PIL")
    from autograder.read.figures import MIN_WIDTH, read_png
    pixels = read_png(_png(160, 80, lambda x, y: _BLUE if 10 <= x < 10 + MIN_WIDTH and y == 30 else _WHITE))
    assert pixels is not None
    assert [(t.x0, t.x1, set(t.profile)) for t in pixels.lines] == [(10, 9 + MIN_WIDTH, {30.0})]


# ------------------------------------------------------------------ third run: read/code/* (parse, layers, __init__)

@pytest.mark.parametrize(("source", "code"), [("!ls\ny = 10 \\\n    % 3\nprint(y)", "pass\ny = 10 % 3\nprint(y)"),
                                              ("!ls\ny = 'abc'[1\n    % 2]\nprint(y)", "pass\ny = 'abc'[1 % 2]\nprint(y)")])
def test_a_line_continuing_a_statement_is_no_magic_even_when_it_starts_with_percent(source, code):
    """parse.py:124 (``quote is None`` → ``is not None``: a backslash continuation not seen), :130 (``i + 1`` →
    ``i + 2``: the bracket right after a string not counted): the ``% 3`` line would be taken for a magic at a
    statement start, made ``pass``, and the cell not parse at all."""
    import ast

    from autograder.read.code.parse import parse_cell
    tree = parse_cell(source)
    assert tree is not None and ast.unparse(tree) == code


@pytest.mark.parametrize(("layers", "params"), [
    ("Conv2D(8, (3, 5), input_shape=(28, 28, 1)), Conv2D(4, (1, 1))", [128, 36]),
    ("Conv2D(8, (3, 3), input_shape=(28, 28, 1)), BatchNormalization(axis=1), BatchNormalization()", [80, 104, 32]),
    ("Dense(32), BatchNormalization()", [None, 128])])
def test_kernel_pairs_and_the_batch_normalization_axis(layers, params):
    """layers.py:60 (``value[0]`` → ``value[1]``, ``v > 0`` → ``v > 1``): a (3, 5) kernel is not (5, 5), a (1, 1) one
    is a kernel; :188 (``axis == -1`` → ``!=``): ``axis=1`` normalises the 26 rows, the default the 8 channels (also
    of a shape known only by its last axis)."""
    from autograder.read.code import analyze_cells
    (model,) = analyze_cells([(0, f"model = Sequential([{layers}])")]).models
    assert [layer.params for layer in model.layers] == params


def test_only_a_second_cell_of_the_same_source_is_parsed_again(monkeypatch):
    """code/__init__.py:41 (``in`` → ``not in``): every cell would be parsed again (the batch cache's trees not used);
    only a repeated source needs nodes of its own."""
    from autograder.read.code import analyze_parsed, cells
    calls: list[str] = []
    fresh = cells.ParsedCell.fresh

    def counted(self):
        calls.append(self.source)
        return fresh(self)
    monkeypatch.setattr(cells.ParsedCell, "fresh", counted)
    a, b = cells.ParsedCell("model.fit(x, y, epochs=3)"), cells.ParsedCell("x = 1")
    facts = analyze_parsed([(0, a), (1, b), (2, a)])
    assert calls == ["model.fit(x, y, epochs=3)"]
    assert [(c.cell, c.args.get("epochs")) for c in facts.calls] == [(0, 3), (2, 3)]


# ------------------------------------------------------------------ third run, second sample (--seed 20)

@pytest.mark.parametrize(("calls", "trained"), [
    ((("fit", 1, 0), ("summary", 2, 0)), [True, None]),        # cell 3: no summary() call the code shows
    ((("fit", 1, 0), ("summary", 2, 1)), [False, None]),       # model 1 is never trained
    ((("fit", 1, 0), ("summary", 2, None)), [None, None]),     # a summary of a model the code cannot name
    ((("summary", 2, 0),), [None, None])])                     # no fit at all: the fit checks judge that
def test_a_summary_is_marked_untrained_only_when_the_code_says_so(calls, trained):
    """results.py:124 (``or`` → ``and``): a summary the code ties to no model, to an unknown one, or in a notebook
    without any fit would be marked untrained (``False``) and the summary checks would skip an honest table."""
    from autograder.read.results import bind_summaries
    code = CodeFacts(calls=tuple(_call(method, cell, model) for method, cell, model in calls))
    summaries = [Summary(total_params=100, cell=2), Summary(total_params=100, cell=3)]
    assert [s.trained for s in bind_summaries(summaries, code)] == trained


@pytest.mark.parametrize(("args", "seen"), [({"epochs": 10}, 10), ({"epochs": 10, "initial_epoch": 5}, 3), ({}, 3)])
def test_a_keras3_fit_restoring_its_best_weights_ran_all_its_epochs_only_when_the_code_says_how_many(args, seen):
    """extract.py:149 (``and`` → ``or``): with ``initial_epoch`` or without ``epochs=``, the epochs a Keras 3 run
    saw are those its callback lines name, not ``epochs=`` (``None`` without it)."""
    from autograder.read.extract import _callback_fits
    text = ("Epoch 3: val_loss improved from 0.50000 to 0.40000, saving model to best.keras\n"
            f"{_RESTORING}: 3.\n")
    (fit,) = _callback_fits(text, 4, [{"verbose": 0, "callbacks": "cb", **args}], CodeFacts())
    assert (fit.epochs_seen, fit.best_epoch, fit.stopped_epoch) == (seen, 3, None)


@pytest.mark.parametrize(("metadata", "tag"), [({"authorship_tag": "ABX9TyM"}, "ABX9TyM"), ({"authorship_tag": "  "}, None),
                                               ({"authorship_tag": 5}, None), ({"colab": {"authorship_tag": "ABX"}}, "ABX"),
                                               ({"colab": {"authorship_tag": ["x"]}}, None)])
def test_an_authorship_tag_is_a_non_blank_string_or_none(metadata, tag):
    """extract.py:239 (``and`` → ``or``): a blank tag would be kept (every notebook with one would share it, the
    collusion index's key), a tag that is no string raise."""
    from autograder.read.extract import _fingerprints
    from autograder.read.notebook import parse_notebook
    nb = parse_notebook(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata, "cells": []}))
    assert _fingerprints(nb, [], set()).authorship_tag == tag


def test_a_callback_run_naming_an_epoch_beyond_epochs_is_not_that_fit_s():
    """extract.py:147 (the inner ``or`` → ``and``): ``fit(epochs=5)`` cannot have printed ``Epoch 8: …``."""
    from autograder.read.extract import _callback_fits
    text = "Epoch 8: val_loss improved from 0.50000 to 0.40000, saving model to best.keras\n"
    calls = [{"verbose": 0, "callbacks": "cb", "epochs": 5}]
    assert _callback_fits(text, 4, calls, CodeFacts()) == []
    assert [f.epochs_seen for f in _callback_fits(text, 4, [{**calls[0], "epochs": 8}], CodeFacts())] == [8]


def test_only_the_cells_whose_output_was_cut_are_marked_truncated():
    """extract.py:237 (``in`` → ``not in``): every other cell would be marked truncated (its output incomplete)."""
    from autograder.read.extract import _fingerprints
    from autograder.read.notebook import parse_notebook
    cell = {"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [], "source": "x = 1"}
    nb = parse_notebook(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [cell, cell, cell]}))
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [r.truncated for r in _fingerprints(nb, code, {1}).cells] == [False, True, False]


def test_a_restoring_line_before_the_epochs_go_back_ends_its_run():
    """callbacks.py:70 (``return False`` → ``True``): Keras 3's "Restoring …" at the end of a fit followed by a second
    fit (epochs back to 1) would wait for an early stop of the second fit and lose the first one's best epoch."""
    text = ("Epoch 10: val_loss did not improve from 0.10000\n"
            f"{_RESTORING}: 7.\n"
            "Epoch 1: val_loss improved from inf to 0.50000, saving model to m.keras\n")
    assert _runs(text) == [(10, None, 7), (1, None, None)]


@pytest.mark.timeout(20)
def test_restoring_lines_alone_make_at_most_max_runs():
    """callbacks.py:102 (``>=`` → ``>``): the bound on runs read from one cell holds for runs that only restore."""
    from autograder.read.outputs.callbacks import MAX_RUNS, parse_callback_fits
    assert len(parse_callback_fits(f"{_RESTORING}: 2.\n" * (MAX_RUNS + 5))) == MAX_RUNS


# ------------------------------------------------------------------ fourth run: the fast paths of issue 19

def test_the_coarse_digest_from_integer_sums_is_the_float32_one_at_every_level(monkeypatch: pytest.MonkeyPatch):
    """figures.py:118 (``48`` → ``49`` in ``sums / (48 * sizes)``): the integer path must give the float32
    definition's level for every block. A 96 × 64 image of 3 × 2-pixel blocks (32 × 32 of them) in every grey from 0
    to 255; a block of a multiple of 16 has one channel of one pixel a step up (its mean 1/18 above the boundary), so
    that no block sits on a boundary and the integer path decides every block (checked: the float32 path is not
    called), with blocks just above and just below each boundary; a mean scaled by 48/49 falls a level lower."""
    np = pytest.importorskip("numpy")
    from autograder.read import figures
    rgb = np.zeros((64, 96, 3), dtype=np.uint8)
    for j in range(32):
        for i in range(32):
            grey = (j * 32 + i) % 256
            block = rgb[2 * j:2 * j + 2, 3 * i:3 * i + 3]
            block[...] = grey
            if grey % 16 == 0:
                block[0, 0, 0] = grey + 1
    expected = figures._coarse_float(np, rgb)
    calls = []
    monkeypatch.setattr(figures, "_coarse_float", lambda *a: calls.append(a) or expected)
    assert figures._coarse(np, rgb) == expected
    assert calls == []  # decided by the integer sums alone
    levels = rgb.astype(np.float64).mean(axis=2).reshape(32, 2, 32, 3).mean(axis=(1, 3)) // 16
    assert len(np.unique(levels)) == 16  # every level is there


def _walked_profile(rows: dict[int, int], width: int = 60) -> tuple[float, ...]:
    """The profile the column-by-column walk gives a one-pixel line at row 10 of ``width`` columns, with the rows of
    ``rows`` (column → row) moved; every column holds one run, so the walk starts at the middle column."""
    np = pytest.importorskip("numpy")
    from autograder.read.figures import _follow, _Runs
    xs = np.arange(width)
    ys = np.array([rows.get(x, 10) for x in range(width)])
    runs = _Runs(np, xs, ys, ys, width, False)  # not straight: the walk decides
    trace = _follow(np, runs, 0, "1f77b4")
    assert trace is not None
    return trace.profile


def test_the_walk_skips_a_run_four_rows_away_right_after_its_start_and_after_a_kept_run():
    """figures.py:374 and :390 (``skipped = 0`` → ``1``, at the start of each direction and after a kept run): the
    reach of the walk is 3 rows after a kept run; a run 4 rows away is skipped (hidden under another line, or
    another line), so its column is interpolated from its neighbours, not taken."""
    middle = 30
    assert _walked_profile({middle - 1: 14})[middle - 1] == 10.0  # backwards, the first step from the start
    assert _walked_profile({middle + 5: 14})[middle + 5] == 10.0  # forwards, after kept runs
    assert _walked_profile({middle + 5: 13})[middle + 5] == 13.0  # 3 rows: within reach, taken


def test_a_run_whose_loss_moves_exactly_the_minimum_is_not_stuck():
    """figure_rules.py:56 (``< _MIN_LEARNING`` → ``<=``): a run stuck below 0.05 of loss movement repeats epochs
    honestly (chance level); one that moves exactly 0.05 is learning, so its repeated rows are found."""
    from autograder.judge.integrity.figure_rules import _MIN_LEARNING, _repeat
    losses = [_MIN_LEARNING, 0.04, 0.03, 0.02, 0.01, 0.0, 0.03, 0.02]  # max − min == 0.05 exactly (0.05 − 0.0)
    assert max(losses) - min(losses) == _MIN_LEARNING
    epochs = tuple({"loss": v, "accuracy": 0.5 + v} for v in losses)
    assert _repeat(Fit(epochs=epochs, cell=3)) == (3, 7, 2)  # epochs 3–4 printed again as 7–8
    smaller = tuple({"loss": v * 0.9, "accuracy": 0.5 + v} for v in losses)
    assert _repeat(Fit(epochs=smaller, cell=3)) is None


def test_a_four_epoch_run_that_prints_its_first_two_epochs_again_is_found():
    """figure_rules.py:56 (``len(f.epochs) < 4`` → ``<= 4`` or ``< 5``): four epochs are the shortest run with a
    repeated block of two (epochs 1–2 printed again as 3–4); three are too few."""
    from autograder.judge.integrity.figure_rules import _repeat
    a, b = {"loss": 0.5, "accuracy": 0.8}, {"loss": 0.3, "accuracy": 0.9}
    assert _repeat(Fit(epochs=(a, b, a, b), cell=3)) == (1, 3, 2)
    assert _repeat(Fit(epochs=(a, b, a), cell=3)) is None


def test_best_epoch_fails_with_words_when_val_loss_has_no_finite_value():
    """checks/history.py:69 (the ``FAIL`` outcome → ``None``): a val_loss of only nan/inf is a failed training, said
    so, in the run's cell."""
    hist = History(keys=("loss", "val_loss"), values={"loss": (0.9, 0.5), "val_loss": (float("nan"), float("inf"))}, cell=4)
    result = run_one(_check("best_epoch"), Evidence(histories=(hist,), outputs=((5, "best epoch: 1"),)))
    assert result.status == Status.FAIL
    assert "有限の値がありません" in result.message and result.cell == 4
