"""The clean-process verification of a run: the trained model, not the printout; never imports TensorFlow, never cli.

After the student's cells, the grader runs one more cell in the kernel (``SAVE_CODE``): it saves what was
trained into the run folder's ``export/`` — each Keras model bound to the receiver of a ``fit`` call (the code
analysis of ``autograder.read.code`` names them), else the models a ``History`` points to or the namespace
holds — with ``model.save(…keras)`` (Keras 3 native format) and ``history.history`` as JSON. The kernel is
hostile, so what that cell writes is untrusted input and nothing it says is believed:

1. ``collect``: once the kernel is dead, the files are read from ``export/`` as regular files opened without
   following links (a FIFO, a link, a device, a folder swapped for a link are refused), each under a size limit,
   into this process's memory;
2. ``clean_archive``: the ``.keras`` archive's ``config.json`` is read here (standard library, bounded) and the
   model refused unless every object in it is one of Keras' own (``module`` ``keras``/``keras.*``, no
   ``registered_name`` of a custom object, no ``Lambda``, ``TFSMLayer`` or serialized Python function); only an
   activation given as TensorFlow's function of a Keras activation's name (``tf.nn.softmax``) is rewritten as
   that name, because Keras itself cannot load it back;
3. ``verify``: a **separate clean Python** (``python -I -c CHILD_CODE``: no ``PYTHONPATH``, no user site, no
   current folder on ``sys.path``; a scrubbed environment; in the same sandbox as the kernel when this machine
   has one — a sealed view holding only Python, the copy of the model and the datasets folder, no network, the
   memory and process caps; else only the limits) loads each model with
   ``keras.saving.load_model(path, safe_mode=True, compile=False)``, counts its parameters (in all, and per
   layer), and evaluates it on the instructor's test data (``<datasets>/<name>.npz``: ``x_test`` flattened to
   784 or kept 28×28(×1) to fit the model's input, divided by 255; accuracy = the arg-max of the prediction
   against the label, what ``evaluate`` gives with one-hot labels and ``categorical_accuracy``).

The numbers it prints are the run's ``verified`` entry: in the run record (``OUT/records``, so ``autograder
grade`` of the executed notebook judges the same) and in ``run.verified`` of the report, next to what the
notebook printed. ``autograder.judge.verified`` turns them into check results and ``tampered_output`` flags.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from autograder.model.keras import FIT_METHODS
from autograder.read.runrecord import bounded_count as _count
from autograder.read.runrecord import bounded_fraction as _fraction
from autograder.read.text import join_source

EXPORT = "export"  # the run folder's sub-folder the save cell writes to
MAX_MODEL_BYTES = 64 * 1024 * 1024  # one .keras file copied out at most (the course's models are < 2 MB)
MAX_HISTORY_BYTES = 1024 * 1024
MAX_MODELS = 4  # models saved and verified per notebook
MAX_CONFIG_BYTES = 8 * 1024 * 1024  # config.json inside the archive
MAX_ENTRIES = 64  # members of one .keras archive
VERIFY_TIMEOUT = 600.0  # seconds for the clean process (TensorFlow's import alone takes 5-10 s)
VERIFY_MEMORY_MB = 8192  # its address-space cap (TensorFlow on a CPU maps about 2.5 GB)
SAVE_TIMEOUT = 300.0  # seconds for the save cell in the kernel
MARK = "AUTOGRADER-VERIFIED "
_FILE = re.compile(r"(model|history)-([0-9]{1,2})\.(keras|json)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")

# Built-in objects of Keras that carry no module (tensors and tuples inside a functional model's graph).
_PLAIN = {"__keras_tensor__", "__tuple__", "__numpy__", "__tensor__", "__bytes__", "__typespec__"}
_REFUSED = {"Lambda", "TFSMLayer", "__lambda__", "function", "__python_function__"}


# ------------------------------------------------------------------ which models (this process, static)

def wanted_models(notebook: Mapping[str, Any]) -> tuple[str, ...]:
    """The names ``fit`` is called on in the notebook's code, ordered by their last ``fit`` (the last one is the model
    whose test accuracy counts); plain names only. Empty when the code trains nothing the analysis can name."""
    from autograder.read.code import analyze_cells

    cells = [(i, join_source(c.get("source"))) for i, c in enumerate(notebook.get("cells") or []) if isinstance(c, Mapping)
             and c.get("cell_type") == "code"]
    facts = analyze_cells(cells)
    order: list[str] = []
    for call in facts.calls:
        name = call.receiver
        if call.method in FIT_METHODS and isinstance(name, str) and _NAME.fullmatch(name):
            if name in order:
                order.remove(name)
            order.append(name)
    return tuple(order[-MAX_MODELS:])


def dataset_of(notebook: Mapping[str, Any], datasets_dir: str | None) -> str | None:
    """The dataset the notebook loads (``fashion_mnist`` before ``mnist``), among the ``.npz`` files of the folder."""
    if datasets_dir is None:
        return None
    served = {p.stem for p in Path(datasets_dir).glob("*.npz")}
    code = "\n".join(join_source(c.get("source")) for c in notebook.get("cells") or []
                     if isinstance(c, Mapping) and c.get("cell_type") == "code")
    for name in sorted(served, key=len, reverse=True):  # fashion_mnist contains mnist
        if re.search(rf"\b{re.escape(name)}\b", code):
            return name
    return "mnist" if "mnist" in served else None


# ------------------------------------------------------------------ the save cell (in the kernel)

# Run silently after the student's cells. Its own names are deleted afterwards; whatever it writes is untrusted.
_SAVE_TEMPLATE = r'''
def _autograder_save(names, folder, limit):
    import gc, json, os, sys
    keras = sys.modules.get("keras")
    if keras is None:
        try:
            import keras
        except Exception:
            return
    Model = getattr(keras, "Model", None)
    History = getattr(getattr(keras, "callbacks", None), "History", None)
    if not isinstance(Model, type):
        return
    ns = get_ipython().user_ns
    models = [(i, ns.get(n)) for i, n in enumerate(names) if isinstance(ns.get(n), Model)]
    if not models:
        found = [v.model for v in list(ns.values()) if History is not None and isinstance(v, History)
                 and isinstance(getattr(v, "model", None), Model)]
        found = found or [v for v in list(ns.values()) if isinstance(v, Model)]
        found = found or [o for o in gc.get_objects() if isinstance(o, Model) and getattr(o, "history", None) is not None]
        unique = []
        for m in found:
            if all(m is not u for u in unique):
                unique.append(m)
        models = list(enumerate(unique[-limit:]))
    for i, m in models[:limit]:
        try:
            m.save(os.path.join(folder, "model-%d.keras" % i))
        except Exception as exc:
            print("autograder: could not save the model:", type(exc).__name__, exc, file=sys.__stderr__)
        h = getattr(getattr(m, "history", None), "history", None)
        if isinstance(h, dict):
            try:
                with open(os.path.join(folder, "history-%d.json" % i), "w") as fh:
                    json.dump({str(k): [float(x) for x in v] for k, v in h.items()}, fh)
            except Exception:
                pass
try:
    _autograder_save(NAMES, FOLDER, LIMIT)
finally:
    del _autograder_save
'''


def save_code(names: Sequence[str], folder: str) -> str:
    """The cell the grader runs in the kernel after the student's cells: save the trained models into ``folder``."""
    call = f"_autograder_save({list(names)!r}, {folder!r}, {MAX_MODELS:d})"
    return _SAVE_TEMPLATE.replace("_autograder_save(NAMES, FOLDER, LIMIT)", call)


# ------------------------------------------------------------------ reading what the kernel wrote (no links)

def read_regular(dir_fd: int, name: str, limit: int) -> bytes:
    """The bytes of ``name`` in the open folder ``dir_fd``: a regular file opened without following a link, at most
    ``limit`` bytes; ``OSError`` for anything else (a link, a FIFO, a device, a folder, a file too large)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(name, flags | getattr(os, "O_CLOEXEC", 0), dir_fd=dir_fd)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{name}: not a regular file")
        if info.st_size > limit:
            raise OSError(f"{name}: {info.st_size} bytes, more than {limit}")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise OSError(f"{name}: more than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def open_folder(path: str | os.PathLike[str], dir_fd: int | None = None) -> int:
    """A folder opened without following a link (``OSError`` when ``path`` is a link or no folder)."""
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    return os.open(path, flags, dir_fd=dir_fd)


def collect(run: str | os.PathLike[str]) -> tuple[dict[str, bytes], list[str]]:
    """The files the save cell left in ``run/export`` (``model-N.keras``, ``history-N.json``), read without following
    links, and what was refused. Call it only once the kernel is gone."""
    files: dict[str, bytes] = {}
    problems: list[str] = []
    try:
        run_fd = open_folder(run)
    except OSError as exc:
        return files, [f"run folder: {exc}"]
    try:
        try:
            export = open_folder(EXPORT, dir_fd=run_fd)
        except OSError as exc:
            return files, [f"{EXPORT}: {type(exc).__name__}: {exc.strerror or exc}"]
        try:
            names = sorted(os.listdir(export))[:256]
            for name in names:
                m = _FILE.fullmatch(name)
                if not m or int(m.group(2)) >= MAX_MODELS or (m.group(1) == "model") != (m.group(3) == "keras"):
                    continue
                limit = MAX_MODEL_BYTES if m.group(1) == "model" else MAX_HISTORY_BYTES
                try:
                    files[name] = read_regular(export, name, limit)
                except OSError as exc:
                    problems.append(f"{name}: {exc.strerror or exc}")
        finally:
            os.close(export)
    finally:
        os.close(run_fd)
    return files, problems


# ------------------------------------------------------------------ the archive, checked here (stdlib)

def check_archive(data: bytes) -> str | None:
    """Why this ``.keras`` archive is refused before any Keras sees it, or None: only Keras' own objects."""
    return clean_archive(data)[1]


def clean_archive(data: bytes) -> tuple[bytes | None, str | None]:
    """The archive to load (``config.json`` rewritten where a TensorFlow activation function stands for a Keras one,
    ``tf.nn.softmax`` saved as the Python function ``softmax_v2``, which Keras cannot load), or why it is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                return None, f"{len(infos)} members in the archive"
            if sum(i.file_size for i in infos) > 4 * MAX_MODEL_BYTES:
                return None, "the archive unpacks to too many bytes"
            config = archive.getinfo("config.json")
            if config.file_size > MAX_CONFIG_BYTES:
                return None, "config.json too large"
            with archive.open(config) as fh:
                raw = fh.read(MAX_CONFIG_BYTES + 1)
            if len(raw) > MAX_CONFIG_BYTES:
                return None, "config.json too large"
            doc = json.loads(raw)
            changed = _activations(doc, 0)
            why = _refused_object(doc, 0)
            if why or not changed:
                return (None if why else data), why
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
                for info in infos:
                    body = json.dumps(doc).encode() if info.filename == "config.json" else archive.read(info)
                    rewritten.writestr(info.filename, body)
            return out.getvalue(), None
    except (KeyError, zipfile.BadZipFile, ValueError, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
        return None, f"not a Keras archive ({type(exc).__name__})"


# Keras' own activations, by the names a TensorFlow function of the same name is saved under (``softmax_v2``).
_ACTIVATIONS = {"relu", "sigmoid", "softmax", "tanh", "elu", "selu", "softplus", "softsign", "swish", "silu", "gelu",
                "exponential", "linear", "leaky_relu", "relu6", "hard_sigmoid", "log_softmax"}


def _activations(value: Any, depth: int) -> bool:
    """Replace, in place, ``"activation": {function softmax_v2}`` by ``"activation": "softmax"``; True if any was."""
    changed = False
    if depth > 100:
        return False
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in list(items):
        if isinstance(item, dict) and key == "activation" and item.get("class_name") == "function" \
                and item.get("module") in ("builtins", "keras.activations", "keras.src.activations.activations") \
                and isinstance(item.get("config"), str) and item["config"].removesuffix("_v2") in _ACTIVATIONS:
            value[key] = item["config"].removesuffix("_v2")
            changed = True
        elif isinstance(item, (dict, list)):
            changed = _activations(item, depth + 1) or changed
    return changed


def _refused_object(value: Any, depth: int) -> str | None:
    if depth > 100:
        return "config nested too deeply"
    if isinstance(value, list):
        for item in value:
            why = _refused_object(item, depth + 1)
            if why:
                return why
        return None
    if not isinstance(value, dict):
        return None
    if "class_name" in value:
        cls, module, registered = value.get("class_name"), value.get("module"), value.get("registered_name")
        if not isinstance(cls, str) or cls in _REFUSED or cls.startswith("__") and cls not in _PLAIN:
            return f"object {cls!r} refused (Lambda layers, functions and arbitrary objects are not loaded)"
        if cls not in _PLAIN and not (isinstance(module, str) and (module == "keras" or module.startswith("keras."))):
            return f"{cls}: module {module!r} is not Keras (custom objects are not loaded)"
        if registered not in (None, cls):
            return f"{cls}: registered as {registered!r}, a custom object (refused)"
    for item in value.values():
        why = _refused_object(item, depth + 1)
        if why:
            return why
    return None


# ------------------------------------------------------------------ the clean process

# Run as ``python -I -c CHILD_CODE SPEC``: nothing of the student, nothing of autograder; prints one line MARK + JSON.
CHILD_CODE = r'''
import json, os, sys
MARK = "AUTOGRADER-VERIFIED "
def main():
    spec = json.loads(sys.argv[1])
    out = {"models": {}}
    try:
        import numpy as np
        import keras
    except Exception as exc:
        out["error"] = "keras: %s: %s" % (type(exc).__name__, exc)
        print(MARK + json.dumps(out), flush=True)
        return
    out["keras"] = str(getattr(keras, "__version__", "?"))
    x = y = None
    if spec.get("data"):
        with np.load(spec["data"], allow_pickle=False) as f:
            x, y = np.asarray(f["x_test"]), np.asarray(f["y_test"]).reshape(-1)
        out["test_samples"] = int(len(y))
    for key, path in spec["models"]:
        r = {}
        out["models"][key] = r
        try:
            model = keras.saving.load_model(path, safe_mode=True, compile=False)
        except Exception as exc:
            r["error"] = "load_model: %s: %s" % (type(exc).__name__, str(exc)[:300])
            continue
        try:
            r["params"] = int(model.count_params())
            r["layers"] = [int(layer.count_params()) for layer in model.layers]
            shape = model.input_shape
            if not isinstance(shape, tuple) or not all(d is None or isinstance(d, int) for d in shape):
                r["error"] = "input shape %r: one input is needed" % (shape,)
                continue
            r["input_shape"] = [d for d in shape]
            if x is None:
                continue
            inner = tuple(shape[1:])
            n = len(x)
            if inner == (784,):
                data = x.reshape(n, 784)
            elif inner == (28, 28):
                data = x.reshape(n, 28, 28)
            elif inner == (28, 28, 1):
                data = x.reshape(n, 28, 28, 1)
            else:
                r["error"] = "input shape %r is not (None, 784), (None, 28, 28) or (None, 28, 28, 1)" % (shape,)
                continue
            outs = model.output_shape
            if not isinstance(outs, tuple) or tuple(outs[1:]) != (10,):
                r["error"] = "output shape %r is not (None, 10)" % (outs,)
                continue
            data = data.astype("float32") / 255.0
            pred = model.predict(data, batch_size=1000, verbose=0)
            r["test_accuracy"] = float(np.mean(np.argmax(pred, axis=1) == y.astype("int64")))
        except Exception as exc:
            r["error"] = "%s: %s" % (type(exc).__name__, str(exc)[:300])
    print(MARK + json.dumps(out), flush=True)
main()
'''


def verify(files: Mapping[str, bytes], problems: Sequence[str], names: Sequence[str], datasets_dir: str | None,
           dataset: str | None, workdir: str, env: Mapping[str, str], prefix: Sequence[str] = (),
           timeout: float = VERIFY_TIMEOUT) -> dict[str, Any]:
    """The ``verified`` entry of a run: each saved model checked here, then loaded, counted and scored by a clean
    process started with ``prefix`` (the sandbox's command, or nothing) in ``workdir`` (a fresh folder of the
    grader's, removed by the caller); ``names``: the fit receivers asked for (``wanted_models``)."""
    t0 = time.perf_counter()
    models: list[dict[str, Any]] = []
    histories = {int(n[8:-5]): _history(b) for n, b in files.items() if n.startswith("history-")}
    saved = sorted((int(n[6:-6]), b) for n, b in files.items() if n.startswith("model-"))
    to_load: list[tuple[str, str]] = []
    models_dir = Path(workdir) / "models"
    models_dir.mkdir(mode=0o755, exist_ok=True)
    os.chmod(workdir, 0o755)
    for index, data in saved:
        entry: dict[str, Any] = {"name": names[index] if index < len(names) else f"model {index + 1}",
                                 "file_bytes": len(data), "history": histories.get(index)}
        cleaned, refused = clean_archive(data)
        if refused or cleaned is None:
            entry.update(status="refused", reason=refused)
        else:
            path = models_dir / f"model-{index}.keras"
            path.write_bytes(cleaned)
            os.chmod(path, 0o644)
            to_load.append((str(index), str(path)))
            entry["status"] = "pending"
        models.append(entry)
    data_path = str(Path(datasets_dir) / f"{dataset}.npz") if datasets_dir and dataset else None
    child: dict[str, Any] = {}
    if to_load:
        child = _run_child({"models": to_load, "data": data_path}, workdir, env, prefix, timeout)
    for index, entry in zip((i for i, _ in saved), models, strict=True):
        if entry["status"] != "pending":
            continue
        got = child.get("models", {}).get(str(index)) if isinstance(child.get("models"), dict) else None
        if not isinstance(got, dict):
            entry.update(status="failed", reason=str(child.get("error") or "the clean process gave no answer")[:500])
            continue
        entry["params"] = _count(got.get("params"))
        entry["layers"] = [c for c in (_count(v) for v in got.get("layers") or []) if c is not None][:200]
        entry["input_shape"] = [d if isinstance(d, int) and not isinstance(d, bool) else None
                                for d in (got.get("input_shape") or [])][:8]
        entry["test_accuracy"] = _fraction(got.get("test_accuracy"))
        reason = got.get("error")
        if entry["params"] is None:
            entry.update(status="failed", reason=str(reason or "no parameter count")[:500])
        elif reason:
            entry.update(status="not_scored", reason=str(reason)[:500])
        elif entry["test_accuracy"] is None:
            entry.update(status="not_scored", reason="no test data (--datasets)" if data_path is None else "not scored")
        else:
            entry.update(status="ok", reason=None)
    judged = models[-1]["name"] if models else None
    if not saved:
        why = "; ".join(problems) or "the kernel saved no Keras model (the notebook trained none, or its TensorFlow is not real)"
        status, reason = "no_model", why[:500]
    elif any(m["status"] == "ok" for m in models):
        status, reason = "ok", None
    else:
        status, reason = "failed", "; ".join(f"{m['name']}: {m.get('reason')}" for m in models)[:500]
    return {"status": status, "reason": reason, "dataset": dataset if data_path else None,
            "test_samples": _count(child.get("test_samples")), "keras": str(child.get("keras") or "")[:40] or None,
            "models": models, "judged": judged, "asked": list(names), "refused_files": list(problems)[:8],
            "seconds": round(time.perf_counter() - t0, 3)}


def _run_child(spec: Mapping[str, Any], workdir: str, env: Mapping[str, str], prefix: Sequence[str],
               timeout: float) -> dict[str, Any]:
    """Start the clean process, its output into files of this process (never a pipe it could fill), and read its answer."""
    out_dir = tempfile.mkdtemp(prefix="autograder-verify-out-")
    try:
        cmd = [*prefix, sys.executable, "-I", "-c", CHILD_CODE, json.dumps(spec)]
        with open(os.path.join(out_dir, "out"), "wb") as out, open(os.path.join(out_dir, "err"), "wb") as err:
            proc = subprocess.Popen(cmd, cwd=workdir, env=dict(env), stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                    start_new_session=True)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    os.killpg(proc.pid, 9)
                proc.wait()
                return {"error": f"the clean process ran longer than {timeout:g} s"}
        fd = open_folder(out_dir)
        try:
            text = read_regular(fd, "out", 4 << 20).decode("utf-8", "replace")
            tail = read_regular(fd, "err", 64 << 20)[-600:].decode("utf-8", "replace")
        finally:
            os.close(fd)
        for line in reversed(text.splitlines()):
            if line.startswith(MARK):
                with contextlib.suppress(ValueError):
                    doc = json.loads(line[len(MARK):])
                    if isinstance(doc, dict):
                        return doc
        last = [t for t in tail.splitlines() if t.strip()][-1:] or [f"exit code {proc.returncode}"]
        return {"error": f"the clean process failed: {last[0][:300]}"}
    except OSError as exc:
        return {"error": f"the clean process could not start: {exc}"}
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)


def _history(data: bytes) -> dict[str, Any] | None:
    """``history.history`` as the kernel wrote it, reduced to its keys and length (it is never scored)."""
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    keys = [str(k)[:60] for k, v in list(doc.items())[:20] if isinstance(v, list)]
    lengths = {len(v) for v in doc.values() if isinstance(v, list)}
    return {"keys": keys, "epochs": lengths.pop() if len(lengths) == 1 else None}


