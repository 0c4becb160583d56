"""Build realistic synthetic submissions (notebooks *with outputs*) in code: for tests, samples and benchmarks.

Outputs follow the exact Keras 2 (tf.keras 2.x) and Keras 3 formats seen in real Colab notebooks
(``../shared/docs/FORMATS.md``). Standard library only; nothing here is executed as a notebook.
"""
from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from autograder.testing.cells import (  # noqa: F401 - re-exported
    COLAB_GPU,
    GPU_DEVICES,
    code,
    display,
    dumps,
    error,
    markdown,
    notebook,
    stream,
)
from autograder.testing.keras_text import (  # noqa: F401 - re-exported: tests use samples.<name>
    Layer,
    _b,
    _kb,
    _keras2_row,
    _keras2_wrapped_summary,
    _metric_text,
    dense_stack,
    evaluate_line,
    f32,
    fit_log,
    keras2_summary,
    keras3_summary,
    make_history,
    readable_size,
)
from autograder.testing.png import (  # noqa: F401 - re-exported
    _draw_curve,
    _draw_frame,
    _png_bytes,
    _Put,
    _random_walk,
    figure_output,
    plot_png,
    png,
)

# ------------------------------------------------------------------ whole submissions

LOAD_MNIST = """from tensorflow import keras
from tensorflow.keras.datasets import mnist
from tensorflow.keras.utils import to_categorical
(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(60000, 784).astype('float32') / 255
x_test = x_test.reshape(10000, 784).astype('float32') / 255
y_train = to_categorical(y_train, 10)
y_test = to_categorical(y_test, 10)"""

LOAD_FASHION = LOAD_MNIST.replace("mnist", "fashion_mnist")

PLOT = """import matplotlib.pyplot as plt
plt.figure(figsize=(12, 4))
plt.subplot(1, 2, 1)
plt.plot(result.history['loss'], label='loss')
plt.plot(result.history['val_loss'], label='val_loss')
plt.legend()
plt.subplot(1, 2, 2)
plt.plot(result.history['accuracy'], label='accuracy')
plt.plot(result.history['val_accuracy'], label='val_accuracy')
plt.legend()
plt.show()"""


def _model_code(units: Sequence[int], dropout_after: int | None = None, var: str = "model") -> str:
    lines = [f"{var} = Sequential()"]
    for i, u in enumerate(units):
        act = "softmax" if i == len(units) - 1 else "relu"
        extra = ", input_shape=(784,)" if i == 0 else ""
        lines.append(f"{var}.add(Dense({u}, activation='{act}'{extra}))")
        if dropout_after == i:
            lines.append(f"{var}.add(Dropout(0.5))")
    lines.append(f"{var}.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])")
    lines.append(f"{var}.summary()")
    return "\n".join(lines)


def _training_cells(units: Sequence[int], epochs: int, seed: int, keras3: bool, dropout_after: int | None,
                    final_acc: float, print_history: bool, var: str = "model", result: str = "result",
                    style: dict[str, Any] | None = None) -> tuple[list[dict], dict]:
    style = style or {}
    layers = dense_stack(units, dropout_after=dropout_after)
    summary = keras3_summary(layers) if keras3 else [stream(keras2_summary(layers, variant=style.get("summary", "2.2")))]
    history = make_history(epochs, seed, dropout=dropout_after is not None, final_acc=final_acc)
    log = [stream(fit_log(history, keras3=keras3, verbose=style.get("verbose", 1), updates=style.get("updates", 0),
                          seed=seed))]
    if style.get("fit_stderr"):
        log.insert(1, stream(style["fit_stderr"], "stderr"))
    cells = [
        code("from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Dense, Dropout\n"
             + _model_code(units, dropout_after, var), summary),
        code(f"{result} = {var}.fit(x_train, y_train, epochs={epochs}, batch_size=64, validation_split=0.2"
             + (f", verbose={style['verbose']})" if style.get("verbose", 1) != 1 else ")"), log),
    ]
    if print_history:
        cells.append(code(f"print({result}.history)", [stream(repr(history) + "\n")]))
    return cells, history


def _evaluate_cell(acc: float, seed: int, keras3: bool, var: str = "model", verbose: int = 1) -> dict:
    rnd = random.Random(seed)
    acc32 = f32(round(acc * 10000) / 10000)
    loss = f32(0.08 + (1 - acc) * 2 + rnd.uniform(0, 0.01))
    call = f"{var}.evaluate(x_test, y_test" + (f", verbose={verbose})" if verbose != 1 else ")")
    return code(f"score = {call}\nprint('Test loss:', score[0])\nprint('Test accuracy:', score[1])",
                [stream(evaluate_line(loss, acc32, keras3, verbose=verbose) + f"Test loss: {loss!r}\nTest accuracy: {acc32!r}\n")])


#: stderr of TensorFlow ≥ 2.16 on Colab: registration noise when TensorFlow is imported, XLA/cuDNN lines at
#: the first ``fit`` on a GPU, cuInit errors on a CPU runtime (``submission(..., tf_logs=True)``).
TF_IMPORT_NOISE = (
    "2026-01-23 15:04:30.793659: E external/local_xla/xla/stream_executor/cuda/cuda_fft.cc:477] Unable to register "
    "cuFFT factory: Attempting to register factory for plugin cuFFT when one has already been registered\n"
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "E0000 00:00:1769177070.812236   28486 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register "
    "factory for plugin cuDNN when one has already been registered\n"
    "E0000 00:00:1769177070.818577   28486 cuda_blas.cc:1418] Unable to register cuBLAS factory: Attempting to register "
    "factory for plugin cuBLAS when one has already been registered\n")
TF_GPU_FIT_LOG = (
    "I0000 00:00:1769177072.559118   28561 service.cc:146] XLA service 0x7a1c6c006b70 initialized for platform CUDA "
    "(this does not guarantee that XLA will be used). Devices:\n"
    "I0000 00:00:1769177072.559162   28561 service.cc:154]   StreamExecutor device (0): Tesla T4, Compute Capability 7.5\n"
    "I0000 00:00:1769177073.106224   28561 cuda_dnn.cc:531] Loaded cuDNN version 90300\n")
TF_CPU_LOG = ("2026-01-23 15:04:31.220917: E external/local_xla/xla/stream_executor/cuda/cuda_driver.cc:152] failed call "
              "to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n")


def submission(assignment: str, seed: int = 0, keras3: bool = True, gpu: bool = True, accuracy: float | None = None,
               epochs: int | None = None, figure_kb: float | None = None, summary_variant: str = "2.2",
               verbose: int = 1, fit_updates: int = 0, tf_logs: bool = False) -> dict[str, Any]:
    """A complete, plausible student notebook for one of the four course assignments.

    The defaults make small notebooks (an 8×4 figure, final progress bars only). For benchmarks: ``figure_kb``
    a learning-curve PNG of that size, ``summary_variant`` the tf.keras 2 summary format (``keras2_summary``),
    ``verbose`` 2 for one line per epoch, ``fit_updates`` raw intermediate progress bars per epoch, ``tf_logs``
    TensorFlow's stderr lines (a GPU or a CPU runtime)."""
    if assignment == "perceptron":
        return _perceptron(seed)
    defaults = {"mlp": ([32, 10], 30, 0.965, LOAD_MNIST), "history": ([128, 10], 50, 0.885, LOAD_FASHION),
                "dropout": ([128, 64, 32, 10], 50, 0.885, LOAD_FASHION)}
    units, default_epochs, default_acc, load = defaults[assignment]
    epochs = epochs or default_epochs
    acc = accuracy if accuracy is not None else default_acc
    gpu_out = [stream(GPU_DEVICES if gpu else "[]\n")]
    if tf_logs:
        gpu_out.insert(0, stream(TF_IMPORT_NOISE, "stderr"))
    gpu_cell = code("import tensorflow as tf\nprint(tf.config.list_physical_devices('GPU'))", gpu_out)
    cells = [markdown(f"# 課題 {assignment}"), gpu_cell, code(load, [], count=2)]  # run, prints nothing
    style: dict[str, Any] = {"summary": summary_variant, "verbose": verbose, "updates": fit_updates}
    first = dict(style, fit_stderr=(TF_GPU_FIT_LOG if gpu else TF_CPU_LOG) if tf_logs else None)

    def figure(history: dict[str, list[float]]) -> dict[str, Any]:
        series = [history["loss"], history["val_loss"], history["accuracy"], history["val_accuracy"]]
        return figure_output(seed, kb=figure_kb, series=series if figure_kb else None)

    if assignment == "dropout":
        base, _ = _training_cells(units, epochs, seed, keras3, None, acc - 0.005, False, style=first)
        drop, h2 = _training_cells(units, epochs, seed + 1, keras3, 0, acc, False, var="model2", result="result2",
                                   style=style)
        cells += base + [_evaluate_cell(acc - 0.005, seed, keras3, verbose=verbose)] + drop
        cells.append(code(PLOT.replace("result.", "result2."), [figure(h2)]))
        cells.append(_evaluate_cell(acc, seed + 1, keras3, var="model2", verbose=verbose))
    else:
        train, history = _training_cells(units, epochs, seed, keras3, None, acc, assignment == "history", style=first)
        cells += train + [code(PLOT, [figure(history)])]
        if assignment == "history":
            best = min(range(epochs), key=history["val_loss"].__getitem__) + 1
            cells.append(code("import numpy as np\nprint('best epoch:', int(np.argmin(result.history['val_loss'])) + 1)",
                              [stream(f"best epoch: {best}\n")]))
        cells.append(_evaluate_cell(acc, seed, keras3, verbose=verbose))
    meta = COLAB_GPU if gpu else {"colab": {"provenance": []}}
    return notebook(cells, meta)


def _perceptron(seed: int) -> dict[str, Any]:
    funcs = """import numpy as np

def step(mu):
    return 1 if mu > 0 else 0

def weighted_sum(x, w):
    return float(np.dot(x, w))

def perceptron(x, w, b=0.0):
    return step(weighted_sum(x, w) + b)

def relu(x):
    return np.maximum(0, x)

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

def softmax(x):
    e = np.exp(x - np.max(x))
    return e / e.sum()"""
    example = "x = np.array([1, 2, 0.5])\nw = np.array([0.5, 0.2, -1])\nprint('mu =', weighted_sum(x, w))\nprint('z =', perceptron(x, w))"
    gates = ("inputs = [(0, 0), (0, 1), (1, 0), (1, 1)]\n"
             "print('AND:', [perceptron(np.array(p), np.array([0.5, 0.5]), -0.7) for p in inputs])\n"
             "print('OR:', [perceptron(np.array(p), np.array([0.5, 0.5]), -0.2) for p in inputs])\n"
             "print('NAND:', [perceptron(np.array(p), np.array([-0.5, -0.5]), 0.7) for p in inputs])")
    return notebook([
        markdown("# 課題1 パーセプトロン"),
        code(funcs, []),
        code(example, [stream(f"mu = {0.5 * 1 + 0.2 * 2 + -1 * 0.5!r}\nz = 1\n")]),
        code(gates, [stream("AND: [0, 0, 0, 1]\nOR: [0, 1, 1, 1]\nNAND: [1, 1, 1, 0]\n")]),
    ], {"colab": {"provenance": []}})
