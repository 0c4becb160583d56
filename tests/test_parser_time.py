"""Parsers stay linear: each input shape that ever made (or could make) a reader slow is read within a bound.

The shapes come from the history of the readers (docs/benchmarks.md, issue #7 and #18): digits tried one by one by the
progress-counter and ``Epoch i/N`` expressions, the ``history`` dict balanced character by character, the
case-insensitive label scan of long logs (and "ſ", which IGNORECASE matches to s), backspaces erased one by one,
one extremely long line, and a regular expression that looped in a mutated parser (the suite hung 400 s). Each
case is about 0.5 MB; a linear parser reads it in well under a second, the bound is generous for a shared machine and
the per-test timeout turns a hang into a failure instead of a stuck suite.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from autograder.read.outputs.evaluate import parse_evaluations
from autograder.read.outputs.fitlog import parse_fits, scan_records
from autograder.read.outputs.gpu import text_signals
from autograder.read.outputs.history import parse_histories
from autograder.read.outputs.summary import parse_summaries
from autograder.read.text import clean

pytestmark = pytest.mark.timeout(30)

BOUND = 10.0  # seconds for ~0.5 MB; linear parsers take well under 1 s
MB = 500_000

PARSERS: dict[str, Callable[[str], object]] = {
    "fits": parse_fits,
    "records": scan_records,
    "histories": parse_histories,
    "summaries": parse_summaries,
    "evaluations": lambda t: parse_evaluations(t, "loss, acc = model.evaluate(x_test, y_test)\nprint('test acc', acc)"),
    "gpu": lambda t: text_signals(t, "print(len(tf.config.list_physical_devices('GPU')))\nassert tf.test.gpu_device_name()"),
    "clean": clean,
}

INPUTS: dict[str, str] = {
    "digits": "1234567890" * (MB // 10),
    "digits_and_slashes": "12/" * (MB // 3),
    "epoch_headers_without_numbers": "Epoch " * (MB // 6),
    "epoch_headers_unfinished": "Epoch 1/" * (MB // 8),
    "progress_without_metrics": "750/750 [====] - 3s 4ms/step - " * (MB // 32),
    "metric_names_without_values": "- loss: - accuracy: - val_loss: " * (MB // 32),
    "unbalanced_history": "{'loss': [" + "0.1, " * (MB // 5),
    "nested_brackets": "[" * (MB // 2) + "]" * (MB // 2),
    "quotes": "'\"" * (MB // 2),
    "test_words": "test accuracy test loss テスト 正解率 " * (MB // 40),
    "long_s": "ſ" * MB,
    "test_label_without_value": "Test accuracy: " * (MB // 15),
    "backspaces": ("=" * 30 + "\b" * 30) * (MB // 60),
    "carriage_returns": "1/750 [..] - loss: 0.5\r" * (MB // 24),
    "summary_rules": ("_" * 65 + "\n" + "=" * 65 + "\n") * (MB // 132),
    "summary_boxes": "┏━━━┓\n┃ Layer (type) ┃ Output Shape ┃ Param # ┃\n" * (MB // 50),
    "total_params_repeated": "Total params: " * (MB // 14),
    "one_long_line_of_spaces": " " * MB + "x",
    "gpu_words": "GPU gpu /device:GPU:0 Num GPUs Available " * (MB // 40),
}


@pytest.mark.parametrize("parser", sorted(PARSERS))
@pytest.mark.parametrize("shape", sorted(INPUTS))
def test_a_parser_reads_a_pathological_input_in_bounded_time(parser, shape):
    text = INPUTS[shape]
    start = time.process_time()
    PARSERS[parser](text)
    elapsed = time.process_time() - start
    assert elapsed < BOUND, f"{parser} took {elapsed:.1f} s of CPU on {shape} ({len(text):,} characters)"
