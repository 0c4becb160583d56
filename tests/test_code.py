"""Tests for ``autograder.code``: models, parameter counts and calls read from code cells, never executed.

Expected parameter counts are worked out by hand ((inputs + 1) × units for Dense, (kh × kw × cin + 1) × filters
for Conv2D); the corpus totals are the ``Total params`` lines the notebooks themselves printed.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from autograder.model.evidence import CodeFacts, CodeLayer, ModelCode
from autograder.read.code import analyze_cells

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "real"


def facts(*sources: str) -> CodeFacts:
    """Analyse cells 0, 1, 2, … holding ``sources``."""
    return analyze_cells(list(enumerate(sources)))


def only_model(*sources: str) -> ModelCode:
    models = facts(*sources).models
    assert len(models) == 1, models
    return models[0]


def params(model: ModelCode) -> list[int | None]:
    return [layer.params for layer in model.layers]


def types(model: ModelCode) -> list[str]:
    return [layer.type for layer in model.layers]


# ---- the course's MLPs ----

COURSE_MLP = """
from keras.models import Sequential
from keras.layers import Dense
model = Sequential([Dense(32, activation='relu', input_shape=(784,)), Dense(10, activation='softmax')])
"""


def test_course_mlp_sequential_list():
    model = only_model(COURSE_MLP)
    assert model.variable == "model" and model.cell == 0
    assert params(model) == [25120, 330]
    assert model.total_params == 25_450
    assert model.layers == (
        CodeLayer("Dense", 25120, (None, 32), units=32, activation="relu"),
        CodeLayer("Dense", 330, (None, 10), units=10, activation="softmax"),
    )


def test_course_mlp_with_add_in_later_cells_belongs_to_the_creating_cell():
    model = only_model(
        "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential()",
        "model.add(Dense(32, input_shape=(784,), activation='relu'))",
        "model.add(Dense(10, activation='softmax'))\nmodel.summary()",
    )
    assert (model.variable, model.cell) == ("model", 0)
    assert params(model) == [25120, 330]


@pytest.mark.parametrize(
    "hidden, expected",
    [
        ("Dense(128, input_shape=(784,), activation='relu')", [100480, 1290]),  # 101,770
        ("Dense(128, input_shape=(784,), activation='relu'), Dense(64, activation='relu'), "
         "Dense(32, activation='relu')", [100480, 8256, 2080, 330]),  # 111,146
        ("Dense(256, input_shape=(784,)), Dense(128)", [200960, 32896, 1290]),  # 235,146
    ],
)
def test_course_mlp_variants(hidden, expected):
    model = only_model(f"model = Sequential([{hidden}, Dense(10, activation='softmax')])")
    assert params(model) == expected


def test_course_totals():
    assert only_model("m = Sequential([Dense(128, input_shape=(784,)), Dense(10)])").total_params == 101_770
    deeper = "m = Sequential([Dense(128, input_shape=(784,)), Dense(64), Dense(32), Dense(10)])"
    assert only_model(deeper).total_params == 111_146


def test_course_dropout_keeps_the_count_and_records_the_rate():
    model = only_model(
        "model = Sequential()\n"
        "model.add(Dense(128, input_shape=(784,), activation='relu'))\n"
        "model.add(Dropout(0.5))\n"
        "model.add(Dense(64, activation='relu'))\n"
        "model.add(Dense(32, activation='relu'))\n"
        "model.add(Dense(10, activation='softmax'))"
    )
    assert types(model) == ["Dense", "Dropout", "Dense", "Dense", "Dense"]
    assert params(model) == [100480, 0, 8256, 2080, 330]
    assert model.total_params == 111_146
    assert model.layers[1] == CodeLayer("Dropout", 0, (None, 128), rate=0.5)


def test_course_larger_model_from_the_slides():
    """The slide's 236,394: 256 → Dropout → 64 → 128 → Dropout → 64 → 32 → 10."""
    model = only_model(
        "model = Sequential()\n"
        "model.add(Dense(256, input_shape=(784,), activation='relu'))\n"
        "model.add(Dropout(rate=0.2))\n"
        "model.add(Dense(64, activation='relu'))\n"
        "model.add(Dense(128, activation='relu'))\n"
        "model.add(Dropout(0.2))\n"
        "model.add(Dense(64, activation='relu'))\n"
        "model.add(Dense(32, activation='relu'))\n"
        "model.add(Dense(10, activation='softmax'))"
    )
    assert params(model) == [200960, 0, 16448, 8320, 0, 8256, 2080, 330]
    assert model.total_params == 236_394


@pytest.mark.parametrize(
    "source",
    [
        "model = keras.Sequential([keras.layers.Dense(32, input_shape=(784,)), keras.layers.Dense(10)])",
        "model = tf.keras.models.Sequential([tf.keras.layers.Dense(32, activation='relu', input_shape=(784,)),"
        " tf.keras.layers.Dense(10, activation='softmax')])",
        "model = models.Sequential([layers.Dense(units=32, input_dim=784), layers.Dense(units=10)])",
        "model = tf.keras.Sequential(layers=[tf.keras.layers.Dense(32, input_shape=[784]), tf.keras.layers.Dense(10)])",
        "model = Sequential([Input(shape=(784,)), Dense(32), Dense(10)])",
        "model = Sequential()\nmodel.add(InputLayer(input_shape=(784,)))\nmodel.add(Dense(32))\nmodel.add(Dense(10))",
        "model = Sequential([Dense(output_dim=32, input_dim=784), Dense(output_dim=10)])",  # Keras 1
        "from keras.layers import Dense as D\nmodel = Sequential([D(32, input_shape=(784,)), D(10)])",
    ],
)
def test_call_forms_all_count_25450(source):
    model = only_model(source)
    assert model.total_params == 25_450
    assert [layer.params for layer in model.layers if layer.type == "Dense"] == [25120, 330]


def test_input_layer_is_a_zero_parameter_row():
    model = only_model("model = keras.Sequential([keras.Input(shape=(28, 28)), layers.Flatten(), layers.Dense(10)])")
    assert model.layers[0] == CodeLayer("InputLayer", 0, (None, 28, 28))
    assert params(model) == [0, 0, 7850]
    assert model.layers[1].output_shape == (None, 784)


def test_input_shape_of_a_later_layer_is_ignored_as_keras_does():
    model = only_model(
        "m = Sequential([Input(shape=(28, 28, 1)), Flatten(input_shape=[28, 28]), Dense(32)])"
    )
    assert params(model) == [0, 0, 25120]


# ---- convolutions, pooling, normalisation ----

def test_mnist_cnn_of_the_course():
    model = only_model(
        "model = Sequential()\n"
        "model.add(Conv2D(filters=16, kernel_size=(5, 5), input_shape=(28, 28, 1), activation='relu'))\n"
        "model.add(MaxPooling2D(pool_size=(2, 2)))\n"
        "model.add(Flatten())\n"
        "model.add(Dense(10, activation='softmax'))"
    )
    assert model.layers[0] == CodeLayer("Conv2D", 416, (None, 24, 24, 16), units=16, activation="relu")
    shapes = [layer.output_shape for layer in model.layers]
    assert shapes == [(None, 24, 24, 16), (None, 12, 12, 16), (None, 2304), (None, 10)]
    assert params(model) == [416, 0, 0, 23050]
    assert model.total_params == 23_466


def test_conv2d_short_form():
    assert params(only_model("m = Sequential([Conv2D(16, (5,5), input_shape=(28,28,1))])")) == [416]


def test_cifar_base_model_of_seed_003():
    model = only_model(
        "model = models.Sequential([\n"
        "    layers.Conv2D(32, (3, 3), padding='same', activation='relu', input_shape=(32, 32, 3)),\n"
        "    layers.MaxPooling2D((2, 2)),\n"
        "    layers.Conv2D(64, (3, 3), padding='same', activation='relu'),\n"
        "    layers.MaxPooling2D((2, 2)),\n"
        "    layers.Conv2D(128, (3, 3), padding='same', activation='relu'),\n"
        "    layers.MaxPooling2D((2, 2)),\n"
        "    layers.Flatten(),\n"
        "    layers.Dense(128, activation='relu'),\n"
        "    layers.Dense(10, activation='softmax')\n"
        "])"
    )
    assert params(model) == [896, 0, 18496, 0, 73856, 0, 0, 262272, 1290]
    assert model.layers[6].output_shape == (None, 2048)
    assert model.total_params == 356_810


@pytest.mark.parametrize(
    "layer, shape, count",
    [
        ("Conv2D(8, 3, strides=2, padding='same')", (None, 14, 14, 8), 80),
        ("Conv2D(8, 3, strides=(2, 2))", (None, 13, 13, 8), 80),
        ("Conv2D(8, 3, padding='valid', use_bias=False)", (None, 26, 26, 8), 72),
        ("Conv2D(8, (3, 3), dilation_rate=2)", (None, 24, 24, 8), 80),
        ("Convolution2D(8, 3, 3, border_mode='same')", (None, 28, 28, 8), 80),  # Keras 1
        ("MaxPool2D()", (None, 14, 14, 1), 0),
        ("MaxPooling2D(pool_size=3, strides=1, padding='same')", (None, 28, 28, 1), 0),
        ("AveragePooling2D((2, 2), strides=(3, 3))", (None, 9, 9, 1), 0),
        ("BatchNormalization()", (None, 28, 28, 1), 4),
        ("GlobalAveragePooling2D()", (None, 1), 0),
        ("Reshape((784,))", (None, 784), 0),
        ("Reshape((-1, 28))", (None, 28, 28), 0),
        ("Activation('relu')", (None, 28, 28, 1), 0),
        ("Conv2D(8, 3, data_format='channels_first')", None, None),
        ("Convolution2D(8, 3, 3, dim_ordering='th')", None, None),
        ("MaxPooling2D(data_format='channels_first')", None, 0),
    ],
)
def test_image_layers_on_a_28x28x1_input(layer, shape, count):
    model = only_model(f"m = Sequential([Input(shape=(28, 28, 1)), {layer}])")
    assert model.layers[1].output_shape == shape
    assert model.layers[1].params == count


def test_layer_names_are_keras_class_names():
    model = only_model("m = Sequential([Convolution2D(4, 3, 3, input_shape=(8, 8, 1)), MaxPool2D(), AvgPool2D()])")
    assert types(model) == ["Conv2D", "MaxPooling2D", "AveragePooling2D"]


def test_batch_normalization_counts_four_per_channel():
    model = only_model(
        "model = tf.keras.models.Sequential()\n"
        "model.add(tf.keras.layers.Input(shape=(784,)))\n"
        "model.add(tf.keras.layers.Dense(units=150))\n"
        "model.add(tf.keras.layers.BatchNormalization())\n"
        "model.add(tf.keras.layers.Activation('relu'))\n"
        "model.add(tf.keras.layers.Dense(10, use_bias=False))"
    )
    assert params(model) == [0, 117750, 600, 0, 1500]
    assert model.layers[3].activation == "relu"


def test_dense_on_a_higher_rank_input_acts_on_the_last_axis():
    model = only_model("m = Sequential([Dense(16, input_shape=(28, 28)), Flatten(), Dense(10)])")
    assert model.layers[0].output_shape == (None, 28, 16)
    assert params(model) == [464, 0, 4490]


def test_unknown_input_shape_leaves_the_first_layers_unknown():
    model = only_model("model = Sequential([Flatten(), Dense(32, input_dim=784), Dense(10, activation='sigmoid')])")
    assert params(model) == [0, None, 330]
    assert model.layers[1].output_shape == (None, 32) and model.layers[1].units == 32  # Flatten's output is 2-D
    assert model.total_params is None
    first = only_model("model = Sequential([Dense(32), Dense(10)])")
    assert params(first) == [None, 330]
    assert first.layers[0].output_shape is None  # the rank of the input is unknown


def test_unknown_layer_types_are_kept_with_unknown_counts():
    model = only_model("m = Sequential([LSTM(128, input_shape=(28, 28)), Dense(10)])")
    assert types(model) == ["LSTM", "Dense"]
    assert params(model) == [None, None]


# ---- the functional API ----

def test_functional_model_with_positional_inputs_and_outputs():
    model = only_model(
        "inputs = Input(shape=(784,))\n"
        "x = Dense(32, activation='relu')(inputs)\n"
        "outputs = Dense(10, activation='softmax')(x)\n"
        "model = Model(inputs, outputs)"
    )
    assert types(model) == ["InputLayer", "Dense", "Dense"]
    assert params(model) == [0, 25120, 330]
    assert model.layers[1].activation == "relu"


def test_functional_model_over_several_cells_with_keywords_and_rebinding():
    model = only_model(
        "x = keras.layers.Input(shape=(28, 28, 1))",
        "h = layers.Conv2D(16, 3, padding='same')(x)\nh = layers.Flatten()(h)\nh = layers.Dense(32)(h)",
        "y = layers.Dense(10)(h)",
        "cnn = keras.models.Model(inputs=x, outputs=y)",
    )
    assert (model.variable, model.cell) == ("cnn", 3)
    assert params(model) == [0, 160, 0, 401440, 330]


def test_functional_model_nested_calls_inside_a_function():
    model = only_model(
        "def build(units):\n"
        "    inp = tf.keras.Input((784,))\n"
        "    out = tf.keras.layers.Dense(10)(tf.keras.layers.Dense(128)(inp))\n"
        "    model = tf.keras.Model(inputs=[inp], outputs=[out])\n"
        "    return model\n"
    )
    assert model.variable == "model"
    assert params(model) == [0, 100480, 1290]


def test_functional_model_with_a_branch_is_unknown():
    model = only_model(
        "a = Input(shape=(8,))\nb = Dense(4)(a)\nc = Dense(4)(a)\nd = concatenate([b, c])\nout = Dense(1)(d)\n"
        "m = Model(a, out)"
    )
    assert model.layers == (CodeLayer("unknown", None),)
    assert model.total_params is None


def test_a_students_own_model_function_is_not_keras_model():
    found = facts(
        "def Model():\n"
        "    model = Sequential()\n"
        "    model.add(Dense(10, input_shape=(784,)))\n"
        "    return model\n"
        "model = Model()"
    )
    assert [(m.variable, m.total_params) for m in found.models] == [("model", 7850)]
    assert found.functions == ("Model",)


# ---- models over time ----

def test_rebuilding_a_variable_makes_a_second_model():
    found = facts(
        "model = Sequential([Dense(32, input_shape=(784,)), Dense(10)])",
        "model.compile(loss='categorical_crossentropy', optimizer='Adam')",
        "model = Sequential()\nmodel.add(Dense(128, input_shape=(784,)))",
        "model.add(Dense(10))",
    )
    assert [(m.variable, m.cell, m.total_params) for m in found.models] == [("model", 0, 25450), ("model", 2, 101770)]


def test_layers_added_in_a_loop_have_unknown_counts():
    model = only_model(
        "model = Sequential()\nmodel.add(Flatten(input_shape=(28, 28)))\n"
        "for units in [64, 32]:\n    model.add(Dense(units))\n"
        "model.add(Dense(10))"
    )
    assert types(model) == ["Flatten", "Dense", "Dense"]
    assert params(model) == [0, None, None]


def test_a_model_built_inside_a_loop_is_known():
    found = facts("for n in range(3):\n    model = Sequential()\n    model.add(Dense(10, input_shape=(784,)))")
    assert [m.total_params for m in found.models] == [7850]


def test_a_nested_model_counts_as_one_layer():
    found = facts(
        "model = Sequential([Flatten(input_shape=(28, 28)), Dense(128), Dense(10)])",
        "probability_model = tf.keras.Sequential([model, tf.keras.layers.Softmax()])",
    )
    assert found.models[1].layers == (CodeLayer("Sequential", 101770, (None, 10)), CodeLayer("Softmax", 0, (None, 10)))


# ---- names resolved to literals ----

def test_names_bound_once_are_resolved_even_in_later_cells():
    found = facts(
        "model = Sequential([Dense(n_hidden, input_shape=(784,)), Dense(n_classes)])",
        "model.fit(x, y, epochs=EPOCHS, batch_size=BATCH, validation_split=SPLIT)",
        "n_hidden = 128\nn_classes = 10\nEPOCHS = 50\nBATCH = 2 ** 6\nSPLIT = 0.2",
    )
    assert found.models[0].total_params == 101_770
    assert found.calls[0].args == {"epochs": 50, "batch_size": 64, "validation_split": 0.2}


def test_names_follow_the_notebook_order():
    found = facts("epochs = 10", "model.fit(x, y, epochs=epochs)", "epochs = 20", "model.fit(x, y, epochs=epochs)")
    assert [call.args["epochs"] for call in found.calls] == [10, 20]


def test_unresolvable_names_are_none():
    found = facts(
        "import sys\nepochs = int(sys.argv[1])\nmodel.fit(x, y, epochs=epochs)",
        "for bs in [32, 64]:\n    model.fit(x, y, batch_size=bs, epochs=size)",
        "def train(model, n):\n    model.fit(x, y, epochs=n)",
        "if flag:\n    verbose = 1\nelse:\n    verbose = 2\nmodel.fit(x, y, verbose=verbose)",
    )
    assert [call.args for call in found.calls] == [
        {"epochs": None}, {"batch_size": None, "epochs": None}, {"epochs": None}, {"verbose": None},
    ]


def test_tuples_of_names_and_arithmetic():
    model = only_model(
        "img_rows, img_cols = 28, 28\nnum_classes = 10\ninput_shape = (img_rows, img_cols, 1)\n"
        "model = Sequential([Flatten(input_shape=input_shape), Dense(2 * num_classes), Dense(num_classes)])"
    )
    assert params(model) == [0, 15700, 210]


def test_keras_channels_last_example_resolves_its_input_shape():
    model = only_model(
        "from keras import backend as K\nimg_rows, img_cols = 28, 28\n"
        "if K.image_data_format() == 'channels_first':\n    input_shape = (1, img_rows, img_cols)\n"
        "else:\n    input_shape = (img_rows, img_cols, 1)\n"
        "model = Sequential()\nmodel.add(Conv2D(32, kernel_size=(3, 3), input_shape=input_shape))"
    )
    assert params(model) == [320]


def test_dataset_shapes_flow_into_input_shape():
    model = only_model(
        "from keras.datasets import mnist\n(X_train, y_train), (X_test, y_test) = mnist.load_data()",
        "X_train = X_train.astype('float32') / 255",
        "model = Sequential()\nmodel.add(Flatten(input_shape=X_train.shape[1:]))\nmodel.add(Dense(512))",
    )
    assert params(model) == [0, 401920]


def test_reshaped_dataset_gives_input_dim():
    model = only_model(
        "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.cifar10.load_data()\n"
        "x_train = x_train.reshape(len(x_train), -1)\n"
        "model = Sequential([Dense(10, input_dim=x_train.shape[1])])"
    )
    assert params(model) == [30730]


# ---- compile / fit / evaluate calls ----

def test_compile_fit_evaluate_of_the_course():
    found = facts(
        COURSE_MLP + "model.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])",
        "result = model.fit(x_train, y_train, epochs=30, batch_size=64, validation_split=0.2)",
        "score = model.evaluate(x_test, y_test)\nprint('Test loss:', score[0])",
    )
    compile_, fit, evaluate = found.calls
    assert compile_.method == "compile" and compile_.receiver == "model" and compile_.cell == 0
    assert compile_.args == {"loss": "categorical_crossentropy", "optimizer": "Adam", "metrics": ["accuracy"]}
    assert (fit.method, fit.result, fit.cell) == ("fit", "result", 1)
    assert fit.args == {"epochs": 30, "batch_size": 64, "validation_split": 0.2}
    assert (evaluate.method, evaluate.result, evaluate.args) == ("evaluate", "score", {})
    assert found.calls_of("fit") == [fit]


@pytest.mark.parametrize(
    "optimizer, expected",
    [
        ("'adam'", "adam"),
        ("Adam()", "Adam"),
        ("keras.optimizers.Adam(learning_rate=1e-3)", "Adam"),
        ("tf.keras.optimizers.SGD(0.1)", "SGD"),
        ("opt", "RMSprop"),  # opt = RMSprop(...) in the same cell
    ],
)
def test_optimizer_is_recorded_by_name(optimizer, expected):
    found = facts(f"opt = RMSprop(lr=0.001)\nmodel.compile(optimizer={optimizer}, loss='mse')")
    assert found.calls[0].args["optimizer"] == expected


def test_other_named_arguments():
    found = facts(
        "model.compile(loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),"
        " optimizer='adam', metrics=[tf.keras.metrics.SparseCategoricalAccuracy(), 'acc'])\n"
        "history = model.fit(x, y, epochs=5, validation_data=(xv, yv), verbose=2,"
        " callbacks=[EarlyStopping(patience=3)])"
    )
    assert found.calls[0].args == {
        "loss": "SparseCategoricalCrossentropy", "optimizer": "adam", "metrics": ["SparseCategoricalAccuracy", "acc"],
    }
    assert found.calls[1].args == {"epochs": 5, "validation_data": True, "verbose": 2, "callbacks": ["EarlyStopping"]}
    assert found.calls[1].result == "history"


def test_keras1_nb_epoch_is_also_epochs_and_positional_arguments_are_named():
    found = facts("model.fit(X, Y, 128, nb_epoch=30)\nmodel.compile('rmsprop', 'mse')")
    assert found.calls[0].args == {"batch_size": 128, "nb_epoch": 30, "epochs": 30}
    assert found.calls[1].args == {"optimizer": "rmsprop", "loss": "mse"}


def test_call_results_and_receivers():
    found = facts(
        "loss, acc = model.evaluate(x, y, verbose=0)\n"
        "model.fit(x, y)\n"
        "self.history = net.fit(x, y)\n"
        "h2 = h1 = cnn.fit_generator(gen, epochs=3)\n"
        "print(mlp.evaluate(x, y))\n"
        "models[0].fit(x, y)"
    )
    assert [(c.method, c.receiver, c.result) for c in found.calls] == [
        ("evaluate", "model", None),
        ("fit", "model", None),
        ("fit", "net", None),
        ("fit_generator", "cnn", "h2"),
        ("evaluate", "mlp", None),
        ("fit", None, None),
    ]


def test_calls_inside_functions_and_loops_are_included():
    found = facts(
        "def train(model, epochs):\n"
        "    model.compile(loss='mse', optimizer='sgd')\n"
        "    return model.fit(x, y, epochs=epochs, batch_size=32)\n",
        "for lr in [0.1, 0.01]:\n    h = model.fit(x, y, epochs=3)",
    )
    assert [(c.method, c.cell, c.args.get("epochs"), c.result) for c in found.calls] == [
        ("compile", 0, None, None), ("fit", 0, None, None), ("fit", 1, 3, "h"),
    ]


def test_regex_compile_is_not_a_model_call():
    assert facts("import re\npattern = re.compile(r'\\d+')").calls == ()


# ---- functions ----

def test_top_level_functions_in_order_without_duplicates():
    found = facts(
        "def plot_history(h):\n    def inner():\n        pass\n",
        "class Callback:\n    def on_epoch_end(self):\n        pass\n",
        "async def fetch():\n    pass\nif True:\n    def hidden():\n        pass\n",
        "def build_model():\n    pass\ndef plot_history(h):\n    pass",
    )
    assert found.functions == ("plot_history", "fetch", "build_model")


# ---- magics, shell lines, Python 2 ----

@pytest.mark.parametrize(
    "magic",
    [
        "!nvidia-smi",
        "!pip install x",
        "! pip3 install keras-visualizer",
        "%matplotlib inline",
        "%tensorflow_version 2.x",
        "%pip install -q numpy",
        "files = !ls",
        "a, b = %sx ls",
        "?Sequential",
        "??Sequential",
        "Sequential?",
        "model.fit??",
        "!pip install \\\n    tensorflow",
    ],
)
def test_magic_lines_become_pass(magic):
    found = facts(f"EPOCHS = 3\n{magic}\nmodel.fit(x, y, epochs=EPOCHS)")
    assert found.syntax_errors == ()
    assert found.calls[0].args == {"epochs": 3}


def test_indented_magics_and_magics_in_blocks():
    found = facts("for i in range(3):\n    !echo {i}\n    %time model.evaluate(x, y)\nmodel.fit(x, y, epochs=i)")
    assert found.syntax_errors == ()
    assert [call.method for call in found.calls] == ["fit"]


def test_cell_magic_drops_its_first_line_and_keeps_line_numbers():
    found = facts("%%time\nmodel.fit(x, y, epochs=2)", "\n%%capture out\nmodel.evaluate(x, y)")
    assert found.syntax_errors == ()
    assert [call.method for call in found.calls] == ["fit", "evaluate"]


def test_non_python_cell_magics_are_skipped_without_error():
    found = facts("%%bash\nif [ -d x ]; then echo y; fi", "%%html\n<b>model.fit(</b>", "%%writefile a.py\nprint 'x'")
    assert found.syntax_errors == () and found.calls == ()


def test_magic_look_alikes_in_valid_code_are_left_alone():
    found = facts(
        "!ls\n"
        "text = ('value: %d'\n"
        "        % 3)\n"
        "doc = '''\n!not a command\n'''\n"
        "model.fit(x, y, epochs=5)  # why?\n"
        "model.evaluate(x, y, verbose=(1\n"
        "    != 2))"
    )
    assert found.syntax_errors == ()
    assert [call.args for call in found.calls] == [{"epochs": 5}, {"verbose": True}]


def test_python2_cells_are_recorded_and_the_rest_still_analysed():
    found = facts(
        "print 'loading'",
        "model = Sequential([Dense(10, input_shape=(784,))])",
        "exec 'x = 1'\nprint x",
        "model.fit(x, y, epochs=1)",
    )
    assert found.syntax_errors == (0, 2)
    assert [m.total_params for m in found.models] == [7850]
    assert len(found.calls) == 1


def test_an_indented_paste_is_dedented():
    assert facts("    model.fit(x, y, epochs=4)\n    model.evaluate(x, y)").syntax_errors == ()


# ---- robustness ----

@pytest.mark.parametrize(
    "source",
    [
        "",
        "\x00",
        "x = " + "+".join(["1"] * 20000),
        "x = " + "-" * 5000 + "1",
        "x = " + "(" * 500 + ")" * 500,
        "x = a" + "[0]" * 20000,
        "t = (1,)\n" + "t = (t,)\n" * 3000 + "model.fit(epochs=t)",
        "a = 10**6\n" + "a = a * a\n" * 200 + "model.fit(epochs=a)",
        "s = 'x' * 10**9\nmodel.fit(epochs=len(s))",
        "n = round(10**29, -10**9)\nmodel.fit(epochs=n)",
        "x = [1] * 10000\ny = x + x\nmodel.fit(epochs=y)",
        "".join("    " * i + "if x:\n" for i in range(95)) + "    " * 95 + "model.fit(epochs=1)",
        "a = b\nb = a\nmodel.fit(epochs=a)",
        "model = Sequential([model])\nmodel.add(model)\nmodel = Model(model, model)\nmodel(model)",
        "x = Input(shape=(-1, 0))\ny = Dense(-5)(x)\nm = Model(x, y)\n"
        "m2 = Sequential([Reshape((-1, -1)), Conv2D(0, 0)])",
        "model.fit(**kwargs)\nmodel.compile(*args)\nmodel.add()\nmodel.add(*layers)",
        "(X, y), (Xt, yt) = mnist.load_data()\nX = X.reshape(-1, 7)\nX = X[..., None]\nX = X[5:1:-1]\n"
        "m = Sequential([Dense(3, input_shape=X.shape[1:])])",
    ],
)
def test_never_raises_on_odd_code(source):
    result = facts(source, "model.fit(x, y, epochs=3)")
    assert result.calls[-1].args == {"epochs": 3}


def test_never_raises_on_fuzzed_corpus_code():
    sources = [cell for _, cells in _corpus_notebooks() for _, cell in cells] or [COURSE_MLP]
    tokens = ["(", ")", "[", "]", ",", "=", "\n", "    ", "%", "!", "?", "Dense(", "Sequential(", "model.add(",
              "Input(shape=(", ".fit(", "Model(", "outputs=", "input_shape=", "-1", "None", "...", "lambda:",
              "for i in x:\n    ", "def f(a):\n    ", "mnist.load_data()", ".shape[1:]", "10**30"]
    rng = random.Random(20240607)
    for _ in range(300):
        cells = []
        for index in range(rng.randint(1, 6)):
            text = list(rng.choice(sources))
            for _ in range(rng.randint(1, 6)):
                position = rng.randint(0, len(text))
                if rng.random() < 0.4:
                    del text[position:position + rng.randint(1, 5)]
                else:
                    text[position:position] = list(rng.choice(tokens))
            cells.append((index, "".join(text)))
        assert isinstance(analyze_cells(cells), CodeFacts)


# ---- real notebooks ----

def _corpus_notebooks() -> list[tuple[str, list[tuple[int, str]]]]:
    if not CORPUS.is_dir():
        return []
    from autograder.read.notebook import load_notebook

    notebooks = []
    for path in sorted(CORPUS.glob("*.ipynb")):
        cells = load_notebook(path).cells
        notebooks.append((path.stem, [(c.index, c.source) for c in cells if c.cell_type == "code"]))
    return notebooks


def _corpus_facts(stem: str) -> CodeFacts:
    path = CORPUS / f"{stem}.ipynb"
    if not path.is_file():
        pytest.skip(f"corpus notebook {path} not found")
    from autograder.read.notebook import load_notebook

    return analyze_cells([(c.index, c.source) for c in load_notebook(path).cells if c.cell_type == "code"])


# stem → ({cell where the model is built: `Total params` the notebook printed for it},
#         {cell of the fit call: (epochs of its `Epoch 1/N` line, batch_size in the code or None)})
REAL_NOTEBOOKS = {
    "colab_gpu_mnist_mlp_minimal_null_exec_counts": ({2: 932_362}, {3: (10, 128)}),
    "keras2_colab_mnist_cnn_student_gpuclass": ({0: 23_466}, {1: (10, 512)}),
    "tf215_colab_mnist_cnn_student_null_exec_counts": ({1: 23_466}, {3: (10, 512)}),
    "keras3_mnist_mlp_dropout_analysis_tf_xla_logs": ({5: 101_770}, {5: (10, 128)}),
    "udacity_mnist_mlp_dropout_keras2_tfbackend": ({12: 669_706}, {18: (10, 128)}),  # input_shape=X_train.shape[1:]
    "jp_mnist_mlp_keras2_summary_history": ({6: 397_510}, {12: (30, None)}),  # functional API
    "keras3_colab_gpu_cifar10_cnn_student": ({1: 727_114}, {4: (40, 512)}),
    "keras2_colab_cifar10_cnn_student": ({1: 727_114}, {4: (30, 512)}),
    "colab_gpu_mnist_cnn_dropout_keras2": ({3: 225_162}, {5: (20, 128)}),  # `if K.image_data_format() == …`
    "colab_gpu_mnist_cnn_exercise_solution_keras2": ({7: 271_670, 18: 260_476}, {11: (10, 64), 19: (20, 64)}),
    "mnist_mlp_exercise_solution_keras2_local": ({18: 79_510, 34: 134_860}, {23: (20, 128), 34: (20, 128)}),
    "keras2_mnist_cnn_typeerror": ({6: 405_306}, {10: (5, None)}),  # functional API
    "keras2_mnist_cnn_failed_training_out_of_order": ({9: 34_826}, {10: (15, 128)}),
    "keras3_digit_classification_local_gpu_tf_logs": ({8: 26_506, 17: 17_578}, {13: (10, 128), 19: (10, 128)}),
    "keras3_mnist_cnn_lab_partial_exec_counts": ({8: 93_322}, {12: (15, 64)}),
    "large_colab_gpu_cifar10_cnn_augmentation_keras2": (
        {12: 1_345_066, 19: 1_345_066}, {14: (100, 128), 21: (200, None)},  # fit_generator: epochs=200
    ),
    "fashion_mnist_keras2_cpu_exec_counts_from_201": ({26: 222_360}, {}),
    "keras2_colab_mnist_mlp_student_history": ({9: 50_890}, {13: (5, 128)}),
    "jp_tf_tutorial_overfit_underfit_local": ({32: 481, 38: 753, 41: 10_241, 44: 803_329, 58: 803_329}, {}),
    "keras3_colab_beginner_mnist_out_of_order": ({5: 101_770, 31: 101_770}, {19: (5, None), 34: (10, None)}),
    "keras3_mnist_nn_demo_typeerror": ({13: 101_770}, {23: (5, None)}),
    "tf215_colab_gpu_mit_lab2_mnist": ({26: 125_380}, {30: (5, 64)}),
}


@pytest.mark.parametrize("stem", sorted(REAL_NOTEBOOKS))
def test_real_notebook_totals_match_their_printed_summaries(stem):
    found = _corpus_facts(stem)
    totals, fits = REAL_NOTEBOOKS[stem]
    computed = {}
    for model in found.models:
        computed.setdefault(model.cell, model.total_params)
    assert {cell: computed.get(cell) for cell in totals} == totals
    fit_args = {call.cell: call.args for call in found.calls if call.method.startswith("fit")}
    assert {cell: (fit_args[cell].get("epochs"), fit_args[cell].get("batch_size")) for cell in fits} == fits


def test_real_functional_notebook_layers():
    model = _corpus_facts("jp_mnist_mlp_keras2_summary_history").models[0]
    assert model.variable == "mlp"
    assert model.layers == (
        CodeLayer("InputLayer", 0, (None, 784)),
        CodeLayer("Dense", 392_500, (None, 500), units=500, activation="relu"),
        CodeLayer("Dense", 5_010, (None, 10), units=10, activation="softmax"),
    )


def test_real_notebook_with_python2_cells():
    found = _corpus_facts("nbformat3_cs231n_two_layer_net_py2")
    assert 4 in found.syntax_errors and found.models == ()
    assert found.functions[:2] == ("rel_error", "init_toy_model")


def test_real_notebooks_never_raise():
    notebooks = _corpus_notebooks()
    if not notebooks:
        pytest.skip(f"corpus not found at {CORPUS}")
    for stem, cells in notebooks:
        assert isinstance(analyze_cells(cells), CodeFacts), stem
