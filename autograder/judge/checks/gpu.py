"""Checks of the category ``gpu``: whether the notebook ran on a GPU, from the signals reading found.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.registry import kind
from autograder.model.evidence import Evidence, GpuSignal
from autograder.model.gpu import BLANK_CHECK_KINDS, conflicts
from autograder.model.results import Outcome, Status


def _quote(signals: list[GpuSignal], en: bool) -> str:
    where = [(f" (cell {s.cell})" if en else f"（セル {s.cell}）") if s.cell is not None else
             (" (metadata)" if en else "（メタデータ）") for s in signals[:3]]
    return ("; " if en else "、").join(f"{s.text}{w}" for s, w in zip(signals, where, strict=False))


def _unknown(ev: Evidence) -> Outcome | None:
    """Why the verdict is "unknown" when the evidence disagrees with itself or the GPU-check cell shows nothing."""
    gpu_side, other = conflicts(ev.gpu.signals)
    if gpu_side:
        return Outcome(Status.MISSING,
                       f"GPU の証拠が食い違っています（GPU: {_quote(gpu_side, False)}／それ以外: {_quote(other, False)}）。"
                       "食い違う証拠では合格にしません。GPU のランタイムですべてのセルを実行し直し、出力を残して保存してください。",
                       f"the GPU evidence disagrees with itself (GPU: {_quote(gpu_side, True)} / other: "
                       f"{_quote(other, True)}). It does not pass on such evidence: run all cells again on a GPU runtime "
                       "and save with the outputs.", next((s.cell for s in other if s.cell is not None), None))
    blank = [s for s in ev.gpu.signals if s.kind in BLANK_CHECK_KINDS]
    if blank:
        return Outcome(Status.MISSING,
                       f"GPU 確認のセル（セル {blank[0].cell}）に出力がありません。メタデータだけでは GPU で実行したと判定しません。"
                       "GPU のランタイムでそのセルを実行し、出力を残して保存してください。",
                       f"the GPU-check cell (cell {blank[0].cell}) shows no output; metadata alone does not show a GPU run. "
                       "Run that cell on a GPU runtime and save with its output.", blank[0].cell)
    return None


@kind("gpu")
def check_gpu(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    gpu = ev.gpu
    shown = [s for s in gpu.signals if s.points_to == gpu.verdict] or list(gpu.signals)
    evidence_ja = "、".join(f"{s.text}" + (f"（セル {s.cell}）" if s.cell is not None else "（メタデータ）") for s in shown[:3])
    evidence_en = "; ".join(f"{s.text}" + (f" (cell {s.cell})" if s.cell is not None else " (metadata)") for s in shown[:3])
    cell = next((s.cell for s in shown if s.cell is not None), None)
    if ev.execution.code_cells and not ev.execution.executed_cells:
        return Outcome(Status.MISSING,
                       "ノートブックが実行されていないため、GPU で実行したかどうか分かりません（メタデータだけでは判定しません）。",
                       "the notebook was not run, so whether it ran on a GPU cannot be told (metadata alone is not enough).")
    if gpu.verdict == "gpu":
        return Outcome(Status.PASS, f"GPU で実行した証拠があります: {evidence_ja}。", f"evidence of a GPU run: {evidence_en}.", cell)
    if gpu.verdict == "cpu":
        return Outcome(Status.FAIL,
                       f"CPU で実行されたようです（根拠: {evidence_ja}）。"
                       "「ランタイム → ランタイムのタイプを変更」で T4 GPU を選び、実行し直してください。",
                       f"the notebook seems to have run on a CPU (evidence: {evidence_en}). "
                       "Choose Runtime → Change runtime type → T4 GPU and run it again.",
                       cell)
    why = _unknown(ev)
    if why is not None:
        return why
    return Outcome(Status.MISSING,
                   "GPU で実行した証拠が見つかりません。T4 GPU のランタイムで GPU 確認のセル"
                   "（tf.config.list_physical_devices('GPU') の表示）を実行し、出力を残して保存してください。",
                   "no evidence of a GPU run. On a T4 GPU runtime, run the GPU-check cell "
                   "(printing tf.config.list_physical_devices('GPU')) and save with its output.")
