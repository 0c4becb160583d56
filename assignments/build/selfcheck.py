"""The self-check cells at the end of every released notebook, from ``assignments/course.toml``. Stdlib + autograder.read.

The code cell is ``autograder.read.selfcheck_cell.cell_source`` (the grader recognises it by that code and ignores
its output); it is locked (read-only in nbgrader), never a grade cell, and tagged ``autograder-selfcheck``.
"""
from __future__ import annotations

from pathlib import Path

import tomllib

from assignments.build.cells import Cell, md
from autograder.read.selfcheck_cell import TAG, cell_source

COURSE_CONFIG = Path(__file__).resolve().parents[1] / "course.toml"

SELFCHECK_TEXT = """
## 提出前の自己チェック（採点されません）

下のセルを実行すると、**いまのノートブック**を採点と同じ方法で確認し、チェックリスト\
（✓ 合格 / ✗ 不合格 / ？ 見つからない、点数、ヒント、直すセル）と、\
保存するときのファイル名 `学籍番号_名前_{n}.ipynb` が正しいかを表示します。

- Colab では、初めて実行したときに確認用のプログラムをインストールします（数秒かかります）。
- 何も実行し直しません。表示されるのは「いまの状態」です。
  提出前に「ランタイム」→「再起動してすべてのセルを実行」をして、保存したファイルを提出してください。
- このセルの出力は採点には使われません。このセルは変更しないでください。
"""


def pip_args(config: Path = COURSE_CONFIG) -> list[str]:
    """``[selfcheck] pip`` of the course config: the ``pip install`` arguments the cell uses on Colab."""
    with config.open("rb") as f:
        args = tomllib.load(f).get("selfcheck", {}).get("pip")
    if not isinstance(args, list) or not args or not all(isinstance(a, str) and a.strip() for a in args):
        raise SystemExit(f"{config}: [selfcheck] pip must be a non-empty list of strings (the pip install arguments)")
    return args


def install_command() -> str:
    """The command a student types on Windows or macOS (double quotes work in cmd, PowerShell, zsh and bash)."""
    return "pip install " + " ".join(f'"{a}"' if " " in a else a for a in pip_args())


def selfcheck_cells(assignment: str, number: int) -> list[Cell]:
    """The explanation and the locked self-check code cell."""
    code = Cell("locked", cell_source(assignment, pip_args()), f"{assignment}_selfcheck", tags=(TAG,))
    return [md(SELFCHECK_TEXT.replace("{n}", str(number))), code]
