"""Checks of the category ``gpu``: whether the notebook ran on a GPU, from the signals reading found.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.registry import kind
from autograder.model.evidence import Evidence
from autograder.model.results import Outcome, Status


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
    return Outcome(Status.MISSING,
                   "GPU で実行した証拠が見つかりません。T4 GPU のランタイムで GPU 確認のセル"
                   "（tf.config.list_physical_devices('GPU') の表示）を実行し、出力を残して保存してください。",
                   "no evidence of a GPU run. On a T4 GPU runtime, run the GPU-check cell "
                   "(printing tf.config.list_physical_devices('GPU')) and save with its output.")
