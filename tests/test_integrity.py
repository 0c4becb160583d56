"""Integrity flags of one notebook: honest notebooks built in code stay clean; forged ones are caught with evidence.

Every forgery is made the way a student would: by editing the saved notebook JSON (``autograder.samples`` builds
the honest notebook with realistic Keras 2 / Keras 3 outputs, the test edits it).
"""
from __future__ import annotations

import ast
import copy
import re

import pytest

from autograder.errors import SpecError
from autograder.judge.grade import grade_evidence
from autograder.judge.integrity import (
    K3_BAR_ACCURACY_TOL,
    execution_flags,
    notebook_flags,
    ratio_check,
    tampered_flags,
)
from autograder.judge.policy import apply_policy
from autograder.judge.spec import load_spec, parse_spec
from autograder.read.extract import extract
from autograder.read.notebook import from_dict
from autograder.testing import samples as s


def flags_of(nb: dict, kind: str | None = None):
    found = notebook_flags(extract(from_dict(copy.deepcopy(nb))))
    return [f for f in found if kind is None or f.kind == kind]


def cell_with(nb: dict, needle: str) -> int:
    """Index of the only code cell whose source contains ``needle``."""
    found = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and needle in c["source"]]
    assert len(found) == 1, (needle, found)
    return found[0]


def stdout_of(nb: dict, i: int) -> str:
    return "".join(o["text"] for o in nb["cells"][i]["outputs"] if o["output_type"] == "stream")


def set_stdout(nb: dict, i: int, text: str) -> None:
    nb["cells"][i]["outputs"] = [s.stream(text)]


def edit_stdout(nb: dict, i: int, old: str, new: str) -> None:
    text = stdout_of(nb, i)
    assert old in text, (old, text[:300])
    set_stdout(nb, i, text.replace(old, new, 1))


# ------------------------------------------------------------------ honest notebooks are clean

@pytest.mark.parametrize("assignment", ["mlp", "history", "dropout", "perceptron"])
@pytest.mark.parametrize("keras3", [True, False])
@pytest.mark.parametrize("verbose", [1, 2])
def test_honest_submissions_have_no_flags(assignment, keras3, verbose):
    nb = s.submission(assignment, seed=7, keras3=keras3, verbose=verbose)
    assert flags_of(nb) == []


def test_honest_cross_checks_really_compare_something():
    """The clean result above is not vacuous: the history notebook has every pair the rules compare."""
    ev = extract(from_dict(s.submission("history", seed=7, keras3=False)))
    from autograder.judge.integrity import evaluation_pairs
    assert ev.summaries and ev.code.models and ev.fits and ev.histories[0].values
    assert len(evaluation_pairs(ev)) == 2  # Test loss and Test accuracy, each against the progress line


# ------------------------------------------------------------------ rule: printed test result vs progress line

def _retype_accuracy(nb: dict, new: str) -> int:
    i = cell_with(nb, ".evaluate(")
    text = stdout_of(nb, i)
    old = re.search(r"Test accuracy: (\S+)", text).group(1)
    edit_stdout(nb, i, f"Test accuracy: {old}", f"Test accuracy: {new}")
    return i


@pytest.mark.parametrize("keras3", [True, False])
def test_retyped_test_accuracy_is_flagged_with_both_values(keras3):
    nb = s.submission("mlp", seed=3, keras3=keras3, accuracy=0.93)
    i = _retype_accuracy(nb, "0.9812000393867493")
    [flag] = flags_of(nb, "tampered_output")
    assert flag.cells == (i,)
    assert "0.9812000393867493" in flag.message and "0.9300" in flag.message
    assert "教員が確認します" in flag.message and "review" in flag.message_en


def test_retyped_accuracy_that_is_no_k_over_n_says_so_with_the_arithmetic():
    nb = s.submission("mlp", seed=3, keras3=False, accuracy=0.93)
    _retype_accuracy(nb, "0.9812345678901234")
    [flag] = flags_of(nb, "tampered_output")
    assert "k/N" in flag.message and "N = 9,985〜10,016" in flag.message
    assert "N = 9,985–10,016" in flag.message_en


def test_retyped_accuracy_that_is_a_float32_ratio_shows_its_k_and_n():
    nb = s.submission("mlp", seed=3, keras3=False, accuracy=0.93)
    _retype_accuracy(nb, repr(s.f32(9812 / 10000)))
    [flag] = flags_of(nb, "tampered_output")
    assert "9,812/10,000" in flag.message  # supporting arithmetic only: the flag comes from the progress line


def test_keras2_bar_is_exact_a_one_digit_retype_is_caught():
    nb = s.submission("mlp", seed=3, keras3=False, accuracy=0.965)
    _retype_accuracy(nb, "0.9660")  # progress line says 0.9650
    assert len(flags_of(nb, "tampered_output")) == 1


def _keras3_bar_vs_returned(bar_acc: float, returned: float) -> dict:
    """A Keras 3 evaluate cell whose interactive bar shows ``bar_acc`` (double averaging) and returns ``returned``."""
    nb = s.submission("mlp", seed=3, keras3=True)
    i = cell_with(nb, ".evaluate(")
    loss = s.f32(0.12)
    set_stdout(nb, i, s.evaluate_line(loss, bar_acc) + f"Test loss: {loss!r}\nTest accuracy: {s.f32(returned)!r}\n")
    return nb


def test_keras3_interactive_bar_tolerance_covers_what_real_notebooks_show():
    # keras3_colab_gpu_mit_lab2_mnist, cell 31: bar 0.9565, returned 0.9642999768257141 (an honest run)
    assert flags_of(_keras3_bar_vs_returned(0.9565, 0.9643), "tampered_output") == []
    assert flags_of(_keras3_bar_vs_returned(0.9565, 0.9565 + K3_BAR_ACCURACY_TOL - 0.001), "tampered_output") == []
    assert len(flags_of(_keras3_bar_vs_returned(0.9565, 0.9565 + K3_BAR_ACCURACY_TOL + 0.005), "tampered_output")) == 1


def test_keras3_verbose2_line_is_exact():
    nb = s.submission("mlp", seed=3, keras3=True, verbose=2)
    _retype_accuracy(nb, "0.9660")  # the verbose=2 line says 0.9650
    assert len(flags_of(nb, "tampered_output")) == 1


def test_load_model_widens_the_keras2_tolerance():
    nb = s.submission("mlp", seed=3, keras3=False)
    i = _retype_accuracy(nb, "0.9700")  # 0.005 above the bar: within the loose tolerance only
    assert len(flags_of(nb, "tampered_output")) == 1
    nb["cells"][i]["source"] = "model = keras.models.load_model('best.keras')\n" + nb["cells"][i]["source"]
    assert flags_of(nb, "tampered_output") == []


def test_print_in_the_next_cell_is_compared_with_the_evaluate_line():
    nb = s.submission("mlp", seed=3, keras3=False)
    i = cell_with(nb, ".evaluate(")
    text = stdout_of(nb, i)
    bar, prints = text.split("\n", 1)
    cell = nb["cells"][i]
    cell["source"] = "score = model.evaluate(x_test, y_test)"
    cell["outputs"] = [s.stream(bar + "\n")]
    nb["cells"].insert(i + 1, s.code("print('Test loss:', score[0])\nprint('Test accuracy:', score[1])",
                                     [s.stream(prints)], count=cell["execution_count"] + 1))
    assert flags_of(nb) == []
    edit_stdout(nb, i + 1, "Test accuracy: 0.9", "Test accuracy: 0.8")
    [flag] = flags_of(nb, "tampered_output")
    assert flag.cells == (i, i + 1)


# ------------------------------------------------------------------ rule: summary rows vs totals, summary vs code

def _summary_cell(nb: dict) -> int:
    return cell_with(nb, ".summary()")


def test_keras2_summary_total_changed_is_flagged():
    nb = s.submission("mlp", seed=3, keras3=False)
    i = _summary_cell(nb)
    edit_stdout(nb, i, "Total params: 25,450", "Total params: 24,450")
    [flag] = flags_of(nb, "tampered_output")
    assert flag.cells == (i,) and "24,450" in flag.message and "25,450" in flag.message


def test_keras3_summary_totals_changed_together_still_disagree_with_the_rows():
    nb = s.submission("mlp", seed=3, keras3=True)
    i = _summary_cell(nb)
    for out in nb["cells"][i]["outputs"]:
        for key in ("text/plain", "text/html"):
            out["data"][key] = out["data"][key].replace("25,450", "20,450")
    [flag] = flags_of(nb, "tampered_output")
    assert "20,450" in flag.message and "25,450" in flag.message


def test_keras3_total_may_include_optimizer_params():
    """Keras 3 prints ``Optimizer params`` after training; ``Total`` then exceeds Trainable + Non-trainable."""
    nb = s.submission("mlp", seed=3, keras3=True)
    i = _summary_cell(nb)
    outs = nb["cells"][i]["outputs"]
    for out in outs:
        for key in ("text/plain", "text/html"):
            if "Total params" in out["data"][key]:
                out["data"][key] = out["data"][key].replace("25,450", "76,352")
    outs.append(s.display(plain=" Optimizer params: 50,902 (198.84 KB)\n"))
    assert flags_of(nb, "tampered_output") == []


def test_summary_from_another_model_than_the_code_is_flagged():
    """A consistent summary pasted from a 101,770-parameter model into a notebook whose code builds 25,450."""
    nb = s.submission("mlp", seed=3, keras3=False)
    i = _summary_cell(nb)
    set_stdout(nb, i, s.keras2_summary(s.dense_stack([128, 10])))
    [flag] = flags_of(nb, "tampered_output")
    assert flag.cells == (i,)
    assert "101,770" in flag.message and "25,450" in flag.message and "100,480" in flag.message


def test_summary_of_a_model_the_code_cannot_count_is_not_compared():
    """A pretrained model's summary, or a model with layers the AST analysis cannot count, is never compared
    with another model of the notebook."""
    nb = s.submission("mlp", seed=3, keras3=False)
    nb["cells"].append(s.code("base = keras.applications.VGG16()\nbase.summary()",
                              [s.stream(s.keras2_summary(s.dense_stack([4096, 1000], inputs=25088)))], count=30))
    nb["cells"].append(s.code("model = Sequential([keras.Input((28, 28)), LSTM(32), Dense(10)])\nmodel.summary()",
                              [s.stream(s.keras2_summary([("lstm", "LSTM", "(None, 32)", 7808),
                                                          ("dense", "Dense", "(None, 10)", 330)]))], count=31))
    assert flags_of(nb, "tampered_output") == []


def test_code_changed_after_the_summary_ran_is_flagged_and_explained():
    nb = s.submission("mlp", seed=3, keras3=True)
    i = _summary_cell(nb)
    nb["cells"][i]["source"] = nb["cells"][i]["source"].replace("Dense(32,", "Dense(64,")
    [flag] = flags_of(nb, "tampered_output")
    assert "実行後に変更" in flag.message and "50,890" in flag.message


def _base_then_head(first_summary: str) -> dict:
    """A conv-base style model: ``summary()`` of the first layers, ``add`` calls in the next cell, ``summary()``."""
    nb = s.submission("mlp", seed=3, keras3=False)
    code = ("model = Sequential()\nmodel.add(keras.Input((784,)))\nmodel.add(Dense(128, activation='relu'))\n"
            "model.summary()")
    nb["cells"].append(s.code(code, [s.stream(first_summary)], count=30))
    nb["cells"].append(s.code("model.add(Dense(10, activation='softmax'))\nmodel.summary()",
                              [s.stream(s.keras2_summary(s.dense_stack([128, 10])))], count=31))
    return nb


def test_summary_printed_before_more_layers_are_added_is_honest():
    """The TF tutorial's shape: the base's table, then ``add`` calls, then the whole model's table (a real
    notebook: tests/data/real/dlt_lab_cnn.ipynb)."""
    nb = _base_then_head(s.keras2_summary(s.dense_stack([128])))
    assert flags_of(nb, "tampered_output") == []


def test_summary_before_more_layers_still_must_match_the_layers_built_so_far():
    """A forged first table (not the 100,480 of the layers built so far, nor the final 101,770) is flagged."""
    nb = _base_then_head(s.keras2_summary(s.dense_stack([256])))
    [flag] = flags_of(nb, "tampered_output")
    assert flag.cells[0] == len(nb["cells"]) - 2 and "200,960" in flag.message


def test_summary_in_one_cell_before_its_add_calls_is_honest():
    nb = s.submission("mlp", seed=3, keras3=False)
    code = ("model = Sequential([keras.Input((784,)), Dense(128, activation='relu')])\nmodel.summary()\n"
            "model.add(Dense(10, activation='softmax'))\nmodel.summary()")
    nb["cells"].append(s.code(code, [s.stream(s.keras2_summary(s.dense_stack([128])) +
                                              s.keras2_summary(s.dense_stack([128, 10])))], count=30))
    assert flags_of(nb, "tampered_output") == []


@pytest.mark.parametrize("shown, flagged", [("accuracy: {0.9649999737739563}", False), ("accuracy: {0.9950000047683716}", True)])
def test_a_result_printed_after_words_is_cross_checked_like_any_print(shown, flagged):
    """``print('accuracy:', {score[1]})`` is read as the test accuracy, and a retyped value is caught by the
    evaluate line beside it."""
    nb = s.submission("mlp", seed=3, keras3=False)
    i = cell_with(nb, "score = model.evaluate")
    nb["cells"][i]["source"] = "score = model.evaluate(x_test, y_test)\nprint('accuracy:', {score[1]})"
    bar = "313/313 [==============================] - 1s 2ms/step - loss: 0.1524 - accuracy: 0.9650\n"
    set_stdout(nb, i, bar + shown + "\n")
    ev = extract(from_dict(copy.deepcopy(nb)))
    assert ev.test_accuracy is not None and ev.test_accuracy.source == "value"
    assert bool(flags_of(nb, "tampered_output")) == flagged


# ------------------------------------------------------------------ rule: fit log vs code, gaps, history

def _fit_cell(nb: dict, var: str = "result") -> int:
    return cell_with(nb, f"{var} = ")


def _drop_epochs(text: str, first: int, last: int) -> str:
    kept, skip = [], False
    for line in text.splitlines(keepends=True):
        m = re.match(r"Epoch (\d+)/", line)
        if m:
            skip = first <= int(m.group(1)) <= last
        if not skip:
            kept.append(line)
    return "".join(kept)


@pytest.mark.parametrize("keras3", [True, False])
def test_fit_log_with_deleted_epochs_is_flagged(keras3):
    nb = s.submission("mlp", seed=3, keras3=keras3)
    i = _fit_cell(nb)
    set_stdout(nb, i, _drop_epochs(stdout_of(nb, i), 10, 20))
    [flag] = flags_of(nb, "tampered_output")
    assert "Epoch 9/30" in flag.message and "Epoch 21/30" in flag.message and flag.cells == (i,)


def test_output_dropped_by_jupyter_is_not_a_deleted_epoch():
    nb = s.submission("history", seed=3, keras3=False)
    i = _fit_cell(nb)
    text = _drop_epochs(stdout_of(nb, i), 10, 20)
    set_stdout(nb, i, text.replace("Epoch 21/50", "IOPub message rate exceeded.\nThe notebook server will temporarily "
                                                  "stop sending output to the client in order to avoid crashing it.\n"
                                                  "Epoch 21/50"))
    assert flags_of(nb, "tampered_output") == []
    set_stdout(nb, i, text)
    assert len(flags_of(nb, "tampered_output")) == 2  # the gap, and 39 logged epochs against 50 in the history


def test_fit_log_renumbered_after_deleting_epochs_disagrees_with_epochs_in_the_code():
    nb = s.submission("mlp", seed=3, keras3=True)
    i = _fit_cell(nb)
    text = _drop_epochs(stdout_of(nb, i), 21, 30).replace("/30\n", "/20\n")
    set_stdout(nb, i, text)
    [flag] = flags_of(nb, "tampered_output")
    assert "Epoch …/20" in flag.message and "epochs=30" in flag.message


def test_history_epochs_deleted_from_the_log_disagrees_with_the_printed_history():
    nb = s.submission("history", seed=3, keras3=False)
    i = _fit_cell(nb)
    text = _drop_epochs(stdout_of(nb, i), 41, 50)
    set_stdout(nb, i, text)
    found = flags_of(nb, "tampered_output")
    assert any("50 エポック分" in f.message and "40 エポック" in f.message for f in found)


def _history_cell(nb: dict) -> tuple[int, dict]:
    i = cell_with(nb, "print(result.history)")
    return i, ast.literal_eval(stdout_of(nb, i))


@pytest.mark.parametrize("keras3", [True, False])
def test_history_dict_altered_is_flagged(keras3):
    nb = s.submission("history", seed=3, keras3=keras3)
    i, history = _history_cell(nb)
    history["val_loss"][12] = s.f32(history["val_loss"][12] - 0.0213)
    set_stdout(nb, i, repr(history) + "\n")
    [flag] = flags_of(nb, "tampered_output")
    assert "エポック 13 の val_loss" in flag.message and flag.cells == (_fit_cell(nb), i)


def test_history_accuracy_altered_shows_the_k_over_n_arithmetic():
    nb = s.submission("history", seed=3, keras3=False)
    i, history = _history_cell(nb)
    history["val_accuracy"][30] = 0.9123456789012345
    set_stdout(nb, i, repr(history) + "\n")
    [flag] = flags_of(nb, "tampered_output")
    assert "k/N" in flag.message and "検証データの正解率" in flag.message


def test_keras3_interactive_fit_log_train_metrics_are_not_compared():
    """Keras 3 ``━`` bars average running means: their loss/accuracy differ from history; val_* do not."""
    nb = s.submission("history", seed=3, keras3=True)
    i, history = _history_cell(nb)
    history["loss"] = [s.f32(x + 0.013) for x in history["loss"]]
    set_stdout(nb, i, repr(history) + "\n")
    assert flags_of(nb, "tampered_output") == []
    nb2 = s.submission("history", seed=3, keras3=False)  # tf.keras 2 bars are exact: the same edit is caught
    i, history = _history_cell(nb2)
    history["loss"] = [s.f32(x + 0.013) for x in history["loss"]]
    set_stdout(nb2, i, repr(history) + "\n")
    assert len(flags_of(nb2, "tampered_output")) == 1


def test_history_with_unequal_lists_is_flagged():
    nb = s.submission("history", seed=3, keras3=False)
    i, history = _history_cell(nb)
    del history["val_accuracy"][-5:]
    set_stdout(nb, i, repr(history) + "\n")
    [flag] = flags_of(nb, "tampered_output")
    assert "val_accuracy: 45" in flag.message


def test_validation_freq_makes_shorter_val_lists_honestly():
    nb = s.submission("history", seed=3, keras3=False)
    f = _fit_cell(nb)
    i, history = _history_cell(nb)
    for key in ("val_loss", "val_accuracy"):
        history[key] = history[key][1::2]
    set_stdout(nb, i, repr(history) + "\n")
    assert len(flags_of(nb, "tampered_output")) == 1
    nb["cells"][f]["source"] = nb["cells"][f]["source"].replace(")", ", validation_freq=2)")
    assert flags_of(nb, "tampered_output") == []


def test_pasted_friends_run_disagrees_with_the_students_own_history():
    mine = s.submission("history", seed=3, keras3=False)
    friend = s.submission("history", seed=4, keras3=False)
    i = _fit_cell(mine)
    set_stdout(mine, i, stdout_of(friend, _fit_cell(friend)))
    found = flags_of(mine, "tampered_output")
    assert found and all(f.cells == (i, i + 1) for f in found)


def test_history_printed_before_the_last_training_is_not_compared():
    """Re-running fit after printing the history is honest (and out of order), not tampering."""
    nb = s.submission("history", seed=3, keras3=False)
    i, _ = _history_cell(nb)
    other = s.make_history(50, 99)
    set_stdout(nb, i, repr(other) + "\n")
    assert len(flags_of(nb, "tampered_output")) == 1
    nb["cells"][_fit_cell(nb)]["execution_count"] = 40  # the fit cell ran again, later
    assert flags_of(nb, "tampered_output") == []
    assert [f.kind for f in flags_of(nb)] == ["out_of_order"]


def test_history_without_a_log_is_checked_against_epochs():
    nb = s.submission("history", seed=3, keras3=False)
    i = _fit_cell(nb)
    nb["cells"][i]["source"] = nb["cells"][i]["source"].replace(")", ", verbose=0)")
    nb["cells"][i]["outputs"] = []
    assert flags_of(nb) == []
    h, history = _history_cell(nb)
    short = {k: v[:35] for k, v in history.items()}
    set_stdout(nb, h, repr(short) + "\n")
    [flag] = flags_of(nb, "tampered_output")
    assert "35 エポック分" in flag.message and "epochs=50" in flag.message
    nb["cells"][i]["source"] = nb["cells"][i]["source"].replace("verbose=0", "verbose=0, callbacks=[early_stop]")
    assert flags_of(nb, "tampered_output") == []  # EarlyStopping may stop at 35


# ------------------------------------------------------------------ the execution record

def test_summary_rerun_after_fit_is_out_of_order():
    nb = s.submission("mlp", seed=3)
    i, f = _summary_cell(nb), _fit_cell(nb)
    nb["cells"][i]["execution_count"] = 12
    [flag] = flags_of(nb, "out_of_order")
    assert flag.cells == (i, f)
    assert f"セル {i}（model.summary）の実行番号 [12]" in flag.message and "ランタイムを再起動" in flag.message
    assert flags_of(nb, "tampered_output") == []


def test_outputs_without_execution_count_are_reported():
    nb = s.submission("mlp", seed=3)
    i = _fit_cell(nb)
    nb["cells"][i]["execution_count"] = None
    [flag] = flags_of(nb, "out_of_order")
    assert flag.cells == (i,) and "実行番号のない" in flag.message


def test_unexecuted_fit_cell_is_not_executed():
    nb = s.submission("mlp", seed=3)
    i = _fit_cell(nb)
    nb["cells"][i]["outputs"], nb["cells"][i]["execution_count"] = [], None
    [flag] = flags_of(nb, "not_executed")
    assert flag.cells == (i,) and "ランタイムを再起動" in flag.message


def test_nothing_executed_and_tracebacks_keep_their_messages():
    nb = s.submission("mlp", seed=1)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    [flag] = flags_of(nb)
    assert flag.kind == "not_executed" and flag.message.startswith("どのコードセルも実行されていません")
    crashed = s.submission("mlp", seed=2)
    crashed["cells"].append(s.code("model.predict(x)", [s.error("KeyboardInterrupt", "")], count=40))
    assert [f.kind for f in flags_of(crashed)] == ["error_output"]
    assert execution_flags(extract(from_dict(crashed)))[0].cells == (len(crashed["cells"]) - 1,)


# ------------------------------------------------------------------ k/N

def test_ratio_check_on_values_printed_by_real_notebooks():
    assert ratio_check(0.9753999710083008, 9985, 10016) == (9754, 10000)  # keras3_colab_beginner_mnist_out_of_order
    assert ratio_check(0.06639999896287918, 9985, 10048) == (664, 10000)  # tf215_colab_gpu_mit_lab2_mnist
    assert ratio_check(0.9786, 10000, 10000) == (9786, 10000)  # Keras 2.0 float64 average
    assert ratio_check(0.9753999710083009, 9985, 10016) is None  # one ulp off: no Keras value
    assert ratio_check(0.9812345678901234, 9985, 10016) is None
    assert ratio_check(1.2, 1, 10) is None


# ------------------------------------------------------------------ the scoring policy

def _tampered_mlp() -> tuple:
    nb = s.submission("mlp", seed=3, keras3=False)  # 0.965 ≥ 0.95: passes
    _retype_accuracy(nb, "0.9912")
    return extract(from_dict(nb)), cell_with(nb, ".evaluate(")


def test_policy_review_keeps_the_score_and_says_why():
    ev, cell = _tampered_mlp()
    result = grade_evidence("x.ipynb", ev, load_spec("mlp"))
    check = next(c for c in result.checks if c.id == "test_accuracy")
    assert check.status == "pass" and result.score == 100
    assert "要確認" in check.message and "食い違って" in check.message and str(cell) in check.message
    assert "tampered_output" not in check.message  # words for the student, never the flag's code alone


def test_policy_fail_fails_the_flagged_check_only_and_says_why():
    ev, _ = _tampered_mlp()
    from dataclasses import replace
    spec = replace(load_spec("mlp"), tampered="fail")
    result = grade_evidence("x.ipynb", ev, spec)
    check = next(c for c in result.checks if c.id == "test_accuracy")
    assert check.status == "fail" and check.points == 0 and "合格にしません" in check.message
    assert "not passed" in check.message_en
    assert result.score == 80 and all(c.status == "pass" for c in result.checks if c.id != "test_accuracy")


def test_apply_policy_without_flags_changes_nothing():
    ev = extract(from_dict(s.submission("mlp", seed=3)))
    checks = grade_evidence("x.ipynb", ev, load_spec("mlp")).checks
    assert apply_policy(checks, [], "fail") == tuple(checks)
    assert tampered_flags(ev) == []


def test_spec_tampered_key_is_validated():
    from pathlib import Path

    import tomllib
    raw = tomllib.loads(Path(load_spec("mlp").path).read_text(encoding="utf-8"))
    assert load_spec("mlp").tampered == "review"
    assert parse_spec({**raw, "tampered": "fail"}).tampered == "fail"
    with pytest.raises(SpecError, match="tampered"):
        parse_spec({**raw, "tampered": "strict"})
