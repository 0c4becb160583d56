"""GPU evidence that disagrees with itself: one rule that reading (the verdict) and judging (the flag) share.

Values only; standard library and ``autograder.model.evidence`` only.
"""
from __future__ import annotations

from collections.abc import Sequence

from autograder.model.evidence import GpuSignal

# Kinds that report what the machine has rather than what TensorFlow uses: a Windows-native TF ≥ 2.11 sees
# no GPU although nvidia-smi lists one. They decide only when no TensorFlow-level signal was printed.
MACHINE_KINDS = frozenset({"nvidia_smi", "torch_cuda"})
# Kinds that may support a decision but never make one.
SUPPORTING_KINDS = frozenset({"step_time"})
METADATA_GPU_KINDS = frozenset({"metadata.accelerator", "metadata.gpuType"})
BLANK_CHECK_KINDS = frozenset({"gpu_check_blank", "gpu_check_unrun"})


def conflicts(signals: Sequence[GpuSignal]) -> tuple[list[GpuSignal], list[GpuSignal]]:
    """The (gpu side, other side) of evidence that disagrees with itself; two empty lists when it agrees.

    Printed gpu signals against printed cpu ones of either tier (TensorFlow, machine; ``step_time`` only supports,
    so it never makes a conflict); or GPU metadata
    against a GPU-check cell that ran but whose output was cleared."""
    signals = [s for s in signals if isinstance(s, GpuSignal)]
    printed_gpu = [s for s in signals if s.runtime and s.points_to == "gpu"]
    printed_cpu = [s for s in signals if s.runtime and s.points_to == "cpu" and s.kind not in SUPPORTING_KINDS]
    if printed_gpu and printed_cpu:
        return printed_gpu, printed_cpu
    meta_gpu = [s for s in signals if not s.runtime and s.kind in METADATA_GPU_KINDS and s.points_to == "gpu"]
    blank = [s for s in signals if s.kind == "gpu_check_blank"]
    if meta_gpu and blank and not printed_gpu and not printed_cpu:
        return meta_gpu, blank
    return [], []
