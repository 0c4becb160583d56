"""Checks of the category ``summary``: the model's parameter counts and layers, read from ``model.summary()``.

Only summaries of a model the code trains count (``Summary.trained`` is not False): a second model built only to
show its summary while another is trained does not pass, and the message says which model was trained.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.checks.common import _cells
from autograder.judge.registry import Param, kind
from autograder.model.evidence import Evidence
from autograder.model.format import count as _n
from autograder.model.keras import FIT_METHODS
from autograder.model.results import Outcome, Status


def _trained_models(ev: Evidence) -> tuple[str, str]:
    """The trained models the code names, with the cells of their fit calls, in Japanese and English."""
    seen: list[tuple[str, int]] = []
    for c in ev.code.calls:
        if c.method in FIT_METHODS and c.model is not None and c.cell is not None and c.model < len(ev.code.models):
            name = ev.code.models[c.model].variable or c.receiver or "model"
            if (name, c.cell) not in seen:
                seen.append((name, c.cell))
    return ("、".join(f"{n}（セル {c} で fit）" for n, c in seen) or "不明",
            ", ".join(f"{n} (fit in cell {c})" for n, c in seen) or "unknown")


def _untrained(ev: Evidence) -> Outcome:
    """Every summary shown is of a model the code never trains."""
    cells = "、".join(str(s.cell) for s in ev.summaries)
    ja, en = _trained_models(ev)
    return Outcome(Status.FAIL,
                   f"セル {cells} の summary は学習（fit）していないモデルのものです。学習したモデルは {ja} です。"
                   "学習したモデルの summary() を表示してください。",
                   f"the summary in cell {cells.replace('、', ', ')} shows a model that is never trained (fit). "
                   f"The trained model is {en}. Show the summary() of the model you train.", ev.summaries[-1].cell)


@kind("summary_params", total=Param((int,), required=True), count=Param((int,)),
      layer_params=Param((list,), list_of=(int,)))
def check_summary_params(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    total, count, layers = p["total"], p.get("count", 1), p.get("layer_params")
    if not ev.summaries:
        return Outcome(Status.MISSING,
                       "model.summary() の出力が見つかりません。model.summary() を実行し、その出力を残したまま保存してください。",
                       "no model.summary() output found. Run model.summary() and save the notebook with its output.")
    summaries = [s for s in ev.summaries if s.trained is not False]  # a summary of a model never trained: not this one
    if not summaries:
        return _untrained(ev)
    matching = [s for s in summaries if s.total_params == total]
    exact = [s for s in matching if layers is None or [layer.params for layer in s.layers if layer.params] == list(layers)]
    found = "、".join(f"{_n(s.total_params)}（セル {s.cell}）" for s in summaries)
    found_en = ", ".join(f"{_n(s.total_params)} (cell {s.cell})" for s in summaries)
    if len(exact) >= count:
        last = exact[-1]
        return Outcome(Status.PASS, f"総パラメータ数 {_n(total)} を確認しました（セル {_cells(exact)}）。",
                       f"total parameters {_n(total)} found (cell {_cells(exact, ', ')}).", last.cell)
    if len(matching) >= count and layers is not None:
        got = [layer.params for layer in matching[-1].layers if layer.params]
        return Outcome(Status.FAIL, f"総パラメータ数は {_n(total)} ですが、層ごとのパラメータ数 {got} が求める {list(layers)} と違います。",
                       f"the total is {_n(total)} but the per-layer counts {got} differ from the expected {list(layers)}.",
                       matching[-1].cell)
    if count > 1:
        return Outcome(Status.FAIL,
                       f"総パラメータ数 {_n(total)} の summary が {count} つ必要ですが、"
                       + (f"{len(exact)} つしかありません" if exact else "1 つもありません") + f"（見つかった値: {found}）。",
                       f"{count} summaries with {_n(total)} parameters are needed, {len(exact)} found (found: {found_en}).",
                       ev.summaries[-1].cell)
    return Outcome(Status.FAIL,
                   f"総パラメータ数が {_n(total)} ではありません（見つかった値: {found}）。層の数とユニット数を確認してください。",
                   f"the total parameter count is not {_n(total)} (found: {found_en}). Check the layers and their units.",
                   ev.summaries[-1].cell)


@kind("summary_layer", type=Param((str,), required=True))
def check_summary_layer(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    want = p["type"].lower()
    if not ev.summaries:
        return Outcome(Status.MISSING, f"model.summary() の出力が見つからないため {p['type']} 層を確認できません。",
                       f"no model.summary() output, so the {p['type']} layer cannot be confirmed.")
    if all(s.trained is False for s in ev.summaries):
        return _untrained(ev)
    for s in (s for s in ev.summaries if s.trained is not False):
        if any(layer.type.lower() == want for layer in s.layers):
            return Outcome(Status.PASS, f"summary に {p['type']} 層があります（セル {s.cell}）。",
                           f"the summary has a {p['type']} layer (cell {s.cell}).", s.cell)
    return Outcome(Status.FAIL,
                   f"どの summary にも {p['type']} 層がありません。model に {p['type']} を加えて summary を表示し直してください。",
                   f"no summary has a {p['type']} layer. Add {p['type']} to the model and show the summary again.",
                   ev.summaries[-1].cell)
