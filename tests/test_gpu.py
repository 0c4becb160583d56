"""Tests for ``autograder.outputs.gpu``: metadata and printed GPU signals, the verdict rule, the real corpus."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from autograder.model.evidence import GpuSignal
from autograder.read.notebook import load_notebook
from autograder.read.outputs.gpu import MAX_TEXT, metadata_signals, step_time_signal, text_signals, verdict

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"


def kinds(signals):
    return {(s.kind, s.points_to) for s in signals}


def only(signals):
    assert len(signals) == 1, signals
    return signals[0]


# ---------------------------------------------------------------- metadata

COLAB_GPU = {
    "accelerator": "GPU",
    "colab": {"gpuType": "T4", "provenance": []},
    "kernelspec": {"name": "python3", "display_name": "Python 3"},
    "language_info": {"name": "python"},
}


def test_colab_gpu_metadata():
    signals = metadata_signals(COLAB_GPU)
    assert kinds(signals) == {("metadata.accelerator", "gpu"), ("metadata.gpuType", "gpu")}
    assert {s.text for s in signals} == {"accelerator: GPU", "colab.gpuType: T4"}
    assert all(s.runtime is False and s.cell is None for s in signals)


def test_gpu_class_is_context_only():
    s = only(metadata_signals({"gpuClass": "standard", "colab": {"provenance": []}}))
    assert (s.kind, s.points_to, s.text) == ("metadata.gpuClass", None, "gpuClass: standard")
    assert verdict([s]) == "unknown"


@pytest.mark.parametrize("value", ["TPU", "None"])
def test_non_gpu_accelerator_points_to_cpu_but_never_decides(value):
    s = only(metadata_signals({"accelerator": value}))
    assert (s.kind, s.points_to, s.text) == ("metadata.accelerator", "cpu", f"accelerator: {value}")
    assert verdict([s]) == "unknown"


def test_local_kernel_needs_other_display_name_and_a_version():
    local = {"kernelspec": {"display_name": "base", "name": "python3"}, "language_info": {"version": "3.13.5"}}
    s = only(metadata_signals(local))
    assert (s.kind, s.points_to, s.runtime) == ("metadata.local_kernel", None, False)
    assert "base" in s.text and "3.13.5" in s.text
    # Colab writes display_name "Python 3" and no version; a Jupyter re-save of a Colab file keeps "Python 3".
    assert metadata_signals({"kernelspec": {"display_name": "Python 3"}, "language_info": {"version": "3.9.1"}}) == []
    assert metadata_signals({"kernelspec": {"display_name": "base"}, "language_info": {"name": "python"}}) == []


def test_vscode_key_is_local_kernel():
    s = only(metadata_signals({"vscode": {"interpreter": {"hash": "ab12"}}}))
    assert s.kind == "metadata.local_kernel" and s.points_to is None


@pytest.mark.parametrize("metadata", [None, [], "GPU", {}, {"accelerator": None}, {"accelerator": 1},
                                      {"colab": "x"}, {"colab": {"gpuType": None}}, {"gpuClass": ["standard"]},
                                      {"kernelspec": "python3", "language_info": 3},
                                      {"kernelspec": {"display_name": 3}, "language_info": {"version": True}}])
def test_odd_metadata_never_raises(metadata):
    assert metadata_signals(metadata) == []


# ---------------------------------------------------------------- printed output

def signal(text, source=""):
    return only(text_signals(text, source))


def test_device_list_with_a_gpu():
    s = signal("[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]",
               "tf.config.list_physical_devices('GPU')")
    assert (s.kind, s.points_to, s.runtime, s.cell) == ("device_list", "gpu", True, None)
    assert s.text == "[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]"


@pytest.mark.parametrize("source", ["tf.config.list_physical_devices('GPU')",
                                    'print(tf.config.list_physical_devices("GPU"))',
                                    "gpus = tf.config.experimental.list_physical_devices('GPU')\ngpus",
                                    "tf.config.list_physical_devices(device_type='GPU')"])
def test_empty_device_list_from_a_gpu_query_is_cpu(source):
    s = signal("[]", source)
    assert (s.kind, s.points_to, s.text) == ("device_list", "cpu", "[]")


def test_labelled_empty_list_is_cpu():
    assert signal("GPUs: []", "print('GPUs:', tf.config.list_physical_devices('GPU'))").points_to == "cpu"


def test_empty_list_without_a_gpu_query_is_nothing():
    assert text_signals("[]", "x = []\nx") == []
    assert text_signals("[]", "# tf.config.list_physical_devices('GPU')\n[]") == []


def test_all_devices_list_with_only_a_cpu_is_cpu():
    s = signal("[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]",
               "tf.config.list_physical_devices()")
    assert (s.kind, s.points_to) == ("device_list", "cpu")
    assert text_signals("[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU')]",
                        "tf.config.list_physical_devices('CPU')") == []


def test_all_devices_list_wrapped_over_lines():
    text = ("[PhysicalDevice(name='/physical_device:CPU:0', device_type='CPU'),\n"
            " PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]")
    s = signal(text, "tf.config.list_physical_devices()")
    assert (s.points_to, s.text) == ("gpu", "PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]")


def test_device_lib_listing():
    text = ('[name: "/device:CPU:0"\ndevice_type: "CPU"\nmemory_limit: 268435456\n, name: "/device:GPU:0"\n'
            'device_type: "GPU"\nphysical_device_desc: "device: 0, name: Tesla T4, pci bus id: 0000:00:04.0"\n]')
    assert signal(text, "from tensorflow.python.client import device_lib\ndevice_lib.list_local_devices()").points_to == "gpu"


@pytest.mark.parametrize("text,points", [("Num GPUs Available:  1", "gpu"), ("Num GPUs Available:  0", "cpu")])
def test_num_gpus_available(text, points):
    s = signal(text, 'print("Num GPUs Available: ", len(tf.config.list_physical_devices(\'GPU\')))')
    assert (s.kind, s.points_to, s.text) == ("gpu_count", points, text)


def test_num_gpus_available_without_source_still_counts():
    assert signal("Num GPUs Available: 2").points_to == "gpu"


def test_bare_gpu_count():
    assert signal("0", "len(tf.config.list_physical_devices('GPU'))").points_to == "cpu"
    assert signal("1", "len(tf.config.list_physical_devices('GPU'))").points_to == "gpu"
    assert text_signals("1", "len(my_list)") == []


def test_labelled_gpu_count_in_japanese():
    s = signal("利用可能なGPU数: 1", "print('利用可能なGPU数:', len(tf.config.list_physical_devices('GPU')))")
    assert (s.kind, s.points_to) == ("gpu_count", "gpu")


def test_gpu_index_is_not_a_count():
    assert text_signals("Using GPU: 0", "gpus = tf.config.list_physical_devices('GPU')\nprint('Using GPU:', 0)") == []


def test_gpu_device_name():
    s = signal("'/device:GPU:0'", "tf.test.gpu_device_name()")
    assert (s.kind, s.points_to) == ("gpu_device_name", "gpu")
    s = signal("Found GPU at: /device:GPU:0", "device_name = tf.test.gpu_device_name()\nprint('Found GPU at: {}'.format(device_name))")
    assert (s.points_to, s.text) == ("gpu", "Found GPU at: /device:GPU:0")


def test_empty_gpu_device_name_is_cpu():
    assert signal("''", "tf.test.gpu_device_name()").points_to == "cpu"
    assert signal("Default GPU Device: ", "print('Default GPU Device: {}'.format(tf.test.gpu_device_name()))").points_to == "cpu"
    assert text_signals("''", "name = ''\nname") == []


def test_gpu_device_not_found_error_is_cpu():
    source = ("device_name = tf.test.gpu_device_name()\nif device_name != '/device:GPU:0':\n"
              "  raise SystemError('GPU device not found')")
    s = signal("SystemError: GPU device not found", source)
    assert (s.kind, s.points_to) == ("gpu_device_name", "cpu")


def test_device_placement_error_is_not_gpu():
    text = ("InvalidArgumentError: Cannot assign a device for operation MatMul: Could not satisfy explicit device "
            "specification '/device:GPU:0' because no devices matching that specification are registered")
    assert all(s.points_to != "gpu" for s in text_signals(text, "tf.test.gpu_device_name()"))


@pytest.mark.parametrize("value,points", [("True", "gpu"), ("False", "cpu")])
def test_is_gpu_available(value, points):
    text = ("WARNING:tensorflow:From <ipython-input-2>:1: is_gpu_available (from tensorflow.python.framework.test_util)"
            " is deprecated and will be removed in a future version.\n" + value)
    s = signal(text, "tf.test.is_gpu_available()")
    assert (s.kind, s.points_to, s.text) == ("is_gpu_available", points, value)


def test_labelled_is_gpu_available():
    s = signal("GPU available: False", "print('GPU available:', tf.test.is_gpu_available())")
    assert (s.kind, s.points_to) == ("is_gpu_available", "cpu")


def test_two_boolean_calls_with_bare_values_are_ambiguous():
    assert text_signals("True\nFalse", "print(tf.test.is_built_with_cuda())\nprint(tf.test.is_gpu_available())") == []


def test_commented_call_is_not_a_call():
    assert text_signals("True", "#tf.test.is_gpu_available()\nflag = True\nflag") == []


@pytest.mark.parametrize("value,points", [("True", "gpu"), ("False", "cpu")])
def test_torch_cuda(value, points):
    s = signal(value, "import torch\ntorch.cuda.is_available()")
    assert (s.kind, s.points_to) == ("torch_cuda", points)


def test_is_built_with_cuda_false_is_cpu_and_true_is_nothing():
    assert signal("False", "tf.test.is_built_with_cuda()").kind == "cuda_build"
    assert signal("False", "tf.test.is_built_with_cuda()").points_to == "cpu"
    assert text_signals("True", "tf.test.is_built_with_cuda()") == []


def test_build_info_without_cuda_is_cpu():
    text = ("OrderedDict([('is_cuda_build', False),\n             ('is_rocm_build', False),\n"
            "             ('is_tensorrt_build', False),\n             ('msvcp_dll_names', 'msvcp140.dll,msvcp140_1.dll')])")
    s = signal(text, "tf.sysconfig.get_build_info()")
    assert (s.kind, s.points_to) == ("cuda_build", "cpu")
    assert "'is_cuda_build', False" in s.text


SMI_535 = """Tue Nov  7 02:15:51 2023
+---------------------------------------------------------------------------------------+
| NVIDIA-SMI 535.104.05             Driver Version: 535.104.05   CUDA Version: 12.2     |
|-----------------------------------------+----------------------+----------------------+
| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |
|                                         |                      |               MIG M. |
|=========================================+======================+======================|
|   0  Tesla T4                       Off | 00000000:00:04.0 Off |                    0 |
| N/A   36C    P8               9W /  70W |      0MiB / 15360MiB |      0%      Default |
|                                         |                      |                  N/A |
+-----------------------------------------+----------------------+----------------------+"""

SMI_460 = """+-----------------------------------------------------------------------------+
| NVIDIA-SMI 460.32.03    Driver Version: 460.32.03    CUDA Version: 11.2     |
|-------------------------------+----------------------+----------------------+
| GPU  Name        Persistence-M| Bus-Id        Disp.A | Volatile Uncorr. ECC |
| Fan  Temp  Perf  Pwr:Usage/Cap|         Memory-Usage | GPU-Util  Compute M. |
|===============================+======================+======================|
|   0  Tesla K80           Off  | 00000000:00:04.0 Off |                    0 |
| N/A   33C    P8    27W / 149W |      0MiB / 11441MiB |      0%      Default |
+-------------------------------+----------------------+----------------------+"""


@pytest.mark.parametrize("table,name,version", [(SMI_535, "Tesla T4", "535.104.05"), (SMI_460, "Tesla K80", "460.32.03")])
def test_nvidia_smi_table(table, name, version):
    s = signal(table, "!nvidia-smi")
    assert (s.kind, s.points_to) == ("nvidia_smi", "gpu")
    assert s.text == f"NVIDIA-SMI {version} … GPU 0: {name}"


@pytest.mark.parametrize("text", [
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest "
    "NVIDIA driver is installed and running.",
    "/bin/bash: line 1: nvidia-smi: command not found",
    "No devices were found",
])
def test_nvidia_smi_without_a_gpu(text):
    s = signal(text, "!nvidia-smi")
    assert (s.kind, s.points_to) == ("nvidia_smi", "cpu")


def test_nvidia_smi_list():
    s = signal("GPU 0: Tesla T4 (UUID: GPU-1a2b3c4d-0000-1111-2222-333344445555)", "!nvidia-smi -L")
    assert (s.kind, s.points_to) == ("nvidia_smi", "gpu")


LOCAL_GPU_LOG = (
    "2026-01-23 15:04:30.793659: I tensorflow/core/common_runtime/gpu/gpu_device.cc:2021] Created device "
    "/job:localhost/replica:0/task:0/device:GPU:0 with 22233 MB memory:  -> device: 0, name: NVIDIA RTX A5000, "
    "pci bus id: 0000:84:00.0, compute capability: 8.6")


def test_created_device_log_line():
    s = signal(LOCAL_GPU_LOG, "model = keras.Sequential([...])")
    assert (s.kind, s.points_to) == ("tf_log", "gpu")
    assert s.text.startswith("Created device /job:localhost/replica:0/task:0/device:GPU:0")
    assert "NVIDIA RTX A5000" in s.text and len(s.text) <= MAX_TEXT


@pytest.mark.parametrize("line", [
    "I0000 00:00:1769177072.559118   28486 service.cc:154]   StreamExecutor device (0): NVIDIA RTX A5000, Compute Capability 8.6",
    "2026-01-23 15:04:32.829581: I external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:531] Loaded cuDNN version 90701",
    "2020-11-24 10:00:00.000000: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1716] Found device 0 with properties: "
    "pciBusID: 0000:00:04.0 name: Tesla T4 computeCapability: 7.5",
])
def test_other_gpu_log_lines(line):
    s = signal(line)
    assert (s.kind, s.points_to) == ("tf_log", "gpu")
    assert not s.text[0].isdigit() and "]" not in s.text[:5]  # the glog prefix is dropped


def test_one_signal_per_kind_per_cell():
    text = LOCAL_GPU_LOG + "\n" + LOCAL_GPU_LOG.replace("GPU:0", "GPU:1")
    assert len(text_signals(text, "")) == 1


def test_xla_on_host_is_not_gpu():
    assert text_signals("I0000 00:00:1.0   1 service.cc:154]   StreamExecutor device (0): Host, Default Version", "") == []


def test_cuinit_failure_is_cpu():
    line = ("2025-08-02 15:26:18.216362: E external/local_xla/xla/stream_executor/cuda/cuda_platform.cc:51] failed call "
            "to cuInit: INTERNAL: CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)")
    s = signal(line)
    assert (s.kind, s.points_to) == ("cuda_error", "cpu")
    assert s.text.startswith("failed call to cuInit")


def test_no_cuda_drivers_is_cpu():
    line = "2023-11-09 01:02:03.000000: I tensorflow/tsl/cuda/cudart_stub.cc:28] Could not find cuda drivers on your machine, GPU will not be used."  # noqa: E501 - a verbatim output or source line
    assert signal(line).points_to == "cpu"


def test_registration_noise_is_not_evidence():
    noise = "\n".join([
        "2025-08-02 15:26:00.411480: E external/local_xla/xla/stream_executor/cuda/cuda_fft.cc:467] Unable to register "
        "cuFFT factory: Attempting to register factory for plugin cuFFT when one has already been registered",
        "E0000 00:00:1754148360.434261     227 cuda_dnn.cc:8579] Unable to register cuDNN factory: Attempting to register "
        "factory for plugin cuDNN when one has already been registered",
        "E0000 00:00:1754148360.514131     227 cuda_blas.cc:1407] Unable to register cuBLAS factory: Attempting to register "
        "factory for plugin cuBLAS when one has already been registered",
        "W0000 00:00:1754148360.532147     227 computation_placer.cc:177] computation placer already registered. Please "
        "check linkage and avoid linking the same target more than once.",
        "2025-08-02 15:26:00.5: I tensorflow/core/platform/cpu_feature_guard.cc:210] This TensorFlow binary is optimized "
        "to use available CPU instructions in performance-critical operations.",
        "Requirement already satisfied: nvidia-cudnn-cu12==9.10.2.21 in /usr/local/lib/python3.12/dist-packages (9.10.2.21)",
    ])
    assert text_signals(noise, "import tensorflow as tf\n!pip install mitdeeplearning") == []


MIT_SOURCE = ("import tensorflow as tf\n!pip install mitdeeplearning\nimport mitdeeplearning as mdl\n"
              "# Check that we are using a GPU, if not switch runtimes\n"
              "assert len(tf.config.list_physical_devices('GPU')) > 0")


def test_passing_gpu_assert_is_gpu():
    s = signal("Successfully installed mitdeeplearning-0.6.1", MIT_SOURCE)
    assert (s.kind, s.points_to) == ("gpu_assert", "gpu")
    assert s.text.startswith("assert len(tf.config.list_physical_devices('GPU')) > 0")


def test_failing_gpu_assert_is_cpu():
    s = signal("Successfully installed mitdeeplearning-0.6.1\nAssertionError: ", MIT_SOURCE)
    assert (s.kind, s.points_to) == ("gpu_assert", "cpu")


def test_gpu_assert_after_another_error_is_nothing():
    assert text_signals("ModuleNotFoundError: No module named 'mitdeeplearning'", MIT_SOURCE) == []
    assert text_signals("KeyboardInterrupt: ", MIT_SOURCE) == []


def test_text_is_trimmed_to_one_line():
    long = "2026-01-23 15:04:30.793659: I x.cc:1] Created device /job:localhost/replica:0/task:0/device:GPU:0 " + "x" * 500
    s = signal("first line\n" + long + "\nlast line")
    assert len(s.text) <= MAX_TEXT and "\n" not in s.text and s.text.endswith("…")


@pytest.mark.parametrize("text,source", [("", ""), (None, None), (3, ["x"]), ("[]", None), ("True", "")])
def test_odd_input_never_raises(text, source):
    assert text_signals(text, source) == []


# ---------------------------------------------------------------- step time

def test_cpu_slow_cifar_training_supports_cpu():
    s = step_time_signal(6.0, 98, 512)  # '98/98 [====] - 567s 6s/step' on a CPU Colab runtime
    assert (s.kind, s.points_to, s.runtime) == ("step_time", "cpu", True)
    assert "6s/step" in s.text and "98" in s.text


@pytest.mark.parametrize("seconds,steps,batch", [
    (0.044, 98, 512),  # the same assignment on a GPU runtime
    (0.09, 98, 512),
    (1.0, 1, None),  # a 1-step predict on a GPU: first-call tracing
    (1.5, 20, 4096),  # 0.4 ms per sample
    (0.585, 200, 256),
    (None, 98, 512), (6.0, None, 512), (float("nan"), 98, 512), (True, 98, 512), (6.0, 98.0, 512), (-1.0, 98, 32),
])
def test_step_time_otherwise_says_nothing(seconds, steps, batch):
    assert step_time_signal(seconds, steps, batch) is None


def test_step_time_with_unknown_batch():
    assert step_time_signal(1.2, 50, None).points_to == "cpu"


# ---------------------------------------------------------------- verdict

def rt(kind, points, cell=0):
    return GpuSignal(kind=kind, text=kind, points_to=points, runtime=True, cell=cell)


def meta(kind, points):
    return GpuSignal(kind=kind, text=kind, points_to=points, runtime=False)


ACCEL_GPU = meta("metadata.accelerator", "gpu")
LOCAL = meta("metadata.local_kernel", None)


def test_verdict_nothing_is_unknown():
    assert verdict([]) == "unknown"


def test_verdict_metadata_only_is_gpu():
    assert verdict(metadata_signals(COLAB_GPU)) == "gpu"
    assert verdict([meta("metadata.gpuType", "gpu")]) == "gpu"
    assert verdict([ACCEL_GPU, meta("metadata.gpuClass", None)]) == "gpu"


def test_verdict_printed_empty_list_beats_gpu_metadata():
    signals = metadata_signals(COLAB_GPU) + text_signals("[]", "tf.config.list_physical_devices('GPU')")
    assert verdict(signals) == "cpu"


def test_verdict_local_server_log_only_is_gpu():
    assert verdict(text_signals(LOCAL_GPU_LOG, "")) == "gpu"


def test_verdict_runtime_gpu_with_no_metadata():
    assert verdict([rt("device_list", "gpu"), rt("tf_log", "gpu", 3)]) == "gpu"


def test_verdict_conflicting_runtime_signals_are_unknown():
    assert verdict([ACCEL_GPU, rt("device_list", "cpu", 1), rt("device_list", "gpu", 5)]) == "unknown"


def test_verdict_tensorflow_outranks_the_machine():
    # Windows-native TF >= 2.11: nvidia-smi lists the card, TensorFlow sees no GPU.
    assert verdict([rt("nvidia_smi", "gpu"), rt("device_list", "cpu", 1)]) == "cpu"
    # A TensorFlow GPU beside a machine with no NVIDIA driver disagrees with itself (issue 13: a forged device list)
    assert verdict([rt("nvidia_smi", "cpu"), rt("gpu_count", "gpu", 1)]) == "unknown"
    assert verdict([rt("nvidia_smi", "gpu")]) == "gpu"
    assert verdict([ACCEL_GPU, rt("nvidia_smi", "cpu")]) == "cpu"
    assert verdict([rt("nvidia_smi", "gpu"), rt("torch_cuda", "cpu")]) == "unknown"


def test_verdict_stale_metadata_from_a_local_kernel_is_unknown():
    assert verdict([ACCEL_GPU, meta("metadata.gpuType", "gpu"), LOCAL]) == "unknown"
    assert verdict([ACCEL_GPU, LOCAL, rt("tf_log", "gpu")]) == "gpu"
    assert verdict([LOCAL, rt("cuda_build", "cpu")]) == "cpu"


def test_verdict_step_time_supports_but_never_decides():
    slow = step_time_signal(6.0, 98, 512)
    assert verdict([slow]) == "unknown"
    assert verdict([ACCEL_GPU, slow]) == "unknown"
    assert verdict([ACCEL_GPU, slow, rt("device_list", "gpu")]) == "gpu"


def test_verdict_contradictory_metadata_is_unknown():
    assert verdict([meta("metadata.accelerator", "cpu"), meta("metadata.gpuType", "gpu")]) == "unknown"


def test_verdict_ignores_non_signals():
    assert verdict([None, "gpu", ACCEL_GPU]) == "gpu"  # type: ignore[list-item]


# ---------------------------------------------------------------- real corpus

def corpus_file(name: str) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    path = CORPUS / f"{name}.ipynb"
    assert path.is_file(), path
    return path


def notebook_signals(path: Path) -> list[GpuSignal]:
    nb = load_notebook(path)
    signals = list(metadata_signals(nb.metadata))
    for cell in nb.code_cells:
        signals += [replace(s, cell=cell.index) for s in text_signals(cell.text, cell.source)]
    return signals


def kind_set(signals):
    return {s.kind for s in signals}


# name → (verdict, kinds that must be present, established by reading the file)
CORPUS_TRUTH = {
    # Colab `accelerator: GPU`, nothing printed about the device: metadata decides.
    "colab_gpu_mnist_mlp_dropout_keras2": ("gpu", {"metadata.accelerator"}),
    "colab_gpu_mnist_mlp_minimal_null_exec_counts": ("gpu", {"metadata.accelerator"}),
    "colab_gpu_mnist_cnn_dropout_keras2": ("gpu", {"metadata.accelerator"}),
    "large_colab_gpu_cifar10_cnn_augmentation_keras2": ("gpu", {"metadata.accelerator"}),
    # Colab outputs (cells carry Colab outputIds) re-saved by Jupyter: display_name "Python 3", version 3.9.1.
    "colab_gpu_mnist_cnn_exercise_solution_keras2": ("gpu", {"metadata.accelerator"}),
    "jp_colab_gpu_mnist_cnn_odd_exec_counts": ("gpu", {"metadata.accelerator"}),
    "keras2_colab_gpu_fashion_mnist_mlp_cnn_gpuclass": ("gpu", {"metadata.accelerator", "metadata.gpuClass"}),
    "keras3_colab_gpu_cifar10_cnn_student": ("gpu", {"metadata.accelerator"}),
    # MIT 6.S191: `assert len(tf.config.list_physical_devices('GPU')) > 0` ran without an error.
    "tf215_colab_gpu_mit_lab2_mnist": ("gpu", {"metadata.accelerator", "gpu_assert"}),
    "keras3_colab_gpu_mit_lab2_mnist": ("gpu", {"metadata.accelerator", "gpu_assert"}),
    # Metadata says T4 but the outputs were made by a local kernel ("base", Python 3.13.5), nothing printed.
    "keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt": (
        "unknown", {"metadata.accelerator", "metadata.gpuType", "metadata.local_kernel"}),
    # gpuClass only: the CNN trains at CPU speed (111-137 ms/step), like the CPU run of the same assignment.
    "keras2_colab_mnist_cnn_student_gpuclass": ("unknown", {"metadata.gpuClass"}),
    "keras3_digit_classification_local_gpu_tf_logs": ("gpu", {"tf_log", "metadata.local_kernel"}),
    "keras3_mnist_mlp_dropout_analysis_tf_xla_logs": ("cpu", {"cuda_error", "metadata.local_kernel"}),
    "korean_cpu_windows_fashion_mnist_gpu_check_out_of_order": ("cpu", {"cuda_build", "metadata.local_kernel"}),
    # No evidence at all.
    "mnist_mlp_exercise_solution_keras2_local": ("unknown", set()),
    "keras2_colab_cifar10_cnn_student": ("unknown", set()),
    "udacity_mnist_mlp_dropout_keras2_tfbackend": ("unknown", set()),
    "nbformat3_cs231n_two_layer_net_py2": ("unknown", set()),
}
NO_SIGNALS = {"mnist_mlp_exercise_solution_keras2_local", "keras2_colab_cifar10_cnn_student",
              "udacity_mnist_mlp_dropout_keras2_tfbackend", "nbformat3_cs231n_two_layer_net_py2",
              "keras3_colab_mnist_mlp_student_out_of_order", "tf215_colab_mnist_cnn_student_null_exec_counts"}


@pytest.mark.parametrize("name", sorted(CORPUS_TRUTH))
def test_corpus_verdict(name):
    expected, required = CORPUS_TRUTH[name]
    signals = notebook_signals(corpus_file(name))
    assert verdict(signals) == expected, [(s.kind, s.points_to, s.text) for s in signals]
    assert required <= kind_set(signals)


@pytest.mark.parametrize("name", sorted(NO_SIGNALS))
def test_corpus_files_without_evidence_have_no_signals(name):
    assert notebook_signals(corpus_file(name)) == []


def test_corpus_details():
    log = notebook_signals(corpus_file("keras3_digit_classification_local_gpu_tf_logs"))
    assert any("NVIDIA RTX A5000" in s.text and s.cell == 8 for s in log if s.kind == "tf_log")
    assert not any(s.points_to == "cpu" for s in log)  # cuFFT/cuDNN/cuBLAS registration noise is ignored
    xla = notebook_signals(corpus_file("keras3_mnist_mlp_dropout_analysis_tf_xla_logs"))
    assert {s.cell for s in xla if s.kind == "cuda_error"} == {5, 8, 17}
    t4 = notebook_signals(corpus_file("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt"))
    assert not any(s.runtime for s in t4)
    assert any("base" in s.text for s in t4 if s.kind == "metadata.local_kernel")


def test_corpus_never_gpu_or_cpu_without_facts():
    """Every other corpus file (PROVENANCE.md lists no GPU fact for it) comes out "unknown"."""
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    for path in sorted(CORPUS.glob("*.ipynb")):
        if path.stem not in CORPUS_TRUTH:
            assert verdict(notebook_signals(path)) == "unknown", path.name


def test_corpus_never_raises_and_signals_are_well_formed():
    if not CORPUS.is_dir():
        pytest.skip(f"corpus not found at {CORPUS}")
    for path in sorted(CORPUS.glob("*.ipynb")):
        nb = load_notebook(path)
        for s in metadata_signals(nb.metadata):
            assert not s.runtime and s.cell is None and len(s.text) <= MAX_TEXT
        for cell in nb.cells:
            for text, source in ((cell.text if cell.cell_type == "code" else "", cell.source),
                                 (cell.source, cell.source), (cell.source, "")):
                for s in text_signals(text, source):
                    assert s.runtime and s.cell is None and s.points_to in ("gpu", "cpu", None)
                    assert 0 < len(s.text) <= MAX_TEXT and "\n" not in s.text
            for out in cell.outputs:
                text_signals(out.text, cell.source)
