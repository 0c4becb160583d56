"""How numbers are written in every message, page and CSV (one owner for each format). Standard library only."""
from __future__ import annotations

import math


def count(x: float) -> str:
    """Parameter counts and other counts: ``25450`` → ``25,450``; a non-integral float as ``%g`` (``0.95``)."""
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) >= 1000):
        return f"{int(x):,}"
    return f"{x:g}"


def points(x: float) -> str:
    """Points and scores as people write them: ``10``, ``7.5``, ``100``."""
    return f"{x:g}"


def score(x: float) -> str:
    """A score for a machine-read CSV: at most 4 decimals, no trailing zeros (``83.33333`` → ``83.3333``)."""
    return f"{round(x, 4):g}"


def metric(x: float) -> str:
    """A loss or an accuracy as Keras prints it: 4 decimals (``0.9728``); ``nan``/``inf`` as they are."""
    return f"{x:.4f}" if math.isfinite(x) else str(x)


CSV_ENCODINGS = ("utf-8-sig", "utf-8", "cp932")  # the encodings a CSV we write may use
CSV_ENCODING = CSV_ENCODINGS[0]  # UTF-8 with a BOM: Japanese Excel opens it correctly
