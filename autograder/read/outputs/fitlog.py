"""Read ``model.fit`` training logs from cleaned cell text; imports only the standard library and ``autograder.model``.

Printed ``history.history`` dicts are read by ``autograder.read.outputs.history`` (``parse_histories`` and
``MAX_DICT_CHARS`` are re-exported here, where the tests and older code import them).

Progress lines ("records") of every Keras generation are parsed by one grammar, shared with
``autograder.read.outputs.evaluate``:

* a counter ``done/total`` (``750/750``, ``54000/54000``, ``391/390``, `` 59/422``, ``469/Unknown``),
* then a Keras 3 bar ``━━━━``, a Keras ≤ 2 bar ``[====>..]``, or `` - 3s`` (a verbose=2 line),
* then times (``ETA: 0s``, ``10s``, ``164us/step``) and metrics `` - name: value``.

Keras 1/2 (standalone, 2.0–2.2) verbose=2 lines have no counter at all (`` - 12s - loss: 0.26 - acc: 0.92``).

Rules for ``parse_fits``:

* ``Epoch i/N`` opens epoch i; a new run starts when i does not follow the previous header (``Epoch 1/N``
  again) or N changes.
* A record belongs to the open epoch when the epoch has no record yet, or has the same total and is not
  sealed. An epoch is sealed by a complete record (``done >= total``) that ends its line; only the same
  final again with more metrics (Keras 3 prints it once more with ``val_*``) may follow. Any other record
  (dataset download, evaluate, predict, an evaluate on the training set) is "loose": not training.
* An epoch's metrics are those of its last record (partial bars stopped by a callback count, with the
  metrics shown). A trailing partial epoch that ends the cell's output (log lines and warnings aside) or is
  followed by an error (``KeyboardInterrupt``) is dropped: Keras never finished it (``_drop_interrupted``).
  Epoch headers without any record (interrupted before the first bar) are not epochs; runs without epochs
  are not returned.
* Metric values: Keras prints ``%.4f``/``%.4e``, so a value is read as four decimals first. This keeps
  ``loss: 1.3850409/422`` (Keras 3 bars glued without a newline) and ``accuracy: 0.88972s - loss:``
  (a shorter final bar over a longer one, as a frontend saved it) correct. Metric reading stops at the
  first name seen twice or the first character that is not `` - ``: the rest is overwritten residue.

``step_unit`` is "sample" when the counter counts samples: a ``Train on N samples`` line precedes the run,
the time is printed ``/sample``, the bar is a Keras ≤ 2.0 ``[===]`` bar without per-step time, or the
total looks like a sample count (≥ 10000 and a multiple of 500) with no per-step time or a µs per-step
time. Otherwise "step"; None when no counter was shown.

``style`` is "keras3" for ``━`` bars and verbose=2 lines whose per-step time precedes the metrics; "keras1"
for counters without a per-step time that count samples, and for counter-less verbose=2 lines; else "keras2".

A one-epoch fit of tf.keras ≥ 2.2 or Keras 3 prints no ``Epoch 1/1`` header, only its progress line, which has
the shape of an ``evaluate`` line. ``unheaded_fits`` reads such lines as fits only where the cell's code says so
(see its docstring); ``parse_fits`` never does.

For the integrity rules, each ``Fit`` also keeps ``headers`` (the epoch numbers of its run's ``Epoch i/N``
headers, epochs without a record included) and ``interactive`` (the text shows Keras 3 ``━`` bars anywhere);
``truncated`` and ``step_counter`` give the other facts they need, so judging never reads output text.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, NamedTuple

from autograder.model.evidence import Fit
from autograder.read.outputs.history import MAX_DICT_CHARS, parse_histories
from autograder.read.outputs.history import _balanced as _balanced  # the name tests/test_properties.py checks

__all__ = ["Record", "parse_fits", "parse_histories", "scan_records", "step_counter", "truncated", "unheaded_fits",
           "COUNTER", "ERROR_LINE", "HEADER", "MAX_DICT_CHARS", "NUMBER", "TRUNCATED"]

# ---------------------------------------------------------------- shared grammar

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


def _step_time(body: str) -> tuple[re.Match[str] | None, bool]:
    """The per-step time that belongs to the final metrics: the last one followed by metrics (``… - 6s
    131us/step - loss: …`` after overwritten ETA text), else the last one (``- 545ms/epoch - 2ms/step``); and
    whether metrics follow it."""
    times = _step_times(body)
    for t in reversed(times):
        if _METRIC.match(body, t.end()):
            return t, True
    return (times[-1] if times else None), False


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


#: The body (after the counter) of the progress lines Keras prints most, with the per-step time before the metrics:
#: Keras 3 ``━━━━ 2s 3ms/step - accuracy: 0.8655 - loss: …``, Keras 2 ``[====] - 3s 4ms/step - loss: …``, Keras 3
#: verbose=2 `` - 2s - 3ms/step - accuracy: …`` (metrics may be absent: ``predict``). Only ASCII, four-decimal values,
#: metric names without ``./-``: such a body holds one ``/s`` (one ``STEP_TIME``), nothing ``_METRIC`` matches before
#: the metrics, and no ``Epoch `` to cut, so ``_canonical`` reads it as ``_general`` would, without its searches.
_TIME_FIRST = re.compile(
    r" (?:━+ [0-9]+m?s |\[[=>.]*\] - [0-9]+m?s |- [0-9]+m?s - )([0-9]+(?:\.[0-9]+)?)(us|µs|ms|s)/(step|sample)"
    r"((?: - [A-Za-z_][A-Za-z0-9_]*: [0-9]+\.[0-9]{4})*)")
#: The same with the metrics first: tf.keras 2 verbose=2 `` - 2s - loss: … - 2s/epoch - 3ms/step``, Keras 1/2
#: `` - 12s - loss: …`` (a counter-less line) and Keras ≤ 2.0 ``[====] - 3s - loss: …`` (no per-step time).
_METRICS_FIRST = re.compile(
    r" ?(?:\[[=>.]*\] )?- [0-9]+m?s((?: - [A-Za-z_][A-Za-z0-9_]*: [0-9]+\.[0-9]{4})+)"
    r"(?: - [0-9]+m?s/epoch)?(?: - ([0-9]+(?:\.[0-9]+)?)(us|µs|ms|s)/(step|sample))?")


#: What a record's body says: (metrics, seconds_per_step, per, time_in_us, time_first, eta), as ``Record`` keeps them.
_Read = tuple[dict[str, float], float | None, str | None, bool, bool, bool]


def _canonical(text: str, body_start: int, end: int) -> _Read | None:
    """``_general(text[body_start:end])`` for a body of one of the two canonical shapes (``_TIME_FIRST``,
    ``_METRICS_FIRST``), None for any other body. Identical where it applies: the only ``STEP_TIME`` is the matched
    one, the metrics are the matched pairs in order up to the first name seen twice, and ``ETA:`` anywhere (even
    inside a metric name) leaves the body to ``_general``."""
    m = _TIME_FIRST.fullmatch(text, body_start, end)
    time_first = True  # also without metrics (``_general``: no metrics at all counts as time first)
    if m is None:
        m = _METRICS_FIRST.fullmatch(text, body_start, end)
        if m is None:
            return None
        pairs, number, unit, per = m.group(1, 2, 3, 4)
        time_first = False
    else:
        number, unit, per, pairs = m.group(1, 2, 3, 4)
    if "ETA:" in pairs:
        return None
    metrics: dict[str, float] = {}
    for pair in pairs.split(" - ")[1:]:
        name, _, value = pair.partition(": ")
        if name in metrics:
            break  # ``_metrics`` stops at the first name seen twice
        metrics[name] = float(value)
    if number is None:
        return metrics, None, None, False, False, False
    return metrics, float(number) / _UNITS_PER_SECOND[unit], per, unit in ("us", "µs"), time_first, False


def _general(body: str) -> _Read:
    """What any record body says: its metrics, per-step time and ``ETA``."""
    cut = body.find("Epoch ")  # a callback message glued on (``acc: 0.9144Epoch 00000: val_loss …``)
    if cut > 0:
        body = body[:cut]
    time, followed = _step_time(body)
    metrics, metrics_at = _metrics(body, time.end() if time is not None and followed else 0)
    eta = "ETA:" in body
    if time is None:
        return metrics, None, None, False, False, eta
    number, unit, per = time.group(1, 2, 3)
    return (metrics, float(number) / _UNITS_PER_SECOND[unit], per, unit in ("us", "µs"),
            metrics_at == -1 or time.start() < metrics_at, eta)


def _record(text: str, start: int, end: int, kind: str, done: int | None, total: int | None,
            line_end: bool = True, after_download: bool = False) -> Record:
    body_start = start if done is None else text.find(" ", start)
    read = (_canonical(text, body_start, end) or _general(text[body_start:end])) if 0 <= body_start < end else _general("")
    # positional, in ``Record``'s field order (in_fit is set by ``_walk``): a record is made per progress line
    return Record(start, end, text[start:end].strip(), kind, done, total, *read, line_end, False, after_download)


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


class _Header(NamedTuple):  # a tuple: made once per ``Epoch i/N`` line
    epoch: int
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
    # (start, done, total, kind, header): a record's counter and kind, or a header (no two events start alike)
    found: list[tuple[int, int | None, int | None, str, _Header | None]] = []
    if "/" in text:
        for m in _counters(text):
            digits, total, bar3, bar2 = m.groups()
            if total != "Unknown" and len(digits) > len(total):  # glued on digits (else ``_counter_start`` keeps all)
                at, count = _counter_start(text, m)
            else:
                at, count = m.start(), int(digits)
            kind = "bar3" if bar3 else "bar2" if bar2 is not None else "line"
            found.append((at, count, None if total == "Unknown" else int(total), kind, None))
    if text.startswith(("- ", " - ")) or "\n- " in text or "\n - " in text:  # where a BARE_LINE may start
        for m in BARE_LINE.finditer(text):
            found.append((m.start(), None, None, "line", None))
    if "Epoch " in text:
        for m in _headers(text):
            found.append((m.start(), None, None, "", _Header(int(m.group(1)), int(m.group(2)))))
    found.sort(key=itemgetter(0))
    downloads = _DOWNLOAD in text  # else no record follows a download line: no line searches
    length = len(text)
    for i, (start, done, total, kind, header) in enumerate(found):
        if header is not None:
            yield header
            continue
        line_end = text.find("\n", start)
        if line_end == -1:
            line_end = length
        nxt = found[i + 1][0] if i + 1 < len(found) else length
        after_download = False
        if downloads:
            line_start = text.rfind("\n", 0, start)
            prev_start = text.rfind("\n", 0, max(line_start, 0)) + 1
            after_download = line_start > 0 and text.startswith(_DOWNLOAD, prev_start)
        yield _record(text, start, nxt if nxt < line_end else line_end, kind, done, total, nxt >= line_end, after_download)


def _walk(text: str) -> tuple[list[_Run], list[Record]]:
    runs: list[_Run] = []
    records: list[Record] = []
    run: _Run | None = None
    for ev in _events(text):
        if isinstance(ev, _Header):
            last = run.epochs[-1].index if run and run.epochs else None
            if run is None or ev.total != run.total or (last is not None and ev.epoch <= last):
                run = _Run(total=ev.total)
                runs.append(run)
            run.epochs.append(_Epoch(ev.epoch))
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
