"""autograder.run, autograder.sandbox, autograder.nbtests: re-execution in contained kernels.

Fast tests restore hidden tests, grade test cells and check the command line without starting a kernel.
Slow tests (``-m slow``) start kernels on tiny pure-Python notebooks: an infinite loop, a memory bomb, a
notebook that tries to get out of its scratch folder, a crash; the perceptron's solution and released
notebook with their hidden tests; a resumed batch; ``nbgrader autograde`` on the course.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest import missing
from nbformat.v4 import new_code_cell, new_notebook

from autograder.cli import main
from autograder.course.hidden_tests import apply_test_cells, restore_hidden_tests, visible_part
from autograder.execute import contain
from autograder.execute import run as run_mod
from autograder.execute.run import Options, run_paths
from autograder.judge.spec import load_spec
from autograder.model.results import CheckResult
from autograder.pipeline import grade_notebook
from autograder.read.notebook import load_notebook
from autograder.read.runrecord import RunRecord

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO / "assignments" / "source" / "perceptron" / "perceptron.ipynb"
SOLUTION = REPO / "solutions" / "perceptron.ipynb"
LINUX = sys.platform.startswith("linux")


def _write(path: Path, *sources: str, metadata: dict | None = None) -> Path:
    nb = new_notebook(cells=[new_code_cell(s) for s in sources], metadata=metadata or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def _released() -> Any:
    """What students get: nbgrader's own ClearSolutions and ClearHiddenTests on the course source."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearSolutions

    nb = nbformat.read(SOURCE, as_version=4)
    nb, _ = ClearSolutions(code_stub={"python": "# ここにコードを書く\nraise NotImplementedError()"}).preprocess(nb, {})
    nb, _ = ClearHiddenTests().preprocess(nb, {})
    return nb


def _raw(nb: Any) -> dict:
    return json.loads(nbformat.writes(nb))


def _digests(folder: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def _errors(cell: dict) -> list[str]:
    return [o["ename"] for o in cell.get("outputs", []) if o["output_type"] == "error"]


def _text(cell: dict) -> str:
    texts = [o.get("text", "") for o in cell.get("outputs", []) if o["output_type"] == "stream"]
    return "".join("".join(t) if isinstance(t, list) else t for t in texts)


# ================================================================== restoring hidden tests (fast)

def test_restore_by_grade_id_puts_the_hidden_tests_back_into_the_released_notebook():
    source = _raw(nbformat.read(SOURCE, as_version=4))
    released = _raw(_released())
    assert "HIDDEN TESTS" not in json.dumps(released)
    restored = restore_hidden_tests(released, source, "perceptron.ipynb")
    ids = [c.id for c in load_spec("perceptron").checks]
    assert sorted(restored.by_id) == sorted(ids) and not restored.by_content and not restored.missing
    tests = {c["metadata"]["nbgrader"]["grade_id"]: c for c in restored.notebook["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade")}
    assert "kernel.check_functions(globals(), 'perceptron'" in "".join(tests["functions"]["source"])
    # the students' solution cells are untouched (still the stub)
    assert "raise NotImplementedError()" in "".join(restored.notebook["cells"][4]["source"])


def test_restore_by_content_when_the_metadata_is_lost():
    source = _raw(nbformat.read(SOURCE, as_version=4))
    solution = _raw(nbformat.read(SOLUTION, as_version=4))  # no nbgrader metadata at all
    restored = restore_hidden_tests(solution, source)
    assert sorted(restored.by_content) == sorted(c.id for c in load_spec("perceptron").checks)
    assert not restored.by_id and not restored.missing
    cell = restored.notebook["cells"][17]
    assert cell["metadata"]["nbgrader"]["points"] == 25 and "### BEGIN HIDDEN TESTS" in cell["source"]


def test_restore_by_content_passes_over_malformed_cells():
    """A submission's cell whose source is no text (null, a number, a list with numbers: a hand-edited file) is
    passed over, never read as the text "None" and never a crash; the tests are still found by content."""
    source = _raw(nbformat.read(SOURCE, as_version=4))
    solution = _raw(nbformat.read(SOLUTION, as_version=4))
    bad = [{"cell_type": "code", "source": src, "metadata": {}, "outputs": [], "execution_count": None}
           for src in (None, 7, [1, "x"], {"a": 1})]
    solution["cells"][1:1] = bad
    restored = restore_hidden_tests(solution, source)
    assert sorted(restored.by_content) == sorted(c.id for c in load_spec("perceptron").checks)
    assert not restored.missing
    assert [c["source"] for c in restored.notebook["cells"][1:5]] == [None, 7, [1, "x"], {"a": 1}]  # left as they were


def test_restore_reports_a_test_cell_that_was_changed_or_deleted():
    source = _raw(nbformat.read(SOURCE, as_version=4))
    solution = _raw(nbformat.read(SOLUTION, as_version=4))
    solution["cells"][17]["source"] = "# テスト\nassert True  # 書き換えた"
    del solution["cells"][22]  # the AND test
    restored = restore_hidden_tests(solution, source)
    assert set(restored.missing) == {"functions", "gate_and"}
    assert "functions" in restored.expected and "assert True" in restored.notebook["cells"][17]["source"]


def test_visible_part_is_what_nbgrader_releases():
    text = "a = 1\n### BEGIN HIDDEN TESTS\nsecret()\n### END HIDDEN TESTS\nassert a"
    assert visible_part(text) == "a = 1\nassert a"


# ================================================================== test cells as check results (fast)

def _graded_nb(tmp_path: Path, run_meta: dict | None, outputs: dict[int, list], sources: list[str]) -> Path:
    nb = new_notebook(metadata={"autograder": {"run": run_meta}} if run_meta is not None else {})
    for i, src in enumerate(sources):
        cell = new_code_cell(src, execution_count=i + 1)
        cell.outputs = [nbformat.from_dict(o) for o in outputs.get(i, [])]
        if src.startswith("# test "):
            gid, points = src.split()[2], float(src.split()[3])
            cell.metadata["nbgrader"] = {"grade": True, "grade_id": gid, "points": points, "solution": False, "locked": True}
        nb.cells.append(cell)
    path = tmp_path / "nb.ipynb"
    nbformat.write(nb, str(path))
    return path


def _check(check_id: str, status: str = "pass", points: float = 10) -> CheckResult:
    return CheckResult(id=check_id, category="code", status=status, points=points if status == "pass" else 0.0,
                       max_points=points, message="static", message_en="static")


def test_a_failing_test_cell_fails_its_check_and_a_passing_one_never_adds_points(tmp_path):
    err = {"output_type": "error", "ename": "AssertionError", "evalue": "step(0) の結果が 1 で、正しい値 0 と違います", "traceback": []}
    path = _graded_nb(tmp_path, {"tests": ["a", "b", "c", "gone"]}, {1: [err]},
                      ["x = 1", "# test a 10", "# test b 10", "# test c 10", "# test extra 5"])
    nb = load_notebook(path)
    checks = [_check("a"), _check("b", "fail"), _check("c"), _check("gone"), _check("other")]
    record = RunRecord("0" * 64, tests={"a": 10, "b": 10, "c": 10, "gone": 10})  # the run's record, not the metadata
    out = {c.id: c for c in apply_test_cells(checks, nb, record)}
    assert out["a"].status == "fail" and out["a"].points == 0 and "AssertionError: step(0)" in out["a"].message
    assert out["a"].cell == 1
    assert out["b"].status == "fail" and out["b"].message == "static"  # the test passed: the static verdict stands
    assert out["c"].status == "pass" and out["c"].points == 10
    assert out["gone"].status == "missing" and "gone" in out["gone"].message  # expected, but the cell is gone
    assert out["other"].status == "pass"  # no test cell for it: static only
    assert "extra" not in out  # not a spec check and not the instructor's test: its own points count for nothing


def test_a_test_cell_that_was_not_reached_is_missing(tmp_path):
    path = _graded_nb(tmp_path, {"tests": ["a"]}, {}, ["x = 1", "# test a 10"])
    raw = json.loads(path.read_text())
    raw["cells"][1]["execution_count"] = None
    path.write_text(json.dumps(raw))
    (out,) = apply_test_cells([_check("a")], load_notebook(path), RunRecord("0" * 64, tests={"a": 10}))
    assert out.status == "missing" and out.points == 0


def test_grade_counts_test_cells_only_in_notebooks_written_by_run(tmp_path):
    spec = load_spec("perceptron")
    solution = _raw(nbformat.read(SOLUTION, as_version=4))
    source = _raw(nbformat.read(SOURCE, as_version=4))
    nb = restore_hidden_tests(solution, source).notebook
    tables = next(c for c in nb["cells"] if "print('AND:'" in "".join(c["source"]))
    tables["execution_count"] = 20
    tables["outputs"] = [{"output_type": "stream", "name": "stdout",
                          "text": "AND: [0, 0, 0, 1]\nOR: [0, 1, 1, 1]\nNAND: [1, 1, 1, 0]\n"}]
    for i, cell in enumerate(nb["cells"]):
        if cell["metadata"].get("nbgrader", {}).get("grade"):
            cell["execution_count"] = 30 + i  # every test cell ran: passed without output…
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "gate_or":  # …but this one
            cell["outputs"] = [{"output_type": "error", "ename": "AssertionError", "evalue": "OR", "traceback": []}]
    student = tmp_path / "2412001_a_1.ipynb"
    student.write_text(json.dumps(nb))
    before = {c.id: c.status for c in grade_notebook(student, spec).checks}
    nb["metadata"].setdefault("autograder", {})["run"] = {"tests": [c.id for c in spec.checks]}
    student.write_text(json.dumps(nb))
    typed = {c.id: c.status for c in grade_notebook(student, spec).checks}  # a metadata key the student typed
    executed = tmp_path / "out" / "executed" / student.name
    executed.parent.mkdir(parents=True)
    executed.write_text(json.dumps(nb))
    from autograder.execute.cache import write_record
    write_record(tmp_path / "out", executed, "ok", nb, [c.id for c in spec.checks])  # the run's own record
    after = {c.id: c.status for c in grade_notebook(executed, spec).checks}
    assert before["gate_or"] == typed["gate_or"] == "pass"  # a student's own saved outputs: the static check only
    assert after["gate_or"] == "fail"
    assert after["gate_and"] == before["gate_and"] == "pass"
    executed.write_text(json.dumps(nb) + " ")  # other bytes: no record names them
    assert {c.id: c.status for c in grade_notebook(executed, spec).checks}["gate_or"] == "pass"


# ================================================================== environment, options, command line (fast)

def test_scrubbed_env_keeps_only_the_allowlist():
    env = run_mod.scrubbed_env({"PATH": "/usr/bin", "LANG": "ja_JP.UTF-8", "HOME": "/home/t", "AWS_SECRET_ACCESS_KEY": "x",
                                "GITHUB_TOKEN": "y", "TF_TOKEN_app_terraform_io": "z", "OMP_NUM_THREADS": "2",
                                "JUPYTER_TOKEN": "w", "SSH_AUTH_SOCK": "/tmp/s", "http_proxy": "http://p"})
    assert env == {"PATH": "/usr/bin", "LANG": "ja_JP.UTF-8", "OMP_NUM_THREADS": "2"}


def test_cache_key_changes_with_the_file_the_options_and_the_spec(tmp_path):
    nb = _write(tmp_path / "a.ipynb", "x = 1")
    spec = load_spec("perceptron")

    def key(options=Options(), spec=spec, path=nb):  # noqa: B008 - one Options() for the default key, on purpose
        base = run_mod._base_key(spec, SOURCE, options, None)
        return run_mod._prepare_one(str(path), spec, None, None, options, None, base, tmp_path / "x.ipynb").key

    first = key()
    assert key() == first
    assert key(Options(timeout_cell=5)) != first
    assert key(spec=load_spec("mlp")) != first
    _write(tmp_path / "a.ipynb", "x = 2")
    assert key() != first


def test_an_unreadable_file_is_not_run_and_the_batch_goes_on(tmp_path):
    bad = tmp_path / "2412009_b_1.ipynb"
    bad.write_bytes(b"%PDF-1.4 not a notebook")
    report = run_paths([str(bad)], load_spec("perceptron"), tmp_path / "out")
    (result,) = report.results
    assert result.status == "not_run" and result.submission.status == "error" and result.executed is None
    assert "PDF" in result.submission.error
    assert json.loads((tmp_path / "out" / "report.json").read_text())["submissions"][0]["run"]["status"] == "not_run"


def test_cli_run_stops_on_a_missing_datasets_folder(tmp_path, capsys):
    nb = _write(tmp_path / "a.ipynb", "x = 1")
    code = main(["run", "-a", "perceptron", str(nb), "--datasets", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert code == 2 and "nope" in capsys.readouterr().err


def test_cli_run_has_help_and_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = capsys.readouterr().out
    for option in ("--jobs", "--timeout-cell", "--timeout", "--memory", "--datasets", "--out", "--cluster", "--force", "--course"):
        assert option in text, option


def _cell(*outputs: dict) -> Any:
    cell = new_code_cell("x", execution_count=1)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def test_run_status_recognises_memory_failures_that_are_not_memory_errors():
    mapped = {"output_type": "error", "ename": "ImportError", "evalue": "libtensorflow_cc.so.2: failed to map segment from shared object", "traceback": []}  # noqa: E501 - a verbatim output
    unformatted = [{"output_type": "stream", "name": "stderr", "text": "Error in sys.excepthook:\nobject type name: MemoryError\n"},
                   {"output_type": "error", "ename": None, "evalue": None, "traceback": []}]
    plain = {"output_type": "error", "ename": "AssertionError", "evalue": "AND", "traceback": []}
    ok = {"output_type": "stream", "name": "stdout", "text": "MemoryError is a word I print\n"}

    def status(*cells, was="ok", tail=""):
        nb = new_notebook()
        nb.cells = list(cells)  # as received from a kernel: not validated (ename may be null)
        return run_mod._final_status(nb, was, 0 if was != "ok" else None, tail, None)

    assert status(_cell(ok), _cell(mapped)) == ("memory", 1, "MemoryError")
    assert status(_cell(*unformatted)) == ("memory", 0, "MemoryError")
    assert status(_cell(ok), _cell(plain)) == ("error", 1, "AssertionError")
    assert status(_cell(ok)) == ("ok", None, None)
    assert status(_cell(ok), was="dead", tail="terminate called after throwing an instance of 'std::bad_alloc'")[0] == "memory"
    assert status(_cell(ok), was="dead", tail="Fatal Python error: Segmentation fault")[0] == "dead"


def test_a_failed_reply_without_an_error_output_gets_one():
    cell = _cell({"output_type": "stream", "name": "stderr", "text": "lost sys.stderr\n"})
    run_mod._error_from_reply(cell, {"content": {"status": "error", "ename": "MemoryError", "evalue": "", "traceback": []}})
    assert [o.get("ename") for o in cell.outputs] == [None, "MemoryError"]
    run_mod._error_from_reply(cell, {"content": {"status": "error", "ename": "X", "evalue": "", "traceback": []}})
    assert len(cell.outputs) == 2  # it already shows an error
    fine = _cell()
    run_mod._error_from_reply(fine, {"content": {"status": "ok"}})
    assert not fine.outputs


def test_closed_ancestors_finds_the_folder_nobody_cannot_enter():
    import tempfile

    top = Path(tempfile.mkdtemp())  # pytest's own tmp folders are closed (0700) from their root: start in an open one
    try:
        os.chmod(top, 0o755)
        closed = top / "closed"
        (closed / "inside" / "data").mkdir(parents=True)
        os.chmod(closed, 0o700)
        data = str(closed / "inside" / "data")
        assert contain.closed_ancestors([data]) == (str(closed),)
        os.chmod(closed, 0o711)
        assert contain.closed_ancestors([data]) == ()
    finally:
        shutil.rmtree(top)


# ================================================================== kernels (slow)

@pytest.fixture(scope="module")
def contained() -> contain.Containment:
    return run_mod.containment(True)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> dict[str, Any]:
    """One batch of misbehaving notebooks, run once on two workers with tight limits."""
    root = tmp_path_factory.mktemp("hostile")
    home = root / "instructor-home"
    home.mkdir()
    (home / ".ssh").mkdir()
    (home / ".ssh" / "id_rsa").write_text("SECRET-KEY-MATERIAL")
    subs = root / "submissions"
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    port = server.getsockname()[1]
    loop = _write(subs / "loop.ipynb", "print('before the loop')", "while True:\n    pass", "print('never')")
    bomb = _write(subs / "bomb.ipynb", "print('start')",
                  "hog = []\nwhile True:\n    hog.append(bytearray(64 * 1024 * 1024))", "hog = None\nprint('after the bomb')")
    crash = _write(subs / "crash.ipynb", "print('alive')", "import ctypes\nctypes.string_at(0)", "print('never')")
    original = subs / "escape.ipynb"
    target = str(original)
    _write(original,
                    "import os\nprint('HOME', os.path.expanduser('~'))\nopen(os.path.expanduser('~/in-home.txt'), 'w').write('x')",
                    f"open({str(home / 'planted.txt')!r}, 'w').write('x')",
                    f"open({target!r}, 'w').write('overwritten')",
                    f"open({str(subs / 'planted.txt')!r}, 'w').write('x')",
                    "open('../../planted.txt', 'w').write('x')",
                    f"print(open({str(home / '.ssh' / 'id_rsa')!r}).read())",
                    "print(sorted(os.environ))\nprint(os.environ.get('AUTOGRADER_TEST_SECRET'))",
                    f"import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2)",
                    "print('uid', os.getuid())")
    before = _digests(subs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        mp.setenv("AUTOGRADER_TEST_SECRET", "s3cr3t-value")
        start = time.perf_counter()
        report = run_paths([str(subs)], load_spec("perceptron"), root / "out",
                           # 25 s per cell: a memory bomb writing 1.5 GB under a cgroup cap takes ~18 s on a busy VM
                           Options(timeout_cell=25, timeout=120, memory_mb=1536), jobs=2)
        elapsed = time.perf_counter() - start
    server.close()
    results = {Path(r.file).stem: r for r in report.results}
    executed = {k: json.loads(Path(r.executed).read_text()) for k, r in results.items() if r.executed}
    return {"report": report, "results": results, "executed": executed, "elapsed": elapsed, "home": home,
            "subs": subs, "before": before, "root": root, "paths": {"loop": loop, "bomb": bomb, "crash": crash}}


@pytest.mark.slow
def test_an_infinite_loop_is_stopped_by_the_cell_timeout(hostile):
    r = hostile["results"]["loop"]
    cells = hostile["executed"]["loop"]["cells"]
    assert r.status == "timeout" and r.cell == 1 and "25 秒" in r.message
    assert "before the loop" in _text(cells[0])  # partial outputs kept
    assert _errors(cells[1]) == ["CellTimeoutError"]
    assert cells[2]["execution_count"] is None and not cells[2]["outputs"]
    assert 25 <= r.seconds["cells"] < 60  # cut at its 25 s limit, not at the default 1200 s
    assert hostile["elapsed"] < 120  # the whole batch goes on: four notebooks on two workers


@pytest.mark.slow
@pytest.mark.skipif(not LINUX, reason="RLIMIT_AS is enforced on Linux only")
def test_a_memory_bomb_is_stopped_by_the_cap(hostile):
    r = hostile["results"]["bomb"]
    cells = hostile["executed"]["bomb"]["cells"]
    assert r.status == "memory" and r.cell == 1 and "1536 MB" in r.message
    assert _errors(cells[1]) == ["MemoryError"]
    assert "after the bomb" in _text(cells[2])  # the kernel survived the cap and went on


@pytest.mark.slow
def test_a_kernel_crash_is_reported(hostile):
    r = hostile["results"]["crash"]
    cells = hostile["executed"]["crash"]["cells"]
    assert r.status == "dead" and r.cell == 1
    assert "alive" in _text(cells[0]) and _errors(cells[1]) == ["DeadKernelError"]
    assert cells[2]["execution_count"] is None
    assert r.submission.status == "graded"  # still graded, on what it printed
    assert any(f.kind == "error_output" for f in r.submission.flags)


@pytest.mark.slow
def test_a_notebook_cannot_write_outside_its_scratch_folder(hostile, contained):
    r = hostile["results"]["escape"]
    cells = hostile["executed"]["escape"]["cells"]
    home, subs = hostile["home"], hostile["subs"]
    # everywhere: HOME is the scratch folder, the environment is scrubbed, the original is never the file run
    assert "HOME " in _text(cells[0]) and str(home) not in _text(cells[0]) and not _errors(cells[0])
    assert "AUTOGRADER_TEST_SECRET" not in _text(cells[6]) and "s3cr3t-value" not in _text(cells[6])
    assert _digests(subs) == hostile["before"]
    assert (home / ".ssh" / "id_rsa").read_text() == "SECRET-KEY-MATERIAL"
    assert not (home / "planted.txt").exists() and not (home / "in-home.txt").exists()
    assert not (hostile["root"] / "planted.txt").exists() and not list(Path("/tmp").glob("planted.txt"))
    if not contained.isolated:  # a skip on a developer's machine; in CI (strict mode, Linux as root) a failure
        missing(f"Linux namespaces are not available here ({contained.reason}): only HOME and the environment are contained",
                "Run the suite as root on Linux with user/mount/network namespaces allowed (unshare), as CI does.")
    for index in (1, 2, 3, 4):  # absolute paths to the instructor's home, the original, its folder; ../..
        assert _errors(cells[index]) in (["OSError"], ["PermissionError"], ["FileNotFoundError"]), (index, cells[index]["outputs"])
    assert _errors(cells[5]) in (["FileNotFoundError"], ["PermissionError"])  # the home is hidden or closed
    assert "SECRET-KEY-MATERIAL" not in json.dumps(cells)
    assert _errors(cells[7]) and _errors(cells[7])[0] in ("OSError", "ConnectionRefusedError", "TimeoutError")
    assert r.containment["isolated"] and r.containment["network"] and r.containment["filesystem"]
    if os.geteuid() == 0:
        assert "uid 65534" in _text(cells[8])


@pytest.mark.slow
def test_the_whole_notebook_timeout(tmp_path):
    nb = _write(tmp_path / "slow.ipynb", "import time\ntime.sleep(1.5)", "time.sleep(1.5)", "time.sleep(1.5)", "print('end')")
    report = run_paths([str(nb)], load_spec("perceptron"), tmp_path / "out", Options(timeout_cell=100, timeout=2.5))
    (r,) = report.results
    assert r.status == "timeout" and r.cell == 1 and "2.5" in r.message
    assert r.seconds["cells"] < 10


@pytest.fixture(scope="module")
def perceptron(tmp_path_factory) -> dict[str, Any]:
    """The solution, the released notebook and a solution whose softmax overflows, in one batch on two workers."""
    root = tmp_path_factory.mktemp("perceptron")
    subs = root / "submissions"
    subs.mkdir()
    shutil.copy(SOLUTION, subs / "2412001_解答_1.ipynb")
    nbformat.write(_released(), str(subs / "2412002_配布_1.ipynb"))
    naive = nbformat.read(SOLUTION, as_version=4)
    for cell in naive.cells:
        if "def softmax(mu):" in cell.source:
            cell.source = cell.source.replace("e = np.exp(mu - np.max(mu))", "e = np.exp(mu)")
    nbformat.write(naive, str(subs / "2412003_素朴_1.ipynb"))
    start = time.perf_counter()
    report = run_paths([str(subs)], load_spec("perceptron"), root / "out", Options(timeout_cell=60, timeout=300), jobs=2)
    return {"report": report, "root": root, "subs": subs, "elapsed": time.perf_counter() - start,
            "results": {r.submission.student_id: r for r in report.results}}


@pytest.mark.slow
def test_the_perceptron_solution_passes_its_hidden_tests(perceptron):
    r = perceptron["results"]["2412001"]
    assert r.status == "ok" and r.submission.score == 100 and r.submission.max_score == 100
    assert sorted(r.hidden_tests["by_content"]) == sorted(c.id for c in load_spec("perceptron").checks)
    executed = json.loads(Path(r.executed).read_text())
    assert any("kernel.check_functions" in "".join(c["source"]) and c["execution_count"] for c in executed["cells"])


@pytest.mark.slow
def test_the_released_perceptron_fails_its_hidden_tests(perceptron):
    r = perceptron["results"]["2412002"]
    assert r.status == "error" and r.submission.score == 0
    assert sorted(r.hidden_tests["by_id"]) == sorted(c.id for c in load_spec("perceptron").checks)
    assert all(c.status == "fail" for c in r.submission.checks)
    functions = next(c for c in r.submission.checks if c.id == "functions")
    assert "NotImplementedError" in functions.message  # the static check alone passes: the stubs are defined


@pytest.mark.slow
def test_hidden_tests_count_where_the_visible_ones_pass(perceptron):
    """A softmax that overflows passes the visible tests and the static checks; only the hidden test sees it."""
    r = perceptron["results"]["2412003"]
    static = {c.id: c.status for c in grade_notebook(perceptron["subs"] / "2412003_素朴_1.ipynb", "perceptron").checks}
    assert static["functions"] == "pass"
    checks = {c.id: c for c in r.submission.checks}
    assert checks["functions"].status == "fail" and "softmax" in checks["functions"].message
    assert r.submission.score == 75


@pytest.mark.slow
def test_the_executed_notebook_grades_the_same_with_autograder_grade(perceptron):
    for r in perceptron["report"].results:
        again = grade_notebook(r.executed, "perceptron")
        assert [(c.id, c.status, c.points) for c in again.checks] == [(c.id, c.status, c.points) for c in r.submission.checks]
        assert Path(r.executed).resolve().is_relative_to((perceptron["root"] / "out").resolve())


@pytest.mark.slow
def test_a_finished_batch_is_not_run_again_unless_forced(perceptron):
    out = perceptron["root"] / "out"
    start = time.perf_counter()
    again = run_paths([str(perceptron["subs"])], load_spec("perceptron"), out, Options(timeout_cell=60, timeout=300), jobs=2)
    assert time.perf_counter() - start < 5 and all(r.cached for r in again.results)
    assert [r.to_json()["score"] for r in again.results] == [r.to_json()["score"] for r in perceptron["report"].results]
    one = perceptron["subs"] / "2412001_解答_1.ipynb"
    forced = run_paths([str(one)], load_spec("perceptron"), out, Options(timeout_cell=60, timeout=300), force=True)
    assert not forced.results[0].cached and forced.results[0].status == "ok"


@pytest.mark.slow
def test_datasets_are_served_to_an_unchanged_load_data(tmp_path):
    np = pytest.importorskip("numpy")
    from autograder.execute.datasets import save_dataset

    data = tmp_path / "private" / "data"
    save_dataset(data, "mnist", (np.zeros((7, 28, 28), "uint8"), np.arange(7)), (np.ones((3, 28, 28), "uint8"), np.arange(3)))
    os.chmod(tmp_path / "private", 0o700)  # a folder nobody else may enter: the kernel still reads the data
    nb = _write(tmp_path / "subs" / "data.ipynb",
                "import os, sys\nos.makedirs('fakekeras/datasets')\n"
                "for f in ('fakekeras/__init__.py', 'fakekeras/datasets/__init__.py'):\n    open(f, 'w').close()\n"
                "open('fakekeras/datasets/mnist.py', 'w').write('def load_data():\\n    raise OSError(\"no internet\")\\n')\n"
                "sys.path.insert(0, os.getcwd())",
                "from fakekeras.datasets import mnist\n(x, y), (xt, yt) = mnist.load_data()\nprint(x.shape, xt.shape, int(xt.sum()))")
    report = run_paths([str(nb)], load_spec("perceptron"), tmp_path / "out", Options(timeout_cell=60), datasets=str(data))
    (r,) = report.results
    cells = json.loads(Path(r.executed).read_text())["cells"]
    assert r.status == "ok", cells
    assert "(7, 28, 28) (3, 28, 28) 2352" in _text(cells[1])


@pytest.mark.slow
def test_nbgrader_autograde_still_works_on_the_course(tmp_path, released_course):
    """The other path: nbgrader's own autograde of our course folder, with the hidden tests, agrees with run."""
    course = tmp_path / "course"
    shutil.copytree(released_course, course)  # the session's released course (tests/conftest.py), not released again
    released = nbformat.read(course / "release" / "perceptron" / "perceptron.ipynb", as_version=4)
    solved = nbformat.read(SOLUTION, as_version=4)
    for cell, answer in zip(released.cells, solved.cells, strict=False):  # the student fills in the released notebook
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answer.source
    submitted = course / "submitted" / "2412001" / "perceptron" / "perceptron.ipynb"
    submitted.parent.mkdir(parents=True)
    nbformat.write(released, str(submitted))
    script = ("import json\nfrom nbgrader.apps import NbGraderAPI\nfrom traitlets.config.loader import PyFileConfigLoader\n"
              "api = NbGraderAPI(config=PyFileConfigLoader('nbgrader_config.py', path='.').load_config())\n"
              "result = api.autograde('perceptron', '2412001')\n"
              "assert result['success'], result\n"
              "print(json.dumps(api.gradebook.find_submission('perceptron', '2412001').score))\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=course, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert float(proc.stdout.strip().splitlines()[-1]) == 100
    report = run_paths([str(submitted)], load_spec("perceptron"), tmp_path / "out", Options(timeout_cell=60),
                       course=str(course))
    (r,) = report.results
    assert r.submission.score == 100 and sorted(r.hidden_tests["by_id"]) == sorted(c.id for c in load_spec("perceptron").checks)
    assert r.submission.student_id == "2412001"
