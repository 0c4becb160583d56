"""Offline datasets: ``.npz`` files served to a notebook's unchanged ``load_data()``; never TensorFlow, never cli.

Never imports TensorFlow or Keras (the kernel does, later, and is patched when it does); numpy, scikit-learn
and nbclient are imported lazily, inside the functions that need them. ``execute_notebook`` runs a notebook
with them on the kernel driver of ``autograder run`` (``kernel_run``), with isolation off.

How it works. ``execute_notebook`` starts the kernel with two environment variables set for that kernel
only: ``IPYTHONDIR``, a temporary folder holding one IPython startup file, and ``AUTOGRADER_DATASETS``,
the folder of ``<name>.npz`` files. The startup file installs an import hook (a ``sys.meta_path`` finder)
and nothing else; when any module named ``….datasets.<name>`` is imported later — ``keras.src.datasets.mnist``,
``keras.datasets.mnist``, ``tensorflow.keras.datasets.fashion_mnist``, Keras 2's ``keras.datasets.mnist`` —
its ``load_data`` is replaced, right after the module runs, by a function that reads
``$AUTOGRADER_DATASETS/<name>.npz``. Only names that have a file are served; any other ``load_data`` is left
alone. The notebook's code is not changed.

A ``.npz`` file holds ``x_train``, ``y_train``, ``x_test``, ``y_test`` — the layout of Keras' own cached
``~/.keras/datasets/mnist.npz``, which can be copied in as it is. ``save_dataset`` writes one from arrays.

Instructors, for nbgrader autograde without internet::

    python -m autograder.datasets standin /tmp/data   # MNIST's sizes 60,000/10,000 (fewer: --train/--test); or copy .npz files
    export IPYTHONDIR=$(python -m autograder.datasets ipython-dir /tmp/ipython) AUTOGRADER_DATASETS=/tmp/data
    nbgrader autograde mlp
"""
from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.execute.kernel_run import kernel_manager, run_notebook
from autograder.execute.values import Options

ENV_VAR = "AUTOGRADER_DATASETS"
STARTUP_NAME = "00-autograder-datasets.py"
MNIST_TRAIN, MNIST_TEST = 60_000, 10_000  # the command's default sizes: code such as x_train.reshape(60000, 784) works
DATASET_NAMES = ("mnist", "fashion_mnist")  # what make_standin_datasets writes; any <name>.npz is served

# The startup file's text. Standard library only at kernel start; numpy when load_data is called.
STARTUP_CODE = r'''"""autograder: serve $AUTOGRADER_DATASETS/<name>.npz to keras.datasets.<name>.load_data (import hook)."""
def _autograder_install_dataset_hook():
    import importlib.abc
    import os
    import re
    import sys

    folder = os.environ.get("AUTOGRADER_DATASETS", "")
    if not folder or not os.path.isdir(folder):
        return
    served = {f[:-4] for f in os.listdir(folder) if f.endswith(".npz")}
    if not served:
        return
    pattern = re.compile(r"(?:^|\.)datasets\.(" + "|".join(re.escape(n) for n in sorted(served)) + r")$")

    def make_load_data(name):
        path = os.path.join(folder, name + ".npz")

        def load_data(*args, **kwargs):
            """Local stand-in for keras.datasets.%s.load_data (autograder offline execution).""" % name
            import numpy as np
            with np.load(path, allow_pickle=False) as f:
                return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
        load_data.__autograder_dataset__ = path
        return load_data

    def patch(module, name):
        if hasattr(module, "load_data") and not hasattr(module.load_data, "__autograder_dataset__"):
            module.load_data = make_load_data(name)

    class Loader(importlib.abc.Loader):
        def __init__(self, inner, name):
            self.inner, self.name = inner, name

        def create_module(self, spec):
            return self.inner.create_module(spec)

        def exec_module(self, module):
            self.inner.exec_module(module)
            patch(module, self.name)

        def __getattr__(self, attr):  # get_source, get_filename, … for inspect and tracebacks
            return getattr(self.inner, attr)

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, fullname, path, target=None):
            m = pattern.search(fullname)
            if not m:
                return None
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                        spec.loader = Loader(spec.loader, m.group(1))
                    return spec
            return None

    for modname, module in list(sys.modules.items()):  # imported before us (not usual): patch in place
        m = pattern.search(modname)
        if m and module is not None:
            patch(module, m.group(1))
    sys.meta_path.insert(0, Finder())


_autograder_install_dataset_hook()
del _autograder_install_dataset_hook
'''


# ------------------------------------------------------------------ data files

def save_dataset(folder: str | os.PathLike[str], name: str, train: tuple[Any, Any], test: tuple[Any, Any]) -> Path:
    """Write ``<folder>/<name>.npz`` with ``x_train``, ``y_train``, ``x_test``, ``y_test``; return its path."""
    import numpy as np

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.npz"
    np.savez_compressed(path, x_train=np.asarray(train[0]), y_train=np.asarray(train[1]),
                        x_test=np.asarray(test[0]), y_test=np.asarray(test[1]))
    return path


def load_dataset(folder: str | os.PathLike[str], name: str) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """Read ``<folder>/<name>.npz`` as ``load_data()`` returns it: ``(x_train, y_train), (x_test, y_test)``."""
    import numpy as np

    with np.load(Path(folder) / f"{name}.npz", allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def make_standin_datasets(folder: str | os.PathLike[str], n_train: int = MNIST_TRAIN, n_test: int = MNIST_TEST, seed: int = 0,
                          names: Sequence[str] = DATASET_NAMES) -> dict[str, Path]:
    """Stand-ins in the real shapes, built from scikit-learn's bundled digits (no download).

    Each 8×8 digit (values 0–16) is enlarged to 24×24, placed on a 28×28 canvas at a random offset of up
    to ±2 pixels, scaled to 0–255 with a little noise, as uint8: ``x`` is ``(N, 28, 28)``, ``y`` is ``(N,)``
    uint8 in 0–9. Train and test images come from disjoint digits (1,297 and 500 source images), so the
    test score means something. Fashion-MNIST's stand-in is the same kind of data with another seed:
    it has the right shapes, not clothes. Returns ``{name: path}``.
    """
    import numpy as np
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = digits.images.astype(np.float64)  # (1797, 8, 8), 0..16
    labels = digits.target.astype(np.uint8)
    order = np.random.default_rng(12345).permutation(len(images))
    test_pool, train_pool = order[:500], order[500:]
    paths = {}
    for k, name in enumerate(names):
        rng = np.random.default_rng(seed + 1000 * k)
        train = _render(images, labels, train_pool, n_train, rng)
        test = _render(images, labels, test_pool, n_test, rng)
        paths[name] = save_dataset(folder, name, train, test)
    return paths


def _render(images: Any, labels: Any, pool: Any, n: int, rng: Any) -> tuple[Any, Any]:
    import numpy as np

    picks = pool[rng.permutation(len(pool))] if n <= len(pool) else rng.choice(pool, size=n, replace=True)
    picks = picks[:n]
    big = np.kron(images[picks], np.ones((3, 3)))  # (n, 24, 24)
    out = np.zeros((n, 28, 28))
    shifts = rng.integers(0, 5, size=(n, 2))  # top-left corner 0..4: centred at 2, ±2 pixels
    for i, (dy, dx) in enumerate(shifts):
        out[i, dy:dy + 24, dx:dx + 24] = big[i]
    out = out * (255.0 / 16.0) + rng.normal(0.0, 8.0, size=out.shape)
    return np.clip(out, 0, 255).astype(np.uint8), labels[picks].astype(np.uint8)


# ------------------------------------------------------------------ kernel environment

def prepare_ipython_dir(folder: str | os.PathLike[str]) -> Path:
    """Make ``folder`` an IPython directory whose only startup file is the dataset hook; return it."""
    startup = Path(folder) / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / STARTUP_NAME).write_text(STARTUP_CODE, encoding="utf-8")
    return Path(folder)


def kernel_env(datasets_dir: str | os.PathLike[str], ipython_dir: str | os.PathLike[str],
               base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for one kernel: ``base`` (default ``os.environ``) plus ``IPYTHONDIR`` and the data folder."""
    env = dict(os.environ if base is None else base)
    env["IPYTHONDIR"] = str(Path(ipython_dir).resolve())
    env[ENV_VAR] = str(Path(datasets_dir).resolve())
    return env


def execute_notebook(path_in: str | os.PathLike[str], path_out: str | os.PathLike[str] | None,
                     datasets_dir: str | os.PathLike[str] | None = None, timeout: int | None = 1200,
                     allow_errors: bool = True, kernel_name: str = "python3", cwd: str | os.PathLike[str] | None = None) -> Any:
    """Execute a notebook top to bottom in a fresh kernel and return it (an ``nbformat.NotebookNode``).

    ``datasets_dir``: serve its ``<name>.npz`` files to ``keras.datasets.<name>.load_data()`` (see the module
    docstring); None runs with the real, downloading ``load_data``. ``timeout``: seconds per cell.
    ``allow_errors``: keep going after a cell fails (its error becomes an output, as a student would see);
    False raises ``nbclient.exceptions.CellExecutionError``. ``path_out``: where to write the executed
    notebook (None: do not write). ``cwd``: the kernel's working folder (default: the notebook's folder).
    The notebook's metadata records ``autograder.executed_with_datasets`` (True/False).

    The kernel driver is ``autograder run``'s, with isolation off and no limit but ``timeout``: the kernel
    gets this process's environment and stdout/stderr, is not wrapped in the sandbox, and a cell that runs out
    of time, a kernel that dies or does not start raises nbclient's error, as ``NotebookClient.execute`` does.
    """
    import nbformat

    path_in = Path(path_in)
    nb = nbformat.read(path_in, as_version=4)
    opts = Options(timeout_cell=timeout if timeout and timeout > 0 else 0, timeout=0, memory_mb=0, max_file_mb=0,
                   isolate=False, kernel_name=kernel_name)
    with tempfile.TemporaryDirectory(prefix="autograder-ipython-") as ipython_dir:
        env = None
        if datasets_dir is not None:
            prepare_ipython_dir(ipython_dir)
            env = kernel_env(datasets_dir, ipython_dir)
        with tempfile.TemporaryDirectory(prefix="autograder-kernel-") as conn:
            km = kernel_manager(Path(conn) / "kernel.json", kernel_name)
            done = run_notebook(nb, km, opts, str(Path(cwd or path_in.parent).resolve()), env, allow_errors=allow_errors,
                                widgets=True)
    if done.error is not None:
        raise done.error
    nb.metadata.setdefault("autograder", {})["executed_with_datasets"] = datasets_dir is not None
    if path_out is not None:
        Path(path_out).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, str(path_out))
    return nb


# ------------------------------------------------------------------ datasets for cluster workers

@dataclass(frozen=True)
class DatasetBundle:
    """The ``.npz`` files of a datasets folder, sent to cluster workers that do not share this disk."""

    digest: str
    files: Mapping[str, bytes]


def read_bundle(datasets_dir: str) -> DatasetBundle:
    """The ``.npz`` files of ``datasets_dir`` and their digest (part of ``autograder run``'s cache key)."""
    files = {p.name: p.read_bytes() for p in sorted(Path(datasets_dir).glob("*.npz"))}
    digest = hashlib.sha256()
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return DatasetBundle(digest.hexdigest(), files)


def materialize(bundle: DatasetBundle) -> str:
    """The bundle as a folder on this worker (written once per digest, removed when the worker that wrote it ends)."""
    folder = Path(tempfile.gettempdir()) / f"autograder-datasets-{bundle.digest[:16]}"
    if not folder.is_dir():
        staging = Path(tempfile.mkdtemp(prefix="autograder-datasets-"))
        for name, data in bundle.files.items():
            (staging / name).write_bytes(data)
        os.chmod(staging, 0o755)
        try:
            os.rename(staging, folder)
            atexit.register(shutil.rmtree, folder, True)  # the worker that wrote it removes it when it ends
        except OSError:  # another worker was first
            shutil.rmtree(staging, ignore_errors=True)
    return str(folder)


# ------------------------------------------------------------------ command line (instructors)

def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m autograder.datasets",
                                     description="オフライン実行用のデータセット / offline datasets for executing notebooks")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("standin", help="scikit-learn の digits から代用データを作る / build stand-in .npz files")
    p.add_argument("folder")
    p.add_argument("--train", type=int, default=MNIST_TRAIN, help=f"default {MNIST_TRAIN}: MNIST's own size")
    p.add_argument("--test", type=int, default=MNIST_TEST, help=f"default {MNIST_TEST}: MNIST's own size")
    p.add_argument("--seed", type=int, default=0)
    p = sub.add_parser("ipython-dir", help="フックだけを持つ IPYTHONDIR を作り、そのパスを表示 / make an IPYTHONDIR with the hook")
    p.add_argument("folder")
    p = sub.add_parser("execute", help="ノートブックを実行する / execute a notebook with local datasets")
    p.add_argument("notebook")
    p.add_argument("output")
    p.add_argument("--datasets", required=True)
    p.add_argument("--timeout", type=int, default=1200)
    args = parser.parse_args(argv)
    if args.command == "standin":
        for name, path in make_standin_datasets(args.folder, args.train, args.test, args.seed).items():
            print(f"{name}: {path}")
    elif args.command == "ipython-dir":
        print(prepare_ipython_dir(args.folder).resolve())
    else:
        execute_notebook(args.notebook, args.output, args.datasets, args.timeout)
        print(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
