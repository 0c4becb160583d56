"""Tests of ``autograder.outputs.summary.parse_summaries``: every summary format, the real corpus, robustness."""
from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from autograder.model.evidence import Layer
from autograder.read.notebook import load_notebook
from autograder.read.outputs.summary import parse_summaries
from autograder.read.text import clean, html_to_text

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"


def _one(text: str):
    summaries = parse_summaries(text)
    assert len(summaries) == 1, summaries
    assert summaries[0].cell is None
    return summaries[0]


# ---------------------------------------------------------------- Keras 2.0–2.2 (no header, `_` rules)

KERAS20 = """\
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
flatten_3 (Flatten)          (None, 784)               0
_________________________________________________________________
dense_7 (Dense)              (None, 512)               401920
_________________________________________________________________
dropout_5 (Dropout)          (None, 512)               0
_________________________________________________________________
dense_8 (Dense)              (None, 512)               262656
_________________________________________________________________
dropout_6 (Dropout)          (None, 512)               0
_________________________________________________________________
dense_9 (Dense)              (None, 10)                5130
=================================================================
Total params: 669,706
Trainable params: 669,706
Non-trainable params: 0
_________________________________________________________________
"""

KERAS20_LAYERS = (
    Layer("flatten_3", "Flatten", "(None, 784)", 0),
    Layer("dense_7", "Dense", "(None, 512)", 401920),
    Layer("dropout_5", "Dropout", "(None, 512)", 0),
    Layer("dense_8", "Dense", "(None, 512)", 262656),
    Layer("dropout_6", "Dropout", "(None, 512)", 0),
    Layer("dense_9", "Dense", "(None, 10)", 5130),
)


def test_keras20_plain_without_model_header():
    s = _one(KERAS20)
    assert s.model is None
    assert s.style == "keras2"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (669706, 669706, 0)
    assert s.layers == KERAS20_LAYERS


def test_keras20_with_lines_padded_to_65_columns_as_printed():
    padded = "\n".join(line.ljust(65) if line.startswith(("Layer", "flatten", "dense", "dropout")) else line
                       for line in KERAS20.splitlines())
    s = _one(padded)
    assert s.layers == KERAS20_LAYERS
    assert s.total_params == 669706


def test_tf_keras_23_header_and_type_cut_short_without_continuation():
    # tf.keras 2.3 (Colab 2020): a type longer than the column is cut, with no continuation line.
    text = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
conv2d (Conv2D)              (None, 26, 26, 32)        320
_________________________________________________________________
max_pooling2d_1 (MaxPooling2 (None, 13, 13, 32)        0
_________________________________________________________________
batch_normalization (BatchNo (None, 13, 13, 32)        128
_________________________________________________________________
flatten (Flatten)            (None, 5408)              0
_________________________________________________________________
dense (Dense)                (None, 10)                54090
=================================================================
Total params: 54,538
Trainable params: 54,474
Non-trainable params: 64
_________________________________________________________________
None
"""
    s = _one(text)
    assert s.model == "sequential"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (54538, 54474, 64)
    assert s.layers == (
        Layer("conv2d", "Conv2D", "(None, 26, 26, 32)", 320),
        Layer("max_pooling2d_1", "MaxPooling2", "(None, 13, 13, 32)", 0),  # as shown: Keras cut it
        Layer("batch_normalization", "BatchNo", "(None, 13, 13, 32)", 128),
        Layer("flatten", "Flatten", "(None, 5408)", 0),
        Layer("dense", "Dense", "(None, 10)", 54090),
    )


def test_keras2_multiple_as_output_shape():
    text = """\
Model: "sequential"
_________________________________________________________________
Layer (type)                 Output Shape              Param #
=================================================================
dense (Dense)                multiple                  78500
_________________________________________________________________
dense_1 (Dense)              multiple                  1010
=================================================================
Total params: 79,510
Trainable params: 79,510
Non-trainable params: 0
_________________________________________________________________
"""
    s = _one(text)
    assert [(layer.output_shape, layer.params) for layer in s.layers] == [("multiple", 78500), ("multiple", 1010)]


# ---------------------------------------------------------------- tf.keras 2.9–2.12 (spacer rows, wrapped type)

KERAS212 = """\
Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 conv2d (Conv2D)             (None, 24, 24, 16)        416

 max_pooling2d (MaxPooling2D  (None, 12, 12, 16)       0
 )

 flatten (Flatten)           (None, 2304)              0

 dense (Dense)               (None, 10)                23050

=================================================================
Total params: 23,466
Trainable params: 23,466
Non-trainable params: 0
_________________________________________________________________
"""

CNN_LAYERS = (
    Layer("conv2d", "Conv2D", "(None, 24, 24, 16)", 416),
    Layer("max_pooling2d", "MaxPooling2D", "(None, 12, 12, 16)", 0),
    Layer("flatten", "Flatten", "(None, 2304)", 0),
    Layer("dense", "Dense", "(None, 10)", 23050),
)


def test_keras212_spacer_rows_and_wrapped_class_name():
    s = _one(KERAS212)
    assert s.model == "sequential"
    assert s.style == "keras2"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (23466, 23466, 0)
    assert s.layers == CNN_LAYERS


def test_keras212_wrapped_mid_word():
    text = """\
Model: "sequential_1"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 conv2d_2 (Conv2D)           (None, 26, 26, 32)        320

 max_pooling2d_2 (MaxPooling  (None, 13, 13, 32)       0
 2D)

 flatten_1 (Flatten)         (None, 5408)              0

 dense_1 (Dense)             (None, 10)                54090

=================================================================
Total params: 54,410
Trainable params: 54,410
Non-trainable params: 0
_________________________________________________________________
"""
    s = _one(text)
    assert s.model == "sequential_1"
    assert s.layers[1] == Layer("max_pooling2d_2", "MaxPooling2D", "(None, 13, 13, 32)", 0)
    assert len(s.layers) == 4


# ---------------------------------------------------------------- TF/Keras 2.13–2.15 (sizes, no commas)

KERAS215 = """\
Model: "sequential"
_________________________________________________________________
 Layer (type)                Output Shape              Param #
=================================================================
 conv2d (Conv2D)             (None, 24, 24, 16)        416

 max_pooling2d (MaxPooling2  (None, 12, 12, 16)        0
 D)

 flatten (Flatten)           (None, 2304)              0

 dense (Dense)               (None, 10)                23050

=================================================================
Total params: 23466 (91.66 KB)
Trainable params: 23466 (91.66 KB)
Non-trainable params: 0 (0.00 Byte)
_________________________________________________________________
"""


def test_keras215_sizes_without_thousands_separator():
    s = _one(KERAS215)
    assert s.model == "sequential"
    assert s.style == "keras2"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (23466, 23466, 0)
    assert s.layers == CNN_LAYERS


# ---------------------------------------------------------------- Keras 1 and functional Keras 2

def test_keras1_sequential_with_connected_to_and_only_total():
    text = """\
Using Theano backend.
____________________________________________________________________________________________________
Layer (type)                     Output Shape          Param #     Connected to
====================================================================================================
dense_1 (Dense)                  (None, 24)            600         dense_input_1[0][0]
____________________________________________________________________________________________________
activation_1 (Activation)        (None, 24)            0           dense_1[0][0]
____________________________________________________________________________________________________
dense_2 (Dense)                  (None, 5)             125         activation_1[0][0]
====================================================================================================
Total params: 725
____________________________________________________________________________________________________
"""
    s = _one(text)
    assert s.model is None
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (725, None, None)
    assert s.layers == (
        Layer("dense_1", "Dense", "(None, 24)", 600),
        Layer("activation_1", "Activation", "(None, 24)", 0),
        Layer("dense_2", "Dense", "(None, 5)", 125),
    )


def test_keras2_functional_with_several_connected_to_lines():
    text = """\
__________________________________________________________________________________________________
Layer (type)                    Output Shape         Param #     Connected to
==================================================================================================
input_4 (InputLayer)            (None, 50, 100)      0
__________________________________________________________________________________________________
input_5 (InputLayer)            (None, 50, 100)      0
__________________________________________________________________________________________________
model_3 (Model)                 (None, 100)          80800       input_4[0][0]
                                                                 input_5[0][0]
__________________________________________________________________________________________________
concatenate_2 (Concatenate)     (None, 200)          0           model_3[1][0]
                                                                 model_3[2][0]
__________________________________________________________________________________________________
dense_3 (Dense)                 (None, 1)            201         concatenate_2[0][0]
==================================================================================================
Total params: 81,001
Trainable params: 81,001
Non-trainable params: 0
__________________________________________________________________________________________________
"""
    s = _one(text)
    assert s.total_params == 81001
    assert s.layers == (
        Layer("input_4", "InputLayer", "(None, 50, 100)", 0),
        Layer("input_5", "InputLayer", "(None, 50, 100)", 0),
        Layer("model_3", "Model", "(None, 100)", 80800),
        Layer("concatenate_2", "Concatenate", "(None, 200)", 0),
        Layer("dense_3", "Dense", "(None, 1)", 201),
    )


def test_keras29_functional_connected_to_lists_wrapped():
    text = """\
Model: "model"
__________________________________________________________________________________________________
 Layer (type)                   Output Shape         Param #     Connected to
==================================================================================================
 input_1 (InputLayer)           [(None, 784)]        0           []

 dense (Dense)                  (None, 32)           25120       ['input_1[0][0]']

 dense_1 (Dense)                (None, 10)           330         ['dense[0][0]']

 dense_2 (Dense)                (None, 10)           330         ['dense[0][0]']

 add (Add)                      (None, 10)           0           ['dense_1[0][0]',
                                                                  'dense_2[0][0]']

==================================================================================================
Total params: 25,780
Trainable params: 25,780
Non-trainable params: 0
__________________________________________________________________________________________________
"""
    s = _one(text)
    assert s.model == "model"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (25780, 25780, 0)
    assert s.layers == (
        Layer("input_1", "InputLayer", "[(None, 784)]", 0),
        Layer("dense", "Dense", "(None, 32)", 25120),
        Layer("dense_1", "Dense", "(None, 10)", 330),
        Layer("dense_2", "Dense", "(None, 10)", 330),
        Layer("add", "Add", "(None, 10)", 0),
    )


def test_keras29_functional_wrapped_output_shapes():
    text = """\
__________________________________________________________________________________________________
 Layer (type)                   Output Shape         Param #     Connected to
==================================================================================================
 input_1 (InputLayer)           [(None, 256, 256, 3  0           []
                                )]

 lambda (Lambda)                (None, 256, 256, 3)  0           ['input_1[0][0]']

 conv2d (Conv2D)                (None, 256, 256, 16  448         ['lambda[0][0]']
                                )

==================================================================================================
Total params: 448
Trainable params: 448
Non-trainable params: 0
__________________________________________________________________________________________________
"""
    s = _one(text)
    assert s.layers == (
        Layer("input_1", "InputLayer", "[(None, 256, 256, 3)]", 0),
        Layer("lambda", "Lambda", "(None, 256, 256, 3)", 0),
        Layer("conv2d", "Conv2D", "(None, 256, 256, 16)", 448),
    )


# ---------------------------------------------------------------- Keras 3 (box drawing)

# Cell.text of the five display_data outputs of one summary() call, ANSI codes removed.
KERAS3 = """\
Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ flatten (Flatten)               │ (None, 784)            │             0 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 32)             │        25,120 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 32)             │         1,056 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_2 (Dense)                 │ (None, 10)             │           330 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 26,506 (103.54 KB)
 Trainable params: 26,506 (103.54 KB)
 Non-trainable params: 0 (0.00 B)
"""

KERAS3_LAYERS = (
    Layer("flatten", "Flatten", "(None, 784)", 0),
    Layer("dense", "Dense", "(None, 32)", 25120),
    Layer("dense_1", "Dense", "(None, 32)", 1056),
    Layer("dense_2", "Dense", "(None, 10)", 330),
)


def test_keras3_rich_table():
    s = _one(KERAS3)
    assert s.model == "sequential"
    assert s.style == "keras3"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (26506, 26506, 0)
    assert s.layers == KERAS3_LAYERS


def test_keras3_text_with_ansi_codes_after_clean():
    raw = ('\x1b[1mModel: "sequential"\x1b[0m\n'
           "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
           "┃\x1b[1m \x1b[0m\x1b[1mLayer (type)                   \x1b[0m\x1b[1m \x1b[0m┃\x1b[1m \x1b[0m\x1b[1mOutput Shape"
           "          \x1b[0m\x1b[1m \x1b[0m┃\x1b[1m \x1b[0m\x1b[1m      Param #\x1b[0m\x1b[1m \x1b[0m┃\n"
           "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
           "│ flatten (\x1b[38;5;33mFlatten\x1b[0m)               │ (\x1b[38;5;45mNone\x1b[0m, \x1b[38;5;34m784\x1b[0m)"
           "            │             \x1b[38;5;34m0\x1b[0m │\n"
           "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
           "│ dense (\x1b[38;5;33mDense\x1b[0m)                   │ (\x1b[38;5;45mNone\x1b[0m, \x1b[38;5;34m128\x1b[0m)"
           "            │       \x1b[38;5;34m100,480\x1b[0m │\n"
           "└─────────────────────────────────┴────────────────────────┴───────────────┘\n"
           "\x1b[1m Total params: \x1b[0m\x1b[38;5;34m100,480\x1b[0m (392.50 KB)\n"
           "\x1b[1m Trainable params: \x1b[0m\x1b[38;5;34m100,480\x1b[0m (392.50 KB)\n"
           "\x1b[1m Non-trainable params: \x1b[0m\x1b[38;5;34m0\x1b[0m (0.00 B)\n")
    s = _one(clean(raw))
    assert s.model == "sequential"
    assert s.layers == (Layer("flatten", "Flatten", "(None, 784)", 0), Layer("dense", "Dense", "(None, 128)", 100480))
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (100480, 100480, 0)


_PRE = ("<pre style=\"white-space:pre;overflow-x:auto;line-height:normal;"
        "font-family:Menlo,'DejaVu Sans Mono',consolas,'Courier New',monospace\">")
KERAS3_HTML_OUTPUTS = (
    _PRE + '<span style="font-weight: bold">Model: "sequential"</span>\n</pre>\n',
    _PRE + "┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓\n"
    '┃<span style="font-weight: bold"> Layer (type)                    </span>┃<span style="font-weight: bold">'
    ' Output Shape           </span>┃<span style="font-weight: bold">       Param # </span>┃\n'
    "┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩\n"
    '│ flatten (<span style="color: #0087ff; text-decoration-color: #0087ff">Flatten</span>)               │ '
    '(<span style="color: #00d7ff; text-decoration-color: #00d7ff">None</span>, '
    '<span style="color: #00af00; text-decoration-color: #00af00">784</span>)            │             '
    '<span style="color: #00af00; text-decoration-color: #00af00">0</span> │\n'
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    '│ dense (<span style="color: #0087ff; text-decoration-color: #0087ff">Dense</span>)                   │ '
    '(<span style="color: #00d7ff; text-decoration-color: #00d7ff">None</span>, '
    '<span style="color: #00af00; text-decoration-color: #00af00">128</span>)            │       '
    '<span style="color: #00af00; text-decoration-color: #00af00">100,480</span> │\n'
    "├─────────────────────────────────┼────────────────────────┼───────────────┤\n"
    '│ dense_1 (<span style="color: #0087ff; text-decoration-color: #0087ff">Dense</span>)                 │ '
    '(<span style="color: #00d7ff; text-decoration-color: #00d7ff">None</span>, '
    '<span style="color: #00af00; text-decoration-color: #00af00">10</span>)             │         '
    '<span style="color: #00af00; text-decoration-color: #00af00">1,290</span> │\n'
    "└─────────────────────────────────┴────────────────────────┴───────────────┘\n</pre>\n",
    _PRE + '<span style="font-weight: bold"> Total params: </span>'
    '<span style="color: #00af00; text-decoration-color: #00af00">101,770</span> (397.54 KB)\n</pre>\n',
    _PRE + '<span style="font-weight: bold"> Trainable params: </span>'
    '<span style="color: #00af00; text-decoration-color: #00af00">101,770</span> (397.54 KB)\n</pre>\n',
    _PRE + '<span style="font-weight: bold"> Non-trainable params: </span>'
    '<span style="color: #00af00; text-decoration-color: #00af00">0</span> (0.00 B)\n</pre>\n',
)


@pytest.mark.parametrize("text", [
    html_to_text("".join(KERAS3_HTML_OUTPUTS)),
    # what Cell.text gives for an HTML-only notebook: each output as text, one per line
    "\n".join(clean(html_to_text(h)).removesuffix("\n") for h in KERAS3_HTML_OUTPUTS),
], ids=["html-joined", "html-per-output"])
def test_keras3_from_html(text):
    s = _one(text)
    assert s.model == "sequential"
    assert s.style == "keras3"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (101770, 101770, 0)
    assert s.layers == (
        Layer("flatten", "Flatten", "(None, 784)", 0),
        Layer("dense", "Dense", "(None, 128)", 100480),
        Layer("dense_1", "Dense", "(None, 10)", 1290),
    )


def test_keras3_functional_connected_to_and_cells_over_several_lines():
    text = """\
Model: "functional"
┏━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)        ┃ Output Shape      ┃    Param # ┃ Connected to      ┃
┡━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━┩
│ input_layer         │ (None, 28, 28, 1) │          0 │ -                 │
│ (InputLayer)        │                   │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ conv2d (Conv2D)     │ (None, 28, 28,    │        288 │ input_layer[0][0] │
│                     │ 32)               │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ batch_normalizatio… │ (None, 28, 28,    │        128 │ conv2d[0][0]      │
│ (BatchNormalizatio… │ 32)               │            │                   │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ add (Add)           │ (None, 28, 28,    │          0 │ batch_normalizat… │
│                     │ 32)               │            │ conv2d[0][0]      │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ flatten (Flatten)   │ (None, 25088)     │          0 │ add[0][0]         │
├─────────────────────┼───────────────────┼────────────┼───────────────────┤
│ dense_1 (Dense)     │ (None, 10)        │    250,890 │ flatten[0][0]     │
└─────────────────────┴───────────────────┴────────────┴───────────────────┘
 Total params: 251,306 (981.66 KB)
 Trainable params: 251,242 (981.41 KB)
 Non-trainable params: 64 (256.00 B)
"""
    s = _one(text)
    assert s.model == "functional"
    assert s.style == "keras3"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (251306, 251242, 64)
    assert s.layers == (
        Layer("input_layer", "InputLayer", "(None, 28, 28, 1)", 0),
        Layer("conv2d", "Conv2D", "(None, 28, 28, 32)", 288),
        Layer("batch_normalizatio…", "BatchNormalizatio…", "(None, 28, 28, 32)", 128),  # rich cut both
        Layer("add", "Add", "(None, 28, 28, 32)", 0),
        Layer("flatten", "Flatten", "(None, 25088)", 0),
        Layer("dense_1", "Dense", "(None, 10)", 250890),
    )


def test_keras3_unbuilt_layers_and_optimizer_params():
    text = """\
Model: "sequential_2"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┓
┃ Layer (type)                    ┃ Output Shape           ┃       Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━┩
│ global_average_pooling2d        │ ?                      │   0 (unbuilt) │
│ (GlobalAveragePooling2D)        │                        │               │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ ?                      │   0 (unbuilt) │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 0 (0.00 B)
 Trainable params: 0 (0.00 B)
 Non-trainable params: 0 (0.00 B)
 Optimizer params: 0 (0.00 B)
"""
    s = _one(text)
    assert s.model == "sequential_2"
    assert (s.total_params, s.trainable_params, s.non_trainable_params) == (0, 0, 0)
    assert s.layers == (
        Layer("global_average_pooling2d", "GlobalAveragePooling2D", "?", 0),
        Layer("dense", "Dense", "?", 0),
    )


def test_keras3_light_box_drawing():
    text = """\
Model: "sequential_2"
┌─────────────────────────────────┬────────────────────────┬───────────────┐
│ Layer (type)                    │ Output Shape           │       Param # │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense (Dense)                   │ (None, 128)            │       100,480 │
├─────────────────────────────────┼────────────────────────┼───────────────┤
│ dense_1 (Dense)                 │ (None, 10)             │         1,290 │
└─────────────────────────────────┴────────────────────────┴───────────────┘
 Total params: 101,770 (397.54 KB)
"""
    s = _one(text)
    assert s.model == "sequential_2"
    assert s.style == "keras3"
    assert [layer.params for layer in s.layers] == [100480, 1290]
    assert (s.trainable_params, s.non_trainable_params) == (None, None)


# ---------------------------------------------------------------- several tables, cut tables, non-tables

def test_several_summaries_in_order_with_other_output_between():
    text = ("Building...\n" + KERAS212 + "Epoch 1/5\n1875/1875 [==============================] - 3s 1ms/step\n"
            + KERAS20 + "None\n" + KERAS3)
    summaries = parse_summaries(text)
    assert [(s.model, s.style, s.total_params, len(s.layers)) for s in summaries] == [
        ("sequential", "keras2", 23466, 4),
        (None, "keras2", 669706, 6),
        ("sequential", "keras3", 26506, 4),
    ]


@pytest.mark.parametrize("table", [KERAS20, KERAS212, KERAS215, KERAS3])
def test_a_table_cut_anywhere_gives_nothing_or_its_true_totals(table):
    lines = table.splitlines()
    total_at = next(i for i, line in enumerate(lines) if "Total params" in line)
    full = _one(table)
    for n in range(len(lines) + 1):
        found = parse_summaries("\n".join(lines[:n]))
        if n <= total_at:
            assert found == []
        else:
            assert [(s.total_params, s.layers) for s in found] == [(full.total_params, full.layers)]


def test_a_cut_table_then_a_complete_one():
    cut = "\n".join(KERAS3.splitlines()[:6])  # header and the first row, then the output stops
    summaries = parse_summaries(cut + "\nKeyboardInterrupt\n" + KERAS215)
    assert [(s.style, s.total_params) for s in summaries] == [("keras2", 23466)]


@pytest.mark.parametrize("text", [
    "",
    "Total params: 5",
    "Layer (type)\nTotal params: 5\n",
    "Model Architecture:\nTotal parameters: 101,770\n   Hidden Layer 1: 15,700 params\n",
    "Model: Single Hidden Layer MLP (128 neurons)\nTotal params: 1,2,3\n",
    " Layer (type)   Output Shape   Param #\n=====\nTotal params: 3\n",  # a too short rule is no rule
    "┃ Layer (type) ┃\n┡━━┩\n│ x │\n└──┘\n Total params: 1\n",  # no Output Shape / Param # columns
    "┃ Layer (type) ┃ Output Shape ┃ Param # ┃\n┡━━━━┩\n│ a (Dense) │ (None, 1) │ x1 │\n└──┘\n Total params: 1\n",
    # tables whose closing rule or border is missing, even though a totals line follows
    "\n".join(KERAS20.splitlines()[:4] + KERAS20.splitlines()[-4:]),
    "\n".join(KERAS3.splitlines()[:5] + KERAS3.splitlines()[-3:]),
])
def test_texts_without_a_complete_table(text):
    assert parse_summaries(text) == []


def test_garbage_never_raises():
    rng = random.Random(20240601)
    alphabet = list("│┃┏┡├└━─╇┼ _=()[],.0123456789\n") + ["Layer (type)", "Output Shape", "Param #", "Total params: ",
                                                          "Trainable params: ", 'Model: "m"', "(Dense)", "\t", "…"]
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200)))
        for summary in parse_summaries(text):
            assert summary.total_params >= 0
    for fragment in ("\x00", "\r", "\udcff", "\x1b[1m", "┃", "│" * 5000):
        parse_summaries(fragment + KERAS3 + fragment)
    assert parse_summaries(None) == []  # type: ignore[arg-type]


def test_large_texts_are_fast():
    no_table = "loss: 0.1 - accuracy: 0.9 params\n" * 200_000
    many = (KERAS212 + KERAS3) * 500
    start = time.perf_counter()
    assert parse_summaries(no_table) == []
    assert len(parse_summaries(many)) == 1000
    assert parse_summaries("Layer (type)\n" * 200_000 + "Total params: 1\n") == []
    assert time.perf_counter() - start < 5


# ---------------------------------------------------------------- the real corpus

def _corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus folder {CORPUS} is absent")
    return CORPUS


# file → [(cell, model, total, trainable, non-trainable, layer count, style)], read from the JSON outputs
REAL = {
    "udacity_mnist_mlp_dropout_keras2_tfbackend": [(12, None, 669706, 669706, 0, 6, "keras2")],
    "colab_gpu_mnist_mlp_dropout_keras2": [(3, "sequential", 932362, 932362, 0, 7, "keras2")],
    "keras2_colab_mnist_cnn_student_gpuclass": [(0, "sequential", 23466, 23466, 0, 4, "keras2")],
    "tf215_colab_mnist_cnn_student_null_exec_counts": [(1, "sequential", 23466, 23466, 0, 4, "keras2")],
    "keras3_mnist_mlp_dropout_analysis_tf_xla_logs": [(5, "sequential", 101770, 101770, 0, 3, "keras3")],
    "keras3_colab_beginner_mnist_out_of_order": [
        (5, "sequential", 101770, 101770, 0, 3, "keras3"),
        (31, "sequential_6", 101770, 101770, 0, 3, "keras3"),
    ],
    "keras3_digit_classification_local_gpu_tf_logs": [
        (8, "sequential", 26506, 26506, 0, 4, "keras3"),
        (17, "sequential_1", 17578, 17578, 0, 7, "keras3"),
    ],
    "jp_mnist_mlp_keras2_summary_history": [(7, None, 397510, 397510, 0, 3, "keras2")],
    "keras2_mnist_cnn_typeerror": [(7, None, 405306, 405306, 0, 7, "keras2")],
    "keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt": [
        (27, "sequential_3", 235146, 235146, 0, 5, "keras3"),
        (30, "functional_5", 467818, 467818, 0, 13, "keras3"),
        (43, "functional_1", 170794, 169834, 960, 37, "keras3"),
    ],
    "jp_tf_tutorial_overfit_underfit_local": [
        (34, "sequential", 481, 481, 0, 2, "keras2"),
        (39, "sequential_1", 753, 753, 0, 3, "keras2"),
        (42, "sequential_2", 10241, 10241, 0, 4, "keras2"),
        (45, "sequential_6", 803329, 803329, 0, 5, "keras2"),
        (58, "sequential_7", 803329, 803329, 0, 5, "keras2"),
        (65, "sequential_8", 803329, 803329, 0, 9, "keras2"),
        (68, "sequential_9", 803329, 803329, 0, 9, "keras2"),
    ],
    "large_colab_gpu_cifar10_cnn_augmentation_keras2": [
        (13, "sequential_2", 1345066, 1343146, 1920, 23, "keras2"),
        (20, "sequential_3", 1345066, 1343146, 1920, 23, "keras2"),
    ],
    "mnist_mlp_exercise_solution_keras2_local": [
        (20, "sequential", 79510, 79510, 0, 4, "keras2"),
        (34, "sequential", 134860, 134360, 500, 10, "keras2"),
    ],
    "tf215_colab_gpu_mit_lab2_mnist": [(26, "sequential_19", 125380, 125380, 0, 7, "keras2")],
    "keras3_colab_mnist_mlp_student_out_of_order": [],  # no summary() output
    "keras2_colab_gpu_fashion_mnist_mlp_cnn_gpuclass": [],
}

# (file, cell, index of the row in its table, the row as shown)
REAL_ROWS = [
    ("udacity_mnist_mlp_dropout_keras2_tfbackend", 12, 0, Layer("flatten_3", "Flatten", "(None, 784)", 0)),
    ("udacity_mnist_mlp_dropout_keras2_tfbackend", 12, 5, Layer("dense_9", "Dense", "(None, 10)", 5130)),
    ("colab_gpu_mnist_mlp_dropout_keras2", 3, 1, Layer("dropout", "Dropout", "(None, 512)", 0)),
    ("keras2_colab_mnist_cnn_student_gpuclass", 0, 1, Layer("max_pooling2d", "MaxPooling2D", "(None, 12, 12, 16)", 0)),
    ("keras2_colab_mnist_cnn_student_gpuclass", 0, 3, Layer("dense", "Dense", "(None, 10)", 23050)),
    ("tf215_colab_mnist_cnn_student_null_exec_counts", 1, 0, Layer("conv2d", "Conv2D", "(None, 24, 24, 16)", 416)),
    ("tf215_colab_mnist_cnn_student_null_exec_counts", 1, 1,
     Layer("max_pooling2d", "MaxPooling2D", "(None, 12, 12, 16)", 0)),
    ("tf215_colab_gpu_mit_lab2_mnist", 26, 1, Layer("max_pooling2d_32", "MaxPooling2D", "(None, 25, 25, 2)", 0)),
    ("keras3_mnist_mlp_dropout_analysis_tf_xla_logs", 5, 1, Layer("dense", "Dense", "(None, 128)", 100480)),
    ("keras3_colab_beginner_mnist_out_of_order", 31, 2, Layer("dense_11", "Dense", "(None, 10)", 1290)),
    ("keras3_digit_classification_local_gpu_tf_logs", 8, 1, Layer("dense", "Dense", "(None, 32)", 25120)),
    ("keras3_digit_classification_local_gpu_tf_logs", 17, 5, Layer("dropout", "Dropout", "(None, 800)", 0)),
    ("jp_mnist_mlp_keras2_summary_history", 7, 0, Layer("input_1", "InputLayer", "(None, 784)", 0)),
    ("jp_mnist_mlp_keras2_summary_history", 7, 1, Layer("dense_1", "Dense", "(None, 500)", 392500)),
    ("keras2_mnist_cnn_typeerror", 7, 0, Layer("input_1", "InputLayer", "(None, 28, 28, 1)", 0)),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 30, 0,
     Layer("input_layer_5", "InputLayer", "(None, 28, 28, 1)", 0)),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 43, 0,
     Layer("input_layer_1", "InputLayer", "(None, 28, 28, 1)", 0)),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 43, 1, Layer("conv2d", "Conv2D", "(None, 28, 28, 32)", 288)),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 43, 2,
     Layer("batch_normalization", "BatchNormalizatio…", "(None, 28, 28, 32)", 128)),
    ("keras3_colab_t4_mnist_mlp_cnn_keyboardinterrupt", 43, 36, Layer("dense_3", "Dense", "(None, 10)", 650)),
    ("jp_tf_tutorial_overfit_underfit_local", 65, 8, Layer("dense_35", "Dense", "(None, 1)", 513)),
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 20, 1,
     Layer("batch_normalization_21", "Batc", "(None, 32, 32, 32)", 128)),  # Keras 2.3 cut the type short
    ("large_colab_gpu_cifar10_cnn_augmentation_keras2", 20, 10,
     Layer("max_pooling2d_10", "MaxPooling", "(None, 8, 8, 64)", 0)),
]


def _summaries_by_cell(stem: str) -> list[tuple[int, object]]:
    nb = load_notebook(_corpus() / f"{stem}.ipynb")
    return [(cell.index, s) for cell in nb.code_cells for s in parse_summaries(cell.text)]


@pytest.mark.parametrize("stem", sorted(REAL))
def test_real_notebook_summaries(stem):
    found = _summaries_by_cell(stem)
    got = [(cell, s.model, s.total_params, s.trainable_params, s.non_trainable_params, len(s.layers), s.style)
           for cell, s in found]
    assert got == REAL[stem]


@pytest.mark.parametrize("stem, cell, row, layer", REAL_ROWS, ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in REAL_ROWS])
def test_real_notebook_rows(stem, cell, row, layer):
    tables = [s for index, s in _summaries_by_cell(stem) if index == cell]
    assert len(tables) == 1
    assert tables[0].layers[row] == layer


def test_every_real_table_adds_up_and_nothing_raises():
    tables = 0
    for path in sorted(_corpus().glob("*.ipynb")):
        for cell in load_notebook(path).code_cells:
            for s in parse_summaries(cell.text):
                tables += 1
                assert sum(layer.params for layer in s.layers) == s.total_params, (path.name, cell.index)
                assert all(layer.name and layer.type and layer.output_shape for layer in s.layers)
    assert tables == 39  # the "Total params:" lines in the corpus outputs
