"""What the assignments share: the intro, GPU and data-loading cells, fit/plot/evaluate text, the shared test builders.

Imports ``autograder`` (spec, format), ``assignments.build.cells`` and ``assignments.build.selfcheck`` (the install
command of the course config) only; no assignment module.
Numbers are written with ``autograder.model.format.count`` (``25450`` → ``25,450``), as the grader writes them.
"""
# ruff: noqa: E501 - the long lines are lines of the notebooks (Japanese text, visible tests); wrapping them would change the notebooks.
from __future__ import annotations

from assignments.build.cells import Cell, locked, md, solution, test
from assignments.build.selfcheck import install_command
from autograder.model.format import count
from autograder.model.spec import Spec


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
3. 提出する前に、いちばん下の「提出前の自己チェック」のセルを実行して確認できます（Colab でも Jupyter でも動きます。出力を読むだけで、何も実行し直しません）。手元のパソコン（Windows / macOS）では `{install_command()}` でインストールしてから `autograder check 学籍番号_名前_{n}.ipynb` でも確認できます。
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
- `batch_size={batch_size}`: {batch_size} 枚ずつ取り出して学習させる（{count(48000)} ÷ {batch_size} = {count(48000 // batch_size)} 回重みを更新）
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


def evaluate_solution(model: str = "model", score: str = "score") -> Cell:
    """``score = model.evaluate(x_test, y_test)`` and the two printed numbers the grader reads."""
    return solution(f"answer_evaluate_{model}", f"""
### BEGIN SOLUTION
{score} = {model}.evaluate(x_test, y_test)
### END SOLUTION
print('Test loss:', {score}[0])
print('Test accuracy:', {score}[1])
""")


def evaluate_cells(spec: Spec, check_id: str = "test_accuracy", model: str = "model", score: str = "score") -> list[Cell]:
    minimum = spec.check(check_id).params["min"]
    return [
        evaluate_solution(model, score),
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
        f"assert {m}.count_params() == {total}, f'{m} の総パラメータ数が {{{m}.count_params():,}} です。{count(total)} になるように層を作りましょう。'"
        for m in models)
    hidden = (f"kernel.check_model({models[0]}, '{spec.id}', '{check_id}')" if len(models) == 1
              else f"kernel.check_models([{', '.join(models)}], '{spec.id}', '{check_id}')")
    return test(spec, check_id, f"# テスト: 総パラメータ数が {count(total)} になっていること\n{visible}", hidden)


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


# ------------------------------------------------------------------ sections the Keras assignments share

THINK_PROMPT = "（ここに考えたことを書いてください）"


def summary_params(spec: Spec) -> tuple[int, list[int]]:
    """The total parameter count and the per-layer counts the ``summary_total_params`` check expects."""
    params = spec.check("summary_total_params").params
    return params["total"], params["layer_params"]


def opening_cells(spec: Spec, dataset: str) -> list[Cell]:
    """The first cells of a Keras assignment: the intro, the GPU check, loading and preprocessing ``dataset``."""
    return [intro(spec), *gpu_cells(spec), *load_cells(dataset)]


def dense_model_cells(spec: Spec, units: int) -> list[Cell]:
    """The model ``Dense(units) → Dense(10)`` of 課題2 and 課題3 and its parameter-count test."""
    return [
        solution("answer_model", f"""
from keras.models import Sequential
from keras.layers import Dense

### BEGIN SOLUTION
model = Sequential()
model.add(Dense({units}, input_shape=(784,), activation='relu'))
model.add(Dense(10, activation='softmax'))
model.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])
### END SOLUTION
model.summary()
"""),
        model_test(spec, "summary_total_params", ["model"]),
    ]


def fit_cells(spec: Spec) -> list[Cell]:
    """``result = model.fit(...)`` with the spec's ``fit_args`` and its test."""
    fit = spec.check("fit_args").params
    return [
        solution("answer_fit", f"""
### BEGIN SOLUTION
result = model.fit(x_train, y_train, epochs={fit['epochs']}, batch_size={fit['batch_size']}, validation_split={fit['validation_split']:g})
### END SOLUTION
"""),
        fit_test(spec),
    ]


def plot_cells(spec: Spec) -> list[Cell]:
    """The learning-curve section: the text, the plot and the figure test."""
    return [md(PLOT_TEXT), solution("answer_plot", "import matplotlib.pyplot as plt\n" + plot_code()), figure_test(spec)]


def evaluate_section(spec: Spec) -> list[Cell]:
    """The test-data section: the text with the spec's target, ``model.evaluate`` and its test."""
    return [md(evaluate_text(spec.check("test_accuracy").params["min"])), *evaluate_cells(spec)]
