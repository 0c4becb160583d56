"""Checks of the category ``accuracy``: the test accuracy printed after training.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.judge.registry import NUM, Param, kind
from autograder.model.evidence import Evidence
from autograder.model.results import Outcome, Status


@kind("test_accuracy", min=Param(NUM, required=True))
def check_test_accuracy(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    minimum = float(p["min"])
    result = ev.test_accuracy
    if result is None or result.accuracy is None:
        return Outcome(Status.MISSING,
                       "学習後のテスト正解率が見つかりません。"
                       "model.evaluate の後に print('Test accuracy:', score[1]) を実行し、出力を残してください。",
                       "no test accuracy after training was found. "
                       "After model.evaluate, run print('Test accuracy:', score[1]) and keep the output.")
    acc = result.accuracy
    if acc >= minimum:
        return Outcome(Status.PASS, f"テスト正解率 {acc:.4f} は基準 {minimum:g} 以上です（セル {result.cell}: 「{result.text}」）。",
                       f"test accuracy {acc:.4f} meets the threshold {minimum:g} (cell {result.cell}: '{result.text}').", result.cell)
    return Outcome(Status.FAIL, f"テスト正解率 {acc:.4f} が基準 {minimum:g} に届きません（セル {result.cell}: 「{result.text}」）。"
                   "モデルとエポック数を見直してください。",
                   f"test accuracy {acc:.4f} is below the threshold {minimum:g} (cell {result.cell}: '{result.text}'). "
                   "Review the model and the number of epochs.", result.cell)
