"""Collusion links: what each pair of submissions shares, found through inverted indexes of their fingerprints (the
cost is linear in the batch plus the pairs inside each shared key). Judging layer: standard library and
``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations

from autograder.judge.collusion.prints import Prints, fingerprints
from autograder.model.evidence import Evidence

__all__ = ["MAX_GROUP", "MIN_EPOCHS", "NEAR", "NEAR_TOL", "Link", "Pair", "find_links", "pair", "template_keys"]

MAX_GROUP = 8  # a fingerprint shared by more submissions than this comes from the released material
MIN_EPOCHS = 3  # matched epochs needed before two runs count as the same run
NEAR = 0.5  # share of a run's epochs that must match for "near-identical"
NEAR_TOL = 0.002  # every metric of every epoch of two runs within this: the same run with edited digits
_GRID = 2 * NEAR_TOL  # cells of the candidate keys (two offset grids: values within NEAR_TOL share one)

Pair = tuple[int, int]  # two submissions' positions in the batch, smaller first
Key = tuple[str, str]  # (kind, value) of a fingerprint
Common = Callable[[int], bool]  # a key held by this many submissions comes from the released material


def pair(i: int, j: int) -> Pair:
    return (i, j) if i < j else (j, i)


@dataclass
class Link:
    """What two submissions share."""

    runs: list[tuple[int | None, int | None, int, int]] = field(default_factory=list)  # (cell a, cell b, matched, of)
    near: list[tuple[int | None, int | None, int]] = field(default_factory=list)  # (cell a, cell b, epochs) within NEAR_TOL
    shared: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # kind → count
    cells: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # submission → its cells involved
    tag: bool = False

    def similarity(self, sizes: tuple[dict[str, int], dict[str, int]]) -> float:
        best = max([m / n for _, _, m, n in self.runs] + [1.0 for _ in self.near], default=0.0)
        for kind, count in self.shared.items():
            smaller = min(sizes[0].get(kind, 0), sizes[1].get(kind, 0))
            if smaller:
                best = max(best, count / smaller)
        return min(best, 1.0)


def template_keys(template: Iterable[Evidence]) -> set[Key]:
    """Every fingerprint of the released (template) notebooks: these never count."""
    ignored: set[Key] = set()
    for ev in template:
        t = fingerprints(ev)
        ignored |= set(t.keys) | {("curve", k) for _, keys in t.runs for k in keys}
        if t.tag:
            ignored.add(("authorship_tag", t.tag))
    return ignored


def find_links(prints: dict[int, Prints], ignored: set[Key], common: Common) -> dict[Pair, Link]:
    """Every pair of submissions that shares a training run, a single key, or (on top of those) a Colab tag."""
    links: dict[Pair, Link] = defaultdict(Link)
    _curve_links(links, prints, ignored, common)
    _near_curve_links(links, prints, common)
    _key_links(links, prints, ignored, common)
    _tag_links(links, prints, ignored, common)
    return links


def _matched_epochs(prints: dict[int, Prints], ignored: set[Key], common: Common) -> dict[tuple[int, int, int, int], int]:
    """(submission, run, other submission, its run) → epochs the two runs share."""
    by_epoch: dict[str, list[tuple[int, int]]] = defaultdict(list)  # epoch key → (submission, run)
    for i, p in prints.items():
        for r, (_, keys) in enumerate(p.runs):
            for k in keys:
                by_epoch[k].append((i, r))
    matched: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for k, holders in by_epoch.items():
        subs = {i for i, _ in holders}
        if len(subs) < 2 or common(len(subs)) or ("curve", k) in ignored:
            continue
        for x, y in combinations(holders, 2):
            if x[0] != y[0]:
                a, b = (x, y) if x[0] < y[0] else (y, x)
                matched[(a[0], a[1], b[0], b[1])] += 1
    return matched


def _curve_links(links: dict[Pair, Link], prints: dict[int, Prints], ignored: set[Key], common: Common) -> None:
    """Identical or near-identical training runs: at least ``MIN_EPOCHS`` and a share ``NEAR`` of epochs match."""
    for (i, ri, j, rj), count in _matched_epochs(prints, ignored, common).items():
        ci, ki = prints[i].runs[ri]
        cj, kj = prints[j].runs[rj]
        of = max(len(ki), len(kj))
        if count >= MIN_EPOCHS and count / of >= NEAR:
            link = links[(i, j)]
            link.runs.append((ci, cj, count, of))
            if ci is not None:
                link.cells[i].add(ci)
            if cj is not None:
                link.cells[j].add(cj)


def _key_links(links: dict[Pair, Link], prints: dict[int, Prints], ignored: set[Key], common: Common) -> None:
    """Single keys: full-precision test losses, learning-curve images, Colab outputIds."""
    by_key: dict[Key, list[int]] = defaultdict(list)
    for i, p in prints.items():
        for key in p.keys:
            by_key[key].append(i)
    for key, subs in by_key.items():
        if len(subs) < 2 or common(len(subs)) or key in ignored:
            continue
        for x, y in combinations(subs, 2):
            i, j = pair(x, y)
            link = links[(i, j)]
            link.shared[key[0]] += 1
            link.cells[i] |= {c for c in prints[i].keys[key] if c is not None}
            link.cells[j] |= {c for c in prints[j].keys[key] if c is not None}


def _tag_links(links: dict[Pair, Link], prints: dict[int, Prints], ignored: set[Key], common: Common) -> None:
    """Colab authorship tags: supporting only, marked on pairs already linked."""
    by_tag: dict[str, list[int]] = defaultdict(list)
    for i, p in prints.items():
        if p.tag and ("authorship_tag", p.tag) not in ignored:
            by_tag[p.tag].append(i)
    for subs in by_tag.values():
        if len(subs) < 2 or common(len(subs)):
            continue
        for x, y in combinations(subs, 2):
            both = pair(x, y)
            if both in links:
                links[both].tag = True


_PREFERRED = ("val_loss", "val_accuracy", "loss", "accuracy")


def _near_keys(epochs: list[dict[str, float]], first: int) -> list[str]:
    """Candidate keys of one run: at ``first`` epochs spread over the run (its first epochs are alike in every run of
    one model), up to four metrics each on two grids offset by half a cell (2ⁿ keys per epoch), so that two runs whose
    values differ by at most ``NEAR_TOL`` share a key at each of these epochs."""
    names = [k for k in _PREFERRED if epochs and all(k in e for e in epochs)]
    if len(names) < 2:
        return []
    keys = []
    n = len(epochs)
    for i in sorted({n * (j + 1) // (first + 1) for j in range(first)}):
        e = epochs[i]
        epoch = [f"{n}|{i}"]
        for k in names:
            v = e[k] / _GRID
            cells = (f"{math.floor(v)}", f"{math.floor(v + 0.5)}'")
            epoch = [f"{key}|{c}" for key in epoch for c in cells]
        keys += epoch
    return keys


def _close(a: list[dict[str, float]], b: list[dict[str, float]]) -> bool:
    """Same epochs, same metrics, every value within ``NEAR_TOL`` (and not all identical: that is ``curve``)."""
    if len(a) != len(b):
        return False
    moved = False
    for x, y in zip(reversed(a), reversed(b), strict=True):  # later epochs of two runs differ most: stop early
        if x.keys() != y.keys():
            return False
        for k, v in x.items():
            d = abs(v - y[k])
            if not d <= NEAR_TOL:
                return False
            moved = moved or d > 0
    return moved


def _near_curve_links(links: dict[Pair, Link], prints: dict[int, Prints], common: Common) -> None:
    """Runs of ≥ ``MIN_EPOCHS`` epochs whose every metric is within ``NEAR_TOL``: candidates from shared grid keys
    (an inverted index: near-linear in the batch), then every value compared."""
    by_key: dict[str, set[tuple[int, int]]] = defaultdict(set)
    for i, p in prints.items():
        kept: list[list[dict[str, float]]] = []
        for r, (_, epochs) in enumerate(p.curves):
            if len(epochs) < MIN_EPOCHS or _stuck(epochs) or any(e == epochs or _close(e, epochs) for e in kept):
                continue  # the printed history of a logged run is the same run again
            kept.append(epochs)
            for k in _near_keys(epochs, MIN_EPOCHS):
                by_key[k].add((i, r))
    shared: dict[tuple[int, int, int, int], set[str]] = defaultdict(set)  # candidate → epochs with a shared key
    for key, holders in by_key.items():
        subs = {i for i, _ in holders}
        if len(subs) < 2 or common(len(subs)):
            continue
        epoch = key.split("|", 2)[1]
        for x, y in combinations(sorted(holders), 2):
            if x[0] != y[0]:
                shared[(x[0], x[1], y[0], y[1])].add(epoch)
    candidates = [c for c, epochs in shared.items() if len(epochs) >= MIN_EPOCHS]  # a near copy shares every one
    for i, ri, j, rj in sorted(candidates):
        (ci, a), (cj, b) = prints[i].curves[ri], prints[j].curves[rj]
        if _close(a, b) and not any(n == len(a) for _, _, n in (links[(i, j)].near if (i, j) in links else ())):
            link = links[(i, j)]
            link.near.append((ci, cj, len(a)))
            if ci is not None:
                link.cells[i].add(ci)
            if cj is not None:
                link.cells[j].add(cj)


def _stuck(epochs: list[dict[str, float]]) -> bool:
    """A run whose loss barely moves (stuck at chance level): honest runs of one class can look alike."""
    losses = [e["loss"] for e in epochs if "loss" in e and math.isfinite(e["loss"])]
    return not losses or max(losses) - min(losses) < 0.05
