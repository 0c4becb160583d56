"""The cheaper progress-line reading of ``autograder/read/outputs/fitlog.py`` (a fast path for the canonical Keras
lines, one ``_METRIC`` match less per record, no line search for ``Downloading data from`` where the text has none)
reads exactly what the reading it replaced read: the same ``parse_fits`` fits, the same ``scan_records`` records
(every field) and the same ``unheaded_fits`` results for every code-cell output of the real corpus
(../shared/corpus/real and tests/data/real), of a class-like batch (``samples.submission`` for every assignment with
the options of tests/test_batch.py: Keras 2 and 3, verbose=2, raw intermediate bars, summary variants, TensorFlow
logs) and of generated texts mixing fragments of progress lines.

The reference below is the module as it was before (commit 2be3bb8: its grammar, records, walk and fits), kept
verbatim apart from its docstring, ``__all__`` and the re-exports of ``autograder.read.outputs.history``: the module's
names are those of the reference here, the new reading is ``fitlog.<name>``. It is kept so that a later change of the
fast path is again checked against the reading every earlier result came from.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.model.evidence import Fit
from autograder.read.notebook import load_notebook, parse_notebook
from autograder.read.outputs import fitlog
from autograder.testing import samples

REPO = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- the reference (the reading before)


#: ``Epoch 3/10`` (not ``Epoch 00003:`` callback messages, not tfdocs ``Epoch: 0,``).
#: A count of more than 12 digits is no count we read (and ``int()`` refuses more than 4,300 digits).
HEADER = re.compile(r"(?<![A-Za-z])Epoch (\d{1,12})/(\d{1,12})(?!\d)")
#: A number as printed by Python or Keras.
NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
#: A counter followed by a Keras 3 bar, a Keras ≤ 2 bar, or a verbose=2 time.
COUNTER = re.compile(
    r"(\d+)/(\d{1,12}(?!\d)|Unknown)"  # the done count is cut to the total's width (_counter_start)
    r"(?: (?P<bar3>━+)| +\[(?P<bar2>[=>.]*)\]| - (?=\d+(?:\.\d+)?(?:m|s|ms|us)\b))"
)
#: Keras 2.0–2.2 verbose=2 epoch line: no counter, `` - 12s - loss: …``.
BARE_LINE = re.compile(r"(?m)^ ?- \d+s - (?=[A-Za-z_][\w./-]*: )")
STEP_TIME = re.compile(r"(\d+(?:\.\d+)?)(us|µs|ms|s)/(step|sample)")
_VALUE = r"[-+]?(?:\d+\.\d{4}(?:e[-+]\d+)?|\d+(?:\.\d+)?(?:e[-+]?\d+)?|nan|inf)"
_METRIC = re.compile(r" - ([A-Za-z_][\w./-]*): (" + _VALUE + ")")
_TRAIN_ON = re.compile(r"Train on (\d+) samples")
#: An error shown by the cell (``Cell.text`` puts ``Ename: evalue`` lines after the outputs).
ERROR_LINE = re.compile(r"(?m)^(?:KeyboardInterrupt|[A-Z]\w*(?:Error|Exception))\b")
_DOWNLOAD = "Downloading data from"
_UNITS_PER_SECOND = {"us": 1e6, "µs": 1e6, "ms": 1e3, "s": 1.0}
#: What Jupyter and Colab write when they drop part of a cell's output: the saved log is then honestly incomplete.
TRUNCATED = ("IOPub message rate exceeded", "IOPub data rate exceeded", "Buffered data was truncated",
             "output size limit", "output truncated", "Output is truncated")


def truncated(text: str) -> bool:
    """The cell's text says Jupyter or Colab dropped part of its output (one of ``TRUNCATED``)."""
    return any(marker in text for marker in TRUNCATED)


def step_counter(text: str) -> tuple[int, str] | None:
    """(total, "step"|"sample") of the first progress counter in ``text`` (an evaluate progress line), None when
    there is none or its total is ``Unknown``: "step" when the time is per step or the bar is Keras 3's."""
    m = COUNTER.search(text)
    if not m or m.group(2) == "Unknown":
        return None
    unit = "step" if ("/step" in text or m.group("bar3")) else "sample"
    return int(m.group(2)), unit


@dataclass
class Record:
    """One progress record: a counter (or a counter-less verbose=2 line), its times and its metrics."""

    start: int
    end: int
    text: str  # the record as shown, stripped
    kind: str  # "bar3" (━), "bar2" ([===]), "line" (verbose=2)
    done: int | None
    total: int | None
    metrics: dict[str, float]
    seconds_per_step: float | None = None
    per: str | None = None  # "step" or "sample": the word after the per-step time
    time_in_us: bool = False
    time_first: bool = False  # per-step time printed before the metrics (Keras 3)
    eta: bool = False
    line_end: bool = True  # no other record follows on the same line
    in_fit: bool = False  # attached to an epoch of a training run
    after_download: bool = False  # the previous line says "Downloading data from"

    @property
    def complete(self) -> bool:
        if self.done is None or self.total is None:
            return not self.eta
        return self.done >= self.total


def _counter_start(text: str, m: re.Match[str]) -> tuple[int, int]:
    """Where the counter really starts, and its value: glued Keras 3 bars (``1.3850409/422``) put the
    previous metric's digits in front of it; Keras pads the counter to the total's width, so keep at most
    that many digits."""
    digits = m.group(1)
    width = len(m.group(2)) if m.group(2) != "Unknown" else len(digits)
    if len(digits) > width:
        cut = len(digits) - width
        while cut < len(digits) - 1 and digits[cut] == "0":
            cut += 1
        return m.start() + cut, int(digits[cut:])
    return m.start(), int(digits)


def _step_times(body: str) -> list[re.Match[str]]:
    """``list(STEP_TIME.finditer(body))``, without trying the pattern at every digit of the metrics: a match
    ends at a ``/s``, so only the number and unit just before each ``/s`` are tried. Same matches, same order
    (a match is a run of digits, ``.`` and a unit of at most two letters right before its ``/s``)."""
    found: list[re.Match[str]] = []
    done = 0  # matches never overlap: nothing before the end of the last one is tried again
    pos = body.find("/s")
    while pos != -1:
        start, unit = pos, 0
        while start > done and unit < 2 and body[start - 1] in "usm\u00b5":
            start, unit = start - 1, unit + 1
        while start > done and (body[start - 1].isdecimal() or body[start - 1] == "."):
            start -= 1
        for at in range(start, pos):
            m = STEP_TIME.match(body, at)
            if m:
                found.append(m)
                done = m.end()
                break
        pos = body.find("/s", max(pos + 2, done))
    return found


def _step_time(body: str) -> re.Match[str] | None:
    """The per-step time that belongs to the final metrics: the last one followed by metrics (``… - 6s
    131us/step - loss: …`` after overwritten ETA text), else the last one (``- 545ms/epoch - 2ms/step``)."""
    times = _step_times(body)
    followed = [t for t in times if _METRIC.match(body, t.end())]
    return followed[-1] if followed else times[-1] if times else None


def _metrics(body: str, start: int) -> tuple[dict[str, float], int]:
    """Metrics `` - name: value`` read in order from the first non-ETA pair at or after ``start``; returns
    them and where they begin (-1 when there are none)."""
    first = next((m for m in _METRIC.finditer(body, start) if m.group(1) != "ETA"), None)
    if first is None:
        return {}, -1
    out: dict[str, float] = {}
    m: re.Match[str] | None = first
    while m:
        name, value = m.groups()
        if name in out or name == "ETA":
            break
        out[name] = float(value)
        pos = m.end()
        if pos < len(body) and body[pos] != " ":
            break  # glued text: a callback message or overwritten residue
        m = _METRIC.match(body, pos)
    return out, first.start()


def _record(text: str, start: int, end: int, kind: str, done: int | None, total: int | None) -> Record:
    body_start = start if done is None else text.find(" ", start)
    body = text[body_start:end] if 0 <= body_start < end else ""
    cut = body.find("Epoch ")  # a callback message glued on (``acc: 0.9144Epoch 00000: val_loss …``)
    if cut > 0:
        body = body[:cut]
    time = _step_time(body)
    followed = time is not None and _METRIC.match(body, time.end()) is not None
    metrics, metrics_at = _metrics(body, time.end() if time is not None and followed else 0)
    rec = Record(start=start, end=end, text=text[start:end].strip(), kind=kind, done=done, total=total,
                 metrics=metrics, eta="ETA:" in body)
    if time is not None:
        rec.seconds_per_step = float(time.group(1)) / _UNITS_PER_SECOND[time.group(2)]
        rec.per = time.group(3)
        rec.time_in_us = time.group(2) in ("us", "µs")
        rec.time_first = metrics_at == -1 or time.start() < metrics_at
    return rec


def scan_records(text: str) -> list[Record]:
    """Every progress record in ``text``, in order, each marked ``in_fit`` when it belongs to a training run."""
    return _walk(text)[1]


# ---------------------------------------------------------------- walking the log

@dataclass
class _Epoch:
    index: int
    records: list[Record] = field(default_factory=list)
    sealed: bool = False

    @property
    def total(self) -> int | None:
        return self.records[0].total if self.records else None


@dataclass
class _Run:
    total: int
    epochs: list[_Epoch] = field(default_factory=list)


@dataclass(frozen=True)
class _Header:
    index: int
    total: int


def _counters(text: str) -> Iterator[re.Match[str]]:
    """``COUNTER.finditer(text)``, without trying the pattern at every digit of a log: a match is one run of
    digits, its only ``/``, then the rest; so the pattern is tried once per ``/``, at the start of the digits
    before it (a later start in the same run matches exactly when that one does). Same matches, same order."""
    done = 0
    pos = text.find("/")
    while pos != -1:
        start = pos
        while start > done and text[start - 1].isdecimal():
            start -= 1
        m = COUNTER.match(text, start) if start < pos else None
        if m:
            yield m
            done = m.end()
        pos = text.find("/", max(pos + 1, done))


def _headers(text: str) -> Iterator[re.Match[str]]:
    """``HEADER.finditer(text)``: the pattern tried only where ``Epoch `` starts (its look-behind still sees the
    character before). Same matches, same order."""
    pos = text.find("Epoch ")
    while pos != -1:
        m = HEADER.match(text, pos)
        if m:
            yield m
        pos = text.find("Epoch ", m.end() if m else pos + 1)


def _events(text: str) -> Iterator[_Header | Record]:
    """Headers and records in order of position; each record's end is the next event or its line end."""
    found: list[tuple[int, str, re.Match[str], int | None]] = []
    if "/" in text:
        for m in _counters(text):
            start, done = _counter_start(text, m)
            found.append((start, "counter", m, done))
    if "- " in text:
        for m in BARE_LINE.finditer(text):
            found.append((m.start(), "bare", m, None))
    if "Epoch " in text:
        for m in _headers(text):
            found.append((m.start(), "header", m, None))
    found.sort(key=lambda f: f[0])
    for i, (start, what, match, count) in enumerate(found):
        if what == "header":
            yield _Header(int(match.group(1)), int(match.group(2)))
            continue
        line_end = text.find("\n", start)
        line_end = len(text) if line_end == -1 else line_end
        nxt = found[i + 1][0] if i + 1 < len(found) else len(text)
        end = min(nxt, line_end)
        if what == "bare":
            rec = _record(text, start, end, "line", None, None)
        else:
            kind = "bar3" if match.group("bar3") else "bar2" if match.group("bar2") is not None else "line"
            total = None if match.group(2) == "Unknown" else int(match.group(2))
            rec = _record(text, start, end, kind, count, total)
        rec.line_end = nxt >= line_end
        line_start = text.rfind("\n", 0, start)
        prev_start = text.rfind("\n", 0, max(line_start, 0)) + 1
        rec.after_download = line_start > 0 and text.startswith(_DOWNLOAD, prev_start)
        yield rec


def _walk(text: str) -> tuple[list[_Run], list[Record]]:
    runs: list[_Run] = []
    records: list[Record] = []
    run: _Run | None = None
    for ev in _events(text):
        if isinstance(ev, _Header):
            last = run.epochs[-1].index if run and run.epochs else None
            if run is None or ev.total != run.total or (last is not None and ev.index <= last):
                run = _Run(total=ev.total)
                runs.append(run)
            run.epochs.append(_Epoch(ev.index))
            continue
        rec = ev
        previous = records[-1] if records else None
        records.append(rec)
        epoch = run.epochs[-1] if run and run.epochs else None
        if epoch is None or not _belongs(epoch, rec, previous):
            continue
        epoch.records.append(rec)
        rec.in_fit = True
        if rec.complete and rec.line_end:
            epoch.sealed = True
    return runs, records


def _belongs(epoch: _Epoch, rec: Record, previous: Record | None) -> bool:
    """A record continues the open epoch: its first, an update with the same total, or, right after the
    epoch's final record, that final again with validation metrics added (Keras 3 prints both)."""
    if not epoch.records:
        return True
    if rec.total != epoch.total:
        return False
    if not epoch.sealed:
        return True
    last = epoch.records[-1]
    return last is previous and rec.complete and set(last.metrics) < set(rec.metrics)


#: What may follow an interrupted run without being the cell's own output: blank lines, TensorFlow/absl log lines
#: (``2024-01-02 10:00:00.1: W tensorflow/…``, ``W0000 00:00:1727… gpu_timer.cc:…``, ``WARNING:tensorflow:…``)
#: and Python warnings (``…/site-packages/x.py:12: UserWarning: …``, then its indented source line). The stderr
#: of a cell comes after its stdout in ``Cell.text``, so such lines may be shown after the last bar.
_LOG_LINE = re.compile(
    r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?:? [IWEF] |[IWEF]\d{4} \d\d:\d\d:\d\d"
    r"|(?:WARNING|INFO|ERROR|DEBUG)(?::[\w.]+)?:|\S.*?:\d+: [A-Z]\w*Warning\b")


def _only_logs(rest: str) -> bool:
    """``rest`` shows nothing but blank lines, log lines and Python warnings (``_LOG_LINE``)."""
    warning = False
    for line in rest.split("\n"):
        if not line.strip():
            continue
        if _LOG_LINE.match(line.lstrip()):
            warning = True
            continue
        if not (warning and line[:1].isspace()):  # a warning's indented source line
            return False
    return True


def _drop_interrupted(text: str, runs: list[_Run]) -> None:
    """The last epoch of the last run, shown only as a partial bar (not N/N, an ``ETA``) that ends the cell's
    output, or is followed by an error, never finished: the run was interrupted (a kernel stopped or restarted,
    a notebook saved while it ran). A partial bar followed by anything else (a callback's ``Reached 98% accuracy
    so cancelling training!``, the cell's next output) was an epoch that Keras ended: it counts."""
    for run in reversed(runs):
        shown = [e for e in run.epochs if e.records]
        if not shown:
            continue
        last = shown[-1].records[-1]
        if not last.complete and (ERROR_LINE.search(text, last.end) or _only_logs(text[last.end:])):
            shown[-1].records.clear()
        return


def _sample_like(total: int) -> bool:
    return total >= 10000 and total % 500 == 0


def _step_unit(rec: Record, train_on: bool) -> str | None:
    if rec.total is None and rec.done is None:
        return None
    if rec.per == "sample" or train_on:
        return "sample"
    if rec.kind == "bar2" and rec.seconds_per_step is None:
        return "sample"  # Keras ≤ 2.0: per-sample counter, no per-step time
    count = rec.total if rec.total is not None else rec.done
    if (rec.seconds_per_step is None or rec.time_in_us) and count is not None and _sample_like(count):
        return "sample"
    return "step"


def _style(rec: Record, step_unit: str | None) -> str:
    if rec.kind == "bar3" or (rec.kind == "line" and rec.seconds_per_step is not None and rec.time_first):
        return "keras3"
    if rec.seconds_per_step is not None:
        return "keras2"
    if step_unit == "sample" or rec.done is None:
        return "keras1"
    return "keras2"


def _fit(text: str, run: _Run, since: int) -> Fit | None:
    epochs = [e for e in run.epochs if e.records]
    if not epochs:
        return None
    final = epochs[-1].records[-1]
    train_on = _TRAIN_ON.search(text, since, epochs[0].records[0].start) is not None
    unit = _step_unit(final, train_on)
    steps = final.total if final.total is not None else final.done
    return Fit(
        epochs=tuple(dict(e.records[-1].metrics) for e in epochs),
        epochs_total=run.total,
        steps=steps,
        step_unit=unit,
        seconds_per_step=final.seconds_per_step,
        epochs_arg=None,
        style=_style(final, unit),
        cell=None,
        headers=tuple(e.index for e in run.epochs),
        interactive="━" in text,
        epoch_steps=tuple(e.records[-1].total for e in epochs),
    )


def parse_fits(text: str) -> list[Fit]:
    """Every ``model.fit`` training log in one cell's cleaned text, one ``Fit`` per training run."""
    if not text or "Epoch " not in text:
        return []
    runs, _ = _walk(text)
    _drop_interrupted(text, runs)
    fits: list[Fit] = []
    since = 0
    for run in runs:
        fit = _fit(text, run, since)
        if fit is not None:
            fits.append(fit)
            since = max(r.end for e in run.epochs for r in e.records)
    return fits


# ---------------------------------------------------------------- one-epoch fits without a header

_LOOP = re.compile(r"(?m)^\s*(?:for|while)\b")  # the cell's code may repeat its calls


def _prints(args: Mapping[str, Any]) -> bool | None:
    """A call prints its progress: True, False (``verbose=0``), None when its ``verbose`` is not known."""
    if "verbose" not in args:
        return True
    verbose = args["verbose"]
    if verbose is None:
        return None
    return verbose != 0


def _unheaded_groups(text: str) -> list[list[Record]]:
    """Complete progress lines that belong to no ``Epoch i/N`` run, carry a ``loss`` and are no download; a line
    repeated right after itself with more metrics (Keras 3 adds ``val_*``) is the same epoch."""
    groups: list[list[Record]] = []
    previous: Record | None = None
    for rec in scan_records(text):
        ok = (not rec.in_fit and rec.done is not None and rec.complete and rec.line_end and "loss" in rec.metrics
              and not rec.after_download and (rec.total is None or rec.total < 1_000_000))
        if ok:
            last = groups[-1][-1] if groups else None
            if last is not None and last is previous and rec.total == last.total and set(last.metrics) < set(rec.metrics):
                groups[-1].append(rec)
            else:
                groups.append([rec])
        previous = rec
    return groups


def _bar_fit(text: str, group: list[Record]) -> Fit:
    final = group[-1]
    unit = _step_unit(final, _TRAIN_ON.search(text, 0, group[0].start) is not None)
    return Fit(epochs=(dict(final.metrics),), epochs_total=None, steps=final.total, step_unit=unit,
               seconds_per_step=final.seconds_per_step, epochs_arg=None, style=_style(final, unit), cell=None,
               headers=(), interactive="━" in text, epoch_steps=(final.total,), source="bar")


def unheaded_fits(text: str, calls: Sequence[tuple[str, Mapping[str, Any]]], source: str = "") -> tuple[list[Fit], list[str]]:
    """One-epoch fits shown without ``Epoch 1/1`` (tf.keras ≥ 2.2 and Keras 3 print no header when ``epochs=1``),
    and the texts of the progress lines they take (no longer evaluate results).

    ``calls`` are the cell's ``("fit"|"evaluate", args)`` calls in code order, ``source`` its code. Nothing is read
    unless the cell shows no ``Epoch i/N`` log and every ``fit`` call of the cell that may print is known to print
    (``verbose`` absent or a literal other than 0) one epoch (``epochs`` absent or 1, no ``initial_epoch``), and
    there is at least one. Then a complete progress line with ``loss`` is a fit when it shows ``val_*`` metrics
    (``evaluate`` never does); the others only when the cell has no ``evaluate`` call that may print and as many
    lines as fit calls (or a loop in the code), or, with such calls, when the lines and the calls are as many and
    pair in order with no loop in the code (a line paired with an ``evaluate`` must show no ``val_*``).
    """
    fits_args = [args for method, args in calls if method == "fit" and _prints(args) is not False]
    if not fits_args or not text or parse_fits(text):
        return [], []
    for args in fits_args:
        epochs = args.get("epochs", 1)
        if _prints(args) is None or epochs != 1 or isinstance(epochs, bool) or "initial_epoch" in args:
            return [], []
    groups = _unheaded_groups(text)
    if not groups:
        return [], []
    evaluates = [m for m, args in calls if m != "fit" and _prints(args) is not False]
    loop = bool(_LOOP.search(source))

    def validated(g: list[Record]) -> bool:
        return any(k.startswith("val_") for k in g[-1].metrics)

    taken: list[list[Record]]
    if not evaluates and (len(groups) == len(fits_args) or loop):
        taken = groups
    elif evaluates and not loop and len(groups) == len(fits_args) + len(evaluates):
        order = [m for m, args in calls if _prints(args) is not False]
        if any(m != "fit" and validated(g) for m, g in zip(order, groups, strict=True)):
            taken = [g for g in groups if validated(g)]
        else:
            taken = [g for m, g in zip(order, groups, strict=True) if m == "fit"]
    else:
        taken = [g for g in groups if validated(g)]
    return [_bar_fit(text, g) for g in taken], [r.text for g in taken for r in g]


# ---------------------------------------------------------------- the comparison

#: ``unheaded_fits`` reads a text only with the cell's calls: every rule of its pairing, and a loop in the code.
CALLS: list[tuple[list[tuple[str, Mapping[str, Any]]], str]] = [
    ([("fit", {})], ""),
    ([("fit", {}), ("fit", {"epochs": 1})], ""),
    ([("fit", {})], "for i in range(3):\n    model.fit(x, y)"),
    ([("fit", {}), ("evaluate", {})], ""),
    ([("evaluate", {}), ("fit", {"verbose": 1})], ""),
    ([("fit", {}), ("evaluate", {}), ("evaluate", {"verbose": 2})], ""),
    ([("fit", {"verbose": 0}), ("fit", {})], ""),
]


def _records(records: list[Any]) -> str:
    # repr, not ==: a ``nan`` metric is never equal to itself; every field is compared, and ``complete``
    return repr([(vars(r), r.complete) for r in records])


def assert_same(text: str) -> None:
    """The new reading of ``text`` is the reference's, in every result and every record field."""
    assert repr(fitlog.parse_fits(text)) == repr(parse_fits(text)), text
    assert _records(fitlog.scan_records(text)) == _records(scan_records(text)), text
    for calls, source in CALLS:
        assert repr(fitlog.unheaded_fits(text, calls, source)) == repr(unheaded_fits(text, calls, source)), text


def _texts(notebooks: list[Any]) -> list[str]:
    return [c.text for nb in notebooks for c in nb.cells if c.cell_type == "code"]


@pytest.mark.timeout(120)
def test_the_real_corpus_reads_alike(corpus: Path):
    paths = sorted(corpus.glob("*.ipynb")) + sorted((REPO / "tests" / "data" / "real").glob("*.ipynb"))
    texts = _texts([load_notebook(p) for p in paths])
    assert sum("Epoch " in t for t in texts) > 50  # the corpus is there, with its training logs
    for text in texts:
        assert_same(text)


#: tests/test_batch.py's variants of a class: Keras 2 and 3, summary formats, verbose=2, raw intermediate bars, logs.
VARIANTS: list[dict[str, Any]] = [
    {}, {"keras3": False}, {"keras3": False, "summary_variant": "2.15"}, {"keras3": False, "summary_variant": "2.12"},
    {"verbose": 2}, {"verbose": 2, "keras3": False}, {"keras3": False, "fit_updates": 3}, {"fit_updates": 2},
    {"gpu": False, "tf_logs": True}, {"accuracy": 0.93}, {"epochs": 10}, {"tf_logs": True},
]


@pytest.mark.timeout(120)
def test_a_class_like_batch_reads_alike():
    notebooks = [parse_notebook(samples.dumps(samples.submission(assignment, seed=seed, **kw)))
                 for assignment in ("perceptron", "mlp", "history", "dropout")
                 for seed, kw in enumerate(VARIANTS)]
    texts = _texts(notebooks)
    assert sum("Epoch " in t for t in texts) >= 3 * len(VARIANTS)
    for text in texts:
        assert_same(text)


# ---------------------------------------------------------------- generated texts

FRAGMENTS = [
    "Epoch 1/3\n", "Epoch 2/3\n", "Epoch 3/3", "Epoch 1/1\n", "Epoch 00001: val_loss improved", "750/750", " 59/422",
    "469/Unknown", "1.3850409/422", "60000/60000", "391/390", "3/3", " ━━━━━━━━━━━━━━━━━━━━", "━", " ━━",
    " [==============================]", " [=>....]", " [====>.........]", "[", "]", " - ", " - ETA: 1:20",
    " - ETA: 0s", "ETA:", " - 2s", " 2s", " 1m", " 3ms/step", " 164us/step", " 1.5µs/sample", " 2s/step", "/step",
    " - 2s/epoch", " - 545ms/epoch", " - 3ms/step", " - loss: 0.1234", " - accuracy: 0.9876", " - val_loss: 0.3658",
    " - val_accuracy: 0.8808", " - acc: 0.88972s", " - loss: 1.2e-05", " - loss: 1.2345e-05", " - loss: nan",
    " - loss: inf", " - loss: -0.5000", " - ETA: 0.1234", " - xETA: 0.1000", " - val/acc: 0.5000", " - lr: 0.0010",
    " - loss: 12.5000", "0.1234", "Epoch ", "\n", "\n\n", " ", "  ", "\r", "Downloading data from https://x/mnist.npz\n",
    "Train on 60000 samples, validate on 10000 samples\n", "KeyboardInterrupt", "ValueError: x\n",
    "WARNING:tensorflow:x\n", "2024-01-02 10:00:00.1: W tensorflow/x\n", "Reached 98% accuracy\n", "٣", "loss",
]
texts = st.lists(st.sampled_from(FRAGMENTS) | st.text(alphabet="0123456789/ -:.━[]=>ETAsmuµelo_\n", max_size=6),
                 max_size=40).map("".join)


def _usually(usual: list[str], unusual: list[str]) -> st.SearchStrategy[str]:
    """One of ``usual`` four times in five, else one of ``unusual``: most lines are canonical, each with a deviation
    at a random place (the fast path must step aside exactly where the general path reads otherwise)."""
    return st.integers(0, 4).flatmap(lambda i: st.sampled_from(unusual if i == 0 else usual))


@st.composite
def progress_lines(draw: st.DrawFn) -> str:
    """A progress line near the canonical shapes: a counter, a bar or verbose=2 time, a per-step time before or
    after metrics whose names and values are drawn from the usual and the unusual."""
    total = draw(_usually(["750", "313", "60000"], ["Unknown", "1", "1875"]))
    done = total if total != "Unknown" and draw(st.booleans()) else draw(st.sampled_from(["1", "59", "375", "7"]))
    counter = draw(_usually([""], [" ", "1.38504"])) + f"{done}/{total}"
    prefix = draw(_usually([" ━━━━━━━━━━━━━━━━━━━━ 2s ", " [==============================] - 3s ", " - 2s - ",
                            " [====>.....] - 3s ", " - 12s", " [===] - 3s", " ━━ 0s "],
                           [" - ETA: 1s ", "  ━ 2s ", " [==] ", " ━ 1m 3s ", " - ", "", " ━━ 2s", " [=] - 3s - "]))
    time = draw(_usually(["3ms/step", "164us/step", "2s/step", "12ms/step", "1.5µs/sample", "2us/step"],
                         ["", "3.ms/step", "3 ms/step", "2s/epoch - 3ms/step", "3ms/stepx", "ms/step"]))
    names = draw(st.lists(_usually(["loss", "accuracy", "val_loss", "val_accuracy"],
                                   ["ETA", "xETA", "val/acc", "a.b", "Epoch", "ε", "1x", "a b", "acc", "_x1"]), max_size=7))
    values = [draw(_usually(["0.4729", "0.8655", "12.3456", "0.0000"],
                            ["0.88972", "1.2e-05", "1.2345e-05", "nan", "inf", "-0.5000", "1", "0.12", "0.1234s",
                             "٣.١٢٣٤", "0.1234 "])) for _ in names]
    metrics = "".join(f" - {n}: {v}" for n, v in zip(names, values, strict=True))
    after = draw(_usually([""], [" - 2s/epoch", " - 545ms/epoch - 2ms/step", " - 3ms/step", " ", "Epoch 00002: x"]))
    time_first = draw(st.booleans())  # Keras 3 and Keras 2 bars; else last, as tf.keras 2 verbose=2 prints it
    body = prefix + (time + metrics if time_first else metrics + (" - " + time if time else "")) + after
    end = draw(_usually(["\n"], ["", "\r", "\n\n", " Epoch 2/2\n"]))
    return counter + body + end


logs = st.lists(st.sampled_from(["Epoch 1/2\n", "Epoch 2/2\n", "Epoch 1/1\n", "Downloading data from x\n", "\n"])
                | progress_lines() | texts, max_size=12).map("".join)


@settings(max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
@pytest.mark.timeout(300)
def test_generated_fragments_read_alike(text: str):
    assert_same(text)


@settings(max_examples=examples(600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(logs)
@pytest.mark.timeout(300)
def test_generated_progress_logs_read_alike(text: str):
    assert_same(text)


CANONICAL = [
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - accuracy: 0.8655 - loss: 0.4729 - val_accuracy: 0.8808 - val_loss: 0.3658",
    " [==============================] - 3s 4ms/step - loss: 0.2938 - accuracy: 0.9164",
    " [==============================] - 3s 164us/step",
    " - 2s - 3ms/step - accuracy: 0.8707 - loss: 0.4272",
    " - 2s - loss: 0.4215 - accuracy: 0.8888 - 2s/epoch - 3ms/step",
    " - 2s - loss: 0.4215 - accuracy: 0.8888 - 1.5µs/sample",
    " [==============================] - 3s - loss: 0.2938 - acc: 0.9164",
]
#: Each a canonical line but for one thing the general path reads otherwise (or may).
DEVIATIONS = [
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 0.4729 - acc: 0.8655 - loss: 0.4000 - val_loss: 0.3658",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - ETA: 0.8655 - loss: 0.4729",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 0.4729 - xETA: 0.8655 - acc: 0.1000",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 0.47291 - acc: 0.8655",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 1.2345e-05 - acc: 0.8655",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: nan - acc: 0.8655",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - val/loss: 0.4729 - acc: 0.8655",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 0.4729 - acc: 0.8655 ",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 0.4729 - acc: 0.8655Epoch 00002: x",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: 0.4729 - acc: 0.8655 - 3ms/step - lr: 0.0010",
    " ━━━━━━━━━━━━━━━━━━━━ 1m 2s 2ms/step - loss: 0.4729",
    " ━━━━━━━━━━━━━━━━━━━━ 2s 2ms/step - loss: ٣.١٢٣٤",
    " [====>.........] - ETA: 3s - loss: 0.2938 - accuracy: 0.9164",
    " - 2s - loss: 0.4215 - loss: 0.3000 - accuracy: 0.8888 - 2s/epoch - 3ms/step",
    " - 2s - loss: 0.4215 - accuracy: 0.8888 - 2s/epoch - 3ms/step - val_loss: 0.1000",
    " - 2s - loss: 0.4215 - accuracy: 0.8888 - 2s/epoch - 3ms/step - 4ms/step",
]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("body", CANONICAL + DEVIATIONS)
def test_canonical_lines_and_their_deviations_read_alike(body: str):
    for text in ("750/750" + body, " 59/750" + body, "1.38504750/750" + body, body.lstrip(" [=]")):
        for log in (text, text + "\n", "Epoch 1/2\n" + text + "\nEpoch 2/2\n" + text + "\n" + text + " - val_x: 0.1000\n"):
            assert_same(log)


@pytest.mark.timeout(60)
def test_the_canonical_lines_take_the_fast_path():
    """The fast path is taken where it is meant to be (or the equivalence above proves nothing of it)."""
    for body in CANONICAL:
        text = "750/750" + body
        assert fitlog._canonical(text, 7, len(text)) == fitlog._general(body), body


@settings(max_examples=examples(1000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(progress_lines())
@pytest.mark.timeout(300)
def test_the_fast_path_reads_what_the_general_path_reads(line: str):
    """``_canonical`` is None or exactly ``_general`` on the same body, wherever a record's body may start."""
    end = line.find("\n")
    end = len(line) if end == -1 else end
    for body_start in {0, 1, line.find(" ")}:
        if 0 <= body_start < end:
            fast = fitlog._canonical(line, body_start, end)
            assert fast is None or repr(fast) == repr(fitlog._general(line[body_start:end])), line
