"""Checks of the category ``accuracy``: the test accuracy of the model as finally trained.

Pure functions of evidence values; standard library only. Which result is the test accuracy is decided once, in
the reading layer (``Evidence.test_accuracy``, the rule of ``read.results``); results not taken carry their
reason (``Evaluation.not_taken``), which a ``missing`` message explains.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.registry import NUM, Param, kind
from autograder.model.evidence import Evaluation, Evidence
from autograder.model.results import Outcome, Status

# why a result was not taken, in words a student understands (keys: ``Evaluation.not_taken``)
_WHY: dict[str, tuple[str, str]] = {
    "typed": ("数値がコードに直接書かれた print の出力で、計算された結果ではありません",
              "it prints a number written in the code, not a computed result"),
    "untrained": ("学習（fit）する前のモデルを評価しています", "it evaluates the model before it was trained (fit)"),
    "retrained": ("この評価の後で同じモデルをさらに学習しています", "the same model is trained again after it"),
    "before_training": ("この表示の後で学習（fit）をしています", "training (fit) follows it"),
}
_MISSING_JA = ("学習後のテスト正解率が見つかりません。"
               "model.evaluate の後に print('Test accuracy:', score[1]) を実行し、出力を残してください。")
_MISSING_EN = ("no test accuracy after training was found. "
               "After model.evaluate, run print('Test accuracy:', score[1]) and keep the output.")


def _not_taken(ev: Evidence) -> list[Evaluation]:
    return [e for e in ev.evaluations if e.accuracy is not None and e.not_taken in _WHY]


def _missing(ev: Evidence) -> Outcome:
    seen = _not_taken(ev)[-3:]
    if not seen:
        return Outcome(Status.MISSING, _MISSING_JA, _MISSING_EN)
    ja = "".join(f"セル {e.cell} の「{e.text}」は使えません（{_WHY[e.not_taken or ''][0]}）。" for e in seen)
    en = " ".join(f"'{e.text}' in cell {e.cell} was not taken: {_WHY[e.not_taken or ''][1]}." for e in seen)
    return Outcome(Status.MISSING, f"{_MISSING_JA}{ja}", f"{_MISSING_EN} {en}", seen[-1].cell)


@kind("test_accuracy", min=Param(NUM, required=True))
def check_test_accuracy(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    minimum = float(p["min"])
    result = ev.test_accuracy
    if result is None or result.accuracy is None:
        return _missing(ev)
    acc = result.accuracy
    if acc >= minimum:
        return Outcome(Status.PASS, f"テスト正解率 {acc:.4f} は基準 {minimum:g} 以上です（セル {result.cell}: 「{result.text}」）。",
                       f"test accuracy {acc:.4f} meets the threshold {minimum:g} (cell {result.cell}: '{result.text}').", result.cell)
    return Outcome(Status.FAIL, f"テスト正解率 {acc:.4f} が基準 {minimum:g} に届きません（セル {result.cell}: 「{result.text}」）。"
                   "モデルとエポック数を見直してください。",
                   f"test accuracy {acc:.4f} is below the threshold {minimum:g} (cell {result.cell}: '{result.text}'). "
                   "Review the model and the number of epochs.", result.cell)
