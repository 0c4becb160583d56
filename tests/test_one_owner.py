"""Facts with one owner: the copies that used to disagree now agree (each test fails on the code before the layers)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.execute import run as run_mod
from autograder.judge.checks import run_one
from autograder.judge.metrics import best_epoch
from autograder.judge.spec import load_spec
from autograder.model.evidence import Evidence, History
from autograder.model.spec import CheckSpec
from autograder.present.feedback import run_facts
from autograder.read.notebook import load_notebook, read_raw
from autograder.testing import samples

pytestmark = pytest.mark.timeout(60)


def test_best_epoch_skips_nan_in_the_check_and_on_the_feedback_page_alike():
    val_loss = [float("nan"), 0.5, 0.3]
    history = History(keys=("loss", "val_loss"), values={"loss": (0.9, 0.6, 0.4), "val_loss": tuple(val_loss)}, cell=5)
    assert best_epoch(val_loss) == 3 and best_epoch([float("nan")]) is None and best_epoch([0.2, 0.1, 0.1]) == 2
    check = CheckSpec(id="best", kind="best_epoch", category="history", points=10)
    agreed = Evidence(histories=(history,), outputs=((6, "best epoch: 3"),))
    assert run_one(check, agreed).status == "pass"  # before: the check took epoch 1 (the NaN) as the best
    assert run_one(check, Evidence(histories=(history,), outputs=((6, "best epoch: 1"),))).status == "fail"
    (facts,) = run_facts(agreed)
    assert facts.best_epoch == 3  # the page marks the same epoch as the check


def test_a_bom_less_utf16_notebook_is_read_alike_by_grading_and_by_re_execution(tmp_path: Path):
    nb = samples.submission("mlp", seed=3)
    text = json.dumps(nb)  # ASCII: its UTF-16-LE bytes are also valid UTF-8 (with NULs), the case that fooled run
    utf8, utf16 = tmp_path / "2412001_a_2.ipynb", tmp_path / "2412002_b_2.ipynb"
    utf8.write_text(text, encoding="utf-8")
    utf16.write_bytes(text.encode("utf-16-le"))  # no BOM: Windows tools write this
    assert read_raw(utf16) == read_raw(utf8) == read_raw(utf16.read_bytes(), "x")
    assert [c.source for c in load_notebook(utf16).cells] == [c.source for c in load_notebook(utf8).cells]
    spec = load_spec("mlp")
    prepared = run_mod._prepare_one(str(utf16), spec, None, None, run_mod.Options(), None, "k", tmp_path / "out.ipynb")
    assert isinstance(prepared, run_mod._Job), prepared  # before: not_run, "cannot be read as a notebook"
