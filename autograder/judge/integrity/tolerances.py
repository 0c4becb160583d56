"""Integrity tolerances: half units of printed digits, the Keras 3 bar tolerances and the k/N arithmetic. Judging
layer: pure functions and constants; standard library and ``autograder.model`` only (never ``autograder.read``).

The figures behind each constant are in the docstring of ``autograder.judge.integrity``.
"""
from __future__ import annotations

import math
import re
import struct
from collections.abc import Mapping
from typing import Any

from autograder.model.keras import significant_digits
from autograder.model.results import FlagKind

__all__ = [
    "K3_BAR_ACCURACY_TOL",
    "K3_BAR_LARGE_LOSS",
    "K3_BAR_LARGE_LOSS_REL_TOL",
    "K3_BAR_LOSS_ABS_TOL",
    "K3_BAR_LOSS_REL_TOL",
    "KERAS_HALF_UNIT",
    "POLICIES",
    "SLACK",
    "TAMPERED",
    "batch_size",
    "k3_bar_loss_tolerance",
    "keras_half_unit",
    "printed_half_unit",
    "ratio_check",
    "ratio_note",
    "samples",
]

TAMPERED = FlagKind.TAMPERED_OUTPUT
POLICIES = ("review", "fail")

KERAS_HALF_UNIT = 5e-5  # Keras prints metrics "%.4f": half a unit of the 4th decimal
K3_BAR_ACCURACY_TOL = 0.02  # largest seen in the corpus: 0.0078 (keras3_colab_gpu_mit_lab2_mnist, cell 31)
K3_BAR_LOSS_ABS_TOL = 0.02  # largest seen: 0.0072 (keras3_coursera_c1w2_fashion_mnist_lab, cells 19 and 41)
K3_BAR_LOSS_REL_TOL = 0.06  # largest seen: 2.1 % of the loss
# Un-normalised inputs (pixels 0–255) give test losses far above 1, dominated by a few batches of confident
# mistakes; the Keras 3 bar (an average of running means: a weighted mean of the batch losses whose first
# batches weigh up to H_B ≈ 6× the last) then lands far from the returned mean: an honest real run shows
# loss 38.7 on the bar and returns 32.6 (6.1 apart: 15.8 % of the bar). The Keras 3 bar/return loss pairs of
# ../shared/corpus/real are at losses 0.34 and 0.51 (2.1 % and 1.4 %). Above a bar loss of 1 the relative
# tolerance is 50 % of the bar's loss (about 3× the difference seen); below it, max(0.02, 6 %) as measured.
# The accuracy tolerance is unchanged (accuracies are bounded, the averaging moves them ≤ 0.0078).
K3_BAR_LARGE_LOSS = 1.0
K3_BAR_LARGE_LOSS_REL_TOL = 0.5
SLACK = 1e-9
_RATIO_MIN_DIGITS = 9  # a value printed with fewer significant digits says nothing about k/N
_RATIO_MAX_RANGE = 4096  # at most this many candidate N are tried
_DEFAULT_BATCH = 32  # Keras' default batch_size of fit and evaluate


def k3_bar_loss_tolerance(logged: float) -> float:
    """How far an honest returned loss may lie from a Keras 3 ``━`` bar's loss ``logged`` (see the constants)."""
    rel = K3_BAR_LARGE_LOSS_REL_TOL if abs(logged) > K3_BAR_LARGE_LOSS else K3_BAR_LOSS_REL_TOL
    return max(K3_BAR_LOSS_ABS_TOL, rel * abs(logged))


def keras_half_unit(value: float) -> float:
    """Half a unit of the last digit Keras prints for ``value`` ("%.4f", or "%.4e" at and below 1e-3)."""
    if not math.isfinite(value) or value == 0 or abs(value) > 1e-3:
        return KERAS_HALF_UNIT
    return KERAS_HALF_UNIT * 10 ** math.floor(math.log10(abs(value)))


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(\s*[%％])?")


def printed_half_unit(text: str, value: float) -> float | None:
    """Half a unit of the last printed digit of ``value`` as it appears in ``text`` (a percentage counts two
    more decimals), or None when the number cannot be found."""
    for m in _NUMBER.finditer(text):
        token = m.group(0)
        percent = bool(m.group(1))
        number = token.rstrip("%％ \t")
        try:
            x = float(number)
        except ValueError:
            continue
        if percent:
            x /= 100
        if not math.isclose(x, value, rel_tol=1e-12, abs_tol=1e-15):
            continue
        mantissa, _, exponent = number.lower().partition("e")
        decimals = len(mantissa.partition(".")[2]) - (int(exponent) if exponent else 0) + (2 if percent else 0)
        return 0.5 * 10.0 ** (-decimals)
    return None


def _f32(x: float) -> float:
    value: float = struct.unpack("f", struct.pack("f", x))[0]
    return value


def ratio_check(value: float, n_low: int, n_high: int) -> tuple[int, int] | None:
    """(k, N) with N in [n_low, n_high] such that ``value`` is the float32 (tf.keras ≥ 2, Keras 3) or float64
    (Keras ≤ 2.2, NumPy) value of k/N, else None. Keras accuracies are counts of correct samples over a count of
    samples, kept in float32 and divided there; Python prints the float32 widened to a float exactly."""
    if not (math.isfinite(value) and 0.0 <= value <= 1.0) or n_high < n_low or n_low < 1:
        return None
    for n in range(n_low, min(n_high, n_low + _RATIO_MAX_RANGE) + 1):
        guess = round(value * n)
        for k in (guess - 1, guess, guess + 1):
            if 0 <= k <= n and (k / n == value or _f32(k / n) == value):
                return k, n
    return None


def ratio_note(value: float, n_low: int | None, n_high: int | None, what_ja: str, what_en: str,
               data_ja: str, data_en: str) -> tuple[str, str]:
    """The k/N arithmetic for ``value`` as a sentence (empty when it cannot be checked)."""
    if n_low is None or n_high is None or significant_digits(value) < _RATIO_MIN_DIGITS:
        return "", ""
    found = ratio_check(value, n_low, n_high)
    where = f"N = {n_low:,}" if n_low == n_high else f"N = {n_low:,}〜{n_high:,}"
    where_en = f"N = {n_low:,}" if n_low == n_high else f"N = {n_low:,}–{n_high:,}"
    if found:
        k, n = found
        return (f"（検算: {value!r} は {k:,}/{n:,} の値で、k/N として矛盾はありません）",
                f" (arithmetic: {value!r} is the value of {k:,}/{n:,}, consistent with k/N)")
    ja = (f"（補助的な検算: {what_ja} {value!r} は、{where}（この実行の{data_ja}の件数として考えられる範囲）の"
          f"どの正解数 k についても k/N の float32 値・float64 値になりません。Keras の正解率は必ず k/N です）")
    en = (f" (supporting arithmetic: the {what_en} {value!r} is not the float32 or float64 value of k/N for any "
          f"count k and {where_en}, the possible numbers of {data_en} in this run; Keras accuracies are always k/N)")
    return ja, en


def batch_size(args: Mapping[str, Any]) -> int | None:
    """The ``batch_size`` of a fit or evaluate call: Keras' default when not given, None when not a literal."""
    if "batch_size" not in args:
        return _DEFAULT_BATCH
    b = args.get("batch_size")
    return b if isinstance(b, int) and not isinstance(b, bool) and b > 0 else None


def samples(count: int, unit: str, batch: int | None) -> tuple[int, int] | tuple[None, None]:
    """The range of sample counts behind a progress counter of ``count`` steps (or samples) of ``batch``."""
    if unit == "sample":
        return count, count
    if batch is None:
        return None, None
    return (count - 1) * batch + 1, count * batch
