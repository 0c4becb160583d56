"""The notebook placed for nbgrader: UTF-8 JSON, no BOM, nbformat 4, converted from what was sent. Never execute or cli.

nbgrader (``autograde``, ``generate_feedback``, formgrader) reads a notebook with ``nbformat.read``: a UTF-8 BOM,
UTF-16 or an nbformat-3 file stops it with ``NotJSONError``. What a student sends is read exactly as the grader
reads it (``read.notebook.read_raw``) and, when it is not already what nbgrader reads, written again as UTF-8 JSON
(``indent=1``, as Jupyter writes). A notebook that needs nothing keeps its bytes. The original bytes are kept
untouched in ``submitted/<assignment>_originals/`` (``apply``); the manifest's ``converted`` column says what was
done. Imports ``read.notebook`` only.
"""
from __future__ import annotations

import codecs
import json

from autograder.read.notebook import read_raw

# what a conversion did → (Japanese, English), for the manifest
CONVERSIONS = {
    "bom": ("UTF-8 の BOM を取り除きました", "removed the UTF-8 byte-order mark"),
    "utf-16": ("UTF-16 を UTF-8 にしました", "re-encoded UTF-16 as UTF-8"),
    "encoding": ("文字コードを UTF-8 にしました", "re-encoded as UTF-8"),
    "nbformat3": ("nbformat 3 を 4 に変換しました", "upgraded nbformat 3 to 4"),
    "json": ("JSON を書き直しました", "rewrote the JSON"),
}


def _as_nbgrader_reads(data: bytes) -> str | None:
    """What is wrong for nbgrader, or None when it reads the bytes as they are."""
    if data.startswith(codecs.BOM_UTF8):
        return "bom"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "utf-16" if b"\x00" in data[:4] else "encoding"
    try:
        raw = json.loads(text)
    except ValueError:
        return "json"
    if not isinstance(raw, dict) or raw.get("nbformat") != 4:
        return "nbformat3" if isinstance(raw, dict) and raw.get("nbformat") == 3 else "json"
    return None


def for_nbgrader(data: bytes, name: str) -> tuple[bytes, tuple[str, ...]]:
    """The bytes to place for nbgrader and what was converted (``()`` when the bytes are kept).

    Raises ``NotebookError`` when the bytes are not a notebook (the collection refused those already)."""
    first = _as_nbgrader_reads(data)
    if first is None:
        return data, ()
    raw = read_raw(data, name)
    done = [first]
    if first != "nbformat3" and _declared_v3(data):
        done.append("nbformat3")
    if "nbformat3" in done:  # the upgrade gives every cell a random id: the same file must give the same bytes
        for i, cell in enumerate(raw.get("cells", [])):
            if isinstance(cell, dict) and "id" in cell:
                cell["id"] = f"cell-{i}"
    try:
        text = json.dumps(raw, ensure_ascii=False, indent=1)
        out = (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: keep it as a JSON escape, as the student's file had it
        out = (json.dumps(raw, ensure_ascii=True, indent=1) + "\n").encode("ascii")
    return out, tuple(done)


def _declared_v3(data: bytes) -> bool:
    for enc in ("utf-8-sig", "utf-16"):
        try:
            raw = json.loads(data.decode(enc))
        except (UnicodeDecodeError, ValueError):
            continue
        return isinstance(raw, dict) and raw.get("nbformat") == 3
    return False


def conversion_text(done: tuple[str, ...], lang: str = "ja") -> str:
    """``nbformat 3 を 4 に変換しました、…`` — what the manifest's message says about a conversion."""
    i = 1 if lang == "en" else 0
    return ("; " if i else "、").join(CONVERSIONS[d][i] for d in done)
