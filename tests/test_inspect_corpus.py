"""``autograder inspect --json`` on real notebooks of ../shared/corpus/real/, against entries written by hand.

Every expected entry below was written by reading the notebook's JSON directly (raw outputs, sources and
execution counts printed with a few lines of Python), never by running our parsers. Each test runs the real
command (``autograder.cli.main(["inspect", path, "--json"])``) and compares the whole entry with ``==``.

Reading notes that decide a value are kept next to the entry, so that a later reader can check them against
the notebook. The cell numbers are indexes in the notebook's ``cells`` list (markdown cells count).
"""
from __future__ import annotations

import json

import pytest

from autograder.cli import main
from autograder.pipeline import inspect_file


def L(name: str, type_: str, shape: str, params: int) -> dict:
    return {"name": name, "type": type_, "output_shape": shape, "params": params}


def S(cell: int, model: str | None, total: int, layers: list, trainable: int | None = None,
      non_trainable: int | None = 0) -> dict:
    return {"cell": cell, "model": model, "total_params": total,
            "trainable_params": total if trainable is None else trainable,
            "non_trainable_params": non_trainable, "layers": layers}


def F(cell: int, run: int, arg: int | None, last: dict) -> dict:
    """A fit whose every epoch shows the metrics of ``last`` (in printed order)."""
    return {"cell": cell, "source": "log", "epochs_run": run, "epochs_arg": arg, "metrics": list(last), "last": last}


def E(cell: int, source: str, text: str, accuracy: float | None = None, loss: float | None = None) -> dict:
    return {"cell": cell, "source": source, "accuracy": accuracy, "loss": loss, "text": text}


def G(kind: str, cell: int | None, text: str) -> dict:
    return {"kind": kind, "cell": cell, "text": text}


def FIG(cell: int, axes: int | None) -> dict:
    return {"cell": cell, "axes": axes}


def X(code: int, executed: int, errors: int, out_of_order: bool) -> dict:
    return {"code_cells": code, "executed_cells": executed, "errors": errors, "out_of_order": out_of_order}


K2_MLP_932 = [L("dense", "Dense", "(None, 512)", 401920), L("dropout", "Dropout", "(None, 512)", 0),
              L("dense_1", "Dense", "(None, 512)", 262656), L("dropout_1", "Dropout", "(None, 512)", 0),
              L("dense_2", "Dense", "(None, 512)", 262656), L("dropout_2", "Dropout", "(None, 512)", 0),
              L("dense_3", "Dense", "(None, 10)", 5130)]
MNIST_128 = [L("flatten", "Flatten", "(None, 784)", 0), L("dense", "Dense", "(None, 128)", 100480),
             L("dense_1", "Dense", "(None, 10)", 1290)]

EXPECTED: dict[str, dict] = {}

# Colab, accelerator: GPU, every execution_count null although all four code cells show outputs.
# `epochs=epochs` in cell 3 resolves to `epochs = 10 #20` of cell 1. The download bar of cell 1 is no evaluation
# (the cell does not call evaluate). GPU only from metadata.
EXPECTED["colab_gpu_mnist_mlp_minimal_null_exec_counts"] = {
    "keras": "2",
    "summaries": [S(2, "sequential", 932362, K2_MLP_932)],
    "fits": [F(3, 10, 10, {"loss": 0.0478, "accuracy": 0.9877, "val_loss": 0.1127, "val_accuracy": 0.9814})],
    "history_keys": ["loss", "accuracy", "val_loss", "val_accuracy"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(4, "print", "Test accuracy: 0.9814000129699707", accuracy=0.9814000129699707)],
    "test_accuracy": 0.9814000129699707,
    "figures": [],
    "gpu": {"verdict": "gpu", "signals": [G("metadata.accelerator", None, "accelerator: GPU")]},
    "execution": X(4, 4, 0, False),
}

# Keras 0.3 on Theano (2016): `nb_epoch=4`, sample counters without a per-step time, no summary() at all.
# `Test score:` is a loss. The predict_classes bar of cell 22 is no evaluation. Figures are the old
# `<matplotlib.figure.Figure at 0x…>` reprs: images without an axes count.
EXPECTED["keras_theano_2016_mnist_mlp_tutorial"] = {
    "keras": "1",
    "summaries": [],
    "fits": [F(18, 4, 4, {"loss": 0.0557, "acc": 0.9816, "val_loss": 0.0642, "val_acc": 0.9805})],
    "history_keys": ["loss", "acc", "val_loss", "val_acc"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(20, "print", "Test score: 0.0642029843267", loss=0.0642029843267),
                    E(20, "print", "Test accuracy: 0.9805", accuracy=0.9805)],
    "test_accuracy": 0.9805,
    "figures": [FIG(8, None), FIG(23, None), FIG(23, None)],
    "gpu": {"verdict": "unknown", "signals": []},
    "execution": X(12, 12, 0, False),
}

# Standalone Keras 2.0: the plain summary (no `Model:` line) makes it "2" although the fit counts samples
# without a per-step time. Cell 16 shows an unfinished evaluate bar (`8960/10000 … ETA: 0s`, not complete) and
# the displayed `[loss, acc]` value of `mlp.evaluate(...)`. Counts 1, 2, 3, 4, 14, 7, … are out of order.
EXPECTED["jp_mnist_mlp_keras2_summary_history"] = {
    "keras": "2",
    "summaries": [S(7, None, 397510, [L("input_1", "InputLayer", "(None, 784)", 0),
                                      L("dense_1", "Dense", "(None, 500)", 392500),
                                      L("dense_2", "Dense", "(None, 10)", 5010)])],
    "fits": [F(12, 30, 30, {"loss": 0.0063, "acc": 0.9982, "val_loss": 0.1056, "val_acc": 0.9845})],
    "history_keys": ["loss", "acc", "val_loss", "val_acc"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(16, "value", "[0.120176409252216, 0.98170000000000002]", accuracy=0.9817, loss=0.120176409252216)],
    "test_accuracy": 0.9817,
    "figures": [FIG(14, None), FIG(15, None), FIG(17, None)],
    "gpu": {"verdict": "unknown", "signals": []},
    "execution": X(12, 11, 0, True),
}

# Udacity: `Test accuracy: 12.7800%` (cell 16) is printed BEFORE training; the notebook's test accuracy is the
# last one after the fit of cell 18: cell 23's `Testing Accuracy: 0.9786` (its `Training Accuracy` is not a
# test result; its two evaluate bars stop at `ETA: 0s`, unfinished).
EXPECTED["udacity_mnist_mlp_dropout_keras2_tfbackend"] = {
    "keras": "2",
    "summaries": [S(12, None, 669706, [L("flatten_3", "Flatten", "(None, 784)", 0),
                                       L("dense_7", "Dense", "(None, 512)", 401920),
                                       L("dropout_5", "Dropout", "(None, 512)", 0),
                                       L("dense_8", "Dense", "(None, 512)", 262656),
                                       L("dropout_6", "Dropout", "(None, 512)", 0),
                                       L("dense_9", "Dense", "(None, 10)", 5130)])],
    "fits": [F(18, 10, 10, {"loss": 0.0261, "acc": 0.9924, "val_loss": 0.1101, "val_acc": 0.9797})],
    "history_keys": ["loss", "acc", "val_loss", "val_acc"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(16, "print", "Test accuracy: 12.7800%", accuracy=0.1278),
                    E(22, "print", "Test accuracy: 97.8600%", accuracy=0.9786),
                    E(23, "print", "Testing Accuracy: 0.9786", accuracy=0.9786)],
    "test_accuracy": 0.9786,
    "figures": [FIG(3, None), FIG(5, None)],
    "gpu": {"verdict": "unknown", "signals": []},
    "execution": X(14, 13, 0, False),
}

# Windows CPU (TF 2.10, conda kernel "deeplearning", saved by VS Code). Cell 0's visible result is the build info
# `OrderedDict([('is_cuda_build', False), …])`: a CPU build. Counts [2, 1]. One cell does everything: two
# figures, the fit, a verbose=2 evaluate line and the Korean `테스트 정확도:` print.
EXPECTED["korean_cpu_windows_fashion_mnist_gpu_check_out_of_order"] = {
    "keras": "2",
    "summaries": [],
    "fits": [F(1, 5, 5, {"loss": 0.2921, "accuracy": 0.8920})],
    "history_keys": ["loss", "accuracy"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(1, "progress", "313/313 - 1s - loss: 0.3755 - accuracy: 0.8669 - 545ms/epoch - 2ms/step",
                      accuracy=0.8669, loss=0.3755),
                    E(1, "print", "테스트 정확도: 0.8669000267982483", accuracy=0.8669000267982483)],
    "test_accuracy": 0.8669000267982483,
    "figures": [FIG(1, 2), FIG(1, 25)],
    "gpu": {"verdict": "cpu", "signals": [
        G("metadata.local_kernel", None, "kernelspec.display_name: deeplearning; language_info.version: 3.8.16"),
        G("metadata.local_kernel", None, "vscode: saved by VS Code"),
        G("cuda_build", 0, "OrderedDict([('is_cuda_build', False),"),
    ]},
    "execution": X(2, 2, 0, True),
}

# TF 2.15 transitional summary (`Total params: 23466 (91.66 KB)`, the type wrapped as `MaxPooling2` / `D)`),
# every execution_count null; cell 2 has neither count nor output (not executed). Cell 4 shows the evaluate bar
# and `print(score[1])`, whose value is the displayed result of the evaluate call: "value" wins over "progress".
# Cell 5's `313/313 … 9ms/step` is predict (no evaluate call there). 151 ms/step on Colab without accelerator
# metadata is too fast for the step-time rule (≥ 1 s/step): no GPU evidence either way.
EXPECTED["tf215_colab_mnist_cnn_student_null_exec_counts"] = {
    "keras": "2",
    "summaries": [S(1, "sequential", 23466, [L("conv2d", "Conv2D", "(None, 24, 24, 16)", 416),
                                             L("max_pooling2d", "MaxPooling2D", "(None, 12, 12, 16)", 0),
                                             L("flatten", "Flatten", "(None, 2304)", 0),
                                             L("dense", "Dense", "(None, 10)", 23050)])],
    "fits": [F(3, 10, 10, {"loss": 0.0171, "accuracy": 0.9943})],
    "history_keys": ["loss", "accuracy"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(4, "progress", "313/313 [==============================] - 2s 7ms/step - loss: 0.1031 - accuracy: 0.9802",
                      accuracy=0.9802, loss=0.1031),
                    E(4, "value", "0.9801999926567078", accuracy=0.9801999926567078)],
    "test_accuracy": 0.9801999926567078,
    "figures": [FIG(5, 1), FIG(5, 1)],
    "gpu": {"verdict": "unknown", "signals": []},
    "execution": X(5, 4, 0, False),
}

# Keras 3 on a local anaconda kernel with CUDA_VISIBLE_DEVICES='' (`failed call to cuInit` in cells 5, 8 and 17).
# Only 5 of 21 code cells ran (cells 0, 1, 3, 6, … are prose pasted into code cells), counts 2, 1, 1, 2, 1.
# Cell 8 trains five models with early stopping (13, 7, 10, 14, 15 epochs shown), cell 11 four (12 each), cell 17
# fifteen silently (verbose=0). `epochs=epochs` reads the function's own `epochs = 15` (cell 8) and
# `epochs = 12` (cell 11), bound a few lines above the fit in the same function, as Python would; the name has
# other bindings elsewhere (cell 17), which must not hide the local one. Every `Test Accuracy:` line is a labelled
# test result (also the `• Test Accuracy: 97.85%` summary lines); `Training Accuracy` and
# `Log(Parameters) vs Test Accuracy: 0.731` are not.
_K3XLA_CUINIT = "failed call to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)"


def _k3(acc: float, loss: float, val_acc: float, val_loss: float) -> dict:
    return {"accuracy": acc, "loss": loss, "val_accuracy": val_acc, "val_loss": val_loss}


def _tacc(cell: int, value: str, pct: str, bullet: bool = False) -> dict:
    text = f"{'• ' if bullet else ''}Test Accuracy: {value} ({pct}%)"
    return E(cell, "print", text, accuracy=float(value))


def _tpct(cell: int, pct: str, label: str = "• Test Accuracy") -> dict:
    return E(cell, "print", f"{label}: {pct}%", accuracy=float("0." + pct.replace(".", "")))  # "97.85" -> 0.9785


EXPECTED["keras3_mnist_mlp_dropout_analysis_tf_xla_logs"] = {
    "keras": "3",
    "summaries": [S(5, "sequential", 101770, MNIST_128)],
    "fits": [
        F(5, 10, 10, _k3(0.9911, 0.0347, 0.9778, 0.0727)),
        F(8, 13, 15, _k3(0.9965, 0.0139, 0.9770, 0.0935)),
        F(8, 7, 15, _k3(0.9881, 0.0379, 0.9770, 0.0938)),
        F(8, 10, 15, _k3(0.9713, 0.1060, 0.9762, 0.0855)),
        F(8, 14, 15, _k3(0.9724, 0.1080, 0.9767, 0.0960)),
        F(8, 15, 15, _k3(0.9664, 0.1435, 0.9760, 0.1016)),
        F(11, 12, 12, _k3(0.9815, 0.0628, 0.9753, 0.0914)),
        F(11, 12, 12, _k3(0.9920, 0.0295, 0.9772, 0.0748)),
        F(11, 12, 12, _k3(0.9964, 0.0181, 0.9807, 0.0728)),
        F(11, 12, 12, _k3(0.9971, 0.0144, 0.9787, 0.0751)),
    ],
    "history_keys": ["accuracy", "loss", "val_accuracy", "val_loss"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [
        _tacc(5, "0.9779", "97.79"),
        E(5, "print", "Final Test Accuracy: 0.9779 (97.79%)", accuracy=0.9779),
        _tacc(8, "0.9785", "97.85"), _tacc(8, "0.9728", "97.28"), _tacc(8, "0.9727", "97.27"),
        _tacc(8, "0.9719", "97.19"), _tacc(8, "0.9708", "97.08"),
        _tpct(8, "97.85"), _tpct(8, "97.08"), _tpct(8, "97.85", "Best test accuracy"),
        _tacc(11, "0.9682", "96.82", True), _tacc(11, "0.9751", "97.51", True),
        _tacc(11, "0.9774", "97.74", True), _tacc(11, "0.9775", "97.75", True),
        _tpct(11, "97.75"), _tpct(11, "96.82"), _tpct(11, "96.82"), _tpct(11, "96.82"),
        _tpct(11, "97.75", "Best test accuracy"),
        _tacc(17, "0.9590", "95.90"), _tacc(17, "0.9655", "96.55"), _tacc(17, "0.9747", "97.47"),
        _tacc(17, "0.9767", "97.67"), _tacc(17, "0.9754", "97.54"), _tacc(17, "0.9769", "97.69"),
        _tacc(17, "0.9805", "98.05"), _tacc(17, "0.9786", "97.86"), _tacc(17, "0.9829", "98.29"),
        _tacc(17, "0.9815", "98.15"), _tacc(17, "0.9821", "98.21"), _tacc(17, "0.9818", "98.18"),
        _tacc(17, "0.9788", "97.88"), _tacc(17, "0.9806", "98.06"), _tacc(17, "0.9817", "98.17"),
        _tpct(17, "98.29", "Best test accuracy"),
    ],
    "test_accuracy": 0.9829,
    "figures": [FIG(5, 2), FIG(8, 6), FIG(11, 6), FIG(17, 6)],
    "gpu": {"verdict": "cpu", "signals": [
        G("metadata.local_kernel", None, "kernelspec.display_name: anaconda-2024.02-py310; language_info.version: 3.10.14"),
        G("cuda_error", 5, _K3XLA_CUINIT), G("cuda_error", 8, _K3XLA_CUINIT), G("cuda_error", 17, _K3XLA_CUINIT),
    ]},
    "execution": X(21, 5, 0, True),
}

# Keras 3 on a local two-GPU server (no Colab metadata, kernel "Python 3 (ipykernel)"): the GPU is seen in the
# TF logs of cell 8 (`Created device …/device:GPU:0`) and cell 13 (XLA `StreamExecutor device (0)`; also
# `Loaded cuDNN version` and `initialized for platform CUDA`, the same kind and direction: one signal per cell).
# Stdout and stderr streams interleave in cells 13 and 19; partial bars are glued without a newline.
# `epochs = 10` (cell 13) is reused by cell 19.
EXPECTED["keras3_digit_classification_local_gpu_tf_logs"] = {
    "keras": "3",
    "summaries": [
        S(8, "sequential", 26506, [L("flatten", "Flatten", "(None, 784)", 0), L("dense", "Dense", "(None, 32)", 25120),
                                   L("dense_1", "Dense", "(None, 32)", 1056), L("dense_2", "Dense", "(None, 10)", 330)]),
        S(17, "sequential_1", 17578, [L("conv2d", "Conv2D", "(None, 26, 26, 32)", 320),
                                      L("max_pooling2d", "MaxPooling2D", "(None, 13, 13, 32)", 0),
                                      L("conv2d_1", "Conv2D", "(None, 11, 11, 32)", 9248),
                                      L("max_pooling2d_1", "MaxPooling2D", "(None, 5, 5, 32)", 0),
                                      L("flatten_1", "Flatten", "(None, 800)", 0),
                                      L("dropout", "Dropout", "(None, 800)", 0),
                                      L("dense_3", "Dense", "(None, 10)", 8010)]),
    ],
    "fits": [F(13, 10, 10, _k3(0.9732, 0.0929, 0.9685, 0.1029)),
             F(19, 10, 10, _k3(0.9827, 0.0533, 0.9898, 0.0365))],
    "history_keys": ["accuracy", "loss", "val_accuracy", "val_loss"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(15, "print", "Test loss: 0.1250554770231247", loss=0.1250554770231247),
                    E(15, "print", "Test accuracy: 0.9632999897003174", accuracy=0.9632999897003174),
                    E(21, "print", "Test loss: 0.0336548313498497", loss=0.0336548313498497),
                    E(21, "print", "Test accuracy: 0.9889000058174133", accuracy=0.9889000058174133)],
    "test_accuracy": 0.9889000058174133,
    "figures": [FIG(6, 25)],
    "gpu": {"verdict": "gpu", "signals": [
        G("metadata.local_kernel", None, "kernelspec.display_name: Python 3 (ipykernel); language_info.version: 3.12.3"),
        G("tf_log", 8, "Created device /job:localhost/replica:0/task:0/device:GPU:0 with 22233 MB memory:  -> device: 0, "
                       "name: NVIDIA RTX A5000, pci bus id: 0000:84:00.0, compute capability: 8.6"),
        G("tf_log", 13, "StreamExecutor device (0): NVIDIA RTX A5000, Compute Capability 8.6"),
    ]},
    "execution": X(10, 10, 0, False),
}

# TF "beginner" quickstart run in VS Code (Colab metadata without accelerator). Counts 1, 18, 3, … 46–59.
# Cell 21: verbose=2 evaluate line and the displayed list of `model.evaluate(...)`; cell 35 evaluates the
# Fashion-MNIST model after its fit (cell 34): only a progress line, the cell's last statement is a print.
EXPECTED["keras3_colab_beginner_mnist_out_of_order"] = {
    "keras": "3",
    "summaries": [S(5, "sequential", 101770, MNIST_128),
                  S(31, "sequential_6", 101770, [L("flatten_5", "Flatten", "(None, 784)", 0),
                                                 L("dense_10", "Dense", "(None, 128)", 100480),
                                                 L("dense_11", "Dense", "(None, 10)", 1290)])],
    "fits": [F(19, 5, 5, {"accuracy": 0.9850, "loss": 0.0452}), F(34, 10, 10, {"accuracy": 0.9235, "loss": 0.2008})],
    "history_keys": ["accuracy", "loss"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(21, "progress", "313/313 - 1s - 2ms/step - accuracy: 0.9754 - loss: 0.0796", accuracy=0.9754, loss=0.0796),
                    E(21, "value", "[0.07959365099668503, 0.9753999710083008]", accuracy=0.9753999710083008,
                      loss=0.07959365099668503),
                    E(35, "progress", "313/313 - 1s - 2ms/step - accuracy: 0.8832 - loss: 0.3463", accuracy=0.8832, loss=0.3463)],
    "test_accuracy": 0.8832,
    "figures": [FIG(3, 1), FIG(30, 1)],
    "gpu": {"verdict": "unknown", "signals": [
        G("metadata.local_kernel", None, "kernelspec.display_name: Python 3.9.9 ('uk259'); language_info.version: 3.9.9"),
        G("metadata.local_kernel", None, "vscode: saved by VS Code"),
    ]},
    "execution": X(19, 19, 0, True),
}

# Colab metadata says T4 GPU but the notebook was run on a local conda "base" kernel: verdict unknown.
# Three Keras 3 summaries, the third a functional ResNet with a `Connected to` column and cut names
# (`batch_normalizatio…`, `(BatchNormalizatio…`). verbose=2 fit lines; the ResNet fit is interrupted after
# `Epoch 14/40` (13 epochs shown) by a KeyboardInterrupt. Cell 47 prints `ResNet-small (test) : 0.9763` under
# `=== Summary of accuracies ===`: no metric word on the line, not read. After the last training (cell 43)
# nothing is read, so there is no test accuracy.
_BN_CUT, _BN_TYPE_CUT = "batch_normalizatio…", "BatchNormalizatio…"
RESNET = [
    L("input_layer_1", "InputLayer", "(None, 28, 28, 1)", 0),
    L("conv2d", "Conv2D", "(None, 28, 28, 32)", 288),
    L("batch_normalization", _BN_TYPE_CUT, "(None, 28, 28, 32)", 128),
    L("re_lu", "ReLU", "(None, 28, 28, 32)", 0),
    L("conv2d_1", "Conv2D", "(None, 28, 28, 32)", 9216),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 28, 28, 32)", 128),
    L("re_lu_1", "ReLU", "(None, 28, 28, 32)", 0),
    L("conv2d_2", "Conv2D", "(None, 28, 28, 32)", 9216),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 28, 28, 32)", 128),
    L("add", "Add", "(None, 28, 28, 32)", 0),
    L("re_lu_2", "ReLU", "(None, 28, 28, 32)", 0),
    L("conv2d_3", "Conv2D", "(None, 28, 28, 32)", 9216),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 28, 28, 32)", 128),
    L("re_lu_3", "ReLU", "(None, 28, 28, 32)", 0),
    L("conv2d_4", "Conv2D", "(None, 28, 28, 32)", 9216),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 28, 28, 32)", 128),
    L("add_1", "Add", "(None, 28, 28, 32)", 0),
    L("re_lu_4", "ReLU", "(None, 28, 28, 32)", 0),
    L("conv2d_5", "Conv2D", "(None, 14, 14, 64)", 18432),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 14, 14, 64)", 256),
    L("re_lu_5", "ReLU", "(None, 14, 14, 64)", 0),
    L("conv2d_6", "Conv2D", "(None, 14, 14, 64)", 36864),
    L("conv2d_7", "Conv2D", "(None, 14, 14, 64)", 2048),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 14, 14, 64)", 256),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 14, 14, 64)", 256),
    L("add_2", "Add", "(None, 14, 14, 64)", 0),
    L("re_lu_6", "ReLU", "(None, 14, 14, 64)", 0),
    L("conv2d_8", "Conv2D", "(None, 14, 14, 64)", 36864),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 14, 14, 64)", 256),
    L("re_lu_7", "ReLU", "(None, 14, 14, 64)", 0),
    L("conv2d_9", "Conv2D", "(None, 14, 14, 64)", 36864),
    L(_BN_CUT, _BN_TYPE_CUT, "(None, 14, 14, 64)", 256),
    L("add_3", "Add", "(None, 14, 14, 64)", 0),
    L("re_lu_8", "ReLU", "(None, 14, 14, 64)", 0),
    L("global_average_poo…", "GlobalAveragePool…", "(None, 64)", 0),
    L("dropout_2", "Dropout", "(None, 64)", 0),
    L("dense_3", "Dense", "(None, 10)", 650),
]
EXPECTED["keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt"] = {
    "keras": "3",
    "summaries": [
        S(27, "sequential_3", 235146, [L("dense_10", "Dense", "(None, 256)", 200960), L("dropout_7", "Dropout", "(None, 256)", 0),
                                       L("dense_11", "Dense", "(None, 128)", 32896), L("dropout_8", "Dropout", "(None, 128)", 0),
                                       L("dense_12", "Dense", "(None, 10)", 1290)]),
        S(30, "functional_5", 467818, [L("input_layer_5", "InputLayer", "(None, 28, 28, 1)", 0),
                                       L("conv2d_10", "Conv2D", "(None, 28, 28, 32)", 320),
                                       L("conv2d_11", "Conv2D", "(None, 28, 28, 32)", 9248),
                                       L("max_pooling2d", "MaxPooling2D", "(None, 14, 14, 32)", 0),
                                       L("dropout_9", "Dropout", "(None, 14, 14, 32)", 0),
                                       L("conv2d_12", "Conv2D", "(None, 14, 14, 64)", 18496),
                                       L("conv2d_13", "Conv2D", "(None, 14, 14, 64)", 36928),
                                       L("max_pooling2d_1", "MaxPooling2D", "(None, 7, 7, 64)", 0),
                                       L("dropout_10", "Dropout", "(None, 7, 7, 64)", 0),
                                       L("flatten", "Flatten", "(None, 3136)", 0),
                                       L("dense_13", "Dense", "(None, 128)", 401536),
                                       L("dropout_11", "Dropout", "(None, 128)", 0),
                                       L("dense_14", "Dense", "(None, 10)", 1290)]),
        S(43, "functional_1", 170794, RESNET, trainable=169834, non_trainable=960),
    ],
    # Cell 39: 5-fold CV, `model_cv.fit(…, epochs=EPOCHS_MLP_CV, callbacks=[es], verbose=0)` with `EPOCHS_MLP_CV = 30`
    # and `EarlyStopping(monitor='val_accuracy', patience=4, restore_best_weights=True, verbose=1)`: each fold prints
    # only Keras 3's "Restoring model weights from the end of the best epoch: 28." (29, 29, 30, 30), never
    # "early stopping", so each fold ran all 30 epochs; no per-epoch values.
    "fits": [F(27, 50, 50, _k3(0.7945, 0.6335, 0.8418, 0.5137)),
             F(30, 30, 40, _k3(0.9753, 0.0776, 0.9683, 0.1356)),
             *[{"cell": 39, "source": "callbacks", "epochs_run": 30, "epochs_arg": 30, "metrics": [], "last": {}}] * 5,
             F(43, 13, 40, _k3(0.9833, 0.0565, 0.9504, 0.1667))],
    "history_keys": ["accuracy", "loss", "val_accuracy", "val_loss"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(27, "print", "MLP Test accuracy: 0.8557", accuracy=0.8557),
                    E(30, "print", "CNN Test accuracy: 0.9737", accuracy=0.9737)],
    # the CNN (cell 30) is never trained again after its test result; the ResNet trained last (cell 43) was
    # interrupted before its evaluate. The rule of issue 17 ("a test result counts only if no training of that
    # model follows it") takes the CNN's 0.9737, as a person reads it (was None under the older "after the last
    # training of any model" rule).
    "test_accuracy": 0.9737,
    "figures": [FIG(12, 20), FIG(14, 1), FIG(20, 2), FIG(20, 2), FIG(33, 1), FIG(33, 1),
                FIG(36, 2), FIG(36, 2), FIG(36, 1), FIG(36, 1), FIG(36, 2), FIG(36, 2), FIG(36, 1), FIG(36, 1)],
    "gpu": {"verdict": "unknown", "signals": [
        G("metadata.accelerator", None, "accelerator: GPU"),
        G("metadata.gpuType", None, "colab.gpuType: T4"),
        G("metadata.local_kernel", None, "kernelspec.display_name: base; language_info.version: 3.13.5"),
    ]},
    "execution": X(17, 15, 1, False),
}

# Japanese TF tutorial "Overfit and underfit", run locally: seven plain summaries, training with verbose=0 and
# tfdocs EpochDots (`Epoch: 0, accuracy:0.4916, …` lines are no Keras fit log), no test results.
def _dense512(first: int, dropout_from: int | None = None) -> list:
    rows = []
    for k in range(4):
        rows.append(L(f"dense_{first + k}", "Dense", "(None, 512)", 14848 if k == 0 else 262656))
        if dropout_from is not None:
            index = dropout_from + k
            rows.append(L("dropout" if index == 0 else f"dropout_{index}", "Dropout", "(None, 512)", 0))
    rows.append(L(f"dense_{first + 4}", "Dense", "(None, 1)", 513))
    return rows


EXPECTED["jp_tf_tutorial_overfit_underfit_local"] = {
    "keras": "2",
    "summaries": [
        S(34, "sequential", 481, [L("dense", "Dense", "(None, 16)", 464), L("dense_1", "Dense", "(None, 1)", 17)]),
        S(39, "sequential_1", 753, [L("dense_2", "Dense", "(None, 16)", 464), L("dense_3", "Dense", "(None, 16)", 272),
                                    L("dense_4", "Dense", "(None, 1)", 17)]),
        S(42, "sequential_2", 10241, [L("dense_5", "Dense", "(None, 64)", 1856), L("dense_6", "Dense", "(None, 64)", 4160),
                                      L("dense_7", "Dense", "(None, 64)", 4160), L("dense_8", "Dense", "(None, 1)", 65)]),
        S(45, "sequential_6", 803329, _dense512(21)),
        S(58, "sequential_7", 803329, _dense512(26)),
        S(65, "sequential_8", 803329, _dense512(31, dropout_from=0)),
        S(68, "sequential_9", 803329, _dense512(36, dropout_from=4)),
    ],
    "fits": [],
    "history_keys": None,
    "history_keys_source": None,  # no notebook of the corpus prints history.history or its keys
    "evaluations": [],
    "test_accuracy": None,
    "figures": [FIG(14, 1), FIG(25, 1), FIG(36, 1), FIG(47, 1), FIG(60, 1), FIG(66, 1), FIG(69, 1)],
    "gpu": {"verdict": "unknown", "signals": []},
    "execution": X(43, 42, 0, True),
}

# nbformat 3 (worksheets, prompt_number, `png` key), Python 2, numpy two-layer net: no Keras at all. Heading
# and raw cells keep their places after upgrading, so cells 25 and 26 hold the two figures.
EXPECTED["nbformat3_cs231n_two_layer_net_py2"] = {
    "keras": "unknown",
    "summaries": [],
    "fits": [],
    "history_keys": None,
    "history_keys_source": None,  # no notebook of the corpus prints history.history or its keys
    "evaluations": [],
    "test_accuracy": None,
    "figures": [FIG(25, None), FIG(26, None)],
    "gpu": {"verdict": "unknown", "signals": []},
    "execution": X(19, 15, 0, True),
}

# Two code cells; summary with `multiple` output shapes after the fit; `Train on 60000 samples` verbose=2 lines
# without a bar; `test_loss: 0.129, test_acc: 0.962` is one line with both numbers.
EXPECTED["jp_mnist_mlp_train_on_samples_format"] = {
    "keras": "2",
    "summaries": [S(1, "sequential", 89610, [L("dense", "Dense", "multiple", 78500), L("dense_1", "Dense", "multiple", 10100),
                                             L("dense_2", "Dense", "multiple", 1010)])],
    "fits": [F(0, 30, 30, {"loss": 0.1195, "acc": 0.9661})],
    "history_keys": ["loss", "acc"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(0, "print", "test_loss: 0.129, test_acc: 0.962", accuracy=0.962, loss=0.129)],
    "test_accuracy": 0.962,
    "figures": [],
    "gpu": {"verdict": "unknown", "signals": []},
    "execution": X(2, 2, 0, False),
}

# Colab 2019 (accelerator: GPU), counts [2, 0, 4, 5, 6]: cell 1 (count 0, no output) is not executed and the 0
# does not make the order decrease.
EXPECTED["jp_colab_gpu_mnist_cnn_odd_exec_counts"] = {
    "keras": "2",
    "summaries": [],
    "fits": [F(2, 10, 10, {"loss": 0.0469, "acc": 0.9870, "val_loss": 0.0231, "val_acc": 0.9948})],
    "history_keys": ["loss", "acc", "val_loss", "val_acc"],
    "history_keys_source": "log",  # no notebook of the corpus prints history.history or its keys
    "evaluations": [E(3, "print", "Test loss: 0.035985792518220844", loss=0.035985792518220844),
                    E(3, "print", "Test accuracy: 0.9902", accuracy=0.9902)],
    "test_accuracy": 0.9902,
    "figures": [FIG(4, 1), FIG(4, 1)],
    "gpu": {"verdict": "gpu", "signals": [G("metadata.accelerator", None, "accelerator: GPU")]},
    "execution": X(5, 4, 0, False),
}


def _inspect_json(capsys, *paths: str) -> dict:
    assert main(["inspect", *paths, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_inspect_json_matches_the_notebook_read_by_hand(stem, corpus, capsys):
    path = str(corpus / f"{stem}.ipynb")
    doc = _inspect_json(capsys, path)
    expected = {"file": path, "status": "read", "error": None, **EXPECTED[stem]}
    entry = doc["notebooks"][0]
    for key, value in expected.items():  # one key at a time first: readable failures
        assert entry.get(key) == value, key
    assert doc == {"notebooks": [expected]}


def test_several_corpus_notebooks_and_a_bad_file_in_one_call(corpus, tmp_path, capsys):
    bad = tmp_path / "cut.ipynb"
    bad.write_text('{"nbformat": 4, "cells": [', encoding="utf-8")
    first = str(corpus / "jp_mnist_mlp_train_on_samples_format.ipynb")
    last = str(corpus / "colab_gpu_mnist_mlp_minimal_null_exec_counts.ipynb")
    doc = _inspect_json(capsys, first, str(bad), last)
    entries = doc["notebooks"]
    assert [e["file"] for e in entries] == [first, str(bad), last]
    assert entries[0] == {"file": first, "status": "read", "error": None,
                          **EXPECTED["jp_mnist_mlp_train_on_samples_format"]}
    assert entries[2] == {"file": last, "status": "read", "error": None,
                          **EXPECTED["colab_gpu_mnist_mlp_minimal_null_exec_counts"]}
    assert set(entries[1]) == {"file", "status", "error"}
    assert entries[1]["status"] == "error" and str(bad) in entries[1]["error"]


def test_fit_generator_log_has_its_epochs_argument(corpus):
    # Cell 14: `model.fit(…, epochs=100)`, 100 epochs shown; cell 21: `model2.fit_generator(datagen.flow(…),
    # steps_per_epoch = len(x_train) / 128, epochs=200, …)`, 200 epochs of `391/390` bars. (Cell 5 also calls
    # `datagen.fit(x_train)`, which prints nothing.)
    entry = inspect_file(str(corpus / "large_colab_gpu_cifar10_cnn_augmentation_keras2.ipynb")).to_json()
    assert entry["fits"] == [
        F(14, 100, 100, {"loss": 0.0133, "accuracy": 0.9956, "val_loss": 1.3711, "val_accuracy": 0.8147}),
        F(21, 200, 200, {"loss": 0.2452, "accuracy": 0.9142, "val_loss": 0.3260, "val_accuracy": 0.8986}),
    ]
