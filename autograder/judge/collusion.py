"""Collusion across a batch: groups of submissions that share a training run or Colab identifiers.

``detect_collusion(results)`` takes the graded ``SubmissionResult``s (with their ``evidence``) and returns them,
in the same order, with a ``collusion`` flag added to every member of a group. It never changes a score and
never claims certainty: each flag names the other files, what is shared, a similarity figure, and that a
person must review it. Standard library only.

Fingerprints (dictionary keys, i.e. hashed, in one inverted index: the cost is linear in the batch plus the pairs
inside each shared key, never a comparison of every pair of notebooks):

* ``curve`` — each epoch of a training run (fit log, or printed ``history.history`` rounded as Keras prints
  it): the epoch number and all its metrics to 4 decimals. Two independent runs never print the same values
  for most of their epochs. Epochs that repeat inside one run (a run stuck at chance level, ``loss: 2.3026``)
  and epochs with fewer than two metrics do not count. A pair of runs is *identical* when every epoch
  matches, *near-identical* when at least half of the epochs (and at least 3) match.
* ``loss`` — a test loss printed to full precision (≥ 9 significant digits): a continuous float32 value that
  two runs do not share by chance. (Test accuracies are k/10000 and are shared by chance: never used.)
* ``figure`` — the image bytes (``Figure.digest``) of a learning-curve figure.
* ``output_id`` — Colab's ``outputId`` of a cell holding graded evidence: Colab makes a new one every time a
  cell runs, so a shared one means a copied output.
* ``authorship_tag`` — Colab's notebook-level tag: *supporting only*. Colab keeps it in copies of a shared
  notebook, so every student who opened the instructor's Colab link may carry the instructor's tag.

Not used: cell ``id``s. Colab and nbformat 4.5 copy them from the released notebook, so a whole class shares
them (in ``../shared/corpus/real`` two different learners of MIT 6.S191 lab 2, two years apart, share 47
cell ids; ``view-in-github`` appears in 11 unrelated notebooks).

Guards against false accusations:

* a fingerprint found in a released (template) notebook never counts (``template``);
* a fingerprint shared by more than ``max_group`` submissions, or by every graded submission of a batch of 3
  or more, is treated as coming from the released material (a template shipped with outputs, a fixed seed)
  and does not count;
* run fingerprints (``curve``, ``loss``, ``figure``) do not count on their own when both notebooks fix a random
  seed: then the same code can honestly give the same run; an ``output_id`` is still needed.
* two files of the same student id (a resubmission) are never paired.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from autograder.model.evidence import Evidence
from autograder.model.results import Flag, SubmissionResult

__all__ = ["MAX_GROUP", "MIN_EPOCHS", "NEAR", "detect_collusion", "fingerprints"]

MAX_GROUP = 8  # a fingerprint shared by more submissions than this comes from the released material
MIN_EPOCHS = 3  # matched epochs needed before two runs count as the same run
NEAR = 0.5  # share of a run's epochs that must match for "near-identical"
_MIN_DIGITS = 9
RUN_KINDS = ("curve", "loss", "figure")


@dataclass
class _Prints:
    """One submission's fingerprints: key → cells, plus the epoch keys of each training run."""

    runs: list[tuple[int | None, list[str]]] = field(default_factory=list)  # (cell, epoch keys) per run
    keys: dict[tuple[str, str], set[int]] = field(default_factory=dict)  # (kind, value) → cells
    tag: str | None = None
    seeded: bool = False


_ALIASES = {"acc": "accuracy", "val_acc": "val_accuracy"}  # as checks.canonical_metric


def _keras(value: float) -> str:
    """A metric as Keras prints it: "%.4f", or "%.4e" at and below 1e-3."""
    if math.isnan(value):
        return "nan"
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def _epoch_keys(epochs: Sequence[dict[str, float]]) -> list[str]:
    """One key per informative epoch: its number and its metrics as printed. Epochs with fewer than two metrics,
    and epochs whose metrics repeat inside the run (a run stuck at chance level), give none."""
    rows: list[str | None] = []
    for metrics in epochs:
        if len(metrics) < 2:
            rows.append(None)
            continue
        items = sorted((_ALIASES.get(k, k), v) for k, v in metrics.items())
        rows.append(";".join(f"{k}={_keras(v)}" for k, v in items))
    seen: dict[str, int] = defaultdict(int)
    for body in rows:
        if body is not None:
            seen[body] += 1
    return [f"{i}|{body}" for i, body in enumerate(rows, 1) if body is not None and seen[body] == 1]


def fingerprints(ev: Evidence) -> _Prints:
    """The hashed fingerprints of one notebook's evidence."""
    p = _Prints(tag=ev.fingerprints.authorship_tag, seeded=ev.fingerprints.seeded)
    for f in ev.fits:
        keys = _epoch_keys([dict(e) for e in f.epochs])
        if keys:
            p.runs.append((f.cell, keys))
    for h in ev.histories:
        if not h.values or h.epochs is None:
            continue
        epochs = [{k: v[i] for k, v in h.values.items()} for i in range(h.epochs)]
        keys = _epoch_keys(epochs)
        if keys:
            p.runs.append((h.cell, keys))
    for e in ev.evaluations:
        if e.loss is not None and math.isfinite(e.loss) and _digits(e.loss) >= _MIN_DIGITS:
            p.keys.setdefault(("loss", repr(e.loss)), set()).add(e.cell)  # type: ignore[arg-type]
    for g in ev.figures:
        if g.learning_curve and g.digest:
            p.keys.setdefault(("figure", g.digest), set()).add(g.cell)  # type: ignore[arg-type]
    evidence_cells = ({s.cell for s in ev.summaries} | {f.cell for f in ev.fits} | {h.cell for h in ev.histories}
                      | {e.cell for e in ev.evaluations} | {g.cell for g in ev.figures if g.learning_curve})
    for r in ev.fingerprints.cells:
        if r.cell in evidence_cells:
            for oid in r.output_ids:
                p.keys.setdefault(("output_id", oid), set()).add(r.cell)
    return p


def _digits(value: float) -> int:
    return len(repr(abs(value)).lower().partition("e")[0].replace(".", "").lstrip("0"))


# ------------------------------------------------------------------ the index

@dataclass
class _Link:
    """What two submissions share."""

    runs: list[tuple[int | None, int | None, int, int]] = field(default_factory=list)  # (cell a, cell b, matched, of)
    shared: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # kind → count
    cells: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # submission → its cells involved
    tag: bool = False

    def similarity(self, sizes: tuple[dict[str, int], dict[str, int]]) -> float:
        best = max((m / n for _, _, m, n in self.runs), default=0.0)
        for kind, count in self.shared.items():
            smaller = min(sizes[0].get(kind, 0), sizes[1].get(kind, 0))
            if smaller:
                best = max(best, count / smaller)
        return min(best, 1.0)


def detect_collusion(results: Sequence[SubmissionResult], template: Iterable[Evidence] = (),
                     max_group: int = MAX_GROUP) -> list[SubmissionResult]:
    """The results, in order, with a ``collusion`` flag on every member of a group of similar submissions."""
    graded = [i for i, r in enumerate(results) if r.status == "graded" and r.evidence is not None]
    prints = {i: fingerprints(results[i].evidence) for i in graded}  # type: ignore[arg-type]
    ignored: set[tuple[str, str]] = set()
    for ev in template:
        t = fingerprints(ev)
        ignored |= set(t.keys) | {("curve", k) for _, keys in t.runs for k in keys}
        if t.tag:
            ignored.add(("authorship_tag", t.tag))

    def common(members: int) -> bool:
        return members > max_group or (len(graded) >= 3 and members == len(graded))

    links: dict[tuple[int, int], _Link] = defaultdict(_Link)
    # curves: epoch key → (submission, run)
    by_epoch: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, p in prints.items():
        for r, (_, keys) in enumerate(p.runs):
            for k in keys:
                by_epoch[k].append((i, r))
    matched: dict[tuple[int, int, int, int], int] = defaultdict(int)
    for k, holders in by_epoch.items():
        subs = {i for i, _ in holders}
        if len(subs) < 2 or common(len(subs)) or ("curve", k) in ignored:
            continue
        for x in range(len(holders)):
            for y in range(x + 1, len(holders)):
                (i, ri), (j, rj) = holders[x], holders[y]
                if i != j:
                    a, b = (holders[x], holders[y]) if i < j else (holders[y], holders[x])
                    matched[(a[0], a[1], b[0], b[1])] += 1
    for (i, ri, j, rj), count in matched.items():
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
    # single keys: losses, figures, outputIds
    by_key: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, p in prints.items():
        for key in p.keys:
            by_key[key].append(i)
    for key, subs in by_key.items():
        if len(subs) < 2 or common(len(subs)) or key in ignored:
            continue
        for x in range(len(subs)):
            for y in range(x + 1, len(subs)):
                i, j = sorted((subs[x], subs[y]))
                link = links[(i, j)]
                link.shared[key[0]] += 1
                link.cells[i] |= {c for c in prints[i].keys[key] if c is not None}
                link.cells[j] |= {c for c in prints[j].keys[key] if c is not None}
    # authorship tags: supporting only
    by_tag: dict[str, list[int]] = defaultdict(list)
    for i, p in prints.items():
        if p.tag and ("authorship_tag", p.tag) not in ignored:
            by_tag[p.tag].append(i)
    for subs in by_tag.values():
        if len(subs) < 2 or common(len(subs)):
            continue
        for x in range(len(subs)):
            for y in range(x + 1, len(subs)):
                pair = tuple(sorted((subs[x], subs[y])))
                if pair in links:
                    links[pair].tag = True  # type: ignore[index]

    def same_student(i: int, j: int) -> bool:  # two versions of one student's work are not collusion
        a, b = results[i].student_id, results[j].student_id
        return a is not None and a == b

    qualifying = {pair: link for pair, link in links.items()
                  if not same_student(*pair) and _qualifies(link, prints[pair[0]], prints[pair[1]])}
    if not qualifying:
        return list(results)
    sizes = {i: _sizes(p) for i, p in prints.items()}
    groups = _groups(qualifying)
    out = list(results)
    for members in groups:
        for i in members:
            out[i] = replace(out[i], flags=out[i].flags + (_flag(i, members, qualifying, sizes, results),))
    return out


def _sizes(p: _Prints) -> dict[str, int]:
    sizes: dict[str, int] = defaultdict(int)
    for kind, _ in p.keys:
        sizes[kind] += 1
    return sizes


def _qualifies(link: _Link, a: _Prints, b: _Prints) -> bool:
    if link.shared.get("output_id"):
        return True
    run = bool(link.runs) or any(link.shared.get(k) for k in RUN_KINDS)
    return run and not (a.seeded and b.seeded)


def _groups(pairs: dict[tuple[int, int], _Link]) -> list[list[int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def _evidence_text(link: _Link, en: bool) -> str:
    parts = []
    for _, _, m, n in sorted(link.runs, key=lambda r: -r[2] / r[3])[:2]:
        if m == n:
            parts.append(f"identical training run ({m}/{n} epochs)" if en else f"同一の学習記録（{m}/{n} エポック一致）")
        else:
            parts.append(f"near-identical training run ({m}/{n} epochs)" if en else f"ほぼ同一の学習記録（{m}/{n} エポック一致）")
    names = {"loss": ("the same full-precision test loss", "全桁一致するテスト損失"),
             "figure": ("identical learning-curve images", "同一の学習曲線の画像"),
             "output_id": ("the same Colab outputId", "同じ Colab の outputId")}
    for kind, count in link.shared.items():
        en_name, ja_name = names[kind]
        parts.append(f"{en_name} ×{count}" if en else f"{ja_name} {count} 件")
    if link.tag:
        parts.append("the same Colab authorship_tag" if en else "同じ Colab の authorship_tag")
    return ", ".join(parts) if en else "、".join(parts)


def _flag(i: int, members: list[int], pairs: dict[tuple[int, int], _Link], sizes: dict[int, dict[str, int]],
          results: Sequence[SubmissionResult]) -> Flag:
    others = [j for j in members if j != i]
    mine = [(j, pairs[tuple(sorted((i, j)))]) for j in others if tuple(sorted((i, j))) in pairs]  # type: ignore[index]
    sims = {}
    for j, link in mine:
        a, b = sorted((i, j))
        sims[j] = link.similarity((sizes[a], sizes[b]))
    all_sims = [pairs[p].similarity((sizes[p[0]], sizes[p[1]])) for p in pairs if p[0] in members and p[1] in members]
    lines_ja = [f"{results[j].file}（一致 {sims[j]:.0%}: {_evidence_text(link, False)}）" for j, link in mine]
    lines_en = [f"{results[j].file} ({sims[j]:.0%} match: {_evidence_text(link, True)})" for j, link in mine]
    size = len(members)
    head_ja = (f"ほかの提出 {size - 1} 件とよく似ています（{size} 件のグループ、一致の割合 {min(all_sims):.0%}〜{max(all_sims):.0%}）" if size > 2
               else f"ほかの提出とよく似ています（一致の割合 {max(all_sims):.0%}）")
    head_en = (f"very similar to {size - 1} other submissions (a group of {size}, {min(all_sims):.0%}–{max(all_sims):.0%} match)"
               if size > 2 else f"very similar to another submission ({max(all_sims):.0%} match)")
    link_ja = "直接の一致: " + "、".join(lines_ja) if lines_ja else "グループのほかの提出を通じて似ています"
    link_en = "direct matches: " + "; ".join(lines_en) if lines_en else "similar through other members of the group"
    cells = tuple(sorted({c for _, link in mine for c in link.cells.get(i, ())}))
    return Flag("collusion",
                f"{head_ja}。{link_ja}。不正と断定するものではありません（同じ配布物や例から始めた場合などにも"
                "似ることがあります）。教員が確認してください。",
                f"{head_en}; {link_en}. This is not a finding of misconduct (starting from the same material can also "
                "make notebooks alike); an instructor must review it.",
                cells=cells, related_files=tuple(results[j].file for j in others))
