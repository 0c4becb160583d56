"""Turn raw output text into what a person sees (no ANSI codes, ``\\r``/``\\b`` applied, HTML as text); standard library only.

Every parser reads text that went through ``clean`` (or ``html_to_text``).
"""
from __future__ import annotations

import html
import re

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]")
_TAG = re.compile(r"<[^>]*>")
_BLOCK_END = re.compile(r"<\s*(br|/p|/div|/tr|/li|/h[1-6])\b[^>]*>", re.IGNORECASE)
_CELL_END = re.compile(r"<\s*/t[dh]\s*>", re.IGNORECASE)
_STYLE_SCRIPT = re.compile(r"<(style|script)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


def strip_ansi(text: str) -> str:
    """The text without ANSI escape sequences (colours, cursor moves)."""
    if "\x1b" not in text:
        return text
    return _ANSI.sub("", text)


_BACKSPACE_RUN = re.compile("(\x08+)")


def _apply_backspaces(line: str) -> str:
    """Each ``\\b`` erases the character before it, if any (a terminal moving the cursor back over a bar).

    Works on the pieces between runs of backspaces, not character by character: a Keras 2.1 progress line
    erases each ~100-character bar with a run of ~100 backspaces."""
    if "\x08" not in line:
        return line
    screen: list[list] = []  # [piece, how many of its characters are still shown]
    for i, piece in enumerate(_BACKSPACE_RUN.split(line)):
        if i % 2 == 0:
            if piece:
                screen.append([piece, len(piece)])
            continue
        erase = len(piece)
        while erase and screen:
            top = screen[-1]
            if top[1] <= erase:
                erase -= top[1]
                screen.pop()
            else:
                top[1] -= erase
                erase = 0
    return "".join(piece if kept == len(piece) else piece[:kept] for piece, kept in screen)


def _apply_carriage_returns(line: str) -> str:
    """A terminal overwrites from column 0 after ``\\r``; the last write wins where it is longest."""
    if "\r" not in line:
        return line
    parts = line.split("\r")
    screen = ""
    for part in parts:
        if not part:
            continue
        screen = part + screen[len(part):] if len(part) < len(screen) else part
    return screen


def clean(text: str) -> str:
    """ANSI codes removed, CRLF folded, ``\\r`` and ``\\b`` rewrites applied line by line."""
    if not text:
        return ""
    text = strip_ansi(text)
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if "\r" not in text and "\x08" not in text:
        return text
    lines = text.split("\n")
    return "\n".join(_apply_carriage_returns(_apply_backspaces(line)) for line in lines)


def html_to_text(markup: str) -> str:
    """Visible text of an HTML fragment: tags dropped, block ends and table cells as separators."""
    if not markup:
        return ""
    markup = _STYLE_SCRIPT.sub("", markup)
    markup = _BLOCK_END.sub("\n", markup)
    markup = _CELL_END.sub("\t", markup)
    return html.unescape(_TAG.sub("", markup))


def join_source(source: object) -> str:
    """nbformat stores multi-line strings either as one string or as a list of lines."""
    if isinstance(source, str):
        return source
    if isinstance(source, list):
        return "".join(s for s in source if isinstance(s, str))
    return ""
