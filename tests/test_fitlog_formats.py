"""Training-log formats beyond ``Epoch i/N`` logs: one-epoch fits without a header, ``verbose=0`` fits seen only
through their callbacks' lines, and where ``history_keys`` come from (issue #17).

Built notebooks carry the outputs as Keras prints them (raw ``\\r``/``\\b`` progress included); the real
notebooks are read from ../shared/corpus/real/ (see tests/test_inspect_corpus.py for the one that shows Keras 3
"Restoring …" lines of ``verbose=0`` fits).
"""
from __future__ import annotations

import copy
import json

import pytest

from autograder.judge.spec import load_spec
from autograder.model.evidence import Evidence
from autograder.pipeline import grade_notebook, inspect_file
from autograder.present.text import evidence_listing
from autograder.read.outputs.callbacks import parse_callback_fits
from autograder.read.outputs.fitlog import parse_fits, unheaded_fits
from autograder.read.text import clean
from autograder.testing import samples as s
from autograder.testing.keras_text import callback_log, evaluate_line, fit_log, make_history

H1 = make_history(1, seed=3)  # one epoch with validation
H1_TRAIN = {k: v for k, v in H1.items() if not k.startswith("val_")}
MODEL = ("from tensorflow import keras\nmodel = keras.Sequential([keras.layers.Dense(10, activation='softmax')])\n"
         "model.compile(loss='sparse_categorical_crossentropy', optimizer='adam', metrics=['accuracy'])")
VAL_LOSSES = [0.30, 0.25, 0.26, 0.24, 0.27, 0.29, 0.31, 0.33]  # best at 4, stops at 6 with patience 2


def evidence(write_nb, cells) -> Evidence:
    return inspect_file(str(write_nb([s.code(MODEL, [], count=1), *cells]))).evidence


def one_epoch(keras3: bool, history: dict = H1, updates: int = 3, verbose: int = 1) -> str:
    return fit_log(history, steps=1500, keras3=keras3, updates=updates, verbose=verbose, headers=False)


# ---------------------------------------------------------------- one-epoch fits without a header

def test_the_builder_writes_a_raw_headerless_log():
    raw = one_epoch(keras3=False)
    assert "Epoch" not in raw and "\r" in raw and "\x08" in raw
    assert parse_fits(clean(raw)) == []  # the header-based reader never takes it


@pytest.mark.parametrize("keras3", [False, True], ids=["tf.keras2", "keras3"])
@pytest.mark.parametrize("verbose", [1, 2])
def test_a_one_epoch_fit_is_read_as_one_fit_of_one_epoch(write_nb, keras3, verbose):
    source = "history = model.fit(x_train, y_train, epochs=1, validation_split=0.2" + (
        ", verbose=2)" if verbose == 2 else ")")
    ev = evidence(write_nb, [s.code(source, [s.stream(one_epoch(keras3, verbose=verbose))])])
    (fit,) = ev.fits
    assert (fit.source, fit.epochs_run, fit.epochs_arg, fit.cell, fit.steps) == ("bar", 1, 1, 1, 1500)
    assert fit.last == {k: pytest.approx(round(v[0], 4)) for k, v in H1.items()}
    assert fit.style == ("keras3" if keras3 else "keras2")
    assert ev.to_json()["fits"][0]["source"] == "bar"
    assert ev.evaluations == ()


def test_the_default_epochs_is_one_and_the_evaluate_bar_after_it_stays_an_evaluation(write_nb):
    out = one_epoch(keras3=True, history=H1_TRAIN) + evaluate_line(0.0812, 0.9765)
    ev = evidence(write_nb, [s.code("model.fit(x_train, y_train)\nmodel.evaluate(x_test, y_test)", [s.stream(out)])])
    (fit,) = ev.fits
    assert (fit.source, fit.epochs_run, fit.epochs_arg, set(fit.last)) == ("bar", 1, None, {"accuracy", "loss"})
    assert [(e.source, e.accuracy) for e in ev.evaluations] == [("progress", 0.9765)]
    assert ev.test_accuracy is not None and ev.test_accuracy.accuracy == 0.9765


def test_one_epoch_fits_in_a_loop_are_each_a_fit(write_nb):
    out = "".join(one_epoch(keras3=False, history=H1_TRAIN, updates=1) for _ in range(3))
    ev = evidence(write_nb, [s.code("for i in range(3):\n    model.fit(x_train, y_train, epochs=1)", [s.stream(out)])])
    assert [(f.source, f.epochs_run) for f in ev.fits] == [("bar", 1)] * 3


def test_an_evaluate_bar_alone_is_never_a_fit(write_nb):
    ev = evidence(write_nb, [s.code("model.evaluate(x_test, y_test)", [s.stream(evaluate_line(0.08, 0.97, False))])])
    assert ev.fits == () and [e.source for e in ev.evaluations] == ["progress"]


def test_an_evaluate_bar_in_a_cell_whose_fit_is_silent_is_no_fit(write_nb):
    cell = s.code("model.fit(x_train, y_train, epochs=1, verbose=0)\nmodel.evaluate(x_test, y_test)",
                  [s.stream(evaluate_line(0.08, 0.97, False))])
    ev = evidence(write_nb, [cell])
    assert ev.fits == () and [e.accuracy for e in ev.evaluations] == [0.97]


def test_a_training_set_evaluate_beside_a_one_epoch_fit_without_validation_is_paired_by_order(write_nb):
    # fit (no val_*) then evaluate: two bars of the same shape, two calls in order
    out = one_epoch(keras3=False, history=H1_TRAIN, updates=0) + evaluate_line(0.05, 0.99, False, steps=1875)
    cell = s.code("model.fit(x_train, y_train, epochs=1)\nmodel.evaluate(x_test, y_test)", [s.stream(out)])
    ev = evidence(write_nb, [cell])
    assert [(f.source, f.steps) for f in ev.fits] == [("bar", 1500)]
    assert [(e.source, e.accuracy) for e in ev.evaluations] == [("progress", 0.99)]


def test_ambiguous_bars_are_left_alone(write_nb):
    # a fit call that may repeat beside an evaluate call, bars without val_*: which is which cannot be said
    out = one_epoch(keras3=False, history=H1_TRAIN, updates=0) * 2 + evaluate_line(0.05, 0.99, False)
    cell = s.code("for i in range(2):\n    model.fit(x_train, y_train, epochs=1)\nmodel.evaluate(x_test, y_test)",
                  [s.stream(out)])
    assert evidence(write_nb, [cell]).fits == ()


@pytest.mark.parametrize("source", [
    pytest.param("model.fit(x_train, y_train, epochs=EPOCHS)", id="epochs-unknown"),
    pytest.param("model.fit(x_train, y_train, epochs=3)", id="epochs-3-but-no-header"),
    pytest.param("model.fit(x_train, y_train, epochs=1, verbose=V)", id="verbose-unknown"),
    pytest.param("model.fit(x_train, y_train, epochs=1, initial_epoch=0)", id="initial-epoch"),
    pytest.param("scaler.fit(x_train)", id="not-a-keras-fit"),
])
def test_no_fit_where_the_code_does_not_say_one_epoch(write_nb, source):
    ev = evidence(write_nb, [s.code(source, [s.stream(one_epoch(keras3=False))])])
    assert ev.fits == ()


def test_unheaded_fits_needs_a_printing_fit_call():
    text = clean(one_epoch(keras3=False))
    assert unheaded_fits(text, [("evaluate", {})]) == ([], [])
    assert unheaded_fits(text, [("fit", {"verbose": 0})]) == ([], [])
    fits, taken = unheaded_fits(text, [("fit", {"epochs": 1})])
    assert [f.epochs_run for f in fits] == [1] and len(taken) == 1 and taken[0].startswith("1500/1500 [")


def test_a_headed_log_is_read_as_before(write_nb):
    h = make_history(2, seed=1)
    ev = evidence(write_nb, [s.code("model.fit(x, y, epochs=2)", [s.stream(fit_log(h, updates=2, keras3=False))])])
    assert [(f.source, f.epochs_run, f.epochs_total) for f in ev.fits] == [("log", 2, 2)]


# ---------------------------------------------------------------- verbose=0 fits seen through callbacks

SILENT = ("es = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)\n"
          "mc = keras.callbacks.ModelCheckpoint('best.h5', save_best_only=True, verbose=1)\n"
          "history = model.fit(x_train, y_train, epochs=30, validation_split=0.2, verbose=0, callbacks=[es, mc])")


@pytest.mark.parametrize("padded", [False, True], ids=["Epoch 12:", "Epoch 00012:"])
@pytest.mark.parametrize("keras3", [False, True], ids=["restoring-first", "keras3-order"])
def test_a_silent_fit_is_seen_through_checkpoint_and_early_stopping_lines(write_nb, padded, keras3):
    out = callback_log(VAL_LOSSES, patience=2, padded=padded, keras3=keras3, reduce_lr=[4])
    ev = evidence(write_nb, [s.code(SILENT, [s.stream(out)])])
    assert ev.fits == ()  # no check or integrity rule reads it
    (fit,) = ev.callback_fits
    assert (fit.source, fit.epochs_seen, fit.stopped_epoch, fit.best_epoch, fit.epochs_arg, fit.cell) == (
        "callbacks", 6, 6, 4, 30, 1)
    assert fit.epochs == () and fit.epochs_run == 0
    assert fit.monitored == ((1, "val_loss", 0.3), (2, "val_loss", 0.25), (4, "val_loss", 0.24))
    assert ev.to_json()["fits"] == [{"cell": 1, "source": "callbacks", "epochs_run": 6, "epochs_arg": 30,
                                     "metrics": ["val_loss"], "last": {}}]
    assert ev.history_keys is None and ev.history_keys_source is None


def test_the_last_epoch_stated_by_a_checkpoint_is_its_last_value():
    out = clean(callback_log([0.3, 0.2, 0.1]))
    (fit,) = parse_callback_fits(out)
    assert fit.epochs_seen == 3 and fit.stopped_epoch is None
    assert fit.to_json()["last"] == {"val_loss": 0.1}


def test_two_silent_fits_in_one_cell_are_two_runs():
    out = clean(callback_log(VAL_LOSSES, patience=2) + callback_log([0.4, 0.35, 0.36, 0.37], patience=2))
    assert [(f.epochs_seen, f.stopped_epoch, f.best_epoch) for f in parse_callback_fits(out)] == [(6, 6, 4), (4, 4, 2)]


def test_keras3_restoring_without_early_stopping_means_every_epoch_ran(write_nb):
    source = ("es = keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True, verbose=1)\n"
              "for fold in range(2):\n"
              "    model.fit(x, y, epochs=30, validation_split=0.2, verbose=0, callbacks=[es])\n"
              "    print(f'fold {fold} done')")
    out = ("Restoring model weights from the end of the best epoch: 28.\nfold 0 done\n"
           "Restoring model weights from the end of the best epoch: 30.\nfold 1 done\n")
    ev = evidence(write_nb, [s.code(source, [s.stream(out)])])
    assert [(f.epochs_seen, f.best_epoch, f.stopped_epoch) for f in ev.callback_fits] == [(30, 28, None), (30, 30, None)]


@pytest.mark.parametrize("cells", [
    pytest.param([s.markdown("Epoch 12: val_loss improved from 0.08120 to 0.07900, saving model to best.h5\n\n"
                             "Epoch 13: early stopping")], id="typed-into-markdown"),
    pytest.param([s.code("print('Epoch 12: val_loss improved from 0.08120 to 0.07900, saving model to best.h5')",
                         [s.stream("Epoch 12: val_loss improved from 0.08120 to 0.07900, saving model to best.h5\n")])],
                 id="printed-without-fit"),
    pytest.param([s.code("history = model.fit(x, y, epochs=30, verbose=0, callbacks=[es])\n"
                         "print('Epoch 12: val_loss improved from 0.08120 to 0.07900, saving model to best.h5')",
                         [s.stream("Epoch 12: val_loss improved from 0.08120 to 0.07900, saving model to best.h5\n")])],
                 id="typed-print-beside-a-silent-fit"),
    pytest.param([s.code("history = model.fit(x, y, epochs=10, verbose=0, callbacks=[es])",
                         [s.stream(callback_log(VAL_LOSSES + [0.4] * 6))])],
                 id="more-epochs-than-epochs-arg"),
    pytest.param([s.code("history = model.fit(x, y, epochs=30, verbose=0)",
                         [s.stream(callback_log(VAL_LOSSES, patience=2))])],
                 id="no-callbacks-argument"),
])
def test_callback_lines_without_such_a_fit_make_no_fit(write_nb, cells):
    ev = evidence(write_nb, cells)
    assert ev.fits == () and ev.callback_fits == ()


def test_callback_lines_of_a_printed_log_make_no_second_fit(write_nb):
    h = make_history(3, seed=2)
    log = fit_log(h, keras3=False) + "\nEpoch 3: early stopping\n"
    ev = evidence(write_nb, [s.code("model.fit(x, y, epochs=10, callbacks=[es])", [s.stream(log)])])
    assert [(f.source, f.epochs_run) for f in ev.fits] == [("log", 3)] and ev.callback_fits == ()


def test_the_text_view_names_both_new_kinds(write_nb):
    cells = [s.code("model.fit(x_train, y_train, epochs=1, validation_split=0.2)", [s.stream(one_epoch(False))]),
             s.code(SILENT, [s.stream(callback_log(VAL_LOSSES, patience=2))])]
    ev = evidence(write_nb, cells)
    ja, en = evidence_listing("nb", ev), evidence_listing("nb", ev, lang="en")
    assert "学習（セル 1）（1 エポック、Epoch 表示なし）: 1 エポック（epochs=1）" in ja
    assert "学習（セル 2、verbose=0、コールバックの表示のみ）: エポック 6 まで、エポック 6 で早期終了" in ja
    assert "fit (cell 1) (one epoch, no Epoch header): 1 epochs run (epochs=1)" in en
    assert "fit (cell 2, verbose=0, seen through callbacks): up to epoch 6, early stopping at epoch 6" in en


# ---------------------------------------------------------------- history_keys: printed or inferred

PRINTED_KEYS = "dict_keys(['loss', 'accuracy', 'val_loss', 'val_accuracy'])"


@pytest.mark.parametrize("extra, source", [
    pytest.param([], "log", id="from-the-log"),
    pytest.param([s.code("print(history.history.keys())", [s.stream(PRINTED_KEYS + "\n")])], "printed", id="print"),
    pytest.param([s.code("history.history.keys()", [s.display(plain=PRINTED_KEYS, result_count=9)])], "printed",
                 id="bare-expression"),
    pytest.param([s.code("print(history.history)", [s.stream(repr(make_history(2, seed=1)) + "\n")])], "printed",
                 id="printed-dict"),
])
def test_history_keys_say_where_they_come_from(write_nb, extra, source):
    h = make_history(2, seed=1)
    fit = s.code("history = model.fit(x, y, epochs=2, validation_split=0.2)", [s.stream(fit_log(h, keras3=False))])
    ev = evidence(write_nb, [fit, *extra])
    doc = ev.to_json()
    assert doc["history_keys"] == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert doc["history_keys_source"] == source
    ja, en = evidence_listing("nb", ev), evidence_listing("nb", ev, lang="en")
    how_ja, how_en = ("（表示）", " (printed)") if source == "printed" else ("（ログから推定）", " (inferred from the log)")
    assert f"history のキー: loss, accuracy, val_loss, val_accuracy{how_ja}" in ja
    assert f"history keys: loss, accuracy, val_loss, val_accuracy{how_en}" in en


def test_no_history_keys_no_source(write_nb):
    doc = evidence(write_nb, [s.code("print('hello')", [s.stream("hello\n")])]).to_json()
    assert doc["history_keys"] is None and doc["history_keys_source"] is None


# ---------------------------------------------------------------- honest notebooks: no new flag

def _mlp(keras3: bool, fit_source: str, output: str) -> dict:
    nb = copy.deepcopy(s.submission("mlp", epochs=1, keras3=keras3))
    (cell,) = [c for c in nb["cells"] if ".fit(" in c["source"]]
    cell["source"], cell["outputs"] = fit_source, [s.stream(output)]
    return nb


@pytest.mark.parametrize("keras3", [False, True])
def test_an_honest_one_epoch_notebook_is_graded_without_flags(write_nb, keras3):
    nb = _mlp(keras3, "result = model.fit(x_train, y_train, epochs=1, batch_size=64, validation_split=0.2)",
              one_epoch(keras3, history=make_history(1, seed=0), updates=4))
    result = grade_notebook(write_nb(nb), load_spec("mlp"))
    assert result.flags == ()
    ev = inspect_file(str(write_nb(nb))).evidence
    assert [(f.source, f.epochs_run) for f in ev.fits] == [("bar", 1)]


@pytest.mark.parametrize("keras3", [False, True])
def test_an_honest_silent_notebook_is_graded_without_flags(write_nb, keras3):
    source = ("es = keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True, verbose=1)\n"
              "result = model.fit(x_train, y_train, epochs=30, batch_size=64, validation_split=0.2, verbose=0, "
              "callbacks=[es])")
    nb = _mlp(keras3, source, callback_log(VAL_LOSSES, patience=2, keras3=keras3, checkpoint=False))
    result = grade_notebook(write_nb(nb), load_spec("mlp"))
    assert result.flags == ()
    history = [c for c in result.checks if c.id.startswith("history")]
    assert history and all(c.status == "missing" for c in history)  # no per-epoch values: nothing to pass on


def test_json_contract_keys(write_nb):
    doc = json.loads(json.dumps(evidence(write_nb, [s.code(SILENT, [s.stream(callback_log(VAL_LOSSES, 2))])]).to_json()))
    assert list(doc)[:5] == ["keras", "summaries", "fits", "history_keys", "history_keys_source"]
    assert set(doc["fits"][0]) == {"cell", "source", "epochs_run", "epochs_arg", "metrics", "last"}


@pytest.mark.timeout(30)
def test_a_hostile_cell_of_callback_lines_stays_bounded():
    from autograder.read.outputs.callbacks import MAX_RUNS
    text = "Epoch 2: early stopping\nRestoring model weights from the end of the best epoch: 1.\n" * 200_000
    fits = parse_callback_fits(text)
    assert len(fits) == MAX_RUNS and fits[0].epochs_seen == 2


# ---------------------------------------------------------------- an interrupted last epoch (no traceback)

H5 = make_history(5, seed=5)
FIT5 = "history = model.fit(x_train, y_train, epochs=5, batch_size=64, validation_split=0.1)"
TF_WARNING = ("2024-03-01 10:00:00.123456: W tensorflow/core/framework/op_kernel.cc:1827] OP_REQUIRES failed\n"
              "/usr/local/lib/python3.10/dist-packages/keras/src/trainers/epoch_iterator.py:151: UserWarning: "
              "Your input ran out of data; interrupting training.\n  self._interrupted_warning()\n")


def _interrupted(keras3: bool, ran: int = 3) -> tuple[str, str]:
    """The raw stdout of a 5-epoch fit stopped inside epoch ``ran + 1`` (a kernel stopped or restarted, a notebook
    saved while it ran): the partial bars of that epoch as written (``\\b`` erases, ``\\r``), the last one never
    erased nor followed by the final line; and the rest of that complete log (the erase, its final bar, the later
    epochs)."""
    log = fit_log(H5, steps=704, keras3=keras3, updates=3)
    start = log.index(f"Epoch {ran + 1}/5")
    final_at = log.rindex("\r", start, log.index(f"Epoch {ran + 2}/5") if ran + 2 <= 5 else len(log))
    out = log[:final_at].rstrip("\x08")
    return out, log[len(out):]


def _last(epoch: int) -> dict[str, float]:
    return {k: pytest.approx(round(v[epoch - 1], 4)) for k, v in H5.items()}


@pytest.mark.parametrize("keras3", [False, True], ids=["tf.keras2", "keras3"])
def test_an_epoch_whose_bar_never_finished_is_not_counted(write_nb, keras3):
    out, _ = _interrupted(keras3)
    assert "Epoch 4/5" in out and "\x08" in out and "704/704" not in out.rsplit("Epoch 4/5", 1)[1]
    ev = evidence(write_nb, [s.code(FIT5, [s.stream(out)])])
    (fit,) = ev.fits
    assert (fit.source, fit.epochs_run, fit.epochs_arg, fit.headers) == ("log", 3, 5, (1, 2, 3, 4))
    assert fit.last == _last(3)  # the interrupted epoch's running metrics are no epoch's


@pytest.mark.parametrize("keras3", [False, True], ids=["tf.keras2", "keras3"])
def test_warnings_after_the_unfinished_bar_change_nothing(write_nb, keras3):
    """Keras 3 on a GPU server: stderr outputs between the stdout ones and after them (``Cell.text`` shows them
    after the stdout); the bar still never finished."""
    out, _ = _interrupted(keras3)
    cut = out.index("Epoch 4/5")
    outputs = [s.stream(out[:cut]), s.stream(TF_WARNING, "stderr"), s.stream(out[cut:]), s.stream(TF_WARNING, "stderr")]
    (fit,) = evidence(write_nb, [s.code(FIT5, outputs)]).fits
    assert fit.epochs_run == 3


def test_an_unfinished_bar_before_a_traceback_is_still_dropped(write_nb):
    out, _ = _interrupted(keras3=False)
    error = {"output_type": "error", "ename": "KeyboardInterrupt", "evalue": "", "traceback": ["KeyboardInterrupt"]}
    (fit,) = evidence(write_nb, [s.code(FIT5, [s.stream(out), error])]).fits
    assert fit.epochs_run == 3


@pytest.mark.parametrize("keras3", [False, True], ids=["tf.keras2", "keras3"])
def test_an_honest_complete_log_is_unchanged(write_nb, keras3):
    """Adversarial side: the same run completed, with warnings after it, or split over two stdout outputs inside an
    epoch (the final bar in the second), still shows all its epochs."""
    out, rest = _interrupted(keras3)
    full = fit_log(H5, steps=704, keras3=keras3, updates=3)
    assert out + rest == full
    for outputs in ([s.stream(full)], [s.stream(full), s.stream(TF_WARNING, "stderr")],
                    [s.stream(out), s.stream(TF_WARNING, "stderr"), s.stream(rest)]):
        (fit,) = evidence(write_nb, [s.code(FIT5, outputs)]).fits
        assert (fit.epochs_run, fit.headers, fit.last) == (5, (1, 2, 3, 4, 5), _last(5))


@pytest.mark.parametrize("keras3", [False, True], ids=["tf.keras2", "keras3"])
def test_an_unfinished_bar_that_the_cell_went_on_after_counts(write_nb, keras3):
    """A partial bar followed by more of the cell's output (a callback's message, then the evaluate) is an epoch
    Keras ended (a callback stopped it within the epoch): it counts, as before."""
    out, _ = _interrupted(keras3)
    after = "\nReached 98% accuracy so cancelling training!\n" + evaluate_line(0.08, 0.97, keras3)
    (fit,) = evidence(write_nb, [s.code(FIT5 + "\nmodel.evaluate(x_test, y_test)", [s.stream(out + after)])]).fits
    assert fit.epochs_run == 4


@pytest.mark.parametrize("keras3", [False, True], ids=["tf.keras2", "keras3"])
def test_an_interrupted_honest_notebook_is_graded_without_flags(write_nb, keras3):
    out, _ = _interrupted(keras3)
    nb = _mlp(keras3, FIT5, out)
    result = grade_notebook(write_nb(nb), load_spec("mlp"))
    assert [f.kind for f in result.flags if f.kind in ("tampered_output", "integrity_error", "gpu_conflict")] == []
