"""Times of a collection: ``parse_time``, the submission-time CSV, time and delay texts. Standard library only.

Japan time (JST, +09:00) is the default zone and the zone shown. Imports only ``read.names`` (NFKC
normalisation) and ``autograder.errors``; no nbgrader.
"""
from __future__ import annotations

import csv
import io
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from autograder.errors import CollectError, TimeTextError
from autograder.read.names import normalize

JST = timezone(timedelta(hours=9), "JST")

_TIME = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[T ]+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?")


def parse_time(text: str) -> datetime:
    """``2026-11-23T23:59+09:00``, ``2026-11-23 23:59``, ``2026/11/23 23:59:30`` → an aware datetime.

    Without an offset the time is Japan time (JST, +09:00). Raises ``TimeTextError`` (a ``ValueError``) with a
    readable message.
    """
    t = normalize(str(text)).strip().replace("/", "-")
    m = _TIME.fullmatch(t)
    if not m:
        raise TimeTextError(f"'{text}' は日時として読めません（例: 2026-11-23T23:59+09:00）",
                            f"'{text}' is not a date and time (e.g. 2026-11-23T23:59+09:00)")
    y, mo, d, h, mi, s, tz = m.groups()
    if tz is None:
        zone: timezone = JST
    elif tz == "Z":
        zone = timezone.utc
    else:
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        zone = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        return datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=zone)
    except ValueError as exc:
        raise TimeTextError(f"'{text}' は日時として読めません（{exc}）", f"'{text}' is not a valid date and time ({exc})") from None


def iso(t: datetime | None) -> str | None:
    """Shown in Japan time: ``2026-11-23T21:05:00+09:00``."""
    return t.astimezone(JST).isoformat(timespec="seconds") if t else None


def shown_time(t: datetime) -> str:
    """A time as people read it in messages, in Japan time: ``2026-11-23 21:05``."""
    return t.astimezone(JST).strftime("%Y-%m-%d %H:%M")


def delay_text(seconds: float, lang: str) -> str:
    """How late, rounded up to a minute: ``1 日 2 時間 5 分`` / ``1 d 2 h 5 min``."""
    minutes = max(1, int(-(-seconds // 60)))
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if lang == "en":
        parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{mins} min" if mins else ""]
    else:
        parts = [f"{days} 日" if days else "", f"{hours} 時間" if hours else "", f"{mins} 分" if mins else ""]
    return " ".join(p for p in parts if p)


def timestamp_text(t: datetime) -> str:
    """What ``timestamp.txt`` holds: ``2026-11-23 21:05:00+09:00`` (nbgrader's ``parse_utc`` reads it)."""
    return t.astimezone(JST).isoformat(" ", timespec="seconds")


# ------------------------------------------------------------------ the submission-time CSV

_FILE_COLUMNS = ("file", "filename", "file_name", "ファイル名", "ファイル", "提出ファイル")
_TIME_COLUMNS = ("submitted_at", "timestamp", "time", "提出日時", "提出時刻", "提出日")


def load_times(path: str | os.PathLike[str]) -> dict[str, datetime]:
    """Read an LMS submission-time CSV: a header row with a file-name column and a time column.

    File column: ``file`` / ``ファイル名`` (a base name, or the entry's path inside the zip). Time column:
    ``submitted_at`` / ``提出日時`` in any form ``parse_time`` reads (no offset: JST). UTF-8 (with or without BOM)
    or cp932. Other columns are ignored. Keys are NFKC-normalised.
    """
    p = Path(path)
    rows = list(csv.reader(io.StringIO(_decoded(p))))
    if not rows:
        raise CollectError(f"{p}: 空の CSV です。", f"{p}: the CSV is empty.")
    file_col, time_col = _columns(p, rows[0])
    times: dict[str, datetime] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(file_col, time_col):
            raise CollectError(f"{p}: {n} 行目の列が足りません。", f"{p}: row {n} has too few columns.")
        key = normalize(row[file_col]).strip().replace("\\", "/")
        try:
            when = parse_time(row[time_col])
        except TimeTextError as exc:
            raise CollectError(f"{p}: {n} 行目: {exc.message_ja}", f"{p}: row {n}: {exc.message_en}") from None
        if key in times and times[key] != when:
            raise CollectError(f"{p}: {n} 行目: '{key}' が 2 回、違う時刻で出てきます。ZIP の中のパスで区別してください。",
                               f"{p}: row {n}: '{key}' appears twice with different times; use the paths inside the zip.")
        times[key] = when
    return times


def _decoded(p: Path) -> str:
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise CollectError(f"{p}: 提出時刻の CSV を読めません（{exc.strerror or exc}）。",
                           f"{p}: cannot read the submission-time CSV ({exc.strerror or exc}).") from None
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CollectError(f"{p}: 文字コードが UTF-8 でも cp932 でもありません。", f"{p}: neither UTF-8 nor cp932.")


def _columns(p: Path, first_row: list[str]) -> tuple[int, int]:
    header = [normalize(h).strip().lower() for h in first_row]
    file_col = next((header.index(c) for c in _FILE_COLUMNS if c in header), None)
    time_col = next((header.index(c) for c in _TIME_COLUMNS if c in header), None)
    if file_col is None or time_col is None:
        raise CollectError(f"{p}: 1 行目に、ファイル名の列（{' / '.join(_FILE_COLUMNS[:4])}）と提出日時の列（"
                           f"{' / '.join(_TIME_COLUMNS[:4])}）が必要です。",
                           f"{p}: the first row must name a file column ({', '.join(_FILE_COLUMNS[:4])}) and a time "
                           f"column ({', '.join(_TIME_COLUMNS[:4])}).")
    return file_col, time_col
