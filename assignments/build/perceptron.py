"""課題1 パーセプトロン, content only: the cells of the NumPy assignment (neuron, activations, logic gates).

Imports ``assignments.build.cells`` and ``assignments.build.common`` only; the checked numbers (μ, z, the
truth tables) come from the spec.
"""
# ruff: noqa: E501 - the long lines are lines of the notebooks (Japanese text, visible tests); wrapping them would change the notebooks.
from __future__ import annotations

from assignments.build.cells import Cell, answer, code, locked, md, solution, test
from assignments.build.common import THINK_PROMPT, intro
from autograder.model.spec import Spec

GPU_NOTE = "課題1 は NumPy だけで計算するので、CPU のままでも動きます。課題2 からは GPU を使うので、手順を確認しておきましょう。"

# ------------------------------------------------------------------ 1. ニューロンとパーセプトロン

NEURON_TEXT = r"""
## 1. ニューロンとパーセプトロン
ニューロンは、樹状突起から入力された電気信号の合計が**閾値**を超えると興奮して（発火して）、軸索から信号を出力します。
これを数式で表したものが人工ニューロンです。

- $x_1 \sim x_n$: 入力（各電気信号）
- $w_1 \sim w_n$: 重み（細胞体までに受ける抵抗のようなもの）
- $\mu$: 入力に重みを掛け合わせた合計

$$\mu = x_1 \times w_1 + x_2 \times w_2 + \cdots + x_n \times w_n = \sum_{i=1}^{n} x_i w_i$$

まずは NumPy を読み込みます（このセルは変更しないでください）。
"""

WEIGHTED_SUM_TEXT = r"""
### 問1: μ を計算する関数 `weighted_sum(x, w)`
入力のリスト `x` と重みのリスト `w` を受け取って、$\mu = \sum x_i w_i$ を返す関数を作りましょう。

ヒント: `np.array(x) * np.array(w)` で要素ごとの積、`np.sum()` で合計が計算できます。
"""

WEIGHTED_SUM_CODE = """
def weighted_sum(x, w):
    ### BEGIN SOLUTION
    return np.sum(np.array(x) * np.array(w))
    ### END SOLUTION
"""

STEP_TEXT = r"""
### 問2: ステップ関数 `step(mu)`
(人工)ニューロンが受け取った値で、発火するかしないかを判断するための関数を**活性化関数**といいます。
活性化関数にステップ関数を用いると、出力 $z$ は

$$z = f(\mu) = \begin{cases} 1 & \mu > 0 \\ 0 & \text{それ以外} \end{cases}$$

閾値を 0 として、$\mu$ が 0 より大きければ $z$ は 1（発火）、0 以下であれば 0（発火しない）です。
$\mu$ がどんな値でも出力は 0 か 1 のいずれかになります。整数の `1` か `0` を返す関数を作りましょう。
"""

STEP_CODE = """
def step(mu):
    ### BEGIN SOLUTION
    if mu > 0:
        return 1
    else:
        return 0
    ### END SOLUTION
"""

PERCEPTRON_TEXT = """
### 問3: パーセプトロン `perceptron(x, w)`
パーセプトロンは「$\\mu$ を計算して、活性化関数（ステップ関数）に入れる」だけです。
作った 2 つの関数を使って、出力 $z$ を返す関数を作りましょう。
"""

PERCEPTRON_CODE = """
def perceptron(x, w):
    ### BEGIN SOLUTION
    mu = weighted_sum(x, w)
    return step(mu)
    ### END SOLUTION
"""

EXAMPLE_CODE = """
x = [1, 2, 0.5]
w = [0.5, 0.2, -1]
mu = weighted_sum(x, w)
z = perceptron(x, w)
print('mu =', mu)
print('z =', z)
"""


def _neuron_cells(spec: Spec) -> list[Cell]:
    """The intro and 問1〜問3: ``weighted_sum``, ``step`` and ``perceptron``."""
    return [
        intro(spec, gpu_note=GPU_NOTE),
        md(NEURON_TEXT),
        locked("imports", "import numpy as np"),
        md(WEIGHTED_SUM_TEXT),
        solution("answer_weighted_sum", WEIGHTED_SUM_CODE),
        md(STEP_TEXT),
        solution("answer_step", STEP_CODE),
        md(PERCEPTRON_TEXT),
        solution("answer_perceptron", PERCEPTRON_CODE),
    ]


def _example_cells(spec: Spec) -> list[Cell]:
    """The example of the slides and its two tests (μ and z)."""
    mu = spec.check("example_mu").params["value"]
    z = spec.check("example_z").params["value"]
    return [
        md(rf"""
### スライドの例で確かめる
例えば $x_1=1$、$x_2=2$、$x_3=0.5$、$w_1=0.5$、$w_2=0.2$、$w_3=-1$ の時は？

$$\mu = 1 \times 0.5 + 2 \times 0.2 + 0.5 \times (-1) = {mu:g}$$

$\mu > 0$ なので $z = {z}$（発火）になるはずです。次のセルを実行しましょう（このセルは変更しないでください）。
小数の計算では `0.4000000000000001` のように最後の桁がずれることがありますが、問題ありません。
"""),
        locked("example", EXAMPLE_CODE),
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
    ]


# ------------------------------------------------------------------ 2. いろいろな活性化関数

ACTIVATIONS_TEXT = r"""
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
"""

ACTIVATIONS_CODE = """
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
"""

TRY_CODE = """
print('relu(5) =', relu(5), ' relu(-6) =', relu(-6))
print('sigmoid(0) =', sigmoid(0))
p = softmax([1.0, 2.0, 3.0])
print('softmax([1, 2, 3]) =', p, ' 合計 =', np.sum(p))
"""

FUNCTIONS_TEST = """
# テスト: 6 つの関数が正しい値を返すこと
assert abs(weighted_sum([1, 1, 1], [0.2, 0.3, 0.5]) - 1.0) < 1e-6, 'weighted_sum の値が違います。'
assert step(0.4) == 1 and step(0) == 0 and step(-1) == 0, 'step の値が違います。μ > 0 のときだけ 1 です。'
assert perceptron([1, 2, 0.5], [0.5, 0.2, -2]) == 0, 'perceptron の値が違います。'
assert relu(5) == 5 and relu(-6) == 0, 'relu の値が違います。μが5なら5、-6なら0 です。'
assert abs(sigmoid(0) - 0.5) < 1e-6, 'sigmoid(0) は 0.5 です。'
assert abs(np.sum(softmax([1.0, 2.0, 3.0])) - 1) < 1e-6, 'softmax の出力は、全て足すと 1 になります。'
"""


def _activation_cells(spec: Spec) -> list[Cell]:
    """ReLU, sigmoid and softmax, a cell to try them, and the test of all six functions."""
    return [
        md(ACTIVATIONS_TEXT),
        solution("answer_activations", ACTIVATIONS_CODE),
        md("作った関数を試してみましょう（このセルは自由に変えて構いません）。"),
        code(TRY_CODE),
        test(spec, "functions", FUNCTIONS_TEST, """
kernel.check_functions(globals(), 'perceptron', 'functions')
"""),
    ]


# ------------------------------------------------------------------ 3. パーセプトロンで論理ゲートを作る

GATES_CODE = """
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
"""

TRUTH_TABLES_CODE = """
inputs = [(0, 0), (0, 1), (1, 0), (1, 1)]
print('AND:', [int(AND(x1, x2)) for x1, x2 in inputs])
print('OR:', [int(OR(x1, x2)) for x1, x2 in inputs])
print('NAND:', [int(NAND(x1, x2)) for x1, x2 in inputs])
"""


def _gates_text(gates: dict[str, list[int]]) -> str:
    inputs = [(0, 0), (0, 1), (1, 0), (1, 1)]
    table = "\n".join(f"| {a} | {b} | {gates['AND'][i]} | {gates['OR'][i]} | {gates['NAND'][i]} |"
                      for i, (a, b) in enumerate(inputs))
    return f"""
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
"""


def _gate_test(spec: Spec, gate: str, values: list[int]) -> Cell:
    return test(spec, f"gate_{gate.lower()}", f"""
# テスト: {gate} の真理値表 {values}
assert [{gate}(x1, x2) for x1, x2 in inputs] == {values!r}, f'{gate} の出力が {{[{gate}(x1, x2) for x1, x2 in inputs]}} です。真理値表は {values} です。'
""", f"""
kernel.check_gate({gate}, 'perceptron', 'gate_{gate.lower()}')
""")


def _gate_cells(spec: Spec) -> list[Cell]:
    """AND, OR and NAND from one perceptron each, their truth tables and one test per gate."""
    gates = {g: spec.check(f"gate_{g.lower()}").params["value"] for g in ("AND", "OR", "NAND")}
    return [
        md(_gates_text(gates)),
        solution("answer_gates", GATES_CODE),
        md("真理値表を表示します（このセルは変更しないでください）。"),
        locked("truth_tables", TRUTH_TABLES_CODE),
        *(_gate_test(spec, gate, values) for gate, values in gates.items()),
    ]


# ------------------------------------------------------------------ 考えてみよう

XOR_TEXT = """
## 考えてみよう
XOR（$(0, 1)$ と $(1, 0)$ のときだけ 1）は、パーセプトロン 1 つで作れるでしょうか？
作れないとしたら、どうすれば作れるでしょうか？（ヒント: NAND・OR・AND を組み合わせる）
"""

XOR_EXAMPLE = """
**解答例**: XOR はパーセプトロン 1 つでは作れません。パーセプトロン 1 つは $\\mu = 0$ の 1 本の直線で入力を 2 つに分けるだけですが、XOR の 1 と 0 は 1 本の直線では分けられないからです。
`AND(NAND(x1, x2), OR(x1, x2))` のように、パーセプトロンを 2 層に重ねると作れます。
このように、複数のパーセプトロンで層を作ったものが**多層パーセプトロン**（MLP）です。
"""


def perceptron(spec: Spec) -> list[Cell]:
    """The cells of 課題1, in order."""
    return [
        *_neuron_cells(spec),
        *_example_cells(spec),
        *_activation_cells(spec),
        *_gate_cells(spec),
        md(XOR_TEXT),
        answer(THINK_PROMPT, XOR_EXAMPLE),
    ]
