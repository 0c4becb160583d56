"""Carry out a collection plan: place files in ``submitted/``, atomic writes, the manifest. Never imports execute or cli.

The winners are copied to ``submitted/<student_id>/<assignment>/`` with ``timestamp.txt`` (as ``nbgrader
zip_collect`` would); what an earlier run placed that is no longer accepted is removed (unless changed since);
the manifest is written. Every write is atomic and skipped when the file already holds the same bytes, so
collecting twice gives the same files. A file in ``submitted/`` that no collection placed is never overwritten
without ``force``.
"""
from __future__ import annotations

import hashlib
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath

from autograder.course.collect.archive import MAX_ENTRY_BYTES, read_entry
from autograder.course.collect.convert import conversion_text, for_nbgrader
from autograder.course.collect.manifest import Manifest, ManifestEntry, manifest_csv_bytes, manifest_json_bytes, read_manifest
from autograder.course.collect.plan import Planned, Skipped, manifest_entry
from autograder.course.collect.times import delay_text, shown_time, timestamp_text
from autograder.course.coursedir import Course


@dataclass(frozen=True)
class Applied:
    """The manifest rows of a plan once carried out, and what changed in ``submitted/``."""

    entries: tuple[ManifestEntry, ...]
    written: tuple[str, ...]  # notebooks written or replaced (relative to the course folder)
    removed: tuple[str, ...]  # notebooks an earlier run placed that this plan no longer accepts
    warnings: tuple[tuple[str, str], ...]  # (Japanese, English)


def apply_plan(plan: Sequence[Planned | Skipped], zf: zipfile.ZipFile, course: Course, assignment: str, notebook: str,
               number: int, deadline: datetime | None = None, force: bool = False,
               max_entry: int = MAX_ENTRY_BYTES) -> Applied:
    """Copy the winners into ``submitted/`` and remove what an earlier run placed that is no longer accepted.
    A winner whose place holds another file (not placed by a collection) becomes a ``conflict`` row, unless ``force``."""
    previous = read_manifest(course.manifest_paths(assignment)[1])
    placer = _Placer(zf, course, assignment, notebook, number, deadline, force, max_entry,
                     {e.placed: e.placed_sha256 or e.sha256 for e in previous.entries if e.placed} if previous else {})
    entries = tuple(placer.place(row) if isinstance(row, Planned) else row.manifest_entry(number) for row in plan)
    removed, warnings = _remove_unaccepted(course, placer.placed_before, placer.placed_now)
    return Applied(entries, tuple(placer.written), tuple(removed), tuple(warnings))


@dataclass
class _Placer:
    zf: zipfile.ZipFile
    course: Course
    assignment: str
    notebook: str
    number: int
    deadline: datetime | None
    force: bool
    max_entry: int
    placed_before: dict[str, str | None]  # what earlier collections placed → its SHA-256 then
    written: list[str] = field(default_factory=list)
    placed_now: set[str] = field(default_factory=set)

    def place(self, row: Planned) -> ManifestEntry:
        dest = self.course.submission_dir(row.student_id, self.assignment) / self.notebook
        rel = dest.relative_to(self.course.root).as_posix()
        original = read_entry(self.zf, row.entry.info, self.max_entry)
        data, converted = for_nbgrader(original, row.entry.name)
        placed_sha = hashlib.sha256(data).hexdigest()
        existing = sha256_file(dest) if dest.exists() else None
        if existing is not None and existing != placed_sha and not self.force and self.placed_before.get(rel) != existing:
            return manifest_entry(row.entry, row.facts, "conflict",
                                  f"{rel} に、この ZIP から置いたのではない別の内容のファイルがあるので、上書きしていません。"
                                  "確認して、上書きしてよければ --force を付けて実行し直してください。",
                                  f"{rel} already holds a different file that was not placed from a zip; it was not overwritten. "
                                  "Check it, and run again with --force to overwrite it.", self.number)
        kept = self._keep_original(row, original) if converted else None
        if existing != placed_sha:
            write_atomic(dest, data)
            self.written.append(rel)
        if row.facts.when is not None:
            write_if_changed(dest.parent / "timestamp.txt", timestamp_text(row.facts.when).encode("utf-8"))
        self.placed_now.add(rel)
        message, message_en = self._accepted_text(row, rel)
        if converted:
            message += f"nbgrader が読めるように{conversion_text(converted, 'ja')}（元のファイルは {kept}）。"
            message_en += f" For nbgrader: {conversion_text(converted, 'en')} (the original is kept in {kept})."
        entry = manifest_entry(row.entry, row.facts, row.code, message, message_en, self.number, placed=rel)
        return replace(entry, converted=";".join(converted), original=kept,
                       placed_sha256=placed_sha if converted else None)

    def _keep_original(self, row: Planned, data: bytes) -> str:
        """The student's bytes, untouched: ``submitted/<assignment>_originals/<student_id>/<entry's file name>``."""
        folder = self.course.originals_dir(self.assignment) / row.student_id
        path = folder / (PurePosixPath(row.entry.name).name or "notebook.ipynb")
        write_if_changed(path, data)
        return path.relative_to(self.course.root).as_posix()

    def _accepted_text(self, row: Planned, rel: str) -> tuple[str, str]:
        if not row.late:
            return f"受理しました（{rel}）。", f"accepted ({rel})."
        deadline, when = self.deadline, row.facts.when
        assert deadline is not None and when is not None
        seconds = (when - deadline).total_seconds()
        return (f"締切（{shown_time(deadline)}）より後の提出（{shown_time(when)}、{delay_text(seconds, 'ja')}遅れ）ですが、"
                f"--keep-late により受理しました（{rel}）。",
                f"submitted after the deadline ({shown_time(deadline)}) at {shown_time(when)}, {delay_text(seconds, 'en')} "
                f"late; accepted because of --keep-late ({rel}).")


def _remove_unaccepted(course: Course, placed_before: dict[str, str | None],
                       placed_now: set[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Remove the notebooks an earlier collection placed that this one does not accept, unless changed since."""
    removed: list[str] = []
    warnings: list[tuple[str, str]] = []
    for rel, sha in sorted(placed_before.items()):
        if rel in placed_now:
            continue
        path = course.root / rel
        if not path.exists():
            continue
        if sha256_file(path) != sha:
            warnings.append((f"{rel} は前回この ZIP 収集で置いたものから変わっているので、残しました（今回は受理されていません）。",
                             f"{rel} changed since an earlier collect placed it, so it was kept (this zip does not accept it)."))
            continue
        path.unlink()
        stamp = path.parent / "timestamp.txt"
        if stamp.exists() and not any(path.parent.glob("*.ipynb")):
            stamp.unlink()
        _remove_empty_dirs(path.parent, course.submitted_root())
        removed.append(rel)
    return removed, warnings


def write_manifest(course: Course, manifest: Manifest) -> tuple[Path, Path]:
    """``submitted/<assignment>_manifest.csv`` and ``.json`` (each rewritten only when it changed)."""
    csv_path, json_path = course.manifest_paths(manifest.assignment)
    write_if_changed(csv_path, manifest_csv_bytes(manifest))
    write_if_changed(json_path, manifest_json_bytes(manifest))
    return csv_path, json_path


# ------------------------------------------------------------------ files

def sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds it; True when written."""
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    write_atomic(path, data)
    return True


def _remove_empty_dirs(start: Path, stop: Path) -> None:
    d = start
    while d != stop and stop in d.parents:
        try:
            d.rmdir()
        except OSError:
            return
        d = d.parent
