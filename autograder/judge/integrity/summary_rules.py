"""Integrity rules 1 and 2: a ``model.summary()`` table against its own totals and against the models in the code.
Judging layer: pure functions of ``Evidence``; standard library and ``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from autograder.judge.integrity.common import records, tampered
from autograder.model.evidence import CodeLayer, Evidence, Layer, ModelCode
from autograder.model.format import count as _n
from autograder.model.results import Flag

__all__ = ["summary_totals", "summary_vs_code"]


# ------------------------------------------------------------------ rule 1: summary rows vs totals

def summary_totals(ev: Evidence) -> list[Flag]:
    """The rows' parameters add up to ``Trainable + Non-trainable`` (else ``Total``); ``Total`` is their sum
    (Keras 3: at least their sum, it may add ``Optimizer params``)."""
    flags = []
    for s in ev.summaries:
        t, n = s.trainable_params, s.non_trainable_params
        split = t + n if t is not None and n is not None else None
        expected = split if split is not None else s.total_params
        rows = sum(layer.params for layer in s.layers)
        where = f"model.summary() の表（セル {s.cell}）"
        where_en = f"the model.summary() table (cell {s.cell})"
        if s.layers and rows != expected:
            label = "Trainable + Non-trainable params" if split is not None else "Total params"
            flags.append(tampered(f"{where}: 各層の Param # の合計 {_n(rows)} が {label} の {_n(expected)} と一致しません。"
                                  "表示された表が編集されている可能性があります。",
                                  f"{where_en}: the layers' Param # add up to {_n(rows)}, not the {label} "
                                  f"{_n(expected)}; the table may have been edited.",
                                  [s.cell]))
            continue
        if t is None or n is None:
            continue
        split = t + n
        if s.total_params < split if s.style == "keras3" else s.total_params != split:
            flags.append(tampered(f"{where}: Total params {_n(s.total_params)} が Trainable {_n(t)} + Non-trainable {_n(n)} = "
                                  f"{_n(split)} と一致しません。表示された表が編集されている可能性があります。",
                                  f"{where_en}: Total params {_n(s.total_params)} is not Trainable {_n(t)} + Non-trainable "
                                  f"{_n(n)} = {_n(split)}; the table may have been edited.", [s.cell]))
    return flags


# ------------------------------------------------------------------ rule 2: summary vs the code's models

def _nonzero(layers: Iterable[Layer | CodeLayer]) -> list[int]:
    return [layer.params for layer in layers if layer.params]


def _built_so_far(ev: Evidence, cell: int) -> list[ModelCode]:
    """The models as they were where this cell calls ``summary()``: a table printed before more ``add`` calls (in
    the same cell or a later one) shows the first layers only, and is honest."""
    return [replace(ev.code.models[c.model], layers=ev.code.models[c.model].layers[: c.layers]) for c in ev.code.calls
            if c.method == "summary" and c.cell == cell and c.model is not None and c.layers is not None
            and c.model < len(ev.code.models)]


def summary_vs_code(ev: Evidence) -> list[Flag]:
    """Each summary against the models its cell's code names (``model.summary()`` → ``model``): the latest such
    model built at or before the summary must have known parameter counts; any of them may match."""
    cells = records(ev)
    flags = []
    for s in ev.summaries:
        if s.cell is None:
            continue  # not from a notebook cell: no code names it
        names = cells[s.cell].names if s.cell in cells else frozenset()
        defined = [m for m in ev.code.models if m.variable in names and m.cell is not None and m.cell <= s.cell]
        if not defined:
            continue
        model = defined[0]
        for m in defined:  # the last one built in the latest cell
            if (m.cell or 0) >= (model.cell or 0):
                model = m
        total = model.total_params
        if total is None:
            continue  # a layer whose parameters the code analysis cannot compute: nothing to compare
        shown = _nonzero(s.layers)
        t, n = s.trainable_params, s.non_trainable_params
        sizes = {s.total_params, sum(layer.params for layer in s.layers) if s.layers else s.total_params}
        if t is not None and n is not None:
            sizes.add(t + n)
        known = [m for m in defined if m.total_params is not None] + _built_so_far(ev, s.cell)
        if any((shown and _nonzero(m.layers) == shown) or m.total_params in sizes for m in known):
            continue
        built = ", ".join(_n(p) for p in _nonzero(model.layers))
        rows = ", ".join(_n(p) for p in shown)
        name = model.variable or "model"
        flags.append(tampered(
            f"model.summary() の表（セル {s.cell}）は総パラメータ数 {_n(s.total_params)}（層: {rows}）ですが、"
            f"コード（セル {model.cell} の {name}）から計算すると {_n(total)}（層: {built}）です。"
            "コードを実行後に変更したか、表示が編集されている可能性があります。",
            f"the model.summary() table (cell {s.cell}) shows {_n(s.total_params)} parameters (layers: {rows}), but the "
            f"code (cell {model.cell}, {name}) builds {_n(total)} (layers: {built}). The code was changed "
            "after it ran, or the output was edited.", [s.cell, model.cell]))
    return flags
