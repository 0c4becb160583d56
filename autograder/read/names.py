"""Submission file names: ``学籍番号_名前_N.ipynb`` → student id, name, assignment number. Standard library only.

Names are read after Unicode NFKC normalisation, so full-width digits, letters, ``＿`` and spaces (common on
Japanese keyboards) count as their ASCII forms; spaces around ``_`` are accepted. A student id is letters, digits
and ``-`` with at least one digit. ``N`` may be written ``課題N`` or ``kadaiN``. A browser's re-download suffix
``" (1)"`` after ``N`` is kept as ``copy``.
"""
from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

_STUDENT = r"[A-Za-z0-9-]*[0-9][A-Za-z0-9-]*"
# student id, name (may itself contain "_"), assignment number, optional resubmission suffix " (1)"
_NAME = re.compile(r"^\s*(?P<student>" + _STUDENT + r")\s*_\s*(?P<name>.+?)\s*_\s*(?:課題|kadai)?\s*(?P<number>\d{1,2})"
                   r"\s*(?:\((?P<copy>\d+)\))?\s*$", re.IGNORECASE)
# a per-student folder of an LMS download: "2412001_山田太郎", "2412001 山田太郎", "2412001@山田太郎", "2412001"
_FOLDER = re.compile(r"^\s*(?P<student>" + _STUDENT + r")\s*(?:[_@\s]+\s*(?P<name>.*?))?\s*$")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class SubmissionName:
    student_id: str
    name: str
    number: int
    copy: int | None = None  # the browser's " (1)" suffix of a re-download or resubmission


def normalize(text: str) -> str:
    """NFKC: full-width digits, letters, ``＿`` and the ideographic space become ASCII."""
    return unicodedata.normalize("NFKC", text)


def _base(path: str | os.PathLike[str]) -> str:
    return PurePath(os.fspath(path).replace("\\", "/")).name


def parse_submission_name(path: str | os.PathLike[str]) -> SubmissionName | None:
    """Read ``学籍番号_名前_N.ipynb``; full-width digits and spaces around ``_`` are accepted. None if it does not fit."""
    stem = _base(path)
    if stem.lower().endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    return _parse_stem(stem)


def parse_file_name(path: str | PurePath) -> tuple[SubmissionName | None, str]:
    """Like ``parse_submission_name`` for a file of any type: ``2412001_山田太郎_2.pdf`` → (name, ``".pdf"``).

    The extension is returned in lower case (``""`` when there is none); ``x.ipynb.pdf`` is read as ``.pdf``.
    """
    base = normalize(_base(path))
    m = _EXTENSION.search(base)
    ext = m.group(0).lower() if m else ""
    stem = base[: m.start()] if m else base
    if ext != ".ipynb" and stem.lower().endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    return _parse_stem(stem), ext


def _parse_stem(stem: str) -> SubmissionName | None:
    m = _NAME.match(normalize(stem))
    if not m:
        return None
    return SubmissionName(student_id=m["student"], name=m["name"], number=int(m["number"]),
                          copy=int(m["copy"]) if m["copy"] else None)


def parse_student_folder(name: str) -> tuple[str, str] | None:
    """A per-student folder of an LMS download → (student id, name); None unless the id has at least 4 digits.

    ``2412001_山田太郎``, ``2412001 山田太郎``, ``2412001@山田太郎`` and ``2412001`` are read; ``課題2`` and
    ``kadai2`` are not (too few digits to be a student id).
    """
    m = _FOLDER.match(normalize(name))
    if not m or sum(ch.isdigit() for ch in m["student"]) < 4:
        return None
    return m["student"], (m["name"] or "")


# ------------------------------------------------------------------ the verdict a student sees before submitting

@dataclass(frozen=True)
class NameVerdict:
    """What ``collect`` will do with a file of this name for assignment ``expected``: the same parser, the same rules.

    ``code`` is ``""`` (accepted as is), ``"copy"`` (accepted; the browser's `` (1)`` is ignored), or the manifest
    code ``collect`` would give: ``"not_notebook"``, ``"bad_name"``, ``"wrong_assignment"``.
    """

    file: str
    expected: int
    code: str
    student_id: str | None
    number: int | None  # the assignment number it will be filed under (None: refused)
    suggested: str  # the name to use
    named: int | None = None  # the number the name carries

    @property
    def accepted(self) -> bool:
        return self.code in ("", "copy")

    def message(self, lang: str = "ja") -> str:
        return _verdict_text(self, lang == "en")


def name_verdict(path: str | os.PathLike[str], expected: int) -> NameVerdict:
    """Which 学籍番号 and 課題番号 ``collect`` will file ``path`` under, or why it will refuse it, and the name to use."""
    base = _base(path)
    parsed, ext = parse_file_name(base)
    suggested = f"{parsed.student_id}_{parsed.name}_{expected}.ipynb" if parsed is not None else f"学籍番号_名前_{expected}.ipynb"
    if ext != ".ipynb":
        code = "not_notebook"
    elif parsed is None:
        code = "bad_name"
    elif parsed.number != expected:
        code = "wrong_assignment"
    else:
        code = "copy" if parsed.copy is not None else ""
    accepted = code in ("", "copy")
    return NameVerdict(file=base, expected=expected, code=code, student_id=parsed.student_id if parsed else None,
                       number=expected if accepted else None, suggested=suggested, named=parsed.number if parsed else None)


def _verdict_text(v: NameVerdict, en: bool) -> str:
    n = v.expected
    if v.code == "":
        return (f"File name OK: it will be filed as student {v.student_id}, assignment {n}." if en
                else f"ファイル名 OK: 学籍番号 {v.student_id}、課題{n} として受け付けられます。")
    if v.code == "copy":
        return (f"File name accepted as student {v.student_id}, assignment {n}; the \" (1)\" of a re-download is ignored. "
                f"Better: {v.suggested}" if en
                else f"ファイル名は 学籍番号 {v.student_id}、課題{n} として受け付けられます（再ダウンロードの「 (1)」は無視されます）。"
                     f"できれば {v.suggested} にしてください。")
    why = {
        "not_notebook": ("it is not an .ipynb file", ".ipynb ファイルではありません"),
        "bad_name": ("the name gives no student id and assignment number", "名前から学籍番号と課題番号が分かりません"),
        "wrong_assignment": (f"the name carries assignment number {v.named}, not {n}",
                             f"名前の課題番号が {v.named} です（この課題は {n}）"),
    }[v.code]
    return (f"Warning: the file name {v.file} will be refused when submissions are collected ({why[0]}). "
            f"Save it as {v.suggested}" if en
            else f"警告: ファイル名 {v.file} のままでは提出を集めるときに除外されます（{why[1]}）。"
                 f"{v.suggested} という名前で保存してください。")

