"""Submission file names: ``学籍番号_名前_N.ipynb`` → student id, name, assignment number. Standard library only."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

# student id, name (may itself contain "_"), assignment number, optional resubmission suffix " (1)"
_NAME = re.compile(r"^\s*(?P<student>[A-Za-z0-9-]+)\s*_\s*(?P<name>.+?)\s*_\s*(?P<number>\d{1,2})\s*(?:\((?P<copy>\d+)\))?\s*$")


@dataclass(frozen=True)
class SubmissionName:
    student_id: str
    name: str
    number: int
    copy: int | None = None  # the browser's " (1)" suffix of a re-download or resubmission


def parse_submission_name(path: str | PurePath) -> SubmissionName | None:
    """Read ``学籍番号_名前_N.ipynb``; full-width digits and spaces around ``_`` are accepted. None if it does not fit."""
    stem = PurePath(str(path).replace("\\", "/")).name
    if stem.lower().endswith(".ipynb"):
        stem = stem[: -len(".ipynb")]
    stem = unicodedata.normalize("NFKC", stem)
    m = _NAME.match(stem)
    if not m:
        return None
    return SubmissionName(student_id=m["student"], name=m["name"], number=int(m["number"]),
                          copy=int(m["copy"]) if m["copy"] else None)
