"""``autograder run --cluster``: a Dask LocalCluster runs a batch with the same results as local workers.

The cluster's workers get only ``Task`` values (the notebook, the submitted bytes, the options) and the
datasets as one broadcast bundle, as workers on other machines would; results come back to this process,
which writes, grades and caches them. Needs the ``cluster`` extra (``dask[distributed]``).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.cli import main
from autograder.execute.run import Options, run_paths
from autograder.judge.spec import load_spec

distributed = pytest.importorskip("distributed")

REPO = Path(__file__).resolve().parents[1]


def _write(path: Path, *sources: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(new_notebook(cells=[new_code_cell(s) for s in sources]), str(path))


def _outputs(path: str) -> list[str]:
    """Each code cell's printed text and error names: what must not depend on where it ran."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    seen = []
    for cell in cells:  # joined per cell: how the kernel splits a stream into messages depends on timing
        texts = ["".join(o.get("text", "")) if isinstance(o.get("text"), list) else o.get("text", "") for o in cell.get("outputs", [])]
        seen.append("".join(texts))
        seen.append(",".join(o.get("ename", "") for o in cell.get("outputs", []) if o.get("ename")))
    return seen


def _essence(doc: dict) -> list[tuple]:
    return [(s["file"], s["status"], s["score"], s["max_score"], s["run"]["status"], s["run"]["cell"],
             tuple((c["id"], c["status"], c["points"]) for c in s["checks"]), tuple(f["kind"] for f in s["flags"]))
            for s in doc["submissions"]]


@pytest.mark.slow
def test_a_batch_on_a_dask_local_cluster_gives_the_local_results(tmp_path):
    np = pytest.importorskip("numpy")
    from autograder.execute.datasets import save_dataset

    data = tmp_path / "data"
    save_dataset(data, "mnist", (np.zeros((5, 28, 28), "uint8"), np.arange(5)), (np.ones((2, 28, 28), "uint8"), np.arange(2)))
    subs = tmp_path / "submissions"
    subs.mkdir()
    shutil.copy(REPO / "solutions" / "perceptron.ipynb", subs / "2412001_解答_1.ipynb")
    _write(subs / "2412002_ループ_1.ipynb", "print('start')", "while True:\n    pass")
    _write(subs / "2412003_データ_1.ipynb",
           "import os, sys\nos.makedirs('fakekeras/datasets')\n"
           "for f in ('fakekeras/__init__.py', 'fakekeras/datasets/__init__.py'):\n    open(f, 'w').close()\n"
           "open('fakekeras/datasets/mnist.py', 'w').write('def load_data():\\n    raise OSError(\"no internet\")\\n')\n"
           "sys.path.insert(0, os.getcwd())",
           "from fakekeras.datasets import mnist\n(x, y), (xt, yt) = mnist.load_data()\nprint(x.shape, int(xt.sum()))")
    options = Options(timeout_cell=4, timeout=120)
    spec = load_spec("perceptron")
    local = run_paths([str(subs)], spec, tmp_path / "local", options, jobs=2, datasets=str(data))

    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        code = main(["run", "-a", "perceptron", str(subs), "--datasets", str(data), "--cluster", cluster.scheduler_address,
                     "--timeout-cell", "4", "--timeout", "120", "-o", str(tmp_path / "cluster"),
                     "--json", str(tmp_path / "cluster.json")])
    assert code == 1  # one notebook was stopped by its time limit
    remote = json.loads((tmp_path / "cluster.json").read_text(encoding="utf-8"))
    assert _essence(remote) == _essence(local.to_json())
    by_status = {s["run"]["status"] for s in remote["submissions"]}
    assert by_status == {"ok", "timeout"}
    for here, there in zip(local.results, remote["submissions"], strict=False):
        assert there["run"]["executed"].startswith(str(tmp_path / "cluster"))
        assert _outputs(there["run"]["executed"]) == _outputs(here.executed), here.file
    served = next(s for s in remote["submissions"] if "データ" in s["file"])
    assert "(5, 28, 28) 1568" in "".join(_outputs(served["run"]["executed"]))  # the bundle reached the workers
    assert next(s for s in remote["submissions"] if "解答" in s["file"])["score"] == 100


@pytest.mark.slow
def test_gpu_runs_go_only_to_workers_with_the_gpu_resource(tmp_path):
    """Routing by Dask worker resources, tested on CPU workers: one claims ``GPU=1``, one does not."""
    from distributed import Scheduler, SpecCluster, Worker

    subs = tmp_path / "submissions"
    for i in range(3):
        _write(subs / f"24120{i}_gpu_1.ipynb", f"print({i})")
    workers = {"cpu": {"cls": Worker, "options": {"nthreads": 1, "name": "cpu"}},
               "gpu": {"cls": Worker, "options": {"nthreads": 1, "name": "gpu", "resources": {"GPU": 1}}}}
    scheduler = {"cls": Scheduler, "options": {"dashboard_address": None}}
    with SpecCluster(workers=workers, scheduler=scheduler) as cluster:
        report = run_paths([str(subs)], load_spec("perceptron"), tmp_path / "out", Options(timeout_cell=30, timeout=60, gpu=True),
                           cluster=cluster.scheduler_address)
    assert [r.status for r in report.results] == ["ok"] * 3
    assert {r.device.get("worker") for r in report.results} == {"gpu"}
    assert all(r.device.get("worker_resources") == {"GPU": 1} for r in report.results), [r.device for r in report.results]
    assert all(r.device.get("tensorflow") is False for r in report.results)  # no TensorFlow imported: no device claimed
