"""The students' self-check: the released cell (read-only, ignored by the grader), Colab's front-end call (a stand-in
module), a real Jupyter server + kernel, the built wheel in a fresh venv, the file-name verdict, any console encoding."""
from __future__ import annotations

import copy
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.pipeline import grade_notebook
from autograder.read.names import name_verdict
from autograder.read.selfcheck_cell import TAG, cell_source, is_selfcheck_cell

pytestmark = pytest.mark.timeout(120)

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "examples" / "submissions" / "2412001_青木陽菜_2.ipynb"  # an mlp submission with its outputs
RELEASED = {a: REPO / "assignments" / "source" / a / f"{a}.ipynb" for a in ("perceptron", "mlp", "history", "dropout")}
SOLUTIONS = {a: REPO / "solutions" / f"{a}.ipynb" for a in RELEASED}

# What a student's run of the cell leaves behind: ✓/✗ lines, points, a test accuracy, a summary's total.
CELL_OUTPUT = [
    {"output_type": "stream", "name": "stdout", "text": [
        "課題2: MLP を作る（MNIST） — 2412001_青木陽菜_2.ipynb\n", "✓ 20/20  総パラメータ数が 25,450\n",
        "Total params: 99,999\n", "Test accuracy: 0.9999\n", "Epoch 1/30\n", "✗ 0/20  テストデータの正解率\n", "合計: 100/100 点\n"]},
    {"output_type": "display_data", "metadata": {},
     "data": {"text/html": ["<table><tr><td>✓</td><td>20/20</td></tr></table>"], "text/plain": ["<IPython.core.display.HTML object>"]}},
]


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _selfcheck_cells(assignment: str = "mlp") -> list[dict]:
    """The released notebook's last two cells (the explanation and the self-check code cell)."""
    return copy.deepcopy(_load(RELEASED[assignment])["cells"][-2:])


def _with_cell(nb: dict, outputs: list | None = None, count: int | None = None, metadata: bool = True) -> dict:
    nb = copy.deepcopy(nb)
    md, code = _selfcheck_cells()
    code["outputs"] = copy.deepcopy(outputs or [])
    code["execution_count"] = count
    if not metadata:
        code["metadata"] = {}
    nb["cells"] += [md, code]
    return nb


def _write(path: Path, nb: dict) -> Path:
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return path


def _graded(path: Path) -> dict:
    doc = grade_notebook(path, "mlp").to_json()
    doc.pop("file")
    return doc


# ------------------------------------------------------------------ the released cell

@pytest.mark.parametrize("assignment", sorted(RELEASED))
def test_every_released_notebook_ends_with_the_locked_selfcheck_cell(assignment):
    cells = _load(RELEASED[assignment])["cells"]
    last = cells[-1]
    assert last["cell_type"] == "code" and is_selfcheck_cell("".join(last["source"]))
    meta = last["metadata"]["nbgrader"]
    assert meta["locked"] is True and meta["grade"] is False and meta["solution"] is False and "points" not in meta
    assert TAG in last["metadata"]["tags"]
    assert f'show("{assignment}")' in "".join(last["source"])
    assert "提出前の自己チェック" in "".join(cells[-2]["source"])
    solution = _load(SOLUTIONS[assignment])["cells"][-1]
    assert is_selfcheck_cell("".join(solution["source"])) and "nbgrader" not in solution["metadata"]


def test_the_cell_takes_its_install_location_from_the_course_config():
    from assignments.build.selfcheck import pip_args

    args = pip_args()
    source = "".join(_load(RELEASED["mlp"])["cells"][-1]["source"])
    assert source == cell_source("mlp", args)
    assert "PIP = [" + ", ".join(f'"{a}"' for a in args) + "]" in source


def test_the_cell_is_recognised_by_its_code_only():
    source = cell_source("mlp", ["kadai-autograder @ https://example.org/a.whl"])
    assert is_selfcheck_cell(source)
    assert is_selfcheck_cell(cell_source("dropout", ["--index-url", "https://x/simple", "kadai-autograder"]))
    assert is_selfcheck_cell(source.replace("\n", "\r\n") + "\n# a comment\n")  # line ends, comments: still the cell
    assert is_selfcheck_cell("\n".join(line for line in source.splitlines() if not line.startswith("#")))
    # anything else in it and it is an ordinary cell again: nothing can hide behind the template
    assert not is_selfcheck_cell(source + "\nprint('Test accuracy: 0.99')")
    assert not is_selfcheck_cell(source.replace('show("mlp")', 'show("mlp"); model.fit(x, y)'))
    assert not is_selfcheck_cell(source.replace('show("mlp")', 'show("mlp" + str(model.evaluate(x, y)))'))
    assert not is_selfcheck_cell(source.replace('"-q", *PIP]', '"-q", *PIP, "x\\" + y"]'))
    assert not is_selfcheck_cell("# autograder.selfcheck\nprint('Test accuracy: 0.99')")
    with pytest.raises(ValueError):
        cell_source("mlp", ['x" + str(1) + "'])


def test_a_notebook_grades_the_same_with_the_cells_output_and_without(tmp_path):
    nb = _load(SAMPLE)
    variants = {"original": nb, "unrun": _with_cell(nb), "run": _with_cell(nb, CELL_OUTPUT, count=99),
                "stripped": _with_cell(nb, CELL_OUTPUT, count=1, metadata=False)}  # metadata removed by a tool
    graded = {}
    for key, doc in variants.items():
        (tmp_path / key).mkdir()
        graded[key] = _graded(_write(tmp_path / key / SAMPLE.name, doc))
    original, unrun, run, stripped = (graded[k] for k in ("original", "unrun", "run", "stripped"))
    assert run == unrun == original == stripped
    assert original["score"] > 0


def test_a_tag_alone_hides_nothing(tmp_path):
    """A student's own cell tagged like the self-check one is read like any other cell."""
    nb = _load(SAMPLE)
    forged = {"cell_type": "code", "execution_count": 50, "id": "x1", "metadata": {"tags": [TAG]},
              "source": ["# autograder.selfcheck\n", "print('Test accuracy:', 0.5)"],
              "outputs": [{"output_type": "stream", "name": "stdout", "text": ["Test accuracy: 0.5\n"]}]}
    nb["cells"].append(forged)
    from autograder.read.extract import extract
    from autograder.read.notebook import from_dict

    plain, tagged = extract(from_dict(_load(SAMPLE))), extract(from_dict(nb))
    assert tagged.execution.code_cells == plain.execution.code_cells + 1
    assert len(nb["cells"]) - 1 in {e.cell for e in tagged.evaluations}  # its printed accuracy was read
    with_cell = extract(from_dict(_with_cell(_load(SAMPLE), CELL_OUTPUT, count=99)))
    assert with_cell.execution == plain.execution and with_cell.evaluations == plain.evaluations


# ------------------------------------------------------------------ the file-name verdict, the same as collect's

NAMES = ["2412001_山田太郎_2.ipynb", "2412002_山田花子_3.ipynb", "Untitled0.ipynb", "mlp.ipynb", "2412003_佐藤_2 (1).ipynb",
         "２４１２００４＿鈴木＿２.ipynb", "2412005_田中_2.pdf", "2412006_伊藤_課題2.ipynb", "2412007_渡辺_kadai2.ipynb",
         "山田_2.ipynb", "2412008_中村.ipynb"]


def test_the_name_verdict_is_what_collect_does():
    from autograder.course.collect.archive import list_entries
    from autograder.course.collect.plan import Planned, plan_collection

    buf = io.BytesIO()
    notebook = SAMPLE.read_bytes()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in NAMES:
            zf.writestr(name, notebook)
    with zipfile.ZipFile(buf) as zf:
        plan = plan_collection(list_entries(zf), lambda info, limit: zf.read(info), 2)
    for name, row in zip(NAMES, plan, strict=True):
        verdict = name_verdict(name, 2)
        assert verdict.accepted == isinstance(row, Planned), (name, row)
        if isinstance(row, Planned):
            assert row.student_id == verdict.student_id and verdict.number == 2
        else:
            assert verdict.code == row.code, (name, row.code)


def test_the_name_verdict_says_what_to_do():
    ok = name_verdict("2412001_山田太郎_2.ipynb", 2)
    assert ok.accepted and ok.message() == "ファイル名 OK: 学籍番号 2412001、課題2 として受け付けられます。"
    wrong = name_verdict("2412001_山田太郎_3.ipynb", 2)
    assert not wrong.accepted and wrong.code == "wrong_assignment" and wrong.suggested == "2412001_山田太郎_2.ipynb"
    assert "警告" in wrong.message() and "2412001_山田太郎_2.ipynb" in wrong.message() and "3" in wrong.message()
    missing = name_verdict("Untitled0.ipynb", 4)
    assert missing.code == "bad_name" and "学籍番号_名前_4.ipynb" in missing.message()
    assert "will be refused" in missing.message("en")


def test_check_prints_the_file_name_verdict_and_keeps_its_exit_code(tmp_path, capsys):
    from autograder.cli import main

    good = _write(tmp_path / "2412001_山田太郎_2.ipynb", _load(SAMPLE))
    wrong = _write(tmp_path / "2412001_山田太郎_3.ipynb", _load(SAMPLE))
    code_good = main(["check", str(good)])
    out_good = capsys.readouterr().out
    code_wrong = main(["check", str(wrong), "--assignment", "mlp"])
    out_wrong = capsys.readouterr().out
    assert "ファイル名 OK: 学籍番号 2412001、課題2" in out_good
    assert "警告: ファイル名 2412001_山田太郎_3.ipynb" in out_wrong and "2412001_山田太郎_2.ipynb という名前で保存" in out_wrong
    assert code_good == code_wrong  # a warning: the exit code is the checks'


# ------------------------------------------------------------------ Colab: a stand-in for its front-end module

STANDIN = '''"""Stand-in for google.colab._message: only the call the self-check uses, answering the way Colab does."""
import json
import os


def blocking_request(request_type, request="", timeout_sec=5, parent=None):
    if request_type != "get_ipynb":
        raise ValueError(request_type)
    with open(os.environ["STANDIN_NOTEBOOK"], encoding="utf-8") as f:
        return {"ipynb": json.load(f)}
'''


def _standin(root: Path, nb: dict, colab_name: str) -> dict[str, str]:
    pkg = root / "standin" / "google" / "colab"
    pkg.mkdir(parents=True)
    (pkg.parent / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "_message.py").write_text(STANDIN, encoding="utf-8")
    nb = copy.deepcopy(nb)
    nb["metadata"]["colab"] = {"name": colab_name, "provenance": []}
    live = root / "live.json"  # what the front end holds; no file of this name exists beside the kernel
    live.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return {"STANDIN_NOTEBOOK": str(live)}


def _cell_code(assignment: str = "mlp") -> str:
    return "".join(_load(RELEASED[assignment])["cells"][-1]["source"])


def _run_cell(python: str, pythonpath: list[Path], env_extra: dict[str, str], cwd: Path, timeout: int = 60):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "JPY_SESSION_NAME")}
    env.update(env_extra, PYTHONPATH=os.pathsep.join(map(str, pythonpath)), PYTHONIOENCODING="utf-8")
    # the stand-in is imported first, as Colab's kernel has google.colab loaded before any cell runs
    code = "import google.colab._message\n" + _cell_code()
    return subprocess.run([python, "-c", code], capture_output=True, text=True, encoding="utf-8", env=env, cwd=cwd,
                          timeout=timeout)


def test_the_cell_reads_the_live_notebook_from_colab(tmp_path):
    env = _standin(tmp_path, _with_cell(_load(SAMPLE), CELL_OUTPUT, count=40), "2412001_青木陽菜_3.ipynb")
    done = _run_cell(sys.executable, [tmp_path / "standin", REPO], env, tmp_path)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    expected = grade_notebook(SAMPLE, "mlp")
    assert f"合計: {expected.to_json()['score']:g}" in out.replace(".0/", "/") or "合計:" in out
    assert "確認したもの: Colab で開いているノートブック（いまの状態）: 2412001_青木陽菜_3.ipynb" in out
    assert "警告: ファイル名 2412001_青木陽菜_3.ipynb" in out and "2412001_青木陽菜_2.ipynb という名前で保存" in out
    assert "これは採点ではなく、何も実行していません。" in out


def test_the_html_checklist(tmp_path):
    from autograder import selfcheck

    cpu = SAMPLE.parent / "2412003_上田結衣_2.ipynb"  # run on a CPU: the GPU check fails, with its cell
    path = _write(tmp_path / cpu.name, _with_cell(_load(cpu), CELL_OUTPUT, count=40))
    done = selfcheck.check("mlp", path=path)
    expected = grade_notebook(cpu, "mlp")
    assert done.result.score == expected.score and [c.status for c in done.result.checks] == [c.status for c in expected.checks]
    page = selfcheck.render_html(done)
    assert page.count("<tr>") == 1 + len([c for c in done.result.checks if not c.hidden])
    assert "自己チェック" in page and "ファイル名 OK: 学籍番号 2412003、課題2" in page and "<script" not in page
    failing = [c for c in done.result.checks if c.status != "pass" and c.cell is not None]
    assert failing and not done.passed
    for c in failing:
        assert f"セル {c.cell}（上から {c.cell + 1} 番目）" in page and "✗" in page
    assert "Self-check" in selfcheck.render_html(done, "en")


def test_without_a_notebook_it_says_how_to_pass_one(tmp_path, monkeypatch, capsys):
    from autograder import selfcheck

    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "google.colab", None)  # not on Colab (an import of it fails)
    selfcheck.show("mlp")
    out = capsys.readouterr().out
    assert "見つかりませんでした" in out and 'path="2412345_山田太郎_2.ipynb"' in out


# ------------------------------------------------------------------ the terminal on every OS

def _cli(args: list[str], encoding: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING=encoding)
    return subprocess.run([sys.executable, "-m", "autograder", *args], capture_output=True, env=env, cwd=cwd, timeout=90)


@pytest.mark.parametrize("encoding", ["cp932", "ascii"])
def test_check_and_grade_on_a_console_that_cannot_encode_everything(encoding, tmp_path):
    for args in (["check", str(SAMPLE)], ["grade", str(SAMPLE.parent), "-a", "mlp", "--no-collusion", "--json", str(tmp_path / "r.json")]):
        utf8 = _cli(args, "utf-8")
        other = _cli(args, encoding)
        assert other.returncode == utf8.returncode == 0, other.stderr.decode(encoding, "replace")
        err = other.stderr.decode(encoding)
        assert "Traceback" not in err and "UnicodeEncodeError" not in err
        text = other.stdout.decode(encoding)  # what the console shows: it decodes
        if args[0] == "check":
            assert "✓" in utf8.stdout.decode("utf-8") and "[OK]" not in utf8.stdout.decode("utf-8")
            assert "[OK]" in text and "✓" not in text
            if encoding == "cp932":
                assert "合計" in text and "ファイル名 OK" in text  # Japanese stays Japanese where the console has it
            else:
                assert "--lang en" in err
    english = _cli(["check", str(SAMPLE), "--lang", "en"], "ascii")
    assert "Total:" in english.stdout.decode("ascii") and "--lang en" not in english.stderr.decode("ascii")


def test_a_closed_pipe_ends_quietly(tmp_path):
    nb = SAMPLE.read_bytes()
    for i in range(150):
        (tmp_path / f"24120{i:03d}_学生{i}_2.ipynb").write_bytes(nb)
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "inspect", str(tmp_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=REPO)
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `| head -1` does
    err = proc.stderr.read().decode("utf-8", "replace")
    code = proc.wait(timeout=90)
    assert first and "Traceback" not in err and "BrokenPipe" not in err, err
    assert code == 141


def test_the_console_fallbacks_are_used_only_for_what_cannot_be_written():
    from autograder.cli import console

    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="cp932", errors=console.HANDLER)
    stream.write("✓ 20/20 合計 — ✗ ？")
    stream.flush()
    assert raw.getvalue().decode("cp932") == "[OK] 20/20 合計 - [NG] ？"


# ------------------------------------------------------------------ a real Jupyter server and kernel


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, method: str = "GET", body: dict | None = None, token: str = "") -> dict:
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        text = r.read()
    return json.loads(text) if text else {}


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_the_cell_finds_its_own_notebook_in_a_real_jupyter_kernel(tmp_path):
    import time

    from jupyter_client import BlockingKernelClient

    root = tmp_path / "work"
    root.mkdir()
    name = "2412001_青木陽菜_2.ipynb"
    _write(root / name, _with_cell(_load(SAMPLE)))
    runtime = tmp_path / "runtime"
    port, token = _free_port(), "h15-selfcheck-test"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime), JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
               PYTHONPATH=str(REPO))
    env.pop("JPY_SESSION_NAME", None)
    log = (tmp_path / "server.log").open("wb")  # a file, never a pipe nobody reads
    server = subprocess.Popen([sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
                               f"--ServerApp.root_dir={root}",
                               *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
                              env=env, stdout=subprocess.DEVNULL, stderr=log)
    base = f"http://127.0.0.1:{port}"
    client = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _request(f"{base}/api/status", token=token)
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "the Jupyter server did not start"
                time.sleep(0.5)
        session = _request(f"{base}/api/sessions", "POST", {"path": name, "name": name, "type": "notebook",
                                                              "kernel": {"name": "python3"}}, token)
        connection = runtime / f"kernel-{session['kernel']['id']}.json"
        for _ in range(40):
            if connection.exists():
                break
            time.sleep(0.25)
        client = BlockingKernelClient(connection_file=str(connection))
        client.load_connection_file()
        client.start_channels(hb=False)  # no kernel manager here: the heartbeat would read as a dead kernel
        client.wait_for_ready(timeout=60)
        shown: list[dict] = []
        reply = client.execute_interactive(_cell_code(), timeout=120,
                                           output_hook=lambda msg: shown.append(msg) if msg["msg_type"] in (
                                               "display_data", "stream", "error") else None)
        assert reply["content"]["status"] == "ok", shown
        pages = [m["content"]["data"]["text/html"] for m in shown if m["msg_type"] == "display_data"]
        assert len(pages) == 1, shown
        page = pages[0]
        assert "保存されたファイル（最後に保存した時点）" in page and name in page
        assert "ファイル名 OK: 学籍番号 2412001、課題2" in page
        expected = grade_notebook(SAMPLE, "mlp")
        total = sum(c.points for c in expected.checks if not c.hidden)
        assert f"{total:g}/" in page
    finally:
        if client is not None:
            client.stop_channels()
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# ------------------------------------------------------------------ the wheel in a fresh virtual environment

@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_built_wheel_installs_light_and_runs_the_cell_against_colab(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "-w", str(wheels), "-q"], check=True,
                   timeout=300, capture_output=True)
    (wheel,) = wheels.glob("kadai_autograder-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        meta = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        requires = [line for line in zf.read(meta).decode().splitlines() if line.startswith("Requires-Dist:")]
        assert any(n.endswith("specs/mlp.toml") for n in zf.namelist())
    base = [r for r in requires if "extra ==" not in r]
    assert [r.split(":", 1)[1].strip().split(">")[0].split("=")[0].strip() for r in base] == ["nbformat"], requires
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    done = subprocess.run([python, "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([python, "-m", "pip", "list", "--format=json"], capture_output=True, text=True, timeout=120, check=True)
    installed = {p["name"].lower() for p in json.loads(listed.stdout)}
    assert "kadai-autograder" in installed and "nbformat" in installed
    assert not installed & {"tensorflow", "tensorflow-cpu", "keras", "nbgrader", "ipython", "jinja2", "numpy"}, installed
    run_dir = tmp_path / "elsewhere"  # not the repository: the installed wheel must be what runs
    run_dir.mkdir()
    env = _standin(tmp_path, _with_cell(_load(SAMPLE), CELL_OUTPUT, count=40), "2412001_青木陽菜_2.ipynb")
    result = _run_cell(python, [tmp_path / "standin"], env, run_dir, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "確認したもの: Colab で開いているノートブック（いまの状態）: 2412001_青木陽菜_2.ipynb" in result.stdout
    assert "ファイル名 OK: 学籍番号 2412001、課題2" in result.stdout and "合計:" in result.stdout
    where = subprocess.run([python, "-c", "import autograder; print(autograder.__file__)"], capture_output=True, text=True,
                           cwd=run_dir, timeout=60, env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert str(venv) in where.stdout
    cli = subprocess.run([str(venv / "bin" / "autograder"), "check", str(SAMPLE)], capture_output=True, timeout=120,
                         env=dict(os.environ, PYTHONIOENCODING="cp932"))
    assert cli.returncode in (0, 1) and b"Traceback" not in cli.stderr


def test_check_warns_when_the_name_s_number_is_another_assignment_s(tmp_path, capsys):
    from autograder.cli import main

    path = _write(tmp_path / "2412003_上田結衣_3.ipynb", _load(SOLUTIONS["mlp"]))  # mlp's notebook, named for 3
    main(["check", str(path)])
    out = capsys.readouterr().out
    assert "警告: このノートブックは課題2（mlp）のものですが、ファイル名の課題番号は 3 です。" in out
    main(["check", str(path), "--assignment", "mlp"])
    assert "警告: ファイル名 2412003_上田結衣_3.ipynb のままでは" in capsys.readouterr().out
