"""Collusion flags: the message on each member of a group, naming the other files, what is shared and a similarity
figure. Judging layer: standard library and ``autograder.model`` only (never ``autograder.read``).
"""
from __future__ import annotations

from collections.abc import Sequence

from autograder.judge.collusion.links import NEAR_TOL, Link, Pair, pair
from autograder.model.results import Flag, FlagKind

__all__ = ["collusion_flag"]

_NAMES = {"loss": ("the same full-precision test loss", "全桁一致するテスト損失"),
          "figure": ("identical learning-curve images", "同一の学習曲線の画像"),
          "figure_near": ("learning-curve images equal at 32×32 blocks (nearly identical pixels)",
                          "ほぼ同一の学習曲線の画像（32×32 の区画の平均が一致）"),
          "output_id": ("the same Colab outputId", "同じ Colab の outputId")}


def _evidence_text(link: Link, en: bool) -> str:
    parts = []
    for _, _, n in link.near[:2]:
        parts.append(f"training run with every metric of all {n} epochs within {NEAR_TOL} (slightly edited values)" if en
                     else f"全 {n} エポックのすべての指標の差が {NEAR_TOL} 以内の学習記録（値を少し変えた複製）")
    for _, _, m, n in sorted(link.runs, key=lambda r: -r[2] / r[3])[:2]:
        if m == n:
            parts.append(f"identical training run ({m}/{n} epochs)" if en else f"同一の学習記録（{m}/{n} エポック一致）")
        else:
            parts.append(f"near-identical training run ({m}/{n} epochs)" if en else f"ほぼ同一の学習記録（{m}/{n} エポック一致）")
    for kind, count in link.shared.items():
        en_name, ja_name = _NAMES[kind]
        parts.append(f"{en_name} ×{count}" if en else f"{ja_name} {count} 件")
    if link.tag:
        parts.append("the same Colab authorship_tag" if en else "同じ Colab の authorship_tag")
    return ", ".join(parts) if en else "、".join(parts)


def _heads(size: int, sims: list[float]) -> tuple[str, str]:
    """The first sentence: how many others, and the range of similarities inside the group."""
    if size > 2:
        return (f"ほかの提出 {size - 1} 件とよく似ています（{size} 件のグループ、一致の割合 {min(sims):.0%}〜{max(sims):.0%}）",
                f"very similar to {size - 1} other submissions (a group of {size}, {min(sims):.0%}–{max(sims):.0%} match)")
    return (f"ほかの提出とよく似ています（一致の割合 {max(sims):.0%}）",
            f"very similar to another submission ({max(sims):.0%} match)")


def collusion_flag(i: int, members: list[int], pairs: dict[Pair, Link], sizes: dict[int, dict[str, int]],
                   files: Sequence[str]) -> Flag:
    """The ``collusion`` flag of submission ``i`` in the group ``members``."""
    others = [j for j in members if j != i]
    mine = [(j, pairs[pair(i, j)]) for j in others if pair(i, j) in pairs]
    sims = {}
    for j, link in mine:
        a, b = pair(i, j)
        sims[j] = link.similarity((sizes[a], sizes[b]))
    all_sims = [pairs[p].similarity((sizes[p[0]], sizes[p[1]])) for p in pairs if p[0] in members and p[1] in members]
    lines_ja = [f"{files[j]}（一致 {sims[j]:.0%}: {_evidence_text(link, False)}）" for j, link in mine]
    lines_en = [f"{files[j]} ({sims[j]:.0%} match: {_evidence_text(link, True)})" for j, link in mine]
    head_ja, head_en = _heads(len(members), all_sims)
    link_ja = "直接の一致: " + "、".join(lines_ja) if lines_ja else "グループのほかの提出を通じて似ています"
    link_en = "direct matches: " + "; ".join(lines_en) if lines_en else "similar through other members of the group"
    cells = tuple(sorted({c for _, link in mine for c in link.cells.get(i, ())}))
    return Flag(FlagKind.COLLUSION,
                f"{head_ja}。{link_ja}。不正と断定するものではありません（同じ配布物や例から始めた場合などにも"
                "似ることがあります）。教員が確認してください。",
                f"{head_en}; {link_en}. This is not a finding of misconduct (starting from the same material can also "
                "make notebooks alike); an instructor must review it.",
                cells=cells, related_files=tuple(files[j] for j in others))
