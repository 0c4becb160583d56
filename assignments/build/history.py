"""課題3 学習の記録, content only: the cells about ``result.history`` (Fashion-MNIST, Dense(128), the best epoch).

Imports ``assignments.build.cells`` and ``assignments.build.common`` only; parameter counts, epochs and the
target accuracy come from the spec.
"""
# ruff: noqa: E501 - the long lines are lines of the notebooks (Japanese text, visible tests); wrapping them would change the notebooks.
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assignments.build.cells import Cell, answer, md, solution, test
from assignments.build.common import (
    THINK_PROMPT,
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

BEST_EPOCH_TEXT = """
## 一番良いエポックは？
検証用データの誤差 `val_loss` が一番小さいエポックを求めて、`best epoch: 12` のように表示しましょう。

- `np.argmin(リスト)` は、一番小さい値の位置を返します。位置は 0 から数えるので、エポック（1 から数える）にするには 1 を足します。
- 変数 `best` に入れてください（テストで使います）。
"""

BEST_EPOCH_CODE = """
import numpy as np

### BEGIN SOLUTION
best = int(np.argmin(result.history['val_loss'])) + 1
### END SOLUTION
print('best epoch:', best)
print('最小の val_loss は', min(result.history['val_loss']))
"""

THINK_TEXT = """
## 考えてみよう
学習曲線と `result.history` から、次のことを読み取りましょう。

- 学習用データ（loss, accuracy）と検証用データ（val_loss, val_accuracy）で違いはありますか？
- 過学習しているでしょうか？ そう考えた理由は？
- エポック数はいくつがよさそうでしょうか？（一番良いエポックは？）
- 検証用データとテストデータの正解率はどれくらいですか？
"""

THINK_EXAMPLE = """
**解答例**: loss は最後まで下がり続け accuracy も上がり続けますが、val_loss は 10〜20 エポックくらいで一番小さくなり、その後は上がっています。
train は loss も小さく accuracy も高いのに、val は精度が悪い（test も悪い）ので、train のデータに合わせて学習し過ぎています。この状態を過学習といいます。
エポック数は、val_loss が一番小さい best epoch くらいがよさそうです。検証用データとテストデータの正解率は 0.88 前後で、学習用データ（0.92 以上）より低くなっています。
"""


def _model_text(total: int, layers: list[int]) -> str:
    return f"""
## モデルを作る
課題2 のモデルの中間層のニューロンを 32 個から **128 個**に増やします。

$$(784+1) \\times 128 = {count(layers[0])}$$

$$(128+1) \\times 10 = {count(layers[1])}$$

$${count(layers[0])} + {count(layers[1])} = {count(total)}$$

`model.summary()` で総パラメータ数が **{count(total)}** になることを確かめましょう。
"""


def _history_cells(spec: Spec, fit: Mapping[str, Any]) -> list[Cell]:
    """Print ``result.history`` (a dict of per-epoch lists) and test its keys."""
    return [
        md(f"""
## result.history の中身
`print(result.history)` で、エポック {fit['epochs']} 回分の誤差と正解率を表示しましょう。

`result.history` は辞書型（`{{key: value, key: value, ...}}`）のデータです。

```
{{'loss': [1回目の学習用データの損失, 2回目の学習用データの損失, ..., {fit['epochs']}回目の学習用データの損失],
 'accuracy': [1回目の学習用データの正解率, ...],
 'val_loss': [1回目の検証用データの損失, ...],
 'val_accuracy': [1回目の検証用データの正解率, ...]}}
```

辞書型は `変数名[key]` で value を取り出せます。`result.history['loss']` で、各エポックの誤差のリストが取り出せます。
"""),
        solution("answer_print_history", """
### BEGIN SOLUTION
print(result.history)
### END SOLUTION
"""),
        history_test(spec, "history_printed", ["result"]),
    ]


def _best_epoch_cells(spec: Spec, fit: Mapping[str, Any]) -> list[Cell]:
    """The epoch with the smallest ``val_loss`` (counted from 1) and its test."""
    return [
        md(BEST_EPOCH_TEXT),
        solution("answer_best_epoch", BEST_EPOCH_CODE),
        test(spec, "best_epoch", f"""
# テスト: val_loss が一番小さいエポック（1 から数える）
assert 1 <= best <= len(result.history['val_loss']), f'best が {{best}} です。1 から {fit['epochs']} のエポック番号にしましょう。'
assert result.history['val_loss'][best - 1] == min(result.history['val_loss']), f'エポック {{best}} の val_loss は最小ではありません。'
""", """
kernel.check_best_epoch(best, result, 'history', 'best_epoch')
"""),
    ]


def history(spec: Spec) -> list[Cell]:
    """The cells of 課題3, in order."""
    total, layers = summary_params(spec)
    fit = spec.check("fit_args").params
    return [
        *opening_cells(spec, "fashion_mnist"),
        md(_model_text(total, layers)),
        *dense_model_cells(spec, 128),
        md(f"## 学習させる\n今回は epochs={fit['epochs']} で学習させます。\n"
           + fit_text(fit["epochs"], fit["batch_size"], fit["validation_split"])),
        *fit_cells(spec),
        *_history_cells(spec, fit),
        *plot_cells(spec),
        *_best_epoch_cells(spec, fit),
        *evaluate_section(spec),
        md(THINK_TEXT),
        answer(THINK_PROMPT, THINK_EXAMPLE),
    ]
