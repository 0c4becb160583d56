"""Batches: worker processes change nothing (issue #7), and every input path gets exactly one entry, in order."""
from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.cli import main as cli_main
from autograder.judge.spec import load_spec
from autograder.pipeline import expand_paths, grade_notebook, grade_paths
from autograder.testing import samples as s

MLP = load_spec("mlp")


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """A class of mlp submissions as varied as a real one: Keras 2 and 3 output, summary formats, verbose=2,
    raw progress bars, CPU runs, low accuracy, an unexecuted notebook, a copied notebook (a collusion pair),
    broken files, a sub-folder and a checkpoint folder that must be skipped."""
    root = tmp_path_factory.mktemp("batch")
    variants = [
        {}, {"keras3": False}, {"keras3": False, "summary_variant": "2.15"}, {"keras3": False, "summary_variant": "2.12"},
        {"verbose": 2}, {"keras3": False, "fit_updates": 3}, {"gpu": False, "tf_logs": True}, {"accuracy": 0.93},
        {"epochs": 10}, {"figure_kb": 20}, {"tf_logs": True},
    ]
    for i, kw in enumerate(variants):
        folder = root / ("late" if i % 4 == 3 else "")
        folder.mkdir(exist_ok=True)
        (folder / f"24130{i:02d}_学生{i}_2.ipynb").write_text(s.dumps(s.submission("mlp", seed=40 + i, **kw)), encoding="utf-8")
    unexecuted = s.submission("mlp", seed=60)
    for c in unexecuted["cells"]:
        if c["cell_type"] == "code":
            c["outputs"], c["execution_count"] = [], None
    (root / "2413050_未実行_2.ipynb").write_text(s.dumps(unexecuted), encoding="utf-8")
    shutil.copy(root / "2413000_学生0_2.ipynb", root / "2413051_写し_2.ipynb")
    (root / "2413052_空_2.ipynb").write_bytes(b"")
    (root / "2413053_PDF_2.ipynb").write_bytes(b"%PDF-1.4\n")
    (root / "2413054_途中_2.ipynb").write_text(s.dumps(s.submission("mlp", seed=61))[:5000], encoding="utf-8")
    checkpoints = root / ".ipynb_checkpoints"
    checkpoints.mkdir()
    (checkpoints / "2413000_学生0_2-checkpoint.ipynb").write_text("{}", encoding="utf-8")
    return root


def _evidence(report) -> list:
    return [s.evidence.to_json() if s.evidence is not None else None for s in report.submissions]


def test_workers_give_identical_results(batch: Path):
    one = grade_paths([str(batch)], MLP, jobs=1)
    two = grade_paths([str(batch)], MLP, jobs=2)
    assert len(one.submissions) == 16
    assert one.to_json() == two.to_json()
    assert one.to_json("en") == two.to_json("en")
    assert one.submissions == two.submissions  # every field: checks, gpu, flags, errors
    assert _evidence(one) == _evidence(two)
    # the batch is really varied: errors, flags (collusion across workers' chunks) and partial scores
    statuses = [r.status for r in one.submissions]
    assert statuses.count("error") == 3
    kinds = {f.kind for r in one.submissions for f in r.flags}
    assert {"collusion", "not_executed"} <= kinds
    assert len({r.score for r in one.submissions if r.status == "graded"}) >= 3


def test_batch_results_drop_only_the_output_text_the_checks_read(batch: Path):
    """A batch's results are slim (issue 19): the cleaned output text is gone after judging, with 1 job as with 2,
    and nothing else differs from grading the file alone: score, checks, flags (collusion aside) and the report."""
    one = grade_paths([str(batch)], MLP, jobs=1, collusion=False)
    two = grade_paths([str(batch)], MLP, jobs=2, collusion=False)
    assert one.submissions == two.submissions
    graded = [r for r in one.submissions if r.evidence is not None]
    assert len(graded) == 13 and all(r.evidence.outputs == () for r in graded)
    assert all(not c.names for r in graded for c in r.evidence.fingerprints.cells)
    assert all(not f.lines for r in graded for f in r.evidence.figures)
    kept = traced = 0
    for path, r in zip(expand_paths([str(batch)]), one.submissions, strict=True):
        alone = grade_notebook(path, MLP)
        if alone.evidence is not None:
            ev = alone.evidence  # grading one file keeps both: the public call is unchanged
            kept += bool(ev.outputs) and all(c.names for c in ev.fingerprints.cells)
            traced += any(f.lines for f in ev.figures)
            cells = tuple(replace(c, names=frozenset()) for c in ev.fingerprints.cells)
            figures = tuple(replace(f, lines=()) for f in ev.figures)
            alone = replace(alone, evidence=replace(ev, outputs=(), fingerprints=replace(ev.fingerprints, cells=cells),
                                                    figures=figures))
        assert alone == r
        assert alone.to_json() == r.to_json()
    assert kept == 12  # all but the unexecuted notebook
    assert traced >= 1  # the samples whose figure is a drawn curve


def test_command_line_reports_are_byte_identical_with_workers(batch: Path, tmp_path: Path, capsys):
    outputs = []
    for jobs in ("1", "2", "0"):
        path = tmp_path / f"report{jobs}.json"
        csv = tmp_path / f"grades{jobs}.csv"
        assert cli_main(["grade", "-a", "mlp", str(batch), "--jobs", jobs, "--json", str(path), "--csv", str(csv)]) == 0
        outputs.append((path.read_bytes(), csv.read_bytes(), capsys.readouterr().out))
    assert outputs[0] == outputs[1] == outputs[2]


def test_every_path_gets_one_entry_in_the_order_given(batch: Path, tmp_path: Path):
    late = sorted(str(p) for p in (batch / "late").glob("*.ipynb"))
    missing = str(tmp_path / "nothing_here_*.ipynb")
    paths = [late[1], str(batch / "late"), str(batch / "24130*_2.ipynb"), late[0], missing]
    files = expand_paths(paths)
    top = sorted(str(p) for p in batch.glob("24130*_2.ipynb"))
    assert len(late) == 2 and len(top) == 14
    assert files == [late[1], late[0], *top, missing]  # in the order given, a file named twice graded once
    assert files[-1] == missing  # a pattern that matches nothing is kept, to be reported
    assert not any(".ipynb_checkpoints" in f for f in expand_paths([str(batch)]))
    report = grade_paths(paths, MLP, jobs=2)
    assert [r.file for r in report.submissions] == files
    assert report.submissions[-1].error_code == "not_found"


def _dies_on_poison(path, spec):
    """grade_notebook, but the process grading a file named ``poison`` is killed (as the OOM killer would)."""
    import os
    import signal

    if "poison" in str(path):
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_grade_notebook(path, spec)


from autograder import pipeline as _pipeline  # noqa: E402

_real_grade_notebook = _pipeline.grade_notebook


def test_a_worker_killed_on_one_file_costs_only_that_file(batch: Path, tmp_path: Path, monkeypatch):
    import multiprocessing

    assert multiprocessing.get_start_method() == "fork", "the workers must inherit the patched grader"
    files = sorted(str(p) for p in batch.glob("*.ipynb"))[:6]
    poison = tmp_path / "2412099_poison_2.ipynb"
    shutil.copy(files[0], poison)
    paths = [*files[:3], str(poison), *files[3:]]
    alone = grade_paths(paths[:3] + paths[4:], MLP, jobs=1)
    monkeypatch.setattr(_pipeline, "grade_notebook", _dies_on_poison)
    report = grade_paths(paths, MLP, jobs=2)
    assert [r.file for r in report.submissions] == [_pipeline.display_name(p) for p in paths]  # every file, in order
    dead = report.submissions[3]
    assert dead.status == "error" and dead.error_code == "worker_died" and "--jobs 1" in dead.error
    others = [r for i, r in enumerate(report.submissions) if i != 3]
    assert [(r.status, r.score) for r in others] == [(r.status, r.score) for r in alone.submissions]
