"""The cheaper figure reading of issue #19 (``autograder/read/figures.py``) reads exactly what the reading it replaced
read: the same pixel digest, coarse digest and traced lines for every PNG of the corpus (../shared/corpus/real,
every output, not only learning curves), of the samples (examples/submissions), of a class-like batch
(``benchmarks/generate.py``'s options: real-size figures), of matplotlib figures of many kinds (several lines,
markers, bars, an image, a scatter, fills, transparent backgrounds, small and large) and of the same images saved
in other modes (palette, grey, grey + alpha, bilevel, RGBA, RGB); and grading with either gives the same reports.

The reference below is the reading as it was before (commit 06ee8c7), kept verbatim apart from its names.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest

from autograder.judge.spec import load_spec
from autograder.model.evidence import LineTrace
from autograder.pipeline import grade_paths
from autograder.read import extract as extract_module
from autograder.read import figures
from autograder.read.notebook import load_notebook
from autograder.testing import samples

np = pytest.importorskip("numpy")
Image = pytest.importorskip("PIL.Image")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
SAMPLES = REPO / "examples" / "submissions"
THRESHOLD = {"mlp": 0.95, "history": 0.86, "dropout": 0.87}

CYCLE, MIN_WIDTH = figures.CYCLE, figures.MIN_WIDTH
_TOL, _MAX_PIXELS, _MIN_SIDE, _GAP, _PROFILE = 48, 4_000_000, 64, 3, 400
_size = figures._size


class _Old:
    __slots__ = ("coarse", "digest", "lines")

    def __init__(self, digest: str, coarse: str, lines: tuple[LineTrace, ...]) -> None:
        self.digest, self.coarse, self.lines = digest, coarse, lines


# ---------------------------------------------------------------- the reference (the reading before issue #19)

def _old_read_png(b64: str) -> _Old | None:
    """The pixels of a base64 PNG, or None without Pillow/numpy, for an image that cannot be decoded, and for one too
    small to hold a plot (its PNG header is read first, with the standard library: nothing else is imported)."""
    size = _size(b64)
    if size is None or min(size) < _MIN_SIDE or size[0] * size[1] > _MAX_PIXELS:
        return None
    try:
        import io

        import numpy as np
        from PIL import Image
    except ImportError:
        return None
    try:
        data = base64.b64decode("".join(b64.split()), validate=False)
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > _MAX_PIXELS:
                return None
            rgb = _rgb(np, im)
    except (OSError, ValueError, binascii.Error, SyntaxError, Image.DecompressionBombError):
        return None
    h, w = rgb.shape[:2]
    digest = hashlib.sha1(f"{w}x{h}|".encode())
    digest.update(rgb.data)
    return _Old(digest.hexdigest(), _coarse(np, rgb), tuple(_lines(np, rgb)))


def _rgb(np: Any, im: Any) -> Any:
    """The decoded pixels as a contiguous height × width × 3 array, decoded once. Matplotlib saves RGBA: its
    conversion to RGB only drops the alpha channel, done here channel by channel (several times faster than
    numpy's copy of an RGB slice or Pillow's RGB buffer); other modes are converted by Pillow."""
    if im.mode != "RGBA":
        return np.ascontiguousarray(np.asarray(im.convert("RGB")))
    rgba = np.asarray(im)
    rgb = np.empty(rgba.shape[:2] + (3,), dtype=np.uint8)
    for k in range(3):
        rgb[..., k] = rgba[..., k]
    return rgb


def _coarse(np: Any, rgb: Any) -> str:
    grey = rgb[..., 0].astype(np.float32)
    grey += rgb[..., 1]
    grey += rgb[..., 2]
    grey /= 3
    h, w = grey.shape
    ys = np.linspace(0, h, 33).astype(int)
    xs = np.linspace(0, w, 33).astype(int)
    blocks = np.add.reduceat(np.add.reduceat(grey, ys[:-1], axis=0), xs[:-1], axis=1)
    sizes = np.outer(np.diff(ys), np.diff(xs)).clip(min=1)
    levels = (blocks / sizes // 16).astype(np.uint8)
    return hashlib.sha1(f"{w}x{h}|".encode() + levels.tobytes()).hexdigest()


def _lines(np: Any, rgb: Any) -> list[LineTrace]:
    """The traces of every colour of the cycle; numpy works on the coloured pixels only (no loop over pixels)."""
    found = []
    h, w = rgb.shape[:2]
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    # grey pixels (text, frames, white) are no line of the cycle
    chroma = np.maximum(np.maximum(r, g), b)
    chroma -= np.minimum(np.minimum(r, g), b)
    flat = np.flatnonzero(chroma > 32)  # row by row, as np.nonzero
    ys, xs = np.divmod(flat, w)
    pixels = rgb.reshape(h * w, 3)[flat]
    # bit k of `near` is set when the pixel is within _TOL of CYCLE[k] in each channel (a table per channel)
    luts = _luts(np)
    near = luts[0][pixels[:, 0]]
    near &= luts[1][pixels[:, 1]]
    near &= luts[2][pixels[:, 2]]
    for k, colour in enumerate(CYCLE):
        if colour == "7f7f7f":
            continue  # the grey of the cycle cannot be told from text and frames
        hit = (near & (1 << k)) != 0
        count = int(np.count_nonzero(hit))
        if count < MIN_WIDTH:
            continue
        hx, hy = xs[hit], ys[hit]
        order = np.argsort(hx, kind="stable")  # column by column, rows ascending in each column
        hx, hy = hx[order], hy[order]
        cols = np.unique(hx)
        if count > 12 * len(cols):
            continue  # filled areas (bars, an image, a colour map), not lines
        if len(cols) < MIN_WIDTH:
            continue
        breaks = np.flatnonzero(np.diff(cols) > _GAP + 1)
        for part in np.split(cols, breaks + 1):
            if part[-1] - part[0] + 1 >= MIN_WIDTH:
                x0, x1 = int(part[0]), int(part[-1])
                lo, hi = np.searchsorted(hx, x0, "left"), np.searchsorted(hx, x1, "right")
                trace = _follow(np, _Runs(np, hx[lo:hi] - x0, hy[lo:hi], x1 - x0 + 1), x0, colour)
                if trace is not None:
                    found.append(trace)
    return found


_LUTS: list[Any] = []


def _luts(np: Any) -> Any:
    """Per channel, a table of 256 bit sets: bit k of ``luts[c][v]`` is set when |v − CYCLE[k]'s channel c| ≤ _TOL."""
    if not _LUTS:
        values = np.arange(256)
        luts = np.zeros((3, 256), dtype=np.uint16)
        for k, colour in enumerate(CYCLE):
            for c in range(3):
                luts[c][np.abs(values - int(colour[2 * c:2 * c + 2], 16)) <= _TOL] |= 1 << k
        _LUTS.append(luts)
    return _LUTS[0]


class _Runs:
    """The vertical runs of line pixels of each column of a stretch: column i holds runs ``off[i] … off[i]+cnt[i]-1``
    (``a`` first and ``b`` last row, top to bottom). Built from the pixels sorted by column, then row."""

    __slots__ = ("a", "b", "cnt", "off")

    def __init__(self, np: Any, px: Any, py: Any, width: int) -> None:
        new = np.ones(len(px), dtype=bool)
        new[1:] = (px[1:] != px[:-1]) | (py[1:] != py[:-1] + 1)
        starts = np.flatnonzero(new)
        ends = np.append(starts[1:] - 1, len(px) - 1)
        cnt = np.bincount(px[starts], minlength=width)
        self.a, self.b = py[starts].tolist(), py[ends].tolist()
        self.cnt = cnt.tolist()
        self.off = (np.cumsum(cnt) - cnt).tolist()

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
    columns without a run are interpolated. None when another line of the colour crosses it everywhere."""
    cnt, off, ra, rb = runs.cnt, runs.off, runs.a, runs.b
    single = np.flatnonzero(np.array(cnt) == 1)
    if not len(single):
        return None
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
    start, end = known[0][0], known[-1][0]
    xs = np.array([i for i, _ in known], dtype=float)
    profile = np.interp(np.arange(start, end + 1), xs, np.array([y for _, y in known]))
    if len(profile) > _PROFILE:
        profile = np.interp(np.linspace(0, len(profile) - 1, _PROFILE), np.arange(len(profile)), profile)
    return LineTrace(colour="#" + colour, x0=x0 + start, x1=x0 + end, profile=tuple(round(y, 2) for y in profile.tolist()))


# ---------------------------------------------------------------- the inputs


def _pngs_of(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        try:
            nb = load_notebook(path)
        except Exception:  # noqa: BLE001 -- a sample that is no notebook (a PDF, broken JSON) holds no figure
            continue
        found += [out.png for cell in nb.cells for out in getattr(cell, "outputs", ()) if getattr(out, "png", None)]
    return list(dict.fromkeys(found))


def _class_like() -> list[str]:
    """The learning-curve figures of a class-like batch: generate.py's options (20-60 KB real-size figures)."""
    found = []
    for assignment in ("mlp", "history", "dropout"):
        for i in range(6):
            rnd = random.Random(f"{assignment}-{i}")
            nb = samples.submission(assignment, seed=i, keras3=i % 2 == 0,
                                    accuracy=THRESHOLD[assignment] + rnd.uniform(-0.01, 0.03),
                                    figure_kb=rnd.uniform(20, 60))
            found += [out["data"]["image/png"] for cell in nb["cells"] for out in cell.get("outputs", ())
                      if "image/png" in out.get("data", {})]
    return found


def _matplotlib() -> list[str]:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    found = []

    def save(fig: Any, **kw: Any) -> None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", **kw)
        plt.close(fig)
        found.append(base64.b64encode(buf.getvalue()).decode())

    for i in range(10):
        fig, axs = plt.subplots(1, 1 + i % 3, figsize=(4 + i % 5 * 2, 3 + i % 2), dpi=(72, 100, 50)[i % 3])
        for ax in np.atleast_1d(axs):
            for k in range(1 + i % 6):
                ax.plot(np.cumsum(rng.normal(size=10 + 7 * i)), label=f"s{k}", marker="o" if i % 4 == 0 else None)
            ax.legend()
        save(fig, transparent=i % 5 == 1)
    for draw in (lambda ax: ax.bar(range(10), rng.random(10)), lambda ax: ax.imshow(rng.random((30, 30))),
                 lambda ax: ax.scatter(rng.random(300), rng.random(300), c=rng.random(300)),
                 lambda ax: (ax.fill_between(range(50), rng.random(50)), ax.plot(rng.random(50), "r"))):
        fig, ax = plt.subplots()
        draw(ax)
        save(fig)
    return found


def _other_modes(pngs: list[str]) -> list[str]:
    """The same pixels saved as palette, grey, grey + alpha, bilevel, RGBA and RGB PNGs."""
    found = []
    for b64 in pngs:
        with Image.open(io.BytesIO(base64.b64decode(b64))) as im:
            im.load()
            for mode in ("P", "L", "LA", "1", "RGBA", "RGB"):
                out = im.convert("RGB").quantize(64) if mode == "P" else im.convert(mode)
                buf = io.BytesIO()
                out.save(buf, format="PNG")
                found.append(base64.b64encode(buf.getvalue()).decode())
    return found


def _key(p: Any) -> Any:
    return None if p is None else (p.digest, p.coarse, tuple((t.colour, t.x0, t.x1, t.profile) for t in p.lines))


def _assert_same(pngs: list[str]) -> int:
    """Every PNG read alike by both; the number of lines traced (the inputs must exercise the tracer)."""
    lines = 0
    for i, b64 in enumerate(pngs):
        new, old = _key(figures.read_png(b64)), _key(_old_read_png(b64))
        assert new == old, f"PNG {i} read differently"
        lines += len(new[2]) if new else 0
    return lines


# ---------------------------------------------------------------- the tests


@pytest.mark.timeout(300)
@pytest.mark.slow  # seconds of decoding twice: the full suite and CI run it
def test_the_corpus_figures_read_alike(corpus: Path):
    pngs = _pngs_of(sorted(corpus.glob("*.ipynb")))
    assert len(pngs) >= 100
    assert _assert_same(pngs) >= 100
    assert _assert_same(_other_modes(pngs[::12])) >= 20


@pytest.mark.timeout(120)
@pytest.mark.slow  # seconds of decoding twice: the full suite and CI run it
def test_the_samples_and_a_class_like_batch_read_alike():
    sample = _pngs_of(sorted(SAMPLES.glob("*.ipynb")))
    assert sample
    _assert_same(sample)
    batch = _class_like()
    assert len(batch) >= 18
    assert _assert_same(batch) >= 4 * len(batch)
    assert _assert_same(_other_modes(batch[:3])) >= 12


@pytest.mark.timeout(120)
@pytest.mark.slow  # seconds of decoding twice: the full suite and CI run it
def test_matplotlib_figures_of_every_kind_read_alike():
    pngs = _matplotlib()
    assert _assert_same(pngs) >= 20
    assert _assert_same(_other_modes(pngs[:4])) >= 8


@pytest.mark.timeout(60)
def test_the_straight_path_is_the_walk_where_it_applies(monkeypatch: pytest.MonkeyPatch):
    """``_straight`` (numpy) and ``_walked`` (column by column) agree on every stretch the straight path takes,
    and the straight path is taken (it is the common case of a learning curve)."""
    seen: list[Any] = []
    real = figures._straight

    def spy(np_: Any, runs: Any) -> Any:
        got = real(np_, runs)
        seen.append((runs, got))
        return got

    monkeypatch.setattr(figures, "_straight", spy)
    for b64 in _class_like()[:6]:
        figures._lines(np, figures._rgb(np, Image.open(io.BytesIO(base64.b64decode(b64)))))
    taken = [(runs, got) for runs, got in seen if got is not None]
    assert len(taken) >= 12 and len(taken) < len(seen)  # both paths occur
    for runs, got in taken:
        walked = figures._walked(np, runs, np.flatnonzero(runs.ca == 1))
        assert walked is not None
        assert got[0].tolist() == walked[0].tolist() and got[1].tolist() == walked[1].tolist()


def test_rounding_is_round_to_two_places():
    values = np.array([0.0, 0.5, 1.0, 2.675, 1.005, 3.14159, 287.5, 12.345, 1 / 3, 99.995, 7.25])
    assert figures._rounded(np, values) == tuple(round(v, 2) for v in values.tolist())


def _graded(paths: list[str], assignment: str) -> str:
    report = grade_paths(paths, load_spec(assignment))
    evidence = [r.evidence.to_json() if r.evidence is not None else None for r in report.submissions]
    return json.dumps([report.to_json(), evidence], ensure_ascii=False, sort_keys=True, default=repr)


@pytest.mark.timeout(300)
@pytest.mark.slow  # seconds of decoding twice: the full suite and CI run it
def test_grading_gives_identical_reports_with_either_reading(corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch):
    for assignment in ("mlp", "dropout"):
        for i in range(4):
            rnd = random.Random(f"{assignment}-{i}")
            nb = samples.submission(assignment, seed=i, keras3=i % 2 == 0, figure_kb=rnd.uniform(20, 60),
                                    accuracy=THRESHOLD[assignment] + rnd.uniform(-0.01, 0.03))
            (tmp_path / f"24{i:05d}_学生{i}_{assignment}.ipynb").write_text(samples.dumps(nb), encoding="utf-8")
    batches = [(sorted(str(p) for p in corpus.glob("*.ipynb")), "mlp"),
               (sorted(str(p) for p in SAMPLES.glob("*.ipynb")), "mlp")]
    batches += [(sorted(str(p) for p in tmp_path.glob(f"*_{a}.ipynb")), a) for a in ("mlp", "dropout")]
    for paths, assignment in batches:
        new = _graded(paths, assignment)
        monkeypatch.setattr(extract_module, "read_png", _old_read_png)
        old = _graded(paths, assignment)
        monkeypatch.undo()
        assert new == old
