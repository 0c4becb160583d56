"""Tell from saved metadata and printed output whether a notebook ran on a GPU; imports only the standard library.

Three readers make ``GpuSignal`` values and one rule (``verdict``) weighs them. Nothing is executed.

Signal kinds (``points_to`` in brackets; ``runtime`` False for ``metadata.*``):

- ``metadata.accelerator``: Colab's ``accelerator`` key. "GPU" [gpu]; "TPU" or "None" [cpu: no GPU was
  selected; Keras code without a ``TPUStrategy`` runs on the TPU host's CPU].
- ``metadata.gpuType``: ``colab.gpuType`` such as "T4" [gpu].
- ``metadata.gpuClass``: ``gpuClass: "standard"`` [None]. Context only: in the corpus it also appears on a
  CPU runtime (``keras2_colab_mnist_cnn_student_gpuclass``: no ``accelerator`` key, and its CNN trains at
  111–137 ms/step with batch 512, like the identical assignment on a CPU Colab runtime at 155 ms/step).
- ``metadata.local_kernel``: saved by a kernel outside Colab [None]: a ``kernelspec.display_name`` other than
  "Python 3" together with a ``language_info.version`` (Colab writes neither), or a ``vscode`` key.
- ``device_list``: ``list_physical_devices``/``list_logical_devices``/``device_lib`` output. A GPU device
  [gpu]; an empty ``[]`` from a cell that asks for GPUs, or an all-devices list holding only a CPU [cpu].
- ``gpu_count``: ``Num GPUs Available: 1`` [gpu] / ``0`` [cpu], or a bare count from ``len(…('GPU'))``.
- ``gpu_device_name``: ``tf.test.gpu_device_name()`` shows ``/device:GPU:0`` [gpu], or ``''`` / an empty
  labelled value [cpu]; the TF guide's ``SystemError: GPU device not found`` [cpu].
- ``is_gpu_available``: ``tf.test.is_gpu_available()`` True [gpu] / False [cpu].
- ``gpu_assert``: a cell whose source asserts a GPU check (MIT 6.S191's
  ``assert len(tf.config.list_physical_devices('GPU')) > 0``) and that shows output but no error [gpu];
  the same cell ending in ``AssertionError`` [cpu]. A passing assert in a cell without output is not seen.
- ``tf_log``: TensorFlow/XLA log lines: ``Created device …/device:GPU:0``, ``StreamExecutor device (0): …
  Compute Capability``, ``Loaded cuDNN version``, ``Found device 0 with properties``, ``initialized for
  platform CUDA`` [gpu]; ``Skipping registering GPU devices`` [cpu].
- ``cuda_error``: ``failed call to cuInit``, ``Could not find cuda drivers on your machine``,
  ``CUDA_ERROR_NO_DEVICE``, a missing ``libcudart``/``libcuda`` [cpu].
- ``cuda_build``: ``('is_cuda_build', False)`` from ``tf.sysconfig.get_build_info()``, or
  ``tf.test.is_built_with_cuda()`` False [cpu]. (A Mac ``tensorflow-metal`` GPU would also say False.)
- ``nvidia_smi``: an ``NVIDIA-SMI …`` table or ``nvidia-smi -L`` line [gpu]; ``NVIDIA-SMI has failed``,
  ``No devices were found``, ``nvidia-smi: command not found`` [cpu].
- ``torch_cuda``: ``torch.cuda.is_available()`` True [gpu] / False [cpu].
- ``step_time``: training took ≥ 1 s per step (see ``step_time_signal``) [cpu]; supporting only.
- ``gpu_check_blank`` / ``gpu_check_unrun``: a cell whose code displays a GPU check (``print(…list_physical_devices
  ('GPU'))``, a bare ``tf.test.gpu_device_name()`` last line, ``!nvidia-smi``) but shows no output: it ran and its
  output was cleared (an execution count and no output), or it never ran [None]. Either keeps metadata from
  deciding (rule 2 of ``verdict``): the released GPU-check cell is what shows the runtime.

Evidence that disagrees with itself is no evidence (``conflicts``): printed GPU and CPU signals in one notebook,
a GPU device list beside ``nvidia-smi: command not found`` (a machine with no NVIDIA driver), or GPU metadata
beside a GPU-check cell whose output was cleared (``autograder.model.gpu.conflicts``): the verdict is "unknown"
and the judging layer flags the notebook (``gpu_conflict``) with the signals of both sides.

Not evidence either way, and ignored: the TF ≥ 2.16 registration noise (``Unable to register cuDNN/cuFFT/
cuBLAS factory``, ``computation placer already registered``), ``cpu_feature_guard`` lines, TensorRT
``libnvinfer`` warnings (printed on Colab GPU runtimes too), pip output naming ``nvidia-*-cu12`` wheels.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import TypeGuard

from autograder.model.evidence import GpuSignal
from autograder.model.gpu import BLANK_CHECK_KINDS, MACHINE_KINDS, METADATA_GPU_KINDS, SUPPORTING_KINDS, conflicts

MAX_TEXT = 200

__all__ = ["MACHINE_KINDS", "SUPPORTING_KINDS", "blank_check_signals", "conflicts", "metadata_signals",
           "step_time_signal", "text_signals", "verdict"]
_METADATA_GPU_KINDS = METADATA_GPU_KINDS

# glog prefixes: "2026-01-23 15:04:30.793659: I tensorflow/…/gpu_device.cc:2021] " and
# "I0000 00:00:1769177072.559118   28486 service.cc:154] ".
_GLOG_PREFIX = re.compile(r"^(?:\d{4}-\d\d-\d\d [\d:.]+: [IWEF] |[IWEF]\d{4} [\d:.]+\s+\d+ )\S+:\d+\]\s*")
_GPU_LIST_CALL = re.compile(r"list_(?:physical|logical)_devices\(\s*(?:device_type\s*=\s*)?['\"]GPU['\"]")
_ALL_LIST_CALL = re.compile(r"list_(?:physical|logical)_devices\(\s*\)|list_local_devices\(\s*\)")
_DEVICE_GPU = ("device_type='GPU'", 'device_type="GPU"', 'device_type: "GPU"')
_DEVICE_CPU = ("device_type='CPU'", 'device_type="CPU"', 'device_type: "CPU"')
_COUNT_LINE = re.compile(r"^(?P<label>[^\n:=：]{0,80}?gpus?[^\n:=：]{0,40}?)\s*[:=：]?\s*(?<!\d)(?P<n>\d{1,6})\s*$", re.I)
_COUNT_WORDS = ("num", "count", "available", "数", "개", "個", "len", "#")
_BOOL_LINE = re.compile(r"^(?P<label>.{0,80}?)\s*[:=?：]?\s*(?P<value>True|False)\s*$")
_EMPTY_VALUE = re.compile(r"^(?P<label>[^\n]{0,80}gpu[^\n]{0,40}?)\s*[:=：]\s*$", re.I)
_DEVICE_NAME = re.compile(r"/device:GPU:\d")
_ERROR_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit):(?: |$)|^Traceback \(most recent call last\)", re.M)
_ASSERTION_ERROR = re.compile(r"^AssertionError:", re.M)
_SMI_HEADER = re.compile(r"NVIDIA-SMI\s+(\d[\d.]*)")
_SMI_ROW = re.compile(r"^\|\s+(\d+)\s+(\S.*?)\s+(?:On|Off|WDDM|TCC)\s+\|", re.M)
_SMI_LIST = re.compile(r"^GPU \d+: .+\(UUID: GPU-", re.M)
_GPU_ASSERT_CALLS = ("list_physical_devices", "list_logical_devices", "gpu_device_name", "is_gpu_available")

# Log lines: the first line holding the substring is quoted (glog prefix removed).
_LOG_LINES: tuple[tuple[str, str | None, str, str], ...] = (
    # substring, second substring required on the same line (or None), kind, points_to
    ("Created device /job:", "device:GPU:", "tf_log", "gpu"),
    ("Created TensorFlow device (", "GPU", "tf_log", "gpu"),
    ("StreamExecutor device (", "Compute Capability", "tf_log", "gpu"),  # "(0): Host, …" is CPU XLA
    ("Loaded cuDNN version", None, "tf_log", "gpu"),
    ("Found device 0 with properties", None, "tf_log", "gpu"),
    ("initialized for platform CUDA", None, "tf_log", "gpu"),
    ("Skipping registering GPU devices", None, "tf_log", "cpu"),
    ("failed call to cuInit", None, "cuda_error", "cpu"),
    ("Could not find cuda drivers on your machine", None, "cuda_error", "cpu"),
    ("CUDA_ERROR_NO_DEVICE", None, "cuda_error", "cpu"),
    ("Could not load dynamic library 'libcudart", None, "cuda_error", "cpu"),
    ("Could not load dynamic library 'cudart64", None, "cuda_error", "cpu"),
    ("Could not load dynamic library 'libcuda.so", None, "cuda_error", "cpu"),
    ("'is_cuda_build', False", None, "cuda_build", "cpu"),
    ('"is_cuda_build": False', None, "cuda_build", "cpu"),
    ("GPU device not found", None, "gpu_device_name", "cpu"),
    ("NVIDIA-SMI has failed", None, "nvidia_smi", "cpu"),
    ("nvidia-smi: command not found", None, "nvidia_smi", "cpu"),
    ("nvidia-smi: not found", None, "nvidia_smi", "cpu"),
    ("'nvidia-smi' is not recognized", None, "nvidia_smi", "cpu"),
)
# Boolean-returning calls whose bare True/False a cell may show: (needle in source, kind).
_BOOL_CALLS = (("is_gpu_available(", "is_gpu_available"), ("cuda.is_available(", "torch_cuda"),
               ("is_built_with_cuda(", "cuda_build"))

_SLOW_STEP_SECONDS = 1.0
_SLOW_SAMPLE_SECONDS = 0.004
_MIN_STEPS = 10


# ---------------------------------------------------------------- metadata

def metadata_signals(metadata: Mapping) -> list[GpuSignal]:
    """Signals from notebook-level metadata (Colab's accelerator keys, a local kernel), ``runtime=False``."""
    if not isinstance(metadata, Mapping):
        return []
    found: list[GpuSignal] = []
    accelerator = metadata.get("accelerator")
    if isinstance(accelerator, str) and accelerator.strip():
        value = accelerator.strip()
        points = "gpu" if value.upper() == "GPU" else "cpu" if value.upper() in ("TPU", "NONE") else None
        found.append(_meta("metadata.accelerator", f"accelerator: {value}", points))
    colab = metadata.get("colab")
    gpu_type = colab.get("gpuType") if isinstance(colab, Mapping) else None
    if not (isinstance(gpu_type, str) and gpu_type.strip()):
        gpu_type = metadata.get("gpuType")
    if isinstance(gpu_type, str) and gpu_type.strip():
        found.append(_meta("metadata.gpuType", f"colab.gpuType: {gpu_type.strip()}", "gpu"))
    gpu_class = metadata.get("gpuClass")
    if isinstance(gpu_class, str) and gpu_class.strip():
        found.append(_meta("metadata.gpuClass", f"gpuClass: {gpu_class.strip()}", None))
    kernelspec = metadata.get("kernelspec")
    language = metadata.get("language_info")
    display = kernelspec.get("display_name") if isinstance(kernelspec, Mapping) else None
    version = language.get("version") if isinstance(language, Mapping) else None
    if isinstance(display, str) and display.strip() != "Python 3" and isinstance(version, (str, int, float)) \
            and not isinstance(version, bool) and str(version).strip():
        shown = f"kernelspec.display_name: {display.strip()}; language_info.version: {str(version).strip()}"
        found.append(_meta("metadata.local_kernel", shown, None))
    if "vscode" in metadata:
        found.append(_meta("metadata.local_kernel", "vscode: saved by VS Code", None))
    return found


def _meta(kind: str, text: str, points: str | None) -> GpuSignal:
    return GpuSignal(kind=kind, text=_trim(text), points_to=points, runtime=False, cell=None)


# ---------------------------------------------------------------- printed output

def text_signals(text: str, source: str) -> list[GpuSignal]:
    """Signals printed by one code cell: ``text`` is ``Cell.text``, ``source`` the cell's code. ``cell=None``.

    At most one signal per (kind, points_to) per cell, quoting the first matching line.
    """
    text = text if isinstance(text, str) else ""
    source = source if isinstance(source, str) else ""
    if not text.strip():
        return []
    code = _code_lines(source)
    found: list[GpuSignal] = []
    seen: set[tuple[str, str | None]] = set()

    def add(kind: str, line: str, points: str | None) -> None:
        if (kind, points) not in seen:
            seen.add((kind, points))
            found.append(GpuSignal(kind=kind, text=_trim(line), points_to=points, runtime=True, cell=None))

    for needle, also, kind, points in _LOG_LINES:
        line = _first_line(text, needle, also)
        if line is not None:
            add(kind, _GLOG_PREFIX.sub("", line.strip()), points)

    _device_lists(text, code, add)
    _gpu_counts(text, code, add)
    _device_names(text, code, add)
    _booleans(text, code, add)
    _asserts(text, code, add)
    _nvidia_smi(text, code, add)
    return found


def _device_lists(text: str, code: str, add) -> None:
    for needle in _DEVICE_GPU:
        if needle in text:
            add("device_list", _first_line(text, needle) or needle, "gpu")
            return
    if "list_" not in code:
        return
    if _GPU_LIST_CALL.search(code) and "[]" in text:
        for line in text.splitlines():
            s = line.strip()
            if s == "[]" or (s.endswith("[]") and "gpu" in s.lower() and len(s) <= 120):
                add("device_list", s, "cpu")
                return
    if _ALL_LIST_CALL.search(code):
        for needle in _DEVICE_CPU:
            if needle in text:
                add("device_list", _first_line(text, needle) or needle, "cpu")
                return


def _gpu_counts(text: str, code: str, add) -> None:
    asks = bool(_GPU_LIST_CALL.search(code)) if "list_" in code else False
    if "Num GPUs Available" in text or (asks and ("GPU" in text or "gpu" in text)):
        for line in text.splitlines():
            if "gpu" not in line.lower() or len(line) > 160:
                continue
            m = _COUNT_LINE.match(line.strip())
            if m and (line.strip().startswith("Num GPUs Available") or
                      (asks and any(w in m.group("label").lower() for w in _COUNT_WORDS))):
                add("gpu_count", line.strip(), "gpu" if int(m.group("n")) > 0 else "cpu")
                return
    if asks and "len(" in code:
        shown = text.strip()
        if shown.isdigit() and len(shown) < 4:
            add("gpu_count", shown, "gpu" if int(shown) > 0 else "cpu")


def _device_names(text: str, code: str, add) -> None:
    if "gpu_device_name" not in code:
        return
    m = _DEVICE_NAME.search(text)
    if m:
        line = _line_at(text, m.start())
        if "Could not satisfy" not in line and "no devices matching" not in line:
            add("gpu_device_name", _GLOG_PREFIX.sub("", line.strip()), "gpu")
            return
    for line in text.splitlines():
        s = line.strip()
        if s in ("''", '""') or (len(s) <= 120 and _EMPTY_VALUE.match(s)):
            add("gpu_device_name", s, "cpu")
            return


def _booleans(text: str, code: str, add) -> None:
    calls = [kind for needle, kind in _BOOL_CALLS if needle in code]
    if not calls or ("True" not in text and "False" not in text):
        return
    bare: list[str] = []
    labelled: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        s = line.strip()
        if s in ("True", "False"):
            bare.append(s)
            continue
        if len(s) > 160 or not s.endswith(("True", "False")):
            continue
        m = _BOOL_LINE.match(s)
        label = m.group("label").lower() if m else ""
        if m and ("gpu" in label or "cuda" in label):
            labelled.append((s, label, m.group("value")))
    if len(calls) == 1 and len(bare) == 1 and not labelled:
        _bool_signal(calls[0], bare[0], bare[0] == "True", add)
        return
    for line, label, value in labelled:
        if "built" in label or "build" in label:
            kind = "cuda_build" if "cuda_build" in calls else None
        elif "torch" in label or ("torch_cuda" in calls and "is_gpu_available" not in calls):
            kind = "torch_cuda"
        elif "is_gpu_available" in calls:
            kind = "is_gpu_available"
        else:
            kind = None
        if kind:
            _bool_signal(kind, line, value == "True", add)


def _bool_signal(kind: str, line: str, value: bool, add) -> None:
    if kind == "cuda_build":
        if not value:  # a CUDA build says nothing about a GPU being present
            add(kind, line, "cpu")
    else:
        add(kind, line, "gpu" if value else "cpu")


def _asserts(text: str, code: str, add) -> None:
    if "assert" not in code:
        return
    asserts = [line.strip() for line in code.splitlines() if line.lstrip().startswith("assert")]
    checks = [a for a in asserts if any(c in a for c in _GPU_ASSERT_CALLS) and "gpu" in a.lower()]
    if not checks:
        return
    if _ERROR_LINE.search(text) is None:
        add("gpu_assert", f"{checks[0]} (passed)", "gpu")
    elif len(asserts) == 1 and _ASSERTION_ERROR.search(text):
        add("gpu_assert", f"{checks[0]} (AssertionError)", "cpu")


def _nvidia_smi(text: str, code: str, add) -> None:
    if "NVIDIA-SMI" in text and "NVIDIA-SMI has failed" not in text:
        m = _SMI_HEADER.search(text)
        if m:
            rows = _SMI_ROW.findall(text, m.end(), m.end() + 8000)
            gpu = f" … GPU {rows[0][0]}: {rows[0][1].strip()}" if rows else ""
            add("nvidia_smi", f"NVIDIA-SMI {m.group(1)}{gpu}", "gpu")
    if "(UUID: GPU-" in text:
        m = _SMI_LIST.search(text)
        if m:
            add("nvidia_smi", _line_at(text, m.start()).strip(), "gpu")
    if "No devices were found" in text and "nvidia-smi" in code:
        add("nvidia_smi", "No devices were found", "cpu")


# ---------------------------------------------------------------- GPU-check cells without output

_SHOWS_CHECK = re.compile(r"^\s*(?:print\s*\(.*(?:list_(?:physical|logical)_devices|gpu_device_name|is_gpu_available|"
                          r"list_local_devices)|!\s*nvidia-smi)")
_BARE_CHECK = re.compile(r"^\s*(?:tf\.)?[\w.]*(?:list_(?:physical|logical)_devices\(\s*(?:device_type\s*=\s*)?['\"]GPU['\"]\s*\)|"
                         r"gpu_device_name\(\s*\)|is_gpu_available\([^)]*\))\s*$")


def blank_check_signals(source: str, execution_count: int | None) -> list[GpuSignal]:
    """For a code cell without any output: a ``gpu_check_blank`` (it ran: its output was cleared) or
    ``gpu_check_unrun`` signal when its code displays a GPU check (a ``print`` of one, ``!nvidia-smi``, or a
    check as the bare last line), else nothing. ``cell=None``. A check that displays nothing when it passes
    (``assert …``, ``gpus = …``) is not one."""
    lines = [line for line in _code_lines(source if isinstance(source, str) else "").splitlines() if line.strip()]
    shown = next((line for line in lines if _SHOWS_CHECK.search(line)), None)
    if shown is None and lines and _BARE_CHECK.search(lines[-1]):
        shown = lines[-1]
    if shown is None:
        return []
    kind = "gpu_check_blank" if execution_count else "gpu_check_unrun"
    return [GpuSignal(kind=kind, text=_trim(shown), points_to=None, runtime=True, cell=None)]


# ---------------------------------------------------------------- step time

def step_time_signal(seconds_per_step: float | None, steps: int | None,
                     batch_size: int | None) -> GpuSignal | None:
    """A supporting ``step_time`` signal [cpu] when training was too slow for a GPU, else None.

    Rule: at least 10 steps per epoch, at least 1 s per step, and (when the batch size is known) at least
    4 ms per sample. In the corpus the slowest GPU training runs at 90 ms/step (CIFAR-10 CNN, batch 512,
    Colab GPU) and the CPU run of the same assignment at 6 s/step; a 1-step ``predict`` on a GPU shows
    ``1s/step`` (first-call tracing), hence the step floor. Never fast → gpu: an MNIST MLP runs at 1–4 ms/step
    on CPUs and GPUs alike. Pass per-step times only (not Keras ≤ 2.2 per-sample ``us/step``).
    """
    if not _number(seconds_per_step) or not _count(steps):
        return None
    if seconds_per_step < _SLOW_STEP_SECONDS or steps < _MIN_STEPS:
        return None
    batch = batch_size if _count(batch_size) else None
    if batch and seconds_per_step / batch < _SLOW_SAMPLE_SECONDS:
        return None
    shown = f"{seconds_per_step:g}s/step over {steps} steps" + (f" (batch {batch})" if batch else "")
    return GpuSignal(kind="step_time", text=_trim(shown), points_to="cpu", runtime=True, cell=None)


def _number(x: object) -> TypeGuard[float]:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x) and x > 0


def _count(x: object) -> TypeGuard[int]:
    return isinstance(x, int) and not isinstance(x, bool) and x > 0


# ---------------------------------------------------------------- verdict

def verdict(signals: Sequence[GpuSignal]) -> str:
    """"gpu", "cpu" or "unknown" from all the signals of one notebook.

    1. Printed (runtime) signals decide when there are any, except ``step_time``, which only supports.
       TensorFlow-level signals outrank machine-level ones (``nvidia_smi``, ``torch_cuda``): the highest
       tier holding a gpu/cpu signal decides. All gpu → "gpu"; all cpu → "cpu"; both → "unknown" (cell
       order is not run order, and such a notebook holds outputs of two sessions: a person should look).
    2. Otherwise metadata ``accelerator: GPU`` or ``colab.gpuType`` → "gpu", unless the metadata also names a
       non-GPU accelerator, or was saved by a local kernel (``metadata.local_kernel``: the Colab setting is
       stale), or a ``step_time`` signal says training was CPU-slow; then "unknown".
    3. Otherwise "unknown". Metadata, ``gpuClass``, a local kernel or step time never give "cpu" alone.
    4. Evidence that disagrees with itself (``conflicts``) is "unknown", whatever 1–2 say, except a machine
       that has a GPU TensorFlow does not use (Windows-native TF ≥ 2.11: ``nvidia-smi`` lists a GPU, TF prints
       ``[]``), which stays "cpu" as in 1. Metadata never decides while a GPU-check cell shows no output.
    """
    gpu_side, _ = conflicts(signals)
    if any(s.kind not in MACHINE_KINDS for s in gpu_side):  # a TensorFlow-level gpu signal is contradicted
        return "unknown"
    decisive = [s for s in signals if isinstance(s, GpuSignal) and s.runtime and s.points_to in ("gpu", "cpu")
                and s.kind not in SUPPORTING_KINDS]
    tf_level = [s for s in decisive if s.kind not in MACHINE_KINDS]
    tier = tf_level or decisive
    if tier:
        points = {s.points_to for s in tier if s.points_to is not None}  # all "gpu" or "cpu" (decisive)
        return points.pop() if len(points) == 1 else "unknown"
    meta = [s for s in signals if isinstance(s, GpuSignal) and not s.runtime]
    if not any(s.kind in _METADATA_GPU_KINDS and s.points_to == "gpu" for s in meta):
        return "unknown"
    if any(isinstance(s, GpuSignal) and s.kind in BLANK_CHECK_KINDS for s in signals):
        return "unknown"
    contradicted = any(s.kind in _METADATA_GPU_KINDS and s.points_to == "cpu" for s in meta)
    local = any(s.kind == "metadata.local_kernel" for s in meta)
    slow = any(isinstance(s, GpuSignal) and s.runtime and s.kind in SUPPORTING_KINDS and s.points_to == "cpu"
               for s in signals)
    return "unknown" if contradicted or local or slow else "gpu"


# ---------------------------------------------------------------- helpers

def _code_lines(source: str) -> str:
    """The source without full-line comments (``#tf.test.is_gpu_available()`` is not a call)."""
    if "#" not in source:
        return source
    return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("#"))


def _line_at(text: str, index: int) -> str:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    return text[start:] if end < 0 else text[start:end]


def _first_line(text: str, needle: str, also: str | None = None) -> str | None:
    """The first line holding ``needle`` (and ``also`` on the same line, when given)."""
    index = text.find(needle)
    while index >= 0:
        line = _line_at(text, index)
        if also is None or also in line:
            return line
        index = text.find(needle, index + len(needle))
    return None


def _trim(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1].rstrip() + "…"
