"""Every error a person reads, in Japanese and English, under one base class. Standard library only; imports nothing.

The tree (``cli.main`` catches ``AutograderError`` once and prints ``message(lang)``; anything else is a
programming error and ends in a traceback with a "please report" line)::

    AutograderError
    ├── NotebookError   a file that cannot be read as a notebook (``code`` names the kind of problem)
    ├── SpecError       an invalid assignment spec (file, check and what is wrong)
    ├── CourseError     an nbgrader course folder that cannot be used
    ├── CollectError    an LMS zip that cannot be collected
    ├── TimeTextError   a date and time that cannot be read (--deadline, a times CSV); also a ValueError
    ├── ExportError     grades that cannot be exported
    ├── RepairError     a notebook whose nbgrader metadata cannot be repaired
    └── RunError        re-execution that cannot start (no course source, no datasets folder, no Dask)

``str()`` is the Japanese message; the errors an instructor reads in logs (spec, course, run) give both
languages, ``"日本語 / English"``, as they always have.
"""
from __future__ import annotations

import os

RAISE_ENV = "AUTOGRADER_RAISE_INTERNAL_ERRORS"


def raise_internal_errors() -> bool:
    """True when a crash inside a check or an integrity rule must propagate (the test suite sets
    ``AUTOGRADER_RAISE_INTERNAL_ERRORS=1``), instead of becoming an ``error`` result or an ``integrity_error`` flag."""
    return os.environ.get(RAISE_ENV, "") == "1"


class AutograderError(Exception):
    """An error a person reads: ``str()`` is the Japanese message, ``message("en")`` the English one."""

    both_in_str = False

    def __init__(self, message_ja: str, message_en: str | None = None):
        self.message_ja = message_ja
        self.message_en = message_en if message_en is not None else message_ja
        super().__init__(str(self))

    def message(self, lang: str = "ja") -> str:
        return self.message_en if lang == "en" else self.message_ja

    def __str__(self) -> str:
        if self.both_in_str and self.message_en != self.message_ja:
            return f"{self.message_ja} / {self.message_en}"
        return self.message_ja



class NotebookError(AutograderError):
    """A file that cannot be read as a notebook. ``code`` is stable; ``str()`` is a Japanese message."""

    def __init__(self, code: str, message_ja: str, message_en: str):
        self.code = code
        super().__init__(message_ja, message_en)


class SpecError(AutograderError):
    """An invalid spec; the message says which file, which check and what is wrong."""

    both_in_str = True


class CourseError(AutograderError):
    """An nbgrader course folder that cannot be found or used."""


class CollectError(AutograderError):
    """An LMS zip that cannot be collected at all (one bad entry is a manifest row, not an error)."""


class TimeTextError(AutograderError, ValueError):
    """A date and time that cannot be read (``--deadline``, a times CSV)."""

    both_in_str = True


class ExportError(AutograderError):
    """Grades that cannot be exported."""


class RepairError(AutograderError):
    """A notebook whose nbgrader metadata cannot be put back."""


class RunError(AutograderError):
    """Re-execution that cannot start."""

    both_in_str = True
