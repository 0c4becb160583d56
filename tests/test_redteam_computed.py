"""Red team, computed evidence (issue 13 items 2–3, issue 17 item 2): typed results, results tied to the call that
computed them, and the summary, the fit and the evaluation of one model.

Each forgery is built in code from a genuine run (``autograder.testing.samples``), one per strategy with its effort
level (cheap: one edit a student can make in a minute; medium: needs some understanding of the grader), and each
must be caught: no points gained, or a flag a person sees, with its reason in words. The honest runs stay as they
were (``tests/test_inspect_corpus.py`` holds the hand-read corpus; here: the samples).
"""
from __future__ import annotations

import copy

import pytest

from autograder.judge.grade import grade_evidence
from autograder.judge.integrity.evaluate_rules import typed_results
from autograder.judge.spec import load_spec
from autograder.model.evidence import Evidence
from autograder.model.results import FlagKind, Status, SubmissionResult
from autograder.read.extract import extract
from autograder.read.notebook import parse_notebook
from autograder.read.outputs.evaluate import parse_evaluations
from autograder.read.results import NOT_TAKEN
from autograder.testing import samples as s

pytestmark = pytest.mark.timeout(120)


def _ev(nb: dict) -> Evidence:
    return extract(parse_notebook(s.dumps(nb)))


def _grade(nb: dict, assignment: str = "mlp") -> SubmissionResult:
    return grade_evidence("x.ipynb", _ev(nb), load_spec(assignment))


def _check(result: SubmissionResult, category: str):
    return [c for c in result.checks if c.category == category]


def _code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _cell(nb: dict, needle: str) -> dict:
    return next(c for c in _code_cells(nb) if needle in c["source"])


def _low(seed: int = 3) -> dict:
    """A genuine run whose test accuracy (0.80) fails the mlp threshold: the forger's starting point."""
    return s.submission("mlp", seed=seed, accuracy=0.80)


def _append(nb: dict, source: str, text: str) -> dict:
    nb = copy.deepcopy(nb)
    count = max(c.get("execution_count") or 0 for c in _code_cells(nb)) + 1
    nb["cells"].append(s.code(source, [s.stream(text)], count=count))
    return nb


# ---------------------------------------------------------------- the honest starting points


@pytest.mark.parametrize("assignment", ["mlp", "history", "dropout"])
@pytest.mark.parametrize("keras3", [True, False])
def test_honest_samples_keep_their_accuracy_and_summary(assignment, keras3):
    nb = s.submission(assignment, seed=1, keras3=keras3)
    ev = _ev(nb)
    assert ev.test_accuracy is not None and ev.test_accuracy.not_taken is None
    assert not any(e.typed for e in ev.evaluations)
    assert all(summary.trained is not False for summary in ev.summaries)
    assert typed_results(ev) == []
    result = _grade(nb, assignment)
    assert all(c.status == Status.PASS for c in _check(result, "accuracy") + _check(result, "summary"))


def test_low_run_really_fails_before_any_forgery():
    (acc,) = _check(_grade(_low()), "accuracy")
    assert acc.status == Status.FAIL


# ---------------------------------------------------------------- item 2: typed results (cheap)

TYPED = [
    ('print("Test accuracy: 0.97")', "Test accuracy: 0.97\n"),
    ("print('Test accuracy:', 0.97)", "Test accuracy: 0.97\n"),
    ('print(f"Test accuracy: {0.97:.4f}")', "Test accuracy: 0.9700\n"),
    ('print("Test accuracy: %.2f" % 0.97)', "Test accuracy: 0.97\n"),
    ('print("Test accuracy: {}".format(0.97))', "Test accuracy: 0.97\n"),
    ("acc = 0.97\nprint('Test accuracy:', acc)", "Test accuracy: 0.97\n"),
    ("print('テスト正解率:', 0.97)", "テスト正解率: 0.97\n"),
]


@pytest.mark.parametrize(("source", "text"), TYPED)
def test_cheap_a_literal_print_really_run_in_colab_earns_nothing_and_is_flagged(source, text):
    nb = _append(_low(), source, text)
    ev = _ev(nb)
    typed = [e for e in ev.evaluations if e.typed]
    assert len(typed) == 1 and typed[0].not_taken == "typed"
    assert ev.test_accuracy is not None and ev.test_accuracy.accuracy < 0.9  # the real result is still the one
    result = _grade(nb)
    (acc,) = _check(result, "accuracy")
    assert acc.status == Status.FAIL
    flags = [f for f in result.flags if f.kind == FlagKind.TAMPERED_OUTPUT and typed[0].cell in f.cells]
    assert flags and "コードに直接書かれた" in flags[0].message and "written in the code" in flags[0].message_en


def test_cheap_evaluate_verbose0_then_a_printed_literal_is_missing_with_the_reason():
    nb = s.notebook([
        s.code("model.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 0)))]),
        s.code("score = model.evaluate(x_test, y_test, verbose=0)\nprint('Test accuracy: 0.98')",
               [s.stream("Test accuracy: 0.98\n")]),
    ])
    result = _grade(nb)
    (acc,) = _check(result, "accuracy")
    assert acc.status == Status.MISSING
    assert "計算された結果ではありません" in acc.message and "not a computed result" in acc.message_en
    assert "Test accuracy: 0.98" in acc.message and acc.cell == 1
    assert any(f.kind == FlagKind.TAMPERED_OUTPUT and f.cells == (1,) for f in result.flags)


def test_medium_a_literal_printed_by_a_helper_function_is_typed_too():
    nb = _append(_low(), "def report():\n    print('Test accuracy:', 0.97)\nreport()", "Test accuracy: 0.97\n")
    assert [e.not_taken for e in _ev(nb).evaluations if e.typed] == ["typed"]


def test_a_computed_value_beside_a_literal_label_is_not_typed():
    for source in ("print('Test accuracy:', score[1])", "print(f'Test accuracy: {score[1]:.4f}')",
                   "print('Test accuracy: %.4f' % acc)", "print('Test accuracy: 0.97 (target)', score[1])"):
        nb = s.notebook([
            s.code("model.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 0)))]),
            s.code(f"score = model.evaluate(x_test, y_test, verbose=0)\nacc = score[1]\n{source}",
                   [s.stream("Test accuracy: 0.9700\n")]),
        ])
        assert not any(e.typed for e in _ev(nb).evaluations), source


# ---------------------------------------------------------------- issue 17 item 2: results shown from a variable


def _fit_then(*cells: tuple[str, str], value: bool = False) -> dict:
    out = [s.code("model = Sequential()\nmodel.add(Dense(10, input_shape=(784,)))\n"
                  "model.compile(loss='categorical_crossentropy', metrics=['accuracy'])"),
           s.code("model.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 0)))])]
    for source, text in cells:
        out.append(s.code(source, [s.display(text, result_count=9) if value else s.stream(text)]))
    return s.notebook(out)


def test_bare_score_in_a_later_cell_is_the_test_result():
    nb = _fit_then(("score = model.evaluate(x_test, y_test, verbose=0)", ""), ("score", "[0.0253, 0.9931]"), value=True)
    ta = _ev(nb).test_accuracy
    assert ta is not None and (ta.source, ta.accuracy, ta.loss, ta.cell) == ("value", 0.9931, 0.0253, 3)


def test_print_score_and_an_index_in_a_later_cell():
    nb = _fit_then(("score = model.evaluate(x_test, y_test, verbose=0)", ""), ("print(score)", "[0.0253, 0.9931]\n"))
    assert _ev(nb).test_accuracy.accuracy == 0.9931
    nb = _fit_then(("loss, acc = model.evaluate(x_test, y_test, verbose=0)", ""), ("acc", "0.9931"), value=True)
    assert _ev(nb).test_accuracy.accuracy == 0.9931


def test_a_name_rebound_before_it_is_shown_is_no_result():
    nb = _fit_then(("score = model.evaluate(x_test, y_test, verbose=0)", ""), ("score = 0.5\nscore", "0.5"),
                   value=True)
    assert _ev(nb).test_accuracy is None


def test_accuracy_score_shown_as_an_execute_result():
    nb = _fit_then(("y_pred = model.predict(x_test).argmax(axis=1)\naccuracy_score(y_test, y_pred)", "0.9812"),
                   value=True)
    ta = _ev(nb).test_accuracy
    assert ta is not None and (ta.source, ta.accuracy) == ("value", 0.9812)
    nb = _fit_then(("acc = accuracy_score(y_test, y_pred)", ""), ("acc", "0.9812"), value=True)
    assert _ev(nb).test_accuracy.accuracy == 0.9812
    nb = _fit_then(("accuracy_score(y_train, y_pred_train)", "0.9990"), value=True)
    assert _ev(nb).test_accuracy is None  # training data: no test result


@pytest.mark.parametrize(("line", "acc"), [
    ("Test accuracy by model0: 0.7734", 0.7734),
    ("Test accuracy of the CNN = 0.98", 0.98),
    ("テストデータに対する正解率（ドロップアウトあり）: 0.97", 0.97),
])
def test_labelled_results_with_words_between_the_label_and_the_value(line, acc):
    (e,) = parse_evaluations(line + "\n", "print(line)")
    assert e.accuracy == acc
    nb = _fit_then(("score = model.evaluate(x_test, y_test, verbose=0)\nprint(line)", line + "\n"))
    assert _ev(nb).test_accuracy.accuracy == acc


@pytest.mark.parametrize("line", ["Test accuracy of 0.98", "Test accuracy on the train set: 0.99",
                                  "Test accuracy improved from 0.9 to 0.95", "Test accuracy of the validation data: 0.9"])
def test_words_between_need_a_separator_and_no_train_or_validation_word(line):
    assert parse_evaluations(line + "\n", "print(line)") == []


# ---------------------------------------------------------------- item 3: one model for summary, fit, evaluation


def _second_model_for_summary(nb: dict) -> dict:
    """Medium: the trained model is small; a correct second model is built only to show its summary."""
    nb = copy.deepcopy(nb)
    first = _cell(nb, ".summary()")
    first["source"] = first["source"].replace("model.summary()", "")
    first["outputs"] = []
    correct = s.dense_stack([32, 10])
    shown = s.keras3_summary(correct, model="sequential_1")
    src = ("shown = Sequential()\nshown.add(Dense(32, activation='relu', input_shape=(784,)))\n"
           "shown.add(Dense(10, activation='softmax'))\nshown.summary()")
    nb["cells"].insert(nb["cells"].index(first) + 1, s.code(src, shown, count=first["execution_count"]))
    return nb


def test_medium_a_second_correct_model_built_only_for_its_summary_does_not_pass():
    nb = _second_model_for_summary(s.submission("mlp", seed=2))
    ev = _ev(nb)
    assert [summary.trained for summary in ev.summaries] == [False]
    result = _grade(nb)
    summary_checks = _check(result, "summary")
    assert summary_checks and all(c.status != Status.PASS for c in summary_checks)
    assert "学習（fit）していないモデル" in summary_checks[0].message
    assert "model (fit in cell" in summary_checks[0].message_en  # says which model was trained


def test_the_summary_of_the_trained_model_passes_even_with_an_extra_model():
    nb = copy.deepcopy(s.submission("mlp", seed=2))
    extra = s.code("other = Sequential()\nother.add(Dense(5, input_shape=(784,)))\n", [], count=1)
    nb["cells"].append(extra)
    ev = _ev(nb)
    assert [summary.trained for summary in ev.summaries] == [True]
    assert all(c.status == Status.PASS for c in _check(_grade(nb), "summary"))


def test_an_evaluation_of_an_untrained_model_is_never_the_test_accuracy():
    nb = s.notebook([
        s.code("model = Sequential()\nmodel.add(Dense(10, input_shape=(784,)))"),
        s.code("fresh = Sequential()\nfresh.add(Dense(10, input_shape=(784,)))"),
        s.code("model.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 0)))]),
        s.code("score = fresh.evaluate(x_test, y_test)\nprint('Test accuracy:', score[1])",
               [s.stream("Test accuracy: 0.99\n")]),
    ])
    ev = _ev(nb)
    assert ev.test_accuracy is None
    assert [e.not_taken for e in ev.evaluations] == ["untrained"]
    (acc,) = _check(_grade(nb), "accuracy")
    assert acc.status == Status.MISSING and "学習（fit）する前のモデル" in acc.message


def test_a_result_counts_only_if_no_training_of_that_model_follows():
    nb = s.notebook([
        s.code("model = Sequential()\nmodel.add(Dense(10, input_shape=(784,)))"),
        s.code("model.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 0)))]),
        s.code("score = model.evaluate(x_test, y_test)\nprint('Test accuracy:', score[1])",
               [s.stream("Test accuracy: 0.91\n")]),
        s.code("model.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 1)))]),
    ])
    ev = _ev(nb)
    assert ev.test_accuracy is None and [e.not_taken for e in ev.evaluations] == ["retrained"]


def test_the_last_evaluated_model_counts_when_another_model_is_trained_after_it():
    nb = s.notebook([
        s.code("a = Sequential()\na.add(Dense(10, input_shape=(784,)))"),
        s.code("a.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 0)))]),
        s.code("score = a.evaluate(x_test, y_test, verbose=0)\nprint('Test accuracy:', score[1])",
               [s.stream("Test accuracy: 0.91\n")]),
        s.code("b = Sequential()\nb.add(Dense(10, input_shape=(784,)))"),
        s.code("b.fit(x_train, y_train, epochs=2)", [s.stream(s.fit_log(s.make_history(2, 1)))]),
    ])
    ta = _ev(nb).test_accuracy
    assert ta is not None and (ta.accuracy, ta.cell) == (0.91, 2)


def test_every_reason_has_words_for_the_student():
    assert set(NOT_TAKEN) >= {"typed", "untrained", "retrained", "before_training", "superseded", "no_accuracy"}
    assert all(ja and en for ja, en in NOT_TAKEN.values())


def test_a_result_dict_indexed_by_name_in_a_later_cell():
    nb = _fit_then(("results = model.evaluate(x_test, y_test, verbose=0, return_dict=True)", ""),
                   ("results['accuracy']", "0.9876"), value=True)
    ta = _ev(nb).test_accuracy
    assert ta is not None and (ta.accuracy, ta.cell) == (0.9876, 3)


def test_medium_two_models_from_one_builder_function_are_two_models():
    """``a = build_model(); b = build_model()``: the summary of ``a`` while ``b`` is trained does not pass."""
    nb = copy.deepcopy(s.submission("mlp", seed=2))
    first = _cell(nb, ".summary()")
    body = "\n".join("    " + line.replace("model", "m") for line in first["source"].splitlines()
                     if not line.startswith("from") and "summary" not in line)
    imports = "\n".join(line for line in first["source"].splitlines() if line.startswith("from"))
    first["source"] = f"{imports}\ndef build_model():\n{body}\n    return m\nshown = build_model()\nmodel = build_model()\n" \
                      "shown.summary()"
    ev = _ev(nb)
    assert [summary.trained for summary in ev.summaries] == [False]
    assert all(c.status != Status.PASS for c in _check(_grade(nb), "summary"))
    first["source"] = first["source"].replace("shown.summary()", "model.summary()")
    assert [summary.trained for summary in _ev(nb).summaries] == [True]
