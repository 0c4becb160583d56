"""Put the release's nbgrader cell metadata back on a submission (Colab). nbformat only; never imports execute or cli.

Colab and fresh notebooks drop nbgrader's cell metadata, and students insert, copy and delete cells; then
``nbgrader autograde`` scores nothing (nbgrader#1941, #1083, #1398). ``repair_notebook`` matches each
released cell to the submission's cells by content (difflib), in notebook order:

1. anchors — every released cell whose text the student was not meant to change (locked cells, autograder
   tests) or did not change, matched by exact or near-exact source (similarity ≥ ``NEAR``);
2. between two anchors, the remaining released cells (solution cells above all) by position, same cell
   type, the most similar first; a locked or test cell only when still similar (≥ ``LOOSE``);
3. a locked, test or task cell the student deleted is restored from the release (nbgrader re-checks it
   anyway: ``OverwriteCells`` puts the instructor's source back, hidden tests included); a deleted
   solution cell is reported, never invented.

Cells the release does not have are kept as they are, without nbgrader metadata; stale nbgrader metadata
(a copied cell's duplicate ``grade_id``) is removed. The result is written to a new file, never over the
submission or the release. Static grading (``autograder grade``) never reads cell metadata and needs no repair.
Imports nbformat (a core dependency); never executes anything.
"""
from __future__ import annotations

import copy
import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.errors import RepairError

NEAR = 0.9  # anchors: exact or near-exact source
LOOSE = 0.5  # a locked or test cell edited by the student, matched by position

ROLES_JA = {"test": "テストのセル", "locked": "編集不可のセル", "solution": "解答のセル", "task": "課題のセル"}
HOW_JA = {"exact": "完全に一致", "near": "ほぼ一致", "id": "同じ grade_id", "position": "位置で対応",
          "restored": "削除されていたので配布版から復元", "unmatched": "見つからない"}




@dataclass(frozen=True)
class CellMatch:
    """What became of one released cell that carries nbgrader metadata."""

    grade_id: str
    role: str  # "test" | "locked" | "solution" | "task"
    released_index: int
    how: str  # "exact" | "near" | "id" | "position" | "restored" | "unmatched"
    submission_index: int | None = None  # the matched cell in the submission (None: restored or unmatched)
    output_index: int | None = None  # the cell in the written notebook (None: unmatched)
    similarity: float = 0.0


@dataclass(frozen=True)
class RepairResult:
    release: str
    submission: str
    output: str | None
    matches: tuple[CellMatch, ...]
    extra_cells: tuple[int, ...] = ()  # submission cells the release does not have (kept, no nbgrader metadata)
    stale_metadata: tuple[int, ...] = ()  # submission cells whose nbgrader metadata was removed
    notebook: Any = field(default=None, compare=False, repr=False)  # the repaired nbformat notebook

    @property
    def unmatched(self) -> tuple[CellMatch, ...]:
        return tuple(m for m in self.matches if m.how == "unmatched")

    @property
    def restored(self) -> tuple[CellMatch, ...]:
        return tuple(m for m in self.matches if m.how == "restored")

    def describe(self, lang: str = "ja") -> str:
        """A short report for people: one line per released nbgrader cell, then the submission's extra cells."""
        en = lang == "en"
        lines = [f"{self.submission} → {self.output or '-'}"]
        for m in self.matches:
            role = m.role if en else ROLES_JA[m.role]
            how = m.how if en else HOW_JA[m.how]
            if m.how == "unmatched":
                lines.append(f"  ！ {m.grade_id} ({role}): not found in the submission" if en
                             else f"  ！ {m.grade_id}（{role}）: 提出の中に見つかりません")
            elif m.how == "restored":
                lines.append(f"  ＋ {m.grade_id} ({role}): deleted by the student, restored from the release as cell {m.output_index}"
                             if en else f"  ＋ {m.grade_id}（{role}）: 削除されていたため配布版から復元しました（セル {m.output_index}）")
            else:
                lines.append(f"  ✓ {m.grade_id} ({role}): cell {m.submission_index} ({how}, similarity {m.similarity:.2f})" if en
                             else f"  ✓ {m.grade_id}（{role}）: セル {m.submission_index}（{how}、類似度 {m.similarity:.2f}）")
        if self.extra_cells:
            cells = ", ".join(map(str, self.extra_cells))
            lines.append(f"  cells not in the release, kept without nbgrader metadata: {cells}" if en
                         else f"  配布版にないセル（nbgrader のメタデータなしでそのまま残します）: {cells}")
        if self.stale_metadata:
            cells = ", ".join(map(str, self.stale_metadata))
            lines.append(f"  stale nbgrader metadata removed from cells: {cells}" if en
                         else f"  古い nbgrader のメタデータを外したセル: {cells}")
        return "\n".join(lines)


# ------------------------------------------------------------------ public API

def repair_notebook(release: str | os.PathLike[str], submission: str | os.PathLike[str],
                    output: str | os.PathLike[str] | None = None) -> RepairResult:
    """Repair ``submission`` against the released notebook and write it to ``output`` (see ``output_path``).

    Raises ``RepairError`` for a file that cannot be read or an output that would overwrite an input.
    """
    out = output_path(submission, output)
    for given in (release, submission):
        if _same_file(out, Path(given)):
            raise RepairError(f"{out}: 入力のファイルには書き込みません。別の出力先を -o で指定してください。",
                              f"{out}: refusing to write over an input file; choose another output with -o.")
    result = repair(_read(release), _read(submission), str(release), str(submission))
    import nbformat

    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(result.notebook, str(out))
    return RepairResult(result.release, result.submission, str(out), result.matches, result.extra_cells,
                        result.stale_metadata, result.notebook)


def find_release(path: str | os.PathLike[str]) -> Path:
    """The released notebook: ``path`` itself, or the only ``.ipynb`` in the folder ``path``
    (``<course>/release/<assignment>/``)."""
    p = Path(path)
    if p.is_dir():
        found = sorted(f for f in p.glob("*.ipynb") if f.is_file())
        if len(found) == 1:
            return found[0]
        names = ", ".join(f.name for f in found) or "なし / none"
        raise RepairError(f"{p}: 配布版のノートブックが 1 つではありません（{names}）。--release でファイルを指定してください。",
                          f"{p}: not exactly one released notebook ({names}); pass the file with --release.")
    if not p.exists():
        raise RepairError(f"{p}: 配布版のノートブックが見つかりません。nbgrader generate_assignment の後の release/ を指定してください。",
                          f"{p}: released notebook not found; pass release/ after nbgrader generate_assignment.")
    return p


def output_path(submission: str | os.PathLike[str], output: str | os.PathLike[str] | None = None) -> Path:
    """``output`` as given (a folder: the submission's file name inside it); else ``repaired/`` beside the submission."""
    sub = Path(submission)
    if output is None:
        return sub.parent / "repaired" / sub.name
    out = Path(output)
    return out / sub.name if out.is_dir() or str(output).endswith(("/", os.sep)) else out


def repair(released: Any, submitted: Any, release_name: str = "<release>", submission_name: str = "<submission>") -> RepairResult:
    """Match and re-attach metadata in memory: nbformat v4 notebooks in, a ``RepairResult`` with ``notebook`` out."""
    cells = _Cells(released.cells, submitted.cells)
    targets = [i for i, c in enumerate(cells.rel) if _nbgrader(c).get("grade_id")]
    if not targets:
        raise RepairError(f"{release_name}: nbgrader のセル（grade_id のあるセル）がありません。"
                          "配布版（release/）のノートブックを指定してください。",
                          f"{release_name}: no nbgrader cells (with a grade_id); pass the released notebook (release/).")
    matched, how = _anchor_pairs(cells)  # 1. anchors
    _fill_between(cells, targets, matched, how)  # 2. between anchors
    nb, stale = _with_metadata(submitted, cells.rel, set(targets), matched)  # 3. the repaired notebook
    restored_at, sub_to_out = _restore_deleted(nb, cells.rel, targets, matched)
    matches = []
    for i in targets:
        meta = _nbgrader(cells.rel[i])
        if i in matched:
            j = matched[i]
            matches.append(CellMatch(meta["grade_id"], _role(cells.rel[i]), i, how[i], j, sub_to_out[j], round(cells.sim(i, j), 4)))
        elif i in restored_at:
            matches.append(CellMatch(meta["grade_id"], _role(cells.rel[i]), i, "restored", None, restored_at[i], 0.0))
        else:
            matches.append(CellMatch(meta["grade_id"], _role(cells.rel[i]), i, "unmatched"))
    by_sub = set(matched.values())
    extra = tuple(j for j in range(len(cells.sub)) if j not in by_sub)
    return RepairResult(release_name, submission_name, None, tuple(matches), extra, tuple(stale), nb)


class _Cells:
    """The released and the submitted cells, their normalised sources and the similarity between them."""

    def __init__(self, rel: Sequence[Any], sub: Sequence[Any]):
        self.rel, self.sub = rel, sub
        self.texts_r = [_norm(c.source) for c in rel]
        self.texts_s = [_norm(c.source) for c in sub]
        self.sim = _Similarity(self.texts_r, self.texts_s)

    def same_id(self, i: int, j: int) -> bool:
        gid = _nbgrader(self.rel[i]).get("grade_id")
        return bool(gid) and _nbgrader(self.sub[j]).get("grade_id") == gid


def _anchor_pairs(cells: _Cells) -> tuple[dict[int, int], dict[int, str]]:
    """Exact or near-exact source, or the same surviving grade_id, in order: released → submitted index, and how."""
    def anchor_score(i: int, j: int) -> float | None:
        if cells.rel[i].cell_type != cells.sub[j].cell_type:
            return None
        if cells.same_id(i, j):
            return 2.0 + cells.sim(i, j)
        if not cells.texts_r[i]:
            return None
        s = cells.sim(i, j, floor=NEAR)
        return s if s >= NEAR else None

    pairs = _align(range(len(cells.rel)), range(len(cells.sub)), anchor_score)
    how: dict[int, str] = {}
    for i, j in pairs:
        same_text = cells.texts_r[i] == cells.texts_s[j]
        how[i] = "id" if cells.same_id(i, j) and not same_text else "exact" if same_text else "near"
    return dict(pairs), how


def _fill_between(cells: _Cells, targets: Sequence[int], matched: dict[int, int], how: dict[int, str]) -> None:
    """Between two anchors, the remaining nbgrader cells by position (same cell type, the most similar first;
    a locked, test or task cell only when still similar). Adds to ``matched`` and ``how``."""
    def gap_score(i: int, j: int) -> float | None:
        if cells.rel[i].cell_type != cells.sub[j].cell_type:
            return None
        s = cells.sim(i, j)
        if _role(cells.rel[i]) in ("test", "locked", "task") and s < LOOSE:
            return None
        return 1.0 + s

    bounds = [(-1, -1), *sorted(matched.items()), (len(cells.rel), len(cells.sub))]
    for (i0, j0), (i1, j1) in zip(bounds, bounds[1:], strict=False):
        left_r = [i for i in range(i0 + 1, i1) if i in targets]
        left_s = list(range(j0 + 1, j1))
        if not left_r or not left_s:
            continue
        for i, j in _align(left_r, left_s, gap_score):
            matched[i] = j
            how[i] = "position"


def _with_metadata(submitted: Any, rel: Sequence[Any], targets: set[int], matched: dict[int, int]) -> tuple[Any, list[int]]:
    """A copy of the submission whose matched cells carry the released metadata; stale nbgrader metadata removed
    (returned: the indices of the cells it was removed from)."""
    nb = copy.deepcopy(submitted)
    by_sub = {j: i for i, j in matched.items()}
    stale = []
    for j, cell in enumerate(nb.cells):
        if by_sub.get(j) in targets:
            _attach(cell, rel[by_sub[j]])
        elif "nbgrader" in cell.get("metadata", {}):
            del cell.metadata["nbgrader"]
            stale.append(j)
    return nb, stale


def _restore_deleted(nb: Any, rel: Sequence[Any], targets: Sequence[int],
                     matched: dict[int, int]) -> tuple[dict[int, int], dict[int, int]]:
    """Put back, after their predecessor's match, the released cells the student deleted (never a solution cell).
    Returns released index → its cell in ``nb``, and submission index → its cell in ``nb``."""
    import nbformat

    with_id = (nb.get("nbformat", 4), nb.get("nbformat_minor", 0)) >= (4, 5)
    restore_after: dict[int, list[int]] = {}  # submission index (-1: the top) → released cells to put after it
    for i in targets:
        if i not in matched and _role(rel[i]) != "solution":
            after = max((j for k, j in matched.items() if k < i), default=-1)
            restore_after.setdefault(after, []).append(i)
    out_cells: list[Any] = []
    restored_at: dict[int, int] = {}
    sub_to_out: dict[int, int] = {}

    def restore(after: int) -> None:
        for i in restore_after.get(after, []):
            restored_at[i] = len(out_cells)
            out_cells.append(_restored(rel[i], nbformat, with_id))

    restore(-1)
    for j, cell in enumerate(nb.cells):
        sub_to_out[j] = len(out_cells)
        out_cells.append(cell)
        restore(j)
    nb.cells = out_cells
    return restored_at, sub_to_out


# ------------------------------------------------------------------ matching

class _Similarity:
    """difflib ratios of normalised sources, cached; ``floor`` lets cheap upper bounds skip hopeless pairs."""

    def __init__(self, a: Sequence[str], b: Sequence[str]):
        self.a, self.b = a, b
        self.cache: dict[tuple[int, int], float] = {}

    def __call__(self, i: int, j: int, floor: float = 0.0) -> float:
        key = (i, j)
        if key in self.cache:
            return self.cache[key]
        a, b = self.a[i], self.b[j]
        if a == b:
            value = 1.0
        elif not a or not b:
            value = 0.0
        else:
            m = difflib.SequenceMatcher(None, a, b, autojunk=False)
            if floor and (m.real_quick_ratio() < floor or m.quick_ratio() < floor):
                return 0.0  # below the floor: not cached, a later call without a floor computes it
            value = m.ratio()
        self.cache[key] = value
        return value


def _align(rows: Sequence[int] | range, cols: Sequence[int] | range, score) -> list[tuple[int, int]]:
    """The order-preserving matching of ``rows`` to ``cols`` with the largest total score (None: may not match).

    Needleman–Wunsch without gap costs; ties keep the earlier cell of the submission.
    """
    rows, cols = list(rows), list(cols)
    n, m = len(rows), len(cols)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    scores: dict[tuple[int, int], float] = {}
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            value = max(best[a + 1][b], best[a][b + 1])
            s = score(rows[a], cols[b])
            if s is not None:
                scores[(a, b)] = s
                value = max(value, s + best[a + 1][b + 1])
            best[a][b] = value
    pairs = []
    a = b = 0
    while a < n and b < m:
        s = scores.get((a, b))
        if s is not None and abs(best[a][b] - (s + best[a + 1][b + 1])) < 1e-12:
            pairs.append((rows[a], cols[b]))
            a, b = a + 1, b + 1
        elif abs(best[a][b] - best[a + 1][b]) < 1e-12:
            a += 1
        else:
            b += 1
    return pairs


# ------------------------------------------------------------------ cells

def _nbgrader(cell: Any) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader") if isinstance(cell.get("metadata"), dict) else None
    return meta if isinstance(meta, dict) else {}


def _role(cell: Any) -> str:
    meta = _nbgrader(cell)
    if meta.get("solution"):
        return "solution"
    if meta.get("grade"):
        return "test"
    if meta.get("task"):
        return "task"
    return "locked"


def _norm(source: Any) -> str:
    text = "".join(source) if isinstance(source, list) else str(source or "")
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()


def _attach(cell: Any, released: Any) -> None:
    """Give ``cell`` the released cell's nbgrader metadata and its editable/deletable locks."""
    cell.setdefault("metadata", {})
    cell.metadata["nbgrader"] = copy.deepcopy(released.metadata["nbgrader"])
    for key in ("editable", "deletable"):
        if key in released.metadata:
            cell.metadata[key] = released.metadata[key]


def _restored(released: Any, nbformat: Any, with_id: bool) -> Any:
    """A copy of the released cell, without outputs; a fresh cell id when the notebook has ids (nbformat ≥ 4.5)."""
    cell = copy.deepcopy(released)
    if cell.cell_type == "code":
        cell.outputs, cell.execution_count = [], None
    cell.pop("id", None)
    fresh = nbformat.v4.new_code_cell()
    if with_id and "id" in fresh:
        cell["id"] = fresh["id"]
    return cell


def _read(path: str | os.PathLike[str]) -> Any:
    from autograder.errors import NotebookError
    from autograder.read.notebook import read_raw

    try:
        raw = read_raw(path)  # the one reader: the same clear messages as grading (PDF, empty, cut short, UTF-16…)
    except NotebookError as exc:
        raise RepairError(exc.message("ja"), exc.message("en")) from None
    import nbformat

    return nbformat.from_dict(raw)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False
