"""The console the commands write to: any encoding (cp932, ASCII) and a closed pipe. Command-line code only; stdlib.

``prepare_streams`` gives stdout and stderr an error handler that writes a readable fallback for the characters the
stream cannot encode (``✓`` → ``[OK]``, ``✗`` → ``[NG]``, ``—`` → ``-`` …, anything else ``?``) — only those
characters: a UTF-8 or cp932 console shows the Japanese text as it is. ``quiet_broken_pipe`` ends a command whose
reader went away (``autograder check x | head -1``) without a traceback.
"""
from __future__ import annotations

import codecs
import contextlib
import io
import os
import sys

HANDLER = "autograder-fallback"
BROKEN_PIPE_EXIT = 141  # 128 + SIGPIPE, what a shell reports for a writer whose pipe was closed
FALLBACK = {
    "✓": "[OK]", "✗": "[NG]", "？": "[?]", "—": "-", "–": "-", "…": "...", "→": "->", "←": "<-", "×": "x", "≥": ">=",
    "≤": "<=", "±": "+-", "“": '"', "”": '"', "‘": "'", "’": "'", "・": "-", "━": "=", "─": "-", "█": "#", "░": ".",
    "　": " ", "（": "(", "）": ")", "、": ", ", "。": ". ", "：": ": ", "，": ", ", "．": ".", "！": "!",
}


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object[exc.start:exc.end]
    encoding = exc.encoding
    out = []
    for ch in text:
        sub = FALLBACK.get(ch, "?")
        try:
            sub.encode(encoding)
        except (UnicodeEncodeError, LookupError):
            sub = "?"
        out.append(sub)
    return "".join(out), exc.end


codecs.register_error(HANDLER, _fallback)


def prepare_streams() -> None:
    """Fallbacks for what the console cannot encode; a note once when it cannot show Japanese at all."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, io.UnsupportedOperation):  # a closed or detached stream
                stream.reconfigure(errors=HANDLER)


def cannot_show_japanese(stream: object = None) -> bool:
    stream = stream if stream is not None else sys.stdout
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "合格".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return True
    return False


def quiet_broken_pipe() -> int:
    """After a ``BrokenPipeError``: point stdout at the null device (so the final flush cannot fail) and exit 141."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return BROKEN_PIPE_EXIT
