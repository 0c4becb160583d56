"""Keras output texts as real runs print them (summaries, fit logs, evaluate lines, numbers). Standard library only."""
from __future__ import annotations

import math
import random
import re
import struct
from collections.abc import Sequence
from typing import Any

from autograder.testing.cells import display

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
            verbose: int = 1, updates: int = 0, seed: int = 0, headers: bool = True) -> str:
    """The stdout of ``model.fit(..., verbose=1)`` as saved in a notebook (final bar of each epoch).

    ``headers=False`` leaves out the ``Epoch i/N`` lines, as tf.keras ≥ 2.2 and Keras 3 do for ``epochs=1``.

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
        if headers:
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


def callback_log(monitored: Sequence[float], patience: int | None = None, monitor: str = "val_loss",
                 padded: bool = False, restore: bool = True, keras3: bool = False, checkpoint: bool = True,
                 reduce_lr: Sequence[int] = (), path: str = "best.h5") -> str:
    """The stdout of ``model.fit(..., verbose=0, callbacks=[ModelCheckpoint(save_best_only=True, verbose=1),
    EarlyStopping(patience=…, restore_best_weights=…, verbose=1), ReduceLROnPlateau(verbose=1)])``: each line
    printed after a newline, as the callbacks do. ``monitored`` are the monitored values per epoch; training
    stops early once ``patience`` epochs pass without improvement. ``padded``: tf.keras < 2.9's ``Epoch 00012:``.
    ``keras3`` prints "Restoring …" after "early stopping" (tf.keras 2 before it)."""
    out: list[str] = []
    best, best_epoch, wait = math.inf, 0, 0

    def epoch_no(e: int) -> str:
        return f"{e:05d}" if padded else str(e)

    stopped = None
    for i, value in enumerate(monitored):
        e = i + 1
        if e in reduce_lr:
            out.append(f"\nEpoch {epoch_no(e)}: ReduceLROnPlateau reducing learning rate to 0.0001.\n")
        if value < best:
            if checkpoint:
                out.append(f"\nEpoch {epoch_no(e)}: {monitor} improved from {best:.5f} to {value:.5f}, "
                           f"saving model to {path}\n")
            best, best_epoch, wait = value, e, 0
        else:
            wait += 1
            if checkpoint:
                out.append(f"\nEpoch {epoch_no(e)}: {monitor} did not improve from {best:.5f}\n")
            if patience is not None and wait >= patience:
                stopped = e
                break
    if stopped is not None:
        restoring = f"Restoring model weights from the end of the best epoch: {best_epoch}.\n" if restore else ""
        early = f"Epoch {epoch_no(stopped)}: early stopping\n"
        out.append(early + restoring if keras3 else restoring + early)
    return "".join(out)
