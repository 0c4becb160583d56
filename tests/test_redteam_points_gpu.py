"""Red team (issue 13, items 1, 4, 8, 9): forged notebooks built in code from genuine runs (the bundled samples),
one per strategy, each with its effort level; every one must be caught (no points gained, or a flag a person sees).
And the other side: no honest notebook we have (../shared/corpus/real, the samples, the course solutions) is
accused (``tampered_output``, ``collusion``, ``gpu_conflict``, the session-trace ``out_of_order``).

Effort levels: low = a JSON edit any student can make in a text editor; medium = an edit that needs to know the
format (a second output, the log format), or a re-run in Colab.
"""
from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import pytest

from autograder.execute.cache import write_record
from autograder.judge.integrity.execution import session_flag
from autograder.judge.spec import load_spec
from autograder.model.results import FlagKind
from autograder.pipeline import grade_notebook, grade_paths
from autograder.read.extract import extract
from autograder.read.notebook import from_dict, load_notebook
from autograder.read.runrecord import digest, run_record, safe_points
from autograder.testing import samples

pytestmark = pytest.mark.timeout(120)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))
SPEC = load_spec("mlp")


def _write(tmp_path: Path, nb: dict, name: str = "2412001_山田_1.ipynb") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return path


def _valid_json(result) -> dict:
    """The report is valid JSON: ``allow_nan=False`` round-trips."""
    text = json.dumps(result.to_json(), ensure_ascii=False, allow_nan=False)
    return json.loads(text)


def _extra_test_cell(points) -> dict:
    cell = samples.code("assert True  # my own test", [], count=99)
    cell["metadata"]["nbgrader"] = {"grade": True, "grade_id": "extra", "points": points, "solution": False, "locked": True}
    return cell


def _flags(result, kind: FlagKind) -> list:
    return [f for f in result.flags if f.kind == kind]


# ================================================================== item 1: points come from the instructor only

@pytest.mark.parametrize("points", [1000, "inf", float("inf"), float("nan"), -5, 1e308, "1e309", True, [1]])
def test_redteam_extra_test_cell_with_its_own_points_and_a_typed_run_marker(tmp_path, points):
    """Strategy: metadata ``autograder.run`` + one extra nbgrader test cell worth 1000 (or inf, nan, -5 …). Effort: low.
    Caught: the run marker is the run's record, not metadata; a test cell's points come from the record."""
    honest = grade_notebook(_write(tmp_path, samples.submission("mlp")), SPEC)
    nb = samples.submission("mlp")
    nb["metadata"]["autograder"] = {"run": {"status": "ok", "tests": ["extra", "test_accuracy"]}}
    nb["cells"].append(_extra_test_cell(points))
    forged = grade_notebook(_write(tmp_path, nb), SPEC)
    doc = _valid_json(forged)
    assert forged.score == honest.score and forged.max_score == SPEC.total_points == 100
    assert math.isfinite(doc["score"]) and doc["max_score"] == 100
    assert "extra" not in {c.id for c in forged.checks}


@pytest.mark.parametrize("points", [1000, "inf", float("nan"), -5, 1e308])
def test_redteam_extra_test_cell_in_a_notebook_the_run_really_executed(tmp_path, points):
    """Strategy: the extra test cell survives into a run's executed notebook (the run restores only the course's
    test cells). Effort: low. Caught: its id is not in the run's record, so its points count for nothing."""
    nb = samples.submission("mlp")
    nb["cells"].append(_extra_test_cell(points))
    out = tmp_path / "out"
    executed = _write(out / "executed", nb)
    write_record(out, executed, "ok", nb, ["test_accuracy"])
    assert run_record(executed) is not None  # the static pipeline sees the run's own record
    result = grade_notebook(executed, SPEC)
    _valid_json(result)
    assert result.max_score == 100 and result.score <= 100
    assert "extra" not in {c.id for c in result.checks}


def test_redteam_spec_check_id_with_huge_points_in_a_run_notebook(tmp_path):
    """Strategy: a test cell named like a spec check (``test_accuracy``) with points 1000. Effort: low.
    Caught: a test cell of a spec check can only take points away; the spec's points stand."""
    nb = samples.submission("mlp")
    cell = _extra_test_cell(1000)
    cell["metadata"]["nbgrader"]["grade_id"] = "test_accuracy"
    nb["cells"].append(cell)
    out = tmp_path / "out"
    executed = _write(out / "executed", nb)
    write_record(out, executed, "ok", nb, ["test_accuracy"])  # the record holds what the file says: 1000…
    result = grade_notebook(executed, SPEC)
    check = next(c for c in result.checks if c.id == "test_accuracy")
    assert check.max_points == 20 and check.points <= 20 and result.max_score == 100  # …and it does not count


def test_redteam_forged_record_beside_the_notebook_or_edited_after_the_run(tmp_path):
    """Strategy: fake run marker: an ``executed``/``records`` pair made by the student, or a run's notebook edited
    afterwards. Effort: medium. Caught: a record names the SHA-256 of the exact bytes; an edited file has none."""
    nb = samples.submission("mlp")
    nb["cells"].append(_extra_test_cell(1000))
    out = tmp_path / "out"
    executed = _write(out / "executed", nb)
    write_record(out, executed, "ok", nb, ["extra"])
    executed.write_text(executed.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # edited after the run
    assert run_record(executed) is None
    (out / "records" / f"{digest(executed.read_bytes())}.json").write_text(json.dumps({"sha256": "0" * 64}))
    assert run_record(executed) is None  # a record for other bytes
    assert grade_notebook(executed, SPEC).max_score == 100
    elsewhere = _write(tmp_path / "submitted", nb)  # no executed/records folder around it
    assert run_record(elsewhere) is None


def test_instructor_points_of_a_restored_test_cell_count(tmp_path):
    """Not vacuous: a test cell the course source gives 5 points (recorded by the run) is counted."""
    nb = samples.submission("mlp")
    cell = _extra_test_cell(5)
    cell["metadata"]["nbgrader"]["grade_id"] = "bonus"
    nb["cells"].append(cell)
    out = tmp_path / "out"
    executed = _write(out / "executed", nb)
    write_record(out, executed, "ok", nb, ["bonus"])
    result = grade_notebook(executed, SPEC)
    bonus = next(c for c in result.checks if c.id == "bonus")
    assert bonus.max_points == 5 and result.max_score == 105


@pytest.mark.parametrize("value,expected", [("inf", 0.0), (float("nan"), 0.0), (-5, 0.0), (True, 0.0), ("3", 3.0),
                                            (1e308, 1e308), ("1e309", 0.0), (None, 0.0)])
def test_safe_points(value, expected):
    assert safe_points(value) == expected


def test_a_diverged_run_reports_valid_json(tmp_path):
    """``loss: nan`` is honest (training diverged); the report must still be valid JSON."""
    nb = samples.submission("mlp")
    for cell in nb["cells"]:
        for o in cell.get("outputs", []):
            if isinstance(o.get("text"), str) and "Test loss:" in o["text"]:
                o["text"] = o["text"].replace("Test loss: 0.", "Test loss: nan  # 0.")
    result = grade_notebook(_write(tmp_path, nb), SPEC)
    _valid_json(result)
    report = grade_paths([str(tmp_path)], SPEC)
    json.dumps(report.to_json(), allow_nan=False)


# ================================================================== item 4: session traces

def _renamed(nb: dict, old: str, new: str) -> dict:
    return json.loads(json.dumps(nb).replace(old, new))


@pytest.mark.parametrize("keras3", [True, False])
def test_redteam_rerun_in_a_live_session_with_renumbered_counts(keras3):
    """Strategy: edit the model cell after training, re-run it in the live session, renumber the execution counts
    [1]…[k]. Effort: medium. Caught: the summary names ``sequential_1`` (a second model of the session) though
    the code built only one: ``out_of_order`` with the evidence."""
    nb = samples.submission("mlp", keras3=keras3)
    forged = _renamed(_renamed(_renamed(nb, "sequential", "sequential_1"), "dense_1", "dense_3"), "\"dense\"", "\"dense_2\"")
    ev = extract(from_dict(forged))
    assert [r.execution_count for r in ev.fingerprints.cells if r.execution_count] == list(range(1, len(ev.fingerprints.cells) + 1))
    flag = session_flag(ev)
    assert flag is not None and flag.kind == FlagKind.OUT_OF_ORDER
    assert "sequential_1" in flag.message and "sequential_1" in flag.message_en and flag.cells == (ev.summaries[0].cell,)
    result = grade_notebook(_write_tmp(forged), SPEC)
    assert _flags(result, FlagKind.OUT_OF_ORDER)


def test_two_models_built_before_the_summary_are_honest():
    """A notebook that builds a first model, then a second one and shows only the second's summary is honest."""
    nb = samples.submission("mlp")
    nb["cells"].insert(3, samples.code("model0 = keras.Sequential([keras.layers.Dense(10)])", [], count=3))
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        if cell.get("execution_count"):
            cell["execution_count"] = i + 1
    forged = _renamed(nb, "\"sequential\"", "\"sequential_1\"")
    ev = extract(from_dict(forged))
    assert session_flag(ev) is None


def _write_tmp(nb: dict) -> Path:
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="redteam-"))
    return _write(folder, nb)


# ================================================================== item 8: GPU evidence that disagrees with itself

NO_SMI = "/bin/bash: line 1: nvidia-smi: command not found\n"


def _verdict(result) -> str:
    assert result.gpu is not None
    return result.gpu.verdict


def _gpu(result):
    return next(c for c in result.checks if c.id == "gpu")


def test_redteam_gpu_device_list_typed_beside_nvidia_smi_not_found(tmp_path):
    """Strategy: a CPU run whose printed ``[]`` is replaced by a GPU ``PhysicalDevice`` list, while the
    ``!nvidia-smi`` cell still says ``command not found``. Effort: low. Caught: verdict unknown + gpu_conflict."""
    nb = samples.submission("mlp", gpu=False)
    nb["metadata"] = copy.deepcopy(samples.COLAB_GPU)
    nb["cells"].insert(1, samples.code("!nvidia-smi", [samples.stream(NO_SMI)], count=1))
    gpu_cell = next(c for c in nb["cells"] if "list_physical_devices" in "".join(c["source"]))
    gpu_cell["outputs"] = [samples.stream(samples.GPU_DEVICES)]
    result = grade_notebook(_write(tmp_path, nb), SPEC)
    assert _verdict(result) == "unknown" and _gpu(result).status != "pass" and _gpu(result).points == 0
    (flag,) = _flags(result, FlagKind.GPU_CONFLICT)
    assert "command not found" in flag.message and "PhysicalDevice" in flag.message_en
    assert "command not found" in _gpu(result).message


def test_redteam_gpu_check_output_cleared_and_colab_gpu_metadata_added(tmp_path):
    """Strategy: the GPU-check cell's output cleared (it ran: its count stays) and Colab GPU metadata added to a
    CPU run. Effort: low. Caught: metadata alone never passes while the GPU-check cell shows nothing."""
    nb = samples.submission("mlp", gpu=False)
    nb["metadata"] = copy.deepcopy(samples.COLAB_GPU)
    gpu_cell = next(c for c in nb["cells"] if "list_physical_devices" in "".join(c["source"]))
    gpu_cell["outputs"] = []
    result = grade_notebook(_write(tmp_path, nb), SPEC)
    assert _verdict(result) == "unknown" and _gpu(result).points == 0
    assert _flags(result, FlagKind.GPU_CONFLICT)
    assert "出力がありません" in _gpu(result).message or "食い違" in _gpu(result).message


def test_unrun_gpu_check_with_gpu_metadata_does_not_pass(tmp_path):
    """The released GPU-check cell never run, Colab GPU metadata: no pass (no flag: nothing was cleared)."""
    nb = samples.submission("mlp", gpu=False)
    nb["metadata"] = copy.deepcopy(samples.COLAB_GPU)
    gpu_cell = next(c for c in nb["cells"] if "list_physical_devices" in "".join(c["source"]))
    gpu_cell["outputs"], gpu_cell["execution_count"] = [], None
    result = grade_notebook(_write(tmp_path, nb), SPEC)
    assert _verdict(result) == "unknown" and _gpu(result).points == 0
    assert not _flags(result, FlagKind.GPU_CONFLICT)


def test_redteam_created_device_line_added_to_stderr_beside_cpu_evidence(tmp_path):
    """Strategy: one TensorFlow ``Created device … GPU:0`` line pasted into a stderr output of a CPU run.
    Effort: medium. Caught: verdict unknown + gpu_conflict (the printed ``[]`` says CPU)."""
    nb = samples.submission("mlp", gpu=False, tf_logs=True)
    line = ("2026-01-23 15:04:33.101010: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1928] Created device "
            "/job:localhost/replica:0/task:0/device:GPU:0 with 13949 MB memory:  -> device: 0, name: Tesla T4\n")
    fit_cell = next(c for c in nb["cells"] if ".fit(" in "".join(c["source"]))
    fit_cell["outputs"].insert(0, samples.stream(line, "stderr"))
    result = grade_notebook(_write(tmp_path, nb), SPEC)
    assert _verdict(result) == "unknown" and _gpu(result).points == 0
    assert _flags(result, FlagKind.GPU_CONFLICT)


def test_honest_gpu_and_cpu_samples_keep_their_verdicts(tmp_path):
    for gpu, tf_logs in ((True, False), (True, True), (False, False), (False, True)):
        result = grade_notebook(_write(tmp_path, samples.submission("mlp", gpu=gpu, tf_logs=tf_logs)), SPEC)
        assert _verdict(result) == ("gpu" if gpu else "cpu")
        assert not _flags(result, FlagKind.GPU_CONFLICT)


# ================================================================== item 9: no false accusations

def test_honest_unnormalised_keras3_run_is_not_tampered(tmp_path):
    """Real case (issue 13): pixels 0–255 not normalised; Keras 3's evaluate bar shows loss 38.7, the returned
    value is 32.6 (the bar averages running means). Honest: no ``tampered_output``."""
    nb = samples.submission("mlp", keras3=True)
    cell = nb["cells"][-1]
    text = cell["outputs"][0]["text"]
    bar = text.split("\n")[0]
    bar = bar[: bar.index("accuracy:")] + "accuracy: 0.8921 - loss: 38.7093"
    cell["outputs"][0]["text"] = bar + "\nTest loss: 32.61783218383789\nTest accuracy: 0.8920999765396118\n"
    ev = extract(from_dict(nb))
    assert any(e.loss == pytest.approx(38.7093) for e in ev.evaluations)  # the pair is read (not vacuous)
    result = grade_notebook(_write(tmp_path, nb), SPEC)
    assert not _flags(result, FlagKind.TAMPERED_OUTPUT)


def test_a_retyped_loss_is_still_caught():
    """The wider tolerance is for large losses only: a normalised run's loss retyped (0.1584 → 0.0584) is flagged."""
    nb = samples.submission("mlp", keras3=True)
    cell = nb["cells"][-1]
    cell["outputs"][0]["text"] = cell["outputs"][0]["text"].replace("Test loss: 0.15844422578811646", "Test loss: 0.0584")
    from autograder.judge.integrity import notebook_flags

    assert any(f.kind == FlagKind.TAMPERED_OUTPUT for f in notebook_flags(extract(from_dict(nb))))


def _honest_paths() -> list[Path]:
    return sorted(CORPUS.glob("*.ipynb")) if CORPUS.is_dir() else []


ACCUSATIONS = (FlagKind.TAMPERED_OUTPUT, FlagKind.COLLUSION, FlagKind.GPU_CONFLICT)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real is not beside the clone")
def test_no_real_notebook_is_accused():
    report = grade_paths([str(p) for p in _honest_paths()], SPEC)
    assert len(report.submissions) == len(_honest_paths()) >= 30
    accused = [(s.file, f.kind) for s in report.submissions for f in s.flags if f.kind in ACCUSATIONS]
    assert accused == []
    assert [p.name for p in _honest_paths() if session_flag(extract(load_notebook(p)))] == []


def test_no_sample_and_no_solution_is_accused(tmp_path):
    for i, (assignment, keras3, gpu) in enumerate((a, k, g) for a in ("mlp", "history", "dropout", "perceptron")
                                                  for k in (True, False) for g in (True, False)):
        nb = samples.submission(assignment, seed=i, keras3=keras3, gpu=gpu, tf_logs=i % 2 == 0)
        _write(tmp_path / "samples", nb, f"24120{i:02d}_s_{i}.ipynb")
    for assignment in ("history", "dropout"):
        report = grade_paths([str(tmp_path / "samples"), *map(str, SOLUTIONS)], load_spec(assignment))
        accused = [(s.file, f.kind) for s in report.submissions for f in s.flags if f.kind in ACCUSATIONS]
        assert accused == []
        assert not [s.file for s in report.submissions if s.evidence and session_flag(s.evidence)]
    assert len(SOLUTIONS) >= 4


# ------------------------------------------------------------------ item 8: the release's locked cells

SOURCE = ROOT / "assignments" / "source" / "mlp" / "mlp.ipynb"


def _solution_run() -> dict:
    """The course solution as if run on a GPU runtime: every code cell counted, the GPU check's real output."""
    nb = json.loads((ROOT / "solutions" / "mlp.ipynb").read_text(encoding="utf-8"))
    nb["metadata"].update(copy.deepcopy(samples.COLAB_GPU))
    source = json.loads(SOURCE.read_text(encoding="utf-8"))
    released = {"".join(c["source"]): c["metadata"] for c in source["cells"] if c.get("metadata", {}).get("nbgrader")}
    for cell in nb["cells"]:  # the nbgrader metadata a notebook made from the release carries
        cell["metadata"] = copy.deepcopy(released.get("".join(cell["source"]), cell.get("metadata", {})))
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        cell["execution_count"] = i + 1
        if "".join(cell["source"]).startswith("import tensorflow as tf\nprint(tf.config.list_physical_devices"):
            cell["outputs"] = [samples.stream(samples.GPU_DEVICES)]  # the released GPU check (solutions keep no metadata)
    return nb


def test_redteam_released_gpu_check_cell_rewritten_to_print_a_literal(tmp_path):
    """Strategy: the released, read-only GPU-check cell rewritten as ``print("[PhysicalDevice(… GPU …)]")`` and
    run on a CPU. Effort: low. Caught when the instructor gives the release (``grade --template``, ``round``):
    ``locked_changed`` names the cell and the ``gpu`` check does not pass."""
    release = [extract(load_notebook(SOURCE))]
    honest = _write(tmp_path / "a", _solution_run())
    nb = _solution_run()
    cell = next(c for c in nb["cells"] if c.get("outputs") and "GPU" in json.dumps(c["outputs"]))
    cell["source"] = f"print({samples.GPU_DEVICES.strip()!r})"
    forged = _write(tmp_path / "b", nb)
    before = grade_paths([str(forged)], SPEC).submissions[0]
    assert _verdict(before) == "gpu"  # without the release, statically indistinguishable
    report = grade_paths([str(honest), str(forged)], SPEC, template=release)
    ok, bad = report.submissions
    assert _verdict(ok) == "gpu" and not _flags(ok, FlagKind.LOCKED_CHANGED)
    assert _gpu(ok).status == "pass"
    (flag,) = _flags(bad, FlagKind.LOCKED_CHANGED)
    assert "gpu_check" in flag.message and "gpu_check" in flag.message_en
    assert _verdict(bad) == "unknown" and _gpu(bad).points == 0 and bad.score == ok.score - 10


def test_redteam_released_data_loading_cell_deleted(tmp_path):
    """Strategy: the released data-loading cell deleted (the data prepared elsewhere). Effort: low. Caught with
    the release: ``locked_changed`` for a person."""
    nb = _solution_run()
    nb["cells"] = [c for c in nb["cells"] if ".load_data(" not in "".join(c["source"])]
    report = grade_paths([str(_write(tmp_path, nb))], SPEC, template=[extract(load_notebook(SOURCE))])
    (flag,) = _flags(report.submissions[0], FlagKind.LOCKED_CHANGED)
    assert "load_data" in flag.message
