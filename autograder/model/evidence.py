"""Evidence values: what a notebook shows, each piece remembering its cell. Values only; standard library only.

The parsers (``autograder.read.outputs.*``, ``autograder.read.code``) return these values with ``cell=None``;
``autograder.read.extract`` fills in the cell. Every value is a frozen dataclass whose ``to_json()`` gives
exactly the shape of the ``inspect --json`` contract documented in the README. Some fields are kept for the
integrity rules only (``Fit.headers``, ``Fit.interactive``, ``Evaluation.steps``, ``CellRecord.truncated``, …) so
that judging never reads output text again; ``to_json()`` leaves them out, so the contract does not change.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Layer:
    """One row of a ``model.summary()`` table that carries a parameter count."""

    name: str
    type: str
    output_shape: str
    params: int

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "output_shape": self.output_shape, "params": self.params}


@dataclass(frozen=True)
class Summary:
    """One ``model.summary()`` table."""

    total_params: int
    layers: tuple[Layer, ...] = ()
    trainable_params: int | None = None
    non_trainable_params: int | None = None
    model: str | None = None  # the name in `Model: "sequential"`, None when the table has no header
    style: str = "unknown"  # "keras3" (box drawing), "keras2" (plain text), "unknown"
    cell: int | None = None
    # the model the cell's ``summary()`` call shows was trained (``fit``) in the code: True/False, None when the
    # code does not say (``read.results.bind_summaries``)
    trained: bool | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "cell": self.cell,
            "model": self.model,
            "total_params": self.total_params,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable_params,
            "layers": [layer.to_json() for layer in self.layers],
        }


@dataclass(frozen=True)
class Fit:
    """One training log printed by ``model.fit``.

    ``epochs`` holds, per epoch shown, the metrics of the epoch's final progress line
    (``{"loss": 0.25, "accuracy": 0.92, "val_loss": …}``), in the order the epochs were printed.
    ``epochs_total`` is N of ``Epoch i/N`` when shown. ``steps`` is the step (or sample) count of
    the final progress line (``750`` of ``750/750``), ``step_unit`` "step" or "sample" (Keras ≤ 2.2
    counts samples), ``seconds_per_step`` the time per step printed on the last epoch, when shown.

    For the integrity rules (not in ``to_json()``): ``headers`` are the epoch numbers i of the run's
    ``Epoch i/N`` headers in printed order (epochs without a progress record included); ``interactive`` is True
    when the cell's output shows Keras 3 interactive ``━`` bars; ``epoch_steps`` the counter total of each epoch.

    ``source`` says what the fit was read from: "log" (``Epoch i/N`` headers and their progress lines), "bar" (a
    one-epoch fit of tf.keras ≥ 2.2 or Keras 3, which print no header: its progress line alone, taken only when
    the cell's code has a printing ``fit`` call of one epoch), "callbacks" (a ``verbose=0`` fit seen only
    through what its callbacks print: ``Epoch 12: val_loss improved from …``, ``Epoch 11: early stopping``).
    A "callbacks" fit has no per-epoch metrics (``epochs`` is empty); ``epochs_seen`` is the last epoch number a
    callback line names (a lower bound of the epochs run, exact when ``stopped_epoch`` is set), or all of ``epochs=``
    when Keras 3 restored the best weights at the end of the fit without stopping early (``best_epoch`` set,
    ``stopped_epoch`` not),
    ``stopped_epoch`` the epoch EarlyStopping names, ``best_epoch`` the one it restored, ``monitored`` the
    (epoch, metric, value) a ModelCheckpoint states (``improved from 0.08120 to 0.07900`` → 0.079 at that epoch;
    ``did not improve`` states no value of its epoch). Such fits are kept apart (``Evidence.callback_fits``):
    no check or integrity rule reads them.
    """

    epochs: tuple[Mapping[str, float], ...]
    epochs_total: int | None = None
    steps: int | None = None
    step_unit: str | None = None
    seconds_per_step: float | None = None
    epochs_arg: int | None = None
    style: str = "unknown"  # "keras3", "keras2", "keras1" (per-sample counter without per-step time)
    cell: int | None = None
    headers: tuple[int, ...] = ()
    interactive: bool = False
    epoch_steps: tuple[int | None, ...] = ()  # the counter total of each epoch's final record (None: no counter)
    source: str = "log"  # "log" | "bar" | "callbacks" (see above)
    epochs_seen: int | None = None  # "callbacks": the last epoch a callback line names (or all, see above)
    stopped_epoch: int | None = None  # "callbacks": ``Epoch 11: early stopping``
    best_epoch: int | None = None  # "callbacks": ``Restoring model weights from the end of the best epoch: 8.``
    monitored: tuple[tuple[int, str, float], ...] = ()  # "callbacks": (epoch, metric, value) a checkpoint states

    @property
    def epochs_run(self) -> int:
        return len(self.epochs)

    @property
    def metrics(self) -> tuple[str, ...]:
        names: list[str] = []
        for epoch in self.epochs:
            for name in epoch:
                if name not in names:
                    names.append(name)
        return tuple(names)

    @property
    def last(self) -> Mapping[str, float]:
        return dict(self.epochs[-1]) if self.epochs else {}

    def series(self, name: str) -> list[float]:
        return [e[name] for e in self.epochs if name in e]

    def to_json(self) -> dict[str, Any]:
        if self.source == "callbacks":
            last_epoch = self.epochs_seen
            stated = {name: value for epoch, name, value in self.monitored if epoch == last_epoch}
            return {"cell": self.cell, "source": self.source, "epochs_run": self.epochs_seen,
                    "epochs_arg": self.epochs_arg, "metrics": list(dict.fromkeys(n for _, n, _ in self.monitored)),
                    "last": stated}
        return {
            "cell": self.cell,
            "source": self.source,
            "epochs_run": self.epochs_run,
            "epochs_arg": self.epochs_arg,
            "metrics": list(self.metrics),
            "last": dict(self.last),
        }


@dataclass(frozen=True)
class History:
    """A printed ``history.history`` dict (``values`` set) or ``dict_keys([...])`` (``values`` None)."""

    keys: tuple[str, ...]
    values: Mapping[str, tuple[float, ...]] | None = None
    cell: int | None = None

    @property
    def epochs(self) -> int | None:
        if not self.values:
            return None
        lengths = {len(v) for v in self.values.values()}
        return lengths.pop() if len(lengths) == 1 else None


@dataclass(frozen=True)
class Evaluation:
    """A test-set result: an evaluate progress line, a labelled print, or a displayed return value.

    For the integrity rules (not in ``to_json()``), set on progress lines only: ``steps`` is the total of the
    line's counter (``313`` of ``313/313``) and ``step_unit`` "step" or "sample"; ``interactive`` is True for a
    Keras 3 interactive ``━`` bar.
    """

    source: str  # "progress" | "print" | "value"
    text: str
    accuracy: float | None = None
    loss: float | None = None
    cell: int | None = None
    steps: int | None = None
    step_unit: str | None = None
    interactive: bool = False
    typed: bool = False  # the printed line is written in the code (``print("Test accuracy: 0.97")``), not computed
    # why this result is not the test accuracy (``read.results.NOT_TAKEN`` lists the reasons); None: it may be
    not_taken: str | None = None
    model: int | None = None  # index in ``CodeFacts.models`` of the evaluated model, when the code says

    def to_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "source": self.source, "accuracy": self.accuracy, "loss": self.loss,
                "text": self.text}


@dataclass(frozen=True)
class LineTrace:
    """A line traced in a figure's pixels (``autograder.read.figures``): its colour of matplotlib's default cycle,
    its first and last pixel column, and its y position (pixels from the top) sampled evenly between them."""

    colour: str
    x0: int
    x1: int
    profile: tuple[float, ...]


@dataclass(frozen=True)
class Figure:
    """A figure output: an ``image/png`` output, or a ``<Figure size … with N Axes>`` text.

    For the integrity rules and collusion (not in ``to_json()``), set when the pixels could be decoded:
    ``pixels`` a digest of the decoded pixels, ``coarse`` a digest of 32×32 block means, ``lines`` the traced lines.
    """

    axes: int | None = None
    kind: str = "image"  # "image" | "text"
    digest: str | None = None  # sha1 of the image's base64 text, for comparing figures across notebooks
    learning_curve: bool = False  # the cell's code plots a training history (history / loss / accuracy)
    cell: int | None = None
    pixels: str | None = None
    coarse: str | None = None
    lines: tuple[LineTrace, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"cell": self.cell, "axes": self.axes}


@dataclass(frozen=True)
class GpuSignal:
    """One piece of evidence about the runtime device.

    ``kind`` names where it came from (``metadata.accelerator``, ``metadata.gpuType``, ``metadata.gpuClass``,
    ``device_list``, ``gpu_device_name``, ``nvidia_smi``, ``tf_log``, ``cuda_error``, ``cuda_build``, …);
    ``points_to`` is what it suggests: "gpu", "cpu", or None for neutral context.
    ``runtime`` is True for evidence printed when the notebook ran, False for metadata.
    """

    kind: str
    text: str
    points_to: str | None
    runtime: bool = True
    cell: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "cell": self.cell, "text": self.text}


@dataclass(frozen=True)
class Gpu:
    verdict: str  # "gpu" | "cpu" | "unknown"
    signals: tuple[GpuSignal, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "signals": [s.to_json() for s in self.signals]}


@dataclass(frozen=True)
class Execution:
    code_cells: int
    executed_cells: int
    errors: int
    out_of_order: bool
    error_cells: tuple[int, ...] = ()
    error_names: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"code_cells": self.code_cells, "executed_cells": self.executed_cells, "errors": self.errors,
                "out_of_order": self.out_of_order}


@dataclass(frozen=True)
class CellRecord:
    """One code cell's execution record, for the integrity rules and collusion detection (``autograder.judge``)."""

    cell: int
    execution_count: int | None
    outputs: int  # number of outputs
    output_ids: tuple[str, ...] = ()  # Colab's ``metadata.outputId``: new for every run of the cell
    names: frozenset[str] = frozenset()  # identifiers in the cell's code (pairs a print with the call it shows)
    truncated: bool = False  # the output says Jupyter or Colab dropped part of it ("IOPub message rate exceeded", …)


@dataclass(frozen=True)
class Fingerprints:
    """What identifies this notebook's run: per-cell execution records and Colab identifiers.

    Cell ``id``s are not kept: Colab and nbformat 4.5 copy them from the released notebook, so every student
    of a class shares them. ``authorship_tag`` is the notebook-level Colab key (also under ``colab``).
    ``seeded``: the code fixes a random seed, so an identical training run in two notebooks can be honest.
    """

    cells: tuple[CellRecord, ...] = ()
    authorship_tag: str | None = None
    seeded: bool = False


# ---- evidence from code (AST only) ----

@dataclass(frozen=True)
class CodeLayer:
    """A layer found in code, with its parameter count computed analytically (None when unknown)."""

    type: str  # "Dense", "Dropout", …
    params: int | None
    output_shape: tuple[int | None, ...] | None = None
    units: int | None = None
    activation: str | None = None
    rate: float | None = None


@dataclass(frozen=True)
class ModelCode:
    """A model built in code: ``Sequential([...])``, ``model.add(...)`` or functional ``Model(inputs, outputs)``."""

    variable: str | None
    layers: tuple[CodeLayer, ...]
    cell: int | None = None

    @property
    def total_params(self) -> int | None:
        counts = [layer.params for layer in self.layers if layer.params is not None]
        return sum(counts) if len(counts) == len(self.layers) else None


@dataclass(frozen=True)
class Call:
    """A ``compile``/``fit``/``evaluate`` call: the receiver, keyword arguments resolved to literals."""

    method: str
    receiver: str | None
    args: Mapping[str, Any]
    result: str | None = None  # the name assigned the call's value (``result = model.fit(...)``)
    cell: int | None = None
    model: int | None = None  # index in ``CodeFacts.models`` of the model the receiver is at that point, if known
    layers: int | None = None  # ``summary`` of a known model: how many of its layers it had at that point of the code


@dataclass(frozen=True)
class CodeFacts:
    models: tuple[ModelCode, ...] = ()
    calls: tuple[Call, ...] = ()
    functions: tuple[str, ...] = ()  # names of top-level ``def``s
    syntax_errors: tuple[int, ...] = ()  # cells whose code could not be parsed even after removing magics
    # (cell, text) of every ``print`` whose whole text is written in the code (``print("Test accuracy: 0.97")``);
    # cell None: inside a ``def`` (printed wherever it is called)
    typed_prints: tuple[tuple[int | None, str], ...] = ()

    def calls_of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]


@dataclass(frozen=True)
class TestCell:
    grade_id: str
    points: float
    cell: int
    ran: bool
    error: str | None  # "AssertionError: …" of the first error output, None when it passed


@dataclass(frozen=True)
class TestRecord:
    """The nbgrader test cells of a notebook; ``by_run``: executed by ``autograder run`` (the run's own record says
    so: ``autograder.read.runrecord``, never the notebook's metadata)."""

    by_run: bool = False
    expected: tuple[str, ...] = ()  # the test cells ``autograder run`` restored or looked for
    cells: tuple[TestCell, ...] = ()
    # nbgrader locked code cells: (grade_id, SHA-256 of the normalised source, role "gpu"/"data"/"")
    locked: tuple[tuple[str, str, str], ...] = ()
    digests: frozenset[str] = frozenset()  # SHA-256 of every code cell's normalised source (compared with a release)


@dataclass(frozen=True)
class VerifiedModel:
    """One trained model as the clean process of ``autograder run`` found it (``autograder.execute.verify``)."""

    name: str
    params: int | None = None  # ``count_params()`` of the loaded model; None: not loaded
    layers: tuple[int, ...] = ()  # ``count_params()`` of each layer
    test_accuracy: float | None = None  # on the instructor's test data; None: not scored
    reason: str | None = None  # why it was not loaded or not scored


@dataclass(frozen=True)
class Verification:
    """What the clean process found in the models a run saved: from the run's own record, never from the notebook."""

    models: tuple[VerifiedModel, ...] = ()
    judged: str | None = None  # the model whose test accuracy counts (the receiver of the last ``fit``)
    reason: str | None = None  # why nothing was verified (no model saved, refused, not loadable)

    @property
    def judged_model(self) -> VerifiedModel | None:
        named = [m for m in self.models if m.name == self.judged]
        return named[-1] if named else None


@dataclass(frozen=True)
class Evidence:
    """Everything the static extraction found in one notebook."""

    keras: str = "unknown"
    summaries: tuple[Summary, ...] = ()
    fits: tuple[Fit, ...] = ()
    histories: tuple[History, ...] = ()
    evaluations: tuple[Evaluation, ...] = ()
    test_accuracy: Evaluation | None = None
    figures: tuple[Figure, ...] = ()
    gpu: Gpu = field(default_factory=lambda: Gpu("unknown"))
    execution: Execution = field(default_factory=lambda: Execution(0, 0, 0, False))
    code: CodeFacts = field(default_factory=CodeFacts)
    outputs: tuple[tuple[int, str], ...] = ()  # (cell, normalised output text) of every code cell with output
    fingerprints: Fingerprints = field(default_factory=Fingerprints)  # execution record and Colab ids (integrity)
    tests: TestRecord = field(default_factory=TestRecord)  # nbgrader test cells (graded only after `autograder run`)
    verified: Verification | None = None  # the trained model as `autograder run`'s clean process found it (its record)
    # ``verbose=0`` fits seen only through their callbacks' lines (``Fit.source`` "callbacks"); kept out of ``fits``
    # so that no check or integrity rule reads them; ``to_json()`` lists them under "fits"
    callback_fits: tuple[Fit, ...] = ()

    @property
    def history_keys(self) -> list[str] | None:
        """Keys of the last printed history (dict or dict_keys), else the metrics of the last fit log."""
        if self.histories:
            return list(self.histories[-1].keys)
        if self.fits:
            return list(self.fits[-1].metrics)
        return None

    @property
    def history_keys_source(self) -> str | None:
        """Where ``history_keys`` come from: "printed" (the notebook shows a ``history.history`` dict or its
        ``dict_keys([...])``), "log" (inferred from the metric names of the last fit log), None (no keys)."""
        if self.histories:
            return "printed"
        if self.fits:
            return "log"
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "keras": self.keras,
            "summaries": [s.to_json() for s in self.summaries],
            "fits": [f.to_json() for f in sorted((*self.fits, *self.callback_fits), key=lambda f: f.cell or 0)],
            "history_keys": self.history_keys,
            "history_keys_source": self.history_keys_source,
            "evaluations": [e.to_json() for e in self.evaluations],
            "test_accuracy": self.test_accuracy.accuracy if self.test_accuracy else None,
            "figures": [f.to_json() for f in self.figures],
            "gpu": self.gpu.to_json(),
            "execution": self.execution.to_json(),
        }
