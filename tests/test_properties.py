"""Property-based tests (issue #7) of every output parser: they never raise, and what the formatters of
``autograder.samples`` print (Keras 2.0–2.15 and Keras 3 summaries, fit logs with verbose=1/2 and raw progress bars,
evaluate lines, printed histories, device lists) is read back exactly. Also: the fast paths of the parsers find
exactly what the plain regular expressions find."""
from __future__ import annotations

import json
import math
from decimal import Decimal

from conftest import examples
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograder.model.evidence import Layer
from autograder.read.notebook import parse_notebook
from autograder.read.outputs import evaluate as evaluate_mod
from autograder.read.outputs import fitlog
from autograder.read.outputs.evaluate import parse_evaluations
from autograder.read.outputs.fitlog import parse_fits, parse_histories
from autograder.read.outputs.gpu import text_signals, verdict
from autograder.read.outputs.summary import parse_summaries
from autograder.read.text import clean, html_to_text
from autograder.testing import samples as s

SETTINGS = settings(max_examples=examples(120), deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ------------------------------------------------------------------ arbitrary text: parsers never raise

FRAGMENTS = [
    "Epoch 1/3\n", "Epoch 2/3", "Epoch 00001: val_loss improved", "750/750 ", "1/2", "469/Unknown", "━━━━", "━",
    " [==============================]", "[=>....]", " - ETA: 1:20", " - 2s", " 3ms/step", "164us/step", "2s/epoch",
    " - loss: 0.1234", " - accuracy: 0.9876", " - val_loss: nan", " - acc: 1.0000e-04", "\r", "\x08", "\x08" * 5,
    "\x1b[1m", "\x1b[0m", "\n", " ", "Train on 60000 samples", "Downloading data from https://x/mnist.npz\n",
    'Model: "sequential"\n', "_" * 65 + "\n", "=" * 65 + "\n", "Layer (type)                 Output Shape              Param #   \n",
    "dense (Dense)                (None, 32)                25120     \n", "Total params: 25,450\n",
    "Trainable params: 25450 (99.41 KB)\n", "Non-trainable params: 0 (0.00 Byte)\n", "┏━━━┳━━━┳━━━┓\n",
    "┃ Layer (type) ┃ Output Shape ┃ Param # ┃\n", "┡━━━╇━━━╇━━━┩\n", "│ dense (Dense) │ (None, 10) │ 330 │\n",
    "└───┴───┴───┘\n", "{'loss': [", "{\"accuracy\": [0.5, ", "np.float64(0.25)", "nan", "inf", "-inf", "1e999",
    "]}", "dict_keys(['loss', 'val_loss'])", "{", "}", "[", "]", "'", '"', "\\", "Test accuracy: ", "Test loss:",
    "0.9812", "97.5%", "テスト正解率", "正解率: 0.95", "테스트 정확도", "score", "[0.1, 0.9]", "[]", "GPU",
    "PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')", "Num GPUs Available: 1", "True", "False",
    "NVIDIA-SMI 535.104.05", "failed call to cuInit", "/device:GPU:0", "''", "AssertionError", "KeyboardInterrupt",
    "ValueError: x", "Ｔｅｓｔ", "ſ", "٣", "１２", "\ud800", "\x00",
]
SOURCES = [
    "model.evaluate(x_test, y_test)", "score = model.evaluate(x_test, y_test)\nscore", "model.evaluate(x_train, y_train)",
    "model.predict(x)", "print(tf.config.list_physical_devices('GPU'))", "len(tf.config.list_physical_devices('GPU'))",
    "tf.test.gpu_device_name()", "tf.test.is_gpu_available()", "assert len(tf.config.list_physical_devices('GPU')) > 0",
    "!nvidia-smi", "%%bash\nls", "def f(:", "((((", "print(", "# comment", "x = [", "\x00", "print(acc)",
]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=12), max_size=40).map("".join)
sources = st.lists(st.sampled_from(SOURCES) | st.text(max_size=8), max_size=4).map("\n".join)


@SETTINGS
@given(texts, sources)
def test_parsers_never_raise(text, source):
    for t in (text, clean(text), html_to_text(text)):
        for summary in parse_summaries(t):
            assert summary.total_params >= 0
        for fit in parse_fits(t):
            assert fit.epochs_run >= 1
        parse_histories(t)
        for e in parse_evaluations(t, source):
            assert e.accuracy is None or 0.0 <= e.accuracy <= 1.0
        signals = text_signals(t, source)
        assert verdict(signals) in ("gpu", "cpu", "unknown")


@SETTINGS
@given(texts)
def test_clean_leaves_no_carriage_return_or_backspace(text):
    out = clean(text)
    assert "\r" not in out and "\x08" not in out


# ------------------------------------------------------------------ summaries round-trip

@st.composite
def layer_rows(draw, name_type: int = 60, shape: int = 40):
    """(name, type, output shape, params) rows whose ``name (Type)`` and shape fit in the given widths."""
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.from_regex(rf"[A-Z][A-Za-z0-9]{{0,{min(18, name_type - 5)}}}", fullmatch=True))
        name = draw(st.from_regex(rf"[a-z][a-z0-9_]{{0,{min(24, name_type - len(kind) - 4)}}}", fullmatch=True))
        dims: list[int] = []
        for d in draw(st.lists(st.integers(1, 99_999), min_size=1, max_size=4)):
            if len("(None, " + ", ".join(map(str, dims + [d])) + ")") <= shape:
                dims.append(d)
        rows.append((name, kind, "(None, " + ", ".join(map(str, dims)) + ")", draw(st.integers(0, 999_999_999))))
    return rows


layers = layer_rows()
model_names = st.sampled_from(["sequential", "sequential_3", "model", "my_mlp", "functional_1"])


def _expected(rows, model, style):
    total = sum(p for *_, p in rows)
    return (total, total, 0, model, style, tuple(Layer(n, k, sh, p) for n, k, sh, p in rows))


def _got(summary):
    return (summary.total_params, summary.trainable_params, summary.non_trainable_params, summary.model,
            summary.style, summary.layers)


def _via_notebook(outputs):
    nb = parse_notebook(json.dumps(s.notebook([s.code("model.summary()", outputs)])))
    return nb.cells[0].text


@SETTINGS
@given(layer_rows(name_type=28, shape=25), model_names, st.sampled_from(["2.0", "2.2"]))
def test_keras2_fixed_width_summary_round_trips(rows, model, variant):
    text = _via_notebook([s.stream(s.keras2_summary(rows, model, variant))])
    (summary,) = parse_summaries(text)
    assert _got(summary) == _expected(rows, None if variant == "2.0" else model, "keras2")


@SETTINGS
@given(layers, model_names, st.sampled_from(["2.12", "2.15"]))
def test_keras2_wrapped_summary_round_trips(rows, model, variant):
    """tf.keras 2.9–2.15 cut long cells into pieces on continuation lines; long names and shapes wrap here."""
    text = _via_notebook([s.stream(s.keras2_summary(rows, model, variant))])
    (summary,) = parse_summaries(text)
    assert _got(summary) == _expected(rows, model, "keras2")
    if variant == "2.15":
        assert f"Total params: {summary.total_params} (" in text  # no thousands separator, a size in brackets


@SETTINGS
@given(layer_rows(name_type=31, shape=22), model_names, st.booleans())
def test_keras3_summary_round_trips(rows, model, html_only):
    """Five display_data outputs (ANSI text/plain and text/html); read from the text, or from the HTML alone."""
    outputs = s.keras3_summary(rows, model)
    if html_only:
        for out in outputs:
            del out["data"]["text/plain"]
    (summary,) = parse_summaries(_via_notebook(outputs))
    assert _got(summary) == _expected(rows, model, "keras3")


# ------------------------------------------------------------------ fit logs round-trip

metric_sets = st.sampled_from([("loss", "accuracy"), ("loss", "acc"), ("loss",), ("loss", "mae"),
                               ("loss", "accuracy", "precision"), ("loss", "sparse_categorical_accuracy")])
values = st.floats(0, 50, allow_nan=False, allow_infinity=False)


@st.composite
def histories(draw, max_epochs=30):
    metrics = list(draw(metric_sets))
    if draw(st.booleans()):
        metrics += [f"val_{m}" for m in metrics]
    epochs = draw(st.integers(1, max_epochs))
    return {m: [draw(values) for _ in range(epochs)] for m in metrics}


@SETTINGS
@given(histories(), st.integers(1, 99_999), st.integers(1, 999), st.booleans(), st.sampled_from([1, 2]),
       st.integers(0, 2), st.integers(0, 9))
def test_fit_log_round_trips(history, steps, ms, keras3, verbose, updates, seed):
    raw = s.fit_log(history, steps=steps, keras3=keras3, ms_per_step=ms, verbose=verbose,
                    updates=updates if verbose == 1 else 0, seed=seed)
    nb = parse_notebook(json.dumps(s.notebook([s.code("h = model.fit(x, y)", [s.stream(raw)])])))
    (fit,) = parse_fits(nb.cells[0].text)
    epochs = len(history["loss"])
    assert fit.epochs_run == epochs and fit.epochs_total == epochs
    assert [dict(e) for e in fit.epochs] == [{k: float(f"{v[i]:.4f}") for k, v in history.items()} for i in range(epochs)]
    assert fit.steps == steps and fit.step_unit == "step"
    assert fit.seconds_per_step == ms / 1000
    assert fit.style == ("keras3" if keras3 else "keras2")


# ------------------------------------------------------------------ evaluate lines and labelled prints

@SETTINGS
@given(st.floats(0, 1), st.floats(0, 20), st.booleans(), st.sampled_from([1, 2]), st.integers(1, 99_999))
def test_evaluate_line_round_trips(acc, loss, keras3, verbose, steps):
    text = clean(s.evaluate_line(loss, acc, keras3, steps, verbose))
    (e,) = parse_evaluations(text, f"score = model.evaluate(x_test, y_test, verbose={verbose})")
    assert (e.source, e.accuracy, e.loss) == ("progress", float(f"{acc:.4f}"), float(f"{loss:.4f}"))


@SETTINGS
@given(st.floats(0, 1), st.floats(0, 20), st.sampled_from(["Test accuracy:", "test_acc:", "テスト正解率:", "Test set accuracy ="]))
def test_labelled_prints_round_trip(acc, loss, label):
    text = f"Test loss: {loss!r}\n{label} {acc!r}\n"
    found = parse_evaluations(text, "print('Test loss:', score[0])\nprint(label, score[1])")
    assert [(e.source, e.loss, e.accuracy) for e in found] == [("print", loss, None), ("print", None, acc)]


@SETTINGS
@given(st.integers(0, 10_000))
def test_percent_accuracy_is_read_exactly(k):
    pct = f"{Decimal(k) / 100:.2f}"  # 0.00 … 100.00
    (e,) = parse_evaluations(f"Test accuracy: {pct}%\n", "print(...)")
    assert e.accuracy == float(Decimal(pct) / 100)


# ------------------------------------------------------------------ printed history dicts

history_values = st.floats(allow_nan=True, allow_infinity=True, width=32) | st.floats(0, 1)


@st.composite
def history_dicts(draw):
    keys = ["loss"] + draw(st.lists(st.sampled_from(["accuracy", "val_loss", "val_accuracy", "acc", "val_acc", "lr",
                                                      "mae", "my_metric"]), unique=True, max_size=5))
    epochs = draw(st.integers(0, 60))
    return {k: [draw(history_values) for _ in range(epochs)] for k in keys}


def _same(a, b):
    return len(a) == len(b) and all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=False))


@SETTINGS
@given(history_dicts(), st.sampled_from(["repr", "np", "keys"]), st.text(max_size=10))
def test_printed_history_round_trips(history, form, noise):
    assume("{" not in noise and "dict_keys" not in noise)
    if form == "keys":
        text = f"{noise}\ndict_keys({list(history)!r})\n"
    elif form == "np":
        text = noise + "\n{" + ", ".join(f"{k!r}: [" + ", ".join(f"np.float64({v!r})" for v in vs) + "]"
                                          for k, vs in history.items()) + "}\n"
    else:
        text = f"{noise}\n{history!r}\n"
    (h,) = parse_histories(text)
    assert h.keys == tuple(history)
    if form == "keys":
        assert h.values is None
    else:
        assert all(_same(h.values[k], v) for k, v in history.items())


# ------------------------------------------------------------------ device lists

@SETTINGS
@given(st.integers(0, 8), st.sampled_from(["print(tf.config.list_physical_devices('GPU'))",
                                           "gpus = tf.config.list_physical_devices(device_type='GPU')\nprint(gpus)",
                                           "tf.config.list_physical_devices('GPU')"]))
def test_device_list_signals(n, source):
    devices = [f"PhysicalDevice(name='/physical_device:GPU:{i}', device_type='GPU')" for i in range(n)]
    signals = text_signals("[" + ", ".join(devices) + "]\n", source)
    assert [(x.kind, x.points_to) for x in signals] == [("device_list", "gpu" if n else "cpu")]
    assert verdict(signals) == ("gpu" if n else "cpu")


@SETTINGS
@given(st.integers(0, 8))
def test_gpu_count_signals(n):
    signals = text_signals(f"Num GPUs Available:  {n}\n",
                           "print('Num GPUs Available: ', len(tf.config.list_physical_devices('GPU')))")
    assert ("gpu_count", "gpu" if n else "cpu") in [(x.kind, x.points_to) for x in signals]
    assert verdict(signals) == ("gpu" if n else "cpu")


# ------------------------------------------------------------------ the fast paths equal the plain regexes

TOKENS = ["750/750 ━━━", "1.3850409/422 ━━", "12/1875 [==>...]", "60000/60000 - 10s", "313/313 - 1s - 2ms/step",
          "469/Unknown ━", "5/", "/5", "/s", "s/s", " ", "\n", "Epoch 1/3", "Epoch 2/3\n", "xEpoch 3/3", "Epoch ",
          "0.1234", "٣/٣ ━", "1/2 - 3us", " - loss: 0.5", " 3ms/step", "2s/step", "1.5µs/sample", "ms", "us", "m",
          ".", "0", "12", "/step", "/sample", "[", "]", "-", "[=]", " [", "E", "p"]
token_text = st.lists(st.sampled_from(TOKENS) | st.text(max_size=3), max_size=16).map("".join)


def _spans(matches):
    return [(m.span(), m.groups()) for m in matches]


@settings(max_examples=examples(400), deadline=None)
@given(token_text)
def test_fast_scans_find_exactly_what_finditer_finds(text):
    assert _spans(fitlog._counters(text)) == _spans(fitlog.COUNTER.finditer(text))
    assert _spans(fitlog._headers(text)) == _spans(fitlog.HEADER.finditer(text))
    assert _spans(fitlog._step_times(text)) == _spans(fitlog.STEP_TIME.finditer(text))


def _balanced_reference(text: str, start: int) -> int:
    """The character-by-character version that ``fitlog._balanced`` replaced."""
    depth, quote, i = 0, "", start
    limit = min(len(text), start + fitlog.MAX_DICT_CHARS)
    while i < limit:
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
            if depth == 0:
                return i + 1 if ch == "}" else -1
        i += 1
    return -1


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(list("{}[]()'\"\\a1 ,:")), max_size=30).map("".join), st.integers(0, 30))
def test_balanced_jumps_like_the_character_loop(text, start):
    start = min(start, len(text))
    assert fitlog._balanced(text, start) == _balanced_reference(text, start)


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(["test", "TEST", "TeSt", "teſt", "tesT", "テスト", "테스트", "正解率", "精度", "正答率",
                                 "認識率", "識別率", "정확도", "tes", "est", "ſ", "x", " ", "İ", "K"])
                | st.text(max_size=4), max_size=8).map("".join))
def test_label_gate_never_hides_a_label(text):
    if evaluate_mod._QUICK.search(text):
        assert evaluate_mod._may_have_label(text)


def _backspaces_reference(line: str) -> str:
    """The character-by-character version that ``text._apply_backspaces`` replaced."""
    out: list[str] = []
    for ch in line:
        if ch == "\x08":
            if out:
                out.pop()
        else:
            out.append(ch)
    return "".join(out)


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.sampled_from(["a", "bc", "\x08", "\x08\x08\x08", "━━", "750/750", ""]) | st.text(max_size=3),
                max_size=20).map("".join))
def test_backspaces_by_runs_like_the_character_loop(line):
    from autograder.read.text import _apply_backspaces

    assert _apply_backspaces(line) == _backspaces_reference(line)
