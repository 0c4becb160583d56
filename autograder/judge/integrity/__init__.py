"""Integrity of one notebook: do its saved outputs agree with each other and with its code, and was it run in order?

Judging layer: pure functions of ``Evidence`` returning ``Flag``s; nothing is executed, no output text is read
again (extraction records what the rules need on the evidence). Standard library, ``autograder.model`` and
``autograder.errors`` only; never imports ``autograder.read``.

The package: ``tolerances`` (half units, the Keras 3 bar tolerances, the k/N arithmetic), ``summary_rules``
(rules 1–2), ``training_rules`` (rules 3–5), ``evaluate_rules`` (rule 6, ``evaluation_pairs``), ``execution``
(the execution record), ``common`` (cell records and the wording of a ``tampered_output`` flag).

Two families of flags:

* ``tampered_output`` — two pieces of evidence that a real run prints consistently disagree. Every flag names
  both cells and both values, and says a person must review it: an honest student who edited code after
  running it, or ran cells out of order, can cause the same disagreement.

  1. summary rows vs its own totals: the rows' parameters add up to ``Trainable + Non-trainable`` (Keras 3's
     ``Total`` may add ``Optimizer params``; Keras 1/2's ``Total`` is exactly ``Trainable + Non-trainable``).
  2. summary vs code: the model the summary's cell names (``model.summary()``), as last built at or before
     that cell, has its layer stack computed from the code (``CodeFacts.models``, analytic per-layer params);
     the summary must show its per-layer counts or its total (or those of an earlier build of that name).
  3. fit log vs code: ``Epoch i/N`` shows ``N`` = the ``epochs=`` of the fit call behind it.
  4. fit log completeness: the epoch headers of one run have no gap (``Epoch 9/30`` then ``Epoch 21/30``).
     Rules 4 and 5 skip a log whose cell says Jupyter or Colab dropped output ("IOPub message rate exceeded",
     "Buffered data was truncated"): such a log is honestly incomplete.
  5. printed ``history.history`` vs the fit log of the same call: as many entries as epochs, each value equal
     to the logged one to the printed precision; without a log, as many entries as ``epochs=`` (fewer only with
     ``callbacks=``). Metric lists of one history always have equal length (unless ``callbacks=`` may add keys;
     with ``validation_freq=`` the rule is skipped).
  6. printed test accuracy / loss vs the ``model.evaluate`` progress line of the same call (tolerances below).
  7. a printed test result whose whole line is written in the code (``print("Test accuracy: 0.97")``): computed
     by nothing, so it is never the test accuracy (``read.results``) and is flagged naming the cell.

  A k/N check (``ratio_check``) is a *supporting* signal only: it is added, with its arithmetic, to flags of
  rules 5 and 6, never raised alone (sample weights, ``tf.data`` batch sizes or an average over runs make an
  honest accuracy that is not k/N for the N we can infer).

* the execution record — ``not_executed`` (no code cell run, or a cell calling ``fit``/``evaluate`` never
  run), ``out_of_order`` (execution counts that go backwards between the cells holding graded evidence, e.g. a
  summary re-run after the fit, or evidence outputs without an execution count), ``error_output`` (tracebacks).

Tolerances of rule 6 and rule 5, measured on the real notebooks of ``../shared/corpus/real``
(``tests/test_corpus_integrity.py`` re-measures them):

* tf.keras 2.x ``[====]`` bars and ``verbose=2`` lines of every Keras print the returned value rounded to
  4 decimals (``%.4f``, ``%.4e`` below 1e-3): 18 printed/returned values in 10 notebooks, all equal at
  4 decimals (largest difference 4.7e-5 < 5e-5). Tolerance: half a unit of the last digit of each of the two
  printed values.
* Keras 3 interactive (``━``) bars of several 3.x releases show an average of running averages (the progress
  bar averages values that are already running means: keras-team/keras#21301, #20788), not the returned
  value: 8 values in 4 notebooks differ by up to 0.0078 in accuracy (6 values) and 0.0072 (2.1 %) in loss
  (2 values). Tolerance: 0.02 for accuracy, max(0.02, 6 %) for loss (about 2.5× and 3× the largest seen), on
  top of the rounding.
  The same averaging makes the ``loss``/``accuracy`` of a Keras 3 ``━`` fit log differ from
  ``history.history``; only its ``val_*`` values (added once, at the end of the epoch) are compared there.
* tf.keras 2 bars after ``load_model``/``clone_model`` can also differ (tensorflow/tensorflow#51989): the
  Keras 3 tolerance is used when the code calls either.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from autograder.errors import raise_internal_errors
from autograder.judge.integrity.evaluate_rules import evaluation_pairs, printed_vs_progress, typed_results
from autograder.judge.integrity.execution import error_flags, not_executed_flags, order_flags
from autograder.judge.integrity.figure_rules import epoch_steps, figure_vs_log, repeated_epochs
from autograder.judge.integrity.gpu_rules import gpu_conflict_flags
from autograder.judge.integrity.plausibility import validation_gap
from autograder.judge.integrity.summary_rules import summary_totals, summary_vs_code
from autograder.judge.integrity.tolerances import (
    K3_BAR_ACCURACY_TOL,
    K3_BAR_LOSS_ABS_TOL,
    K3_BAR_LOSS_REL_TOL,
    KERAS_HALF_UNIT,
    POLICIES,
    TAMPERED,
    ratio_check,
)
from autograder.judge.integrity.tolerances import samples as _samples  # noqa: F401 - the name tests import
from autograder.judge.integrity.training_rules import epoch_gaps, fit_vs_code, history_vs_fit
from autograder.model.evidence import Evidence
from autograder.model.results import CheckResult, Flag, FlagKind

__all__ = [
    "K3_BAR_ACCURACY_TOL",
    "K3_BAR_LOSS_ABS_TOL",
    "K3_BAR_LOSS_REL_TOL",
    "KERAS_HALF_UNIT",
    "POLICIES",
    "TAMPERED",
    "evaluation_pairs",
    "execution_flags",
    "guarded",
    "notebook_flags",
    "ratio_check",
    "tampered_flags",
]

_RULES: tuple[Callable[[Evidence], list[Flag]], ...] = (
    summary_totals, summary_vs_code, fit_vs_code, epoch_gaps, history_vs_fit, printed_vs_progress, typed_results,
    repeated_epochs, epoch_steps, figure_vs_log, validation_gap)


def notebook_flags(ev: Evidence) -> list[Flag]:
    """Every integrity flag of one notebook: the execution record, then the cross-checks."""
    return execution_flags(ev) + tampered_flags(ev)


def tampered_flags(ev: Evidence) -> list[Flag]:
    """The ``tampered_output`` cross-checks (rules 1–6), each run by ``guarded``."""
    flags: list[Flag] = []
    for rule in _RULES:
        flags += guarded(rule, ev)
    return flags


def guarded(rule: Callable[[Evidence], list[Flag]], ev: Evidence) -> list[Flag]:
    """Run one rule. A crash is a bug of ours: never an accusation, never a stopped batch, never silent: it
    becomes an ``integrity_error`` flag naming the rule for a person to review (``raise_internal_errors()``
    re-raises it, as the tests do)."""
    try:
        return rule(ev)
    except Exception as exc:  # noqa: BLE001 - see the docstring
        if raise_internal_errors():
            raise
        name = rule.__name__.lstrip("_")
        return [Flag(FlagKind.INTEGRITY_ERROR,
                     f"整合性の確認（{name}）の途中で採点プログラムの内部エラー（{type(exc).__name__}）が起きたため、"
                     "この確認はできていません。提出者の問題ではありません。教員が確認します。",
                     f"the integrity rule {name} stopped with an internal error ({type(exc).__name__}), so this "
                     "cross-check was not made. This is not the student's fault; an instructor will review it.")]


def execution_flags(ev: Evidence, checks: Sequence[CheckResult] = ()) -> list[Flag]:
    """``not_executed``, ``error_output`` and ``out_of_order`` flags, each saying what the student should do."""
    return not_executed_flags(ev) + error_flags(ev) + guarded(order_flags, ev) + guarded(gpu_conflict_flags, ev)
