"""``autograder inspect``: the evidence of one notebook as the documented JSON contract. Never executes anything."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .evidence import Evidence
from .extract import extract
from .notebook import NotebookError, display_name, load_notebook


@dataclass(frozen=True)
class Inspection:
    file: str
    evidence: Evidence | None
    failure: NotebookError | None = None

    def error(self, lang: str = "ja") -> str | None:
        return self.failure.message(lang) if self.failure else None

    def to_json(self, lang: str = "ja") -> dict[str, Any]:
        doc: dict[str, Any] = {"file": self.file, "status": "read" if self.evidence else "error", "error": self.error(lang)}
        if self.evidence is not None:
            doc.update(self.evidence.to_json())
        return doc


def inspect_file(path: str) -> Inspection:
    name = display_name(path)  # a cp932 file name from a Windows zip must not crash the output
    try:
        return Inspection(name, extract(load_notebook(path)))
    except NotebookError as exc:
        return Inspection(name, None, exc)
