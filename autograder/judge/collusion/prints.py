"""Collusion fingerprints: the hashed keys of one notebook's evidence (training runs, test losses, figures, Colab
ids). Judging layer: standard library and ``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

from autograder.model.evidence import Evidence
from autograder.model.keras import METRIC_ALIASES, canonical_metric, significant_digits

__all__ = ["RUN_KINDS", "Prints", "fingerprints", "kind_sizes"]

_MIN_DIGITS = 9  # a test loss printed with fewer significant digits can be shared by chance
_KERAS_FIXED = 1e-3  # Keras prints "%.4f" above this absolute value, "%.4e" at and below
RUN_KINDS = ("curve", "loss", "figure", "figure_near")  # fingerprints of a training run (not of a copied output)


@dataclass
class Prints:
    """One submission's fingerprints: key → cells, plus the epoch keys of each training run."""

    runs: list[tuple[int | None, list[str]]] = field(default_factory=list)  # (cell, epoch keys) per run
    curves: list[tuple[int | None, list[dict[str, float]]]] = field(default_factory=list)  # (cell, epochs) per run
    keys: dict[tuple[str, str], set[int | None]] = field(default_factory=dict)  # (kind, value) → cells
    tag: str | None = None
    seeded: bool = False


def _keras(value: float) -> str:
    """A metric as Keras prints it: "%.4f", or "%.4e" at and below 1e-3."""
    if math.isnan(value):
        return "nan"
    return f"{value:.4f}" if abs(value) > _KERAS_FIXED else f"{value:.4e}"


# how _epoch_keys prints the epochs of one layout (see _layout)
_Layout = tuple[Callable[[Mapping[str, float]], tuple[float, ...]], tuple[str, ...], str]


def _layout(names: tuple[str, ...]) -> _Layout | None:
    """How ``_epoch_keys`` prints an epoch with these metric names, in this order: the getter of its values sorted
    by canonical name (a tuple: ≥ 2 names), the ``name=`` prefix of each, and a ``str.format`` template of the row
    for when every value is above 1e-3 ("%.4f"). None when two names are one metric (``acc`` and ``accuracy``):
    their order then depends on their values."""
    canonical = [canonical_metric(k) for k in names]
    if len(set(canonical)) < len(canonical):
        return None
    order = sorted(range(len(names)), key=canonical.__getitem__)  # distinct names: the order of (name, value) pairs
    prefixes = tuple(canonical[i] + "=" for i in order)
    template = ";".join(p.replace("{", "{{").replace("}", "}}") + "{:.4f}" for p in prefixes)
    return itemgetter(*(names[i] for i in order)), prefixes, template


def _epoch_keys(epochs: Sequence[Mapping[str, float]]) -> list[str]:
    """One key per informative epoch: its number and its metrics as printed. Epochs with fewer than two metrics,
    and epochs whose metrics repeat inside the run (a run stuck at chance level), give none.

    A row is ``name=value`` per metric (canonical names, sorted by name, then by value), joined by ``;``. The epochs
    of one run share their metric names, so the names are sorted once per layout (``_layout``) and a row whose
    values are all above 1e-3 is printed by one ``str.format`` call."""
    layouts: dict[tuple[str, ...], _Layout | None] = {}
    rows: list[str | None] = []
    for metrics in epochs:
        if len(metrics) < 2:
            rows.append(None)
            continue
        names = tuple(metrics)
        if names in layouts:
            layout = layouts[names]
        else:
            layout = layouts[names] = _layout(names)
        if layout is None:
            items = sorted((canonical_metric(k), v) for k, v in metrics.items())
            rows.append(";".join(f"{k}={_keras(v)}" for k, v in items))
            continue
        getter, prefixes, template = layout
        values = getter(metrics)
        if min(values) > _KERAS_FIXED:  # each value above 1e-3 prints as "%.4f" (min skips a NaN: "nan" either way)
            rows.append(template.format(*values))
        else:
            rows.append(";".join([p + _keras(v) for p, v in zip(prefixes, values, strict=True)]))
    seen = Counter(rows)
    return [f"{i}|{body}" for i, body in enumerate(rows, 1) if body is not None and seen[body] == 1]


def _curves(epochs: Sequence[Mapping[str, float]]) -> list[dict[str, float]]:
    """The epochs with canonical metric names (``acc`` → ``accuracy``; of two names of one metric in an epoch, the
    later value at the earlier place). Without an alias this is a copy of each epoch."""
    if METRIC_ALIASES.keys().isdisjoint(chain.from_iterable(epochs)):
        return [dict(e) for e in epochs]
    names = {k: canonical_metric(k) for e in epochs for k in e}
    return [{names[k]: v for k, v in e.items()} for e in epochs]


def fingerprints(ev: Evidence) -> Prints:
    """The hashed fingerprints of one notebook's evidence."""
    p = Prints(tag=ev.fingerprints.authorship_tag, seeded=ev.fingerprints.seeded)
    for f in ev.fits:
        keys = _epoch_keys(f.epochs)
        if keys:
            p.runs.append((f.cell, keys))
            p.curves.append((f.cell, _curves(f.epochs)))
    for h in ev.histories:
        if not h.values or h.epochs is None:
            continue
        names = tuple(h.values)  # every list has h.epochs values: zip takes them all
        epochs = [dict(zip(names, row, strict=True)) for row in zip(*h.values.values(), strict=True)]
        keys = _epoch_keys(epochs)
        if keys:
            p.runs.append((h.cell, keys))
            p.curves.append((h.cell, _curves(epochs)))
    for e in ev.evaluations:
        if e.loss is not None and math.isfinite(e.loss) and significant_digits(e.loss) >= _MIN_DIGITS:
            p.keys.setdefault(("loss", repr(e.loss)), set()).add(e.cell)
    for g in ev.figures:
        if g.learning_curve and (g.pixels or g.digest):  # equal pixels: a re-saved PNG is the same image
            p.keys.setdefault(("figure", g.pixels or g.digest or ""), set()).add(g.cell)
        if g.learning_curve and g.coarse:
            p.keys.setdefault(("figure_near", g.coarse), set()).add(g.cell)
    evidence_cells = ({s.cell for s in ev.summaries} | {f.cell for f in ev.fits} | {h.cell for h in ev.histories}
                      | {e.cell for e in ev.evaluations} | {g.cell for g in ev.figures if g.learning_curve})
    for r in ev.fingerprints.cells:
        if r.cell in evidence_cells:
            for oid in r.output_ids:
                p.keys.setdefault(("output_id", oid), set()).add(r.cell)
    return p


def kind_sizes(p: Prints) -> dict[str, int]:
    """How many single keys of each kind a submission has (the denominator of a similarity)."""
    sizes: dict[str, int] = defaultdict(int)
    for kind, _ in p.keys:
        sizes[kind] += 1
    return sizes
