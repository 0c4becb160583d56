"""Red team, training logs, figures, disguised copies and plausibility (issue 13, items 5–7).

Each forgery is built in code from a genuine run (``autograder.testing.samples``, and real matplotlib figures drawn
with the Agg backend), one per strategy with its effort level, and each must be caught: a flag a person sees, with
its evidence in words. Every honest notebook we have (``../shared/corpus/real``, ``examples/submissions``, the
solutions, the samples) stays unflagged by these rules.
"""
from __future__ import annotations

import base64
import copy
import io
import re
from pathlib import Path

import pytest

from autograder.judge.collusion import NEAR_TOL, detect_collusion
from autograder.judge.integrity import notebook_flags
from autograder.judge.integrity.figure_rules import FIGURE_TOL, epoch_steps, figure_vs_log, repeated_epochs, vertices
from autograder.judge.integrity.plausibility import VAL_GAP, validation_gap
from autograder.model.evidence import Evidence
from autograder.model.results import FlagKind, SubmissionResult
from autograder.read.extract import extract
from autograder.read.figures import read_png
from autograder.read.notebook import NotebookError, load_notebook, parse_notebook
from autograder.testing import samples

pytestmark = pytest.mark.timeout(300)

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
MY_RULES = (repeated_epochs, epoch_steps, figure_vs_log, validation_gap)

np = pytest.importorskip("numpy")
pytest.importorskip("PIL")
matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _evidence(nb: dict) -> Evidence:
    return extract(parse_notebook(samples.dumps(nb)))


def _mine(ev: Evidence) -> list:
    return [f for rule in MY_RULES for f in rule(ev)]


def _honest_paths() -> list[Path]:
    paths = sorted(CORPUS.glob("*.ipynb")) + sorted((ROOT / "examples" / "submissions").glob("*.ipynb"))
    return paths + sorted((ROOT / "solutions").glob("*.ipynb"))


def _mpl_png(history: dict[str, list[float]], dpi: int = 72) -> str:
    """The course's learning-curve cell (``samples.PLOT``) drawn by matplotlib itself."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(12, 4))
    plt.subplot(1, 2, 1)
    plt.plot(history["loss"], label="loss")
    plt.plot(history["val_loss"], label="val_loss")
    plt.legend()
    plt.subplot(1, 2, 2)
    plt.plot(history["accuracy"], label="accuracy")
    plt.plot(history["val_accuracy"], label="val_accuracy")
    plt.legend()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii") + "\n"


def _figure_cell(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code" and "plt." in c["source"])


def _fit_cell(nb: dict) -> dict:
    return next(c for c in nb["cells"] if c["cell_type"] == "code" and ".fit(" in c["source"])


def _with_history(nb: dict, history: dict[str, list[float]], keras3: bool = True) -> dict:
    _fit_cell(nb)["outputs"] = [samples.stream(samples.fit_log(history, keras3=keras3))]
    return nb


# ------------------------------------------------------------------ honest notebooks stay unflagged

@pytest.mark.parametrize("path", _honest_paths(), ids=lambda p: p.name)
def test_no_honest_notebook_is_flagged_by_the_log_figure_and_plausibility_rules(path: Path):
    try:
        nb = load_notebook(path)
    except NotebookError:
        return  # examples/submissions holds a PDF and a broken file on purpose
    assert _mine(extract(nb)) == []


@pytest.mark.parametrize("assignment", ["mlp", "history", "dropout"])
@pytest.mark.parametrize("keras3", [True, False])
def test_no_sample_is_flagged(assignment: str, keras3: bool):
    for seed in range(4):
        assert _mine(_evidence(samples.submission(assignment, seed=seed, keras3=keras3, figure_kb=40))) == []


def test_an_honest_matplotlib_figure_is_traced_and_matches_its_log():
    nb = samples.submission("mlp", seed=3)
    history = samples.make_history(30, 3)
    _figure_cell(nb)["outputs"] = [samples.display(plain="<Figure size 864x288 with 2 Axes>", png=_mpl_png(history))]
    ev = _evidence(nb)
    figure = next(g for g in ev.figures if g.learning_curve)
    assert len(figure.lines) >= 3 and figure.pixels and figure.coarse
    assert figure_vs_log(ev) == []


def test_a_batch_of_honest_samples_has_no_collusion():
    results = [SubmissionResult(file=f"s{i}.ipynb", student_id=f"s{i}", status="graded", score=0, max_score=0,
                                checks=(), evidence=_evidence(samples.submission("history", seed=i, figure_kb=30)))
               for i in range(12)]
    assert not any(f.kind == FlagKind.COLLUSION for r in detect_collusion(results) for f in r.flags)


# ------------------------------------------------------------------ item 5: a log must look like one run

def test_low_effort_five_epochs_pasted_six_times_and_renumbered_is_caught():
    five = samples.make_history(5, 7)
    thirty = {k: v * 6 for k, v in five.items()}
    nb = _with_history(samples.submission("mlp", seed=7), thirty)
    flags = repeated_epochs(_evidence(nb))
    assert len(flags) == 1 and flags[0].kind == FlagKind.TAMPERED_OUTPUT
    assert "epochs 1–" in flags[0].message_en and "epochs 6–" in flags[0].message_en


def test_a_run_stuck_at_chance_level_repeats_honestly():
    stuck = {"loss": [2.3026, 2.3025] * 10, "accuracy": [0.1124, 0.1135] * 10,
             "val_loss": [2.3027, 2.3026] * 10, "val_accuracy": [0.1135, 0.1135] * 10}
    nb = _with_history(samples.submission("mlp", seed=2), stuck)
    _fit_cell(nb)["source"] = _fit_cell(nb)["source"].replace("epochs=30", "epochs=20")
    assert repeated_epochs(_evidence(nb)) == []


def test_medium_effort_logs_of_two_runs_joined_are_caught_by_their_step_counters():
    nb = samples.submission("mlp", seed=4)
    log = samples.fit_log(samples.make_history(30, 4))
    cut = log.index("Epoch 16/30")
    _fit_cell(nb)["outputs"] = [samples.stream(log[:cut] + log[cut:].replace("750/750", "469/469"))]
    flags = epoch_steps(_evidence(nb))
    assert len(flags) == 1 and "'750/750'" in flags[0].message_en and "'469/469' at epoch 16" in flags[0].message_en


@pytest.mark.parametrize("keras3", [True, False])
def test_medium_effort_a_figure_of_five_epochs_beside_a_log_of_thirty_is_caught(keras3: bool):
    nb = samples.submission("mlp", seed=5, keras3=keras3)
    _figure_cell(nb)["outputs"] = [samples.display(plain="<Figure size 864x288 with 2 Axes>",
                                                   png=_mpl_png(samples.make_history(5, 11)))]
    ev = _evidence(nb)
    flags = figure_vs_log(ev)
    assert len(flags) == 1 and flags[0].kind == FlagKind.TAMPERED_OUTPUT
    assert "about 5 vertices (about 5 epochs)" in flags[0].message_en and "30 epochs" in flags[0].message_en
    assert any(f.kind == FlagKind.TAMPERED_OUTPUT for f in notebook_flags(ev))


@pytest.mark.parametrize("epochs", [5, 8, 10])
def test_medium_effort_the_figure_of_another_run_of_another_length_is_caught(epochs: int):
    nb = samples.submission("mlp", seed=6)
    other = samples.make_history(epochs, 99)
    _figure_cell(nb)["outputs"] = [samples.display(plain="<Figure size 864x288 with 2 Axes>", png=_mpl_png(other))]
    assert len(figure_vs_log(_evidence(nb))) == 1


@pytest.mark.parametrize("epochs", [15, 30, 60])
def test_known_limit_the_figure_of_another_run_of_a_similar_shape_is_not_caught(epochs: int):
    """Documented in docs/integrity.md: a smooth run whose curves have the same shape within FIGURE_TOL once
    stretched to the width of the axes is not told apart; the answer is re-execution (or the collusion index,
    when the figure is a classmate's)."""
    nb = samples.submission("mlp", seed=6)
    other = samples.make_history(epochs, 99)
    _figure_cell(nb)["outputs"] = [samples.display(plain="<Figure size 864x288 with 2 Axes>", png=_mpl_png(other))]
    assert figure_vs_log(_evidence(nb)) == []


def test_the_vertices_of_a_traced_line_count_its_epochs():
    lines = read_png(_mpl_png(samples.make_history(5, 11))).lines  # type: ignore[union-attr]
    assert {vertices(line) for line in lines if max(line.profile) - min(line.profile) > 12} == {5}


def test_figures_that_cannot_be_traced_are_not_judged():
    nb = samples.submission("mlp", seed=8)  # an 8×4 random-pixel image: no line
    ev = _evidence(nb)
    assert all(not g.lines for g in ev.figures) and figure_vs_log(ev) == []
    assert read_png("bm90IGEgcG5n") is None  # not a PNG


@pytest.mark.timeout(120)
def test_a_damaged_png_is_not_read_and_never_stops_grading():
    """The PNG reader is called directly (not through ``Image.open``), so every error Pillow raises on a damaged file
    must still end as "not read": truncated at every chunk boundary and in the middle of chunks, bytes overwritten
    in the header, the chunk lengths, the pixel data and the CRCs, a wrong colour type, trailing garbage."""
    import base64
    import struct

    good = base64.b64decode(_mpl_png(samples.make_history(5, 1)))
    assert read_png(base64.b64encode(good).decode()) is not None
    cuts = sorted({8, 16, 24, 33, 40, 41, 57, 100, 1000, len(good) // 2, len(good) - 12, len(good) - 1})
    damaged = [good[:n] for n in cuts]
    for at in (8, 12, 16, 20, 24, 25, 29, 33, 37, 41, 45, 60, 200, len(good) // 2, len(good) - 8):
        for junk in (b"\x00" * 4, b"\xff" * 4, b"IEND", struct.pack(">I", 2**31 - 1)):
            damaged.append(good[:at] + junk + good[at + len(junk):])
    damaged.append(good[:25] + b"\x07" + good[26:])  # colour type 7 does not exist
    damaged.append(good + b"garbage" * 100)
    for data in damaged:
        seen = read_png(base64.b64encode(data).decode())
        assert seen is None or seen.digest  # read or not, never an exception


def test_without_pillow_figures_are_simply_not_read(monkeypatch: pytest.MonkeyPatch):
    import builtins

    real = builtins.__import__

    def no_pil(name, *args, **kwargs):
        if name == "PIL" or name.startswith("PIL."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pil)
    assert read_png(_mpl_png(samples.make_history(5, 1))) is None


# ------------------------------------------------------------------ item 6: disguised copies

def _result(i: int, nb: dict) -> SubmissionResult:
    return SubmissionResult(file=f"24{i:05d}.ipynb", student_id=f"24{i:05d}", status="graded", score=0, max_score=0,
                            checks=(), evidence=_evidence(nb))


def _collusion(results: list[SubmissionResult]) -> list[list[str]]:
    return [[f.message_en for f in r.flags if f.kind == FlagKind.COLLUSION] for r in detect_collusion(results)]


def _nudged(history: dict[str, list[float]], seed: int) -> dict[str, list[float]]:
    """Every value edited in the fourth decimal (±1–9 units), as a student disguising a copy would."""
    import random

    rnd = random.Random(seed)
    return {k: [round(v + rnd.choice([-1, 1]) * rnd.randint(1, 9) * 1e-4, 4) for v in vs] for k, vs in history.items()}


def test_medium_effort_a_copied_log_edited_in_the_fourth_decimal_is_caught():
    original = samples.make_history(30, 21)
    a = _with_history(samples.submission("mlp", seed=21), original)
    b = _with_history(samples.submission("mlp", seed=22), _nudged(original, 1))
    others = [samples.submission("mlp", seed=s) for s in range(30, 36)]
    flags = _collusion([_result(0, a), _result(1, b)] + [_result(i + 2, nb) for i, nb in enumerate(others)])
    assert flags[0] and flags[1] and not any(flags[2:])
    assert f"within {NEAR_TOL}" in flags[0][0]


def _resaved(b64: str) -> str:
    """The same pixels saved again by Pillow with a text chunk and another compression level."""
    from PIL import Image, PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "my own plot")
    with Image.open(io.BytesIO(base64.b64decode(b64))) as im:
        buf = io.BytesIO()
        im.save(buf, format="PNG", pnginfo=info, compress_level=9)
    return base64.b64encode(buf.getvalue()).decode("ascii") + "\n"


def test_low_effort_a_resaved_copy_of_a_classmates_figure_is_caught():
    a = samples.submission("history", seed=41, figure_kb=30)
    b = samples.submission("history", seed=42, figure_kb=30)
    png = _figure_cell(a)["outputs"][0]["data"]["image/png"]
    _figure_cell(b)["outputs"][0]["data"]["image/png"] = _resaved(png)
    assert _resaved(png) != png
    flags = _collusion([_result(0, a), _result(1, b), _result(2, samples.submission("history", seed=43, figure_kb=30))])
    assert flags[0] and flags[1] and not flags[2]
    assert "identical learning-curve images" in flags[0][0]


def test_medium_effort_a_figure_edited_in_a_few_pixels_is_caught():
    a = samples.submission("history", seed=51, figure_kb=30)
    b = samples.submission("history", seed=52, figure_kb=30)
    from PIL import Image

    png = _figure_cell(a)["outputs"][0]["data"]["image/png"]
    with Image.open(io.BytesIO(base64.b64decode(png))) as im:
        im = im.convert("RGB")
        for x in range(3):
            im.putpixel((200 + x, 100), (10, 10, 10))  # a few pixels of a "signature"
        buf = io.BytesIO()
        im.save(buf, format="PNG")
    _figure_cell(b)["outputs"][0]["data"]["image/png"] = base64.b64encode(buf.getvalue()).decode("ascii")
    flags = _collusion([_result(0, a), _result(1, b), _result(2, samples.submission("history", seed=53, figure_kb=30))])
    assert flags[0] and flags[1] and not flags[2]
    assert "32×32 blocks" in flags[0][0]


# ------------------------------------------------------------------ item 7: plausibility (review only)

def _typed_test_accuracy(nb: dict, value: float) -> dict:
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code" and ".evaluate(" in c["source"])
    text = "".join(cell["outputs"][0]["text"])
    text = re.sub(r"(Test accuracy: )[0-9.]+", rf"\g<1>{value}", text)
    text = re.sub(r"(accuracy: )[0-9.]+", rf"\g<1>{value:.4f}", text)
    cell["outputs"][0]["text"] = text
    return nb


def test_medium_effort_a_test_accuracy_far_from_val_accuracy_is_flagged_for_review_only():
    nb = _typed_test_accuracy(samples.submission("history", seed=61), 0.99)
    ev = _evidence(nb)
    flags = validation_gap(ev)
    assert len(flags) == 1 and flags[0].kind == FlagKind.IMPLAUSIBLE
    assert "0.9900" in flags[0].message_en and "does not change the score" in flags[0].message_en


def test_a_test_accuracy_close_to_val_accuracy_is_not_flagged():
    nb = _typed_test_accuracy(samples.submission("history", seed=62), 0.88 + VAL_GAP / 2)
    assert validation_gap(_evidence(nb)) == []


def test_an_evaluation_run_before_the_last_training_is_not_judged():
    nb = _typed_test_accuracy(samples.submission("history", seed=63), 0.11)
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    evaluate = next(c for c in cells if ".evaluate(" in c["source"])
    evaluate["execution_count"] = 1  # run before the training (out_of_order reports it)
    assert validation_gap(_evidence(copy.deepcopy(nb))) == []


def test_the_stated_tolerances():
    assert FIGURE_TOL == 0.06 and VAL_GAP == 0.05 and NEAR_TOL == 0.002
