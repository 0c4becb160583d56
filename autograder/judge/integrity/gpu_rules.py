"""``gpu_conflict``: GPU evidence that disagrees with itself (``autograder.model.gpu.conflicts``), for a person.

Judging layer: a pure function of ``Evidence``; standard library and ``autograder.model`` only.
"""
from __future__ import annotations

from autograder.model.evidence import Evidence, GpuSignal
from autograder.model.gpu import conflicts
from autograder.model.results import Flag, FlagKind

__all__ = ["gpu_conflict_flags"]


def _where(s: GpuSignal, en: bool) -> str:
    if s.cell is None:
        return "（メタデータ）" if not en else " (metadata)"
    return f"（セル {s.cell}）" if not en else f" (cell {s.cell})"


def _shown(signals: list[GpuSignal], en: bool) -> str:
    quote = "'{}'" if en else "「{}」"
    parts = [quote.format(s.text) + _where(s, en) for s in signals[:3]]
    return ("; " if en else "、").join(parts)


def gpu_conflict_flags(ev: Evidence) -> list[Flag]:
    """One flag naming both sides when the notebook's GPU evidence disagrees with itself (the verdict is then
    "unknown", so the ``gpu`` check does not pass on it)."""
    gpu_side, other = conflicts(ev.gpu.signals)
    if not gpu_side:
        return []
    cells = tuple(sorted({s.cell for s in gpu_side + other if s.cell is not None}))
    blank = all(s.kind == "gpu_check_blank" for s in other)
    if blank:
        why_ja = "GPU 確認のセルは実行されていますが出力が消されています"
        why_en = "the GPU-check cell was run but its output was cleared"
    else:
        why_ja, why_en = "CPU で実行したことを示す出力もあります", "other outputs say it ran on a CPU"
    return [Flag(FlagKind.GPU_CONFLICT,
                 f"GPU で実行したことを示す証拠 {_shown(gpu_side, False)} がありますが、{why_ja}: {_shown(other, False)}。"
                 "食い違う証拠では GPU で実行したと判定しません。教員が確認します。GPU のランタイムで"
                 "すべてのセルを実行し直し、出力を残して保存してください。",
                 f"there is evidence of a GPU run ({_shown(gpu_side, True)}), but {why_en}: {_shown(other, True)}. "
                 "Evidence that disagrees with itself does not count as a GPU run; an instructor will review it. "
                 "Run all cells again on a GPU runtime and save with the outputs.", cells=cells)]
