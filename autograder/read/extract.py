"""One extraction for every command: notebook → Evidence. Reading layer: never executes code; standard library only
(never imports judging, TensorFlow or nbclient).

``inspect`` shows exactly this evidence, and ``check``/``grade`` grade exactly this evidence. Facts the integrity
rules need from the output text (a progress line's counter, whether a cell's output was truncated) are recorded
here on the evidence values, so judging never reads output text.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from itertools import pairwise
from typing import Any

from autograder.model.evidence import (
    CellRecord,
    CodeFacts,
    Evaluation,
    Evidence,
    Execution,
    Figure,
    Fingerprints,
    Fit,
    Gpu,
    GpuSignal,
    Summary,
)
from autograder.model.keras import EVALUATE_METHODS, FIT_METHODS
from autograder.read.code import analyze_parsed, parsed_cell
from autograder.read.figures import read_png
from autograder.read.notebook import Cell, Notebook
from autograder.read.outputs.callbacks import parse_callback_fits
from autograder.read.outputs.evaluate import parse_evaluations, result_names
from autograder.read.outputs.fitlog import parse_fits, step_counter, truncated, unheaded_fits
from autograder.read.outputs.gpu import blank_check_signals, metadata_signals, step_time_signal, text_signals, verdict
from autograder.read.outputs.history import parse_histories
from autograder.read.outputs.summary import parse_summaries
from autograder.read.results import bind_summaries, choose_test_accuracy
from autograder.read.selfcheck_cell import is_selfcheck_cell
from autograder.read.tests import test_record

_FIGURE_TEXT = re.compile(r"<Figure size \d+(?:\.\d+)?x\d+(?:\.\d+)? with (\d{1,6}) Axes>")
_CURVE_CODE = re.compile(r"history|\bloss\b|\bacc(?:uracy)?\b|val_")


MAX_RESULTS_PER_CELL = 200  # the most evaluate results read from one cell (real notebooks: a few)


def extract(nb: Notebook) -> Evidence:
    """Everything the static extraction finds in one notebook (see ``Evidence``)."""
    code_cells = [c for c in nb.code_cells if not is_selfcheck_cell(c.source)]  # the self-check cell is never evidence
    parsed = {c.index: parsed_cell(c.source) for c in code_cells}  # each cell parsed once, for every reader below
    code = analyze_parsed([(c.index, parsed[c.index]) for c in code_cells])
    fit_calls: dict[int, list[Mapping[str, Any]]] = {}
    for call in code.calls:
        if call.method in FIT_METHODS and call.cell is not None:
            fit_calls.setdefault(call.cell, []).append(call.args)
    cell_calls = _cell_calls(code)

    summaries, fits, histories, evaluations, figures = [], [], [], [], []
    callback_fits: list[Fit] = []
    signals: list[GpuSignal] = list(metadata_signals(nb.metadata))
    outputs: list[tuple[int, str]] = []
    dropped: set[int] = set()  # cells whose output says part of it was dropped
    results: dict[str, Any] = {}  # names bound to evaluate results by the cells before (``result_names``)
    for cell in code_cells:
        earlier, results = results, result_names(cell.source, results, parsed[cell.index])
        if not cell.outputs:  # a GPU-check cell without output keeps metadata from deciding (read.outputs.gpu)
            signals += [replace(g, cell=cell.index) for g in blank_check_signals(cell.source, cell.execution_count)]
            continue
        text = cell.text
        if text:
            outputs.append((cell.index, text))
        if truncated(text):
            dropped.add(cell.index)
        i = cell.index
        summaries += [replace(s, cell=i) for s in parse_summaries(text)]
        logs = parse_fits(text)
        claimed: list[str] = []  # progress lines of one-epoch fits without a header: no evaluate results
        if not logs and i in cell_calls:
            logs, claimed = unheaded_fits(text, cell_calls[i], cell.source)
            keras_fits = [args for method, args in cell_calls[i] if method == "fit"]
            callback_fits += [] if logs else _callback_fits(text, i, keras_fits, code)
        for f, args in zip(logs, _fit_args(fit_calls.get(i, []), logs), strict=True):
            epochs_arg, batch_size = args.get("epochs"), args.get("batch_size")
            fits.append(replace(f, cell=i, epochs_arg=epochs_arg if isinstance(epochs_arg, int) else None))
            slow = step_time_signal(f.seconds_per_step, f.steps, batch_size if isinstance(batch_size, int) else None)
            if slow is not None:
                signals.append(replace(slow, cell=i))
        histories += [replace(h, cell=i) for h in parse_histories(text)]
        # a cell shows a handful of results; a hostile one may print millions: keep its last ones only
        evaluations += [_counted(replace(e, cell=i))
                        for e in [e for e in parse_evaluations(text, cell.source, earlier, parsed[i])
                                  if not (e.source == "progress" and e.text in claimed)][-MAX_RESULTS_PER_CELL:]]
        figures += _figures(cell)
        signals += [replace(s, cell=i) for s in text_signals(text, cell.source)]

    evaluations, test_accuracy = choose_test_accuracy(evaluations, fits, code)
    return Evidence(
        keras=_keras_style(summaries, fits),
        summaries=tuple(bind_summaries(summaries, code)),
        fits=tuple(fits),
        callback_fits=tuple(callback_fits),
        histories=tuple(histories),
        evaluations=tuple(evaluations),
        test_accuracy=test_accuracy,
        figures=tuple(figures),
        gpu=Gpu(verdict(signals), tuple(signals)),
        execution=_execution(code_cells),
        code=code,
        outputs=tuple(outputs),
        tests=test_record(nb),
        fingerprints=_fingerprints(nb, code_cells, dropped),
    )


_KERAS_FIT_ARGS = frozenset({"epochs", "nb_epoch", "batch_size", "validation_data", "validation_split", "callbacks",
                             "verbose", "steps_per_epoch", "shuffle", "class_weight"})


def _cell_calls(code: CodeFacts) -> dict[int, list[tuple[str, Mapping[str, Any]]]]:
    """Per cell, its Keras ``fit`` calls (of a model the code builds, or with Keras arguments: not
    ``scaler.fit(x)``) and ``evaluate`` calls, in code order, as ``("fit"|"evaluate", args)``."""
    found: dict[int, list[tuple[str, Mapping[str, Any]]]] = {}
    for call in code.calls:
        if call.cell is None:
            continue
        if call.method in FIT_METHODS and (call.model is not None or _KERAS_FIT_ARGS & set(call.args)):
            found.setdefault(call.cell, []).append(("fit", call.args))
        elif call.method in EVALUATE_METHODS:
            found.setdefault(call.cell, []).append(("evaluate", call.args))
    return found


def _callback_fits(text: str, cell: int, calls: list[Mapping[str, Any]], code: CodeFacts) -> list[Fit]:
    """``verbose=0`` fits seen through their callbacks' lines, in a cell whose every fit call is ``verbose=0`` with
    ``callbacks``; lines the code prints literally are not read; a run naming an epoch beyond ``epochs=`` is not
    that fit's."""
    if not calls or not all(args.get("verbose") == 0 and "callbacks" in args for args in calls):
        return []
    epochs = [args.get("epochs") for args in calls]
    arg = epochs[0] if all(e == epochs[0] for e in epochs) else None
    arg = arg if isinstance(arg, int) and not isinstance(arg, bool) else None
    typed = [t for c, t in code.typed_prints if c is None or c == cell]
    fits = [replace(f, cell=cell, epochs_arg=arg) for f in parse_callback_fits(text, typed)
            if arg is None or (f.epochs_seen or 0) <= arg]
    # Keras 3 restored the best weights at the end without stopping early: the fit ran all its epochs
    whole = arg is not None and not any("initial_epoch" in args for args in calls)
    return [replace(f, epochs_seen=arg) if whole and f.stopped_epoch is None and f.best_epoch is not None else f
            for f in fits]


def _counted(e: Evaluation) -> Evaluation:
    """A progress line with its counter's total and unit and whether it is a Keras 3 ``━`` bar."""
    if e.source != "progress":
        return e
    counter = step_counter(e.text)
    steps, unit = counter if counter is not None else (None, None)
    return replace(e, steps=steps, step_unit=unit, interactive="━" in e.text)


def _fit_args(calls: list[Mapping[str, Any]], logs: list[Fit]) -> list[dict[str, Any]]:
    """The ``epochs`` and ``batch_size`` of the fit call behind each training log of one cell.

    As many calls as logs: paired in order; calls that all agree (one call, or one in a loop): the same for every
    log; the same two rules again without ``verbose=0`` calls (they print no log); otherwise, per log, the calls
    whose ``epochs`` equals the log's ``Epoch i/N`` total when they agree (``datagen.fit(x)`` beside
    ``model.fit(…, epochs=N)``), else nothing.
    """
    every = [{"epochs": args.get("epochs"), "batch_size": args.get("batch_size")} for args in calls]
    printing = [arg for arg, args in zip(every, calls, strict=True) if args.get("verbose") != 0]
    for group in (every, printing):
        if len(group) == len(logs):
            return group
        if group and all(arg == group[0] for arg in group):
            return [group[0]] * len(logs)
    paired = []
    for log in logs:
        same = [arg for arg in every if log.epochs_total is not None and arg["epochs"] == log.epochs_total]
        paired.append(same[0] if same and all(arg == same[0] for arg in same) else {})
    return paired


def _figures(cell: Cell) -> list[Figure]:
    curve = bool(_CURVE_CODE.search(cell.source))
    found = []
    for out in cell.outputs:
        if out.kind not in ("display_data", "execute_result"):
            continue
        m = _FIGURE_TEXT.search(out.text) if out.text else None
        axes = int(m.group(1)) if m else None
        if out.image_digest:
            seen = read_png(out.png) if curve and out.png else None  # only learning curves are decoded (time)
            found.append(Figure(axes=axes, kind="image", digest=out.image_digest, learning_curve=curve, cell=cell.index,
                                pixels=seen.digest if seen else None, coarse=seen.coarse if seen else None,
                                lines=seen.lines if seen else ()))
        elif m:
            found.append(Figure(axes=axes, kind="text", learning_curve=curve, cell=cell.index))
    return found


def _keras_style(summaries: list[Summary], fits: list[Fit]) -> str:
    styles = {s.style for s in summaries} | {f.style for f in fits}
    if "keras3" in styles:
        return "3"
    if "keras2" in styles:
        return "2"
    if "keras1" in styles:
        return "1"
    return "unknown"


def _execution(code_cells: list[Cell]) -> Execution:
    executed = [c for c in code_cells if c.executed]
    counts = [c.execution_count for c in code_cells if c.execution_count]  # null and 0 are not executions
    out_of_order = any(b < a for a, b in pairwise(counts))
    error_cells = tuple(c.index for c in code_cells if any(o.kind == "error" for o in c.outputs))
    error_names = tuple(o.ename or "Error" for c in code_cells for o in c.outputs if o.kind == "error")
    return Execution(code_cells=len(code_cells), executed_cells=len(executed), errors=len(error_names),
                     out_of_order=out_of_order, error_cells=error_cells, error_names=error_names)


_NAME = re.compile(r"[A-Za-z_]\w*")
_SEED = re.compile(r"\bset_(?:random_)?seed\s*\(|\brandom\.seed\s*\(|enable_op_determinism|PYTHONHASHSEED")


def _fingerprints(nb: Notebook, code_cells: list[Cell], dropped: set[int]) -> Fingerprints:
    """Execution counts, Colab ``outputId``s, code identifiers and truncated outputs (``dropped``) per code cell; the
    notebook's ``authorship_tag``."""
    records = []
    for c in code_cells:
        oid = c.metadata.get("outputId")
        ids = [oid] if isinstance(oid, str) else oid if isinstance(oid, list) else []
        records.append(CellRecord(cell=c.index, execution_count=c.execution_count, outputs=len(c.outputs),
                                  output_ids=tuple(x for x in ids if isinstance(x, str) and x),
                                  names=frozenset(_NAME.findall(c.source)), truncated=c.index in dropped))
    colab = nb.metadata.get("colab")
    tag = nb.metadata.get("authorship_tag") or (colab.get("authorship_tag") if isinstance(colab, dict) else None)
    return Fingerprints(cells=tuple(records), authorship_tag=tag if isinstance(tag, str) and tag.strip() else None,
                        seeded=any(_SEED.search(c.source) for c in code_cells))
