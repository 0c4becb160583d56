"""The clean-process verification of a run, judged: parameter and test-accuracy checks, ``tampered_output`` flags.

Pure functions of values; standard library only. ``autograder run`` saves the trained model after the student's
cells and a separate clean process loads and scores it (``autograder.execute.verify``); its numbers reach the
evidence only from the run's own record (``Evidence.verified``), never from the notebook. For such a notebook:

- a check of a kind in ``VERIFIED_KINDS`` keeps its points only if the clean process agrees: ``summary_params``
  needs ``count`` saved models with the spec's total (and per-layer counts), ``test_accuracy`` needs the model
  of the last ``fit`` to score at least ``min`` on the instructor's test data. Like the hidden tests, the
  verification takes points away and never adds them: a check that fails statically stays as it is. A run that
  saved no loadable model (a faked TensorFlow, a refused archive) gets none of these points;
- a printed test accuracy more than ``ACCURACY_TOLERANCE`` from the clean process's, or a printed parameter total
  that no saved model has, is a ``tampered_output`` flag naming both values.

``ACCURACY_TOLERANCE`` = 0.02: in a re-execution the printout and the saved model come from the same code and
the same run, and the clean process evaluates on the same test data with the course's preprocessing (÷255), so an
honest gap is only the printed rounding (≤ 5e-5) or Keras 3's averaged ``━`` bar (up to 0.0078 measured,
``integrity.tolerances``). A notebook that preprocesses the test data otherwise than ÷255 can differ more: the
flag asks a person to look, it never takes points by itself.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from autograder.model.evidence import Evidence, Verification
from autograder.model.format import count as _n
from autograder.model.results import CheckResult, Flag, FlagKind, Status
from autograder.model.spec import Spec

VERIFIED_KINDS = ("summary_params", "test_accuracy")
ACCURACY_TOLERANCE = 0.02


def apply_verification(spec: Spec, checks: Sequence[CheckResult], ev: Evidence) -> tuple[CheckResult, ...]:
    """The check results with the clean process's numbers applied (see the module docstring)."""
    v = ev.verified
    if v is None:
        return tuple(checks)
    kinds = {c.id: (c.kind, c.params) for c in spec.checks}
    out = []
    for check in checks:
        kind, params = kinds.get(check.id, ("", {}))
        if check.status != Status.PASS or kind not in VERIFIED_KINDS:
            out.append(check)
            continue
        verdict = _params(v, params) if kind == "summary_params" else _accuracy(v, params)
        out.append(check if verdict is None else replace(check, status=verdict[0], points=0.0, message=verdict[1],
                                                         message_en=verdict[2]))
    return tuple(out)


def _none_loaded(v: Verification) -> tuple[Status, str, str]:
    why = v.reason or "; ".join(f"{m.name}: {m.reason}" for m in v.models if m.reason) or "-"
    return (Status.MISSING,
            f"再実行のあと、学習したモデルを保存して別のプロセスで読み込むことができませんでした（{why}）。"
            "この点は実際に学習されたモデルからしか数えません。",
            f"after the re-execution, no trained model could be saved and loaded in a separate process ({why}). "
            "These points count only from a model that was really trained.")


def _params(v: Verification, p: Mapping[str, Any]) -> tuple[Status, str, str] | None:
    """None when the saved models confirm the count; else why not."""
    loaded = [m for m in v.models if m.params is not None]
    if not loaded:
        return _none_loaded(v)
    total, count, layers = p["total"], p.get("count", 1), p.get("layer_params")
    exact = [m for m in loaded if m.params == total and (layers is None or [c for c in m.layers if c] == list(layers))]
    if len(exact) >= count:
        return None
    found = "、".join(f"{m.name}: {_n(m.params or 0)}" for m in loaded)
    found_en = ", ".join(f"{m.name}: {_n(m.params or 0)}" for m in loaded)
    return (Status.FAIL,
            f"学習したモデルを別のプロセスで読み込んで数えたパラメータ数（{found}）が、求める {_n(total)} の"
            f"モデル {count} つと合いません。表示された summary ではなく、学習したモデルで判定しています。",
            f"the trained models loaded in a separate process have {found_en} parameters, not {count} model(s) "
            f"of {_n(total)}: judged on the trained model, not on the printed summary.")


def _accuracy(v: Verification, p: Mapping[str, Any]) -> tuple[Status, str, str] | None:
    model = v.judged_model
    if model is None or model.params is None:
        return _none_loaded(v)
    if model.test_accuracy is None:
        why = model.reason or "-"
        return (Status.MISSING, f"学習したモデル {model.name} をテストデータで評価できませんでした（{why}）。",
                f"the trained model {model.name} could not be scored on the test data ({why}).")
    minimum = float(p["min"])
    if model.test_accuracy >= minimum:
        return None
    return (Status.FAIL,
            f"学習したモデル {model.name} を別のプロセスでテストデータに対して評価した正解率は {model.test_accuracy:.4f} で、"
            f"基準 {minimum:g} に届きません。",
            f"the trained model {model.name}, scored on the test data in a separate process, has accuracy "
            f"{model.test_accuracy:.4f}, below the threshold {minimum:g}.")


def verification_flags(ev: Evidence) -> list[Flag]:
    """``tampered_output`` where the printout disagrees with the trained model (both values named)."""
    v = ev.verified
    if v is None:
        return []
    flags = []
    model = v.judged_model
    printed = ev.test_accuracy
    if model is not None and model.test_accuracy is not None and printed is not None and printed.accuracy is not None \
            and abs(printed.accuracy - model.test_accuracy) > ACCURACY_TOLERANCE:
        cells = (printed.cell,) if printed.cell is not None else ()
        flags.append(Flag(FlagKind.TAMPERED_OUTPUT,
                          f"表示されたテスト正解率 {printed.accuracy:.4f}（セル {printed.cell}）と、学習したモデル {model.name} を"
                          f"採点側の別のプロセスで評価した正解率 {model.test_accuracy:.4f} が {ACCURACY_TOLERANCE:g} より大きく"
                          "違います。教員が確認します。",
                          f"the printed test accuracy {printed.accuracy:.4f} (cell {printed.cell}) and the accuracy of the "
                          f"trained model {model.name} scored by the grader in a separate process, "
                          f"{model.test_accuracy:.4f}, differ by more than {ACCURACY_TOLERANCE:g}; an instructor will review it.",
                          cells))
    counts = {m.params for m in v.models if m.params is not None}
    if counts:
        for s in ev.summaries:
            if s.trained is False:
                continue
            shown = s.trainable_params + s.non_trainable_params if (
                s.trainable_params is not None and s.non_trainable_params is not None) else s.total_params
            if shown not in counts and s.total_params not in counts:
                got = "、".join(_n(c) for c in sorted(counts))
                flags.append(Flag(FlagKind.TAMPERED_OUTPUT,
                                  f"表示された summary のパラメータ数 {_n(shown)}（セル {s.cell}）が、学習したモデルを採点側の"
                                  f"別のプロセスで数えた値（{got}）のどれとも違います。教員が確認します。",
                                  f"the summary in cell {s.cell} shows {_n(shown)} parameters, but the trained models "
                                  f"counted by the grader in a separate process have {got.replace('、', ', ')}; "
                                  "an instructor will review it.",
                                  (s.cell,) if s.cell is not None else ()))
    return flags

