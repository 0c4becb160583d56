"""Learning-curve-like PNG images of a realistic size, built without any imaging library. Standard library only."""
from __future__ import annotations

import base64
import random
import struct
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from autograder.testing.cells import display


def png(seed: int, width: int = 8, height: int = 4) -> str:
    """A small valid PNG (base64) whose pixels depend on the seed: equal seeds give equal images."""
    rnd = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(rnd.randrange(256) for _ in range(width * 3)) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    return base64.b64encode(data).decode("ascii") + "\n"


def _png_bytes(raw: bytes, width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b"")


_Put = Callable[..., None]


def _draw_frame(put: _Put, box: tuple[int, int, int, int]) -> None:
    """The axes box and its ticks, in black."""
    x0, x1, y0, y1 = box
    for x in range(x0, x1 + 1):
        put(x, y0, (0, 0, 0))
        put(x, y1, (0, 0, 0))
    for y in range(y0, y1 + 1):
        put(x0, y, (0, 0, 0))
        put(x1, y, (0, 0, 0))
    for k in range(6):  # ticks
        tx, ty = x0 + (x1 - x0) * k // 5, y0 + (y1 - y0) * k // 5
        for d in range(4):
            put(tx, y1 + d, (0, 0, 0))
            put(x0 - d, ty, (0, 0, 0))


def _random_walk(rnd: random.Random) -> list[float]:
    v, values = rnd.random(), []
    for _ in range(30):
        v = min(1.0, max(0.0, v + rnd.uniform(-0.1, 0.1)))
        values.append(v)
    return values


def _draw_curve(put: _Put, box: tuple[int, int, int, int], values: Sequence[float], rgb: tuple[int, int, int]) -> None:
    """One anti-aliased line through ``values``, scaled to the box."""
    x0, x1, y0, y1 = box
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0
    for x in range(x0 + 1, x1):
        t = (x - x0) / (x1 - x0) * (len(values) - 1)
        j = min(int(t), len(values) - 2)
        v = values[j] + (values[j + 1] - values[j]) * (t - j)
        y = y1 - 4 - (v - lo) / span * (y1 - y0 - 8)
        base, frac = int(y), y - int(y)
        put(x, base - 1, rgb, 1 - frac)
        put(x, base, rgb)
        put(x, base + 1, rgb)
        put(x, base + 2, rgb, frac)


def plot_png(seed: int, kb: float = 40, axes: int = 2, width: int = 864, height: int = 288,
             series: Sequence[Sequence[float]] | None = None) -> str:
    """A learning-curve-like PNG (base64) of about ``kb`` KB, the size of a real Colab figure (20–60 KB for
    ``figsize=(12, 4)``): white axes boxes, two anti-aliased curves per axes (``series`` or a random walk),
    and text-like grey glyph blocks (tick labels, legend) that make up the rest of the size. Equal
    arguments give equal images; a different seed gives a different image."""
    rnd = random.Random(seed)
    row = width * 3
    img = bytearray(b"\xff") * (row * height)

    def put(x: int, y: int, rgb: tuple[int, int, int], alpha: float = 1.0) -> None:
        if 0 <= x < width and 0 <= y < height:
            i = y * row + x * 3
            for c in range(3):
                img[i + c] = int(img[i + c] * (1 - alpha) + rgb[c] * alpha)

    boxes = []
    for a in range(axes):
        box = (int(width * a / axes) + 48, int(width * (a + 1) / axes) - 12, 12, height - 30)
        boxes.append(box)
        _draw_frame(put, box)
        for c, rgb in enumerate(((31, 119, 180), (255, 127, 14))):
            values = list(series[(2 * a + c) % len(series)]) if series else []
            if len(values) < 2:
                values = _random_walk(rnd)
            _draw_curve(put, box, values, rgb)
    def raw_rows() -> bytes:
        return b"".join(b"\x00" + bytes(img[y * row:(y + 1) * row]) for y in range(height))

    data = _png_bytes(raw_rows(), width, height)
    missing = int(kb * 1024) - len(data)
    greys = bytes(range(0, 256, 16)) * 16  # anti-aliased text has a few grey levels
    while missing > 256:
        # glyph blocks in the margins and legends: ~1 byte of compressed data per grey pixel
        pixels = 0
        while pixels < missing * 0.9:
            bw, bh = rnd.randint(5, 9), rnd.randint(8, 11)
            x0, x1, y0, y1 = boxes[rnd.randrange(len(boxes))]
            where = rnd.random()
            x = rnd.randint(x0 - 44, x0 - 10) if where < 0.3 else rnd.randint(x0, x1 - bw)
            y = rnd.randint(y1 + 6, height - bh - 1) if 0.3 <= where < 0.6 else rnd.randint(y0, y1 - bh)
            for dy in range(bh):
                line = rnd.randbytes(bw).translate(greys)
                i = (y + dy) * row + x * 3
                for c in range(3):
                    img[i + c:i + c + bw * 3:3] = line
            pixels += bw * bh
        data = _png_bytes(raw_rows(), width, height)
        missing = int(kb * 1024) - len(data)
    return base64.b64encode(data).decode("ascii") + "\n"


def figure_output(seed: int, axes: int = 2, size: str = "1200x400", kb: float | None = None,
                  series: Sequence[Sequence[float]] | None = None) -> dict[str, Any]:
    """A matplotlib figure output; ``kb`` gives it a realistic learning-curve PNG of about that size
    (``plot_png``) instead of a tiny 8×4 image."""
    image = png(seed) if kb is None else plot_png(seed, kb, axes, series=series)
    return display(plain=f"<Figure size {size} with {axes} Axes>", png=image)
