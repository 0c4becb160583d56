"""The self-check cell of the released notebooks: its code (one template) and how the grader recognises it. Stdlib only.

The builder writes ``cell_source(assignment, pip_args)`` at the end of every released notebook; extraction skips
every code cell for which ``is_selfcheck_cell`` is true, so the cell's own output (✓/✗ lines, points, numbers)
is never read as evidence, and a notebook grades the same with or without it. The cell is recognised by its code,
not by its metadata (a student's tool may strip metadata; a tag alone never hides a cell): every line that is not
blank or a comment must be a line of the template, where only the string literals of the install arguments and the
assignment id may differ — and those literals may hold no quote and no backslash, so nothing else can hide there.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

TAG = "autograder-selfcheck"  # the cell's tag in the released notebooks (informational: recognition is by code)

_HEADER = (
    "# 自己チェック（採点には使われません。このセルは変更しないでください） / Self-check (never graded; do not edit)\n"
    "# ノートブックの「今の状態」を確認するだけです。提出前に「すべてのセルを実行」して保存し、そのファイルを提出してください。\n"
    "# It checks the notebook as it is now: still run all cells, save, and submit the saved file.\n"
)
# {pip} and {assignment} are the only parts that vary; ``_LITERAL`` is what they may be.
_BODY = (
    'PIP = [{pip}]\n'
    'import importlib.util, subprocess, sys\n'
    'if importlib.util.find_spec("autograder") is None and "google.colab" in sys.modules:\n'
    '    subprocess.run([sys.executable, "-m", "pip", "install", "-q", *PIP], check=False)\n'
    'try:\n'
    '    from autograder.selfcheck import show\n'
    'except ImportError:\n'
    '    print("自己チェックを使うには、先にインストールしてください / install the self-check first:")\n'
    '    print("  pip install " + " ".join(chr(34) + a + chr(34) for a in PIP))\n'
    'else:\n'
    '    show({assignment})\n'
)
_LITERAL = r'"[^"\\\n]*"'


def _quote(text: str) -> str:
    if '"' in text or "\\" in text or "\n" in text:
        raise ValueError(f"the self-check cell's strings may not hold quotes, backslashes or newlines: {text!r}")
    return f'"{text}"'


def cell_source(assignment: str, pip_args: Sequence[str]) -> str:
    """The cell's code for one assignment, installing with ``pip install -q <pip_args>`` on Colab."""
    body = _BODY.format(pip=", ".join(_quote(a) for a in pip_args), assignment=_quote(assignment))
    return (_HEADER + body).rstrip("\n")


def _pattern() -> re.Pattern[str]:
    lines = []
    for line in _BODY.rstrip("\n").splitlines():
        escaped = re.escape(line.rstrip())
        escaped = escaped.replace(re.escape("{pip}"), rf"(?:{_LITERAL}(?:,\s*{_LITERAL})*)?")
        escaped = escaped.replace(re.escape("{assignment}"), _LITERAL)
        lines.append(escaped)
    return re.compile(r"\A" + r"\n".join(lines) + r"\Z")


_CODE = _pattern()


def _significant(source: str) -> str:
    """The code lines, without blank and comment-only lines and trailing spaces (Windows line ends too)."""
    kept = [line.rstrip() for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(line for line in kept if line.strip() and not line.lstrip().startswith("#"))


def is_selfcheck_cell(source: str) -> bool:
    """True when the code is the self-check template (only its literals may differ); cheap before the regex."""
    if "autograder.selfcheck" not in source:
        return False
    return _CODE.match(_significant(source)) is not None
