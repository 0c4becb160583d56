"""Collusion fingerprints: the hashed keys of one notebook's evidence (training runs, test losses, figures, Colab
ids). Judging layer: standard library and ``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from autograder.model.evidence import Evidence
from autograder.model.keras import canonical_metric, significant_digits

__all__ = ["RUN_KINDS", "Prints", "fingerprints", "kind_sizes"]

_MIN_DIGITS = 9  # a test loss printed with fewer significant digits can be shared by chance
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
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _epoch_keys(epochs: Sequence[Mapping[str, float]]) -> list[str]:
    """One key per informative epoch: its number and its metrics as printed. Epochs with fewer than two metrics,
    and epochs whose metrics repeat inside the run (a run stuck at chance level), give none."""
    rows: list[str | None] = []
    for metrics in epochs:
        if len(metrics) < 2:
            rows.append(None)
            continue
        items = sorted((canonical_metric(k), v) for k, v in metrics.items())
        rows.append(";".join(f"{k}={_keras(v)}" for k, v in items))
    seen: dict[str, int] = defaultdict(int)
    for body in rows:
        if body is not None:
            seen[body] += 1
    return [f"{i}|{body}" for i, body in enumerate(rows, 1) if body is not None and seen[body] == 1]


def fingerprints(ev: Evidence) -> Prints:
    """The hashed fingerprints of one notebook's evidence."""
    p = Prints(tag=ev.fingerprints.authorship_tag, seeded=ev.fingerprints.seeded)
    for f in ev.fits:
        keys = _epoch_keys([dict(e) for e in f.epochs])
        if keys:
            p.runs.append((f.cell, keys))
            names = {k: canonical_metric(k) for k in f.metrics}
            p.curves.append((f.cell, [{names[k]: v for k, v in e.items()} for e in f.epochs]))
    for h in ev.histories:
        if not h.values or h.epochs is None:
            continue
        epochs = [{k: v[i] for k, v in h.values.items()} for i in range(h.epochs)]
        keys = _epoch_keys(epochs)
        if keys:
            p.runs.append((h.cell, keys))
            names = {k: canonical_metric(k) for k in h.values}
            p.curves.append((h.cell, [{names[k]: v for k, v in e.items()} for e in epochs]))
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
