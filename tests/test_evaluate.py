"""Tests of ``autograder.outputs.evaluate``: evaluate progress lines, labelled prints, displayed values.

Synthetic texts are literal lines from ../shared/docs/FORMATS.md §4 and the corpus; the corpus expectations
were read from the raw notebook JSON by hand, never from these parsers.
"""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

from autograder.read.notebook import load_notebook
from autograder.read.outputs.evaluate import parse_evaluations
from autograder.read.text import clean

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"
BAR = "[==============================]"
K3 = "━━━━━━━━━━━━━━━━━━━━"
EVAL = "score = model.evaluate(x_test, y_test)\n"


def shown(text: str, source: str = "") -> list[tuple[str, float | None, float | None]]:
    return [(e.source, e.accuracy, e.loss) for e in parse_evaluations(text, source)]


# ---------------------------------------------------------------- progress lines

@pytest.mark.parametrize("line,accuracy,loss", [
    (f"313/313 {BAR} - 1s 4ms/step - loss: 0.1152 - accuracy: 0.9804", 0.9804, 0.1152),
    ("313/313 - 1s - loss: 0.3755 - accuracy: 0.8669 - 545ms/epoch - 2ms/step", 0.8669, 0.3755),
    ("313/313 - 1s - 2ms/step - accuracy: 0.9754 - loss: 0.0796", 0.9754, 0.0796),
    (f"157/157 {BAR} - 1s 3ms/step - loss: 0.2468 - accuracy: 0.9296", 0.9296, 0.2468),
    (f"79/79 {BAR} - 0s 4ms/step - loss: 0.3260 - accuracy: 0.8986", 0.8986, 0.3260),
    (f"10000/10000 {BAR} - 5s     ", None, None),
    (f"10000/10000 {BAR} - 1s 66us/step - loss: 0.0803 - acc: 0.9786", 0.9786, 0.0803),
])
def test_progress_line(line, accuracy, loss):
    (e,) = parse_evaluations(line, EVAL)
    assert (e.source, e.accuracy, e.loss, e.text) == ("progress", accuracy, loss, line.strip())
    assert e.cell is None


def test_keras3_progress_line_with_ansi():
    raw = ("\x1b[1m313/313\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m1s\x1b[0m 3ms/step"
           " - accuracy: 0.9599 - loss: 0.1325")
    (e,) = parse_evaluations(clean(raw), "model.evaluate(test_images, test_labels)")
    assert (e.source, e.accuracy, e.loss) == ("progress", 0.9599, 0.1325)
    assert e.text == f"313/313 {K3} 1s 3ms/step - accuracy: 0.9599 - loss: 0.1325"


def test_progress_needs_an_evaluate_call():
    line = f"313/313 {BAR} - 1s 4ms/step - loss: 0.1152 - accuracy: 0.9804"
    assert parse_evaluations(line, "pred = model.predict(x_test)") == []
    assert parse_evaluations(line, "") == []


def test_partial_evaluate_bar_is_not_a_result():
    text = " 8960/10000 [=========================>....] - ETA: 0s\n[0.120176409252216, 0.98170000000000002]"
    assert shown(text, "mlp.evaluate(x=X_TEST, y=Y_TEST)") == [("value", 0.9817, 0.120176409252216)]


def test_fit_log_lines_are_not_evaluations():
    text = (
        "Epoch 5/5\n"
        f"1875/1875 {BAR} - 3s 2ms/step - loss: 0.2921 - accuracy: 0.8920\n"
        "313/313 - 1s - loss: 0.3755 - accuracy: 0.8669 - 545ms/epoch - 2ms/step\n"
        "\n"
        "테스트 정확도: 0.8669000267982483"
    )
    source = ("model.fit(train_images, train_labels, epochs=5)\n"
              "test_loss, test_acc = model.evaluate(test_images,  test_labels, verbose=2)\n"
              "print('\\n테스트 정확도:', test_acc)")
    assert shown(text, source) == [("progress", 0.8669, 0.3755), ("print", 0.8669000267982483, None)]


def test_download_and_predict_bars_are_not_evaluations():
    text = (
        "Downloading data from https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz\n"
        f"11490434/11490434 {K3} 1s 0us/step\n"
        f"313/313 {K3} 0s 750us/step - accuracy: 0.8599 - loss: 0.3934\n"
        "\n"
        "Predicting using test set:\n"
        f"313/313 {K3} 0s 888us/step\n"
    )
    source = "model.evaluate(test_images, test_labels)\npredictions = model.predict(test_images)\n"
    assert shown(text, source) == [("progress", 0.8599, 0.3934)]
    assert shown(f"170498071/170498071 {K3} 6s 0us/step", "model.evaluate(x, y)") == []


def test_mislabelled_print_of_a_training_evaluation():
    text = "Train loss: 2.3012008666992188\nTest accuracy: 0.11236666887998581"
    source = ("loss, accuracy = model.evaluate(x_train, y_train, verbose=0)\n"
              "print(\"Train loss:\", loss)\nprint(\"Test accuracy:\", accuracy)")
    assert shown(text, source) == []
    both = "model.evaluate(X_train, y_train)\nscore = model.evaluate(X_test, y_test)\nprint('Testing Accuracy:', score[1])"
    assert shown("Testing Accuracy: 0.9786", both) == [("print", 0.9786, None)]


def test_fit_line_without_header_is_not_a_print():
    line = f"469/469 {BAR} - 2s 4ms/step - loss: 0.2575 - accuracy: 0.9217 - val_loss: 0.1098 - val_accuracy: 0.9652"
    assert shown(line, "model.fit(x_train, y_train)") == []


def test_evaluate_on_training_data_is_not_a_test_result():
    line = f"391/391 {BAR} - 2s 4ms/step - loss: 0.0049 - accuracy: 0.9984"
    text = line + "\n[0.004919077269732952, 0.9983800053596497]"
    source = "#training accuracy without dropout\ntrain_acc=model.evaluate(x_train,y_train,batch_size=128)\ntrain_acc"
    assert shown(text, source) == []
    assert shown(line, "model.evaluate(x=X_val, y=y_val)") == []
    assert shown(line, "model.evaluate(validation_generator)") == []


def test_train_then_test_evaluations_are_paired_in_order():
    text = (
        f"1875/1875 {BAR} - 2s 1ms/step - loss: 0.1900 - accuracy: 0.9300\n"
        f"313/313 {BAR} - 0s 1ms/step - loss: 0.3300 - accuracy: 0.8800\n"
    )
    source = "model.evaluate(x_train, y_train)\nmodel.evaluate(x_test, y_test)\n"
    assert shown(text, source) == [("progress", 0.88, 0.33)]
    # cannot be paired (three calls, two lines) and one of them is on training data: take none
    source3 = source + "model.evaluate(x_test2, y_test2)\n"
    assert shown(text, source3) == []


def test_progress_accuracy_out_of_range_is_skipped():
    assert shown(f"313/313 {BAR} - 1s 4ms/step - loss: 0.1152 - accuracy: 1.5000", EVAL) == []


# ---------------------------------------------------------------- labelled prints

@pytest.mark.parametrize("line,accuracy,loss", [
    ("Test accuracy: 0.9815000295639038", 0.9815000295639038, None),
    ("Test accuracy: 97.2800%", 0.9728, None),
    ("Test accuracy: 12.7800%", 0.1278, None),
    ("test_loss: 0.129, test_acc: 0.962", 0.962, 0.129),
    ("Test score: 0.0642029843267", None, 0.0642029843267),
    ("MLP Test accuracy: 0.8557", 0.8557, None),
    ("CNN Test accuracy: 0.9737", 0.9737, None),
    ("  Test Accuracy: 97.63%", 0.9763, None),
    ("  Test Loss: 0.0740", None, 0.0740),
    ("test set accuracy: 0.8718000054359436", 0.8718000054359436, None),
    ("테스트 정확도: 0.8669000267982483", 0.8669000267982483, None),
    ("正解率: 0.95", 0.95, None),
    ("テスト正解率 95.2%", 0.952, None),
    ("テストデータの正解率: 0.9712", 0.9712, None),
    ("精度: 0.9", 0.9, None),
    ("テスト損失: 0.08", None, 0.08),
    ("Test loss: 0.07265089452266693", None, 0.07265089452266693),
    ("Test Accuracy: 0.9779 (97.79%)", 0.9779, None),
    ("Final Test Accuracy: 0.9779 (97.79%)", 0.9779, None),
    ("   • Test Accuracy: 97.85%", 0.9785, None),
    ("Best test accuracy: 98.29%", 0.9829, None),
    ("Testing Accuracy: 0.9786", 0.9786, None),
    ("Testing Data Accuracy is 0.8805000185966492", 0.8805000185966492, None),
    ("Accuracy Train: 99.58% , Test: 98.15% ", 0.9815, None),
    ("Accuracy on test set: 0.97", 0.97, None),
    ("Test accuracy 0.9805", 0.9805, None),  # print('Test accuracy', score[1])
    ("Test loss: 0.0336, Test accuracy: 0.9889", 0.9889, 0.0336),
    ("Test accuracy: 1", 1.0, None),
    ("Test-Accuracy: 0.9", 0.9, None),
    ("正解率（テスト）: 0.95", 0.95, None),
    ("テストデータに対する正解率：97.1％", 0.971, None),
    ("테스트 손실: 0.35", None, 0.35),
    ("Test Loss: 0.0740, Test Acc: 97.63%", 0.9763, 0.0740),
    ("テスト正解率は 0.8512 で、目標の 0.87 に届いていません。", 0.8512, None),  # the course's own check
    ("テスト正解率は97.5%です", 0.975, None),
])
def test_labelled_print(line, accuracy, loss):
    (e,) = parse_evaluations(line, "")
    assert (e.source, e.accuracy, e.loss, e.text) == ("print", accuracy, loss, line.strip())


@pytest.mark.parametrize("line", [
    "Test accuracy: 12.3",  # cannot be an accuracy, and no % sign
    "Test accuracy: 120%",
    "Test loss: -0.5",
    " Training Accuracy: 0.986083333333",
    "Train accuracy: 0.99",
    "Fold 1 val accuracy: 0.8184",
    "Validation accuracy: 0.97",
    "訓練データの正解率: 0.99",
    "検証精度: 0.98",
    "훈련 정확도: 0.99",
    "   Log(Parameters) vs Test Accuracy: 0.731",
    "   Generalization Gap: 0.0137",
    "Target test accuracy: 0.98",
    "目標のテスト正解率: 0.95",
    "Test accuracy: 0.98s",
    "Test samples: 10,000",
    "Test data shape: (10000, 28, 28)",
    "Test set size: (10000, 28, 28), Labels: (10000,)",
    "Train/Val/Test sizes: 51000 9000 10000",
    "AUC Score for the testing data is 0.9336111111111112",
    "Test 1: 0.5",
    "Test: 0.97",  # a bare "Test" with nothing saying what was measured
    "Tested 15 different network sizes",
    "MLP (Dense v1, test)      : 0.8491",
    "    accuracy                         0.8557     10000",
    "Accuracy for the Fold 1 is 0.8797500133514404",
    "Epoch: 0, accuracy:0.4916,  binary_crossentropy:0.8806,  loss:0.8806,  val_accuracy:0.4800,",
    f"469/469 {BAR} - 2s 4ms/step - loss: 0.2575 - accuracy: 0.9217 - val_loss: 0.1098 - val_accuracy: 0.9652",
    "Test accuracy improvement: 0.02",
    "Test accuracy: nan",
    "Gets to 98.40% test accuracy after 20 epochs",
])
def test_not_a_test_result(line):
    assert parse_evaluations(line, "") == []


def test_one_evaluation_per_printed_line():
    text = "Test loss: 0.035985792518220844\nTest accuracy: 0.9902"
    assert shown(text) == [("print", None, 0.035985792518220844), ("print", 0.9902, None)]
    both = parse_evaluations("MLP test accuracy: 0.85, CNN test accuracy: 0.97", "")
    assert [(e.accuracy, e.text) for e in both] == [(0.85, "MLP test accuracy: 0.85, CNN test accuracy: 0.97"),
                                                    (0.97, "MLP test accuracy: 0.85, CNN test accuracy: 0.97")]


# ---------------------------------------------------------------- displayed values

def test_value_of_a_last_evaluate_call():
    text = "313/313 - 1s - 2ms/step - accuracy: 0.9754 - loss: 0.0796\n[0.07959365099668503, 0.9753999710083008]"
    evs = parse_evaluations(text, "model.evaluate(x_test,  y_test, verbose=2)")
    assert [(e.source, e.accuracy, e.loss) for e in evs] == [
        ("progress", 0.9754, 0.0796), ("value", 0.9753999710083008, 0.07959365099668503)]
    assert evs[1].text == "[0.07959365099668503, 0.9753999710083008]"


def test_value_old_numpy_repr_and_numpy2_wrappers():
    assert shown("[0.080410611777656599, 0.97860000000000003]", "cnn.evaluate( x=x_test, y=y_test )") == [
        ("value", 0.97860000000000003, 0.080410611777656599)]
    assert shown("[np.float64(0.0796), np.float64(0.9754)]", "model.evaluate(x_test, y_test)") == [
        ("value", 0.9754, 0.0796)]


def test_value_of_a_name_assigned_from_evaluate():
    text = "(10000, 32, 32, 3) (10000, 10)\n[0.3259532153606415, 0.8985999822616577]"
    source = "print(x_test.shape,y_test.shape)\nmodel2_test_acc=model2.evaluate(x_test,y_test,batch_size=128)\nmodel2_test_acc"
    assert shown(text, source) == [("value", 0.8985999822616577, 0.3259532153606415)]


def test_value_of_an_item_of_the_result():
    source = "score=model.evaluate(test_data, test_label)\nprint(score[1])"
    assert shown("0.9801999926567078", source) == [("value", 0.9801999926567078, None)]
    assert shown("0.1031", "score = model.evaluate(x_test, y_test)\nscore[0]") == [("value", None, 0.1031)]
    unpacked = "test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)\ntest_acc"
    assert shown("0.9672", unpacked) == [("value", 0.9672, None)]


def test_value_dict_and_scalar_loss():
    assert shown("{'accuracy': 0.9754, 'loss': 0.0796}", "model.evaluate(x_test, y_test, return_dict=True)") == [
        ("value", 0.9754, 0.0796)]
    assert shown("0.0796", "model.evaluate(x_test, y_test)") == [("value", None, 0.0796)]


def test_value_printed_after_words_in_a_one_item_set():
    """``print("accuracy:", {acc})`` (a real lab notebook): the words, then the value in braces."""
    source = "loss_b, accuracy_b = model_b.evaluate(test_img, test_label)\nprint('loss:', {loss_b})\nprint('accuracy:', {accuracy_b})"
    text = "loss: {308.872314453125}\naccuracy: {0.31200000643730164}"
    assert shown(text, source) == [("value", 0.31200000643730164, None)]
    later = {"acc": (ast.parse("model.evaluate(x_test, y_test)").body[0].value, 1)}
    assert [(e.source, e.accuracy) for e in parse_evaluations("acc = [0.97]", "print('acc =', [acc])", later)] == [
        ("value", 0.97)]


def test_python2_print_of_a_result_shows_a_tuple():
    later = {"test_acc": (ast.parse("network.evaluate(test_images, test_labels)").body[0].value, 1)}
    found = parse_evaluations("('test_acc:', 0.98170000000000002)\n", "print('test_acc:', test_acc)\n", later)
    assert [(e.source, e.accuracy) for e in found] == [("value", 0.9817)]


def test_labelled_print_of_a_result_is_read_once():
    source = "score = model.evaluate(x_test, y_test)\nprint('Test accuracy:', score[1])"
    assert shown("Test accuracy: 0.9786", source) == [("print", 0.9786, None)]


@pytest.mark.parametrize("text,source", [
    ("accuracy: {0.97}", "acc = model.evaluate(x_train, y_train)[1]\nprint('accuracy:', {acc})"),  # no test result
    ("accuracy: {0.97}", "loss, acc = model.evaluate(x_test, y_test)\nprint('accuracy:', {acc}, 'done')"),  # words last
    ("note: {0.97}", "loss, acc = model.evaluate(x_test, y_test)\nprint('accuracy:', {acc})"),  # not the line printed
    ("accuracy: {0.97, 0.5}", "loss, acc = model.evaluate(x_test, y_test)\nprint('accuracy:', {acc})"),
    ("accuracy: 97", "loss, acc = model.evaluate(x_test, y_test)\nprint('accuracy:', acc)"),  # cannot be an accuracy
])
def test_no_labelled_value(text, source):
    assert [e for e in parse_evaluations(text, source) if e.source == "value"] == []


def test_displayed_tuple_of_the_same_result_twice():
    """``model.evaluate(x), loaded.evaluate(x)`` of a model saved and loaded again (a real notebook)."""
    source = "model.evaluate(X_test_mlp,y_test_mlp),loaded_model.evaluate(X_test_mlp,y_test_mlp)"
    bars = "10000/10000 [==============================] - 0s 36us/step\n" * 2
    text = bars + "({'loss': 0.09910182151495574, 'acc': 0.9795},\n {'loss': 0.09910182151495574, 'acc': 0.9795})"
    values = [x for x in shown(text, source) if x[0] == "value"]
    assert values == [("value", 0.9795, 0.09910182151495574)]
    lists = "([0.0991, 0.9795], [0.0991, 0.9795])"
    assert [x for x in shown(lists, source) if x[0] == "value"] == [("value", 0.9795, 0.0991)]


@pytest.mark.parametrize("text,source", [
    ("({'loss': 0.1, 'acc': 0.97}, {'loss': 0.3, 'acc': 0.91})", "a.evaluate(x_test, y_test), b.evaluate(x_test, y_test)"),
    ("({'loss': 0.1, 'acc': 0.97}, {'loss': 0.1, 'acc': 0.97})", "a.evaluate(x_train, y_train), b.evaluate(x_test, y_test)"),
    ("({'loss': 0.1, 'acc': 0.97},)", "a.evaluate(x_test, y_test), b.evaluate(x_test, y_test)"),
])
def test_displayed_tuple_that_is_not_one_result(text, source):
    """Two different models (which is the test accuracy?), training data, or not as many elements: none."""
    assert [e for e in parse_evaluations(text, source) if e.source == "value"] == []


@pytest.mark.parametrize("text,source", [
    ("[0.07, 0.97]", "score = model.evaluate(x_test, y_test)\nprint('done')"),  # not the displayed value
    ("[0.07, 0.97]", "model.evaluate(x_test, y_test)\nx = 1"),
    ("[0.07, 12.5]", "model.evaluate(x_test, y_test)"),  # cannot be an accuracy
    ("10000", "print(len(x_test))\nmodel.evaluate(x_test, y_test)"),  # not a float
    ("0.5\nValueError: Input 0 of layer is incompatible", "print(0.5)\nmodel.evaluate(x_test, y_test)"),
    ("[0.07, 0.97]", "model.evaluate(x_test, y_test"),  # the code does not parse
    ("[0.07, 0.97]", "model.fit(x_train, y_train)"),
])
def test_no_value(text, source):
    assert [e for e in parse_evaluations(text, source) if e.source == "value"] == []


def test_magics_do_not_hide_the_last_statement():
    source = "%time score = model.evaluate(x_test, y_test)\n!nvidia-smi\nmodel.evaluate(x_test, y_test)"
    assert shown("[0.07, 0.97]", source) == [("value", 0.97, 0.07)]


def test_order_of_appearance():
    text = (f"313/313 {BAR} - 1s 4ms/step - loss: 0.1031 - accuracy: 0.9802\n"
            "Test loss: 0.1031\n"
            "0.9801999926567078")
    source = "score = model.evaluate(x_test, y_test)\nprint('Test loss:', score[0])\nprint(score[1])"
    assert [e.source for e in parse_evaluations(text, source)] == ["progress", "print", "value"]


def test_empty_inputs():
    assert parse_evaluations("", "") == []
    assert parse_evaluations("", EVAL) == []
    assert parse_evaluations("hello", None) == []  # type: ignore[arg-type]


# ---------------------------------------------------------------- the real corpus

@cache
def _notebook(name: str):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/real is not beside the repository")
    return load_notebook(CORPUS / f"{name}.ipynb")


def real(name: str, index: int) -> list[tuple[str, float | None, float | None]]:
    cell = _notebook(name).cells[index]
    return [(e.source, e.accuracy, e.loss) for e in parse_evaluations(cell.text, cell.source)]


# (file, cell, evaluations) read from the raw JSON outputs
REAL_EVALUATIONS = [
    ("keras_theano_2016_mnist_mlp_tutorial", 20, [("print", None, 0.0642029843267), ("print", 0.9805, None)]),
    ("keras_theano_2016_mnist_mlp_tutorial", 22, []),  # predict_classes bar
    ("jp_mnist_mlp_keras2_summary_history", 16, [("value", 0.98170000000000002, 0.120176409252216)]),
    ("jp_colab_gpu_mnist_cnn_odd_exec_counts", 3, [("print", None, 0.035985792518220844), ("print", 0.9902, None)]),
    ("jp_mnist_mlp_train_on_samples_format", 0, [("print", 0.962, 0.129)]),
    ("colab_gpu_mnist_mlp_dropout_keras2", 8, [("print", None, 0.07265089452266693),
                                               ("print", 0.9815000295639038, None)]),
    ("colab_gpu_mnist_mlp_dropout_keras2", 9, [("print", 0.9815, None)]),  # "Accuracy Train: 99.58% , Test: 98.15%"
    ("colab_gpu_mnist_mlp_dropout_keras2", 10, []),  # "313/313 - 0s" of predict(verbose=2)
    ("keras3_mnist_mlp_dropout_analysis_tf_xla_logs", 5, [("print", 0.9779, None), ("print", 0.9779, None)]),
    ("keras3_mnist_mlp_dropout_analysis_tf_xla_logs", 8, [
        ("print", 0.9785, None), ("print", 0.9728, None), ("print", 0.9727, None), ("print", 0.9719, None),
        ("print", 0.9708, None), ("print", 0.9785, None), ("print", 0.9708, None), ("print", 0.9785, None)]),
    ("keras3_digit_classification_local_gpu_tf_logs", 15, [("print", None, 0.1250554770231247),
                                                           ("print", 0.9632999897003174, None)]),
    ("keras3_digit_classification_local_gpu_tf_logs", 21, [("print", None, 0.0336548313498497),
                                                           ("print", 0.9889000058174133, None)]),
    ("keras3_coursera_c1w2_mnist_callbacks_assignment", 21, []),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 27, [("print", 0.8557, None)]),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 30, [("print", 0.9737, None)]),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 39, []),  # "Fold 1 val accuracy: 0.8184"
    ("korean_cpu_windows_fashion_mnist_gpu_check_out_of_order", 1, [("progress", 0.8669, 0.3755),
                                                                    ("print", 0.8669000267982483, None)]),
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 15, []),  # evaluate(x_train, …)
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 24, [("progress", 0.8986, 0.3260),
                                                             ("value", 0.8985999822616577, 0.3259532153606415)]),
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 25, []),  # evaluate(x_train, …)
    ("udacity_mnist_mlp_dropout_keras2_tfbackend", 16, [("print", 0.1278, None)]),  # untrained model
    ("udacity_mnist_mlp_dropout_keras2_tfbackend", 22, [("print", 0.9786, None)]),
    ("udacity_mnist_mlp_dropout_keras2_tfbackend", 23, [("print", 0.9786, None)]),  # not "Training Accuracy"
    ("keras2_mnist_cnn_typeerror", 14, [("progress", None, None), ("value", 0.97860000000000003, 0.080410611777656599)]),
    ("keras3_coursera_c1w2_fashion_mnist_lab", 19, [("progress", 0.8211, 0.5035),
                                                    ("value", 0.815500020980835, 0.5107367038726807)]),
    ("keras3_coursera_c1w2_fashion_mnist_lab", 31, [("progress", 0.8599, 0.3934)]),
    ("tf215_colab_mnist_cnn_student_null_exec_counts", 4, [("progress", 0.9802, 0.1031),
                                                           ("value", 0.9801999926567078, None)]),
    ("keras3_mnist_nn_demo_typeerror", 27, [("progress", 0.9763, 0.0740), ("print", None, 0.0740),
                                            ("print", 0.9763, None)]),
    ("keras2_colab_mnist_mlp_student_history", 15, [("progress", 0.9672, 0.0064),
                                                    ("print", 0.967199981212616, None)]),
    ("fashion_mnist_keras2_cpu_exec_counts_from_201", 82, [("print", 0.8805000185966492, None)]),
    ("fashion_mnist_keras2_cpu_exec_counts_from_201", 50, []),  # "Accuracy for the Fold 1 is …"
    # evaluate(x_train, …) printed as "Test accuracy: 0.11236666887998581": a mislabelled training result
    ("keras2_mnist_cnn_failed_training_out_of_order", 11, []),
    ("keras2_mnist_cnn_failed_training_out_of_order", 12, [("print", None, 2.3010787963867188),
                                                           ("print", 0.11349999904632568, None)]),
]


@pytest.mark.parametrize("name,index,expected", REAL_EVALUATIONS,
                         ids=[f"{n}-{i}" for n, i, _ in REAL_EVALUATIONS])
def test_real_evaluations(name, index, expected):
    assert real(name, index) == expected


def test_real_analysis_notebook_skips_the_correlation_line():
    evs = real("keras3_mnist_mlp_dropout_analysis_tf_xla_logs", 17)
    assert len(evs) == 16  # 15 "Test Accuracy: …" + "Best test accuracy: 98.29%"; not "… vs Test Accuracy: 0.731"
    assert evs[-1] == ("print", pytest.approx(0.9829), None)
    assert all(e[1] != 0.731 for e in evs)


def test_real_texts_are_the_lines_shown():
    cell = _notebook("korean_cpu_windows_fashion_mnist_gpu_check_out_of_order").cells[1]
    texts = [e.text for e in parse_evaluations(cell.text, cell.source)]
    assert texts == ["313/313 - 1s - loss: 0.3755 - accuracy: 0.8669 - 545ms/epoch - 2ms/step",
                     "테스트 정확도: 0.8669000267982483"]
