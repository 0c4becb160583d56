"""In-kernel checks for nbgrader's hidden tests: live objects → evidence → the static grader's own check.

Imported inside a student's kernel, so it must not import TensorFlow, Keras or matplotlib at import time
(it only reads attributes of the objects it is given); numpy is imported lazily. Every ``check_*`` function
builds the same ``Evidence`` values the static grader extracts from saved outputs, runs
``autograder.judge.checks.run_one`` with the check of the assignment's spec, returns nothing when the status is
``pass`` and raises ``AssertionError`` with the check's Japanese message otherwise — which nbgrader shows
in the test cell. Numbers and thresholds come from ``autograder/specs/<assignment>.toml`` only.

Usage in a test cell::

    ### BEGIN HIDDEN TESTS
    from autograder import kernel
    kernel.check_model(model, "mlp", "summary_total_params")
    ### END HIDDEN TESTS
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from autograder.judge.checks import run_one, values_match
from autograder.judge.spec import load_spec
from autograder.model.evidence import (
    Call,
    CodeFacts,
    Evaluation,
    Evidence,
    Execution,
    Figure,
    Gpu,
    GpuSignal,
    History,
    Layer,
    Summary,
)
from autograder.model.results import CheckResult

__all__ = [
    "result_of", "summary_of", "history_of",
    "check_model", "check_models", "check_compile", "check_fit", "check_history", "check_histories",
    "check_figure", "check_best_epoch", "check_score", "check_gpu",
    "check_value", "check_gate", "check_functions",
    "GATE_INPUTS", "KNOWN_VALUES",
]

GATE_INPUTS = ((0, 0), (0, 1), (1, 0), (1, 1))

# Values the perceptron's functions must return (from the slides: μ = 0.4 and z = 1 for x=(1, 2, 0.5),
# w=(0.5, 0.2, −1); ReLU "μが5なら5、-6なら0"). name → [(arguments, expected)]; compared with
# ``checks.values_match`` within 1e-6.
KNOWN_VALUES: Mapping[str, Sequence[tuple[tuple[Any, ...], Any]]] = {
    "weighted_sum": [(([1, 2, 0.5], [0.5, 0.2, -1]), 0.4), (([1, 1, 1], [0.2, 0.3, 0.5]), 1.0),
                     (([0, 0], [3, -2]), 0.0)],
    "step": [((0.4,), 1), ((0,), 0), ((-1,), 0), ((5,), 1)],
    "perceptron": [(([1, 2, 0.5], [0.5, 0.2, -1]), 1), (([1, 2, 0.5], [0.5, 0.2, -2]), 0), (([1, 1], [1, -1]), 0)],
    "relu": [((5,), 5), ((-6,), 0), ((0,), 0), ((0.5,), 0.5)],
    "sigmoid": [((0,), 0.5), ((2,), 0.8807970779778823), ((-2,), 0.11920292202211755)],
    "softmax": [(([1.0, 2.0, 3.0],), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]),
                (([0.0, 0.0],), [0.5, 0.5]), (([1000.0, 1000.0],), [0.5, 0.5])],
}
_TOLERANCE = 1e-6


# ------------------------------------------------------------------ the one place that runs a check

def result_of(assignment: str, check_id: str, evidence: Evidence) -> CheckResult:
    """Run the spec's check ``check_id`` of ``assignment`` on ``evidence`` (no assertion)."""
    return run_one(load_spec(assignment).check(check_id), evidence)


def _require(assignment: str, check_id: str, evidence: Evidence) -> None:
    result = result_of(assignment, check_id, evidence)
    if result.status != "pass":
        raise AssertionError(_tidy(result.message))


_NO_CELL = re.compile(r"（セル\s*(?:None)?\s*[:：]?\s*）|（セル None: |セル None: |\s*\(cell\s*(?:None)?\)|（メタデータ）")


def _tidy(message: str) -> str:
    """Messages name notebook cells; in a live kernel there is none to name."""
    return _NO_CELL.sub(lambda m: "（" if m.group(0).startswith("（セル None: ") else "", message)


# ------------------------------------------------------------------ models

def summary_of(model: Any) -> Summary:
    """The ``Summary`` that ``model.summary()`` would print: total and per-layer parameter counts."""
    layers = []
    for layer in getattr(model, "layers", ()):
        try:
            shape = str(tuple(layer.output.shape))
        except Exception:  # noqa: BLE001 - a layer not yet built has no output
            shape = ""
        layers.append(Layer(name=layer.name, type=type(layer).__name__, output_shape=shape, params=int(layer.count_params())))
    trainable = sum(_size(w) for w in getattr(model, "trainable_weights", ()))
    total = int(model.count_params())
    return Summary(total_params=total, layers=tuple(layers), trainable_params=trainable,
                   non_trainable_params=total - trainable, model=getattr(model, "name", None), style="kernel")


def _size(weight: Any) -> int:
    n = 1
    for d in weight.shape:
        n *= int(d)
    return n


def check_model(model: Any, assignment: str, check_id: str) -> None:
    """A summary check (``summary_params``, ``summary_layer``) on one live model."""
    check_models([model], assignment, check_id)


def check_models(models: Iterable[Any], assignment: str, check_id: str) -> None:
    """A summary check on several models, as if each one's ``summary()`` had been printed in order."""
    _require(assignment, check_id, Evidence(summaries=tuple(summary_of(m) for m in models)))


def check_compile(model: Any, assignment: str, check_id: str) -> None:
    """``compile_args`` on what the model was really compiled with (loss, optimizer class, metrics)."""
    args: dict[str, Any] = {}
    config = None
    if hasattr(model, "get_compile_config"):
        try:
            config = model.get_compile_config()
        except Exception:  # noqa: BLE001 - older Keras or not compiled
            config = None
    if config:
        optimizer = config.get("optimizer")
        args["loss"] = config.get("loss")
        args["optimizer"] = optimizer.get("class_name") if isinstance(optimizer, dict) else optimizer
        args["metrics"] = config.get("metrics")
    else:  # tf.keras 2: attributes
        args["loss"] = getattr(model, "loss", None)
        args["optimizer"] = type(getattr(model, "optimizer", None)).__name__
        args["metrics"] = list(getattr(model, "compiled_metrics", None) and model.compiled_metrics._user_metrics or [])
    args = {k: v for k, v in args.items() if v is not None}
    _require(assignment, check_id, Evidence(code=CodeFacts(calls=(Call("compile", "model", args),))))


def check_fit(assignment: str, check_id: str, sources: Sequence[str] | None = None) -> None:
    """``fit_args`` on the code this kernel has run (IPython's input history), parsed as the static grader does.

    ``batch_size`` and ``validation_split`` are not kept by Keras after training, so the executed code is the
    evidence. ``sources`` replaces the history (for tests).
    """
    from autograder.read.code import analyze_cells

    if sources is None:
        sources = _executed_sources()
    code = analyze_cells([(i, s) for i, s in enumerate(sources)])
    _require(assignment, check_id, Evidence(code=code))


def _executed_sources() -> list[str]:
    shell = _ipython()
    if shell is None:
        raise AssertionError("IPython のカーネルの外では、実行したコードを調べられません。")
    return [s for s in shell.user_ns.get("In", []) if isinstance(s, str) and s]


def _ipython() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


# ------------------------------------------------------------------ training records

def history_of(result: Any) -> History:
    """The ``History`` that ``print(result.history)`` would show (``result`` or its ``.history`` dict)."""
    record = getattr(result, "history", result)
    if not isinstance(record, Mapping):
        raise AssertionError("学習の記録（model.fit の戻り値 result）が見つかりません。result = model.fit(...) としてください。")
    values = {str(k): tuple(float(x) for x in v) for k, v in record.items()}
    return History(keys=tuple(values), values=values)


def check_history(result: Any, assignment: str, check_id: str) -> None:
    """A ``history`` check on one training run (``result = model.fit(...)``)."""
    check_histories([result], assignment, check_id)


def check_histories(results: Iterable[Any], assignment: str, check_id: str) -> None:
    """A ``history`` or ``overfitting_gap`` check on several runs, in the order they were trained."""
    _require(assignment, check_id, Evidence(histories=tuple(history_of(r) for r in results)))


def check_best_epoch(best: Any, result: Any, assignment: str, check_id: str) -> None:
    """``best_epoch``: the answer ``best`` against the run's val_loss, as the line ``best epoch: N``."""
    evidence = Evidence(histories=(history_of(result),), outputs=((0, f"best epoch: {best}"),))
    _require(assignment, check_id, evidence)


def check_figure(fig: Any, assignment: str, check_id: str, result: Any = None) -> None:
    """A ``figure`` check on a matplotlib figure; it is a learning curve when a line plots a series of ``result``."""
    axes = list(getattr(fig, "axes", ()))
    lines = [line for ax in axes for line in ax.get_lines()]
    if result is None:
        curve = bool(lines)
    else:
        series = [list(v) for v in history_of(result).values.values()]  # type: ignore[union-attr]
        curve = any(_same_series(line.get_ydata(), s) for line in lines for s in series)
    figure = Figure(axes=len(axes), kind="image", learning_curve=curve)
    _require(assignment, check_id, Evidence(figures=(figure,)))


def _same_series(ydata: Any, series: Sequence[float]) -> bool:
    values = [float(y) for y in ydata]
    return len(values) == len(series) and all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(values, series, strict=True))


def check_score(score: Any, assignment: str, check_id: str) -> None:
    """``test_accuracy`` on ``score = model.evaluate(x_test, y_test)`` (``[loss, accuracy]``)."""
    try:
        loss, accuracy = float(score[0]), float(score[1])
    except (TypeError, IndexError, ValueError):
        raise AssertionError("score = model.evaluate(x_test, y_test) の結果（[損失, 正解率]）が必要です。") from None
    evaluation = Evaluation(source="value", text=f"Test loss: {loss} / Test accuracy: {accuracy}", accuracy=accuracy, loss=loss)
    _require(assignment, check_id, Evidence(evaluations=(evaluation,), test_accuracy=evaluation))


def check_gpu(assignment: str, check_id: str, devices: Sequence[Any] | None = None) -> None:
    """``gpu`` on the devices this kernel's TensorFlow sees (``tf.config.list_physical_devices('GPU')``).

    This tests the machine the notebook runs on now: under nbgrader autograde, the grader's machine.
    """
    if devices is None:
        tf: Any = sys.modules.get("tensorflow")
        if tf is None:
            import tensorflow  # only when asked, and only if the notebook has not imported it yet

            tf = tensorflow
        devices = tf.config.list_physical_devices("GPU")
    devices = list(devices)
    signal = GpuSignal(kind="device_list", text=str(devices), points_to="gpu" if devices else "cpu")
    _require(assignment, check_id, Evidence(gpu=Gpu("gpu" if devices else "cpu", (signal,))))


# ------------------------------------------------------------------ printed values (the perceptron)

def _line(label: str, value: Any) -> str:
    return f"{label}: {value}"


def _label(assignment: str, check_id: str) -> str:
    label = load_spec(assignment).check(check_id).params["label"]
    return label if isinstance(label, str) else label[0]


def check_value(value: Any, assignment: str, check_id: str) -> None:
    """A ``printed_value`` check on a live value, as the line ``<label>: <value>`` (e.g. ``mu: 0.4``)."""
    shown = _numbers_text(value)
    _require(assignment, check_id, Evidence(outputs=((0, _line(_label(assignment, check_id), shown)),)))


def check_gate(gate: Callable[[int, int], Any], assignment: str, check_id: str) -> None:
    """A gate's truth table over (0,0), (0,1), (1,0), (1,1) against the spec's ``value``, e.g. ``AND: [0, 0, 0, 1]``."""
    label = _label(assignment, check_id)
    try:
        table = [_scalar(gate(a, b)) for a, b in GATE_INPUTS]
    except Exception as exc:  # noqa: BLE001 - the student's function failed: say so, as an assertion
        raise AssertionError(f"{label}(x1, x2) を呼ぶとエラーになりました（{type(exc).__name__}: {exc}）。") from None
    _require(assignment, check_id, Evidence(outputs=((0, _line(label, table)),)))


def check_functions(namespace: Mapping[str, Any], assignment: str, check_id: str) -> None:
    """``functions_defined`` on the functions in ``namespace`` (e.g. ``globals()``), then their values.

    The names come from the spec; each name with entries in ``KNOWN_VALUES`` is called on them and
    compared with ``checks.values_match`` — the comparison of the static ``printed_value`` check.
    """
    names = list(load_spec(assignment).check(check_id).params["names"])
    defined = tuple(n for n in names if callable(namespace.get(n)))
    ran = Execution(code_cells=1, executed_cells=1, errors=0, out_of_order=False)  # this kernel ran code
    _require(assignment, check_id, Evidence(code=CodeFacts(functions=defined), execution=ran))
    wrong = []
    for name in names:
        for args, expected in KNOWN_VALUES.get(name, ()):
            shown = ", ".join(repr(a) for a in args)
            try:
                raw = namespace[name](*args)
            except Exception as exc:  # noqa: BLE001 - the student's function failed
                wrong.append(f"{name}({shown}) がエラーになりました（{type(exc).__name__}: {exc}）")
                continue
            got = _as_floats(raw)
            if got is None or not values_match(got, expected, _TOLERANCE):
                wrong.append(f"{name}({shown}) の結果が {_numbers_text(raw) if got is not None else repr(raw)}"
                             f" で、正しい値 {expected} と違います")
    if wrong:
        raise AssertionError("。".join(wrong) + "。")


def _scalar(value: Any) -> Any:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return value
    return int(f) if f.is_integer() else f


def _as_floats(value: Any) -> list[float] | None:
    try:
        import numpy as np

        return [float(x) for x in np.asarray(value, dtype=float).ravel()]
    except (TypeError, ValueError):
        return None


def _numbers_text(value: Any) -> str:
    """A value as plain numbers (numpy 2 prints ``np.float64(0.4)`` inside lists)."""
    floats = _as_floats(value)
    if floats is None:
        return str(value)
    shown = [int(x) if x.is_integer() else x for x in floats]
    try:
        import numpy as np

        scalar = np.ndim(value) == 0
    except Exception:  # noqa: BLE001
        scalar = len(shown) == 1
    return str(shown[0]) if scalar else str(shown)
