"""The clean-process verification of ``autograder run`` (issue 14 item 4): the trained model graded, not the printout.

Fast tests: the archive allow-list, reading the kernel's files without following links, the connection folder's
clean-up that never follows a link, the judge's use of the clean process's numbers, the record's bounds. Slow
tests (TensorFlow, kernels): a genuine small MLP run gets the same score from the verification as from the static
checks; a faked TensorFlow replaying that run's outputs, a Lambda model and links planted in the export folder get
no points for parameters or accuracy; the kernel cannot remove or replace the grader's connection files.
"""
from __future__ import annotations

import importlib.util
import io
import json
import os
import re
import textwrap
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import missing
from nbformat.v4 import new_code_cell, new_notebook

from autograder.execute import verify, worker
from autograder.execute.kernel_run import _Contained
from autograder.execute.run import Options, run_paths, summary
from autograder.judge.grade import grade_evidence
from autograder.judge.spec import load_spec
from autograder.judge.verified import ACCURACY_TOLERANCE
from autograder.model.evidence import Verification, VerifiedModel
from autograder.model.results import FlagKind
from autograder.pipeline import grade_notebook
from autograder.read.extract import extract
from autograder.read.notebook import load_notebook
from autograder.read.runrecord import parse_verification

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "submissions" / "2412001_青木陽菜_2.ipynb"  # 100/100 on mlp, statically


def _layer(cls: str, module: str = "keras.layers", **extra: Any) -> dict[str, Any]:
    return {"module": module, "class_name": cls, "config": {"name": cls.lower(), "units": 10}, "registered_name": None, **extra}


def _archive(config: dict[str, Any]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("metadata.json", "{}")
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", b"")
    return buf.getvalue()


def _sequential(*layers: dict[str, Any]) -> dict[str, Any]:
    dtype = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"}, "registered_name": None}
    return {"module": "keras", "class_name": "Sequential", "registered_name": None,
            "config": {"name": "sequential", "dtype": dtype, "layers": [_layer("InputLayer"), *layers]}}


# ================================================================== fast

def test_the_archive_allow_list_takes_keras_own_objects_and_nothing_else():
    assert verify.check_archive(_archive(_sequential(_layer("Dense"), _layer("Dropout")))) is None
    functional = {"module": "keras.src.models.functional", "class_name": "Functional", "registered_name": "Functional",
                  "config": {"layers": [_layer("Dense", inbound_nodes=[{"args": [{"class_name": "__keras_tensor__",
                                                                                   "config": {"shape": [None, 784]}}]}])]}}
    assert verify.check_archive(_archive(functional)) is None
    refused = {
        "Lambda": _sequential(_layer("Lambda")),
        "module 'os'": _sequential(_layer("Dense", module="os")),
        "module 'builtins'": _sequential(_layer("Dense", module="builtins")),
        "registered as 'student>MyDense'": _sequential({**_layer("MyDense"), "registered_name": "student>MyDense"}),
        "'__lambda__'": _sequential({**_layer("Dense"), "config": {"activation": {"class_name": "__lambda__",
                                                                                  "config": {"code": "x"}}}}),
        "'function'": _sequential({**_layer("Dense"), "config": {"activation": {
            "module": "builtins", "class_name": "function", "config": "system", "registered_name": "function"}}}),
        "refused (Lambda": _sequential({**_layer("Dense"), "config": {"activation": {
            "module": "posix", "class_name": "function", "config": "relu", "registered_name": "function"}}}),
        "module None": _sequential({"class_name": "Dense", "config": {}}),
    }
    for what, config in refused.items():
        why = verify.check_archive(_archive(config))
        assert why is not None and what in why, (what, why)
    # tf.nn.softmax is saved as the Python function softmax_v2, which Keras cannot load back: given as its Keras name
    tf_softmax = _sequential({**_layer("Dense"), "config": {"units": 10, "activation": {
        "module": "builtins", "class_name": "function", "config": "softmax_v2", "registered_name": "function"}}})
    cleaned, why = verify.clean_archive(_archive(tf_softmax))
    assert why is None and cleaned is not None
    with zipfile.ZipFile(io.BytesIO(cleaned)) as z:
        assert json.loads(z.read("config.json"))["config"]["layers"][1]["config"]["activation"] == "softmax"
        assert sorted(z.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
    assert "not a Keras archive" in (verify.check_archive(b"not a zip") or "")
    assert "not a Keras archive" in (verify.check_archive(_archive({}).replace(b"config.json", b"cfg.json____")) or "")


def test_the_kernels_files_are_read_only_as_regular_files_without_following_links(tmp_path):
    run = tmp_path / "run"
    export = run / verify.EXPORT
    export.mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0")
    (export / "model-0.keras").write_bytes(b"PK-model")
    (export / "history-0.json").write_text('{"loss": [1.0, 0.5]}')
    (export / "model-1.keras").symlink_to(secret)
    os.mkfifo(export / "model-2.keras")  # opened non-blocking: never a hang
    (export / "model-3.keras").mkdir()
    (export / "other.txt").write_text("ignored")
    files, problems = verify.collect(run)
    assert files == {"model-0.keras": b"PK-model", "history-0.json": b'{"loss": [1.0, 0.5]}'}
    assert len(problems) == 3 and all(p.startswith(("model-1", "model-2", "model-3")) for p in problems)
    fd = verify.open_folder(export)
    try:
        (export / "big.json").write_bytes(b"x" * 2000)
        with pytest.raises(OSError, match="more than 1000"):
            verify.read_regular(fd, "big.json", 1000)
    finally:
        os.close(fd)
    # the export folder itself replaced by a link: refused as a whole, the link is not followed
    (run / verify.EXPORT).rename(run / "moved")
    (run / verify.EXPORT).symlink_to(run / "moved")
    files, problems = verify.collect(run)
    assert files == {} and problems and problems[0].startswith(verify.EXPORT)


def test_the_connection_folder_is_cleaned_through_its_descriptor_without_following_links(tmp_path):
    conn, elsewhere = tmp_path / "conn", tmp_path / "elsewhere"
    conn.mkdir()
    elsewhere.mkdir()
    victim = elsewhere / "kernel.json"
    victim.write_text("the grader's file")
    manager = _Contained()
    manager.folder_fd = verify.open_folder(conn)
    manager.connection_file = str(conn / "kernel.json")
    manager._connection_file_written = True
    manager.transport, manager.ip, manager.ports = "ipc", str(conn / "k"), [1, 2]
    (conn / "kernel.json").symlink_to(victim)  # the kernel swapped the file for a link
    (conn / "k-1").symlink_to(elsewhere / "k-1")
    conn.rename(tmp_path / "renamed")  # and the folder moved, a link put in its place
    (tmp_path / "conn").symlink_to(elsewhere)
    manager.cleanup_connection_file()
    manager.cleanup_ipc_files()
    manager.close_folder()
    assert victim.read_text() == "the grader's file"  # the link's target is untouched
    assert sorted(os.listdir(tmp_path / "renamed")) == []  # the links themselves are removed, in the original folder


def test_which_models_are_saved_and_which_dataset_is_scored(tmp_path):
    nb = new_notebook(cells=[new_code_cell("from tensorflow.keras.datasets import fashion_mnist\nm1 = f()\nm2 = f()"),
                             new_code_cell("m1.fit(x, y)\nm2.fit(x, y)\nmodel.summary()"),
                             new_code_cell("m1.fit(x, y, epochs=2)\nself.model.fit(x)")])
    raw = json.loads(nbformat.writes(nb))
    assert verify.wanted_models(raw) == ("m2", "m1")  # ordered by their last fit: m1's accuracy counts
    for name in ("mnist", "fashion_mnist"):
        (tmp_path / f"{name}.npz").write_bytes(b"")
    assert verify.dataset_of(raw, str(tmp_path)) == "fashion_mnist"
    raw["cells"][0]["source"] = "from tensorflow.keras.datasets import mnist"
    assert verify.dataset_of(raw, str(tmp_path)) == "mnist"
    assert verify.dataset_of(raw, None) is None
    code = verify.save_code(["m2", "m1"], "/run/export")
    compile(code, "save", "exec")
    assert "_autograder_save(['m2', 'm1'], '/run/export', 4)" in code and "del _autograder_save" in code


def _sample() -> Any:
    return extract(load_notebook(SAMPLE))


def test_without_a_loadable_model_parameters_and_accuracy_earn_nothing():
    spec = load_spec("mlp")
    ev = _sample()
    static = grade_evidence("s.ipynb", ev, spec)
    assert static.score == 100
    faked = grade_evidence("s.ipynb", replace(ev, verified=Verification(reason="the kernel saved no Keras model")), spec)
    by_id = {c.id: c for c in faked.checks}
    assert by_id["summary_total_params"].status == "missing" and by_id["summary_total_params"].points == 0
    assert by_id["test_accuracy"].status == "missing" and "no Keras model" in by_id["test_accuracy"].message_en
    assert faked.score == static.score - 40  # only the two checks the clean process judges
    assert not [f for f in faked.flags if f.kind == FlagKind.TAMPERED_OUTPUT and f not in static.flags]


def test_a_trained_model_that_agrees_keeps_the_static_score_and_one_that_does_not_is_flagged():
    spec = load_spec("mlp")
    ev = _sample()
    printed = ev.test_accuracy.accuracy
    static = grade_evidence("s.ipynb", ev, spec)
    same = Verification(models=(VerifiedModel("model", 25450, (25120, 330), printed + 0.001),), judged="model")
    honest = grade_evidence("s.ipynb", replace(ev, verified=same), spec)
    assert honest.score == static.score and honest.flags == static.flags
    other = Verification(models=(VerifiedModel("model", 101770, (100480, 1290), printed - ACCURACY_TOLERANCE - 0.3),),
                         judged="model")
    caught = grade_evidence("s.ipynb", replace(ev, verified=other), spec)
    by_id = {c.id: c for c in caught.checks}
    assert by_id["summary_total_params"].status == "fail" and "101,770" in by_id["summary_total_params"].message_en
    assert by_id["test_accuracy"].status == "fail"
    flags = [f for f in caught.flags if f.kind == FlagKind.TAMPERED_OUTPUT and f not in static.flags]
    texts = " ".join(f.message_en for f in flags)
    assert len(flags) == 2 and f"{printed:.4f}" in texts and f"{printed - ACCURACY_TOLERANCE - 0.3:.4f}" in texts
    assert "25,450" in texts and "101,770" in texts
    within = Verification(models=(VerifiedModel("model", 25450, (25120, 330), printed - ACCURACY_TOLERANCE + 0.005),),
                          judged="model")
    assert not [f for f in grade_evidence("s.ipynb", replace(ev, verified=within), spec).flags if f not in static.flags]


def test_the_record_bounds_every_number_of_the_verification():
    v = parse_verification({"models": [{"name": "m", "params": "25450", "test_accuracy": 5.0, "layers": [1, -2, True]},
                                       {"name": 3, "params": True, "test_accuracy": float("nan")},
                                       {"params": 10, "test_accuracy": 0.5}] + [{}] * 40,
                            "judged": ["model"], "reason": 7})
    assert v is not None and len(v.models) == 16
    assert v.models[0] == VerifiedModel("m", None, (1,), None, None)
    assert v.models[1].params is None and v.models[1].test_accuracy is None and v.models[1].name == "model"
    assert v.models[2].params == 10 and v.models[2].test_accuracy == 0.5
    assert v.judged is None and v.reason is None
    assert parse_verification(None) is None and parse_verification([1]) is None


# ================================================================== in kernels (slow)

GENUINE = [
    "import numpy as np\nfrom tensorflow import keras\nfrom tensorflow.keras.datasets import mnist\n"
    "(x_train, y_train), (x_test, y_test) = mnist.load_data()\n"
    "x_train = x_train.reshape(-1, 784).astype('float32') / 255\nx_test = x_test.reshape(-1, 784).astype('float32') / 255\n"
    "y_train = keras.utils.to_categorical(y_train, 10)\ny_test = keras.utils.to_categorical(y_test, 10)",
    "model = keras.Sequential([keras.Input((784,)), keras.layers.Dense(32, activation='relu'),\n"
    "                          keras.layers.Dense(10, activation='softmax')])\nmodel.summary()",
    "model.compile(loss='categorical_crossentropy', optimizer='adam', metrics=['accuracy'])\n"
    "history = model.fit(x_train, y_train, epochs=2, batch_size=64, validation_split=0.2, verbose=2)",
    "score = model.evaluate(x_test, y_test, verbose=0)\nprint('Test accuracy:', score[1])",
]


def _small_spec(tmp: Path) -> Any:
    """The mlp spec for 2 epochs and a threshold a 2-epoch MLP on small stand-in data reaches."""
    text = (REPO / "autograder" / "specs" / "mlp.toml").read_text(encoding="utf-8")
    text = text.replace("epochs = 30", "epochs = 2").replace("min = 0.95", "min = 0.5")
    (tmp / "mlp.toml").write_text(text, encoding="utf-8")
    return load_spec(tmp / "mlp.toml")


def _write(path: Path, sources: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), str(path))
    return path


def _fake_tf(outputs: list[list[dict[str, Any]]], accuracy: float) -> str:
    """A first cell that writes fake ``tensorflow`` and ``keras`` packages replaying a genuine run's outputs."""
    display = [o["data"] for o in outputs[1] if o["output_type"] == "display_data"]
    fit_text = "".join("".join(o["text"]) for o in outputs[2] if o["output_type"] == "stream" and o["name"] == "stdout")
    module = textwrap.dedent(f"""\
        import numpy as _np
        from IPython.display import publish_display_data as _show
        _DISPLAY, _FIT, _ACC = {display!r}, {fit_text!r}, {accuracy!r}
        class _History:
            history = {{"loss": [1.0, 0.9], "accuracy": [0.5, 0.6], "val_loss": [1.0, 0.9], "val_accuracy": [0.5, 0.6]}}
        class Sequential:
            def __init__(self, *a, **k): pass
            def summary(self):
                for d in _DISPLAY: _show(d)
            def compile(self, *a, **k): pass
            def fit(self, *a, **k):
                print(_FIT, end="")
                return _History()
            def evaluate(self, *a, **k): return [0.5, _ACC]
            def save(self, *a, **k): pass
        Model = Sequential
        def Input(*a, **k): return None
        class layers:
            Dense = Input
        class utils:
            @staticmethod
            def to_categorical(y, n): return _np.eye(n)[_np.asarray(y, dtype=int) % n]
        class _Mnist:
            @staticmethod
            def load_data():
                return (_np.zeros((60000, 28, 28)), _np.zeros(60000)), (_np.zeros((10000, 28, 28)), _np.zeros(10000))
        class datasets:
            mnist = _Mnist
        """)
    return textwrap.dedent(f"""\
        import importlib, os, sys
        for pkg in ('tensorflow', 'tensorflow/keras', 'tensorflow/keras/datasets', 'keras'):
            os.makedirs(pkg, exist_ok=True)
        open('keras/__init__.py', 'w').write({module!r})
        open('tensorflow/keras/__init__.py', 'w').write('from keras import *\\n')
        open('tensorflow/keras/datasets/__init__.py', 'w').write('from keras import datasets as _d\\nmnist = _d.mnist\\n')
        open('tensorflow/__init__.py', 'w').write('from tensorflow import keras\\n__version__ = "2.21.0"\\n')
        export = os.path.join(os.path.dirname(os.getcwd()), 'export')
        os.symlink('/etc/passwd', os.path.join(export, 'model-0.keras'))  # and a link where the model goes
        os.symlink('/etc/passwd', os.path.join(export, 'history-0.json'))
        sys.path.insert(0, os.getcwd())
        importlib.invalidate_caches()
        """)


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> dict[str, Any]:
    if importlib.util.find_spec("tensorflow") is None:  # not imported here: only the kernels and the clean process do
        missing("TensorFlow is not installed", "pip install -e '.[test]' (tensorflow-cpu).")
    from autograder.execute.datasets import make_standin_datasets

    root = tmp_path_factory.mktemp("verify")
    data = root / "data"
    make_standin_datasets(data, 3000, 1000, names=("mnist",))
    spec = _small_spec(root)
    options = Options(timeout_cell=300, timeout=600)
    genuine = run_paths([str(_write(root / "g" / "2412001_genuine_2.ipynb", GENUINE))], spec, root / "out-g", options,
                        jobs=1, datasets=data)
    g = genuine.results[0]
    outputs = [c["outputs"] for c in json.loads(Path(g.executed).read_text())["cells"]]
    printed = float(re.search(r"Test accuracy: ([0-9.]+)", json.dumps(outputs[3])).group(1))
    subs = root / "h"
    _write(subs / "2412002_fake_2.ipynb", [_fake_tf(outputs, printed), *GENUINE])
    lam = [GENUINE[0], GENUINE[1].replace("keras.Input((784,)), ", "keras.Input((784,)), keras.layers.Lambda(lambda t: t), "),
           *GENUINE[2:]]
    _write(subs / "2412003_lambda_2.ipynb", lam)
    hostile = run_paths([str(subs)], spec, root / "out-h", options, jobs=2, datasets=data)
    return {"spec": spec, "genuine": g, "printed": printed, "report": hostile,
            "hostile": {Path(r.file).stem.split("_")[1]: r for r in hostile.results}}


@pytest.mark.slow
def test_a_genuine_run_scores_the_same_from_the_trained_model_as_from_the_static_checks(runs):
    g = runs["genuine"]
    assert g.status == "ok", g.message_en
    v = g.run_json()["verified"]
    assert v["status"] == "ok" and v["dataset"] == "mnist" and v["test_samples"] == 1000
    model = v["models"][0]
    assert (model["name"], model["params"], model["layers"]) == ("model", 25450, [25120, 330])
    assert model["history"] == {"keys": ["accuracy", "loss", "val_accuracy", "val_loss"], "epochs": 2}
    assert abs(model["test_accuracy"] - runs["printed"]) < 1e-6  # the same model on the same data
    assert v["printed"]["test_accuracy"] == pytest.approx(runs["printed"]) and v["printed"]["total_params"] == [25450]
    static = grade_evidence(g.file, replace(g.submission.evidence, verified=None), runs["spec"])
    assert g.submission.evidence.verified is not None
    assert g.submission.score == static.score and g.submission.flags == static.flags
    checks = {c.id: c.status for c in g.submission.checks}
    assert checks["summary_total_params"] == "pass" and checks["test_accuracy"] == "pass"
    assert grade_notebook(g.executed, runs["spec"]).score == g.submission.score  # the record carries it to `grade`
    assert g.seconds["verify"] < 120


@pytest.mark.slow
def test_a_faked_tensorflow_replaying_a_real_run_gets_no_points_for_parameters_or_accuracy(runs):
    r = runs["hostile"]["fake"]
    assert r.status == "ok", r.message_en
    ev = r.submission.evidence
    static = {c.id: c.status for c in grade_evidence(r.file, replace(ev, verified=None), runs["spec"]).checks}
    assert static["summary_total_params"] == "pass" and static["test_accuracy"] == "pass"  # the printout is convincing
    checks = {c.id: c for c in r.submission.checks}
    assert checks["summary_total_params"].points == 0 and checks["summary_total_params"].status == "missing"
    assert checks["test_accuracy"].points == 0 and checks["test_accuracy"].status == "missing"
    v = r.run_json()["verified"]
    assert v["status"] == "no_model" and v["models"] == []
    assert any("model-0.keras" in p for p in v["refused_files"])  # the planted link was refused, not followed
    assert "root:" not in json.dumps(r.to_json())
    assert f"{r.file}: trained model not verified" in summary(runs["report"], "en")


@pytest.mark.slow
def test_a_model_with_a_lambda_layer_is_refused_before_any_keras_loads_it(runs):
    r = runs["hostile"]["lambda"]
    v = r.run_json()["verified"]
    assert v["status"] == "failed" and v["models"][0]["status"] == "refused" and "Lambda" in v["models"][0]["reason"]
    checks = {c.id: c for c in r.submission.checks}
    assert checks["test_accuracy"].points == 0 and checks["summary_total_params"].points == 0


@pytest.mark.slow
def test_the_kernel_cannot_remove_rename_or_replace_the_grader_connection_files(tmp_path):
    contained = worker.containment(True)
    if not contained.isolated or os.geteuid() != 0:
        missing("the kernel does not run as a user of its own here (needs root and Linux namespaces)",
                "Run the suite as root on Linux with namespaces allowed (unshare), as CI does.")
    probe = textwrap.dedent("""\
        import os
        from ipykernel import get_connection_file
        conn = os.path.dirname(get_connection_file())
        names = sorted(os.listdir(conn))
        tried = {}
        for what, act in [('unlink socket', lambda: os.unlink(os.path.join(conn, 'k-1'))),
                          ('unlink connection file', lambda: os.unlink(os.path.join(conn, 'kernel.json'))),
                          ('rename socket', lambda: os.rename(os.path.join(conn, 'k-2'), os.path.join(conn, 'x'))),
                          ('rename folder', lambda: os.rename(conn, conn + '-moved')),
                          ('write connection file', lambda: open(os.path.join(conn, 'kernel.json'), 'w'))]:
            try:
                act()
                tried[what] = 'DONE'
            except OSError as exc:
                tried[what] = type(exc).__name__
        print('NAMES', names)
        print('TRIED', tried)
        """)
    nb = _write(tmp_path / "subs" / "conn.ipynb", [probe, "print('still talking')"])
    report = run_paths([str(nb)], load_spec("perceptron"), tmp_path / "out", Options(timeout_cell=60, timeout=120))
    r = report.results[0]
    cells = json.loads(Path(r.executed).read_text())["cells"]
    text = "".join("".join(o.get("text", "")) for o in cells[0]["outputs"])
    assert "kernel.json" in text and "'k-1'" in text
    tried = eval(text.split("TRIED ")[1].strip())  # noqa: S307 - our own probe's dict literal
    assert set(tried.values()) == {"PermissionError"}, tried
    assert "still talking" in "".join("".join(o.get("text", "")) for o in cells[1]["outputs"])
    assert r.status == "ok"
