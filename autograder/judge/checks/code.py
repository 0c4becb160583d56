"""Checks of the category ``code``: arguments of ``compile``/``fit`` calls, defined functions, printed values.

Pure functions of evidence values; standard library only.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from autograder.judge.checks.common import _labelled_lines, values_match
from autograder.judge.registry import NUM, Param, kind
from autograder.model.evidence import Evidence
from autograder.model.keras import canonical_metric
from autograder.model.results import Outcome, Status


def _norm_name(value: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", str(value).lower())


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, (int, float)) and not isinstance(b, bool):
        return isinstance(a, (int, float)) and not isinstance(a, bool) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(b, list):
        return isinstance(a, (list, tuple)) and len(a) == len(b) and all(
            _norm_name(canonical_metric(str(x))) == _norm_name(canonical_metric(str(y))) for x, y in zip(a, b, strict=True))
    return _norm_name(a) == _norm_name(b)


def _check_call(ev: Evidence, method: str, p: Mapping[str, Any], example: str) -> Outcome:
    calls = ev.code.calls_of(method)
    want = ", ".join(f"{k}={v!r}" for k, v in p.items())
    if not calls:
        return Outcome(Status.MISSING, f"model.{method}(...) の呼び出しがコードに見つかりません（{example}）。",
                       f"no model.{method}(...) call was found in the code ({example}).")
    for call in calls:
        if all(k in call.args and _same(call.args[k], v) for k, v in p.items()):
            return Outcome(Status.PASS, f"{method}({want}) を確認しました（セル {call.cell}）。",
                           f"{method}({want}) found (cell {call.cell}).", call.cell)
    last = calls[-1]
    wrong = [(k, v) for k, v in p.items() if not (k in last.args and _same(last.args[k], v))]
    diffs = [f"{k}={last.args.get(k, '（指定なし）')!r}（求める値 {v!r}）" for k, v in wrong]
    diffs_en = [f"{k}={last.args.get(k, '(not given)')!r} (expected {v!r})" for k, v in wrong]
    return Outcome(Status.FAIL, f"{method} の引数が違います: {'、'.join(diffs)}（セル {last.cell}）。",
                   f"{method} arguments differ: {', '.join(diffs_en)} (cell {last.cell}).", last.cell)


@kind("fit_args", needs_one_of=("epochs", "batch_size", "validation_split"), epochs=Param((int,)),
      batch_size=Param((int,)), validation_split=Param(NUM))
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
        return Outcome(Status.PASS, f"関数 {', '.join(p['names'])} が定義されています。",
                       f"functions {', '.join(p['names'])} are defined.")
    if ev.execution.code_cells == 0:
        return Outcome(Status.MISSING, "コードセルがありません。", "the notebook has no code cells.")
    return Outcome(Status.FAIL, f"関数 {', '.join(missing)} の定義（def）が見つかりません。",
                   f"no definition (def) of {', '.join(missing)} was found.")


@kind("printed_value", label=Param((str, list), required=True), value=Param((int, float, list), required=True),
      tolerance=Param(NUM))
def check_printed_value(ev: Evidence, p: Mapping[str, Any]) -> Outcome:
    labels = [p["label"]] if isinstance(p["label"], str) else list(p["label"])
    expected, tol = p["value"], float(p.get("tolerance", 0.0))
    lines = _labelled_lines(ev, labels)
    shown = f"{labels[0]} = {expected}"
    if not lines:
        return Outcome(Status.MISSING,
                       f"「{shown}」のような {labels[0]} の表示が見つかりません。print で表示し、出力を残して保存してください。",
                       f"no line showing {labels[0]} (like '{shown}') was found. Print it and save with the output.")
    for cell, numbers, line in reversed(lines):
        if values_match(numbers, expected, tol):
            return Outcome(Status.PASS, f"{labels[0]} の値が正しく表示されています（セル {cell}: 「{line}」）。",
                           f"{labels[0]} is printed correctly (cell {cell}: '{line}').", cell)
    cell, _, line = lines[-1]
    return Outcome(Status.FAIL, f"{labels[0]} の表示「{line}」が正しい値 {expected} と違います（セル {cell}）。",
                   f"the printed {labels[0]} '{line}' differs from the right value {expected} (cell {cell}).", cell)
