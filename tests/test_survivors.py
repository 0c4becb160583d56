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
