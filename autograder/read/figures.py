"""Read a figure's pixels: decode an ``image/png`` output and trace the lines matplotlib drew in its default colours.
Reading layer: Pillow and numpy imported lazily (the ``figures`` extra); without them, or for an image that cannot be
decoded, nothing is traced and the figure is simply not judged. Never imports judging, TensorFlow or matplotlib.

``read_png(b64)`` returns a ``Pixels`` value: a digest of the decoded pixels (a PNG re-saved with other chunks or
another compression is the same image), a coarse digest (32×32 block means in 16 grey levels: an image edited in a
few pixels usually keeps it), and the ``LineTrace``s of the plotted lines: for each colour of matplotlib's default
cycle (``#1f77b4``, ``#ff7f0e``, …), each horizontal stretch of that colour at least ``MIN_WIDTH`` pixels wide is
followed column by column (the run of pixels nearest the previous column's, so a legend handle above the line is
not mixed in) into a profile of y positions.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from autograder.model.evidence import LineTrace

__all__ = ["CYCLE", "MIN_WIDTH", "Pixels", "read_png"]

CYCLE = ("1f77b4", "ff7f0e", "2ca02c", "d62728", "9467bd", "8c564b", "e377c2", "7f7f7f", "bcbd22", "17becf")
MIN_WIDTH = 40  # narrower stretches are legend handles, markers or text, not a learning curve
_TOL = 48  # per-channel distance of a line pixel from its colour (Agg anti-aliasing lightens the edges)
_MAX_PIXELS = 4_000_000  # larger images are not traced (time and memory bounded)
_MIN_SIDE = 64  # smaller images hold no plot
_GAP = 3  # a horizontal gap of more columns than this ends a stretch
_PROFILE = 400  # at most this many samples are kept per profile


class Pixels:
    """What the pixels of one PNG show (see the module docstring)."""

    __slots__ = ("coarse", "digest", "lines")

    def __init__(self, digest: str, coarse: str, lines: tuple[LineTrace, ...]) -> None:
        self.digest, self.coarse, self.lines = digest, coarse, lines


def read_png(b64: str) -> Pixels | None:
    """The pixels of a base64 PNG, or None without Pillow/numpy, for an image that cannot be decoded, and for one too
    small to hold a plot (its PNG header is read first, with the standard library: nothing else is imported)."""
    size = _size(b64)
    if size is None or min(size) < _MIN_SIDE or size[0] * size[1] > _MAX_PIXELS:
        return None
    try:
        import io
        import struct

        import numpy as np
        from PIL import Image, PngImagePlugin
    except ImportError:
        return None
    try:
        data = base64.b64decode("".join(b64.split()), validate=False)
        try:
            # the PNG reader itself, not Image.open: a file object without a name makes Image.open import five
            # format plugins first (≈ 20 ms of a cold `check`); these are the errors Image.open reads as "not this
            # format", then refuses the file
            opened = PngImagePlugin.PngImageFile(io.BytesIO(data))
        except (SyntaxError, IndexError, TypeError, struct.error):
            return None
        with opened as im:
            if im.width * im.height > _MAX_PIXELS:
                return None
            rgb = _rgb(np, im)
    except (OSError, ValueError, binascii.Error, SyntaxError, Image.DecompressionBombError):
        return None
    h, w = rgb.shape[:2]
    digest = hashlib.sha1(f"{w}x{h}|".encode())
    digest.update(rgb.data)
    return Pixels(digest.hexdigest(), _coarse(np, rgb), tuple(_lines(np, rgb)))


def _rgb(np: Any, im: Any) -> Any:
    """The decoded pixels as a contiguous height × width × 3 array, decoded once. An RGB image is read as it is (no
    converted copy first); matplotlib saves RGBA: its conversion to RGB only drops the alpha channel, done here
    channel by channel (several times faster than numpy's copy of an RGB slice or Pillow's RGB buffer); other modes
    are converted by Pillow."""
    if im.mode == "RGB":
        return np.ascontiguousarray(np.asarray(im))
    if im.mode != "RGBA":
        return np.ascontiguousarray(np.asarray(im.convert("RGB")))
    rgba = np.asarray(im)
    rgb = np.empty(rgba.shape[:2] + (3,), dtype=np.uint8)
    for k in range(3):
        rgb[..., k] = rgba[..., k]
    return rgb


def _size(b64: str) -> tuple[int, int] | None:
    """(width, height) from the IHDR chunk of a base64 PNG, None when it is no PNG."""
    try:
        head = base64.b64decode("".join(b64[:64].split())[:32] + "==", validate=False)[:24]
    except (ValueError, binascii.Error):
        return None
    if len(head) < 24 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _coarse(np: Any, rgb: Any) -> str:
    """The coarse digest: the level (0-15) of each of 32 × 32 blocks is ``mean grey // 16`` as ``_coarse_float``
    computes it (grey in float32, block sums in float32). The same level is read from exact integer block sums:
    the float32 sums differ from them by less than their rounding bound, so a level is that of the exact mean
    unless the mean lies within the bound of a multiple of 16. Such a block is exact too when all its greys are
    whole (every r + g + b a multiple of 3: float32 sums of integers below 2**24 are exact); for any other the
    digest is computed in float32 as it always was."""
    h, w = rgb.shape[:2]
    ys = np.linspace(0, h, 33).astype(int)
    xs = np.linspace(0, w, 33).astype(int)
    tall, wide = np.diff(ys), np.diff(xs)
    if tall.min() < 1 or wide.min() < 1:
        return _coarse_float(np, rgb)  # reduceat reads an empty block as one row or column: not a sum
    sums = _block_sums(np, rgb, ys, tall, xs)
    sizes = np.outer(tall, wide)
    means = sums / (48 * sizes)  # mean grey / 16, rounded once in float64
    # each grey and each float32 addition on its way to the block sum rounds by at most 2**-24 (relative: all
    # terms are positive), a grey takes at most tall + wide - 1 such steps (a column's rows, then the columns):
    # twice that, plus float64's divisions, bounds the relative distance of the float32 path's mean from `means`
    slack = np.add.outer(tall, wide) * 2.0 ** -23 + 2.0 ** -50
    levels = np.floor(means * (1 - slack))
    unsure = np.argwhere(levels != np.floor(means * (1 + slack))).tolist()
    if len(unsure) > 8:
        return _coarse_float(np, rgb)  # (a flat image) cheaper than checking each block
    for j, i in unsure:
        block = rgb[ys[j]:ys[j + 1], xs[i]:xs[i + 1]]
        if (_shifted_sum(np, np.ascontiguousarray(block), np.uint16) % 3).any():
            return _coarse_float(np, rgb)
        levels[j, i] = sums[j, i] // (48 * sizes[j, i])
    return hashlib.sha1(f"{w}x{h}|".encode() + levels.astype(np.uint8).tobytes()).hexdigest()


def _block_sums(np: Any, rgb: Any, ys: Any, tall: Any, xs: Any) -> Any:
    """The exact sum of r + g + b over each block (rows ys[j] … ys[j+1]-1, columns xs[i] … xs[i+1]-1): the bytes of
    the blocks' first rows, then of their second rows, … are added (a few whole-width steps), then each block's
    columns (3 bytes a pixel)."""
    h, w = rgb.shape[:2]
    rows = rgb.reshape(h, 3 * w)
    top = ys[:-1]
    acc = rows[top].astype(np.uint16 if int(tall.max()) * 255 < 1 << 16 else np.uint32)
    low = int(tall.min())
    for k in range(1, low):
        acc += rows[top + k]
    for k in range(low, int(tall.max())):  # the blocks one row taller
        more = np.flatnonzero(tall > k)
        acc[more] += rows[top[more] + k]
    return np.add.reduceat(acc, 3 * xs[:-1], axis=1, dtype=np.int64)


def _coarse_float(np: Any, rgb: Any) -> str:
    """The coarse digest as defined: block means of the grey (r + g + b) / 3 in float32."""
    h, w = rgb.shape[:2]
    grey = _shifted_sum(np, rgb, np.float32).reshape(h, w)  # r + g + b: exact in float32, as summed there
    grey /= 3
    ys = np.linspace(0, h, 33).astype(int)
    xs = np.linspace(0, w, 33).astype(int)
    blocks = np.add.reduceat(np.add.reduceat(grey, ys[:-1], axis=0), xs[:-1], axis=1)
    sizes = np.outer(np.diff(ys), np.diff(xs)).clip(min=1)
    levels = (blocks / sizes // 16).astype(np.uint8)
    return hashlib.sha1(f"{w}x{h}|".encode() + levels.tobytes()).hexdigest()


def _lines(np: Any, rgb: Any) -> list[LineTrace]:
    """The traces of every colour of the cycle; numpy works on the coloured pixels only (no loop over pixels)."""
    found: list[LineTrace] = []
    w = rgb.shape[1]
    # grey pixels (text, frames, white) are no line of the cycle
    flat = np.flatnonzero(_chroma(np, rgb) > 32)  # row by row, as np.nonzero
    near = _near(np, rgb, flat)
    keep = np.flatnonzero(near)  # the pixels near no traced colour are dropped before sorting
    near = near[keep]
    ys, xs = np.divmod(flat[keep], w)
    # column by column, rows ascending in each column: the row-by-row pixels sorted stably by column, once for all
    # colours (each colour's pixels picked from them keep that order); 16-bit keys are radix-sorted
    order = np.argsort(xs.astype(np.uint16) if w <= 1 << 16 else xs, kind="stable")
    xs, ys, near = xs[order], ys[order], near[order]
    present = int(np.bitwise_or.reduce(near))
    for k, colour in enumerate(CYCLE):
        if present >> k & 1:
            hit = (near & (1 << k)) != 0
            if np.count_nonzero(hit) >= MIN_WIDTH:
                found += _traces(np, xs[hit], ys[hit], colour)
    return found


def _traces(np: Any, hx: Any, hy: Any, colour: str) -> list[LineTrace]:
    """The traces of one colour from its pixels (columns ``hx``, rows ``hy``, sorted by column, then row): one per
    stretch at least MIN_WIDTH wide. The vertical runs are found for all stretches at once (a run never spans two
    columns, a stretch is whole columns), with what ``_straight`` tests of each pair of successive runs."""
    found: list[LineTrace] = []
    count = len(hx)
    new = np.empty(count, dtype=bool)
    new[0] = True
    np.not_equal(hx[1:], hx[:-1], out=new[1:])
    cols = hx[new]  # np.unique of the sorted columns
    if count > 12 * len(cols):
        return found  # filled areas (bars, an image, a colour map), not lines
    if len(cols) < MIN_WIDTH:
        return found
    twin = ~new[1:]  # successive pixels in one column (before `new` marks the runs)
    new[1:] |= hy[1:] != hy[:-1] + 1  # a run starts in a new column or after a gap in the rows
    starts = np.flatnonzero(new)
    rx, ra = hx[starts], hy[starts]
    rb = hy[np.append(starts[1:] - 1, count - 1)]
    bend = twin[starts[1:] - 1]
    bend |= (ra[1:] > rb[:-1] + 3) | (rb[1:] < ra[:-1] - 3) | (ra[:-1] > rb[1:] + 3) | (rb[:-1] < ra[1:] - 3)
    bends = np.zeros(len(starts), dtype=np.int64)
    np.cumsum(bend, out=bends[1:])  # bends[j]: how many of the pairs of runs before run j bend
    breaks = np.flatnonzero(np.diff(cols) > _GAP + 1)
    x0s, x1s = cols[np.append(0, breaks + 1)], cols[np.append(breaks, len(cols) - 1)]
    wide = x1s - x0s + 1 >= MIN_WIDTH
    x0s, x1s = x0s[wide], x1s[wide]
    r0s, r1s = np.searchsorted(rx, x0s, "left"), np.searchsorted(rx, x1s, "right")
    for x0, x1, r0, r1 in zip(x0s.tolist(), x1s.tolist(), r0s.tolist(), r1s.tolist(), strict=True):
        runs = _Runs(np, rx[r0:r1] - x0, ra[r0:r1], rb[r0:r1], x1 - x0 + 1, bends[r1 - 1] == bends[r0])
        trace = _follow(np, runs, x0, colour)
        if trace is not None:
            found.append(trace)
    return found


def _near(np: Any, rgb: Any, flat: Any) -> Any:
    """For the pixels ``flat`` (indices of height × width), the bit set of the traced colours each is within _TOL
    of in every channel (bit k: CYCLE[k]); bytes picked from the flat buffer and tables read with ``take`` (cheaper
    than indexing an n × 3 array)."""
    data = rgb.reshape(-1)
    at = flat * 3
    luts = _luts(np)
    near = np.take(luts[0], np.take(data, at))
    at += 1
    near &= np.take(luts[1], np.take(data, at))
    at += 1
    near &= np.take(luts[2], np.take(data, at))
    return near


_CHUNK = 1 << 16  # pixels per step of the element-wise work (its temporaries stay in the processor's cache)


def _per_pixel(np: Any, rgb: Any, dtype: Any, fn: Any) -> Any:
    """``fn(x, y, z)`` of every pixel, height × width flattened, where x, y, z are the interleaved bytes
    r g b r g b … seen from offsets 0, 1 and 2: at every third position (a pixel's first byte) they hold its r, g
    and b. Element-wise work on these contiguous views, then one strided pick, is cheaper than on the strided
    channels ``rgb[..., k]``; it is done a chunk of pixels at a time."""
    flat = rgb.reshape(-1)
    n = len(flat) // 3
    out = np.empty(n, dtype=dtype)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        part = flat[3 * lo:3 * hi]
        out[lo:hi] = fn(part[:-2], part[1:-1], part[2:])[::3]
    return out


def _spread(np: Any) -> Any:
    def spread(x: Any, y: Any, z: Any) -> Any:
        hi = np.maximum(x, y)
        np.maximum(hi, z, out=hi)
        lo = np.minimum(x, y)
        np.minimum(lo, z, out=lo)
        hi -= lo
        return hi
    return spread


def _chroma(np: Any, rgb: Any) -> Any:
    """max(r, g, b) − min(r, g, b) of every pixel, height × width flattened."""
    return _per_pixel(np, rgb, np.uint8, _spread(np))


def _shifted_sum(np: Any, rgb: Any, dtype: Any) -> Any:
    """r + g + b of every pixel (summed in uint16, given as ``dtype``), height × width flattened."""
    def total(x: Any, y: Any, z: Any) -> Any:
        t = x.astype(np.uint16)
        t += y
        t += z
        return t
    return _per_pixel(np, rgb, dtype, total)


_LUTS: list[Any] = []


def _luts(np: Any) -> Any:
    """Per channel, a table of 256 bit sets: bit k of ``luts[c][v]`` is set when |v − CYCLE[k]'s channel c| ≤ _TOL,
    for the traced colours of the cycle."""
    if not _LUTS:
        values = np.arange(256)
        luts = np.zeros((3, 256), dtype=np.uint16)
        for k, colour in enumerate(CYCLE):
            if colour == "7f7f7f":
                continue  # the grey of the cycle cannot be told from text and frames
            for c in range(3):
                luts[c][np.abs(values - int(colour[2 * c:2 * c + 2], 16)) <= _TOL] |= 1 << k
        _LUTS.append(luts)
    return _LUTS[0]


class _Runs:
    """The vertical runs of line pixels of each column of a stretch: column i holds runs ``off[i] … off[i]+cnt[i]-1``
    (``a`` first and ``b`` last row, top to bottom; ``x`` their columns). Kept as numpy arrays (``ca``, ``aa``,
    ``ba``, ``xa``), as lists only when the column-by-column walk needs them (``lists``); ``straight`` tells whether
    each pair of successive runs lies in two columns and touches (3 rows) both ways."""

    __slots__ = ("a", "aa", "b", "ba", "ca", "cnt", "off", "straight", "xa")

    def __init__(self, np: Any, xa: Any, aa: Any, ba: Any, width: int, straight: bool) -> None:
        self.ca = np.bincount(xa, minlength=width)
        self.xa, self.aa, self.ba, self.straight = xa, aa, ba, straight

    def lists(self, np: Any) -> None:
        self.a, self.b = self.aa.tolist(), self.ba.tolist()
        self.cnt = self.ca.tolist()
        self.off = (np.cumsum(self.ca) - self.ca).tolist()

    def nearest(self, i: int, last_a: int, last_b: int) -> tuple[int, int]:
        """The run of column i whose centre is nearest (last_a, last_b)'s (the topmost of equals)."""
        k, a, b, s = self.off[i], self.a, self.b, last_a + last_b
        best, dist = k, abs(a[k] + b[k] - s)
        for j in range(k + 1, k + self.cnt[i]):
            d = abs(a[j] + b[j] - s)
            if d < dist:
                best, dist = j, d
        return a[best], b[best]


def _follow(np: Any, runs: _Runs, x0: int, colour: str) -> LineTrace | None:
    """The profile of the line from column x0 on: per column, the centre of the run nearest the previous one;
    columns without a run are interpolated. None when another line of the colour crosses it everywhere (no column
    holds a single run: the straight path, which needs one run per column, is then not taken either)."""
    known = _straight(np, runs)
    if known is None:
        single = np.flatnonzero(runs.ca == 1)
        if not len(single):
            return None
        known = _walked(np, runs, single)
        if known is None:
            return None
    xs, ys = known
    start, end = int(xs[0]), int(xs[-1])
    centres = len(xs) == end - start + 1  # every column known: np.interp would return each value as it is
    profile = ys if centres else np.interp(np.arange(start, end + 1), xs, ys)
    if len(profile) > _PROFILE:
        centres = False
        profile = np.interp(np.linspace(0, len(profile) - 1, _PROFILE), np.arange(len(profile)), profile)
    return LineTrace(colour="#" + colour, x0=x0 + start, x1=x0 + end, profile=_rounded(np, profile, centres))


def _straight(np: Any, runs: _Runs) -> tuple[Any, Any] | None:
    """The common case of ``_walked``, in numpy: every column holds at most one run and each run touches the
    next one's reach (3 rows) both ways, so the walk from any column keeps every run, skips none and stops
    nowhere; its result is then the centre of every run. None when that is not so (the walk decides)."""
    if not runs.straight:
        return None
    xs = runs.xa  # the columns holding a run (one each)
    if xs[-1] - xs[0] + 1 < MIN_WIDTH:
        return None  # as _walked: too short
    return xs.astype(float), (runs.aa + runs.ba) / 2


def _walked(np: Any, runs: _Runs, single: Any) -> tuple[Any, Any] | None:
    """The columns reached and their centres, walking from the single run nearest the middle both ways; None when
    more columns were ambiguous than half those reached, or the reached span is narrower than MIN_WIDTH."""
    runs.lists(np)
    cnt, off, ra, rb = runs.cnt, runs.off, runs.a, runs.b
    n = len(cnt)
    middle = n // 2  # legend handles sit near an end of the axes: start from the middle
    first = int(single[np.argmin(np.abs(single - middle))])
    ys: list[float | None] = [None] * n
    ambiguous = 0
    for order in (range(first, n), range(first - 1, -1, -1)):
        last_a, last_b, skipped = ra[off[first]], rb[off[first]], 0
        for i in order:
            c = cnt[i]
            if not c:
                continue
            if c > 1:
                ambiguous += 1
                a, b = runs.nearest(i, last_a, last_b)
            else:
                a, b = ra[off[i]], rb[off[i]]
            reach = 3 + 2 * skipped
            if a > last_b + reach or b < last_a - reach:
                skipped += 1  # hidden under another line where they cross, or another line (a legend handle)
                if skipped > _GAP * 2:
                    break
                continue
            ys[i], last_a, last_b, skipped = (a + b) / 2, a, b, 0
    known = [(i, y) for i, y in enumerate(ys) if y is not None]
    if ambiguous > len(known) // 2 or known[-1][0] - known[0][0] + 1 < MIN_WIDTH:
        return None
    return np.array([i for i, _ in known], dtype=float), np.array([y for _, y in known])


_SHARED: dict[float, float] = {}
_SHARED_MAX = 1 << 16  # distinct values kept (≈ 6 MB at most); a value beyond them is simply not shared


def _rounded(np: Any, profile: Any, centres: bool = False) -> tuple[float, ...]:
    """``round(y, 2)`` of every value. Most are the centre of a run, a multiple of 0.5 that round() returns as it is
    (exactly: its decimal form has one digit after the point), so only the others are rounded one by one; none is
    looked for when ``centres`` tells that every value is such a centre (an uninterpolated profile).

    Equal values share one float object (process-wide, bounded): a batch keeps the traces of every figure for its
    report and the collusion index, and a profile is then 8 bytes a value instead of 32. Zero is never shared
    (``0.0 == -0.0``: the sign is kept as it is)."""
    values = profile.tolist()
    if not centres:
        twice = profile * 2  # exact
        for i in np.flatnonzero(twice != np.floor(twice)).tolist():
            values[i] = round(values[i], 2)
    shared = _SHARED
    if len(shared) < _SHARED_MAX:
        if 0.0 not in values:  # the common case: every value shared
            return tuple(map(shared.setdefault, values, values))
        return tuple([shared.setdefault(v, v) if v else v for v in values])
    return tuple([shared.get(v, v) if v else v for v in values])
