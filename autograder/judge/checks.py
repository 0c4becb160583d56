"""Checks: small pure functions of the evidence, registered by kind. Standard library only.

A check never earns points for what could not be read: absent evidence is ``missing`` with a message saying
what was expected and where to put it; an exception inside a check is reported for review, never as a pass.
The same functions run in the static grader and, through ``autograder.kernel``, inside a student's kernel.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.errors import raise_internal_errors
from autograder.judge.metrics import best_epoch, series, training_runs
from autograder.model.evidence import Evidence, Fit, History
from autograder.model.format import count as _n
from autograder.model.keras import canonical_metric
from autograder.model.results import CheckResult, Outcome, Status
from autograder.model.spec import CheckSpec, Spec


@dataclass(frozen=True)
class Param:
    types: tuple[type, ...]
    required: bool = False
    list_of: tuple[type, ...] | None = None  # element types when the value is a list


@dataclass(frozen=True)
class Kind:
    name: str
    params: Mapping[str, Param]
    run: Callable[[Evidence, Mapping[str, Any]], Outcome]
    needs_one_of: tuple[str, ...] = ()

    def validate(self, params: Mapping[str, Any]) -> str | None:
        for key in params:
            if key not in self.params:
                known = ", ".join(self.params) or "なし / none"
                return f"不明なパラメータ '{key}'（使えるのは {known}） / unknown parameter '{key}' (known: {known})"
        for key, p in self.params.items():
            if key not in params:
                if p.required:
                    return f"パラメータ '{key}' が必要です / parameter '{key}' is required"
                continue
            value = params[key]
            if isinstance(value, bool) and bool not in p.types:
                return f"パラメータ '{key}' の型が違います / parameter '{key}' has the wrong type ({value!r})"
            if not isinstance(value, p.types):
                return f"パラメータ '{key}' の型が違います / parameter '{key}' has the wrong type ({value!r})"
            if isinstance(value, list) and p.list_of is not None:
                if not value or not all(isinstance(v, p.list_of) and not isinstance(v, bool) for v in value):
                    return f"パラメータ '{key}' の要素が不正です / parameter '{key}' has bad elements ({value!r})"
            if isinstance(value, (int, float)) and not isinstance(value, bool) and (value < 0 or math.isnan(value)):
                return f"パラメータ '{key}' は 0 以上にしてください / parameter '{key}' must not be negative"
        if self.needs_one_of and not any(k in params for k in self.needs_one_of):
            keys = ", ".join(self.needs_one_of)
            return f"{keys} のどれかが必要です / one of {keys} is required"
        return None


KINDS: dict[str, Kind] = {}
_NUM = (int, float)


def kind(name: str, needs_one_of: tuple[str, ...] = (), **params: Param) -> Callable:
    def register(fn: Callable[[Evidence, Mapping[str, Any]], Outcome]) -> Callable:
        KINDS[name] = Kind(name, params, fn, needs_one_of)
        return fn
    return register


# ------------------------------------------------------------------ running

def run_one(check: CheckSpec, evidence: Evidence) -> CheckResult:
    """Run one check on the evidence. An exception is a result that needs a person, never points."""
    try:
        outcome = KINDS[check.kind].run(evidence, check.params)
    except Exception as exc:  # noqa: BLE001 - a bug in a check must not stop a batch or award points
        if raise_internal_errors():
            raise
        outcome = Outcome(Status.ERROR,
                          f"このチェックの実行中に採点プログラムの内部エラー（{type(exc).__name__}）が起きました。"
                          "提出者の問題ではありません。教員が確認します。",
                          f"internal error of the grader while running this check ({type(exc).__name__}); this is not "
                          "the student's fault, an instructor will review it.")
    points = check.points if outcome.status == "pass" else 0.0
    return CheckResult(id=check.id, category=check.category, status=outcome.status, points=points,
                       max_points=check.points, message=outcome.message, message_en=outcome.message_en,
                       cell=outcome.cell, hidden=check.hidden, description=check.description,
                       description_en=check.description_en)


def run_checks(spec: Spec, evidence: Evidence, include_hidden: bool = True) -> list[CheckResult]:
    return [run_one(c, evidence) for c in spec.checks if include_hidden or not c.hidden]


# ------------------------------------------------------------------ helpers

def _cells(items: Sequence[Any], sep: str = "、") -> str:
    cells = sorted({i.cell for i in items if getattr(i, "cell", None) is not None})
    return sep.join(str(c) for c in cells)




def _has_keys(keys: Sequence[str], required: Sequence[str]) -> bool:
    have = {canonical_metric(k) for k in keys}
    return all(canonical_metric(k) in have for k in required)


# ------------------------------------------------------------------ summary

@kind("summary_params", total=Param((int,), required=True), count=Param((int,)),
      layer_params=Param((list,), list_of=(int,)))
def check_summary_params(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    total, count, layers = p["total"], p.get("count", 1), p.get("layer_params")
    if not ev.summaries:
        return Outcome("missing", "model.summary() の出力が見つかりません。model.summary() を実行し、その出力を残したまま保存してください。",
                       "no model.summary() output found. Run model.summary() and save the notebook with its output.")
    matching = [s for s in ev.summaries if s.total_params == total]
    exact = [s for s in matching if layers is None or [l.params for l in s.layers if l.params] == list(layers)]
    found = "、".join(f"{_n(s.total_params)}（セル {s.cell}）" for s in ev.summaries)
    found_en = ", ".join(f"{_n(s.total_params)} (cell {s.cell})" for s in ev.summaries)
    if len(exact) >= count:
        last = exact[-1]
        return Outcome("pass", f"総パラメータ数 {_n(total)} を確認しました（セル {_cells(exact)}）。",
                       f"total parameters {_n(total)} found (cell {_cells(exact, ', ')}).", last.cell)
    if len(matching) >= count and layers is not None:
        got = [l.params for l in matching[-1].layers if l.params]
        return Outcome("fail", f"総パラメータ数は {_n(total)} ですが、層ごとのパラメータ数 {got} が求める {list(layers)} と違います。",
                       f"the total is {_n(total)} but the per-layer counts {got} differ from the expected {list(layers)}.",
                       matching[-1].cell)
    if count > 1:
        return Outcome("fail", f"総パラメータ数 {_n(total)} の summary が {count} つ必要ですが {len(exact)} つです（見つかった値: {found}）。",
                       f"{count} summaries with {_n(total)} parameters are needed, {len(exact)} found (found: {found_en}).",
                       ev.summaries[-1].cell)
    return Outcome("fail", f"総パラメータ数が {_n(total)} ではありません（見つかった値: {found}）。層の数とユニット数を確認してください。",
                   f"the total parameter count is not {_n(total)} (found: {found_en}). Check the layers and their units.",
                   ev.summaries[-1].cell)


@kind("summary_layer", type=Param((str,), required=True))
def check_summary_layer(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    want = p["type"].lower()
    if not ev.summaries:
        return Outcome("missing", f"model.summary() の出力が見つからないため {p['type']} 層を確認できません。",
                       f"no model.summary() output, so the {p['type']} layer cannot be confirmed.")
    for s in ev.summaries:
        if any(layer.type.lower() == want for layer in s.layers):
            return Outcome("pass", f"summary に {p['type']} 層があります（セル {s.cell}）。",
                           f"the summary has a {p['type']} layer (cell {s.cell}).", s.cell)
    return Outcome("fail", f"どの summary にも {p['type']} 層がありません。model に {p['type']} を加えて summary を表示し直してください。",
                   f"no summary has a {p['type']} layer. Add {p['type']} to the model and show the summary again.",
                   ev.summaries[-1].cell)


# ------------------------------------------------------------------ history

def _run_epochs(run: Fit | History) -> int | None:
    return run.epochs_run if isinstance(run, Fit) else run.epochs


def _run_keys(run: Fit | History) -> tuple[str, ...]:
    return run.metrics if isinstance(run, Fit) else run.keys


@kind("history", keys=Param((list,), required=True, list_of=(str,)), epochs=Param((int,)), count=Param((int,)),
      printed=Param((bool,)))
def check_history(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    keys, epochs, count, printed = p["keys"], p.get("epochs"), p.get("count", 1), p.get("printed", False)
    fits = [] if printed else [f for f in ev.fits if f.epochs]
    histories = [h for h in ev.histories if h.values or not printed]
    if not fits and not histories:
        where = "print(result.history) の出力" if printed else "model.fit の学習ログ、または print(result.history) の出力"
        where_en = "the output of print(result.history)" if printed else "a model.fit training log or the output of print(result.history)"
        return Outcome("missing", f"{where}が見つかりません。実行した出力を残して保存してください。",
                       f"{where_en} was not found. Save the notebook with its outputs.")

    def ok(run: Fit | History) -> bool:
        return _has_keys(_run_keys(run), keys) and (epochs is None or _run_epochs(run) == epochs)

    good = max(sum(ok(f) for f in fits), sum(ok(h) for h in histories))
    candidates: list[Fit | History] = [*fits, *histories]
    if good >= count:
        matched = [r for r in candidates if ok(r)]
        return Outcome("pass", f"{', '.join(keys)} が{f' {epochs} エポック分' if epochs else ''}記録されています（セル {_cells(matched)}）。",
                       f"{', '.join(keys)} recorded{f' for {epochs} epochs' if epochs else ''} (cell {_cells(matched, ', ')}).",
                       next(r.cell for r in reversed(candidates) if ok(r)))
    found = "、".join(f"セル {r.cell}: {_run_epochs(r) if _run_epochs(r) is not None else '?'} エポック（{', '.join(_run_keys(r))}）"
                     for r in candidates)
    found_en = "; ".join(f"cell {r.cell}: {_run_epochs(r) if _run_epochs(r) is not None else '?'} epochs ({', '.join(_run_keys(r))})"
                         for r in candidates)
    need = f"{count} 回の学習それぞれに" if count > 1 else ""
    need_en = f"each of {count} training runs needs " if count > 1 else "needs "
    return Outcome("fail", f"{need}{', '.join(keys)} が{f' {epochs} エポック分' if epochs else ''}必要です。見つかったもの: {found}。"
                   "validation_split を指定し、エポック数を確認してください。",
                   f"{need_en}{', '.join(keys)}{f' for {epochs} epochs' if epochs else ''}. Found: {found_en}. "
                   "Set validation_split and check the number of epochs.", candidates[-1].cell)


@kind("best_epoch")
def check_best_epoch(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    runs = training_runs(ev)
    val_loss = series(runs[-1], "val_loss") if runs else []
    if not val_loss:
        return Outcome("missing", "val_loss の記録が見つからないため、最良のエポックを確認できません。",
                       "no val_loss record was found, so the best epoch cannot be confirmed.")
    best = best_epoch(val_loss)
    if best is None:
        return Outcome("fail", "val_loss の記録に有限の値がありません（nan や inf だけです）。学習がうまくいっていません。",
                       "the val_loss record has no finite value (only nan or inf): training did not work.", runs[-1].cell)
    lines = _labelled_lines(ev, ("best epoch", "best_epoch", "最良のエポック", "最良エポック", "ベストエポック", "ベストなエポック"))
    if not lines:
        return Outcome("missing", f"「best epoch: {best}」のように、val_loss が最小のエポックを表示してください。",
                       f"print the epoch with the lowest val_loss, e.g. 'best epoch: {best}'.")
    for cell, numbers, line in reversed(lines):
        if numbers and int(numbers[0]) == numbers[0] and int(numbers[0]) in (best, best - 1):
            base = "1 から数えて" if int(numbers[0]) == best else "0 から数えて"
            base_en = "counting from 1" if int(numbers[0]) == best else "counting from 0"
            return Outcome("pass", f"最良のエポック {int(numbers[0])}（{base}）は val_loss の記録と一致します。",
                           f"best epoch {int(numbers[0])} ({base_en}) agrees with the val_loss record.", cell)
    cell, _, line = lines[-1]
    return Outcome("fail", f"表示された最良のエポック「{line}」が、val_loss が最小のエポック {best} と一致しません。",
                   f"the printed best epoch '{line}' does not match the epoch with the lowest val_loss ({best}).", cell)


@kind("overfitting_gap")
def check_overfitting_gap(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    runs = [r for r in training_runs(ev) if series(r, "loss") and series(r, "val_loss")]
    if len(runs) < 2:
        return Outcome("missing", "loss と val_loss のある学習が 2 回（Dropout なし・あり）必要です。両方の学習ログを残してください。",
                       "two training runs with loss and val_loss (without and with Dropout) are needed; keep both logs.")
    first, last = runs[0], runs[-1]
    gap_first = series(first, "val_loss")[-1] - series(first, "loss")[-1]
    gap_last = series(last, "val_loss")[-1] - series(last, "loss")[-1]
    detail = f"Dropout なし（セル {first.cell}）: {gap_first:.4f}、Dropout あり（セル {last.cell}）: {gap_last:.4f}"
    detail_en = f"without Dropout (cell {first.cell}): {gap_first:.4f}, with Dropout (cell {last.cell}): {gap_last:.4f}"
    if gap_last < gap_first:
        return Outcome("pass", f"最後のエポックの val_loss − loss は {detail} で、Dropout ありの方が小さくなっています。",
                       f"val_loss − loss at the last epoch: {detail_en}; smaller with Dropout.", last.cell)
    return Outcome("fail", f"最後のエポックの val_loss − loss は {detail} で、Dropout ありの方が小さくなっていません。",
                   f"val_loss − loss at the last epoch: {detail_en}; not smaller with Dropout.", last.cell)


# ------------------------------------------------------------------ accuracy, gpu, plot

@kind("test_accuracy", min=Param(_NUM, required=True))
def check_test_accuracy(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    minimum = float(p["min"])
    result = ev.test_accuracy
    if result is None or result.accuracy is None:
        return Outcome("missing", "学習後のテスト正解率が見つかりません。model.evaluate の後に print('Test accuracy:', score[1]) を実行し、出力を残してください。",
                       "no test accuracy after training was found. After model.evaluate, run print('Test accuracy:', score[1]) and keep the output.")
    acc = result.accuracy
    if acc >= minimum:
        return Outcome("pass", f"テスト正解率 {acc:.4f} は基準 {minimum:g} 以上です（セル {result.cell}: 「{result.text}」）。",
                       f"test accuracy {acc:.4f} meets the threshold {minimum:g} (cell {result.cell}: '{result.text}').", result.cell)
    return Outcome("fail", f"テスト正解率 {acc:.4f} が基準 {minimum:g} に届きません（セル {result.cell}: 「{result.text}」）。"
                   "モデルとエポック数を見直してください。",
                   f"test accuracy {acc:.4f} is below the threshold {minimum:g} (cell {result.cell}: '{result.text}'). "
                   "Review the model and the number of epochs.", result.cell)


@kind("gpu")
def check_gpu(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    gpu = ev.gpu
    shown = [s for s in gpu.signals if s.points_to == gpu.verdict] or list(gpu.signals)
    evidence_ja = "、".join(f"{s.text}" + (f"（セル {s.cell}）" if s.cell is not None else "（メタデータ）") for s in shown[:3])
    evidence_en = "; ".join(f"{s.text}" + (f" (cell {s.cell})" if s.cell is not None else " (metadata)") for s in shown[:3])
    cell = next((s.cell for s in shown if s.cell is not None), None)
    if ev.execution.code_cells and not ev.execution.executed_cells:
        return Outcome("missing", "ノートブックが実行されていないため、GPU で実行したかどうか分かりません（メタデータだけでは判定しません）。",
                       "the notebook was not run, so whether it ran on a GPU cannot be told (metadata alone is not enough).")
    if gpu.verdict == "gpu":
        return Outcome("pass", f"GPU で実行した証拠があります: {evidence_ja}。", f"evidence of a GPU run: {evidence_en}.", cell)
    if gpu.verdict == "cpu":
        return Outcome("fail", f"CPU で実行されたようです（根拠: {evidence_ja}）。「ランタイム → ランタイムのタイプを変更」で T4 GPU を選び、実行し直してください。",
                       f"the notebook seems to have run on a CPU (evidence: {evidence_en}). Choose Runtime → Change runtime type → T4 GPU and run it again.",
                       cell)
    return Outcome("missing", "GPU で実行した証拠が見つかりません。T4 GPU のランタイムで GPU 確認のセル（tf.config.list_physical_devices('GPU') の表示）を実行し、出力を残して保存してください。",
                   "no evidence of a GPU run. On a T4 GPU runtime, run the GPU-check cell (printing tf.config.list_physical_devices('GPU')) and save with its output.")


@kind("figure", axes=Param((int,)), count=Param((int,)))
def check_figure(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    axes, count = p.get("axes"), p.get("count", 1)
    curves = [f for f in ev.figures if f.learning_curve]
    if not curves:
        if ev.figures:
            return Outcome("fail", "図はありますが、学習の記録（history の loss / accuracy）を描いた図が見つかりません。",
                           "there are figures, but none plots the training history (loss / accuracy).", ev.figures[-1].cell)
        return Outcome("missing", "学習曲線の図が見つかりません。plt.show() で図を表示し、出力を残して保存してください。",
                       "no learning-curve figure was found. Show it with plt.show() and save with the output.")
    good = [f for f in curves if axes is None or f.axes == axes]
    if len(good) >= count:
        return Outcome("pass", f"学習曲線の図があります（セル {_cells(good)}）。", f"learning-curve figure found (cell {_cells(good, ', ')}).",
                       good[-1].cell)
    unknown = [f for f in curves if f.axes is None]
    if unknown:
        return Outcome("missing", f"図はありますが、グラフ（軸）の数が読み取れません。{axes} つのグラフを並べた図を表示してください。",
                       f"a figure is there but its number of plots (axes) cannot be read; show a figure with {axes} plots.",
                       unknown[-1].cell)
    got = "、".join(str(f.axes) for f in curves)
    return Outcome("fail", f"図のグラフ（軸）の数が {axes} ではありません（見つかった数: {got}）。plt.subplot(1, 2, 1) と (1, 2, 2) で 2 つ並べてください。",
                   f"the figure does not have {axes} plots (found: {got}). Use plt.subplot(1, 2, 1) and (1, 2, 2).",
                   curves[-1].cell)


# ------------------------------------------------------------------ code

def _norm_name(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower())


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(b, list):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(
            _norm_name(canonical_metric(str(x))) == _norm_name(canonical_metric(str(y))) for x, y in zip(a, b))
    return _norm_name(a) == _norm_name(b)


def _check_call(ev: Evidence, method: str, p: Mapping[str, Any], example: str) -> Outcome:
    calls = ev.code.calls_of(method)
    want = ", ".join(f"{k}={v!r}" for k, v in p.items())
    if not calls:
        return Outcome("missing", f"model.{method}(...) の呼び出しがコードに見つかりません（{example}）。",
                       f"no model.{method}(...) call was found in the code ({example}).")
    for call in calls:
        if all(k in call.args and _same(call.args[k], v) for k, v in p.items()):
            return Outcome("pass", f"{method}({want}) を確認しました（セル {call.cell}）。", f"{method}({want}) found (cell {call.cell}).",
                           call.cell)
    last = calls[-1]
    diffs = [f"{k}={last.args.get(k, '（指定なし）')!r}（求める値 {v!r}）" for k, v in p.items() if not (k in last.args and _same(last.args[k], v))]
    diffs_en = [f"{k}={last.args.get(k, '(not given)')!r} (expected {v!r})" for k, v in p.items()
                if not (k in last.args and _same(last.args[k], v))]
    return Outcome("fail", f"{method} の引数が違います: {'、'.join(diffs)}（セル {last.cell}）。",
                   f"{method} arguments differ: {', '.join(diffs_en)} (cell {last.cell}).", last.cell)


@kind("fit_args", needs_one_of=("epochs", "batch_size", "validation_split"), epochs=Param((int,)),
      batch_size=Param((int,)), validation_split=Param(_NUM))
def check_fit_args(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    return _check_call(ev, "fit", p, "例: result = model.fit(x_train, y_train, epochs=30, batch_size=64, validation_split=0.2)")


@kind("compile_args", needs_one_of=("loss", "optimizer", "metrics"), loss=Param((str,)), optimizer=Param((str,)),
      metrics=Param((list,), list_of=(str,)))
def check_compile_args(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    return _check_call(ev, "compile", p, "例: model.compile(loss='categorical_crossentropy', optimizer='Adam', metrics=['accuracy'])")


@kind("functions_defined", names=Param((list,), required=True, list_of=(str,)))
def check_functions_defined(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    missing = [n for n in p["names"] if n not in ev.code.functions]
    if not missing:
        return Outcome("pass", f"関数 {', '.join(p['names'])} が定義されています。", f"functions {', '.join(p['names'])} are defined.")
    if ev.execution.code_cells == 0:
        return Outcome("missing", "コードセルがありません。", "the notebook has no code cells.")
    return Outcome("fail", f"関数 {', '.join(missing)} の定義（def）が見つかりません。", f"no definition (def) of {', '.join(missing)} was found.")


_NUMBER = re.compile(r"[-+−]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|\bTrue\b|\bFalse\b")


_NUMPY_SCALAR = re.compile(r"\bnp\.(?:u?int|float|bool_?)\d*\(([^()]*)\)")


def _numbers(text: str) -> list[float]:
    """Numbers in a printed line; numpy 2 reprs such as ``np.int64(1)`` count as their value."""
    out = []
    for tok in _NUMBER.findall(_NUMPY_SCALAR.sub(r"\1", text)):
        out.append(1.0 if tok == "True" else 0.0 if tok == "False" else float(tok.replace("−", "-")))
    return out


def _labelled_lines(ev: Evidence, labels: Sequence[str]) -> list[tuple[int, list[float], str]]:
    """Output lines that start with one of the labels, with the numbers that follow the label."""
    pattern = re.compile(r"^\s*(?:" + "|".join(re.escape(l) for l in labels) + r")(?![A-Za-z0-9_])\s*[:=：]?\s*(.*)$",
                         re.IGNORECASE)
    found = []
    for cell, text in ev.outputs:
        for line in text.splitlines():
            m = pattern.match(line)
            if m:
                found.append((cell, _numbers(m.group(1)), line.strip()))
    return found


def values_match(found: Sequence[float], expected: float | Sequence[float], tolerance: float = 0.0) -> bool:
    """The numbers after a label equal the expected value or list (element-wise, within tolerance)."""
    want = [float(expected)] if isinstance(expected, (int, float)) else [float(x) for x in expected]
    got = list(found[: len(want)]) if len(want) == 1 else list(found)
    return len(got) == len(want) and all(abs(a - b) <= tolerance + 1e-12 for a, b in zip(got, want))


@kind("printed_value", label=Param((str, list), required=True), value=Param((int, float, list), required=True),
      tolerance=Param(_NUM))
def check_printed_value(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    labels = [p["label"]] if isinstance(p["label"], str) else list(p["label"])
    expected, tol = p["value"], float(p.get("tolerance", 0.0))
    lines = _labelled_lines(ev, labels)
    shown = f"{labels[0]} = {expected}"
    if not lines:
        return Outcome("missing", f"「{shown}」のような {labels[0]} の表示が見つかりません。print で表示し、出力を残して保存してください。",
                       f"no line showing {labels[0]} (like '{shown}') was found. Print it and save with the output.")
    for cell, numbers, line in reversed(lines):
        if values_match(numbers, expected, tol):
            return Outcome("pass", f"{labels[0]} の値が正しく表示されています（セル {cell}: 「{line}」）。",
                           f"{labels[0]} is printed correctly (cell {cell}: '{line}').", cell)
    cell, _, line = lines[-1]
    return Outcome("fail", f"{labels[0]} の表示「{line}」が正しい値 {expected} と違います（セル {cell}）。",
                   f"the printed {labels[0]} '{line}' differs from the right value {expected} (cell {cell}).", cell)
