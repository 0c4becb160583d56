"""課題4 Dropout, content only: the cells comparing a deeper model without and with ``Dropout(0.5)`` (Fashion-MNIST).

Imports ``assignments.build.cells`` and ``assignments.build.common`` only; parameter counts, epochs and the
target accuracy come from the spec.
"""
# ruff: noqa: E501 - the long lines are lines of the notebooks (Japanese text, visible tests); wrapping them would change the notebooks.
from __future__ import annotations

from assignments.build.cells import Cell, answer, code, md, solution, test
from assignments.build.common import (
    THINK_PROMPT,
    evaluate_cells,
    evaluate_solution,
    evaluate_text,
    history_test,
    model_test,
    opening_cells,
    summary_params,
)
from autograder.model.format import count
from autograder.model.spec import Spec

MODEL_CODE = """
from keras.models import Sequential
from keras.layers import Dense

### BEGIN SOLUTION
model = Sequential()
model.add(Dense(128, input_shape=(784,), activation='relu'))
model.add(Dense(64, activation='relu'))
model.add(Dense(32, activation='relu'))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])
### END SOLUTION
model.summary()
"""

DROPOUT_TEXT = """
## Dropout を加えてみよう
Dropout は過学習を防ぐための対策の 1 つで、学習時に設定した確率でニューロンの出力を 0 にする手法です。
推論時には何も行わず、学習時にのみ行われます。これにより、特定のニューロンの評価だけに依存し過ぎることを避けて、
より頑健な（= データの本質的な構造を捉えた）特徴を学習することを促します。

```
from keras.layers import Dropout
model2.add(Dropout(0.5))
```

最初の `Dense(128, ...)` のすぐ後に `Dropout(0.5)` を入れた **`model2`** を作りましょう。それ以外は上の `model` と同じです。
Dropout にはパラメータ（$w$ と $b$）がないので、総パラメータ数は同じ **{total}** のままです。
"""

MODEL2_CODE = """
from keras.layers import Dropout

### BEGIN SOLUTION
model2 = Sequential()
model2.add(Dense(128, input_shape=(784,), activation='relu'))
model2.add(Dropout(0.5))
model2.add(Dense(64, activation='relu'))
model2.add(Dense(32, activation='relu'))
model2.add(Dense(10, activation='softmax'))
model2.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])
### END SOLUTION
model2.summary()
"""

COMPARE_TEXT = """
## 比べてみよう
左が Dropout なし（`result`）、右が Dropout あり（`result2`）の誤差の学習曲線です（このセルは自由に変えて構いません）。
最後のエポックの `val_loss - loss`（検証用と学習用の誤差の差）も表示します。差が大きいほど、学習用データに合わせ過ぎています。
"""

COMPARE_CODE = """
import matplotlib.pyplot as plt

plt.figure(figsize=(12,4))
plt.subplot(1,2,1)
plt.plot(result.history['loss'],label='loss')
plt.plot(result.history['val_loss'],label='val_loss')
plt.title('without Dropout')
plt.legend()
plt.subplot(1,2,2)
plt.plot(result2.history['loss'],label='loss')
plt.plot(result2.history['val_loss'],label='val_loss')
plt.title('with Dropout(0.5)')
plt.legend()
plt.show()

gap = result.history['val_loss'][-1] - result.history['loss'][-1]
gap2 = result2.history['val_loss'][-1] - result2.history['loss'][-1]
print('val_loss - loss（Dropout なし）:', gap)
print('val_loss - loss（Dropout あり）:', gap2)
"""

GAP_TEST = """
# テスト: 最後のエポックの val_loss - loss が、Dropout ありの方が小さいこと
gap = result.history['val_loss'][-1] - result.history['loss'][-1]
gap2 = result2.history['val_loss'][-1] - result2.history['loss'][-1]
assert gap2 < gap, f'Dropout ありの差 {gap2:.4f} が、なしの差 {gap:.4f} より小さくなっていません。'
"""

THINK_TEXT = """
## 考えてみよう
- Dropout を加えると、過学習は抑えられたでしょうか？ 学習曲線と `val_loss - loss` から考えましょう。
- テストデータの正解率（Test accuracy）は、Dropout なしと比べてどうなりましたか？
- 実際は、過学習を抑えつつ精度をどれだけ上げられるかを検討します。層やニューロンの数、Dropout の確率を変えるとどうなるでしょうか？
"""

THINK_EXAMPLE = """
**解答例**: Dropout なしでは val_loss が途中から上がり続け、最後のエポックの val_loss − loss が大きくなっていました（過学習）。
Dropout を加えると loss の下がり方はゆるやかになりますが、val_loss は上がりにくくなり、val_loss − loss の差は小さくなりました。Dropout で過学習を抑制できています。
テストデータの正解率も、Dropout なし（0.877 くらい）より Dropout あり（0.885 くらい）の方が少し高くなりました。
"""


def _fit_args(spec: Spec) -> str:
    return f"epochs={spec.check('histories').params['epochs']}, batch_size=64, validation_split=0.2"


def _deeper_model_cells(spec: Spec) -> list[Cell]:
    """``model``: three hidden layers (128 → 64 → 32), trained and evaluated without Dropout."""
    total, layers = summary_params(spec)
    epochs = spec.check("histories").params["epochs"]
    return [
        md(f"""
## 層を追加してみよう
中間層を 128 → 64 → 32 の 3 層にします。

| 層 | 計算 | パラメータ数 |
|---|---|---|
| Dense(128) | $(784+1) \\times 128$ | {count(layers[0])} |
| Dense(64) | $(128+1) \\times 64$ | {count(layers[1])} |
| Dense(32) | $(64+1) \\times 32$ | {count(layers[2])} |
| Dense(10) | $(32+1) \\times 10$ | {count(layers[3])} |

合計 **{count(total)}** になることを `model.summary()` で確かめ、{epochs} エポック学習させて、テストデータで評価します。
"""),
        solution("answer_model", MODEL_CODE),
        solution("answer_fit", f"""
### BEGIN SOLUTION
result = model.fit(x_train, y_train, {_fit_args(spec)})
### END SOLUTION
"""),
        evaluate_solution(),
    ]


def _dropout_model_cells(spec: Spec) -> list[Cell]:
    """``model2``: the same model with ``Dropout(0.5)``, its tests, trained the same way."""
    total, _ = summary_params(spec)
    fit_args = _fit_args(spec)
    return [
        md(DROPOUT_TEXT.replace("{total}", count(total))),
        solution("answer_model2", MODEL2_CODE),
        model_test(spec, "summary_total_params", ["model", "model2"]),
        test(spec, "dropout_layer", """
# テスト: model2 に Dropout の層があること
assert any(type(layer).__name__ == 'Dropout' for layer in model2.layers), 'model2 に Dropout がありません。'
""", """
kernel.check_model(model2, 'dropout', 'dropout_layer')
"""),
        md(f"`model2` も同じ条件（{fit_args}）で学習させ、戻り値を `result2` という名前で受け取ります。"),
        solution("answer_fit2", f"""
### BEGIN SOLUTION
result2 = model2.fit(x_train, y_train, {fit_args})
### END SOLUTION
"""),
        history_test(spec, "histories", ["result", "result2"]),
    ]


def _compare_cells(spec: Spec) -> list[Cell]:
    """Both loss curves side by side, the last epoch's ``val_loss - loss`` and its test."""
    return [
        md(COMPARE_TEXT),
        code(COMPARE_CODE),
        test(spec, "overfitting_gap", GAP_TEST, """
kernel.check_histories([result, result2], 'dropout', 'overfitting_gap')
"""),
    ]


def _evaluate_model2_cells(spec: Spec) -> list[Cell]:
    """``model2`` on the test data: the graded accuracy of 課題4."""
    return [
        md(evaluate_text(spec.check("test_accuracy").params["min"]).replace(
            "## テストデータで評価する", "## Dropout ありのモデルをテストデータで評価する")
           + "\n`model2` を評価して、`score2` という名前で受け取ります（最後に表示した Test accuracy で採点します）。"),
        *evaluate_cells(spec, model="model2", score="score2"),
    ]


def dropout(spec: Spec) -> list[Cell]:
    """The cells of 課題4, in order."""
    return [
        *opening_cells(spec, "fashion_mnist"),
        *_deeper_model_cells(spec),
        *_dropout_model_cells(spec),
        *_compare_cells(spec),
        *_evaluate_model2_cells(spec),
        md(THINK_TEXT),
        answer(THINK_PROMPT, THINK_EXAMPLE),
    ]
