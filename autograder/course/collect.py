"""Collect an LMS (WebClass) zip of submissions into nbgrader's ``submitted/`` layout, with a manifest of every entry.

``collect_zip`` reads the zip (never modifies it), decides for every entry what it is and whether it is used, copies
each accepted notebook to ``submitted/<student_id>/<assignment>/<notebook>.ipynb`` with ``timestamp.txt`` (as
``nbgrader zip_collect`` would), and writes ``submitted/<assignment>_manifest.{csv,json}``. Running it twice
gives the same files and the same manifest. Unsafe archives are refused before anything is written.

Names are read by ``SubmissionNameCollector``, an ``nbgrader.plugins.FileNameCollectorPlugin``, so the same rule
also works as ``nbgrader zip_collect --collector=autograder.collect.SubmissionNameCollector``.
Imports nbgrader (only the course commands import this module); must not import TensorFlow or nbclient.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Integer, Unicode

from autograder.course.coursedir import Course
from autograder.errors import CollectError, NotebookError
from autograder.read.names import normalize, parse_file_name, parse_student_folder
from autograder.read.notebook import MAX_BYTES, parse_notebook

JST = timezone(timedelta(hours=9), "JST")

MAX_ENTRIES = 10_000  # more entries than this: refused (a course has a few hundred students)
MAX_ENTRY_BYTES = MAX_BYTES  # one entry that expands beyond this (200 MB): refused, as the grader would refuse it
MAX_TOTAL_BYTES = 4 * 1024 ** 3  # everything together expanding beyond 4 GB: refused

# code → (Japanese, English) one-line meaning; the manifest's ``code`` column is one of these.
CODES = {
    "accepted": ("受理", "accepted"),
    "accepted_late": ("締切後だが受理（--keep-late）", "accepted although late (--keep-late)"),
    "superseded": ("より新しい提出があるので不採用", "superseded by a newer submission"),
    "late": ("締切後なので除外", "late, excluded"),
    "wrong_assignment": ("別の課題番号", "another assignment's number"),
    "bad_name": ("学籍番号が分からない名前", "no student id in the name"),
    "not_notebook": ("ノートブックではない", "not a notebook"),
    "unreadable": ("ノートブックとして読めない", "cannot be read as a notebook"),
    "conflict": ("提出先に別の内容のファイルがある", "a different file is already in place"),
    "directory": ("フォルダ", "a folder"),
    "system_file": ("OS の管理用ファイル", "an operating-system file"),
}
ACCEPTED = ("accepted", "accepted_late")
ERRORS = ("wrong_assignment", "bad_name", "not_notebook", "unreadable", "conflict")

_SYSTEM_FOLDERS = {"__MACOSX", ".ipynb_checkpoints"}
_SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini", "Desktop.ini"}
_KINDS = {  # extension → what the file is (Japanese, English)
    ".pdf": ("PDF ファイル", "a PDF file"), ".py": ("Python スクリプト（.py）", "a Python script (.py)"),
    ".html": ("HTML ファイル", "an HTML file"), ".htm": ("HTML ファイル", "an HTML file"),
    ".zip": ("ZIP ファイル", "a ZIP archive"), ".rar": ("圧縮ファイル", "an archive"), ".7z": ("圧縮ファイル", "an archive"),
    ".lzh": ("圧縮ファイル", "an archive"), ".docx": ("Word ファイル", "a Word file"), ".doc": ("Word ファイル", "a Word file"),
    ".txt": ("テキストファイル", "a text file"), ".json": ("JSON ファイル", "a JSON file"),
    ".png": ("画像", "an image"), ".jpg": ("画像", "an image"), ".jpeg": ("画像", "an image"),
}
_HOW_TO_SAVE_JA = "Colab の「ファイル → ダウンロード → .ipynb をダウンロード」で保存したファイルを提出し直すよう伝えてください。"
_HOW_TO_SAVE_EN = "Ask the student to submit the file saved with Colab's File → Download → Download .ipynb."




# ------------------------------------------------------------------ times

_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")


def parse_time(text: str) -> datetime:
    """``2026-11-23T23:59+09:00``, ``2026-11-23 23:59``, ``2026/11/23 23:59:30`` → an aware datetime.

    Without an offset the time is Japan time (JST, +09:00). Raises ``ValueError`` with a readable message.
    """
    t = normalize(str(text)).strip().replace("/", "-")
    m = _TIME.fullmatch(t)
    if not m:
        raise ValueError(f"'{text}' は日時として読めません（例: 2026-11-23T23:59+09:00） / "
                         f"'{text}' is not a date and time (e.g. 2026-11-23T23:59+09:00)")
    y, mo, d, h, mi, s, tz = m.groups()
    if tz is None:
        zone: timezone = JST
    elif tz == "Z":
        zone = timezone.utc
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=zone)
    except ValueError as exc:
        raise ValueError(f"'{text}' は日時として読めません（{exc}） / '{text}' is not a valid date and time ({exc})") from None


def iso(t: datetime | None) -> str | None:
    """Shown in Japan time: ``2026-11-23T21:05:00+09:00``."""
    return t.astimezone(JST).isoformat(timespec="seconds") if t else None


def _shown(t: datetime) -> str:
    return t.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def _delay(seconds: float, lang: str) -> str:
    minutes = max(1, int(-(-seconds // 60)))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if lang == "en":
        parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    else:
        parts = [f"{days} 日" if days else "", f"{hours} 時間" if hours else "", f"{mins} 分" if mins else ""]
    return " ".join(p for p in parts if p)


_FILE_COLUMNS = ("file", "filename", "file_name", "ファイル名", "ファイル", "提出ファイル")
_TIME_COLUMNS = ("submitted_at", "timestamp", "time", "提出日時", "提出時刻", "提出日")


def load_times(path: str | os.PathLike[str]) -> dict[str, datetime]:
    """Read an LMS submission-time CSV: a header row with a file-name column and a time column.

    File column: ``file`` / ``ファイル名`` (a base name, or the entry's path inside the zip). Time column:
    ``submitted_at`` / ``提出日時`` in any form ``parse_time`` reads (no offset: JST). UTF-8 (with or without BOM)
    or cp932. Other columns are ignored. Keys are NFKC-normalised.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise CollectError(f"{p}: 提出時刻の CSV を読めません（{exc.strerror or exc}）。",
                           f"{p}: cannot read the submission-time CSV ({exc.strerror or exc}).") from None
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise CollectError(f"{p}: 文字コードが UTF-8 でも cp932 でもありません。", f"{p}: neither UTF-8 nor cp932.")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise CollectError(f"{p}: 空の CSV です。", f"{p}: the CSV is empty.")
    header = [normalize(h).strip().lower() for h in rows[0]]
    file_col = next((header.index(c) for c in _FILE_COLUMNS if c in header), None)
    time_col = next((header.index(c) for c in _TIME_COLUMNS if c in header), None)
    if file_col is None or time_col is None:
        raise CollectError(f"{p}: 1 行目に、ファイル名の列（{' / '.join(_FILE_COLUMNS[:4])}）と提出日時の列（"
                           f"{' / '.join(_TIME_COLUMNS[:4])}）が必要です。",
                           f"{p}: the first row must name a file column ({', '.join(_FILE_COLUMNS[:4])}) and a time "
                           f"column ({', '.join(_TIME_COLUMNS[:4])}).")
    times: dict[str, datetime] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(file_col, time_col):
            raise CollectError(f"{p}: {n} 行目の列が足りません。", f"{p}: row {n} has too few columns.")
        key = normalize(row[file_col]).strip().replace("\\", "/")
        try:
            when = parse_time(row[time_col])
        except ValueError as exc:
            raise CollectError(f"{p}: {n} 行目: {str(exc).split(' / ')[0]}", f"{p}: row {n}: {str(exc).split(' / ')[-1]}") from None
        if key in times and times[key] != when:
            raise CollectError(f"{p}: {n} 行目: '{key}' が 2 回、違う時刻で出てきます。ZIP の中のパスで区別してください。",
                               f"{p}: row {n}: '{key}' appears twice with different times; use the paths inside the zip.")
        times[key] = when
    return times


# ------------------------------------------------------------------ names

def decode_entry_name(info: zipfile.ZipInfo) -> tuple[str, str]:
    """The entry's real name and how it was decoded: ``utf-8`` (the UTF-8 flag, bit 11), ``ascii``,
    ``utf-8-noflag`` (valid UTF-8 without the flag, as macOS writes), ``cp932`` (Windows in Japan), else
    ``cp437-fallback`` (what the zip format defaults to; the name may be garbled and the manifest says so).
    Backslashes are read as folder separators (after decoding, so the 0x5C second byte of ``ソ`` or ``表`` in
    cp932 is not)."""
    if info.flag_bits & 0x800:
        name, how = info.orig_filename, "utf-8"
    else:
        raw = info.orig_filename.encode("cp437")  # zipfile decoded the raw bytes as cp437: undo it exactly
        if raw.isascii():
            name, how = raw.decode("ascii"), "ascii"
        else:
            for how in ("utf-8", "cp932"):
                try:
                    name = raw.decode(how)
                    how = "utf-8-noflag" if how == "utf-8" else how
                    break
                except UnicodeDecodeError:
                    continue
            else:
                name, how = info.orig_filename, "cp437-fallback"
    return name.replace("\\", "/"), how


@dataclass(frozen=True)
class NameInfo:
    """Who an entry belongs to, as far as its path tells."""

    student_id: str | None
    name: str | None
    number: int | None
    copy: int | None
    extension: str
    note_ja: str = ""
    note_en: str = ""


class SubmissionNameCollector(FileNameCollectorPlugin):
    """nbgrader collector plugin for ``学籍番号_名前_N.ipynb`` (full-width digits and spaces around ``_`` accepted).

    The student comes from the file name, else from the nearest per-student folder (``2412001_山田太郎/…``);
    ``number`` (when not 0) must match N. ``collect`` follows the plugin contract of ``nbgrader zip_collect``.
    """

    named_regexp = Unicode(r".*?(?P<student_id>[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*)\s*_\s*(?P<name>.+?)\s*_\s*(?P<number>\d{1,2})",
                           help="documentation only: names are read after NFKC normalisation by autograder.names").tag(config=True)
    notebook = Unicode("", help="file_id given to every notebook (default: <assignment_id>.ipynb)").tag(config=True)
    number = Integer(0, help="the assignment number N the file names must carry (0: any)").tag(config=True)

    def read_name(self, path: str) -> NameInfo:
        parts = [p for p in str(path).replace("\\", "/").split("/") if p]
        base = parts[-1] if parts else ""
        parsed, ext = parse_file_name(base)
        folder = next((f for f in (parse_student_folder(p) for p in reversed(parts[:-1])) if f), None)
        if parsed:
            note_ja = note_en = ""
            if folder and folder[0] != parsed.student_id:
                note_ja = (f"ファイル名の学籍番号 {parsed.student_id} とフォルダの学籍番号 {folder[0]} が違います"
                           "（ファイル名の方を使いました）。")
                note_en = (f"the file name's student id {parsed.student_id} differs from the folder's {folder[0]} "
                           "(the file name's is used).")
            return NameInfo(parsed.student_id, parsed.name, parsed.number, parsed.copy, ext, note_ja, note_en)
        if folder:
            return NameInfo(folder[0], folder[1] or None, None, None, ext,
                            "ファイル名が 学籍番号_名前_N.ipynb ではないので、学籍番号はフォルダ名から取りました。",
                            "the file name is not student-id_name_N.ipynb, so the student id was taken from the folder.")
        return NameInfo(None, None, None, None, ext)

    def collect(self, submitted_file: str) -> dict | None:
        info = self.read_name(submitted_file)
        if info.extension not in self.valid_ext or info.student_id is None:
            return None
        if self.number and info.number is not None and info.number != self.number:
            return None
        notebook = self.notebook
        if not notebook:
            coursedir = getattr(self.parent, "coursedir", None)
            notebook = f"{coursedir.assignment_id}.ipynb" if coursedir is not None and coursedir.assignment_id else "notebook.ipynb"
        return {"student_id": info.student_id, "file_id": notebook, "first_name": "", "last_name": info.name or ""}


# ------------------------------------------------------------------ the manifest

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

    def to_json(self) -> dict[str, Any]:
        return {"entry": self.entry, "code": self.code, "student_id": self.student_id, "name": self.name,
                "number": self.number, "submitted_at": self.submitted_at, "time_source": self.time_source,
                "placed": self.placed, "size": self.size, "sha256": self.sha256, "name_encoding": self.name_encoding,
                "reason": self.message, "reason_en": self.message_en}


MANIFEST_COLUMNS = ("entry", "code", "student_id", "name", "number", "submitted_at", "time_source", "placed", "size",
                    "sha256", "name_encoding", "reason", "reason_en")


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
                                      size=e["size"], sha256=e["sha256"], name_encoding=e["name_encoding"])
                        for e in raw["entries"])
        return Manifest(assignment=raw["assignment"], notebook=raw["notebook"], number=raw["number"], zip_name=raw["zip"],
                        zip_sha256=raw["zip_sha256"], deadline=raw["deadline"], keep_late=raw["keep_late"],
                        times_file=raw["times"], entries=entries)
    except (OSError, ValueError, KeyError, TypeError):
        return None


@dataclass(frozen=True)
class CollectResult:
    manifest: Manifest
    manifest_csv: Path
    manifest_json: Path
    written: tuple[str, ...] = ()  # notebooks written or replaced by this run (relative to the course folder)
    removed: tuple[str, ...] = ()  # notebooks an earlier run placed that this zip no longer accepts
    warnings: tuple[tuple[str, str], ...] = ()  # (Japanese, English)


# ------------------------------------------------------------------ reading the zip

@dataclass
class _Item:
    index: int
    info: zipfile.ZipInfo
    entry: str
    encoding: str
    who: NameInfo | None = None
    when: datetime | None = None
    time_source: str = ""
    sha256: str | None = None
    code: str = ""
    message: str = ""
    message_en: str = ""
    placed: str | None = None
    notes: list[tuple[str, str]] = field(default_factory=list)


def _zip_time(info: zipfile.ZipInfo) -> datetime | None:
    try:
        return datetime(*info.date_time, tzinfo=JST)
    except (TypeError, ValueError):
        return None


def _unsafe(items: Sequence[_Item], max_entry: int, max_total: int, max_entries: int) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if len(items) > max_entries:
        problems.append((f"エントリが多すぎます（{len(items)} 個、上限 {max_entries}）",
                         f"too many entries ({len(items)}, limit {max_entries})"))
    total = 0
    for it in items:
        name, info = it.entry, it.info
        parts = PurePosixPath(name).parts
        if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
            problems.append((f"{name}: 絶対パスです", f"{name}: an absolute path"))
        elif ".." in parts:
            problems.append((f"{name}: '..' でフォルダの外を指しています", f"{name}: '..' points outside the folder"))
        if stat.S_ISLNK(info.external_attr >> 16):
            problems.append((f"{name}: シンボリックリンクです", f"{name}: a symbolic link"))
        if info.file_size > max_entry:
            problems.append((f"{name}: 展開すると {info.file_size:,} バイトになります（上限 {max_entry:,}）",
                             f"{name}: expands to {info.file_size:,} bytes (limit {max_entry:,})"))
        total += info.file_size
    if total > max_total:
        problems.append((f"全体を展開すると {total:,} バイトになります（上限 {max_total:,}）",
                         f"everything expands to {total:,} bytes (limit {max_total:,})"))
    return problems


def _refuse(zip_path: Path, problems: list[tuple[str, str]]) -> CollectError:
    shown = problems[:5]
    more_ja = f" ほか {len(problems) - 5} 件" if len(problems) > 5 else ""
    more_en = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
    return CollectError(f"{zip_path}: 安全でない ZIP なので何も書き出していません: {'; '.join(p[0] for p in shown)}{more_ja}。"
                        "WebClass からダウンロードし直した ZIP で実行してください。",
                        f"{zip_path}: unsafe archive, nothing was written: {'; '.join(p[1] for p in shown)}{more_en}. "
                        "Download the zip from WebClass again and run with that.")


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OverflowError(info.filename)
    return data


def _is_system(entry: str) -> bool:
    parts = PurePosixPath(entry).parts
    base = parts[-1] if parts else ""
    return any(p in _SYSTEM_FOLDERS for p in parts[:-1]) or base in _SYSTEM_FILES or base.startswith("._")


def _classify(it: _Item, zf: zipfile.ZipFile, collector: SubmissionNameCollector, number: int, max_entry: int,
              times: dict[str, datetime] | None) -> None:
    """Set what the entry is, except the decisions that need the other entries (winner, superseded, late)."""
    entry = it.entry
    if it.encoding == "cp437-fallback":
        it.notes.append(("ファイル名の文字コードを判別できなかったので cp437 として読みました（名前が化けているかもしれません）。",
                         "the name's encoding could not be told, so it was read as cp437 (it may be garbled)."))
    if it.info.is_dir() or entry.endswith("/"):
        it.code, it.message, it.message_en = "directory", "フォルダです（中のファイルは別の行にあります）。", "a folder (its files are listed on their own rows)."
        return
    if _is_system(entry):
        base = PurePosixPath(entry).name
        it.code = "system_file"
        it.message = f"OS が作る管理用のファイルです（{base}）。無視しました。"
        it.message_en = f"a file the operating system makes ({base}); ignored."
        return
    who = collector.read_name(entry)
    it.who = who
    if who.note_ja:
        it.notes.append((who.note_ja, who.note_en))
    zip_time = _zip_time(it.info)
    if times is not None:
        key_path, key_base = normalize(entry), normalize(PurePosixPath(entry).name)
        found = times.get(key_path, times.get(key_base))
        it.when, it.time_source = (found, "csv") if found else (zip_time, "zip")
    else:
        it.when, it.time_source = zip_time, "zip"
    if who.extension != ".ipynb":
        what_ja, what_en = _KINDS.get(who.extension, (f"{who.extension or '拡張子のない'} ファイル",
                                                      f"a {who.extension or 'extension-less'} file"))
        it.code = "not_notebook"
        it.message = f"{what_ja}です。ノートブック（.ipynb）ではないので採点できません。{_HOW_TO_SAVE_JA}"
        it.message_en = f"{what_en}, not a notebook (.ipynb), so it cannot be graded. {_HOW_TO_SAVE_EN}"
        return
    if who.student_id is None:
        it.code = "bad_name"
        it.message = (f"ファイル名から学籍番号が分かりません。名前は 学籍番号_名前_{number}.ipynb にします（例: 2412345_山田太郎_{number}.ipynb）。"
                      "学生に名前を直して提出し直すよう伝えてください。")
        it.message_en = (f"the file name gives no student id. Name it student-id_name_{number}.ipynb "
                         f"(e.g. 2412345_山田太郎_{number}.ipynb); ask the student to rename it and submit again.")
        return
    if who.number is not None and who.number != number:
        it.code = "wrong_assignment"
        it.message = (f"ファイル名の課題番号が {who.number} です（この提出は課題{number}）。別の課題のファイルなので除外しました。"
                      f"課題{number} のノートブックを提出し直すよう伝えてください。")
        it.message_en = (f"the file name carries assignment number {who.number} (this is assignment {number}); excluded. "
                         f"Ask the student to submit the notebook of assignment {number}.")
        return
    if who.number is None:
        it.notes.append((f"ファイル名に課題番号がないので課題{number} として扱いました。",
                         f"no assignment number in the file name; taken as assignment {number}."))
    if it.info.flag_bits & 0x1:
        it.code = "unreadable"
        it.message = "パスワード付き（暗号化）のエントリなので読めません。パスワードなしの ZIP をダウンロードし直してください。"
        it.message_en = "an encrypted entry; it cannot be read. Download the zip again without a password."
        return
    try:
        data = _read(zf, it.info, max_entry)
    except OverflowError:
        raise
    except Exception as exc:  # BadZipFile (bad CRC), zlib.error, an unsupported compression method, …
        it.code = "unreadable"
        it.message = f"ZIP の中のこのファイルが壊れていて読めません（{exc}）。ZIP をダウンロードし直してください。"
        it.message_en = f"this entry of the zip is damaged and cannot be read ({exc}). Download the zip again."
        return
    it.sha256 = hashlib.sha256(data).hexdigest()
    try:
        parse_notebook(data, entry)
    except NotebookError as exc:
        it.code = "unreadable"
        it.message = f"{exc.message('ja').removeprefix(entry + ': ')}{_HOW_TO_SAVE_JA}"
        it.message_en = f"{exc.message('en').removeprefix(entry + ': ')} {_HOW_TO_SAVE_EN}"
        return
    it.code = "candidate"


def _decide(items: Sequence[_Item], deadline: datetime | None, keep_late: bool) -> None:
    """Per student: the latest candidate (on time, unless ``keep_late``) wins; the others are superseded or late."""
    oldest = datetime.min.replace(tzinfo=timezone.utc)
    by_student: dict[str, list[_Item]] = {}
    for it in items:
        if it.code == "candidate" and it.who and it.who.student_id:
            by_student.setdefault(it.who.student_id, []).append(it)
    for group in by_student.values():
        late = {id(it) for it in group if deadline is not None and it.when is not None and it.when > deadline}
        eligible = [it for it in group if keep_late or id(it) not in late]
        # latest time; same time: the higher " (n)" copy number; then the later entry in the zip
        winner = max(eligible, key=lambda it: (it.when or oldest, (it.who.copy if it.who else None) or 0, it.index),
                     default=None)
        for it in group:
            if it is winner:
                it.code = "accepted_late" if id(it) in late else "accepted"
            elif id(it) in late and not keep_late:
                assert deadline is not None and it.when is not None
                seconds = (it.when - deadline).total_seconds()
                it.code = "late"
                it.message = (f"締切（{_shown(deadline)}）より後の提出（{_shown(it.when)}、{_delay(seconds, 'ja')}遅れ）なので除外しました。"
                              "含めるには --keep-late を付けて実行し直してください。")
                it.message_en = (f"submitted after the deadline ({_shown(deadline)}) at {_shown(it.when)}, "
                                 f"{_delay(seconds, 'en')} late; excluded. Run again with --keep-late to include it.")
            else:
                assert winner is not None
                it.code = "superseded"
                when = f"、{_shown(winner.when)}" if winner.when else ""
                when_en = f", {_shown(winner.when)}" if winner.when else ""
                it.message = f"同じ学生のより新しい提出 {winner.entry}（{when[1:] or '時刻不明'}）を採用したので、これは使いません。"
                it.message_en = f"the same student's newer submission {winner.entry}{when_en} is used instead of this one."
                if it.who and winner.who and it.who.name and winner.who.name and it.who.name != winner.who.name:
                    it.notes.append((f"名前が違います（{it.who.name} / {winner.who.name}）。学籍番号の書き間違いかもしれません。",
                                     f"the names differ ({it.who.name} / {winner.who.name}); the student id may be mistyped."))


# ------------------------------------------------------------------ writing

def _sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _sha256_stream(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _write_if_changed(path: Path, data: bytes) -> bool:
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    _write_atomic(path, data)
    return True


def timestamp_text(t: datetime) -> str:
    """What ``timestamp.txt`` holds: ``2026-11-23 21:05:00+09:00`` (nbgrader's ``parse_utc`` reads it)."""
    return t.astimezone(JST).isoformat(" ", timespec="seconds")


def _remove_empty_dirs(start: Path, stop: Path) -> None:
    d = start
    while d != stop and stop in d.parents:
        try:
            d.rmdir()
        except OSError:
            return
        d = d.parent


def manifest_csv_bytes(manifest: Manifest) -> bytes:
    """UTF-8 with BOM, so that Japanese Excel opens it."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(MANIFEST_COLUMNS)
    for e in manifest.entries:
        row = e.to_json()
        w.writerow(["" if row[c] is None else row[c] for c in MANIFEST_COLUMNS])
    return buf.getvalue().encode("utf-8-sig")


def manifest_json_bytes(manifest: Manifest) -> bytes:
    return (json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# ------------------------------------------------------------------ the step

def collect_zip(zip_path: str | os.PathLike[str], course: Course, assignment: str, number: int,
                deadline: datetime | None = None, times: str | os.PathLike[str] | None = None, keep_late: bool = False,
                force: bool = False, max_entry_bytes: int = MAX_ENTRY_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES,
                max_entries: int = MAX_ENTRIES) -> CollectResult:
    """Collect one zip into ``course`` for ``assignment`` (its number ``number``). Raises ``CollectError`` when the
    zip cannot be used at all (not found, not a zip, unsafe, bad times CSV), before anything is written."""
    zip_path = Path(zip_path)
    time_table = load_times(times) if times is not None else None
    try:
        zip_sha256 = _sha256_stream(zip_path)
        zf = zipfile.ZipFile(zip_path)  # read only: the original is never modified
    except OSError as exc:
        raise CollectError(f"{zip_path}: ZIP ファイルを読めません（{exc.strerror or exc}）。",
                           f"{zip_path}: cannot read the zip file ({exc.strerror or exc}).") from None
    except zipfile.BadZipFile:
        raise CollectError(f"{zip_path}: ZIP ファイルではありません（壊れているか、別の形式です）。WebClass からダウンロードし直してください。",
                           f"{zip_path}: not a zip file (damaged or another format). Download it from WebClass again.") from None
    notebook = course.notebook_name(assignment)
    with zf:
        items = []
        for i, info in enumerate(zf.infolist()):
            entry, encoding = decode_entry_name(info)
            items.append(_Item(index=i, info=info, entry=entry, encoding=encoding))
        problems = _unsafe(items, max_entry_bytes, max_total_bytes, max_entries)
        if problems:
            raise _refuse(zip_path, problems)
        collector = SubmissionNameCollector(notebook=notebook, number=number)
        for it in items:
            try:
                _classify(it, zf, collector, number, max_entry_bytes, time_table)
            except OverflowError:
                raise _refuse(zip_path, [(f"{it.entry}: 展開すると上限 {max_entry_bytes:,} バイトを超えます",
                                          f"{it.entry}: expands beyond the limit of {max_entry_bytes:,} bytes")]) from None
        _decide(items, deadline, keep_late)
        written, removed, warnings = _place(items, zf, course, assignment, notebook, deadline, force, max_entry_bytes)
    missing_times = sum(1 for it in items if time_table is not None and it.time_source == "zip" and it.code in (*ACCEPTED, "superseded", "late"))
    if missing_times:
        warnings.append((f"提出時刻の CSV にないファイル {missing_times} 件は ZIP の時刻を使いました。",
                         f"{missing_times} files are not in the submission-time CSV; their zip times were used."))
    notebooks = [it for it in items if it.code in (*ACCEPTED, "superseded", "late")]
    if deadline is not None and time_table is None and notebooks and all(it.code == "late" or it.code == "accepted_late" for it in notebooks):
        warnings.append((("すべてのノートブックが締切後になりました。ZIP の時刻がダウンロードした時刻なのかもしれません。"
                          "提出時刻の CSV を --times で指定してください。"),
                         ("every notebook is after the deadline: the zip's times may be the download time. "
                          "Give the submission times with --times.")))
    entries = tuple(_entry(it, number) for it in items)
    manifest = Manifest(assignment=assignment, notebook=notebook, number=number, zip_name=zip_path.name,
                        zip_sha256=zip_sha256, deadline=iso(deadline), keep_late=keep_late,
                        times_file=Path(times).name if times is not None else None, entries=entries)
    csv_path, json_path = course.manifest_paths(assignment)
    _write_if_changed(csv_path, manifest_csv_bytes(manifest))
    _write_if_changed(json_path, manifest_json_bytes(manifest))
    return CollectResult(manifest=manifest, manifest_csv=csv_path, manifest_json=json_path, written=tuple(written),
                         removed=tuple(removed), warnings=tuple(warnings))


def _entry(it: _Item, number: int) -> ManifestEntry:
    message, message_en = it.message, it.message_en
    notes_ja = "".join(n[0] for n in it.notes)
    notes_en = " ".join(n[1] for n in it.notes)
    if notes_ja:
        message = f"{message}{notes_ja}" if message else notes_ja
        message_en = f"{message_en} {notes_en}".strip()
    who = it.who
    return ManifestEntry(entry=it.entry, code=it.code, message=message, message_en=message_en,
                         student_id=who.student_id if who else None, name=who.name if who else None,
                         number=who.number if who and who.number is not None else (number if it.code in ACCEPTED else None),
                         submitted_at=iso(it.when), time_source=it.time_source, placed=it.placed,
                         size=it.info.file_size, sha256=it.sha256, name_encoding=it.encoding)


def _place(items: Sequence[_Item], zf: zipfile.ZipFile, course: Course, assignment: str, notebook: str,
           deadline: datetime | None, force: bool, max_entry: int) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Copy the winners into ``submitted/`` and remove what an earlier run placed that is no longer accepted."""
    root = course.root
    previous = read_manifest(course.manifest_paths(assignment)[1])
    placed_before = {e.placed: e.sha256 for e in previous.entries if e.placed} if previous else {}
    written: list[str] = []
    placed_now: set[str] = set()
    warnings: list[tuple[str, str]] = []
    for it in items:
        if it.code not in ACCEPTED:
            continue
        assert it.who is not None and it.who.student_id is not None
        dest = course.submission_dir(it.who.student_id, assignment) / notebook
        rel = dest.relative_to(root).as_posix()
        existing = _sha256_file(dest) if dest.exists() else None
        if existing is not None and existing != it.sha256 and not force and placed_before.get(rel) != existing:
            it.code = "conflict"
            it.message = (f"{rel} に、この ZIP から置いたのではない別の内容のファイルがあるので、上書きしていません。"
                          "確認して、上書きしてよければ --force を付けて実行し直してください。")
            it.message_en = (f"{rel} already holds a different file that was not placed from a zip; it was not overwritten. "
                             "Check it, and run again with --force to overwrite it.")
            continue
        if existing != it.sha256:
            data = _read(zf, it.info, max_entry)
            _write_atomic(dest, data)
            written.append(rel)
        if it.when is not None:
            _write_if_changed(dest.parent / "timestamp.txt", timestamp_text(it.when).encode("utf-8"))
        it.placed = rel
        placed_now.add(rel)
        if it.code == "accepted":
            it.message, it.message_en = f"受理しました（{rel}）。", f"accepted ({rel})."
        else:
            assert deadline is not None and it.when is not None
            seconds = (it.when - deadline).total_seconds()
            it.message = (f"締切（{_shown(deadline)}）より後の提出（{_shown(it.when)}、{_delay(seconds, 'ja')}遅れ）ですが、"
                          f"--keep-late により受理しました（{rel}）。")
            it.message_en = (f"submitted after the deadline ({_shown(deadline)}) at {_shown(it.when)}, {_delay(seconds, 'en')} "
                             f"late; accepted because of --keep-late ({rel}).")
    removed: list[str] = []
    for rel, sha in sorted(placed_before.items()):
        if rel in placed_now:
            continue
        path = root / rel
        if not path.exists():
            continue
        if _sha256_file(path) != sha:
            warnings.append((f"{rel} は前回この ZIP 収集で置いたものから変わっているので、残しました（今回は受理されていません）。",
                             f"{rel} changed since an earlier collect placed it, so it was kept (this zip does not accept it)."))
            continue
        path.unlink()
        stamp = path.parent / "timestamp.txt"
        if stamp.exists() and not any(path.parent.glob("*.ipynb")):
            stamp.unlink()
        _remove_empty_dirs(path.parent, course.submitted_root())
        removed.append(rel)
    return written, removed, warnings


def summarize(manifest: Manifest, lang: str = "ja") -> str:
    """One line: how many entries of each kind."""
    counts = {code: manifest.count(code) for code in CODES}
    shown = [(code, n) for code, n in counts.items() if n]
    if lang == "en":
        return f"{len(manifest.entries)} entries: " + ", ".join(f"{CODES[c][1]} {n}" for c, n in shown)
    return f"{len(manifest.entries)} 件: " + "、".join(f"{CODES[c][0]} {n}" for c, n in shown)


def render_collect(result: CollectResult, lang: str = "ja") -> str:
    """What ``autograder collect`` prints: the rows that need attention, a summary, the manifest's paths."""
    m = result.manifest
    lines = []
    for e in m.entries:
        if e.code in ("accepted", "directory", "system_file"):
            continue
        label = CODES[e.code][1] if lang == "en" else CODES[e.code][0]
        lines.append(f"  {e.entry}: {label} — {e.message_en if lang == 'en' else e.message}")
    if result.removed:
        lines.append(("removed (no longer accepted): " if lang == "en" else "取り除いたもの（今回は受理されない）: ")
                     + ", ".join(result.removed))
    for ja, en in result.warnings:
        lines.append(("warning: " if lang == "en" else "注意: ") + (en if lang == "en" else ja))
    lines.append(summarize(m, lang))
    shown = [os.path.relpath(p) if p.is_absolute() and os.path.splitdrive(p)[0] == os.path.splitdrive(os.getcwd())[0] else str(p)
             for p in (result.manifest_csv, result.manifest_json)]
    lines.append(("manifest: " if lang == "en" else "一覧: ") + " / ".join(shown))
    return "\n".join(lines)

