"""Checks of the category ``plot``: the learning-curve figure and its number of plots.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.checks.common import _cells
from autograder.judge.registry import Param, kind
from autograder.model.evidence import Evidence
from autograder.model.results import Outcome, Status


@kind("figure", axes=Param((int,)), count=Param((int,)))
def check_figure(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    axes, count = p.get("axes"), p.get("count", 1)
    curves = [f for f in ev.figures if f.learning_curve]
    if not curves:
        if ev.figures:
            return Outcome(Status.FAIL, "図はありますが、学習の記録（history の loss / accuracy）を描いた図が見つかりません。",
                           "there are figures, but none plots the training history (loss / accuracy).", ev.figures[-1].cell)
        return Outcome(Status.MISSING, "学習曲線の図が見つかりません。plt.show() で図を表示し、出力を残して保存してください。",
                       "no learning-curve figure was found. Show it with plt.show() and save with the output.")
    good = [f for f in curves if axes is None or f.axes == axes]
    if len(good) >= count:
        return Outcome(Status.PASS, f"学習曲線の図があります（セル {_cells(good)}）。",
                       f"learning-curve figure found (cell {_cells(good, ', ')}).", good[-1].cell)
    unknown = [f for f in curves if f.axes is None]
    if unknown:
        return Outcome(Status.MISSING, f"図はありますが、グラフ（軸）の数が読み取れません。{axes} つのグラフを並べた図を表示してください。",
                       f"a figure is there but its number of plots (axes) cannot be read; show a figure with {axes} plots.",
                       unknown[-1].cell)
    got = "、".join(str(f.axes) for f in curves)
    return Outcome(Status.FAIL,
                   f"図のグラフ（軸）の数が {axes} ではありません（見つかった数: {got}）。"
                   "plt.subplot(1, 2, 1) と (1, 2, 2) で 2 つ並べてください。",
                   f"the figure does not have {axes} plots (found: {got}). Use plt.subplot(1, 2, 1) and (1, 2, 2).",
                   curves[-1].cell)
