"""Names from a zip made safe where they are shown: CSV cells (no formula) and terminals (no escape sequence). Stdlib only.

A zip entry's name is whatever a student typed: ``2412042_=HYPERLINK("http://x","y")_2.ipynb`` would become a formula
in the 氏名 column of the CSV opened in Excel, and an escape sequence (``\\x1b[2J``) would act on the instructor's
terminal. ``csv_cell`` puts a ``'`` before a cell that a spreadsheet would read as a formula (OWASP's rule:
``=``, ``+``, ``-``, ``@``, tab, carriage return); ``terminal_text`` shows every control or format character as an
escape (``\\x1b``, ``\\u202e``), newlines of the text itself kept.
"""
from __future__ import annotations

import unicodedata

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it literally: a leading ``'`` when it would start a formula. A number
    (``-1``, ``+3.5``) is left alone."""
    if not text.startswith(_FORMULA_START):
        return text
    try:
        float(text)
        return text
    except ValueError:
        return "'" + text


def _shown(ch: str) -> str:
    if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp"):
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal_text(text: str) -> str:
    """``text`` with every control, format or separator character but ``\\n`` shown as an escape."""
    if text.isprintable():
        return text
    return "".join(_shown(ch) for ch in text)
