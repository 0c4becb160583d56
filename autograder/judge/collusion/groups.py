"""Collusion groups: the links that count (guards against false accusations) joined into groups of submissions.
Judging layer: standard library and ``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from autograder.judge.collusion.links import Link, Pair
from autograder.judge.collusion.prints import RUN_KINDS, Prints

__all__ = ["groups", "qualifying"]


def _qualifies(link: Link, a: Prints, b: Prints) -> bool:
    """A shared outputId always counts; a shared run only when not both notebooks fix a random seed."""
    if link.shared.get("output_id"):
        return True
    run = bool(link.runs) or bool(link.near) or any(link.shared.get(k) for k in RUN_KINDS)
    return run and not (a.seeded and b.seeded)


def qualifying(links: dict[Pair, Link], prints: dict[int, Prints],
               student_ids: Sequence[str | None]) -> dict[Pair, Link]:
    """The links that count; two files of one student (a resubmission) are never paired."""
    def same_student(i: int, j: int) -> bool:
        a, b = student_ids[i], student_ids[j]
        return a is not None and a == b

    return {both: link for both, link in links.items()
            if not same_student(*both) and _qualifies(link, prints[both[0]], prints[both[1]])}


def groups(pairs: dict[Pair, Link]) -> list[list[int]]:
    """Connected groups of linked submissions, each sorted, ordered by their first member."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, j in pairs:
        parent[find(i)] = find(j)
    found: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        found[find(x)].append(x)
    return sorted((sorted(g) for g in found.values()), key=lambda g: g[0])
