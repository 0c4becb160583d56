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
from collections.abc import Callable, Iterable, Sequence
from typing import Any

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


def keras2_summary(layers: Sequence[Layer], model: str = "sequential", variant: str = "2.2") -> str:
    """A plain-text summary. ``variant``: "2.0" (no ``Model:`` line), "2.2" (tf.keras ≤ 2.8: ``_`` rules between
    rows), "2.12" (tf.keras 2.9–2.12: rows start with a space, blank spacer rows, long cells wrapped) or "2.15"
    (TF 2.13–2.15: as 2.12, cells cut one character earlier, totals ``23466 (91.66 KB)`` without commas)."""
    if variant in ("2.12", "2.15"):
        return _keras2_wrapped_summary(layers, model, variant)
    total = sum(p for *_, p in layers)
    rows = [] if variant == "2.0" else [f'Model: "{model}"']
    rows += ["_" * 65, f"{'Layer (type)':<29}{'Output Shape':<26}{'Param #':<10}", "=" * 65]
    for i, (name, kind, shape, params) in enumerate(layers):
        rows.append(f"{name + ' (' + kind + ')':<29}{shape:<26}{params:<10}")
        rows.append("=" * 65 if i == len(layers) - 1 else "_" * 65)
    rows += [f"Total params: {total:,}", f"Trainable params: {total:,}", "Non-trainable params: 0", "_" * 65]
    return "\n".join(rows) + "\n"


def _keras2_row(fields: Sequence[str], cut: int) -> list[str]:
    """``print_row`` of tf.keras 2.9–2.15 for a Sequential model (columns end at 29, 55 and 65): each cell is
    cut into pieces that fit its column (``cut`` 0 in 2.9–2.12, 1 in 2.13–2.15) and continued on the next lines."""
    positions = (29, 55, 65)
    left = [str(f) for f in fields]
    lines = []
    while any(left):
        line = ""
        for col, end in enumerate(positions):
            start = positions[col - 1] if col else 0
            space = 2 if col != len(positions) - 1 else 0
            cutoff = end - start - space - (cut if col != len(positions) - 1 else 0)
            piece = left[col][:cutoff]
            breaks = [piece.find(x) + len(x) for x in ("),", "},", "],", "',") if piece.find(x) >= 0]
            if breaks:
                cutoff = min(breaks)
                piece = piece[:cutoff]
            if col == 0:
                line += " "
            line += piece + " " * space
            left[col] = left[col][cutoff:]
            line += " " * (end - len(line))
        lines.append(line)
    return lines


def readable_size(size: float, zero: str = "B") -> str:
    """Keras' ``readable_memory_size``: ``91.66 KB``; the unit of sizes under 1 KB is ``zero`` ("Byte" in 2.15)."""
    for unit in (zero, "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def _keras2_wrapped_summary(layers: Sequence[Layer], model: str, variant: str) -> str:
    cut = 1 if variant == "2.15" else 0
    total = sum(p for *_, p in layers)
    rows = [f'Model: "{model}"', "_" * 65, *_keras2_row(("Layer (type)", "Output Shape", "Param #"), cut), "=" * 65]
    for name, kind, shape, params in layers:
        rows += _keras2_row((f"{name} ({kind})", shape, str(params)), cut)
        rows.append(" " * 65)
    rows[-1] = "=" * 65
    if variant == "2.15":
        size = readable_size(total * 4, "Byte")
        rows += [f"Total params: {total} ({size})", f"Trainable params: {total} ({size})",
                 "Non-trainable params: 0 (0.00 Byte)"]
    else:
        rows += [f"Total params: {total:,}", f"Trainable params: {total:,}", "Non-trainable params: 0"]
    rows.append("_" * 65)
    return "\n".join(rows) + "\n"


def _b(s: str) -> str:
    return f"\x1b[1m{s}\x1b[0m"


def _kb(params: int) -> str:
    return readable_size(params * 4)


def keras3_summary(layers: Sequence[Layer], model: str = "sequential") -> list[dict[str, Any]]:
    """Five display_data outputs, each with ANSI text/plain and text/html, as Keras 3 writes them."""
    total = sum(p for *_, p in layers)
    w = (33, 24, 15)
    top = "┏" + "┳".join("━" * x for x in w) + "┓"
    mid = "┡" + "╇".join("━" * x for x in w) + "┩"
    sep = "├" + "┼".join("─" * x for x in w) + "┤"
    bottom = "└" + "┴".join("─" * x for x in w) + "┘"
    head = ("┃" + _b(f" {'Layer (type)':<{w[0] - 2}} ") + "┃" + _b(f" {'Output Shape':<{w[1] - 2}} ") + "┃"
            + _b(f" {'Param #':>{w[2] - 2}} ") + "┃")
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
    pre = ('<pre style="white-space:pre;overflow-x:auto;line-height:normal;'
           'font-family:Menlo,\'DejaVu Sans Mono\',consolas,\'Courier New\',monospace">')

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


def fit_log(history: dict[str, list[float]], steps: int = 750, keras3: bool = True, ms_per_step: int = 3,
            verbose: int = 1, updates: int = 0, seed: int = 0) -> str:
    """The stdout of ``model.fit(..., verbose=1)`` as saved in a notebook (final bar of each epoch).

    ``verbose=2`` gives one line per epoch (Keras 3: ``750/750 - 2s - 3ms/step - accuracy: …``; tf.keras 2:
    ``750/750 - 2s - loss: … - 2s/epoch - 3ms/step``). ``updates`` > 0 stores, before each final bar, that
    many intermediate bars the way a progress bar writes them to a notebook: the previous bar erased with
    ``\\b`` characters, then ``\\r`` (as Keras 2.1 notebooks saved them: long raw logs)."""
    epochs = len(history["loss"])
    rnd = random.Random(seed)
    out = []
    secs = max(1, steps * ms_per_step // 1000)
    for e in range(epochs):
        values = {k: v[e] for k, v in history.items()}
        out.append(f"Epoch {e + 1}/{epochs}")
        if verbose == 2:
            if keras3:
                out.append(f"{steps}/{steps} - {secs}s - {ms_per_step}ms/step - {_metric_text(values, True)}")
            else:
                out.append(f"{steps}/{steps} - {secs}s - {_metric_text(values, False)} - {secs}s/epoch - "
                           f"{ms_per_step}ms/step")
            continue
        if keras3:
            final = (f"\x1b[1m{steps}/{steps}\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
                     f"\x1b[1m{secs}s\x1b[0m {ms_per_step}ms/step - {_metric_text(values, True)}")
        else:
            final = (f"{steps}/{steps} [==============================] - {secs}s {ms_per_step}ms/step - "
                     f"{_metric_text(values, False)}")
        pieces: list[str] = []
        prev = None
        for u in range(updates):
            done = max(1, steps * (u + 1) // (updates + 1))
            partial = {k: v + rnd.uniform(-0.05, 0.05) for k, v in values.items() if not k.startswith("val_")}
            width = len(str(steps))
            if keras3:
                bar = int(20 * done / steps)
                text = (f"\x1b[1m{done:>{width}}/{steps}\x1b[0m \x1b[32m{'━' * bar}\x1b[0m\x1b[37m{'━' * (20 - bar)}\x1b[0m "
                        f"\x1b[1m{secs}s\x1b[0m {ms_per_step}ms/step - {_metric_text(partial, True)}")
            else:
                bar = int(30 * done / steps)
                arrow = "=" * max(0, bar - 1) + ">" + "." * (30 - bar) if bar < 30 else "=" * 30
                text = f"{done:>{width}}/{steps} [{arrow}] - ETA: {secs}s - {_metric_text(partial, False)}"
            if prev is not None:
                pieces.append("\x08" * len(prev) + "\r")
            pieces += [text]
            prev = text
        if prev is not None:
            pieces.append("\x08" * len(prev) + "\r")
        out.append("".join(pieces) + final)
    return "\n".join(out) + "\n"


def evaluate_line(loss: float, acc: float, keras3: bool = True, steps: int = 313, verbose: int = 1) -> str:
    if verbose == 2:
        if keras3:
            return f"{steps}/{steps} - 1s - 2ms/step - accuracy: {acc:.4f} - loss: {loss:.4f}\n"
        return f"{steps}/{steps} - 1s - loss: {loss:.4f} - accuracy: {acc:.4f} - 545ms/epoch - 2ms/step\n"
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


def _png_bytes(raw: bytes, width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


_Put = Callable[..., None]


def _draw_frame(put: _Put, box: tuple[int, int, int, int]) -> None:
    """The axes box and its ticks, in black."""
    x0, x1, y0, y1 = box
    for x in range(x0, x1 + 1):
        put(x, y0, (0, 0, 0))
        put(x, y1, (0, 0, 0))
    for y in range(y0, y1 + 1):
        put(x0, y, (0, 0, 0))
        put(x1, y, (0, 0, 0))
    for k in range(6):  # ticks
        tx, ty = x0 + (x1 - x0) * k // 5, y0 + (y1 - y0) * k // 5
        for d in range(4):
            put(tx, y1 + d, (0, 0, 0))
            put(x0 - d, ty, (0, 0, 0))


def _random_walk(rnd: random.Random) -> list[float]:
    v, values = rnd.random(), []
    for _ in range(30):
        v = min(1.0, max(0.0, v + rnd.uniform(-0.1, 0.1)))
        values.append(v)
    return values


def _draw_curve(put: _Put, box: tuple[int, int, int, int], values: Sequence[float], rgb: tuple[int, int, int]) -> None:
    """One anti-aliased line through ``values``, scaled to the box."""
    x0, x1, y0, y1 = box
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    for x in range(x0 + 1, x1):
        t = (x - x0) / (x1 - x0) * (len(values) - 1)
        j = min(int(t), len(values) - 2)
        v = values[j] + (values[j + 1] - values[j]) * (t - j)
        y = y1 - 4 - (v - lo) / span * (y1 - y0 - 8)
        base, frac = int(y), y - int(y)
        put(x, base - 1, rgb, 1 - frac)
        put(x, base, rgb)
        put(x, base + 1, rgb)
        put(x, base + 2, rgb, frac)


def plot_png(seed: int, kb: float = 40, axes: int = 2, width: int = 864, height: int = 288,
             series: Sequence[Sequence[float]] | None = None) -> str:
    """A learning-curve-like PNG (base64) of about ``kb`` KB, the size of a real Colab figure (20–60 KB for
    ``figsize=(12, 4)``): white axes boxes, two anti-aliased curves per axes (``series`` or a random walk),
    and text-like grey glyph blocks (tick labels, legend) that make up the rest of the size. Equal
    arguments give equal images; a different seed gives a different image."""
    rnd = random.Random(seed)
    row = width * 3
    img = bytearray(b"\xff") * (row * height)

    def put(x: int, y: int, rgb: tuple[int, int, int], alpha: float = 1.0) -> None:
        if 0 <= x < width and 0 <= y < height:
            i = y * row + x * 3
            for c in range(3):
                img[i + c] = int(img[i + c] * (1 - alpha) + rgb[c] * alpha)

    boxes = []
    for a in range(axes):
        box = (int(width * a / axes) + 48, int(width * (a + 1) / axes) - 12, 12, height - 30)
        boxes.append(box)
        _draw_frame(put, box)
        for c, rgb in enumerate(((31, 119, 180), (255, 127, 14))):
            values = list(series[(2 * a + c) % len(series)]) if series else []
            if len(values) < 2:
                values = _random_walk(rnd)
            _draw_curve(put, box, values, rgb)
    def raw_rows() -> bytes:
        return b"".join(b"\x00" + bytes(img[y * row:(y + 1) * row]) for y in range(height))

    data = _png_bytes(raw_rows(), width, height)
    missing = int(kb * 1024) - len(data)
    greys = bytes(range(0, 256, 16)) * 16  # anti-aliased text has a few grey levels
    while missing > 256:
        # glyph blocks in the margins and legends: ~1 byte of compressed data per grey pixel
        pixels = 0
        while pixels < missing * 0.9:
            bw, bh = rnd.randint(5, 9), rnd.randint(8, 11)
            x0, x1, y0, y1 = boxes[rnd.randrange(len(boxes))]
            where = rnd.random()
            x = rnd.randint(x0 - 44, x0 - 10) if where < 0.3 else rnd.randint(x0, x1 - bw)
            y = rnd.randint(y1 + 6, height - bh - 1) if 0.3 <= where < 0.6 else rnd.randint(y0, y1 - bh)
            for dy in range(bh):
                line = rnd.randbytes(bw).translate(greys)
                i = (y + dy) * row + x * 3
                for c in range(3):
                    img[i + c:i + c + bw * 3:3] = line
            pixels += bw * bh
        data = _png_bytes(raw_rows(), width, height)
        missing = int(kb * 1024) - len(data)
    return base64.b64encode(data).decode("ascii") + "\n"


def figure_output(seed: int, axes: int = 2, size: str = "1200x400", kb: float | None = None,
                  series: Sequence[Sequence[float]] | None = None) -> dict[str, Any]:
    """A matplotlib figure output; ``kb`` gives it a realistic learning-curve PNG of about that size
    (``plot_png``) instead of a tiny 8×4 image."""
    image = png(seed) if kb is None else plot_png(seed, kb, axes, series=series)
    return display(plain=f"<Figure size {size} with {axes} Axes>", png=image)


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
