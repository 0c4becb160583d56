"""Build realistic synthetic submissions (notebooks *with outputs*) in code: for tests, samples and benchmarks.

Outputs follow the exact Keras 2 (tf.keras 2.x) and Keras 3 formats seen in real Colab notebooks
(``../shared/docs/FORMATS.md``). Standard library only; nothing here is executed as a notebook.
"""
from __future__ import annotations

import base64
import json
import math
import random
import re
import struct
import zlib
from typing import Any, Iterable, Sequence

# ------------------------------------------------------------------ nbformat pieces


def stream(text: str, name: str = "stdout") -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": text}


def display(plain: str | None = None, html: str | None = None, png: str | None = None,
            result_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if plain is not None:
        data["text/plain"] = plain
    if html is not None:
        data["text/html"] = html
    if png is not None:
        data["image/png"] = png
    if result_count is not None:
        return {"output_type": "execute_result", "execution_count": result_count, "data": data, "metadata": {}}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def error(ename: str, evalue: str) -> dict[str, Any]:
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": ["\x1b[0;31m" + "-" * 75 + "\x1b[0m", f"\x1b[0;31m{ename}\x1b[0m: {evalue}"]}


def code(source: str, outputs: Sequence[dict[str, Any]] = (), count: int | None = None, **metadata: Any) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": count, "metadata": dict(metadata), "source": source,
            "outputs": list(outputs)}


def markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(cells: Iterable[dict[str, Any]], metadata: dict[str, Any] | None = None, number_cells: bool = True) -> dict[str, Any]:
    """A v4 notebook dict; code cells without a count are numbered 1, 2, … in order when ``number_cells``."""
    cells = [dict(c) for c in cells]
    n = 0
    for c in cells:
        if c["cell_type"] == "code" and number_cells and c.get("execution_count") is None and c.get("outputs"):
            n += 1
            c["execution_count"] = n
        elif c["cell_type"] == "code" and c.get("execution_count"):
            n = c["execution_count"]
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3"}, "language_info": {"name": "python"}}
    meta.update(metadata or {})
    return {"nbformat": 4, "nbformat_minor": 0, "metadata": meta, "cells": cells}


def dumps(nb: dict[str, Any]) -> str:
    """Serialised as Colab does: 2-space indentation, no final newline."""
    return json.dumps(nb, ensure_ascii=False, indent=2)


COLAB_GPU = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}
GPU_DEVICES = "[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]\n"

# ------------------------------------------------------------------ numbers as Keras prints them


def f32(x: float) -> float:
    """The float32 value Keras stores, as the Python float it prints."""
    return struct.unpack("f", struct.pack("f", x))[0]


def make_history(epochs: int, seed: int, dropout: bool = False, final_acc: float = 0.97,
                 train_samples: int = 48000, val_samples: int = 12000) -> dict[str, list[float]]:
    """Plausible learning curves: training loss keeps falling; without dropout val_loss turns up (over-fitting)."""
    rnd = random.Random(seed)
    h: dict[str, list[float]] = {"loss": [], "accuracy": [], "val_loss": [], "val_accuracy": []}
    for e in range(epochs):
        t = (e + 1) / epochs
        loss = 0.45 * math.exp(-3.2 * t) + (0.12 if dropout else 0.02) + rnd.uniform(-0.004, 0.004)
        val = 0.30 * math.exp(-4 * t) + (0.16 + 0.02 * t if dropout else 0.10 + 0.18 * t * t) + rnd.uniform(-0.006, 0.006)
        acc = min(0.999, final_acc + 0.025 - 0.12 * math.exp(-3 * t) + rnd.uniform(-0.002, 0.002))
        vacc = min(0.999, final_acc - 0.08 * math.exp(-3 * t) + rnd.uniform(-0.003, 0.003))
        h["loss"].append(f32(loss))
        h["accuracy"].append(f32(round(acc * train_samples) / train_samples))
        h["val_loss"].append(f32(val))
        h["val_accuracy"].append(f32(round(vacc * val_samples) / val_samples))
    return h


# ------------------------------------------------------------------ Keras output texts

Layer = tuple[str, str, str, int]  # name, type, output shape, params


def dense_stack(units: Sequence[int], inputs: int = 784, dropout_after: int | None = None) -> list[Layer]:
    layers: list[Layer] = []
    n_in = inputs
    for i, u in enumerate(units):
        name = "dense" if i == 0 else f"dense_{i}"
        layers.append((name, "Dense", f"(None, {u})", (n_in + 1) * u))
        if dropout_after == i:
            layers.append(("dropout", "Dropout", f"(None, {u})", 0))
        n_in = u
    return layers


def keras2_summary(layers: Sequence[Layer], model: str = "sequential") -> str:
    total = sum(p for *_, p in layers)
    rows = [f'Model: "{model}"', "_" * 65, f"{'Layer (type)':<29}{'Output Shape':<26}{'Param #':<10}", "=" * 65]
    for i, (name, kind, shape, params) in enumerate(layers):
        rows.append(f"{name + ' (' + kind + ')':<29}{shape:<26}{params:<10}")
        rows.append("=" * 65 if i == len(layers) - 1 else "_" * 65)
    rows += [f"Total params: {total:,}", f"Trainable params: {total:,}", "Non-trainable params: 0", "_" * 65]
    return "\n".join(rows) + "\n"


def _b(s: str) -> str:
    return f"\x1b[1m{s}\x1b[0m"


def _kb(params: int) -> str:
    size = params * 4
    return f"{size / 1024:.2f} KB" if size else "0.00 B"


def keras3_summary(layers: Sequence[Layer], model: str = "sequential") -> list[dict[str, Any]]:
    """Five display_data outputs, each with ANSI text/plain and text/html, as Keras 3 writes them."""
    total = sum(p for *_, p in layers)
    w = (33, 24, 15)
    top = "┏" + "┳".join("━" * x for x in w) + "┓"
    mid = "┡" + "╇".join("━" * x for x in w) + "┩"
    sep = "├" + "┼".join("─" * x for x in w) + "┤"
    bottom = "└" + "┴".join("─" * x for x in w) + "┘"
    head = "┃" + _b(f" {'Layer (type)':<{w[0] - 2}} ") + "┃" + _b(f" {'Output Shape':<{w[1] - 2}} ") + "┃" + _b(f" {'Param #':>{w[2] - 2}} ") + "┃"
    rows = [top, head, mid]
    for i, (name, kind, shape, params) in enumerate(layers):
        label = f"{name} (\x1b[38;5;33m{kind}\x1b[0m)"
        pad = " " * (w[0] - 2 - len(f"{name} ({kind})"))
        shape_ansi = shape.replace("None", "\x1b[38;5;45mNone\x1b[0m")
        pad2 = " " * (w[1] - 2 - len(shape))
        num = f"{params:,}"
        rows.append(f"│ {label}{pad} │ {shape_ansi}{pad2} │ {' ' * (w[2] - 2 - len(num))}\x1b[38;5;34m{num}\x1b[0m │")
        rows.append(bottom if i == len(layers) - 1 else sep)
    table = "\n".join(rows) + "\n"
    pre = '<pre style="white-space:pre;overflow-x:auto;line-height:normal;font-family:Menlo,\'DejaVu Sans Mono\',consolas,\'Courier New\',monospace">'

    def html(text: str) -> str:
        clean = re.sub(r"\x1b\[[0-9;]*m", "", text)
        return pre + clean.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") + "</pre>\n"

    lines = [
        _b(f'Model: "{model}"') + "\n",
        table,
        _b(" Total params: ") + f"\x1b[38;5;34m{total:,}\x1b[0m ({_kb(total)})\n",
        _b(" Trainable params: ") + f"\x1b[38;5;34m{total:,}\x1b[0m ({_kb(total)})\n",
        _b(" Non-trainable params: ") + "\x1b[38;5;34m0\x1b[0m (0.00 B)\n",
    ]
    return [display(plain=t, html=html(t)) for t in lines]


def _metric_text(values: dict[str, float], keras3: bool) -> str:
    names = sorted(values) if keras3 else list(values)
    return " - ".join(f"{k}: {values[k]:.4f}" for k in names)


def fit_log(history: dict[str, list[float]], steps: int = 750, keras3: bool = True, ms_per_step: int = 3) -> str:
    """The stdout of ``model.fit(..., verbose=1)`` as saved in a notebook (final bar of each epoch)."""
    epochs = len(history["loss"])
    out = []
    for e in range(epochs):
        values = {k: v[e] for k, v in history.items()}
        secs = max(1, steps * ms_per_step // 1000)
        out.append(f"Epoch {e + 1}/{epochs}")
        if keras3:
            out.append(f"\x1b[1m{steps}/{steps}\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
                       f"\x1b[1m{secs}s\x1b[0m {ms_per_step}ms/step - {_metric_text(values, True)}")
        else:
            out.append(f"{steps}/{steps} [==============================] - {secs}s {ms_per_step}ms/step - "
                       f"{_metric_text(values, False)}")
    return "\n".join(out) + "\n"


def evaluate_line(loss: float, acc: float, keras3: bool = True, steps: int = 313) -> str:
    if keras3:
        return (f"\x1b[1m{steps}/{steps}\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m1s\x1b[0m "
                f"2ms/step - accuracy: {acc:.4f} - loss: {loss:.4f}\n")
    return f"{steps}/{steps} [==============================] - 1s 2ms/step - loss: {loss:.4f} - accuracy: {acc:.4f}\n"


def png(seed: int, width: int = 8, height: int = 4) -> str:
    """A small valid PNG (base64) whose pixels depend on the seed: equal seeds give equal images."""
    rnd = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(rnd.randrange(256) for _ in range(width * 3)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode("ascii") + "\n"


def figure_output(seed: int, axes: int = 2, size: str = "1200x400") -> dict[str, Any]:
    return display(plain=f"<Figure size {size} with {axes} Axes>", png=png(seed))


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
                    final_acc: float, print_history: bool, var: str = "model", result: str = "result") -> tuple[list[dict], dict]:
    layers = dense_stack(units, dropout_after=dropout_after)
    summary = keras3_summary(layers) if keras3 else [stream(keras2_summary(layers))]
    history = make_history(epochs, seed, dropout=dropout_after is not None, final_acc=final_acc)
    cells = [
        code("from tensorflow.keras.models import Sequential\nfrom tensorflow.keras.layers import Dense, Dropout\n"
             + _model_code(units, dropout_after, var), summary),
        code(f"{result} = {var}.fit(x_train, y_train, epochs={epochs}, batch_size=64, validation_split=0.2)",
             [stream(fit_log(history, keras3=keras3))]),
    ]
    if print_history:
        cells.append(code(f"print({result}.history)", [stream(repr(history) + "\n")]))
    return cells, history


def _evaluate_cell(acc: float, seed: int, keras3: bool, var: str = "model") -> dict:
    rnd = random.Random(seed)
    acc32 = f32(round(acc * 10000) / 10000)
    loss = f32(0.08 + (1 - acc) * 2 + rnd.uniform(0, 0.01))
    return code(f"score = {var}.evaluate(x_test, y_test)\nprint('Test loss:', score[0])\nprint('Test accuracy:', score[1])",
                [stream(evaluate_line(loss, acc32, keras3) + f"Test loss: {loss!r}\nTest accuracy: {acc32!r}\n")])


def submission(assignment: str, seed: int = 0, keras3: bool = True, gpu: bool = True, accuracy: float | None = None,
               epochs: int | None = None) -> dict[str, Any]:
    """A complete, plausible student notebook for one of the four course assignments."""
    if assignment == "perceptron":
        return _perceptron(seed)
    defaults = {"mlp": ([32, 10], 30, 0.965, LOAD_MNIST), "history": ([128, 10], 50, 0.885, LOAD_FASHION),
                "dropout": ([128, 64, 32, 10], 50, 0.885, LOAD_FASHION)}
    units, default_epochs, default_acc, load = defaults[assignment]
    epochs = epochs or default_epochs
    acc = accuracy if accuracy is not None else default_acc
    gpu_cell = code("import tensorflow as tf\nprint(tf.config.list_physical_devices('GPU'))",
                    [stream(GPU_DEVICES if gpu else "[]\n")])
    cells = [markdown(f"# 課題 {assignment}"), gpu_cell, code(load, [])]
    if assignment == "dropout":
        base, _ = _training_cells(units, epochs, seed, keras3, None, acc - 0.005, False)
        drop, _ = _training_cells(units, epochs, seed + 1, keras3, 0, acc, False, var="model2", result="result2")
        cells += base + [_evaluate_cell(acc - 0.005, seed, keras3)] + drop
        cells.append(code(PLOT.replace("result.", "result2."), [figure_output(seed)]))
        cells.append(_evaluate_cell(acc, seed + 1, keras3, var="model2"))
    else:
        train, history = _training_cells(units, epochs, seed, keras3, None, acc, assignment == "history")
        cells += train + [code(PLOT, [figure_output(seed)])]
        if assignment == "history":
            best = min(range(epochs), key=history["val_loss"].__getitem__) + 1
            cells.append(code("import numpy as np\nprint('best epoch:', int(np.argmin(result.history['val_loss'])) + 1)",
                              [stream(f"best epoch: {best}\n")]))
        cells.append(_evaluate_cell(acc, seed, keras3))
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
