"""A progress bar on stderr for long batches (grade, run). Presentation only; standard library only."""
from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress_bar(items: Iterable[T], total: int, show: bool, label: str = "採点中", note: str = "") -> Iterator[T]:
    """Yield the items, drawing a bar on stderr when ``show`` and stderr is a terminal (grade, run)."""
    stream = sys.stderr
    show = show and total > 0 and stream.isatty()
    for i, item in enumerate(items, 1):
        if show:
            width = 30
            filled = int(width * i / total)
            stream.write(f"\r{label} [{'#' * filled}{'.' * (width - filled)}] {i}/{total}{note}")
            stream.flush()
        yield item
    if show:
        stream.write("\n")
