"""The nbgrader course folder: its config, its paths and where our files go. nbgrader only lazily; never execute or cli.

Imported only by the course commands (``collect``, ``autograde``, ``export``, ``round``); nbgrader itself is
imported inside the functions, never on the ``grade`` / ``check`` path.

Files this package writes in a course folder, all inside nbgrader's git-ignored working folders:

- ``submitted/<student_id>/<assignment>/<notebook>.ipynb`` and ``timestamp.txt`` — nbgrader's own layout;
- ``submitted/<assignment>_manifest.csv`` and ``.json`` — every entry of the collected zip and what was done;
- ``submitted/<assignment>_originals/<student_id>/<file>`` — a submission's original bytes, when the notebook placed
  for nbgrader had to be converted (UTF-8 BOM, UTF-16, nbformat 3);
- ``autograded/<student_id>/<assignment>/`` — a copy of each graded notebook and its ``timestamp.txt`` (so that
  nbgrader's formgrader counts the submission as autograded);
- ``autograded/<assignment>_report.json`` — the grade report (the JSON contract of ``autograder grade``);
- ``autograded/<assignment>_grades.csv`` — the CSV for the LMS (``autograder export``);
- ``feedback/<assignment>/<student_id>.html`` and ``index.html`` — the feedback pages of ``autograder round``;
- ``gradebook.db`` — nbgrader's gradebook, where the scores are stored.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.errors import CourseError

CONFIG_FILE = "nbgrader_config.py"


@dataclass(frozen=True)
class Course:
    """A course folder and nbgrader's view of it (``coursedir`` is an ``nbgrader.coursedir.CourseDirectory``)."""

    root: Path
    coursedir: Any

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id or "default_course"

    @property
    def db_url(self) -> str:
        return self.coursedir.db_url

    def submission_dir(self, student_id: str, assignment: str) -> Path:
        return Path(self.coursedir.format_path(self.coursedir.submitted_directory, student_id, assignment))

    def submitted_root(self) -> Path:
        return self.root / self.coursedir.submitted_directory

    def manifest_paths(self, assignment: str) -> tuple[Path, Path]:
        base = self.submitted_root() / f"{assignment}_manifest"
        return base.with_suffix(".csv"), base.with_suffix(".json")

    def originals_dir(self, assignment: str) -> Path:
        """``submitted/<assignment>_originals/``: the bytes a student sent, untouched, when the copy placed for
        nbgrader had to be converted (BOM, UTF-16, nbformat 3). Not ``.../<assignment>/``, so nbgrader never reads it."""
        return self.submitted_root() / f"{assignment}_originals"

    def report_path(self, assignment: str) -> Path:
        return self.root / self.coursedir.autograded_directory / f"{assignment}_report.json"

    def export_path(self, assignment: str) -> Path:
        return self.root / self.coursedir.autograded_directory / f"{assignment}_grades.csv"

    def feedback_dir(self, assignment: str) -> Path:
        """Feedback pages of a round: ``feedback/<assignment>/<student_id>.html`` and ``index.html``."""
        return self.root / self.coursedir.feedback_directory / assignment

    def submitted_notebooks(self, assignment: str) -> list[Path]:
        """Every ``submitted/<student>/<assignment>/*.ipynb``, sorted (checkpoints are in a sub-folder, so excluded)."""
        import glob

        relative = self.coursedir.directory_structure.format(
            nbgrader_step=self.coursedir.submitted_directory, student_id="*", assignment_id=glob.escape(assignment))
        return sorted(p for p in self.root.glob(f"{relative}/*.ipynb") if p.is_file())

    def notebook_name(self, assignment: str) -> str:
        """The file name every student's notebook gets: the name of the source (else released) notebook.

        ``source/mlp/mlp.ipynb`` → ``mlp.ipynb``. With no source or release folder: ``<assignment>.ipynb``.
        """
        for step in (self.coursedir.source_directory, self.coursedir.release_directory):
            folder = Path(self.coursedir.format_path(step, ".", assignment))
            found = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                preferred = f"{assignment}.ipynb"
                if preferred in found:
                    return preferred
                raise CourseError(f"{folder}: ノートブックが複数あります（{', '.join(found)}）。提出は 1 人 1 ファイルなので、"
                                  f"{preferred} という名前のものを置いてください。",
                                  f"{folder}: several notebooks ({', '.join(found)}); "
                                  f"a submission is one file, so name the assignment's notebook {preferred}.")
        return f"{assignment}.ipynb"


def find_course(path: str | os.PathLike[str] | None = None) -> Path:
    """The course folder: ``path`` if given; else the current folder when it holds ``nbgrader_config.py``;
    else ``./assignments`` when it exists."""
    if path is not None:
        root = Path(path)
        if not root.is_dir():
            raise CourseError(f"{root}: コースのフォルダがありません。"
                              "--course で nbgrader のコースフォルダ（nbgrader_config.py のある所）を指定してください。",
                              f"{root}: course folder not found; pass --course with the nbgrader course folder.")
        return root.resolve()
    here = Path.cwd()
    if (here / CONFIG_FILE).is_file():
        return here
    if (here / "assignments").is_dir():
        return (here / "assignments").resolve()
    raise CourseError("コースのフォルダが見つかりません。--course で nbgrader のコースフォルダ（nbgrader_config.py のある所）を"
                      "指定してください。", "no course folder here; pass --course with the nbgrader course folder.")


def open_course(path: str | os.PathLike[str] | None = None) -> Course:
    """Read the course's ``nbgrader_config.py`` (as nbgrader does) into a ``CourseDirectory`` rooted at the folder."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    root = find_course(path)
    config = Config()
    if (root / CONFIG_FILE).is_file():
        try:
            config = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
        except Exception as exc:  # the instructor's own Python file: say which and why
            raise CourseError(f"{root / CONFIG_FILE}: 読み込めません（{exc}）。",
                              f"{root / CONFIG_FILE}: cannot be loaded ({exc}).") from None
    coursedir = CourseDirectory(config=config)
    coursedir.root = str(root)  # the folder given wins over a root written in the config
    return Course(root=root, coursedir=coursedir)
