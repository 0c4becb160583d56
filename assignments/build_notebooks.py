"""Build the course's notebooks from one description: nbgrader sources and the students' solution notebooks.

Uses nbformat and ``autograder.spec`` only (no TensorFlow, no nbgrader). Numbers that the grader checks
(parameter counts, epochs, thresholds, truth tables, points) are read from ``autograder/specs/<id>.toml``,
so after changing a spec, run this script again and commit what it writes:

    python assignments/build_notebooks.py          # writes assignments/source/<id>/<id>.ipynb, solutions/<id>.ipynb
    python assignments/build_notebooks.py --check  # exit 1 if a committed notebook differs from what it would write

Each test cell's ``grade_id`` is the id of the spec check it tests and its points are that check's points, so
nbgrader's total equals the spec's ``total_points``. A test cell holds visible tests (plain ``assert``s that
also work on Colab, where ``autograder`` is not installed) and hidden tests, which call ``autograder.kernel``:
the static grader's own checks, run on the live objects when nbgrader autograde executes the notebook.

The solution notebook is the source with the solution markers taken out, the hidden tests removed, the
nbgrader metadata dropped, and the "考えてみよう" cells filled with an example answer (解答例).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from autograder.judge.spec import load_spec  # noqa: E402
from autograder.model.spec import Spec

ASSIGNMENTS = ("perceptron", "mlp", "history", "dropout")
SOURCE_DIR = HERE / "source"
SOLUTION_DIR = REPO / "solutions"

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


# ------------------------------------------------------------------ cells

@dataclass
class Cell:
    kind: str  # "md", "code", "locked", "solution", "test", "answer"
    source: str
    grade_id: str | None = None
    points: float | None = None
    example: str | None = None  # for "answer": the 解答例 of the solution notebook


def md(text: str) -> Cell:
    return Cell("md", text.strip("\n"))


def code(text: str) -> Cell:
    """A plain code cell the student may change (not graded)."""
    return Cell("code", text.strip("\n"))


def locked(grade_id: str, text: str) -> Cell:
    """A read-only cell: nbgrader restores it from the source when grading."""
    return Cell("locked", text.strip("\n"), grade_id)


def solution(grade_id: str, text: str) -> Cell:
    """A cell with ``### BEGIN SOLUTION`` … ``### END SOLUTION`` regions, replaced by a stub in the release."""
    assert BEGIN_SOLUTION in text, grade_id
    return Cell("solution", text.strip("\n"), grade_id)


def test(spec: Spec, check_id: str, visible: str, hidden: str) -> Cell:
    """An autograded test cell for one spec check: same id, same points."""
    check = spec.check(check_id)
    hidden_lines = "\n".join(["from autograder import kernel", *hidden.strip("\n").splitlines()])
    text = f"{visible.strip()}\n{BEGIN_HIDDEN}\n{hidden_lines}\n{END_HIDDEN}"
    return Cell("test", text, check.id, check.points)


def answer(prompt: str, example: str) -> Cell:
    """A markdown cell for the student's thoughts (ungraded); the solution notebook shows ``example``."""
    return Cell("answer", prompt.strip("\n"), example=example.strip("\n"))


def _num(x: float | int) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:g}"


# ------------------------------------------------------------------ shared text

def intro(spec: Spec, gpu_note: str = "") -> Cell:
    n = spec.number
    return md(f"""
# {spec.title}

## はじめに（必ず読んでください）

### 1. GPU に切り替える
実行する前に、ランタイムを GPU に切り替えます。

1. メニューの「ランタイム」→「ランタイムのタイプを変更」
2. 「ハードウェア アクセラレータ」を **CPU** から **T4 GPU** に変更して「保存」
3. 「ランタイムを接続解除して削除」と聞かれたら「OK」

{gpu_note or "切り替えたら、下の「GPU の確認」のセルを実行して、`[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]` と表示されることを確かめましょう。`[]` と表示されたら CPU のままです。"}

### 2. 進め方
- 上のセルから順に実行します。
- `# ここにコードを書く` と `raise NotImplementedError()` の 2 行を消して、自分のコードを書きます。
- 「テスト」のセルは答えを確かめるためのセルです。エラー（`AssertionError`）が出たら、メッセージを読んで直しましょう。テストのセルは変更しないでください。
- 変更できないセル（データの読み込み、GPU の確認など）はそのまま実行します。
- **出力を消さずに保存します。** 採点は保存された出力で行います。

### 3. 提出
1. 最後に「ランタイム」→「再起動してすべてのセルを実行」で、上から順にエラーなく実行できることを確かめます。
2. 「ファイル」→「ダウンロード」→「.ipynb をダウンロード」で保存し、ファイル名を **`学籍番号_名前_{n}.ipynb`** にします（例: `24M0123_須藤_{n}.ipynb`）。
3. 提出する前に、`autograder check 学籍番号_名前_{n}.ipynb` で自分で確認できます（保存された出力を読むだけで、実行はしません。インストールの方法は WebClass の案内を見てください）。
4. WebClass に提出します。

締め切りを過ぎた課題は受け取らないので注意して下さい。
""")


def gpu_cells(spec: Spec) -> list[Cell]:
    return [
        md("""
## GPU の確認
TensorFlow が使える GPU を表示します（このセルは変更しないでください）。
`[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]` と表示されれば GPU で動いています。
`[]` と表示されたら CPU のままなので、「ランタイム」→「ランタイムのタイプを変更」で T4 GPU を選んでから、最初から実行し直しましょう。
"""),
        locked("gpu_check", """
import tensorflow as tf
print(tf.config.list_physical_devices('GPU'))
"""),
        test(spec, "gpu", """
# テスト: GPU で実行していること（採点では、この上のセルの表示を見ます）
if not tf.config.list_physical_devices('GPU'):
    print('GPU が見つかりません。「ランタイム」→「ランタイムのタイプを変更」で T4 GPU を選び、最初から実行し直してください。')
""", f"""
kernel.check_gpu('{spec.id}', 'gpu')
"""),
    ]


def load_cells(dataset: str) -> list[Cell]:
    about = {
        "mnist": "手書き数字（0〜9）の画像データ MNIST を読み込みます。学習用 60,000 枚、テスト用 10,000 枚で、1 枚は 28×28 の白黒画像です。",
        "fashion_mnist": ("衣料品の画像データ Fashion-MNIST を読み込みます。MNIST と同じく学習用 60,000 枚、テスト用 10,000 枚、"
                          "1 枚は 28×28 の白黒画像で、10 種類（0: T-shirt/top, 1: Trouser, 2: Pullover, 3: Dress, 4: Coat, "
                          "5: Sandal, 6: Shirt, 7: Sneaker, 8: Bag, 9: Ankle boot）に分類します。"),
    }[dataset]
    return [
        md(f"""
## データを読み込む
{about}（このセルと次のセルは変更しないでください）
"""),
        locked("load_data", f"""
from tensorflow.keras.datasets import {dataset}
(x_train, y_train), (x_test, y_test) = {dataset}.load_data()

print(x_train.shape)
print(y_train.shape)
print(x_test.shape)
print(y_test.shape)
"""),
        md("""
## データを加工する
- `x_train, x_test`: 画像の 2 次元配列（28×28）を 1 次元（784）にして、255 で割って 0〜1 に正規化する
- `y_train, y_test`: one-hot encoding で 0 と 1 だけの配列にする（例: 2 → `[0, 0, 1, 0, 0, 0, 0, 0, 0, 0]`）
"""),
        locked("preprocess", """
from tensorflow.keras.utils import to_categorical

x_train = x_train.reshape(x_train.shape[0], 784) / 255
x_test = x_test.reshape(x_test.shape[0], 784) / 255
y_train = to_categorical(y_train, 10)
y_test = to_categorical(y_test, 10)

print(x_train.shape, x_test.shape)
print(y_train.shape, y_test.shape)
"""),
    ]


def fit_text(epochs: int, batch_size: int, validation_split: float) -> str:
    return f"""
`model.fit()` で実際に学習が行われます。学習用データを丸ごと学習させずに、一部を検証用に取っておきます（ホールドアウト法）。

- `epochs={epochs}`: {epochs} 回学習させる
- `batch_size={batch_size}`: {batch_size} 枚ずつ取り出して学習させる（{_num(48000)} ÷ {batch_size} = {_num(48000 // batch_size)} 回重みを更新）
- `validation_split={validation_split:g}`: 学習用データの {validation_split:g}（{int(validation_split * 10)} 割）を検証用データに使う

戻り値を `result` という名前で受け取ってください。`result.history` に学習の記録が入ります。
"""


def plot_code(figsize: str = "(12,4)") -> str:
    return f"""
### BEGIN SOLUTION
fig = plt.figure(figsize={figsize})
plt.subplot(1,2,1)
plt.plot(result.history['loss'],label='loss')
plt.plot(result.history['val_loss'],label='val_loss')
plt.legend()
plt.subplot(1,2,2)
plt.plot(result.history['accuracy'],label='accuracy')
plt.plot(result.history['val_accuracy'],label='val_accuracy')
plt.legend()
### END SOLUTION
plt.show()
"""


PLOT_TEXT = """
## 学習曲線を描く
`result.history` は辞書型で、`result.history['loss']` のように key を指定すると、エポックごとの値のリストが取り出せます。

- 縦 1、横 2 の 1 つ目（`plt.subplot(1,2,1)`）: 誤差（`loss` と `val_loss`）の折れ線グラフ
- 縦 1、横 2 の 2 つ目（`plt.subplot(1,2,2)`）: 正解率（`accuracy` と `val_accuracy`）の折れ線グラフ
- `label=` を付けて `plt.legend()` で凡例を表示します

図は `fig = plt.figure(figsize=(12,4))` として、`fig` という名前で作ってください（テストで使います）。
"""


def evaluate_text(minimum: float) -> str:
    return f"""
## テストデータで評価する
`model.evaluate()` で、学習にも検証にも使っていない 10,000 枚のテストデータで評価します。
`score = model.evaluate(特徴量, 正解)` で、`score[0]` に損失、`score[1]` に正解率が入ります。

目標: テストデータの正解率（Test accuracy）が **{minimum:g} 以上**。
"""


def evaluate_cells(spec: Spec, check_id: str = "test_accuracy", model: str = "model", score: str = "score") -> list[Cell]:
    minimum = spec.check(check_id).params["min"]
    return [
        solution(f"answer_evaluate_{model}", f"""
### BEGIN SOLUTION
{score} = {model}.evaluate(x_test, y_test)
### END SOLUTION
print('Test loss:', {score}[0])
print('Test accuracy:', {score}[1])
"""),
        test(spec, check_id, f"""
# テスト: テストデータの正解率（目標 {minimum:g} 以上）
assert len({score}) == 2, '{score} に {model}.evaluate(x_test, y_test) の結果を入れてください（{score}[0] が損失、{score}[1] が正解率）。'
assert 0 <= {score}[1] <= 1, '{score}[1] は正解率（0〜1）です。'
if {score}[1] < {minimum!r}:
    print('まだ目標に届いていません。モデルとエポック数を見直しましょう。')
""", f"""
kernel.check_score({score}, '{spec.id}', '{check_id}')
"""),
    ]


def model_test(spec: Spec, check_id: str, models: list[str]) -> Cell:
    total = spec.check(check_id).params["total"]
    visible = "\n".join(
        f"assert {m}.count_params() == {total}, f'{m} の総パラメータ数が {{{m}.count_params():,}} です。{_num(total)} になるように層を作りましょう。'"
        for m in models)
    hidden = (f"kernel.check_model({models[0]}, '{spec.id}', '{check_id}')" if len(models) == 1
              else f"kernel.check_models([{', '.join(models)}], '{spec.id}', '{check_id}')")
    return test(spec, check_id, f"# テスト: 総パラメータ数が {_num(total)} になっていること\n{visible}", hidden)


def fit_test(spec: Spec, check_id: str = "fit_args", result: str = "result") -> Cell:
    p = spec.check(check_id).params
    return test(spec, check_id, f"""
# テスト: fit(epochs={p['epochs']}, batch_size={p['batch_size']}, validation_split={p['validation_split']:g}) で学習したこと
assert len({result}.history['loss']) == {p['epochs']}, f"学習したエポック数が {{len({result}.history['loss'])}} です。epochs={p['epochs']} にしましょう。"
assert 'val_loss' in {result}.history, 'val_loss がありません。validation_split={p['validation_split']:g} を指定しましょう。'
""", f"""
kernel.check_fit('{spec.id}', '{check_id}')
""")


def history_test(spec: Spec, check_id: str, results: list[str]) -> Cell:
    p = spec.check(check_id).params
    keys = ", ".join(p["keys"])
    visible = "\n".join(
        f"assert all(k in {r}.history for k in {list(p['keys'])!r}), f'{r}.history に {keys} が必要です（今は {{list({r}.history)}}）。'"
        for r in results)
    if "epochs" in p:
        visible += "\n" + "\n".join(
            f"assert len({r}.history['loss']) == {p['epochs']}, '{r} のエポック数が {p['epochs']} ではありません。'" for r in results)
    hidden = (f"kernel.check_history({results[0]}, '{spec.id}', '{check_id}')" if len(results) == 1
              else f"kernel.check_histories([{', '.join(results)}], '{spec.id}', '{check_id}')")
    return test(spec, check_id, f"# テスト: 学習の記録に {keys} があること\n{visible}", hidden)


def figure_test(spec: Spec, check_id: str = "learning_curve") -> Cell:
    axes = spec.check(check_id).params.get("axes")
    visible = "# テスト: 学習曲線の図（fig）があること\nassert len(fig.axes) >= 1, '図にグラフがありません。'"
    if axes:
        visible += f"\nassert len(fig.axes) == {axes}, f'グラフの数が {{len(fig.axes)}} です。plt.subplot(1,2,1) と plt.subplot(1,2,2) で {axes} つ並べましょう。'"
    return test(spec, check_id, visible, f"kernel.check_figure(fig, '{spec.id}', '{check_id}', result)")


def compile_test(spec: Spec, check_id: str = "compile_args") -> Cell:
    p = spec.check(check_id).params
    return test(spec, check_id, f"""
# テスト: compile の設定（損失関数・最適化アルゴリズム・評価関数）
assert model.loss == {p['loss']!r}, "loss={p['loss']!r} にしましょう。"
assert type(model.optimizer).__name__.lower() == {p['optimizer'].lower()!r}, "optimizer='Adam' にしましょう。"
""", f"""
kernel.check_compile(model, '{spec.id}', '{check_id}')
""")


# ------------------------------------------------------------------ 課題1: パーセプトロン

def perceptron(spec: Spec) -> list[Cell]:
    mu = spec.check("example_mu").params["value"]
    z = spec.check("example_z").params["value"]
    gates = {g: spec.check(f"gate_{g.lower()}").params["value"] for g in ("AND", "OR", "NAND")}
    inputs = [(0, 0), (0, 1), (1, 0), (1, 1)]
    table = "\n".join(f"| {a} | {b} | {gates['AND'][i]} | {gates['OR'][i]} | {gates['NAND'][i]} |"
                      for i, (a, b) in enumerate(inputs))
    cells = [
        intro(spec, gpu_note="課題1 は NumPy だけで計算するので、CPU のままでも動きます。課題2 からは GPU を使うので、手順を確認しておきましょう。"),
        md(r"""
## 1. ニューロンとパーセプトロン
ニューロンは、樹状突起から入力された電気信号の合計が**閾値**を超えると興奮して（発火して）、軸索から信号を出力します。
これを数式で表したものが人工ニューロンです。

- $x_1 \sim x_n$: 入力（各電気信号）
- $w_1 \sim w_n$: 重み（細胞体までに受ける抵抗のようなもの）
- $\mu$: 入力に重みを掛け合わせた合計

$$\mu = x_1 \times w_1 + x_2 \times w_2 + \cdots + x_n \times w_n = \sum_{i=1}^{n} x_i w_i$$

まずは NumPy を読み込みます（このセルは変更しないでください）。
"""),
        locked("imports", "import numpy as np"),
        md(r"""
### 問1: μ を計算する関数 `weighted_sum(x, w)`
入力のリスト `x` と重みのリスト `w` を受け取って、$\mu = \sum x_i w_i$ を返す関数を作りましょう。

ヒント: `np.array(x) * np.array(w)` で要素ごとの積、`np.sum()` で合計が計算できます。
"""),
        solution("answer_weighted_sum", """
def weighted_sum(x, w):
    ### BEGIN SOLUTION
    return np.sum(np.array(x) * np.array(w))
    ### END SOLUTION
"""),
        md(r"""
### 問2: ステップ関数 `step(mu)`
(人工)ニューロンが受け取った値で、発火するかしないかを判断するための関数を**活性化関数**といいます。
活性化関数にステップ関数を用いると、出力 $z$ は

$$z = f(\mu) = \begin{cases} 1 & \mu > 0 \\ 0 & \text{それ以外} \end{cases}$$

閾値を 0 として、$\mu$ が 0 より大きければ $z$ は 1（発火）、0 以下であれば 0（発火しない）です。
$\mu$ がどんな値でも出力は 0 か 1 のいずれかになります。整数の `1` か `0` を返す関数を作りましょう。
"""),
        solution("answer_step", """
def step(mu):
    ### BEGIN SOLUTION
    if mu > 0:
        return 1
    else:
        return 0
    ### END SOLUTION
"""),
        md("""
### 問3: パーセプトロン `perceptron(x, w)`
パーセプトロンは「$\\mu$ を計算して、活性化関数（ステップ関数）に入れる」だけです。
作った 2 つの関数を使って、出力 $z$ を返す関数を作りましょう。
"""),
        solution("answer_perceptron", """
def perceptron(x, w):
    ### BEGIN SOLUTION
    mu = weighted_sum(x, w)
    return step(mu)
    ### END SOLUTION
"""),
        md(rf"""
### スライドの例で確かめる
例えば $x_1=1$、$x_2=2$、$x_3=0.5$、$w_1=0.5$、$w_2=0.2$、$w_3=-1$ の時は？

$$\mu = 1 \times 0.5 + 2 \times 0.2 + 0.5 \times (-1) = {mu:g}$$

$\mu > 0$ なので $z = {z}$（発火）になるはずです。次のセルを実行しましょう（このセルは変更しないでください）。
小数の計算では `0.4000000000000001` のように最後の桁がずれることがありますが、問題ありません。
"""),
        locked("example", """
x = [1, 2, 0.5]
w = [0.5, 0.2, -1]
mu = weighted_sum(x, w)
z = perceptron(x, w)
print('mu =', mu)
print('z =', z)
"""),
        test(spec, "example_mu", f"""
# テスト: μ = {mu:g}
assert abs(mu - {mu!r}) < 1e-6, f'mu が {{mu}} です。{mu:g} になるように weighted_sum を直しましょう。'
""", """
kernel.check_value(mu, 'perceptron', 'example_mu')
kernel.check_value(weighted_sum([1, 2, 0.5], [0.5, 0.2, -1]), 'perceptron', 'example_mu')
"""),
        test(spec, "example_z", f"""
# テスト: z = {z}
assert z == {z!r}, f'z が {{z}} です。{z} になるように step と perceptron を直しましょう。'
""", """
kernel.check_value(z, 'perceptron', 'example_z')
kernel.check_value(perceptron([1, 2, 0.5], [0.5, 0.2, -1]), 'perceptron', 'example_z')
"""),
        md(r"""
## 2. いろいろな活性化関数
活性化関数には多くの種類があります（ステップ関数、恒等関数、シグモイド関数、tanh 関数、ReLU 関数、ソフトマックス関数 など）。
MLP でよく使う 3 つを作りましょう。

**ReLU 関数**（中間層でよく使う。Keras では `activation='relu'`）

$$f(\mu) = \begin{cases} 0 & \mu \leq 0 \\ \mu & \mu > 0 \end{cases}$$

μ が 5 なら 5、-6 なら 0 です。

**シグモイド関数**（2 値分類の出力層でよく使う。`activation='sigmoid'`）: 0 から 1 の値（確率）を出力します。

$$f(\mu) = \frac{1}{1 + e^{-\mu}}$$

**ソフトマックス関数**（多値分類の出力層でよく使う。`activation='softmax'`）: 全てを足すと 1 になるように値（確率）を出力します。

$$f(\mu_k) = \frac{e^{\mu_k}}{\sum_{j} e^{\mu_j}}$$

ヒント: `np.maximum(0, mu)`、`np.exp(mu)`、`np.sum()`。
ソフトマックスは、大きな値で `np.exp` があふれないように、先に最大値を引いておく（`mu - np.max(mu)`）と安全です（結果は変わりません）。
"""),
        solution("answer_activations", """
def relu(mu):
    ### BEGIN SOLUTION
    return np.maximum(0, mu)
    ### END SOLUTION


def sigmoid(mu):
    ### BEGIN SOLUTION
    return 1 / (1 + np.exp(-mu))
    ### END SOLUTION


def softmax(mu):
    ### BEGIN SOLUTION
    mu = np.array(mu)
    e = np.exp(mu - np.max(mu))
    return e / np.sum(e)
    ### END SOLUTION
"""),
        md("作った関数を試してみましょう（このセルは自由に変えて構いません）。"),
        code("""
print('relu(5) =', relu(5), ' relu(-6) =', relu(-6))
print('sigmoid(0) =', sigmoid(0))
p = softmax([1.0, 2.0, 3.0])
print('softmax([1, 2, 3]) =', p, ' 合計 =', np.sum(p))
"""),
        test(spec, "functions", """
# テスト: 6 つの関数が正しい値を返すこと
assert abs(weighted_sum([1, 1, 1], [0.2, 0.3, 0.5]) - 1.0) < 1e-6, 'weighted_sum の値が違います。'
assert step(0.4) == 1 and step(0) == 0 and step(-1) == 0, 'step の値が違います。μ > 0 のときだけ 1 です。'
assert perceptron([1, 2, 0.5], [0.5, 0.2, -2]) == 0, 'perceptron の値が違います。'
assert relu(5) == 5 and relu(-6) == 0, 'relu の値が違います。μが5なら5、-6なら0 です。'
assert abs(sigmoid(0) - 0.5) < 1e-6, 'sigmoid(0) は 0.5 です。'
assert abs(np.sum(softmax([1.0, 2.0, 3.0])) - 1) < 1e-6, 'softmax の出力は、全て足すと 1 になります。'
""", """
kernel.check_functions(globals(), 'perceptron', 'functions')
"""),
        md(f"""
## 3. パーセプトロンで論理ゲートを作る
重み $w$ や閾値を調整すると、パーセプトロンはいろいろな働きをします。
2 つの入力 $x_1, x_2$（0 か 1）から 1 つの出力を出す論理ゲートを作ってみましょう。

| $x_1$ | $x_2$ | AND | OR | NAND |
|---|---|---|---|---|
{table}

閾値は 0 のままにして、かわりに**いつも 1 の入力**を 1 つ足し、その重みを**バイアス** $b$ として使います。

$$\\mu = x_1 \\times w_1 + x_2 \\times w_2 + 1 \\times b$$

つまり `perceptron([x1, x2, 1], [w1, w2, b])` です。
AND は $(1, 1)$ のときだけ $\\mu > 0$ になる $w_1, w_2, b$ を探します（例えば $w_1 = w_2 = 0.5$ なら $b$ はいくつ？）。
OR と NAND の重みとバイアスも考えて、3 つの関数を作りましょう。
"""),
        solution("answer_gates", """
def AND(x1, x2):
    ### BEGIN SOLUTION
    return perceptron([x1, x2, 1], [0.5, 0.5, -0.7])
    ### END SOLUTION


def OR(x1, x2):
    ### BEGIN SOLUTION
    return perceptron([x1, x2, 1], [0.5, 0.5, -0.2])
    ### END SOLUTION


def NAND(x1, x2):
    ### BEGIN SOLUTION
    return perceptron([x1, x2, 1], [-0.5, -0.5, 0.7])
    ### END SOLUTION
"""),
        md("真理値表を表示します（このセルは変更しないでください）。"),
        locked("truth_tables", """
inputs = [(0, 0), (0, 1), (1, 0), (1, 1)]
print('AND:', [int(AND(x1, x2)) for x1, x2 in inputs])
print('OR:', [int(OR(x1, x2)) for x1, x2 in inputs])
print('NAND:', [int(NAND(x1, x2)) for x1, x2 in inputs])
"""),
    ]
    for gate, values in gates.items():
        cells.append(test(spec, f"gate_{gate.lower()}", f"""
# テスト: {gate} の真理値表 {values}
assert [{gate}(x1, x2) for x1, x2 in inputs] == {values!r}, f'{gate} の出力が {{[{gate}(x1, x2) for x1, x2 in inputs]}} です。真理値表は {values} です。'
""", f"""
kernel.check_gate({gate}, 'perceptron', 'gate_{gate.lower()}')
"""))
    cells += [
        md("""
## 考えてみよう
XOR（$(0, 1)$ と $(1, 0)$ のときだけ 1）は、パーセプトロン 1 つで作れるでしょうか？
作れないとしたら、どうすれば作れるでしょうか？（ヒント: NAND・OR・AND を組み合わせる）
"""),
        answer("（ここに考えたことを書いてください）", """
**解答例**: XOR はパーセプトロン 1 つでは作れません。パーセプトロン 1 つは $\\mu = 0$ の 1 本の直線で入力を 2 つに分けるだけですが、XOR の 1 と 0 は 1 本の直線では分けられないからです。
`AND(NAND(x1, x2), OR(x1, x2))` のように、パーセプトロンを 2 層に重ねると作れます。
このように、複数のパーセプトロンで層を作ったものが**多層パーセプトロン**（MLP）です。
"""),
    ]
    return cells


# ------------------------------------------------------------------ 課題2: MLP

def mlp(spec: Spec) -> list[Cell]:
    total = spec.check("summary_total_params").params["total"]
    layers = spec.check("summary_total_params").params["layer_params"]
    fit = spec.check("fit_args").params
    return [
        intro(spec),
        *gpu_cells(spec),
        *load_cells("mnist"),
        md(f"""
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

$$(784+1) \\times 32 = {_num(layers[0])}$$

$$(32+1) \\times 10 = {_num(layers[1])}$$

$${_num(layers[0])} + {_num(layers[1])} = {_num(total)}$$

スライドの通りにモデルを作り、`model.summary()` で総パラメータ数（Total params）が **{_num(total)}** になることを確かめましょう。
"""),
        solution("answer_model", """
from keras.models import Sequential
from keras.layers import Dense

### BEGIN SOLUTION
model = Sequential()
model.add(Dense(32, input_shape=(784,), activation='relu'))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])
### END SOLUTION
model.summary()
"""),
        model_test(spec, "summary_total_params", ["model"]),
        compile_test(spec),
        md("## 学習させる\n" + fit_text(fit["epochs"], fit["batch_size"], fit["validation_split"])),
        solution("answer_fit", f"""
### BEGIN SOLUTION
result = model.fit(x_train, y_train, epochs={fit['epochs']}, batch_size={fit['batch_size']}, validation_split={fit['validation_split']:g})
### END SOLUTION
"""),
        fit_test(spec),
        history_test(spec, "history", ["result"]),
        md(PLOT_TEXT),
        solution("answer_plot", "import matplotlib.pyplot as plt\n" + plot_code()),
        figure_test(spec),
        md(evaluate_text(spec.check("test_accuracy").params["min"])),
        *evaluate_cells(spec),
        md("""
## 予測してみる
`model.predict()` で、10,000 枚の予測結果（各数字である確率）が得られます。最大の確率の数字が予測した値です。
`np.argmax()` で、一番大きい値の位置（= 予測した数字）が分かります（このセルは自由に変えて構いません）。
"""),
        code("""
import numpy as np

test2 = model.predict(x_test, verbose=0)
print(np.around(test2[1], 3))
print('予測:', np.argmax(test2[1]), ' 正解:', np.argmax(y_test[1]))
"""),
        md("""
## 考えてみよう
学習曲線の loss と val_loss、accuracy と val_accuracy を比べてみましょう。

- 学習用データ（loss）と検証用データ（val_loss）で、誤差の下がり方に違いはありますか？
- 過学習しているでしょうか？ 何エポックくらいから val_loss が下がらなくなりましたか？
"""),
        answer("（ここに考えたことを書いてください）", """
**解答例**: loss はエポックが進むにつれて下がり続けますが、val_loss は 10 エポックくらいから下がらなくなり、少しずつ上がっています。
accuracy は 0.99 近くまで上がるのに、val_accuracy は 0.96〜0.97 くらいで止まっています。
学習用データに合わせて学習し過ぎている（過学習している）と考えられます。
"""),
    ]


# ------------------------------------------------------------------ 課題3: 学習の記録

def history(spec: Spec) -> list[Cell]:
    total = spec.check("summary_total_params").params["total"]
    layers = spec.check("summary_total_params").params["layer_params"]
    fit = spec.check("fit_args").params
    return [
        intro(spec),
        *gpu_cells(spec),
        *load_cells("fashion_mnist"),
        md(f"""
## モデルを作る
課題2 のモデルの中間層のニューロンを 32 個から **128 個**に増やします。

$$(784+1) \\times 128 = {_num(layers[0])}$$

$$(128+1) \\times 10 = {_num(layers[1])}$$

$${_num(layers[0])} + {_num(layers[1])} = {_num(total)}$$

`model.summary()` で総パラメータ数が **{_num(total)}** になることを確かめましょう。
"""),
        solution("answer_model", """
from keras.models import Sequential
from keras.layers import Dense

### BEGIN SOLUTION
model = Sequential()
model.add(Dense(128, input_shape=(784,), activation='relu'))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])
### END SOLUTION
model.summary()
"""),
        model_test(spec, "summary_total_params", ["model"]),
        md(f"## 学習させる\n今回は epochs={fit['epochs']} で学習させます。\n" + fit_text(fit["epochs"], fit["batch_size"], fit["validation_split"])),
        solution("answer_fit", f"""
### BEGIN SOLUTION
result = model.fit(x_train, y_train, epochs={fit['epochs']}, batch_size={fit['batch_size']}, validation_split={fit['validation_split']:g})
### END SOLUTION
"""),
        fit_test(spec),
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
        md(PLOT_TEXT),
        solution("answer_plot", "import matplotlib.pyplot as plt\n" + plot_code()),
        figure_test(spec),
        md("""
## 一番良いエポックは？
検証用データの誤差 `val_loss` が一番小さいエポックを求めて、`best epoch: 12` のように表示しましょう。

- `np.argmin(リスト)` は、一番小さい値の位置を返します。位置は 0 から数えるので、エポック（1 から数える）にするには 1 を足します。
- 変数 `best` に入れてください（テストで使います）。
"""),
        solution("answer_best_epoch", """
import numpy as np

### BEGIN SOLUTION
best = int(np.argmin(result.history['val_loss'])) + 1
### END SOLUTION
print('best epoch:', best)
print('最小の val_loss は', min(result.history['val_loss']))
"""),
        test(spec, "best_epoch", f"""
# テスト: val_loss が一番小さいエポック（1 から数える）
assert 1 <= best <= len(result.history['val_loss']), f'best が {{best}} です。1 から {fit['epochs']} のエポック番号にしましょう。'
assert result.history['val_loss'][best - 1] == min(result.history['val_loss']), f'エポック {{best}} の val_loss は最小ではありません。'
""", """
kernel.check_best_epoch(best, result, 'history', 'best_epoch')
"""),
        md(evaluate_text(spec.check("test_accuracy").params["min"])),
        *evaluate_cells(spec),
        md("""
## 考えてみよう
学習曲線と `result.history` から、次のことを読み取りましょう。

- 学習用データ（loss, accuracy）と検証用データ（val_loss, val_accuracy）で違いはありますか？
- 過学習しているでしょうか？ そう考えた理由は？
- エポック数はいくつがよさそうでしょうか？（一番良いエポックは？）
- 検証用データとテストデータの正解率はどれくらいですか？
"""),
        answer("（ここに考えたことを書いてください）", """
**解答例**: loss は最後まで下がり続け accuracy も上がり続けますが、val_loss は 10〜20 エポックくらいで一番小さくなり、その後は上がっています。
train は loss も小さく accuracy も高いのに、val は精度が悪い（test も悪い）ので、train のデータに合わせて学習し過ぎています。この状態を過学習といいます。
エポック数は、val_loss が一番小さい best epoch くらいがよさそうです。検証用データとテストデータの正解率は 0.88 前後で、学習用データ（0.92 以上）より低くなっています。
"""),
    ]


# ------------------------------------------------------------------ 課題4: Dropout

def dropout(spec: Spec) -> list[Cell]:
    total = spec.check("summary_total_params").params["total"]
    layers = spec.check("summary_total_params").params["layer_params"]
    hist = spec.check("histories").params
    epochs = hist["epochs"]
    fit_args = f"epochs={epochs}, batch_size=64, validation_split=0.2"
    return [
        intro(spec),
        *gpu_cells(spec),
        *load_cells("fashion_mnist"),
        md(f"""
## 層を追加してみよう
中間層を 128 → 64 → 32 の 3 層にします。

| 層 | 計算 | パラメータ数 |
|---|---|---|
| Dense(128) | $(784+1) \\times 128$ | {_num(layers[0])} |
| Dense(64) | $(128+1) \\times 64$ | {_num(layers[1])} |
| Dense(32) | $(64+1) \\times 32$ | {_num(layers[2])} |
| Dense(10) | $(32+1) \\times 10$ | {_num(layers[3])} |

合計 **{_num(total)}** になることを `model.summary()` で確かめ、{epochs} エポック学習させて、テストデータで評価します。
"""),
        solution("answer_model", """
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
"""),
        solution("answer_fit", f"""
### BEGIN SOLUTION
result = model.fit(x_train, y_train, {fit_args})
### END SOLUTION
"""),
        solution("answer_evaluate_model", """
### BEGIN SOLUTION
score = model.evaluate(x_test, y_test)
### END SOLUTION
print('Test loss:', score[0])
print('Test accuracy:', score[1])
"""),
        md("""
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
""".replace("{total}", _num(total))),
        solution("answer_model2", """
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
"""),
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
        md("""
## 比べてみよう
左が Dropout なし（`result`）、右が Dropout あり（`result2`）の誤差の学習曲線です（このセルは自由に変えて構いません）。
最後のエポックの `val_loss - loss`（検証用と学習用の誤差の差）も表示します。差が大きいほど、学習用データに合わせ過ぎています。
"""),
        code("""
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
"""),
        test(spec, "overfitting_gap", """
# テスト: 最後のエポックの val_loss - loss が、Dropout ありの方が小さいこと
gap = result.history['val_loss'][-1] - result.history['loss'][-1]
gap2 = result2.history['val_loss'][-1] - result2.history['loss'][-1]
assert gap2 < gap, f'Dropout ありの差 {gap2:.4f} が、なしの差 {gap:.4f} より小さくなっていません。'
""", """
kernel.check_histories([result, result2], 'dropout', 'overfitting_gap')
"""),
        md(evaluate_text(spec.check("test_accuracy").params["min"]).replace(
            "## テストデータで評価する", "## Dropout ありのモデルをテストデータで評価する")
           + "\n`model2` を評価して、`score2` という名前で受け取ります（最後に表示した Test accuracy で採点します）。"),
        *evaluate_cells(spec, model="model2", score="score2"),
        md("""
## 考えてみよう
- Dropout を加えると、過学習は抑えられたでしょうか？ 学習曲線と `val_loss - loss` から考えましょう。
- テストデータの正解率（Test accuracy）は、Dropout なしと比べてどうなりましたか？
- 実際は、過学習を抑えつつ精度をどれだけ上げられるかを検討します。層やニューロンの数、Dropout の確率を変えるとどうなるでしょうか？
"""),
        answer("（ここに考えたことを書いてください）", """
**解答例**: Dropout なしでは val_loss が途中から上がり続け、最後のエポックの val_loss − loss が大きくなっていました（過学習）。
Dropout を加えると loss の下がり方はゆるやかになりますが、val_loss は上がりにくくなり、val_loss − loss の差は小さくなりました。Dropout で過学習を抑制できています。
テストデータの正解率も、Dropout なし（0.877 くらい）より Dropout あり（0.885 くらい）の方が少し高くなりました。
"""),
    ]


BUILDERS = {"perceptron": perceptron, "mlp": mlp, "history": history, "dropout": dropout}


# ------------------------------------------------------------------ notebooks

_KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def _nbgrader(cell: Cell) -> dict[str, Any]:
    meta: dict[str, Any] = {"grade": cell.kind == "test", "grade_id": cell.grade_id, "locked": cell.kind in ("locked", "test"),
                            "schema_version": 3, "solution": cell.kind == "solution", "task": False}
    if cell.kind == "test":
        meta["points"] = int(cell.points) if float(cell.points).is_integer() else cell.points  # type: ignore[arg-type]
    return meta


def source_notebook(assignment: str) -> nbformat.NotebookNode:
    """The nbgrader source notebook: solutions and hidden tests in, nbgrader metadata on every graded cell."""
    spec = load_spec(assignment)
    cells = []
    for i, cell in enumerate(BUILDERS[assignment](spec)):
        cell_id = cell.grade_id or f"{assignment}-{i:02d}"
        if cell.kind in ("md", "answer"):
            nb_cell = new_markdown_cell(cell.source, id=cell_id)
        else:
            nb_cell = new_code_cell(cell.source, id=cell_id)
        if cell.kind in ("locked", "solution", "test"):
            nb_cell.metadata["nbgrader"] = _nbgrader(cell)
        cells.append(nb_cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {"autograder": {"assignment": assignment}, "kernelspec": dict(_KERNELSPEC),
                   "language_info": {"name": "python"}}
    _check_points(nb, spec)
    return nb


def solution_notebook(assignment: str) -> nbformat.NotebookNode:
    """What students get after the deadline: the solution without markers, hidden tests or nbgrader metadata."""
    spec = load_spec(assignment)
    source = source_notebook(assignment)
    described = BUILDERS[assignment](spec)
    cells = []
    for cell, nb_cell in zip(described, source.cells):
        nb_cell = nbformat.from_dict(dict(nb_cell))
        nb_cell.metadata = {}
        if cell.kind == "answer":
            nb_cell.source = cell.example or ""
        elif nb_cell.cell_type == "code":
            nb_cell.source = strip_markers(nb_cell.source)
        cells.append(nb_cell)
    nb = new_notebook(cells=cells)
    nb.metadata = {"autograder": {"assignment": assignment}, "kernelspec": dict(_KERNELSPEC),
                   "language_info": {"name": "python"}}
    return nb


def strip_markers(text: str) -> str:
    """Remove solution markers (keeping the code) and hidden-test blocks (with their code)."""
    out, hidden = [], False
    for line in text.splitlines():
        mark = line.strip()
        if mark == BEGIN_HIDDEN:
            hidden = True
        elif mark == END_HIDDEN:
            hidden = False
        elif not hidden and mark not in (BEGIN_SOLUTION, END_SOLUTION):
            out.append(line)
    return "\n".join(out).strip("\n")


def _check_points(nb: nbformat.NotebookNode, spec: Spec) -> None:
    graded = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
              for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    expected = {c.id: c.points for c in spec.checks}
    if graded != expected:
        raise SystemExit(f"{spec.id}: test cells {graded} do not match the spec's checks {expected}")


def render(nb: nbformat.NotebookNode) -> str:
    nbformat.validate(nb)
    return nbformat.writes(nb, version=4) + "\n"


def outputs(assignment: str) -> dict[Path, str]:
    return {SOURCE_DIR / assignment / f"{assignment}.ipynb": render(source_notebook(assignment)),
            SOLUTION_DIR / f"{assignment}.ipynb": render(solution_notebook(assignment))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    parser.add_argument("assignments", nargs="*", default=list(ASSIGNMENTS))
    args = parser.parse_args(argv)
    stale = []
    for assignment in args.assignments:
        for path, text in outputs(assignment).items():
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current == text:
                continue
            if args.check:
                stale.append(path)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
                print(f"wrote {path.relative_to(REPO)}")
    for path in stale:
        print(f"out of date: {path.relative_to(REPO)} (run python assignments/build_notebooks.py)")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
