"""Collect an LMS zip into nbgrader's ``submitted/``, with a manifest (plan + apply). Never imports execute or cli.

Imports nbgrader (through ``plugin``), so only the course commands import it.

``collect_zip`` reads the zip (never modifies it), decides for every entry what it is and whether it is used
(``plan.plan_collection``, which writes nothing), then copies each accepted notebook to
``submitted/<student_id>/<assignment>/<notebook>.ipynb`` with ``timestamp.txt`` (as ``nbgrader zip_collect``
would) and writes ``submitted/<assignment>_manifest.{csv,json}`` (``apply``). Running it twice gives the same files
and the same manifest. Unsafe archives are refused before anything is written.

Names are read by ``SubmissionNameCollector``, an ``nbgrader.plugins.FileNameCollectorPlugin``, so the same rule
also works as ``nbgrader zip_collect --collector=autograder.collect.SubmissionNameCollector``.

The modules: ``times`` (parse_time, load_times, how times and delays are written), ``archive`` (entry names, zip
safety, reading entries), ``plugin`` (who an entry belongs to; the nbgrader plugin), ``manifest`` (the manifest's
rows, CSV and JSON), ``plan`` (classify + decide), ``apply`` (placing files, atomic writes).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from autograder.course.collect.apply import Applied, apply_plan, write_manifest
from autograder.course.collect.archive import (
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_TOTAL_BYTES,
    Limits,
    UnsafeArchive,
    ZipEntry,
    decode_entry_name,
    list_entries,
    open_zip,
    read_entry,
    refusal,
)
from autograder.course.collect.manifest import (
    ACCEPTED,
    CODES,
    ERRORS,
    MANIFEST_COLUMNS,
    Manifest,
    ManifestEntry,
    manifest_csv_bytes,
    manifest_json_bytes,
    read_manifest,
    summarize,
)
from autograder.course.collect.plan import Planned, Skipped, plan_collection
from autograder.course.collect.plugin import NameInfo, SubmissionNameCollector, read_name
from autograder.course.collect.times import JST, delay_text, iso, load_times, parse_time, shown_time, timestamp_text
from autograder.course.coursedir import Course

__all__ = [
    "ACCEPTED", "CODES", "ERRORS", "JST", "MANIFEST_COLUMNS", "MAX_ENTRIES", "MAX_ENTRY_BYTES", "MAX_TOTAL_BYTES",
    "Applied", "CollectResult", "Limits", "Manifest", "ManifestEntry", "NameInfo", "Planned", "Skipped",
    "SubmissionNameCollector", "ZipEntry", "apply_plan", "collect_zip", "decode_entry_name", "delay_text", "iso",
    "list_entries", "load_times", "manifest_csv_bytes", "manifest_json_bytes", "parse_time", "plan_collection",
    "read_manifest", "read_name", "shown_time", "summarize", "timestamp_text",
]

_NOTEBOOK_CODES = (*ACCEPTED, "superseded", "late")  # the rows of readable notebooks of the assignment


@dataclass(frozen=True)
class CollectResult:
    manifest: Manifest
    manifest_csv: Path
    manifest_json: Path
    written: tuple[str, ...] = ()  # notebooks written or replaced by this run (relative to the course folder)
    removed: tuple[str, ...] = ()  # notebooks an earlier run placed that this zip no longer accepts
    warnings: tuple[tuple[str, str], ...] = ()  # (Japanese, English)


def collect_zip(zip_path: str | os.PathLike[str], course: Course, assignment: str, number: int,
                deadline: datetime | None = None, times: str | os.PathLike[str] | None = None, keep_late: bool = False,
                force: bool = False, max_entry_bytes: int = MAX_ENTRY_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES,
                max_entries: int = MAX_ENTRIES) -> CollectResult:
    """Collect one zip into ``course`` for ``assignment`` (its number ``number``). Raises ``CollectError`` when the
    zip cannot be used at all (not found, not a zip, unsafe, bad times CSV), before anything is written."""
    zip_path = Path(zip_path)
    time_table = load_times(times) if times is not None else None
    zf, zip_sha256 = open_zip(zip_path)
    notebook = course.notebook_name(assignment)
    limits = Limits(entry_bytes=max_entry_bytes, total_bytes=max_total_bytes, entries=max_entries)
    with zf:
        try:
            plan = plan_collection(list_entries(zf), partial(read_entry, zf), number, deadline=deadline,
                                   keep_late=keep_late, times=time_table, limits=limits)
        except UnsafeArchive as exc:
            raise refusal(zip_path, exc.problems) from None
        applied = apply_plan(plan, zf, course, assignment, notebook, number, deadline=deadline, force=force,
                             max_entry=max_entry_bytes)
    manifest = Manifest(assignment=assignment, notebook=notebook, number=number, zip_name=zip_path.name,
                        zip_sha256=zip_sha256, deadline=iso(deadline), keep_late=keep_late,
                        times_file=Path(times).name if times is not None else None, entries=applied.entries)
    csv_path, json_path = write_manifest(course, manifest)
    return CollectResult(manifest=manifest, manifest_csv=csv_path, manifest_json=json_path, written=applied.written,
                         removed=applied.removed,
                         warnings=(*applied.warnings, *_time_warnings(applied.entries, deadline, time_table is not None)))


def _time_warnings(entries: tuple[ManifestEntry, ...], deadline: datetime | None, had_times: bool) -> list[tuple[str, str]]:
    """Times that may be wrong: notebooks missing from the times CSV; every notebook late by the zip's times."""
    warnings = []
    missing_times = sum(1 for e in entries if had_times and e.time_source == "zip" and e.code in _NOTEBOOK_CODES)
    if missing_times:
        warnings.append((f"提出時刻の CSV にないファイル {missing_times} 件は ZIP の時刻を使いました。",
                         f"{missing_times} files are not in the submission-time CSV; their zip times were used."))
    notebooks = [e for e in entries if e.code in _NOTEBOOK_CODES]
    if deadline is not None and not had_times and notebooks and all(e.code in ("late", "accepted_late") for e in notebooks):
        warnings.append((("すべてのノートブックが締切後になりました。ZIP の時刻がダウンロードした時刻なのかもしれません。"
                          "提出時刻の CSV を --times で指定してください。"),
                         ("every notebook is after the deadline: the zip's times may be the download time. "
                          "Give the submission times with --times.")))
    return warnings
