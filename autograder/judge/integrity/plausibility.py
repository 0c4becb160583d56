"""Plausibility, for review only: results that no honest run shows together. Judging layer: pure functions of
``Evidence``; standard library and ``autograder.model`` only. The flags are ``implausible``: they never change a
score (``judge.policy`` acts on ``tampered_output`` only); each states the numbers and the tolerance.

* test accuracy vs the last ``val_accuracy`` of the same run (the evaluation run after that training, by execution
  counts): honest gaps measured on every notebook we have are ≤ 0.0066 (the samples; 0.0052 in
  ``../shared/corpus/real``, 0.0066 in ``examples/submissions``); flagged above ``VAL_GAP`` = 0.05.

Tried and rejected: the bound loss ≥ (1 − accuracy)·ln 2 of a cross-entropy (a misclassified sample costs at least
ln 2): an honest real notebook (``keras3_colab_mnist_mlp_student_out_of_order``, accuracy 0.7300 with loss 0.1778)
and the synthetic samples break it, so accuracy/loss pairs are not judged.
"""
from __future__ import annotations

import math

from autograder.judge.integrity.common import count
from autograder.model.evidence import Evidence
from autograder.model.results import Flag, FlagKind

__all__ = ["VAL_GAP", "validation_gap"]

VAL_GAP = 0.05
_REVIEW_JA = "不正と決めつけるものではなく、点数は変わりません。教員が確認します。"
_REVIEW_EN = "This is not a finding of misconduct and does not change the score; an instructor will review it."


def _flag(ja: str, en: str, cells: tuple[int | None, ...]) -> Flag:
    shown = tuple(sorted({c for c in cells if c is not None}))
    return Flag(FlagKind.IMPLAUSIBLE, f"{ja}{_REVIEW_JA}", f"{en} {_REVIEW_EN}", cells=shown)


def validation_gap(ev: Evidence) -> list[Flag]:
    """The test accuracy within ``VAL_GAP`` of the last ``val_accuracy`` of the training run before it."""
    t = ev.test_accuracy
    if t is None or t.accuracy is None or t.cell is None or not math.isfinite(t.accuracy):
        return []
    fits = [f for f in ev.fits if f.cell is not None and f.cell <= t.cell and f.series("val_accuracy")]
    if not fits or fits[-1].cell is None:
        return []
    fit = fits[-1]
    a, b = count(ev, fit.cell), count(ev, t.cell)
    if a is None or b is None or b < a:
        return []  # evaluated before (the last run of) the training: another model state, out_of_order says so
    val = fit.series("val_accuracy")[-1]
    if not math.isfinite(val) or abs(t.accuracy - val) <= VAL_GAP:
        return []
    return [_flag(f"テストデータの正解率 {t.accuracy:.4f}（セル {t.cell}）が、同じ学習の最後の検証データの正解率 "
                  f"{val:.4f}（セル {fit.cell}）と {abs(t.accuracy - val):.3f} 離れています。正直な実行で見られる差は "
                  f"0.007 以下で、{VAL_GAP} を超える差はふつう起きません。",
                  f"the test accuracy {t.accuracy:.4f} (cell {t.cell}) is {abs(t.accuracy - val):.3f} away from the last "
                  f"val_accuracy {val:.4f} of the same training (cell {fit.cell}); honest runs differ by at most 0.007, "
                  f"and more than {VAL_GAP} does not normally happen.", (t.cell, fit.cell))]
