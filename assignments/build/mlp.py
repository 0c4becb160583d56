"""課題2 MLP, content only: the cells of the first Keras model (MNIST, Dense(32) → Dense(10)).

Imports ``assignments.build.cells`` and ``assignments.build.common`` only; parameter counts, epochs and the
target accuracy come from the spec.
"""
# ruff: noqa: E501 - the long lines are lines of the notebooks (Japanese text, visible tests); wrapping them would change the notebooks.
from __future__ import annotations

from assignments.build.cells import Cell, answer, code, md
from assignments.build.common import (
    THINK_PROMPT,
    compile_test,
    dense_model_cells,
    evaluate_section,
    fit_cells,
    fit_text,
    history_test,
    opening_cells,
    plot_cells,
    summary_params,
)
from autograder.model.format import count
from autograder.model.spec import Spec

PREDICT_TEXT = """
## 予測してみる
`model.predict()` で、10,000 枚の予測結果（各数字である確率）が得られます。最大の確率の数字が予測した値です。
`np.argmax()` で、一番大きい値の位置（= 予測した数字）が分かります（このセルは自由に変えて構いません）。
"""

PREDICT_CODE = """
import numpy as np

test2 = model.predict(x_test, verbose=0)
print(np.around(test2[1], 3))
print('予測:', np.argmax(test2[1]), ' 正解:', np.argmax(y_test[1]))
"""

THINK_TEXT = """
## 考えてみよう
学習曲線の loss と val_loss、accuracy と val_accuracy を比べてみましょう。

- 学習用データ（loss）と検証用データ（val_loss）で、誤差の下がり方に違いはありますか？
- 過学習しているでしょうか？ 何エポックくらいから val_loss が下がらなくなりましたか？
"""

THINK_EXAMPLE = """
**解答例**: loss はエポックが進むにつれて下がり続けますが、val_loss は 10 エポックくらいから下がらなくなり、少しずつ上がっています。
accuracy は 0.99 近くまで上がるのに、val_accuracy は 0.96〜0.97 くらいで止まっています。
学習用データに合わせて学習し過ぎている（過学習している）と考えられます。
"""


def _model_text(total: int, layers: list[int]) -> str:
    return f"""
## モデルを作る
入門編で行った深層学習は、実は MLP（Multi Layer Perceptron: 多層パーセプトロン）です。

- `model = Sequential()`: "model" という変数名で Sequential() を使う
- `model.add()` で層を追加する。`Dense()` で次の層のニューロンと全てつなげる（全結合）
- `Dense(32, input_shape=(784,), activation='relu')`: 次の層のニューロンが 32 個、入力する変数の数が 784、活性化関数は ReLU 関数
- `Dense(10, activation='softmax')`: MNIST は 10 クラスあるので、出力するニューロンは 10 個。活性化関数は softmax 関数（最初の層以外は `input_shape` は要らない）
- `model.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])`: 損失関数は categorical crossentropy、最適化アルゴリズムは Adam、評価関数は正解率
- `model.summary()`: 作ったモデルの要約を表示する

params はパラメーター（変数）のことで、$w$ と $b$ の数です。1 つのニューロンには、前の層の全てのニューロンからの重み $w$ と、バイアス項 $b$ が 1 つあります。

$$\\mu_1 = x_1 \\times w_1 + x_2 \\times w_2 + \\cdots + x_{{784}} \\times w_{{784}} + b$$

$$(784+1) \\times 32 = {count(layers[0])}$$

$$(32+1) \\times 10 = {count(layers[1])}$$

$${count(layers[0])} + {count(layers[1])} = {count(total)}$$

スライドの通りにモデルを作り、`model.summary()` で総パラメータ数（Total params）が **{count(total)}** になることを確かめましょう。
"""


def mlp(spec: Spec) -> list[Cell]:
    """The cells of 課題2, in order."""
    total, layers = summary_params(spec)
    fit = spec.check("fit_args").params
    return [
        *opening_cells(spec, "mnist"),
        md(_model_text(total, layers)),
        *dense_model_cells(spec, 32),
        compile_test(spec),
        md("## 学習させる\n" + fit_text(fit["epochs"], fit["batch_size"], fit["validation_split"])),
        *fit_cells(spec),
        history_test(spec, "history", ["result"]),
        *plot_cells(spec),
        *evaluate_section(spec),
        md(PREDICT_TEXT),
        code(PREDICT_CODE),
        md(THINK_TEXT),
        answer(THINK_PROMPT, THINK_EXAMPLE),
    ]
