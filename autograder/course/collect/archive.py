"""The LMS zip as read: entry names, archive safety, entries read with a size limit. Standard library only.

Entry names are decoded (UTF-8, cp932, …), the archive is checked before anything is written (absolute paths,
``..``, links, sizes), entries are read with a size limit, and the operating system's own files are recognised.
The zip is only read, never modified. Imports only ``autograder.errors``, ``read.notebook`` (its size limit) and
``times``; no nbgrader.
"""
from __future__ import annotations

import hashlib
import re
import stat
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath

from autograder.course.collect.safe import terminal_text
from autograder.course.collect.times import JST
from autograder.errors import CollectError
from autograder.read.notebook import MAX_BYTES

MAX_ENTRIES = 10_000  # more entries than this: refused (a course has a few hundred students)
MAX_ENTRY_BYTES = MAX_BYTES  # one entry that expands beyond this (200 MB): refused, as the grader would refuse it
MAX_TOTAL_BYTES = 4 * 1024 ** 3  # everything together expanding beyond 4 GB: refused

_SYSTEM_FOLDERS = {"__MACOSX", ".ipynb_checkpoints"}
_SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini", "Desktop.ini"}


@dataclass(frozen=True)
class Limits:
    """What an archive may hold before it is refused as unsafe."""

    entry_bytes: int = MAX_ENTRY_BYTES
    total_bytes: int = MAX_TOTAL_BYTES
    entries: int = MAX_ENTRIES


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ZipEntry:
    """One entry of the zip: its position, zipfile's record, its decoded name and how the name was decoded."""

    index: int
    info: zipfile.ZipInfo
    name: str
    encoding: str


class UnsafeArchive(Exception):
    """Raised by planning when the zip must be refused as a whole; ``problems`` are (Japanese, English) pairs.
    ``collect_zip`` turns it into a ``CollectError`` naming the zip (``refusal``)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(p[1] for p in problems))


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


def list_entries(zf: zipfile.ZipFile) -> tuple[ZipEntry, ...]:
    """Every entry of the zip, in order, with its decoded name."""
    return tuple(ZipEntry(i, info, *decode_entry_name(info)) for i, info in enumerate(zf.infolist()))


def open_zip(zip_path: Path) -> tuple[zipfile.ZipFile, str]:
    """The zip opened for reading, and its SHA-256. Raises ``CollectError`` when it cannot be read or is no zip."""
    try:
        zip_sha256 = sha256_stream(zip_path)
        zf = zipfile.ZipFile(zip_path)  # read only: the original is never modified
    except OSError as exc:
        raise CollectError(f"{zip_path}: ZIP ファイルを読めません（{exc.strerror or exc}）。",
                           f"{zip_path}: cannot read the zip file ({exc.strerror or exc}).") from None
    except zipfile.BadZipFile:
        raise CollectError(f"{zip_path}: ZIP ファイルではありません（壊れているか、別の形式です）。"
                           "WebClass からダウンロードし直してください。",
                           f"{zip_path}: not a zip file (damaged or another format). Download it from WebClass again.") from None
    return zf, zip_sha256


def sha256_stream(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def zip_time(info: zipfile.ZipInfo) -> datetime | None:
    """The entry's own time, read as Japan time (the zip format has no zone); None when it is not a time."""
    try:
        return datetime(*info.date_time, tzinfo=JST)
    except (TypeError, ValueError):
        return None


def unsafe(entries: Sequence[ZipEntry], limits: Limits) -> list[tuple[str, str]]:
    """Why the archive must be refused as a whole (absolute paths, ``..``, links, sizes, count); empty when safe."""
    problems: list[tuple[str, str]] = []
    if len(entries) > limits.entries:
        problems.append((f"エントリが多すぎます（{len(entries)} 個、上限 {limits.entries}）",
                         f"too many entries ({len(entries)}, limit {limits.entries})"))
    total = 0
    for entry in entries:
        problems.extend(_entry_problems(entry, limits.entry_bytes))
        total += entry.info.file_size
    if total > limits.total_bytes:
        problems.append((f"全体を展開すると {total:,} バイトになります（上限 {limits.total_bytes:,}）",
                         f"everything expands to {total:,} bytes (limit {limits.total_bytes:,})"))
    return problems


def _entry_problems(entry: ZipEntry, max_entry: int) -> list[tuple[str, str]]:
    name, info = terminal_text(entry.name), entry.info  # the message reaches a terminal: no escape sequence in it
    problems: list[tuple[str, str]] = []
    parts = PurePosixPath(entry.name).parts
    if entry.name.startswith("/") or re.match(r"^[A-Za-z]:", entry.name):
        problems.append((f"{name}: 絶対パスです", f"{name}: an absolute path"))
    elif ".." in parts:
        problems.append((f"{name}: '..' でフォルダの外を指しています", f"{name}: '..' points outside the folder"))
    if stat.S_ISLNK(info.external_attr >> 16):
        problems.append((f"{name}: シンボリックリンクです", f"{name}: a symbolic link"))
    if info.file_size > max_entry:
        problems.append((f"{name}: 展開すると {info.file_size:,} バイトになります（上限 {max_entry:,}）",
                         f"{name}: expands to {info.file_size:,} bytes (limit {max_entry:,})"))
    return problems


def refusal(zip_path: Path, problems: list[tuple[str, str]]) -> CollectError:
    """The error that refuses the whole zip: the first five problems, and how many more."""
    shown = problems[:5]
    more_ja = f" ほか {len(problems) - 5} 件" if len(problems) > 5 else ""
    more_en = f" and {len(problems) - 5} more" if len(problems) > 5 else ""
    return CollectError(f"{zip_path}: 安全でない ZIP なので何も書き出していません: {'; '.join(p[0] for p in shown)}{more_ja}。"
                        "WebClass からダウンロードし直した ZIP で実行してください。",
                        f"{zip_path}: unsafe archive, nothing was written: {'; '.join(p[1] for p in shown)}{more_en}. "
                        "Download the zip from WebClass again and run with that.")


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """The entry's bytes; ``OverflowError`` when it expands beyond ``limit`` (whatever its header claims)."""
    with zf.open(info) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OverflowError(info.filename)
    return data


def is_system(name: str) -> bool:
    """A file the operating system makes (``__MACOSX/``, ``.DS_Store``, ``Thumbs.db``, ``._x``, checkpoints)."""
    parts = PurePosixPath(name).parts
    base = parts[-1] if parts else ""
    return any(p in _SYSTEM_FOLDERS for p in parts[:-1]) or base in _SYSTEM_FILES or base.startswith("._")
