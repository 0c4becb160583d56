"""The one extraction (``autograder.extract``) on notebooks built in code, one group of tests per definition of
the ``inspect --json`` contract in the README, and ``autograder inspect`` over good and bad files.

Expected values come from the texts written here (a history we chose, a line we typed), never from running
our parsers.
"""
from __future__ import annotations

import json

import pytest

from autograder.cli import main
from autograder.pipeline import inspect_file
from autograder.testing import samples as s

# A model whose table has 0-parameter rows (InputLayer, Flatten, Dropout): 784·32+32 = 25,120; 32·10+10 = 330.
LAYERS = [("input_1", "InputLayer", "(None, 28, 28)", 0), ("flatten", "Flatten", "(None, 784)", 0),
          ("dense", "Dense", "(None, 32)", 25120), ("dropout", "Dropout", "(None, 32)", 0),
          ("dense_1", "Dense", "(None, 10)", 330)]
LAYERS_JSON = [{"name": n, "type": t, "output_shape": o, "params": p} for n, t, o, p in LAYERS]

HISTORY = {"loss": [0.5123, 0.3012], "accuracy": [0.8512, 0.9123]}
# Keras 1/2.0: counters of samples, no per-step time.
KERAS1_FIT = ("Train on 60000 samples, validate on 10000 samples\n"
              "Epoch 1/2\n60000/60000 [==============================] - 10s - loss: 0.2521 - acc: 0.9245 - val_loss: 0.1131 - val_acc: 0.9651\n"  # noqa: E501 - a verbatim output or source line
              "Epoch 2/2\n60000/60000 [==============================] - 10s - loss: 0.1016 - acc: 0.9687 - val_loss: 0.0827 - val_acc: 0.9746\n")  # noqa: E501 - a verbatim output or source line
KERAS2_EVAL = "313/313 [==============================] - 1s 2ms/step - loss: 0.0812 - accuracy: 0.9765\n"


def inspect(path) -> dict:
    return inspect_file(str(path)).to_json()


def fit_cell(source: str = "history = model.fit(x, y, epochs=2)", history: dict | None = None, keras3: bool = False,
             verbose: int = 1) -> dict:
    return s.code(source, [s.stream(s.fit_log(history or HISTORY, steps=469, keras3=keras3, verbose=verbose))])


def k2_fit_text(totals: int, last: tuple[float, float], shown: int | None = None) -> str:
    """A tf.keras 2 log with ``Epoch i/totals`` headers, ``shown`` epochs, the last one ending with ``last``."""
    shown = shown or totals
    lines = []
    for e in range(1, shown + 1):
        loss, acc = last if e == shown else (0.9 - e / 100, 0.5 + e / 100)
        lines += [f"Epoch {e}/{totals}",
                  f"469/469 [==============================] - 2s 4ms/step - loss: {loss:.4f} - accuracy: {acc:.4f}"]
    return "\n".join(lines) + "\n"


def print_cell(text: str, source: str = "print('Test accuracy:', score[1])") -> dict:
    return s.code(source, [s.stream(text)])


# ---------------------------------------------------------------- keras: the output style

@pytest.mark.parametrize("cells, style", [
    pytest.param([s.code("model.summary()", s.keras3_summary(LAYERS))], "3", id="keras3-box-summary"),
    pytest.param([s.code("model.summary()", [s.stream(s.keras2_summary(LAYERS))]), fit_cell(keras3=True)], "3",
                 id="plain-summary-and-keras3-bars"),
    pytest.param([fit_cell(keras3=True, verbose=2)], "3", id="keras3-verbose2-time-before-metrics"),
    pytest.param([fit_cell()], "2", id="bars-with-per-step-time"),
    pytest.param([fit_cell(verbose=2)], "2", id="tf-keras2-verbose2"),
    pytest.param([s.code("model.summary()", [s.stream(s.keras2_summary(LAYERS, variant="2.0"))])], "2",
                 id="plain-summary-only"),
    pytest.param([s.code("model.fit(x, y, epochs=1, verbose=2)",
                         [s.stream("Epoch 1/1\n469/469 - 2s - loss: 0.5123 - accuracy: 0.8512\n")])], "2",
                 id="tf-keras2-verbose2-step-counter-without-step-time"),
    pytest.param([s.code("model.fit(X, Y, nb_epoch=2)", [s.stream(KERAS1_FIT)])], "1", id="sample-counters-only"),
    pytest.param([s.code("model.fit(X, Y, epochs=1, verbose=2)",
                         [s.stream("Epoch 1/1\n - 12s - loss: 0.2600 - acc: 0.9200\n")])], "1",
                 id="keras2.0-verbose2-without-counter"),
    pytest.param([s.code("model.summary()", [s.stream(s.keras2_summary(LAYERS, variant="2.0"))]),
                  s.code("model.fit(X, Y, nb_epoch=2)", [s.stream(KERAS1_FIT)])], "2",
                 id="sample-counters-and-keras2-summary"),
    pytest.param([s.code("print(1 + 1)", [s.stream("2\n")])], "unknown", id="no-keras-output"),
])
def test_keras_style_rule(write_nb, cells, style):
    assert inspect(write_nb(cells))["keras"] == style


# ---------------------------------------------------------------- cell: the index in the notebook's cells list

def test_cell_is_the_index_in_the_cells_list_markdown_and_raw_cells_count(write_nb):
    raw = {"cell_type": "raw", "metadata": {}, "source": "not code"}
    path = write_nb([
        s.markdown("# 課題2"),                                                              # 0
        raw,                                                                                # 1
        s.code("import tensorflow as tf\nprint(tf.config.list_physical_devices('GPU'))",
               [s.stream(s.GPU_DEVICES)]),                                                  # 2
        s.markdown("## モデル"),                                                            # 3
        s.code("model.summary()", [s.stream(s.keras2_summary(LAYERS))]),                    # 4
        fit_cell(),                                                                         # 5
        s.markdown("## 評価"),                                                              # 6
        print_cell("Test accuracy: 0.9765\n"),                                              # 7
        s.code("plt.plot(history.history['loss'])\nplt.show()",
               [s.display(plain="<Figure size 640x480 with 1 Axes>", png=s.png(1))]),       # 8
    ])
    got = inspect(path)
    assert [x["cell"] for x in got["summaries"]] == [4]
    assert [x["cell"] for x in got["fits"]] == [5]
    assert [x["cell"] for x in got["evaluations"]] == [7]
    assert got["figures"] == [{"cell": 8, "axes": 1}]
    assert [(g["kind"], g["cell"]) for g in got["gpu"]["signals"]] == [("device_list", 2)]
    assert got["execution"] == {"code_cells": 5, "executed_cells": 5, "errors": 0, "out_of_order": False}


# ---------------------------------------------------------------- summaries: every row with a parameter count

@pytest.mark.parametrize("outputs", [
    pytest.param([s.stream(s.keras2_summary(LAYERS))], id="keras2-plain"),
    pytest.param(s.keras3_summary(LAYERS), id="keras3-box"),
])
def test_layers_include_zero_parameter_rows(write_nb, outputs):
    got = inspect(write_nb([s.code("model.summary()", outputs)]))
    assert got["summaries"] == [{"cell": 0, "model": "sequential", "total_params": 25450, "trainable_params": 25450,
                                 "non_trainable_params": 0, "layers": LAYERS_JSON}]


def test_summary_without_model_line_has_no_model_name(write_nb):
    got = inspect(write_nb([s.code("model.summary()", [s.stream(s.keras2_summary(LAYERS, variant="2.0"))])]))
    assert got["summaries"][0]["model"] is None
    assert got["summaries"][0]["layers"] == LAYERS_JSON


# ---------------------------------------------------------------- fits: epochs_run and epochs_arg

def _fits(write_nb, cells) -> list[tuple]:
    return [(f["cell"], f["epochs_run"], f["epochs_arg"]) for f in inspect(write_nb(cells))["fits"]]


def test_epochs_run_counts_the_epochs_shown_and_epochs_arg_is_the_argument(write_nb):
    log = k2_fit_text(50, (0.0880, 0.9755), shown=3) + "Epoch 3: early stopping\n"
    got = inspect(write_nb([s.code("history = model.fit(x, y, epochs=50, callbacks=[early])", [s.stream(log)])]))
    assert got["fits"] == [{"cell": 0, "source": "log", "epochs_run": 3, "epochs_arg": 50, "metrics": ["loss", "accuracy"],
                            "last": {"loss": 0.0880, "accuracy": 0.9755}}]


def test_epochs_arg_name_bound_to_a_single_literal_elsewhere(write_nb):
    cells = [s.code("history = model.fit(x, y, epochs=EPOCHS)", [s.stream(k2_fit_text(2, (0.3, 0.9)))]),
             s.code("EPOCHS = 2  # set after the run", [])]
    assert _fits(write_nb, cells) == [(0, 2, 2)]


def test_epochs_arg_name_bound_to_two_literals_elsewhere_is_unknown(write_nb):
    cells = [s.code("history = model.fit(x, y, epochs=n)", [s.stream(k2_fit_text(2, (0.3, 0.9)))]),
             s.code("n = 2", []), s.code("n = 5", [])]
    assert _fits(write_nb, cells) == [(0, 2, None)]


def test_epochs_arg_is_the_value_bound_before_the_call(write_nb):
    cells = [s.code("n = 2", []),
             s.code("history = model.fit(x, y, epochs=n)", [s.stream(k2_fit_text(2, (0.3, 0.9)))]),
             s.code("n = 30", [])]
    assert _fits(write_nb, cells) == [(1, 2, 2)]


def test_epochs_arg_of_a_local_name_in_the_function_that_fits(write_nb):
    source = "def run():\n    epochs = 3\n    for m in models:\n        m.fit(x, y, epochs=epochs)\nrun()"
    cells = [s.code(source, [s.stream(k2_fit_text(3, (0.3, 0.9)) + k2_fit_text(3, (0.2, 0.95)))]),
             s.code("epochs = 99", [])]
    assert _fits(write_nb, cells) == [(0, 3, 3), (0, 3, 3)]


def test_epochs_arg_from_nb_epoch(write_nb):
    assert _fits(write_nb, [s.code("model.fit(X, Y, nb_epoch=2)", [s.stream(KERAS1_FIT)])]) == [(0, 2, 2)]


def test_epochs_arg_needs_a_fit_call_in_the_cell_of_the_log(write_nb):
    cells = [s.code("def train(m):\n    return m.fit(x, y, epochs=2)", []),
             s.code("history = train(model)", [s.stream(k2_fit_text(2, (0.3, 0.9)))])]
    assert _fits(write_nb, cells) == [(1, 2, None)]


def test_two_fit_calls_in_one_cell_pair_with_their_logs_in_order(write_nb):
    # Regression: every log of a cell took the last fit call's epochs (a dropout comparison trained in one cell
    # showed epochs_arg 3 for its 2-epoch run).
    source = "h1 = model.fit(x, y, epochs=2)\nh2 = model2.fit(x, y, epochs=3)"
    log = k2_fit_text(2, (0.3, 0.9)) + k2_fit_text(3, (0.2, 0.95))
    assert _fits(write_nb, [s.code(source, [s.stream(log)])]) == [(0, 2, 2), (0, 3, 3)]


def test_fit_calls_without_a_log_are_skipped_when_pairing(write_nb):
    source = ("model.fit(x, y, epochs=1, verbose=0)  # warm-up, prints nothing\n"
              "h1 = model.fit(x, y, epochs=2)\nh2 = model.fit(x, y, epochs=3)")
    log = k2_fit_text(2, (0.3, 0.9)) + k2_fit_text(3, (0.2, 0.95))
    assert _fits(write_nb, [s.code(source, [s.stream(log)])]) == [(0, 2, 2), (0, 3, 3)]


def test_a_generator_fit_beside_model_fit_is_matched_by_the_epoch_total(write_nb):
    source = "datagen.fit(x_train)\nhistory = model.fit(datagen.flow(x, y), epochs=2)"
    assert _fits(write_nb, [s.code(source, [s.stream(k2_fit_text(2, (0.3, 0.9)))])]) == [(0, 2, 2)]


def test_epochs_arg_of_fit_generator(write_nb):
    # Regression: large_colab_gpu_cifar10_cnn_augmentation_keras2 (cell 21) trains with fit_generator(epochs=200)
    # and its 200-epoch log had no epochs_arg.
    source = "history = model.fit_generator(datagen.flow(x, y, batch_size=128), epochs=3)"
    assert _fits(write_nb, [s.code(source, [s.stream(k2_fit_text(3, (0.3, 0.9)))])]) == [(0, 3, 3)]


# ---------------------------------------------------------------- history_keys

PRINTED_DICT = "{'loss': [0.5, 0.3], 'accuracy': [0.85, 0.91], 'val_loss': [0.4, 0.35], 'val_accuracy': [0.88, 0.9]}\n"


@pytest.mark.parametrize("cells, keys", [
    pytest.param([fit_cell(keras3=False), fit_cell(keras3=True, history={"loss": [0.4], "accuracy": [0.9]})],
                 ["accuracy", "loss"], id="metrics-of-the-last-fit-log"),
    pytest.param([fit_cell(), s.code("print(history.history)", [s.stream(PRINTED_DICT)])],
                 ["loss", "accuracy", "val_loss", "val_accuracy"], id="printed-dict-over-fit-metrics"),
    pytest.param([fit_cell(), s.code("history.history.keys()", [s.display(plain="dict_keys(['loss', 'acc'])",
                                                                          result_count=3)])],
                 ["loss", "acc"], id="dict-keys-over-fit-metrics"),
    pytest.param([s.code("print(old.history.keys())", [s.stream("dict_keys(['loss', 'acc'])\n")]), fit_cell()],
                 ["loss", "acc"], id="printed-keys-win-even-before-the-fit-log"),
    pytest.param([fit_cell(), s.code("print(history.history)", [s.stream(PRINTED_DICT)]),
                  s.code("print(history.history.keys())", [s.stream("dict_keys(['loss', 'accuracy'])\n")])],
                 ["loss", "accuracy"], id="the-last-printed-one"),
    pytest.param([s.code("print('hello')", [s.stream("hello\n")])], None, id="none"),
])
def test_history_keys_precedence(write_nb, cells, keys):
    assert inspect(write_nb(cells))["history_keys"] == keys


# ---------------------------------------------------------------- evaluations

def _evals(write_nb, cells) -> list[dict]:
    return inspect(write_nb(cells))["evaluations"]


def test_progress_line_only_in_a_cell_whose_code_calls_evaluate(write_nb):
    cells = [s.code("score = model.evaluate(x_test, y_test)", [s.stream(KERAS2_EVAL)]),
             s.code("pred = model.predict(x_test)", [s.stream(KERAS2_EVAL)]),
             s.code("!cat evaluate_log.txt", [s.stream(KERAS2_EVAL)])]
    assert _evals(write_nb, cells) == [{"cell": 0, "source": "progress", "accuracy": 0.9765, "loss": 0.0812,
                                        "text": KERAS2_EVAL.strip()}]


def test_labelled_prints_one_line_each(write_nb):
    cells = [print_cell("Test loss: 0.0812\nTest accuracy: 0.9765\n"),
             print_cell("Test accuracy: 97.28%\n"),
             print_cell("正解率: 0.9712\n"),
             print_cell("\n테스트 정확도: 0.8669\n"),
             print_cell("Train accuracy: 0.9990\nvalidation accuracy: 0.9800\n")]
    assert _evals(write_nb, cells) == [
        {"cell": 0, "source": "print", "accuracy": None, "loss": 0.0812, "text": "Test loss: 0.0812"},
        {"cell": 0, "source": "print", "accuracy": 0.9765, "loss": None, "text": "Test accuracy: 0.9765"},
        {"cell": 1, "source": "print", "accuracy": 0.9728, "loss": None, "text": "Test accuracy: 97.28%"},
        {"cell": 2, "source": "print", "accuracy": 0.9712, "loss": None, "text": "正解率: 0.9712"},
        {"cell": 3, "source": "print", "accuracy": 0.8669, "loss": None, "text": "테스트 정확도: 0.8669"},
    ]


def test_displayed_value_when_the_last_statement_is_an_evaluate_call(write_nb):
    shown = s.display(plain="[0.0812, 0.9765]", result_count=5)
    cells = [s.code("model.evaluate(x_test, y_test, verbose=0)", [shown]),
             s.code("score = model.evaluate(x_test, y_test, verbose=0)\nscore", [shown]),
             s.code("[0.0812, 0.9765]", [shown]),
             s.code("model.evaluate(x_test, y_test, verbose=0)\nmodel.metrics_names", [shown])]
    value = {"source": "value", "accuracy": 0.9765, "loss": 0.0812, "text": "[0.0812, 0.9765]"}
    assert _evals(write_nb, cells) == [{"cell": 0, **value}, {"cell": 1, **value}]


def test_evaluations_in_cell_order_and_within_a_cell_in_output_order(write_nb):
    cells = [s.code("model.evaluate(x_test, y_test)", [s.stream(KERAS2_EVAL), s.display(plain="[0.0812, 0.9765]",
                                                                                       result_count=1)]),
             print_cell("Test accuracy: 0.9765\n")]
    assert [(e["cell"], e["source"]) for e in _evals(write_nb, cells)] == [(0, "progress"), (0, "value"), (1, "print")]


# ---------------------------------------------------------------- test_accuracy

def _test_accuracy(write_nb, cells, **kw) -> float | None:
    return inspect(write_nb(s.notebook(cells, **kw)))["test_accuracy"]


def test_a_print_before_training_is_ignored(write_nb):
    # Udacity's mnist_mlp prints the untrained model's 'Test accuracy: 12.7800%' before fitting.
    before = print_cell("Test accuracy: 12.7800%\n",
                        "score = model.evaluate(X_test, y_test, verbose=0)\nprint('Test accuracy: %.4f%%' % (100*score[1]))")
    after = print_cell("Test accuracy: 97.8600%\n", before["source"])
    assert _test_accuracy(write_nb, [before, fit_cell(), after]) == 0.9786
    assert _test_accuracy(write_nb, [before, fit_cell()]) is None


def test_print_over_value_over_progress_after_the_last_training(write_nb):
    progress_and_value = s.code("model.evaluate(x_test, y_test)",
                                [s.stream(KERAS2_EVAL), s.display(plain="[0.0812, 0.97650001]", result_count=9)])
    progress_only = s.code("score = model.evaluate(x_test, y_test)", [s.stream(KERAS2_EVAL)])
    assert _test_accuracy(write_nb, [fit_cell(), print_cell("Test accuracy: 0.9701\n"), progress_and_value]) == 0.9701
    assert _test_accuracy(write_nb, [fit_cell(), progress_and_value]) == 0.97650001
    assert _test_accuracy(write_nb, [fit_cell(), progress_only]) == 0.9765


def test_the_last_result_after_the_last_training_counts(write_nb):
    first, second = print_cell("Test accuracy: 0.9100\n"), print_cell("Test accuracy: 0.9300\n")
    assert _test_accuracy(write_nb, [fit_cell(), first, second]) == 0.93
    # a second training after which nothing was evaluated: no test accuracy, the first model's is stale
    assert _test_accuracy(write_nb, [fit_cell(), first, fit_cell()]) is None
    # fit and evaluate in one cell
    both = s.code("model.fit(x, y, epochs=2)\nprint('Test accuracy:', model.evaluate(x_t, y_t)[1])",
                  [s.stream(s.fit_log(HISTORY, steps=469, keras3=False) + "Test accuracy: 0.9555\n")])
    assert _test_accuracy(write_nb, [first, both]) == 0.9555


def test_training_without_a_log_is_located_by_its_fit_call(write_nb):
    silent = s.code("model.fit(x, y, epochs=5, verbose=0)", [])
    untrained, trained = print_cell("Test accuracy: 0.1000\n"), print_cell("Test accuracy: 0.9500\n")
    assert _test_accuracy(write_nb, [untrained, silent, trained]) == 0.95
    assert _test_accuracy(write_nb, [untrained, silent]) is None


# ---------------------------------------------------------------- figures

def test_figures_png_outputs_and_figure_texts(write_nb):
    path = write_nb([
        s.code("plt.show()", [s.display(plain="<Figure size 1200x400 with 2 Axes>", png=s.png(1))]),
        s.code("plt.show()", [s.display(plain="<matplotlib.figure.Figure at 0x11326a668>", png=s.png(2))]),
        s.code("Image('curve.png')", [s.display(png=s.png(3), result_count=3)]),
        s.code("plt.figure()", [s.display(plain="<Figure size 640x480 with 1 Axes>", result_count=4)]),
        s.code("for i in range(2):\n    plt.plot(h[i]); plt.show()",
               [s.display(plain="<Figure size 432x288 with 1 Axes>", png=s.png(4)),
                s.display(plain="<Figure size 432x288 with 1 Axes>", png=s.png(5))]),
        {"cell_type": "markdown", "metadata": {}, "source": "![curve](attachment:curve.png)",
         "attachments": {"curve.png": {"image/png": s.png(6)}}},
        s.code("print('no figure')", [s.stream("no figure\n")]),
    ])
    assert inspect(path)["figures"] == [{"cell": 0, "axes": 2}, {"cell": 1, "axes": None}, {"cell": 2, "axes": None},
                                        {"cell": 3, "axes": 1}, {"cell": 4, "axes": 1}, {"cell": 4, "axes": 1}]


# ---------------------------------------------------------------- gpu verdict

GPU_CHECK = "import tensorflow as tf\nprint(tf.config.list_physical_devices('GPU'))"


def test_runtime_evidence_outranks_metadata(write_nb):
    path = write_nb([s.code(GPU_CHECK, [s.stream("[]\n")])], metadata=s.COLAB_GPU)
    assert inspect(path)["gpu"] == {"verdict": "cpu", "signals": [
        {"kind": "metadata.accelerator", "cell": None, "text": "accelerator: GPU"},
        {"kind": "metadata.gpuType", "cell": None, "text": "colab.gpuType: T4"},
        {"kind": "device_list", "cell": 0, "text": "[]"},
    ]}


def test_metadata_alone_and_runtime_alone_say_gpu(write_nb):
    meta_only = write_nb([s.code("print(1)", [s.stream("1\n")])], name="meta.ipynb", metadata=s.COLAB_GPU)
    assert inspect(meta_only)["gpu"]["verdict"] == "gpu"
    runtime_only = write_nb([s.code(GPU_CHECK, [s.stream(s.GPU_DEVICES)])], name="runtime.ipynb")
    assert inspect(runtime_only)["gpu"] == {"verdict": "gpu", "signals": [
        {"kind": "device_list", "cell": 0, "text": "[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]"}]}
    nothing = write_nb([s.code("print(1)", [s.stream("1\n")])], name="none.ipynb")
    assert inspect(nothing)["gpu"] == {"verdict": "unknown", "signals": []}


# ---------------------------------------------------------------- execution

def test_executed_cells_count_outputs_even_without_counts(write_nb):
    cells = [s.code("a = 1", [], count=None),                        # never run
             s.code("print(a)", [s.stream("1\n")], count=None),      # run, count cleared (Colab)
             s.code("b = 2", [], count=0),                           # a 0 is no run
             s.code("raise ValueError('x')", [s.error("ValueError", "x")], count=None),
             s.code("1 / 0", [s.error("ZeroDivisionError", "division by zero")], count=5),
             s.markdown("end")]
    got = inspect(write_nb(s.notebook(cells, number_cells=False)))
    assert got["execution"] == {"code_cells": 5, "executed_cells": 3, "errors": 2, "out_of_order": False}


@pytest.mark.parametrize("counts, out_of_order", [
    ([3, None, 0, 4, 5], False),   # null and 0 are not executions: 3, 4, 5 increase
    ([1, 2, 2, 3], False),         # the same count twice is no decrease
    ([2, None, 1], True),
    ([1, 18, 3], True),
    ([None, None, None], False),
])
def test_out_of_order_ignores_null_and_zero_counts(write_nb, counts, out_of_order):
    cells = [s.code(f"x{i} = {i}\nx{i}", [s.display(plain=str(i), result_count=c)], count=c) for i, c in enumerate(counts)]
    got = inspect(write_nb(s.notebook(cells, number_cells=False)))
    assert got["execution"]["out_of_order"] is out_of_order
    assert got["execution"]["executed_cells"] == len(counts)


# ---------------------------------------------------------------- the command: good and bad files together

def _good(write_nb, name: str, acc: str):
    return write_nb([s.code("model.summary()", [s.stream(s.keras2_summary(LAYERS))]),
                     fit_cell(), print_cell(f"Test accuracy: {acc}\n")], name=name)


def _good_entry(path, acc: float) -> dict:
    return {"file": str(path), "status": "read", "error": None, "keras": "2",
            "summaries": [{"cell": 0, "model": "sequential", "total_params": 25450, "trainable_params": 25450,
                           "non_trainable_params": 0, "layers": LAYERS_JSON}],
            "fits": [{"cell": 1, "source": "log", "epochs_run": 2, "epochs_arg": 2, "metrics": ["loss", "accuracy"],
                      "last": {"loss": 0.3012, "accuracy": 0.9123}}],
            "history_keys": ["loss", "accuracy"], "history_keys_source": "log",
            "evaluations": [{"cell": 2, "source": "print", "accuracy": acc, "loss": None,
                             "text": f"Test accuracy: {acc}"}],
            "test_accuracy": acc, "figures": [], "gpu": {"verdict": "unknown", "signals": []},
            "execution": {"code_cells": 3, "executed_cells": 3, "errors": 0, "out_of_order": False}}


@pytest.fixture
def three_files(write_nb, tmp_path):
    good = _good(write_nb, "good.ipynb", "0.9612")
    bad = tmp_path / "bad.ipynb"
    bad.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    good2 = _good(write_nb, "good2.ipynb", "0.9734")
    return good, bad, good2


def test_inspect_json_lists_every_file_and_a_bad_one_as_an_error(three_files, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRADER_LANG", raising=False)
    good, bad, good2 = three_files
    assert main(["inspect", str(good), str(bad), str(good2), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert list(doc) == ["notebooks"]
    first, error, last = doc["notebooks"]
    assert first == _good_entry(good, 0.9612)
    assert last == _good_entry(good2, 0.9734)
    assert list(error) == ["file", "status", "error"]  # no other keys
    assert error["file"] == str(bad) and error["status"] == "error"
    assert "PDF" in error["error"] and "ノートブック" in error["error"]

    assert main(["inspect", str(good), str(bad), str(good2), "--json", "--lang", "en"]) == 0
    error_en = json.loads(capsys.readouterr().out)["notebooks"][1]
    assert error_en["status"] == "error" and "this is a PDF file" in error_en["error"]


@pytest.mark.parametrize("lang_args, error_label, accuracy_label", [
    ([], "エラー: ", "テスト正解率: "),
    (["--lang", "en"], "error: ", "test accuracy: "),
])
def test_inspect_listing_shows_every_notebook(three_files, capsys, monkeypatch, lang_args, error_label, accuracy_label):
    monkeypatch.delenv("AUTOGRADER_LANG", raising=False)
    good, bad, good2 = three_files
    assert main(["inspect", str(good), str(bad), str(good2), *lang_args]) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if line.startswith("== ")]
    assert headers == [f"== {good}", f"== {bad}", f"== {good2}"]
    assert out.count(accuracy_label) == 2 and f"{accuracy_label}0.9612" in out and f"{accuracy_label}0.9734" in out
    bad_block = out.split(f"== {bad}\n")[1].split("\n== ")[0]
    assert bad_block.strip().startswith(error_label.strip()) and "PDF" in bad_block
