"""Collusion across a batch: groups of submissions that share a training run or Colab identifiers.

``detect_collusion(results)`` takes the graded ``SubmissionResult``s (with their ``evidence``) and returns them,
in the same order, with a ``collusion`` flag added to every member of a group. It never changes a score and
never claims certainty: each flag names the other files, what is shared, a similarity figure, and that a
person must review it. Judging layer: standard library and ``autograder.model`` only (never ``autograder.read``).

The package: ``prints`` (one notebook's fingerprints), ``links`` (the inverted indexes: what pairs share),
``groups`` (the guards, and the groups), ``flags`` (the message text).

Fingerprints (dictionary keys, i.e. hashed, in one inverted index: the cost is linear in the batch plus the pairs
inside each shared key, never a comparison of every pair of notebooks):

* ``curve`` — each epoch of a training run (fit log, or printed ``history.history`` rounded as Keras prints
  it): the epoch number and all its metrics to 4 decimals. Two independent runs never print the same values
  for most of their epochs. Epochs that repeat inside one run (a run stuck at chance level, ``loss: 2.3026``)
  and epochs with fewer than two metrics do not count. A pair of runs is *identical* when every epoch
  matches, *near-identical* when at least half of the epochs (and at least 3) match.
* near-identical ``curve`` — the same run with edited digits: every metric of every epoch of two runs of equal
  length within ``NEAR_TOL`` = 0.002 (edits in the fourth decimal are ≤ 0.0009). Candidates come from an inverted
  index of grid keys (per epoch, two metrics on two grids of width 0.004 offset by half a cell: 4 keys; the first
  ``MIN_EPOCHS`` epochs only), then every value is compared. The closest two honest runs we have differ by 0.005
  (two samples generated from one seed for two assignments); real corpus runs of equal length differ by more.
* ``loss`` — a test loss printed to full precision (≥ 9 significant digits): a continuous float32 value that
  two runs do not share by chance. (Test accuracies are k/10000 and are shared by chance: never used.)
* ``figure`` — the decoded pixels of a learning-curve figure (``Figure.pixels``; the base64 text without Pillow):
  a PNG re-saved with another chunk or compression is the same image. ``figure_near`` — its 32×32 block means in
  16 grey levels (``Figure.coarse``): an image edited in a few pixels usually keeps it.
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

from collections.abc import Iterable, Sequence
from dataclasses import replace

from autograder.judge.collusion.flags import collusion_flag
from autograder.judge.collusion.groups import groups, qualifying
from autograder.judge.collusion.links import MAX_GROUP, MIN_EPOCHS, NEAR, NEAR_TOL, find_links, template_keys
from autograder.judge.collusion.prints import RUN_KINDS, fingerprints, kind_sizes
from autograder.model.evidence import Evidence
from autograder.model.results import SubmissionResult

__all__ = ["MAX_GROUP", "MIN_EPOCHS", "NEAR", "NEAR_TOL", "RUN_KINDS", "detect_collusion", "fingerprints"]


def detect_collusion(results: Sequence[SubmissionResult], template: Iterable[Evidence] = (),
                     max_group: int = MAX_GROUP) -> list[SubmissionResult]:
    """The results, in order, with a ``collusion`` flag on every member of a group of similar submissions."""
    prints = {i: fingerprints(r.evidence) for i, r in enumerate(results)
              if r.status == "graded" and r.evidence is not None}
    graded = len(prints)

    def common(members: int) -> bool:
        return members > max_group or (graded >= 3 and members == graded)

    links = find_links(prints, template_keys(template), common)
    pairs = qualifying(links, prints, [r.student_id for r in results])
    if not pairs:
        return list(results)
    sizes = {i: kind_sizes(p) for i, p in prints.items()}
    files = [r.file for r in results]
    out = list(results)
    for members in groups(pairs):
        for i in members:
            out[i] = replace(out[i], flags=out[i].flags + (collusion_flag(i, members, pairs, sizes, files),))
    return out
