"""The manifest of a collection: every entry, its code and why; CSV and JSON bytes, read back. Standard library only.

``submitted/<assignment>_manifest.{csv,json}`` (written by ``apply.write_manifest``); no nbgrader.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.course.collect.safe import csv_cell

# code → (Japanese, English) one-line meaning; the manifest's ``code`` column is one of these.
CODES = {
    "accepted": ("受理", "accepted"),
    "accepted_late": ("締切後だが受理（--keep-late）", "accepted although late (--keep-late)"),
    "superseded": ("より新しい提出があるので不採用", "superseded by a newer submission"),
    "late": ("締切後なので除外", "late, excluded"),
    "wrong_assignment": ("別の課題番号", "another assignment's number"),
    "bad_name": ("学籍番号が分からない名前", "no student id in the name"),
    "id_mismatch": ("フォルダとファイル名の学籍番号が違う", "the folder and the file name give different student ids"),
    "not_notebook": ("ノートブックではない", "not a notebook"),
    "unreadable": ("ノートブックとして読めない", "cannot be read as a notebook"),
    "conflict": ("提出先に別の内容のファイルがある", "a different file is already in place"),
    "directory": ("フォルダ", "a folder"),
    "system_file": ("OS の管理用ファイル", "an operating-system file"),
}
ACCEPTED = ("accepted", "accepted_late")
ERRORS = ("wrong_assignment", "bad_name", "id_mismatch", "not_notebook", "unreadable", "conflict")


@dataclass(frozen=True)
class ManifestEntry:
    """One entry of the zip and what was done with it."""

    entry: str  # the name inside the zip, decoded
    code: str  # one of CODES
    message: str
    message_en: str
    student_id: str | None = None
    name: str | None = None
    number: int | None = None
    submitted_at: str | None = None  # ISO 8601, Japan time
    time_source: str = ""  # "zip" | "csv" | ""
    placed: str | None = None  # where it was put, relative to the course folder
    size: int = 0
    sha256: str | None = None
    name_encoding: str = "ascii"
    converted: str = ""  # what was converted for nbgrader ("bom", "utf-16", "nbformat3", … joined by ";"); "" when unchanged
    original: str | None = None  # where the untouched original is kept when converted, relative to the course folder
    placed_sha256: str | None = None  # the placed file's SHA-256 when it differs from the entry's (converted)

    def to_json(self) -> dict[str, Any]:
        return {"entry": self.entry, "code": self.code, "student_id": self.student_id, "name": self.name,
                "number": self.number, "submitted_at": self.submitted_at, "time_source": self.time_source,
                "placed": self.placed, "size": self.size, "sha256": self.sha256, "name_encoding": self.name_encoding,
                "converted": self.converted, "original": self.original, "placed_sha256": self.placed_sha256,
                "reason": self.message, "reason_en": self.message_en}


MANIFEST_COLUMNS = ("entry", "code", "student_id", "name", "number", "submitted_at", "time_source", "placed", "size",
                    "sha256", "name_encoding", "converted", "original", "reason", "reason_en")


@dataclass(frozen=True)
class Manifest:
    assignment: str
    notebook: str
    number: int
    zip_name: str
    zip_sha256: str
    deadline: str | None
    keep_late: bool
    times_file: str | None
    entries: tuple[ManifestEntry, ...]

    def to_json(self) -> dict[str, Any]:
        return {"assignment": self.assignment, "notebook": self.notebook, "number": self.number,
                "zip": self.zip_name, "zip_sha256": self.zip_sha256, "deadline": self.deadline,
                "keep_late": self.keep_late, "times": self.times_file, "entries": [e.to_json() for e in self.entries]}

    def count(self, *codes: str) -> int:
        return sum(1 for e in self.entries if e.code in codes)

    def names(self) -> dict[str, str]:
        """student id → name, from the accepted entries first, then any entry that names the student."""
        out: dict[str, str] = {}
        for e in sorted(self.entries, key=lambda e: e.code not in ACCEPTED):
            if e.student_id and e.name and e.student_id not in out:
                out[e.student_id] = e.name
        return out


def read_manifest(path: str | os.PathLike[str]) -> Manifest | None:
    """The JSON manifest written by ``collect_zip``; None when there is none (or it cannot be read)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
        entries = tuple(ManifestEntry(entry=e["entry"], code=e["code"], message=e["reason"], message_en=e["reason_en"],
                                      student_id=e["student_id"], name=e["name"], number=e["number"],
                                      submitted_at=e["submitted_at"], time_source=e["time_source"], placed=e["placed"],
                                      size=e["size"], sha256=e["sha256"], name_encoding=e["name_encoding"],
                                      converted=e.get("converted") or "", original=e.get("original"),
                                      placed_sha256=e.get("placed_sha256"))
                        for e in raw["entries"])
        return Manifest(assignment=raw["assignment"], notebook=raw["notebook"], number=raw["number"], zip_name=raw["zip"],
                        zip_sha256=raw["zip_sha256"], deadline=raw["deadline"], keep_late=raw["keep_late"],
                        times_file=raw["times"], entries=entries)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def manifest_csv_bytes(manifest: Manifest) -> bytes:
    """UTF-8 with BOM, so that Japanese Excel opens it; no cell starts a formula (``safe.csv_cell``)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(MANIFEST_COLUMNS)
    for e in manifest.entries:
        row = e.to_json()
        w.writerow(["" if row[c] is None else csv_cell(row[c]) if isinstance(row[c], str) else row[c] for c in MANIFEST_COLUMNS])
    return buf.getvalue().encode("utf-8-sig")


def manifest_json_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def summarize(manifest: Manifest, lang: str = "ja") -> str:
    """One line: how many entries of each kind."""
    counts = {code: manifest.count(code) for code in CODES}
    shown = [(code, n) for code, n in counts.items() if n]
    if lang == "en":
        return f"{len(manifest.entries)} entries: " + ", ".join(f"{CODES[c][1]} {n}" for c, n in shown)
    return f"{len(manifest.entries)} 件: " + "、".join(f"{CODES[c][0]} {n}" for c, n in shown)
