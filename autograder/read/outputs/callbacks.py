"""Read what Keras callbacks print during a ``verbose=0`` fit; imports only the standard library and ``autograder.model``.

A ``model.fit(…, verbose=0, callbacks=[…])`` prints no progress at all, only its callbacks' lines (each printed
on a line of its own, after a newline):

* ModelCheckpoint(verbose=1): ``Epoch 12: val_loss improved from 0.08120 to 0.07900, saving model to best.h5``,
  ``Epoch 13: val_loss did not improve from 0.07900``, ``Epoch 3: saving model to w.h5``;
* EarlyStopping(verbose=1): ``Epoch 11: early stopping``, ``Restoring model weights from the end of the best
  epoch: 8.`` (TF 2.2–2.5 print no number);
* ReduceLROnPlateau(verbose=1): ``Epoch 5: ReduceLROnPlateau reducing learning rate to 0.0001.``;
* LearningRateScheduler(verbose=1): ``Epoch 1: LearningRateScheduler setting learning rate to 0.001.``
  (older: ``reducing learning rate to``).

tf.keras < 2.9 pads the epoch to five digits (``Epoch 00012:``); the number is 1-based in every version. A run
ends where the epoch number goes back (a second fit in the cell, or one in a loop). ``parse_callback_fits``
returns one ``Fit`` (``source="callbacks"``, no per-epoch metrics) per run that names at least one epoch;
lines listed in ``typed`` (texts the cell's code prints literally) are not read. Which cells may hold such a
fit is decided by ``autograder.read.extract`` from the code (a ``verbose=0`` fit call with callbacks).
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

from autograder.model.evidence import Fit

__all__ = ["CALLBACK_LINE", "MAX_RUNS", "parse_callback_fits"]

MAX_RUNS = 1000  # the most runs read from one cell (a loop of fits prints a few; a hostile cell millions)
_VALUE = r"[-+]?(?:\d+(?:\.\d*)?(?:e[-+]?\d+)?|inf|nan)|None"
#: One callback line that names its epoch.
CALLBACK_LINE = re.compile(
    r"(?m)^[ \t]*Epoch (?P<epoch>\d{1,7}): (?:"
    r"(?P<monitor>[A-Za-z_][\w./-]{0,80}) (?:improved from (?:" + _VALUE + r") to (?P<to>" + _VALUE + r")"
    r"|did not improve from (?:" + _VALUE + r"))"
    r"|(?P<saving>saving model to )"
    r"|(?P<early>early stopping)"
    r"|(?P<lr>ReduceLROnPlateau reducing learning rate to |LearningRateScheduler (?:setting|reducing) learning rate to )"
    r")"
)
_RESTORE = re.compile(r"(?m)^[ \t]*Restoring model weights from the end of the best epoch(?:: (\d{1,7}))?\.")


@dataclass
class _Run:
    last: int = 0
    stopped: int | None = None
    best: int | None = None
    ended: bool = False  # the fit is over (early stopping, or Keras 3 restoring the best weights at its end)
    monitored: list[tuple[int, str, float]] = field(default_factory=list)


def _line(text: str, start: int) -> str:
    end = text.find("\n", start)
    return text[start:end if end != -1 else len(text)].strip()


def _stop_follows(events: list[re.Match[str]], k: int, last: int) -> bool:
    """tf.keras 2 prints "Restoring …" during the stopping epoch, "Epoch N: early stopping" after the epoch's other
    callback lines: an early stopping line follows before the next "Restoring …" and before the epochs go back
    below ``last`` (the last epoch named so far)."""
    for m in events[k + 1:]:
        if m.re is _RESTORE:
            return False
        epoch = int(m.group("epoch"))
        if m.group("early"):
            return epoch >= last
        if epoch < last:
            return False
        last = epoch
    return False


def parse_callback_fits(text: str, typed: Collection[str] = ()) -> list[Fit]:
    """The ``verbose=0`` training runs the callback lines of one cell's cleaned text show, in order.

    A run ends at ``Epoch N: early stopping`` (tf.keras 2 prints "Restoring model weights …" just before it, Keras 3
    just after), or at a "Restoring …" line that no early stopping accompanies (Keras 3 restores the best weights at
    the end of every fit, stopped early or not), or where the epoch number goes back. ``epochs_seen`` is the last
    epoch a line of the run names (the best epoch included)."""
    if not text or ("Epoch " not in text and "Restoring model weights" not in text):
        return []
    typed_lines = {t.strip() for t in typed}
    found = [m for m in CALLBACK_LINE.finditer(text)] + [m for m in _RESTORE.finditer(text)]
    events = [m for m in sorted(found, key=lambda m: m.start()) if _line(text, m.start()) not in typed_lines]
    runs: list[_Run] = []
    run: _Run | None = None
    pending: int | None = None  # tf.keras 2: the best epoch of "Restoring …", printed before "early stopping"
    for k, m in enumerate(events):
        if m.re is _RESTORE:
            best = int(m.group(1)) if m.group(1) else None
            last = run.last if run is not None else 0
            stopped = run if run is not None and run.stopped is not None and run.best is None else None
            if stopped is not None and (events[k - 1].re is not _RESTORE and events[k - 1].group("early")
                                        or not _stop_follows(events, k, last)):
                stopped.best = best  # Keras 3: after "early stopping"
            elif _stop_follows(events, k, last):
                pending = best
            elif best is not None:  # Keras 3, not stopped early: the end of the fit
                if run is None or run.ended:
                    if len(runs) >= MAX_RUNS:
                        break
                    run = _Run()
                    runs.append(run)
                run.best, run.ended = best, True
            continue
        epoch = int(m.group("epoch"))
        if epoch < 1:
            continue
        if run is None or run.ended or epoch < run.last:
            if len(runs) >= MAX_RUNS:
                break
            run = _Run()
            runs.append(run)
        run.last = epoch
        if m.group("early"):
            run.stopped, run.best, run.ended, pending = epoch, pending, True, None
        elif m.group("to") and m.group("to") not in ("None", "nan", "inf", "-inf", "+inf"):
            run.monitored.append((epoch, m.group("monitor"), float(m.group("to"))))
    return [Fit(epochs=(), source="callbacks", epochs_seen=max(r.last, r.best or 0), stopped_epoch=r.stopped,
                best_epoch=r.best, monitored=tuple(r.monitored)) for r in runs]
