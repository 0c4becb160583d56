"""Who an entry belongs to (``read_name``) and the nbgrader collector plugin. nbgrader, traitlets; never execute or cli.

``SubmissionNameCollector`` is an ``nbgrader.plugins.FileNameCollectorPlugin``: ``nbgrader zip_collect
--collector=autograder.collect.SubmissionNameCollector`` (the documented path) uses it.
"""
from __future__ import annotations

from dataclasses import dataclass

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Integer, Unicode

from autograder.read.names import parse_file_name, parse_student_folder


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
    folder_id: str | None = None  # the per-student folder's id when it disagrees with the file name's

    @property
    def disagrees(self) -> bool:
        """The folder says one student and the file name another: whose it is cannot be told from the zip."""
        return self.folder_id is not None and self.folder_id != self.student_id


def read_name(path: str) -> NameInfo:
    """The student from the file name (``学籍番号_名前_N.ipynb``), else from the nearest per-student folder. When both
    name a student and they differ, ``folder_id`` is set and the collection refuses the entry (``id_mismatch``)."""
    parts = [p for p in str(path).replace("\\", "/").split("/") if p]
    base = parts[-1] if parts else ""
    parsed, ext = parse_file_name(base)
    folder = next((f for f in (parse_student_folder(p) for p in reversed(parts[:-1])) if f), None)
    if parsed:
        if folder and folder[0] != parsed.student_id:  # refused by the collection: never another student's place
            return NameInfo(parsed.student_id, parsed.name, parsed.number, parsed.copy, ext, folder_id=folder[0])
        return NameInfo(parsed.student_id, parsed.name, parsed.number, parsed.copy, ext)
    if folder:
        return NameInfo(folder[0], folder[1] or None, None, None, ext,
                        "ファイル名が 学籍番号_名前_N.ipynb ではないので、学籍番号はフォルダ名から取りました。",
                        "the file name is not student-id_name_N.ipynb, so the student id was taken from the folder.")
    return NameInfo(None, None, None, None, ext)


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
        return read_name(path)

    def collect(self, submitted_file: str) -> dict | None:
        info = self.read_name(submitted_file)
        if info.extension not in self.valid_ext or info.student_id is None or info.disagrees:
            return None
        if self.number and info.number is not None and info.number != self.number:
            return None
        notebook = self.notebook
        if not notebook:
            coursedir = getattr(self.parent, "coursedir", None)
            notebook = f"{coursedir.assignment_id}.ipynb" if coursedir is not None and coursedir.assignment_id else "notebook.ipynb"
        return {"student_id": info.student_id, "file_id": notebook, "first_name": "", "last_name": info.name or ""}
