"""Tests that kill the grade- or flag-changing mutants that survived the suite (issue #18, docs/mutation.md).

Each test names the mutant it kills: a change to the judging or reading code that would change a grade or a flag
and that no other test noticed. They assert the exact boundary (the spec value ± one step, the epoch that is read,
the word that makes a line not a test result), not just "something passes".
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.errors import RAISE_ENV
from autograder.judge import integrity
from autograder.judge.checks import run_one
from autograder.judge.checks.common import _numbers
from autograder.judge.spec import load_spec
from autograder.model.evidence import Call, CodeFacts, Evidence, Fit, History
from autograder.model.results import FlagKind, Status
from autograder.model.spec import CheckSpec
from autograder.pipeline import grade_notebook, grade_paths
from autograder.read.outputs.evaluate import parse_evaluations
from autograder.read.outputs.gpu import text_signals
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
