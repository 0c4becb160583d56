"""The one shape of every user-facing error: a Japanese and an English message. Standard library only."""
from __future__ import annotations


class BilingualError(Exception):
    """An error a person reads: ``str()`` is the Japanese message, ``message("en")`` the English one."""

    def __init__(self, message_ja: str, message_en: str):
        super().__init__(message_ja)
        self.message_ja = message_ja
        self.message_en = message_en

    def message(self, lang: str = "ja") -> str:
        return self.message_en if lang == "en" else self.message_ja
