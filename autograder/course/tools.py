"""The external tools nbgrader starts, found next to the running interpreter first; checked before writing. Never execute or cli.

nbgrader stamps a new gradebook by running ``alembic`` from ``PATH`` (``nbgrader.api.get_alembic_version``). A
console script called by its full path, without the virtual environment activated, has the venv's ``bin/`` off
``PATH``: the gradebook step then died with a raw ``FileNotFoundError`` after ``submitted/`` was written.
``tools_on_path`` puts the interpreter's own folder first on ``PATH`` while a course command runs, and
``check_prerequisites`` says clearly what is missing before anything is written. Standard library only.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from autograder.errors import CourseError


def interpreter_bin() -> Path:
    """The folder of the running interpreter as called (a venv's ``bin/``, not the base Python it links to)."""
    return Path(sys.executable).parent


def tools_path(path: str | None = None) -> str:
    """``PATH`` with the interpreter's folder first (once)."""
    current = os.environ.get("PATH", "") if path is None else path
    first = str(interpreter_bin())
    rest = [p for p in current.split(os.pathsep) if p and p != first]
    return os.pathsep.join([first, *rest])


@contextmanager
def tools_on_path() -> Iterator[None]:
    """While the block runs, tools nbgrader starts by name (``alembic``) are found next to this interpreter first."""
    before = os.environ.get("PATH")
    os.environ["PATH"] = tools_path(before)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PATH", None)
        else:
            os.environ["PATH"] = before


def find_tool(name: str) -> str | None:
    return shutil.which(name, path=tools_path())


def check_prerequisites(db_url: str, gradebook: bool = True) -> None:
    """Everything a round needs before it writes anything: nbgrader, and ``alembic`` when the gradebook is new.
    Raises ``CourseError`` naming what is missing and how to install it."""
    try:
        import nbgrader.api  # noqa: F401  (the course layer needs it anyway)
    except ImportError as exc:
        raise CourseError(f"nbgrader を読み込めません（{exc}）。pip install -e \".[course]\" で入ります。何も書き出していません。",
                          f"nbgrader cannot be imported ({exc}); pip install -e \".[course]\" installs it. "
                          "Nothing was written.") from None
    path = db_url[len("sqlite:///"):] if db_url.startswith("sqlite:///") else None
    if gradebook and path is not None and not Path(path).is_file() and find_tool("alembic") is None:
        raise CourseError(f"成績表を新しく作るのに必要な alembic が見つかりません（{interpreter_bin()} にも PATH にもありません）。"
                          "nbgrader と同じ環境に pip install alembic で入れてください。何も書き出していません。",
                          f"alembic, which nbgrader needs to create a new gradebook, is found neither in {interpreter_bin()} "
                          "nor on PATH; pip install alembic into nbgrader's environment. Nothing was written.")
