"""Tests of ``autograder.outputs.fitlog``: fit logs of every Keras generation and printed histories.

Synthetic texts are literal lines from ../shared/docs/FORMATS.md and the corpus; the corpus expectations
were read from the raw notebook JSON by hand (ANSI stripped), never from these parsers.
"""
from __future__ import annotations

import math
import time
from functools import cache
from pathlib import Path

import pytest
from conftest import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.read.notebook import load_notebook
from autograder.read.outputs.evaluate import parse_evaluations
from autograder.read.outputs.fitlog import parse_fits, parse_histories, scan_records
from autograder.read.text import clean

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"
BAR = "[==============================]"
K3 = "━━━━━━━━━━━━━━━━━━━━"


def one(text: str):
    fits = parse_fits(text)
    assert len(fits) == 1, fits
    return fits[0]


# ---------------------------------------------------------------- one generation each

def test_keras03_theano_per_sample_without_step_time():
    text = (
        "Train on 60000 samples, validate on 10000 samples\n"
        "Epoch 1/4\n"
        f"60000/60000 {BAR} - 10s - loss: 0.2521 - acc: 0.9245 - val_loss: 0.1131 - val_acc: 0.9651\n"
        "Epoch 2/4\n"
        f"60000/60000 {BAR} - 10s - loss: 0.1016 - acc: 0.9687 - val_loss: 0.0827 - val_acc: 0.9746\n"
        "Epoch 3/4\n"
        f"60000/60000 {BAR} - 11s - loss: 0.0711 - acc: 0.9779 - val_loss: 0.0668 - val_acc: 0.9791\n"
        "Epoch 4/4\n"
        f"60000/60000 {BAR} - 11s - loss: 0.0557 - acc: 0.9816 - val_loss: 0.0642 - val_acc: 0.9805\n"
        "<keras.callbacks.History at 0x12655bbe0>"
    )
    fit = one(text)
    assert fit.epochs_run == 4 and fit.epochs_total == 4
    assert fit.metrics == ("loss", "acc", "val_loss", "val_acc")
    assert fit.last == {"loss": 0.0557, "acc": 0.9816, "val_loss": 0.0642, "val_acc": 0.9805}
    assert fit.series("val_acc") == [0.9651, 0.9746, 0.9791, 0.9805]
    assert (fit.steps, fit.step_unit, fit.seconds_per_step, fit.style) == (60000, "sample", None, "keras1")
    assert fit.cell is None and fit.epochs_arg is None


def test_keras20_per_sample_counter_is_sample_even_without_train_on_line():
    text = (
        "Epoch 1/30\n"
        f"54000/54000 {BAR} - 7s - loss: 0.2171 - acc: 0.9360 - val_loss: 0.1038 - val_acc: 0.9688\n"
        "Epoch 2/30\n"
        f"54000/54000 {BAR} - 7s - loss: 0.0871 - acc: 0.9736 - val_loss: 0.0773 - val_acc: 0.9765\n"
    )
    fit = one(text)
    assert (fit.epochs_run, fit.epochs_total) == (2, 30)
    assert fit.last == {"loss": 0.0871, "acc": 0.9736, "val_loss": 0.0773, "val_acc": 0.9765}
    assert (fit.steps, fit.step_unit, fit.seconds_per_step, fit.style) == (54000, "sample", None, "keras1")


def test_keras22_tf1_microseconds_per_sample_after_deprecation_text_and_download():
    text = (
        "Downloading data from https://s3.amazonaws.com/img-datasets/mnist.npz\n"
        f"11493376/11490434 {BAR} - 0s 0us/step\n"
        "Instructions for updating:\n"
        "Use tf.cast instead.\n"
        "Train on 60000 samples, validate on 10500 samples\n"
        "Epoch 1/10\n"
        f"60000/60000 {BAR} - 10s 164us/step - loss: 0.2291 - acc: 0.9304 - val_loss: 0.0549 - val_acc: 0.9837\n"
        "Epoch 2/10\n"
        f"60000/60000 {BAR} - 4s 70us/step - loss: 0.0814 - acc: 0.9760 - val_loss: 0.0348 - val_acc: 0.9891\n"
    )
    fit = one(text)
    assert (fit.epochs_run, fit.epochs_total, fit.steps) == (2, 10, 60000)
    assert fit.epochs[0] == {"loss": 0.2291, "acc": 0.9304, "val_loss": 0.0549, "val_acc": 0.9837}
    assert (fit.step_unit, fit.style) == ("sample", "keras2")
    assert fit.seconds_per_step == pytest.approx(70e-6)


def test_tf_keras_1x_verbose2_lines_count_samples():
    text = (
        "Train on 60000 samples\n"
        "Epoch 1/30\n"
        "60000/60000 - 1s - loss: 1.1503 - acc: 0.7103\n"
        "Epoch 2/30\n"
        "60000/60000 - 1s - loss: 0.4507 - acc: 0.8781\n"
        "test_loss: 0.129, test_acc: 0.962"
    )
    fit = one(text)
    assert (fit.epochs_run, fit.epochs_total) == (2, 30)
    assert fit.last == {"loss": 0.4507, "acc": 0.8781}
    assert (fit.steps, fit.step_unit, fit.seconds_per_step, fit.style) == (60000, "sample", None, "keras1")


def test_tf_keras_2x_batch_counter():
    text = (
        "Epoch 1/10\n"
        f"469/469 {BAR} - 2s 4ms/step - loss: 0.2575 - accuracy: 0.9217 - val_loss: 0.1098 - val_accuracy: 0.9652\n"
    )
    fit = one(text)
    assert fit.last == {"loss": 0.2575, "accuracy": 0.9217, "val_loss": 0.1098, "val_accuracy": 0.9652}
    assert (fit.epochs_run, fit.epochs_total, fit.steps, fit.step_unit, fit.style) == (1, 10, 469, "step", "keras2")
    assert fit.seconds_per_step == pytest.approx(0.004)


def test_tf_keras_2x_verbose2_without_step_time_counts_steps():
    text = "Epoch 1/5\n1875/1875 - 2s - loss: 0.4977 - accuracy: 0.8249\n"
    fit = one(text)
    assert (fit.steps, fit.step_unit, fit.seconds_per_step, fit.style) == (1875, "step", None, "keras2")


def test_tf_keras_2x_verbose2_with_epoch_and_step_times():
    text = "Epoch 1/5\n1875/1875 - 3s - loss: 0.4920 - accuracy: 0.8243 - 3s/epoch - 2ms/step\n"
    fit = one(text)
    assert fit.last == {"loss": 0.4920, "accuracy": 0.8243}
    assert (fit.step_unit, fit.style) == ("step", "keras2")
    assert fit.seconds_per_step == pytest.approx(0.002)


def test_keras3_interactive_bar_with_ansi_codes():
    raw = (
        "Epoch 1/10\n"
        "\x1b[1m422/422\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m19s\x1b[0m 35ms/step"
        " - accuracy: 0.8253 - loss: 0.6450 - val_accuracy: 0.9583 - val_loss: 0.1682\n"
    )
    fit = one(clean(raw))
    assert fit.metrics == ("accuracy", "loss", "val_accuracy", "val_loss")
    assert fit.last == {"accuracy": 0.8253, "loss": 0.6450, "val_accuracy": 0.9583, "val_loss": 0.1682}
    assert (fit.steps, fit.step_unit, fit.style) == (422, "step", "keras3")
    assert fit.seconds_per_step == pytest.approx(0.035)


def test_keras3_verbose2_line():
    text = (
        "Epoch 1/50\n"
        "200/200 - 3s - 15ms/step - accuracy: 0.3110 - loss: 1.9638 - val_accuracy: 0.4523 - val_loss: 1.5871\n"
        "Epoch 2/50\n"
        "200/200 - 2s - 8ms/step - accuracy: 0.4571 - loss: 1.5776 - val_accuracy: 0.5764 - val_loss: 1.2922\n"
    )
    fit = one(text)
    assert (fit.epochs_run, fit.epochs_total, fit.steps, fit.step_unit, fit.style) == (2, 50, 200, "step", "keras3")
    assert fit.last == {"accuracy": 0.4571, "loss": 1.5776, "val_accuracy": 0.5764, "val_loss": 1.2922}
    assert fit.seconds_per_step == pytest.approx(0.008)


def test_keras3_microseconds_per_step_is_still_steps():
    text = f"Epoch 10/10\n422/422 {K3} 0s 888us/step - accuracy: 0.9732 - loss: 0.0929\n"
    fit = one(text)
    assert (fit.step_unit, fit.style) == ("step", "keras3")
    assert fit.seconds_per_step == pytest.approx(888e-6)


def test_seconds_per_whole_step_on_cpu():
    fit = one(f"Epoch 1/30\n98/98 {BAR} - 567s 6s/step - loss: 1.6 - accuracy: 0.4\n")
    assert fit.seconds_per_step == 6.0 and fit.steps == 98


def test_keras21_raw_carriage_returns_and_backspaces():
    raw = (
        "Train on 60000 samples, validate on 10000 samples\n"
        "Epoch 1/20\n"
        "\r  128/60000 [..............................] - ETA: 1:20 - loss: 2.4539 - acc: 0.0938" + "\x08" * 81
        + "\r  640/60000 [..............................] - ETA: 20s - loss: 2.2 - acc: 0.2" + "\x08" * 70
        + "\r60000/60000 [==============================] - 7s 110us/step - loss: 1.9462 - acc: 0.5597"
        " - val_loss: 1.6087 - val_acc: 0.7466\nEpoch 2/20\n"
        "\r  128/60000 [..............................] - ETA: 7s - loss: 1.4 - acc: 0.7"
        + "\r60000/60000 [==============================] - 6s 108us/step - loss: 1.3772 - acc: 0.7665"
        " - val_loss: 1.1518 - val_acc: 0.8036\n"
    )
    fit = one(clean(raw))
    assert fit.epochs == ({"loss": 1.9462, "acc": 0.5597, "val_loss": 1.6087, "val_acc": 0.7466},
                          {"loss": 1.3772, "acc": 0.7665, "val_loss": 1.1518, "val_acc": 0.8036})
    assert (fit.step_unit, fit.style) == ("sample", "keras2")


def test_callback_message_glued_onto_the_progress_line():
    text = (
        "Train on 48000 samples, validate on 12000 samples\n"
        "Epoch 1/10\n"
        "47488/48000 [============================>.] - ETA: 0s - loss: 0.2767 - acc: 0.9144"
        "Epoch 00000: val_loss improved from inf to 0.12205, saving model to mnist.model.best.hdf5\n"
        f"48000/48000 {BAR} - 5s - loss: 0.2755 - acc: 0.9146 - val_loss: 0.1221 - val_acc: 0.9637\n"
        "Epoch 2/10\n"
        "47744/48000 [============================>.] - ETA: 0s - loss: 0.1124 - acc: 0.9664"
        "Epoch 00001: val_loss improved from 0.12205 to 0.10059, saving model to mnist.model.best.hdf5\n"
        f"48000/48000 {BAR} - 6s - loss: 0.1125 - acc: 0.9664 - val_loss: 0.1006 - val_acc: 0.9703\n"
    )
    fit = one(text)
    assert fit.epochs_run == 2
    assert fit.last == {"loss": 0.1125, "acc": 0.9664, "val_loss": 0.1006, "val_acc": 0.9703}
    assert (fit.steps, fit.step_unit, fit.style) == (48000, "sample", "keras1")


def test_partial_bar_before_the_final_is_replaced():
    text = (
        "Epoch 3/10\n"
        f"1863/1875 {K3} 0s 7ms/step - accuracy: 0.9850 - loss: 0.0514\n"
        "Reached 98% accuracy so cancelling training!\n"
        f"1875/1875 {K3} 14s 7ms/step - accuracy: 0.9850 - loss: 0.0515\n"
    )
    assert one(text).last == {"accuracy": 0.9850, "loss": 0.0515}


def test_partial_final_bar_stopped_by_a_callback_counts():
    text = (
        "Epoch 1/10\n"
        f"1875/1875 {K3} 15s 8ms/step - accuracy: 0.9004 - loss: 0.3395\n"
        "Epoch 2/10\n"
        f"1863/1875 {K3} 0s 7ms/step - accuracy: 0.9850 - loss: 0.0514\n"
        "Reached 98% accuracy so cancelling training!\n"
    )
    fit = one(text)
    assert (fit.epochs_run, fit.epochs_total) == (2, 10)
    assert fit.last == {"accuracy": 0.9850, "loss": 0.0514}
    assert fit.steps == 1875


def test_early_stopping_leaves_fewer_epochs_than_asked():
    text = (
        "Epoch 29/40\n"
        "200/200 - 15s - 74ms/step - accuracy: 0.9738 - loss: 0.0814 - val_accuracy: 0.9653 - val_loss: 0.1501\n"
        "Epoch 30/40\n"
        "200/200 - 15s - 73ms/step - accuracy: 0.9753 - loss: 0.0776 - val_accuracy: 0.9683 - val_loss: 0.1356\n"
        "Epoch 30: early stopping\n"
        "Restoring model weights from the end of the best epoch: 24.\n"
        "CNN Test accuracy: 0.9737"
    )
    fit = one(text)
    assert (fit.epochs_run, fit.epochs_total) == (2, 40)
    assert fit.last["val_loss"] == 0.1356


def test_keyboard_interrupt_after_a_header():
    text = (
        "Epoch 13/40\n"
        "200/200 - 117s - 585ms/step - accuracy: 0.9833 - loss: 0.0565 - val_accuracy: 0.9504 - val_loss: 0.1667\n"
        "Epoch 14/40\n"
        "KeyboardInterrupt: "
    )
    fit = one(text)
    assert (fit.epochs_run, fit.epochs_total) == (1, 40)
    assert fit.last["accuracy"] == 0.9833
    assert fit.seconds_per_step == pytest.approx(0.585)


def test_keyboard_interrupt_inside_an_epoch_drops_the_unfinished_epoch():
    text = (
        "Epoch 1/5\n"
        f"1875/1875 {K3} 10s 5ms/step - accuracy: 0.8776 - loss: 0.4325\n"
        "Epoch 2/5\n"
        f" 912/1875 {K3} 4s 5ms/step - accuracy: 0.9600 - loss: 0.1300\n"
        "KeyboardInterrupt: "
    )
    fit = one(text)
    assert fit.epochs == ({"accuracy": 0.8776, "loss": 0.4325},)


def test_interrupted_in_the_first_epoch_is_no_fit():
    text = f"Epoch 1/5\n 12/1875 {K3} 4s 5ms/step - accuracy: 0.5 - loss: 1.3\nKeyboardInterrupt: "
    assert parse_fits(text) == []
    assert parse_fits("Epoch 1/5\nKeyboardInterrupt: ") == []


def test_dataset_downloads_are_not_training():
    keras3 = ("Downloading data from https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz\n"
              f"170498071/170498071 {K3} 6s 0us/step\n")
    keras2 = ("Downloading data from https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz\n"
              f"11490434/11490434 {BAR} - 0s 0us/step\n")
    assert parse_fits(keras3) == [] and parse_fits(keras2) == []
    assert parse_fits(f"170500096/170498071 {BAR} - 3s 0us/step\n") == []
    records = scan_records(keras3 + keras2)
    assert [r.in_fit for r in records] == [False, False]
    assert all(r.after_download for r in records)


def test_evaluate_after_the_last_epoch_is_not_an_epoch():
    text = (
        "Epoch 5/5\n"
        f"1875/1875 {BAR} - 3s 2ms/step - loss: 0.2921 - accuracy: 0.8920\n"
        "313/313 - 1s - loss: 0.3755 - accuracy: 0.8669 - 545ms/epoch - 2ms/step\n"
        "\n"
        "테스트 정확도: 0.8669000267982483"
    )
    fit = one(text)
    assert fit.last == {"loss": 0.2921, "accuracy": 0.8920}
    assert (fit.steps, fit.style) == (1875, "keras2")
    loose = [r for r in scan_records(text) if not r.in_fit]
    assert [r.text for r in loose] == ["313/313 - 1s - loss: 0.3755 - accuracy: 0.8669 - 545ms/epoch - 2ms/step"]


def test_evaluate_on_training_data_with_the_same_total_is_not_an_epoch():
    text = (
        "Epoch 1/1\n"
        f"1875/1875 {BAR} - 3s 2ms/step - loss: 0.4920 - accuracy: 0.8243\n"
        f"1875/1875 {BAR} - 2s 1ms/step - loss: 0.3100 - accuracy: 0.8900\n"
    )
    assert one(text).last == {"loss": 0.4920, "accuracy": 0.8243}


def test_predict_bar_is_not_an_epoch():
    text = f"Epoch 1/1\n469/469 {BAR} - 2s 4ms/step - loss: 0.2575 - accuracy: 0.9217\n313/313 {K3} 1s 2ms/step\n"
    assert one(text).epochs_run == 1


def test_header_far_from_its_bar():
    text = (
        "Epoch 1/10\n"
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1769177072.559118   28486 service.cc:154]   StreamExecutor device (0): NVIDIA RTX A5000\n"
        "\n"
        f"422/422 {K3} 4s 4ms/step - accuracy: 0.7384 - loss: 0.9438 - val_accuracy: 0.9420 - val_loss: 0.2117\n"
    )
    assert one(text).last == {"accuracy": 0.7384, "loss": 0.9438, "val_accuracy": 0.9420, "val_loss": 0.2117}


def test_keras3_records_glued_without_newlines():
    # Cell.text of keras3_digit_classification_local_gpu_tf_logs (stdout joined across stderr outputs)
    text = (
        "Epoch 1/10\n"
        f"171/422 {K3} 0s 888us/step - accuracy: 0.6064 - loss: 1.3850409/422 {K3} 0s 865us/step"
        f" - accuracy: 0.7343 - loss: 0.9581422/422 {K3} 0s 2ms/step - accuracy: 0.7381 - loss: 0.9448  422/422"
        f" {K3} 4s 4ms/step - accuracy: 0.7384 - loss: 0.9438 - val_accuracy: 0.9420 - val_loss: 0.2117\n"
        "Epoch 2/10\n"
        f" 59/422 {K3} 0s 871us/step - accuracy: 0.9309 - loss: 0.2532422/422 {K3} 0s 1ms/step"
        " - accuracy: 0.9308 - loss: 0.2436 - val_accuracy: 0.9515 - val_loss: 0.1677\n"
    )
    fit = one(text)
    assert fit.epochs == (
        {"accuracy": 0.7384, "loss": 0.9438, "val_accuracy": 0.9420, "val_loss": 0.2117},
        {"accuracy": 0.9308, "loss": 0.2436, "val_accuracy": 0.9515, "val_loss": 0.1677},
    )
    records = scan_records(text)
    assert [(r.done, r.total) for r in records] == [(171, 422), (409, 422), (422, 422), (422, 422), (59, 422), (422, 422)]
    assert records[0].metrics == {"accuracy": 0.6064, "loss": 1.3850}
    assert fit.seconds_per_step == pytest.approx(0.001)


def test_keras3_final_again_with_validation_on_its_own_line():
    text = (
        "Epoch 1/2\n"
        f"422/422 {K3} 0s 2ms/step - accuracy: 0.7381 - loss: 0.9448\n"
        f"422/422 {K3} 4s 4ms/step - accuracy: 0.7384 - loss: 0.9438 - val_accuracy: 0.9420 - val_loss: 0.2117\n"
    )
    fit = one(text)
    assert fit.last["val_accuracy"] == 0.9420
    assert all(r.in_fit for r in scan_records(text))


def test_overwritten_residue_after_a_shorter_final_bar():
    # fashion_mnist_keras2_cpu_exec_counts_from_201, as the frontend saved the collapsed \r lines
    text = (
        "Epoch 1/10\n"
        f"48000/48000 {BAR} - 7s 144us/step - loss: 0.5389 - accuracy: 0.81240s - loss: 0.5457 - ac\n"
        "Epoch 2/10\n"
        f"48000/48000 {BAR} - ETA: 0s - loss: 0.2583 - accuracy: 0.90 - 6s 131us/step - loss: 0.2582 - accuracy: 0.9035\n"
        "Epoch 3/10\n"
        f"48000/48000 {BAR} - 4s 92us/step - loss: 0.4463 - accuracy: 0.8449 0s\n"
        "Epoch 4/10\n"
        f"48000/48000 {BAR} - 7s 139us/step - loss: 0.2674 - accuracy: 0.90001s - loss: 0.2664 - accura - ETA: 0s\n"
    )
    fit = one(text)
    assert fit.epochs == ({"loss": 0.5389, "accuracy": 0.8124}, {"loss": 0.2582, "accuracy": 0.9035},
                          {"loss": 0.4463, "accuracy": 0.8449}, {"loss": 0.2674, "accuracy": 0.9000})
    assert (fit.steps, fit.step_unit, fit.style) == (48000, "sample", "keras2")  # µs per step, 48000 samples
    assert fit.seconds_per_step == pytest.approx(139e-6)


def test_training_loop_gives_one_fit_per_run():
    run = (
        "🚀 Training {n}-layer network...\n"
        "Epoch 1/15\n"
        f"422/422 {K3} 22s 41ms/step - accuracy: 0.8098 - loss: 0.6652 - val_accuracy: 0.9548 - val_loss: 0.1542\n"
        "Epoch 2/15\n"
        f"422/422 {K3} 17s 33ms/step - accuracy: 0.9515 - loss: 0.1635 - val_accuracy: 0.9673 - val_loss: 0.1098\n"
        "   Test Accuracy: 0.9785 (97.85%)\n"
    )
    fits = parse_fits(run.format(n=2) + run.format(n=4) + run.format(n=6))
    assert [(f.epochs_run, f.epochs_total) for f in fits] == [(2, 15)] * 3


def test_new_total_starts_a_new_run():
    text = (
        f"Epoch 1/2\n469/469 {BAR} - 2s 4ms/step - loss: 0.3 - accuracy: 0.9\n"
        f"Epoch 2/2\n469/469 {BAR} - 2s 4ms/step - loss: 0.2 - accuracy: 0.95\n"
        f"Epoch 3/5\n469/469 {BAR} - 2s 4ms/step - loss: 0.1 - accuracy: 0.97\n"
    )
    fits = parse_fits(text)
    assert [(f.epochs_run, f.epochs_total) for f in fits] == [(2, 2), (1, 5)]


def test_keras2_standalone_verbose2_lines_without_counter():
    text = (
        "Train on 60000 samples, validate on 10000 samples\n"
        "Epoch 1/12\n"
        " - 12s - loss: 0.2634 - acc: 0.9185 - val_loss: 0.0580 - val_acc: 0.9812\n"
        "Epoch 2/12\n"
        " - 10s - loss: 0.0880 - acc: 0.9738 - val_loss: 0.0398 - val_acc: 0.9866\n"
    )
    fit = one(text)
    assert fit.last == {"loss": 0.0880, "acc": 0.9738, "val_loss": 0.0398, "val_acc": 0.9866}
    assert (fit.steps, fit.step_unit, fit.style) == (None, None, "keras1")


def test_unknown_total_in_the_first_epoch_and_per_sample_unit():
    text = (
        "Epoch 1/2\n"
        "    469/Unknown - 3s 5ms/step - loss: 0.3000 - accuracy: 0.9100\n"
        "Epoch 2/2\n"
        f"469/469 {BAR} - 2s 4ms/step - loss: 0.2000 - accuracy: 0.9400\n"
    )
    fit = one(text)
    assert fit.epochs[0] == {"loss": 0.3, "accuracy": 0.91} and fit.steps == 469
    sample = one(f"Epoch 1/1\n60000/60000 {BAR} - 2s 35us/sample - loss: 0.2000 - accuracy: 0.9400\n")
    assert (sample.step_unit, sample.style) == ("sample", "keras2")
    assert sample.seconds_per_step == pytest.approx(35e-6)


def test_metric_values_in_exponent_form_and_other_names():
    text = (
        "Epoch 1/1\n"
        f"469/469 {BAR} - 2s 4ms/step - loss: 1.2345e-04 - sparse_categorical_accuracy: 1.0000 - lr: 1.0000e-03\n"
    )
    assert one(text).last == {"loss": 1.2345e-04, "sparse_categorical_accuracy": 1.0, "lr": 1.0e-03}
    nan = one(f"Epoch 1/1\n469/469 {BAR} - 2s 4ms/step - loss: nan - accuracy: 0.0987\n")
    assert math.isnan(nan.last["loss"]) and nan.last["accuracy"] == 0.0987


def test_tfdocs_epoch_dots_are_not_a_keras_log():
    text = (
        "\n"
        "Epoch: 0, accuracy:0.4916,  binary_crossentropy:0.8806,  loss:0.8806,  val_accuracy:0.4800,  "
        "val_binary_crossentropy:0.8507,  val_loss:0.8507,  \n"
        "....................................................................................................\n"
        "Epoch: 100, accuracy:0.5985,  binary_crossentropy:0.6274,  loss:0.6274,  val_accuracy:0.5820,  \n"
    )
    assert parse_fits(text) == []


def test_text_without_any_log():
    assert parse_fits("") == []
    assert parse_fits("Test accuracy: 0.9815000295639038") == []
    assert parse_fits("100%|██████████| 5000/5000 [02:02<00:00, 40.94it/s]\nEpoch 1/10: done") == []


# ---------------------------------------------------------------- history.history

def test_history_dict():
    text = "{'loss': [0.5, 0.4], 'accuracy': [0.8, 0.9], 'val_loss': [0.45, 0.42], 'val_accuracy': [0.85, 0.88]}"
    (h,) = parse_histories(text)
    assert h.keys == ("loss", "accuracy", "val_loss", "val_accuracy")
    assert h.values == {"loss": (0.5, 0.4), "accuracy": (0.8, 0.9), "val_loss": (0.45, 0.42),
                        "val_accuracy": (0.85, 0.88)}
    assert h.epochs == 2 and h.cell is None


def test_history_numpy2_wrappers_nan_inf_and_old_float_repr():
    text = ("{'accuracy': [np.float64(0.8), np.float32(0.9)], 'loss': [nan, inf], "
            "'val_loss': [-inf, 0.080410611777656599]}")
    (h,) = parse_histories(text)
    assert h.values["accuracy"] == (0.8, 0.9)
    assert math.isnan(h.values["loss"][0]) and h.values["loss"][1] == math.inf
    assert h.values["val_loss"] == (-math.inf, 0.080410611777656599)


def test_history_pretty_printed_over_many_lines_inside_other_output():
    text = (
        "<keras.src.callbacks.history.History at 0x7fe8d8a20c50>\n"
        "{'acc': [0.9245,\n"
        "  0.9687],\n"
        " 'loss': [0.2521,\n"
        "  0.1016],\n"
        " 'val_acc': [0.9651, 0.9746],\n"
        " 'val_loss': [0.1131, 0.0827]}\n"
        "Test accuracy: 0.9805"
    )
    (h,) = parse_histories(text)
    assert h.keys == ("acc", "loss", "val_acc", "val_loss") and h.epochs == 2


def test_history_dict_keys():
    (h,) = parse_histories("dict_keys(['loss', 'accuracy', 'val_loss', 'val_accuracy'])")
    assert h.keys == ("loss", "accuracy", "val_loss", "val_accuracy") and h.values is None and h.epochs is None


def test_histories_in_order_of_appearance():
    text = "dict_keys(['loss', 'acc'])\n{'loss': [0.3], 'acc': [0.9]}\ndict_keys(['loss'])"
    hs = parse_histories(text)
    assert [(h.keys, h.values is None) for h in hs] == [(("loss", "acc"), True), (("loss", "acc"), False),
                                                       (("loss",), True)]


@pytest.mark.parametrize("text", [
    "{'a': [1, 2], 'b': [3]}",  # no Keras metric name
    "Class weights: {0: 1.012909632571996, 1: 0.889897051125458}",
    "{'name': 'sequential', 'layers': []}",
    "{'loss': 'categorical_crossentropy', 'metrics': ['accuracy']}",
    "{'loss': [0.1, 'x']}",
    "{'loss': [0.1, [0.2]]}",
    "{'loss': [0.1, 0.2",  # cut short
    "{'loss': [0.1, 0.2)}",
    "{'loss': [True, False]}",
    "dict_keys(['a', 'b'])",
    "dict_keys([1, 2])",
    "dict_keys(['loss'",
    "OrderedDict([('is_cuda_build', False),\n             ('is_rocm_build', False)])",
    "",
])
def test_not_a_history(text):
    assert parse_histories(text) == []


def test_huge_or_deep_dicts_do_not_raise():
    big = "{'loss': [" + ", ".join(["0.1"] * 20000) + "]}"
    (h,) = parse_histories(big)
    assert len(h.values["loss"]) == 20000
    assert parse_histories("{'loss': [" + "[" * 5000 + "]" * 5000 + "]}") == []
    assert parse_histories("{'loss': [" + "0.1, " * 300000 + "0.1]}") == []  # longer than the size guard


# ---------------------------------------------------------------- the real corpus

@cache
def _notebook(name: str):
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/real is not beside the repository")
    return load_notebook(CORPUS / f"{name}.ipynb")


def cell_text(name: str, index: int) -> str:
    return _notebook(name).cells[index].text


# (file, cell, [(epochs_run, epochs_total, steps, step_unit, style, last epoch)]) read from the raw JSON
REAL_FITS = [
    ("keras_theano_2016_mnist_mlp_tutorial", 18, [
        (4, 4, 60000, "sample", "keras1", {"loss": 0.0557, "acc": 0.9816, "val_loss": 0.0642, "val_acc": 0.9805})]),
    ("jp_mnist_mlp_keras2_summary_history", 12, [
        (30, 30, 54000, "sample", "keras1", {"loss": 0.0063, "acc": 0.9982, "val_loss": 0.1056, "val_acc": 0.9845})]),
    ("jp_keras_mnist_verbose_progress_history", 2, [
        (20, 20, 60000, "sample", "keras2", {"loss": 0.3780, "acc": 0.8950, "val_loss": 0.3583, "val_acc": 0.9006})]),
    ("jp_colab_gpu_mnist_cnn_odd_exec_counts", 2, [
        (10, 10, 60000, "sample", "keras2", {"loss": 0.0469, "acc": 0.9870, "val_loss": 0.0231, "val_acc": 0.9948})]),
    ("jp_colab_gpu_mnist_cnn_odd_exec_counts", 0, []),  # the dataset download bar
    ("jp_mnist_mlp_train_on_samples_format", 0, [
        (30, 30, 60000, "sample", "keras1", {"loss": 0.1195, "acc": 0.9661})]),
    ("colab_gpu_mnist_mlp_dropout_keras2", 5, [
        (10, 10, 469, "step", "keras2",
         {"loss": 0.0328, "accuracy": 0.9898, "val_loss": 0.0727, "val_accuracy": 0.9815})]),
    ("colab_gpu_mnist_mlp_dropout_keras2", 1, []),
    ("keras3_mnist_mlp_dropout_analysis_tf_xla_logs", 5, [
        (10, 10, 422, "step", "keras3",
         {"accuracy": 0.9911, "loss": 0.0347, "val_accuracy": 0.9778, "val_loss": 0.0727})]),
    ("keras3_mnist_mlp_dropout_analysis_tf_xla_logs", 8, [
        (13, 15, 422, "step", "keras3", {"accuracy": 0.9965, "loss": 0.0139, "val_accuracy": 0.9770, "val_loss": 0.0935}),
        (7, 15, 422, "step", "keras3", {"accuracy": 0.9881, "loss": 0.0379, "val_accuracy": 0.9770, "val_loss": 0.0938}),
        (10, 15, 422, "step", "keras3", {"accuracy": 0.9713, "loss": 0.1060, "val_accuracy": 0.9762, "val_loss": 0.0855}),
        (14, 15, 422, "step", "keras3", {"accuracy": 0.9724, "loss": 0.1080, "val_accuracy": 0.9767, "val_loss": 0.0960}),
        (15, 15, 422, "step", "keras3", {"accuracy": 0.9664, "loss": 0.1435, "val_accuracy": 0.9760, "val_loss": 0.1016}),
    ]),
    ("keras3_mnist_mlp_dropout_analysis_tf_xla_logs", 11, [
        (12, 12, 422, "step", "keras3", {"accuracy": 0.9815, "loss": 0.0628, "val_accuracy": 0.9753, "val_loss": 0.0914}),
        (12, 12, 422, "step", "keras3", {"accuracy": 0.9920, "loss": 0.0295, "val_accuracy": 0.9772, "val_loss": 0.0748}),
        (12, 12, 422, "step", "keras3", {"accuracy": 0.9964, "loss": 0.0181, "val_accuracy": 0.9807, "val_loss": 0.0728}),
        (12, 12, 422, "step", "keras3", {"accuracy": 0.9971, "loss": 0.0144, "val_accuracy": 0.9787, "val_loss": 0.0751}),
    ]),
    ("keras3_digit_classification_local_gpu_tf_logs", 13, [
        (10, 10, 422, "step", "keras3", {"accuracy": 0.9732, "loss": 0.0929, "val_accuracy": 0.9685, "val_loss": 0.1029})]),
    ("keras3_digit_classification_local_gpu_tf_logs", 19, [
        (10, 10, 422, "step", "keras3", {"accuracy": 0.9827, "loss": 0.0533, "val_accuracy": 0.9898, "val_loss": 0.0365})]),
    ("keras3_coursera_c1w2_mnist_callbacks_assignment", 21, [
        (3, 10, 1875, "step", "keras3", {"accuracy": 0.9850, "loss": 0.0515})]),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 27, [
        (50, 50, 200, "step", "keras3", {"accuracy": 0.7945, "loss": 0.6335, "val_accuracy": 0.8418, "val_loss": 0.5137})]),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 30, [
        (30, 40, 200, "step", "keras3", {"accuracy": 0.9753, "loss": 0.0776, "val_accuracy": 0.9683, "val_loss": 0.1356})]),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 43, [
        (13, 40, 200, "step", "keras3", {"accuracy": 0.9833, "loss": 0.0565, "val_accuracy": 0.9504, "val_loss": 0.1667})]),
    ("korean_cpu_windows_fashion_mnist_gpu_check_out_of_order", 1, [
        (5, 5, 1875, "step", "keras2", {"loss": 0.2921, "accuracy": 0.8920})]),
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 14, [
        (100, 100, 391, "step", "keras2",
         {"loss": 0.0133, "accuracy": 0.9956, "val_loss": 1.3711, "val_accuracy": 0.8147})]),
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 21, [
        (200, 200, 390, "step", "keras2",
         {"loss": 0.2452, "accuracy": 0.9142, "val_loss": 0.3260, "val_accuracy": 0.8986})]),
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 24, []),  # evaluate bar 79/79
    ("udacity_mnist_mlp_dropout_keras2_tfbackend", 18, [
        (10, 10, 48000, "sample", "keras1", {"loss": 0.0261, "acc": 0.9924, "val_loss": 0.1101, "val_acc": 0.9797})]),
    ("fashion_mnist_keras2_cpu_exec_counts_from_201", 50, [
        (10, 10, 48000, "sample", "keras2", {"loss": 0.2377, "accuracy": 0.9110}),
        (10, 10, 48000, "sample", "keras2", {"loss": 0.2326, "accuracy": 0.9112}),
        (10, 10, 48000, "sample", "keras2", {"loss": 0.2391, "accuracy": 0.9092}),
        (10, 10, 48000, "sample", "keras2", {"loss": 0.2323, "accuracy": 0.9137}),  # "accuracy: 0.91370s - loss:…"
        (10, 10, 48000, "sample", "keras2", {"loss": 0.2380, "accuracy": 0.9116}),
    ]),
]


@pytest.mark.parametrize("name,index,expected", REAL_FITS, ids=[f"{n}-{i}" for n, i, _ in REAL_FITS])
def test_real_fits(name, index, expected):
    fits = parse_fits(cell_text(name, index))
    got = [(f.epochs_run, f.epochs_total, f.steps, f.step_unit, f.style, f.last) for f in fits]
    assert got == expected
    assert [f.metrics for f in fits] == [tuple(last) for *_, last in expected]  # names in printed order


def test_real_epoch_details():
    digits = parse_fits(cell_text("keras3_digit_classification_local_gpu_tf_logs", 13))[0]
    assert digits.epochs[0] == {"accuracy": 0.7384, "loss": 0.9438, "val_accuracy": 0.9420, "val_loss": 0.2117}
    assert digits.seconds_per_step == pytest.approx(996e-6)
    cnn = parse_fits(cell_text("keras3_digit_classification_local_gpu_tf_logs", 19))[0]
    assert cnn.epochs[0] == {"accuracy": 0.7282, "loss": 0.8906, "val_accuracy": 0.9717, "val_loss": 0.1040}
    theano = parse_fits(cell_text("keras_theano_2016_mnist_mlp_tutorial", 18))[0]
    assert theano.series("val_acc") == [0.9651, 0.9746, 0.9791, 0.9805]
    folds = parse_fits(cell_text("fashion_mnist_keras2_cpu_exec_counts_from_201", 50))
    assert folds[2].epochs[0] == {"loss": 0.5389, "accuracy": 0.8124}  # "0.81240s - loss: 0.5457 - ac"
    assert folds[3].epochs[7] == {"loss": 0.2582, "accuracy": 0.9035}  # "- ETA: 0s - … - 6s 131us/step - …"
    jp = parse_fits(cell_text("jp_colab_gpu_mnist_cnn_odd_exec_counts", 2))[0]
    assert jp.seconds_per_step == pytest.approx(70e-6)
    assert jp.metrics == ("loss", "acc", "val_loss", "val_acc")


def test_no_fit_in_tfdocs_epoch_dots_notebook():
    nb = _notebook("jp_tf_tutorial_overfit_underfit_local")
    assert [f for c in nb.code_cells for f in parse_fits(c.text)] == []


def test_every_parser_on_every_corpus_cell_never_raises():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/real is not beside the repository")
    count = 0
    for path in sorted(CORPUS.glob("*.ipynb")):
        for cell in load_notebook(path).code_cells:
            parse_fits(cell.text)
            parse_histories(cell.text)
            parse_evaluations(cell.text, cell.source)
            count += 1
    assert count > 300


_PIECES = ["Epoch 1/3\n", "Epoch 2/3\n", "Epoch 0/0", f"1875/1875 {K3} 3s 2ms/step - accuracy: 0.9000 - loss: 0.1",
           f"12/1875 {BAR} - ETA: 4s - loss: 0.3", "313/313 - 1s - loss: 0.3 - accuracy: 0.8 - 545ms/epoch",
           " - 12s - loss: 0.2 - acc: 0.9\n", "469/Unknown - 3s", "{'loss': [0.1, nan], 'acc': [", "dict_keys(['loss'",
           "np.float64(", "Test accuracy: ", "テスト正解率 ", "99%", "[0.1, 0.9]", "KeyboardInterrupt: \n", "\n", " - ",
           "/", "━", "[", "]", "{", "}", "'", "(", "Downloading data from x\n", "Train on 10 samples\n"]


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.sampled_from(_PIECES) | st.text(max_size=6), max_size=12),
       st.sampled_from(["", "model.evaluate(x_test, y_test)", "s = m.evaluate(x_train)\ns[1]", "print(", "%%time"]))
def test_parsers_never_raise_on_any_text(parts, source):
    text = "".join(parts)
    for fit in parse_fits(text):
        assert fit.epochs_run >= 1
    parse_histories(text)
    for e in parse_evaluations(text, source):
        assert e.accuracy is None or 0.0 <= e.accuracy <= 1.0


def test_largest_raw_notebook_parses_fast():
    nb = _notebook("jp_keras_mnist_verbose_progress_history")  # 769 KB, 200k backspaces
    texts = [(c.text, c.source) for c in nb.code_cells]
    start = time.perf_counter()
    for text, source in texts:
        parse_fits(text)
        parse_histories(text)
        parse_evaluations(text, source)
    assert time.perf_counter() - start < 0.05
