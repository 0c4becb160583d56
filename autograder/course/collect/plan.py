"""What to do with every entry of the zip, decided before anything is written. Writes nothing; never execute or cli.

``plan_collection`` classifies each entry (folder, system file, not a notebook, bad name, wrong assignment,
unreadable, or a candidate) and then decides per student (the latest candidate on time wins; the others are
superseded or late). The result is one row per entry, in zip order: ``Planned`` (a notebook to place) or
``Skipped`` (its final manifest code and why). It reads the entries' bytes through ``read`` and touches no course
folder, so it can be tested on an in-memory zip.
"""
from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import PurePosixPath

from autograder.course.collect.archive import DEFAULT_LIMITS, Limits, UnsafeArchive, ZipEntry, is_system, unsafe, zip_time
from autograder.course.collect.manifest import ACCEPTED, ManifestEntry
from autograder.course.collect.plugin import NameInfo, read_name
from autograder.course.collect.times import delay_text, iso, shown_time
from autograder.errors import NotebookError
from autograder.read.names import normalize
from autograder.read.notebook import parse_notebook

Reader = Callable[[zipfile.ZipInfo, int], bytes]  # (entry, limit) → bytes; OverflowError beyond the limit
Note = tuple[str, str]  # (Japanese, English)
_Refusal = tuple[str, str, str]  # (code, Japanese, English)

_OLDEST = datetime.min.replace(tzinfo=timezone.utc)
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


@dataclass(frozen=True)
class Facts:
    """What an entry's path, times and bytes say, as far as its classification got."""

    who: NameInfo | None = None
    when: datetime | None = None
    time_source: str = ""  # "zip" | "csv" | ""
    sha256: str | None = None
    notes: tuple[Note, ...] = ()  # appended to the manifest's message


@dataclass(frozen=True)
class Skipped:
    """An entry that is not placed: its final manifest code and why."""

    entry: ZipEntry
    facts: Facts
    code: str
    message: str
    message_en: str

    def manifest_entry(self, number: int) -> ManifestEntry:
        return manifest_entry(self.entry, self.facts, self.code, self.message, self.message_en, number)


@dataclass(frozen=True)
class Planned:
    """A student's winning notebook, to be placed in ``submitted/<student_id>/<assignment>/``."""

    entry: ZipEntry
    facts: Facts
    student_id: str
    sha256: str
    late: bool = False  # after the deadline, accepted because of ``keep_late``

    @property
    def code(self) -> str:
        return "accepted_late" if self.late else "accepted"


@dataclass(frozen=True)
class _Candidate:
    """A readable notebook of the right assignment with a student id, before the per-student decision."""

    entry: ZipEntry
    facts: Facts
    student_id: str
    sha256: str


def plan_collection(entries: Sequence[ZipEntry], read: Reader, number: int, deadline: datetime | None = None,
                    keep_late: bool = False, times: Mapping[str, datetime] | None = None,
                    limits: Limits = DEFAULT_LIMITS) -> tuple[Planned | Skipped, ...]:
    """One row per entry, in order. Raises ``UnsafeArchive`` when the zip must be refused as a whole."""
    problems = unsafe(entries, limits)
    if problems:
        raise UnsafeArchive(problems)
    classified: list[Skipped | _Candidate] = []
    for entry in entries:
        try:
            classified.append(classify(entry, read, number, limits.entry_bytes, times))
        except OverflowError:
            raise UnsafeArchive([(f"{entry.name}: 展開すると上限 {limits.entry_bytes:,} バイトを超えます",
                                  f"{entry.name}: expands beyond the limit of {limits.entry_bytes:,} bytes")]) from None
    decided = decide([c for c in classified if isinstance(c, _Candidate)], deadline, keep_late)
    return tuple(decided[c.entry.index] if isinstance(c, _Candidate) else c for c in classified)


def manifest_entry(entry: ZipEntry, facts: Facts, code: str, message: str, message_en: str, number: int,
                   placed: str | None = None) -> ManifestEntry:
    """The manifest's row: the message with the entry's notes appended."""
    notes_ja = "".join(n[0] for n in facts.notes)
    notes_en = " ".join(n[1] for n in facts.notes)
    if notes_ja:
        message = f"{message}{notes_ja}" if message else notes_ja
        message_en = f"{message_en} {notes_en}".strip()
    who = facts.who
    if who is not None and who.disagrees:  # the row belongs to who uploaded it (the LMS's folder), never the other id
        who = replace(who, student_id=who.folder_id, name=None)
    return ManifestEntry(entry=entry.name, code=code, message=message, message_en=message_en,
                         student_id=who.student_id if who else None, name=who.name if who else None,
                         number=who.number if who and who.number is not None else (number if code in ACCEPTED else None),
                         submitted_at=iso(facts.when), time_source=facts.time_source, placed=placed,
                         size=entry.info.file_size, sha256=facts.sha256, name_encoding=entry.encoding)


# ------------------------------------------------------------------ classify: what one entry is

def classify(entry: ZipEntry, read: Reader, number: int, max_entry: int,
             times: Mapping[str, datetime] | None) -> Skipped | _Candidate:
    """What the entry is, except the decisions that need the other entries (winner, superseded, late)."""
    notes: list[Note] = []
    if entry.encoding == "cp437-fallback":
        notes.append(("ファイル名の文字コードを判別できなかったので cp437 として読みました（名前が化けているかもしれません）。",
                      "the name's encoding could not be told, so it was read as cp437 (it may be garbled)."))
    if entry.info.is_dir() or entry.name.endswith("/"):
        return Skipped(entry, Facts(notes=tuple(notes)), "directory", "フォルダです（中のファイルは別の行にあります）。",
                       "a folder (its files are listed on their own rows).")
    if is_system(entry.name):
        base = PurePosixPath(entry.name).name
        return Skipped(entry, Facts(notes=tuple(notes)), "system_file", f"OS が作る管理用のファイルです（{base}）。無視しました。",
                       f"a file the operating system makes ({base}); ignored.")
    who = read_name(entry.name)
    if who.note_ja:
        notes.append((who.note_ja, who.note_en))
    when, source = _time_of(entry, times)
    refused = _by_name(who, number)
    if refused is not None:
        return Skipped(entry, Facts(who, when, source, None, tuple(notes)), *refused)
    if who.number is None:
        notes.append((f"ファイル名に課題番号がないので課題{number} として扱いました。",
                      f"no assignment number in the file name; taken as assignment {number}."))
    sha256, refused = _by_content(entry, read, max_entry)
    facts = Facts(who, when, source, sha256, tuple(notes))
    if refused is not None:
        return Skipped(entry, facts, *refused)
    assert sha256 is not None and who.student_id is not None  # else _by_content or _by_name refused it
    return _Candidate(entry, facts, who.student_id, sha256)


def _time_of(entry: ZipEntry, times: Mapping[str, datetime] | None) -> tuple[datetime | None, str]:
    """The submission time: the times CSV's (by path inside the zip, else base name), else the zip's own."""
    own = zip_time(entry.info)
    if times is None:
        return own, "zip"
    found = times.get(normalize(entry.name), times.get(normalize(PurePosixPath(entry.name).name)))
    return (found, "csv") if found else (own, "zip")


def _by_name(who: NameInfo, number: int) -> _Refusal | None:
    """Refused for what the name says: not a notebook, no student id, another assignment's number."""
    if who.extension != ".ipynb":
        what_ja, what_en = _KINDS.get(who.extension, (f"{who.extension or '拡張子のない'} ファイル",
                                                      f"a {who.extension or 'extension-less'} file"))
        return ("not_notebook", f"{what_ja}です。ノートブック（.ipynb）ではないので採点できません。{_HOW_TO_SAVE_JA}",
                f"{what_en}, not a notebook (.ipynb), so it cannot be graded. {_HOW_TO_SAVE_EN}")
    if who.disagrees:
        return ("id_mismatch",
                f"フォルダの学籍番号 {who.folder_id} とファイル名の学籍番号 {who.student_id} が違うので、どちらの学生の提出か"
                f"分からず、受理していません（{who.student_id} の提出を置き換えることもしていません）。WebClass で提出者を確かめ、"
                "本人に正しい名前で提出し直してもらってください。",
                f"the folder's student id {who.folder_id} and the file name's {who.student_id} differ, so whose submission "
                f"this is cannot be told; it was not accepted (nor does it replace {who.student_id}'s submission). "
                "Check the submitter in WebClass and ask the student to submit again under the right name.")
    if who.student_id is None:
        return ("bad_name",
                f"ファイル名から学籍番号が分かりません。名前は 学籍番号_名前_{number}.ipynb にします"
                f"（例: 2412345_山田太郎_{number}.ipynb）。学生に名前を直して提出し直すよう伝えてください。",
                f"the file name gives no student id. Name it student-id_name_{number}.ipynb "
                f"(e.g. 2412345_山田太郎_{number}.ipynb); ask the student to rename it and submit again.")
    if who.number is not None and who.number != number:
        return ("wrong_assignment",
                f"ファイル名の課題番号が {who.number} です（この提出は課題{number}）。別の課題のファイルなので除外しました。"
                f"課題{number} のノートブックを提出し直すよう伝えてください。",
                f"the file name carries assignment number {who.number} (this is assignment {number}); excluded. "
                f"Ask the student to submit the notebook of assignment {number}.")
    return None


def _by_content(entry: ZipEntry, read: Reader, max_entry: int) -> tuple[str | None, _Refusal | None]:
    """The entry's SHA-256 (when it could be read) and why it is refused (encrypted, damaged, not a notebook)."""
    if entry.info.flag_bits & 0x1:
        return None, ("unreadable", "パスワード付き（暗号化）のエントリなので読めません。"
                      "パスワードなしの ZIP をダウンロードし直してください。",
                      "an encrypted entry; it cannot be read. Download the zip again without a password.")
    try:
        data = read(entry.info, max_entry)
    except OverflowError:
        raise
    except Exception as exc:  # BadZipFile (bad CRC), zlib.error, an unsupported compression method, …
        return None, ("unreadable", f"ZIP の中のこのファイルが壊れていて読めません（{exc}）。ZIP をダウンロードし直してください。",
                      f"this entry of the zip is damaged and cannot be read ({exc}). Download the zip again.")
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        parse_notebook(data, entry.name)
    except NotebookError as exc:
        ja, en = exc.message("ja").removeprefix(entry.name + ": "), exc.message("en").removeprefix(entry.name + ": ")
        saved = "ダウンロード" in ja  # the reader's message already says how to save it again: not twice
        return sha256, ("unreadable", ja if saved else f"{ja}{_HOW_TO_SAVE_JA}", en if saved else f"{en} {_HOW_TO_SAVE_EN}")
    return sha256, None


# ------------------------------------------------------------------ decide: one notebook per student

def decide(candidates: Sequence[_Candidate], deadline: datetime | None,
           keep_late: bool) -> dict[int, Planned | Skipped]:
    """Per student: the latest candidate (on time, unless ``keep_late``) wins; the others are superseded or late.
    Keyed by the entry's index in the zip."""
    by_student: dict[str, list[_Candidate]] = {}
    for c in candidates:
        by_student.setdefault(c.student_id, []).append(c)
    decided: dict[int, Planned | Skipped] = {}
    for group in by_student.values():
        winner = _winner(group, deadline, keep_late)
        for c in group:
            decided[c.entry.index] = _decided(c, winner, deadline, keep_late)
    return decided


def _is_late(c: _Candidate, deadline: datetime | None) -> bool:
    return deadline is not None and c.facts.when is not None and c.facts.when > deadline


def _winner(group: Sequence[_Candidate], deadline: datetime | None, keep_late: bool) -> _Candidate | None:
    """The latest time; at the same time the higher `` (n)`` copy number; then the later entry in the zip."""
    eligible = [c for c in group if keep_late or not _is_late(c, deadline)]
    return max(eligible, key=lambda c: (c.facts.when or _OLDEST, (c.facts.who.copy if c.facts.who else None) or 0,
                                        c.entry.index), default=None)


def _decided(c: _Candidate, winner: _Candidate | None, deadline: datetime | None, keep_late: bool) -> Planned | Skipped:
    late = _is_late(c, deadline)
    if c is winner:
        return Planned(c.entry, c.facts, c.student_id, c.sha256, late=late)
    if late and not keep_late:
        assert deadline is not None and c.facts.when is not None
        return _late(c, deadline, c.facts.when)
    assert winner is not None  # with no winner every candidate is late, and excluded above
    return _superseded(c, winner)


def _late(c: _Candidate, deadline: datetime, when: datetime) -> Skipped:
    seconds = (when - deadline).total_seconds()
    return Skipped(c.entry, c.facts, "late",
                   f"締切（{shown_time(deadline)}）より後の提出（{shown_time(when)}、{delay_text(seconds, 'ja')}遅れ）なので除外しました。"
                   "含めるには --keep-late を付けて実行し直してください。",
                   f"submitted after the deadline ({shown_time(deadline)}) at {shown_time(when)}, "
                   f"{delay_text(seconds, 'en')} late; excluded. Run again with --keep-late to include it.")


def _superseded(c: _Candidate, winner: _Candidate) -> Skipped:
    shown = shown_time(winner.facts.when) if winner.facts.when else ""
    when_en = f", {shown}" if shown else ""
    facts = c.facts
    who, winner_who = facts.who, winner.facts.who
    if who and winner_who and who.name and winner_who.name and who.name != winner_who.name:
        facts = replace(facts, notes=(*facts.notes, (
            f"名前が違います（{who.name} / {winner_who.name}）。学籍番号の書き間違いかもしれません。",
            f"the names differ ({who.name} / {winner_who.name}); the student id may be mistyped.")))
    return Skipped(c.entry, facts, "superseded",
                   f"同じ学生のより新しい提出 {winner.entry.name}（{shown or '時刻不明'}）を採用したので、これは使いません。",
                   f"the same student's newer submission {winner.entry.name}{when_en} is used instead of this one.")
