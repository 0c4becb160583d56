"""Measure the static grader on this machine and print the table of ``docs/benchmarks.md`` (not a test).

    python benchmarks/run.py [-n 250] [--repeat 3] [--nbgrader 5] [--dir DIR] [--markdown FILE]
    python benchmarks/run.py --memory 2000 4000 [--dir DIR] [--markdown FILE]

On ``-n`` realistic submissions of each assignment (``benchmarks/generate.py``: 4 × 250 = 1,000 by default) it
measures, best of ``--repeat`` runs on warm files:

* the ``json.loads`` floor (read + parse every file, nothing else);
* static grading (``grade_paths``) with 1 job and with every core, without and with collusion detection
  (``autograder.collusion``: the row appears when the module exists and ``grade_paths`` takes ``collusion=``);
* where one job's time goes (load, the AST of the code, the output parsers, the checks), CPU time;
* against the floor: CPU ms per notebook of ``json.loads``, of ``json.loads`` + ``ast.parse`` of every code cell,
  and of grading, side by side, with the ratios, and notebooks/s with 1 and 2 jobs, on a sample of the generated
  (class-like) batch and on the real corpus (``--corpus``, default ``../shared/corpus/real``);
* instructions per notebook of the same three (valgrind callgrind, when installed; ``--no-instructions``);
* peak RSS of a process that grades all the submissions (``resource.getrusage``), with 1 job and every core;
  ``--memory 2000 4000`` measures only that, at each of these numbers of submissions (a quarter of each
  assignment; the first of a larger generated set are the same files as a smaller one's);
* the cold start of ``autograder check`` (a new interpreter, best of 10), beside ``python -c pass``;
* ``nbgrader autograde`` of ``--nbgrader`` submissions of the course's 課題1 (``assignments/source/perceptron``,
  NumPy only: nbgrader executes it in a kernel; the Keras assignments would retrain models), and the static
  grader on the same files.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import inspect
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

from generate import ASSIGNMENTS, generate  # noqa: E402

from autograder.judge.spec import load_spec  # noqa: E402
from autograder.pipeline import grade_paths  # noqa: E402
from autograder.read.extract import _CURVE_CODE  # noqa: E402


def best(fn, repeat: int) -> tuple[float, float]:
    """(wall, CPU of this process and its finished children) of the fastest of ``repeat`` runs, in seconds."""
    runs = []
    for _ in range(repeat):
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        wall = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs.append((wall, time.process_time() - cpu + after.ru_utime - kids.ru_utime + after.ru_stime - kids.ru_stime))
    return min(runs)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{cpu}, {os.cpu_count()} cores{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


# ------------------------------------------------------------------ static grading

def collusion_supported() -> bool:
    return (importlib.util.find_spec("autograder.judge.collusion") is not None
            and "collusion" in inspect.signature(grade_paths).parameters)


def grade_all(by: dict[str, list[str]], jobs: int, collusion: bool | None) -> None:
    for assignment, files in by.items():
        kwargs = {} if collusion is None else {"collusion": collusion}
        grade_paths(files, load_spec(assignment), jobs=jobs, **kwargs)


def phases(by: dict[str, list[str]], repeat: int) -> list[tuple[str, float]]:
    """CPU ms per notebook of each step of one job (a sample of every tenth file)."""
    from autograder.judge.grade import grade_evidence
    from autograder.read.code import analyze_cells
    from autograder.read.extract import extract
    from autograder.read.notebook import load_notebook

    files = [(a, f) for a, fs in by.items() for f in fs[::10]]
    specs = {a: load_spec(a) for a in by}
    datas = [Path(f).read_bytes() for _, f in files]
    nbs = [load_notebook(f) for _, f in files]
    evs = [extract(nb) for nb in nbs]
    cells = [[(c.index, c.source) for c in nb.code_cells] for nb in nbs]

    def cpu(fn) -> float:
        return min(_cpu(fn) for _ in range(repeat)) / len(files) * 1000

    def _cpu(fn) -> float:
        start = time.process_time()
        fn()
        return time.process_time() - start

    def parse_code():
        for cs in cells:
            for _, src in cs:
                with contextlib.suppress(SyntaxError):
                    ast.parse(src)

    return [
        ("json.loads", cpu(lambda: [json.loads(d) for d in datas])),
        ("load_notebook (json.loads + cells, outputs, cleaned text)", cpu(lambda: [load_notebook(f) for _, f in files])),
        ("ast.parse of the code cells alone", cpu(parse_code)),
        ("analyze_cells (AST: models, calls, defs; the batch cache of parsed cells warm)", cpu(lambda: [analyze_cells(c) for c in cells])),
        ("extract (the AST above + every output parser)", cpu(lambda: [extract(nb) for nb in nbs])),
        ("checks + integrity flags", cpu(lambda: [grade_evidence(f, ev, specs[a]) for (a, f), ev in zip(files, evs, strict=False)])),
    ]


def _code_cells(raw: object) -> list[dict]:
    """The code cells of a parsed notebook (nbformat 4 ``cells`` or nbformat 3 ``worksheets``)."""
    if not isinstance(raw, dict):
        return []
    worksheets = raw.get("worksheets")
    cells = raw.get("cells") if not isinstance(worksheets, list) else [c for w in worksheets for c in w.get("cells", [])]
    return [c for c in cells if isinstance(c, dict) and c.get("cell_type") == "code"] if isinstance(cells, list) else []


def _source(cell: dict) -> str:
    source = cell.get("source", cell.get("input", ""))
    return "".join(source) if isinstance(source, list) else source if isinstance(source, str) else ""


def _code_sources(raw: object) -> list[str]:
    return [_source(cell) for cell in _code_cells(raw)]


def _loads(data: bytes) -> object:
    try:
        return json.loads(data)
    except ValueError:
        return None


def floor_parse(datas: list[bytes]) -> None:
    """The floor of static grading: ``json.loads`` of the file and ``ast.parse`` of every code cell -- reading what
    the student wrote and what it printed, nothing more."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no SyntaxWarning of the students' code printed
        for data in datas:
            _parse_code(_loads(data))


def _parse_code(raw: object) -> None:
    for source in _code_sources(raw):
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(source)


def _curve_pngs(raw: object) -> list[str]:
    """The base64 PNGs the grader must decode: image outputs of code cells whose code plots a learning curve
    (``read.extract``'s test), the figures principle 2 cross-checks against the logs."""
    found = []
    for cell in _code_cells(raw):
        if not _CURVE_CODE.search(_source(cell)):
            continue
        for out in cell.get("outputs") or []:
            png = out.get("png") or (out.get("data") or {}).get("image/png") if isinstance(out, dict) else None
            png = "".join(png) if isinstance(png, list) else png
            if isinstance(png, str):
                found.append(png)
    return found


def decode_floor(datas: list[bytes]) -> None:
    """The floor with the figures: what ``floor_parse`` does (one ``json.loads`` a file, ``ast.parse`` of every code
    cell) plus decoding (base64, then Pillow's zlib inflate and unfiltering) of every learning-curve PNG, which the
    figure rules must trace -- what grading cannot skip without giving up the cross-check of a figure against the
    logs."""
    import base64
    import io

    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in datas:
            raw = _loads(data)
            _parse_code(raw)
            for png in _curve_pngs(raw):
                try:
                    with Image.open(io.BytesIO(base64.b64decode(png))) as im:
                        im.load()
                except Exception:  # noqa: BLE001 -- a broken image costs what it costs; the grader refuses it too
                    pass


def against_floor(files: list[str], spec_of, repeat: int) -> dict:
    """CPU ms per notebook, side by side in this process: ``json.loads``, the floor (``json.loads`` + ``ast.parse``),
    static grading with 1 job (collusion detection on, as ``autograder grade`` does), and the wall-clock notebooks/s of
    1 job and of 2 jobs (worker CPU included in the CPU figure). Round-robin, fastest of ``repeat``."""
    datas = [Path(f).read_bytes() for f in files]
    by: dict[str, list[str]] = {}
    for f in files:
        by.setdefault(spec_of(f), []).append(f)

    def grade(jobs: int) -> None:
        for assignment, group in by.items():
            grade_paths(group, load_spec(assignment), jobs=jobs)

    runs: dict[str, list[tuple[float, float]]] = {"json": [], "floor": [], "decode": [], "grade1": [], "grade2": []}
    for _ in range(repeat):
        runs["json"].append(best(lambda: [_loads(d) for d in datas], 1))
        runs["floor"].append(best(lambda: floor_parse(datas), 1))
        runs["decode"].append(best(lambda: decode_floor(datas), 1))
        runs["grade1"].append(best(lambda: grade(1), 1))
        runs["grade2"].append(best(lambda: grade(2), 1))
    n = len(files)
    cpu = {k: min(c for _, c in v) / n * 1000 for k, v in runs.items()}
    wall = {k: min(w for w, _ in v) for k, v in runs.items()}
    return {"files": n, "kb": sum(len(d) for d in datas) / n / 1024, "cpu": cpu,
            "nbs1": n / wall["grade1"], "nbs2": n / wall["grade2"]}


def say_floor_table(say, rows: list[tuple[str, dict]]) -> None:
    say("| input | files | KB / file | `json.loads` CPU ms | `json.loads` + `ast.parse` CPU ms "
        "| the same + PNG decoding CPU ms | grading CPU ms (1 job) | × `json.loads` | × (`json.loads` + `ast.parse`) "
        "| × (the same + PNG decoding) | notebooks/s, 1 job | notebooks/s, 2 jobs | CPU ms, 2 jobs (all processes) |")
    say("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, r in rows:
        c = r["cpu"]
        say(f"| {name} | {r['files']:,} | {r['kb']:.0f} | {c['json']:.2f} | {c['floor']:.2f} | {c['decode']:.2f} | "
            f"{c['grade1']:.2f} | {c['grade1'] / c['json']:.1f} | {c['grade1'] / c['floor']:.1f} | "
            f"{c['grade1'] / c['decode']:.1f} | {r['nbs1']:,.0f} | {r['nbs2']:,.0f} | {c['grade2']:.2f} |")


INSTRUCTIONS = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    files, mode = json.loads(Path(sys.argv[1]).read_text()), sys.argv[2]
    datas = [Path(f).read_bytes() for f in files]
    sys.path.insert(0, sys.argv[3])
    from run import floor_parse, _loads
    from autograder.judge.spec import load_spec
    from autograder.pipeline import grade_paths
    spec = load_spec("mlp")
    if mode == "json":
        [_loads(d) for d in datas]
    elif mode == "floor":
        floor_parse(datas)
    elif mode == "grade":
        grade_paths(files, spec, jobs=1)
""")


def instructions(files: list[str]) -> dict[str, float] | None:
    """Instructions per notebook (valgrind's callgrind, when installed): deterministic where CPU time is not. Each
    mode runs in a new interpreter; the same interpreter with nothing to do (mode ``none``) is subtracted."""
    if shutil.which("valgrind") is None:
        return None
    import re

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(files, fh)
    counts = {}
    try:
        for mode in ("none", "json", "floor", "grade"):
            with tempfile.TemporaryDirectory() as out:
                proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}/cg.out",
                                       sys.executable, "-c", INSTRUCTIONS, fh.name, mode, str(HERE)],
                                      capture_output=True, text=True, check=False)
            found = re.search(r"Collected\s*:\s*(\d+)", proc.stderr)
            if proc.returncode != 0 or not found:
                return None
            counts[mode] = int(found.group(1))
    finally:
        os.unlink(fh.name)
    return {mode: (counts[mode] - counts["none"]) / len(files) for mode in ("json", "floor", "grade")}


RSS_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    from autograder.pipeline import grade_paths
    from autograder.judge.spec import load_spec
    from pathlib import Path
    by, jobs, collusion = json.loads(Path(sys.argv[1]).read_text()), int(sys.argv[2]), sys.argv[3]
    kept = []
    for assignment, files in by.items():
        kwargs = {} if collusion == "default" else {"collusion": collusion == "on"}
        kept.append(grade_paths(files, load_spec(assignment), jobs=jobs, **kwargs))  # results kept, as the CLI does
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"self_mb": me / 1024, "worker_mb": kids / 1024,
                      "results": sum(len(r.submissions) for r in kept)}))
""")


def peak_rss(by: dict[str, list[str]], jobs: int, collusion: bool | None) -> dict:
    arg = "default" if collusion is None else ("on" if collusion else "off")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(by, fh)
    try:
        # the file's path, not its text: the names of 4,000 files are too long for a command line
        out = subprocess.run([sys.executable, "-c", RSS_SCRIPT, fh.name, str(jobs), arg],
                             capture_output=True, text=True, check=True)
    finally:
        os.unlink(fh.name)
    return json.loads(out.stdout)


def cold_start(notebook: str, cache: Path, repeat: int = 10) -> list[tuple[str, tuple[float, float]]]:
    """Each command twice: with Python's bytecode cache (``__pycache__``; here in ``cache`` via PYTHONPYCACHEPREFIX),
    which a normal install has, and without any: the package copied beside ``cache`` without its ``__pycache__``
    folders and put first on the path, bytecode writing off, so every module of the package is compiled at start (a
    ``__pycache__`` left in the work tree by another run would otherwise be read)."""
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(cache)
    notebook = str(Path(notebook).resolve())
    source = cache.parent / "no-bytecode"
    shutil.copytree(REPO / "autograder", source / "autograder", ignore=shutil.ignore_patterns("__pycache__"))
    bare = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                PYTHONPATH=os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")])))

    def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
        """(wall, CPU) of the fastest run: CPU (user + system of the child) is what a quiet machine would take."""
        # run outside the work tree: its folder first on the path would be imported instead of the copy
        subprocess.run(cmd, capture_output=True, check=False, env=env, cwd=cache.parent)  # fills the cache
        times = []
        for _ in range(repeat):
            kids = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(cmd, capture_output=True, check=False, env=env, cwd=cache.parent)
            wall = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append((wall, after.ru_utime - kids.ru_utime + after.ru_stime - kids.ru_stime))
        return min(times)

    script = Path(sys.executable).parent / "autograder"
    commands = [("`python -c pass` (the interpreter alone, site packages included)", [sys.executable, "-c", "pass"]),
                ("`python -m autograder check NOTEBOOK`", [sys.executable, "-m", "autograder", "check", notebook])]
    if script.exists():
        commands.append(("`autograder check NOTEBOOK` (the console script)", [str(script), "check", notebook]))
    rows = []
    for label, env in (("with bytecode cache", cached), ("no bytecode cache", bare)):
        rows += [(f"{name}, {label}", run(cmd, env)) for name, cmd in commands]
    return rows


# ------------------------------------------------------------------ nbgrader autograde

EXECUTE = textwrap.dedent("""
    import sys, nbformat, nbclient
    nb = nbformat.read(sys.argv[1], 4)
    nbclient.NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": sys.argv[3]}}).execute()
    nbformat.write(nb, sys.argv[2])
""")
SCORES = textwrap.dedent("""
    import json, sys
    from nbgrader.api import Gradebook
    with Gradebook("sqlite:///" + sys.argv[1]) as gb:
        print(json.dumps({s.id: [gb.find_submission("perceptron", s.id).score,
                                 gb.find_submission("perceptron", s.id).max_score] for s in gb.students}))
""")


def nbgrader_compare(count: int, work: Path, repeat: int) -> dict | str:
    source = REPO / "assignments" / "source" / "perceptron" / "perceptron.ipynb"
    if not source.exists():
        return f"skipped: {source} not found"
    if importlib.util.find_spec("nbgrader") is None or importlib.util.find_spec("nbclient") is None:
        return "skipped: nbgrader or nbclient is not installed"
    course = work / "course"
    (course / "source" / "perceptron").mkdir(parents=True)
    shutil.copy(source, course / "source" / "perceptron" / "perceptron.ipynb")
    (course / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(course)!r}\nc.CourseDirectory.course_id = 'bench'\n"
        "c.Execute.timeout = 600\n", encoding="utf-8")
    nbgrader = [sys.executable, "-m", "nbgrader"]
    subprocess.run([*nbgrader, "generate_assignment", "perceptron", "--force"], cwd=course, capture_output=True, check=True)
    executed = work / "executed.ipynb"  # a student who wrote the solution and ran every cell (outputs saved)
    subprocess.run([sys.executable, "-c", EXECUTE, str(course / "source" / "perceptron" / "perceptron.ipynb"),
                    str(executed), str(work)], capture_output=True, check=True)
    files = []
    for i in range(1, count + 1):
        path = course / "submitted" / f"24100{i:02d}" / "perceptron" / "perceptron.ipynb"
        path.parent.mkdir(parents=True)
        shutil.copy(executed, path)
        files.append(str(path))
    start = time.perf_counter()
    proc = subprocess.run([*nbgrader, "autograde", "perceptron", "--create", "--force"], cwd=course,
                          capture_output=True, text=True, check=False)
    autograde = time.perf_counter() - start
    if proc.returncode != 0:
        return "failed: nbgrader autograde: " + proc.stderr.strip().splitlines()[-1]
    scores = json.loads(subprocess.run([sys.executable, "-c", SCORES, str(course / "gradebook.db")],
                                       capture_output=True, text=True, check=True).stdout)
    spec = load_spec("perceptron")
    static = best(lambda: grade_paths(files, spec), repeat)[0]
    static_scores = [r.score for r in grade_paths(files, spec).submissions]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", "--assignment", "perceptron", *files],
                   capture_output=True, check=True)
    cli = time.perf_counter() - start
    return {"count": count, "autograde": autograde, "nbgrader_scores": sorted({tuple(v) for v in scores.values()}),
            "static": static, "static_scores": sorted(set(static_scores)), "cli": cli}


# ------------------------------------------------------------------ main

def floor_section(say, args, files: list[str]) -> None:
    """The tables against the floor and, when valgrind is there, of instruction counts."""
    total = len(files)
    say()
    say("Against the floor (`json.loads` + `ast.parse` of every code cell), side by side in one process, CPU ms per "
        f"notebook, fastest of {args.repeat} round-robin runs; grading with collusion detection:")
    say()
    sample = files[:: max(1, total // 400)]
    number = {str(load_spec(a).number): a for a in ASSIGNMENTS}
    floor_rows = [(f"class-like: {len(sample):,} of the generated submissions",
                   against_floor(sample, lambda f: number.get(Path(f).stem[-1], "mlp"), args.repeat))]
    corpus = sorted(str(p) for p in Path(args.corpus).glob("*.ipynb")) if Path(args.corpus).is_dir() else []
    if corpus:
        floor_rows.append(("heterogeneous: the real corpus, graded as 課題2 (mlp)",
                           against_floor(corpus, lambda f: "mlp", args.repeat)))
    say_floor_table(say, floor_rows)
    if not args.no_instructions:
        counted = [("class-like, 20 files", sample[:20])] + ([("real corpus", corpus)] if corpus else [])
        results = [(name, instructions(group)) for name, group in counted]
        if all(r is not None for _, r in results):
            say()
            say("Instructions per notebook (valgrind callgrind, each in a new interpreter less the same one idle; "
                "graded as 課題2):")
            say()
            say("| input | `json.loads` | `json.loads` + `ast.parse` | grading | × `json.loads` | × floor |")
            say("|---|---:|---:|---:|---:|---:|")
            for name, r in results:
                assert r is not None
                say(f"| {name} | {r['json'] / 1e6:.2f} M | {r['floor'] / 1e6:.2f} M | {r['grade'] / 1e6:.1f} M | "
                    f"{r['grade'] / r['json']:.1f} | {r['grade'] / r['floor']:.1f} |")


def _submissions(folder: Path, n: int) -> dict[str, list[str]]:
    """The generated submissions by assignment: those already in ``folder`` when complete, else newly generated."""
    existing = sorted(str(p) for p in folder.glob("*.ipynb")) if folder.exists() else []
    if len(existing) == n * len(ASSIGNMENTS):
        number = {a: load_spec(a).number for a in ASSIGNMENTS}
        return {a: [p for p in existing if p.endswith(f"_{number[a]}.ipynb")] for a in ASSIGNMENTS}
    return generate(folder, n)


def memory_table(say, by: dict[str, list[str]], totals: list[int], cores: int) -> None:
    """Peak RSS of a new process grading ``total`` submissions (the first total/4 of each assignment), keeping
    the reports as the CLI does, collusion detection on: with 1 job, and with every core (the largest worker too)."""
    say("| submissions | jobs | grading process MB | largest worker MB | MB / 1,000 submissions (grading process) |")
    say("|---:|---:|---:|---:|---:|")
    for total in totals:
        each = total // len(by)
        part = {a: files[:each] for a, files in by.items()}
        for jobs in sorted({1, cores}):
            rss = peak_rss(part, jobs, True if collusion_supported() else None)
            assert rss["results"] == each * len(by)
            worker = f"{rss['worker_mb']:.0f}" if jobs > 1 else "–"
            say(f"| {each * len(by):,} | {jobs} | {rss['self_mb']:.0f} | {worker} | "
                f"{rss['self_mb'] / (each * len(by)) * 1000:.0f} |")


def memory_only(args) -> None:
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory() as tmp:
        each = max(args.memory) // len(ASSIGNMENTS)
        by = _submissions(Path(args.dir) if args.dir else Path(tmp) / "submissions", each)
        say(f"Machine: {machine()}")
        say(f"Load average when the run started: {load()}")
        say(f"Peak RSS (`resource.getrusage` in a new process; results kept, collusion detection on), generated "
            f"submissions ({', '.join(ASSIGNMENTS)} in equal parts):")
        say()
        memory_table(say, by, sorted(args.memory), os.cpu_count() or 1)
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=250, help="submissions per assignment (default 250: 1,000 in all)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per timing; the fastest is kept (default 3)")
    ap.add_argument("--nbgrader", type=int, default=5, help="submissions for nbgrader autograde (0: skip)")
    ap.add_argument("--dir", help="folder of generated submissions to reuse or fill (default: a temporary one)")
    ap.add_argument("--markdown", help="also write the tables to this file")
    ap.add_argument("--corpus", default=str(REPO.parent / "shared" / "corpus" / "real"),
                    help="folder of real notebooks for the heterogeneous batch (default ../shared/corpus/real)")
    ap.add_argument("--no-instructions", action="store_true", help="skip the callgrind instruction counts")
    ap.add_argument("--memory", type=int, nargs="+", metavar="N",
                    help="only the peak RSS, grading N submissions (N/4 of each assignment) for each N given")
    args = ap.parse_args()
    if args.memory:
        memory_only(args)
        return
    cores = os.cpu_count() or 1
    lines: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        lines.append(line)

    with tempfile.TemporaryDirectory() as tmp:
        by = _submissions(Path(args.dir) if args.dir else Path(tmp) / "submissions", args.n)
        files = [f for fs in by.values() for f in fs]
        total = len(files)
        size = sum(Path(f).stat().st_size for f in files)
        for f in files:  # warm the page cache: every row reads the same way
            Path(f).read_bytes()

        say(f"Machine: {machine()}")
        say(f"Load average when the run started: {load()} (other processes share these cores; times are best of {args.repeat})")
        say(f"Input: {total:,} generated submissions ({args.n} of each of {', '.join(ASSIGNMENTS)}), "
            f"{size / 1e6:.1f} MB, {size / total / 1024:.0f} KB on average")
        say()
        has_collusion = collusion_supported()
        configs = [("`json.loads` of every file (the floor)", lambda: [json.loads(Path(f).read_bytes()) for f in files])]
        for jobs in (1, cores):
            label = "1 job" if jobs == 1 else f"{jobs} jobs (all cores)"
            if has_collusion:
                configs.append((f"static grading, {label}, without collusion detection", lambda j=jobs: grade_all(by, j, False)))
                configs.append((f"static grading, {label}, with collusion detection", lambda j=jobs: grade_all(by, j, True)))
            else:
                configs.append((f"static grading, {label}", lambda j=jobs: grade_all(by, j, None)))
        timings: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in configs}
        for _ in range(args.repeat):  # round-robin: every configuration sees the same background load
            for name, fn in configs:
                timings[name].append(best(fn, 1))
        rows = [(name, min(timings[name])) for name, _ in configs]
        floor = rows[0][1]
        say("| step | wall s | CPU s | ms / notebook (wall) | notebooks / s | × `json.loads` (wall) | × `json.loads` (CPU) |")
        say("|---|---:|---:|---:|---:|---:|---:|")
        for name, (wall, cpu) in rows:
            say(f"| {name} | {wall:.2f} | {cpu:.2f} | {wall / total * 1000:.2f} | {total / wall:,.0f} | "
                f"{wall / floor[0]:.0f} | {cpu / floor[1]:.0f} |")
        say()
        say("CPU s counts every process (the workers too): with all cores it is the work done, not the time taken.")
        floor_section(say, args, files)
        if not has_collusion:
            say()
            say("Collusion detection: `autograder.collusion` is not there (or `grade_paths` takes no `collusion=`); "
                "its rows appear when it is.")
        say()
        say("Where one job's time goes (CPU ms per notebook, every tenth file):")
        say()
        say("| step | CPU ms / notebook | × `json.loads` |")
        say("|---|---:|---:|")
        steps = phases(by, args.repeat)
        for name, ms in steps:
            say(f"| {name} | {ms:.2f} | {ms / steps[0][1]:.1f} |")
        say()
        say(f"Peak RSS of one process grading all {total:,} submissions and keeping the results"
            f"{' (collusion detection on)' if has_collusion else ''}:")
        say()
        memory_table(say, by, [total], cores)
        say()
        say("Cold start (a new process each time, best of 10):")
        say()
        say("| command | wall s | CPU s |")
        say("|---|---:|---:|")
        for name, (wall, cpu) in cold_start(by["mlp"][0], Path(tmp) / "pycache"):
            say(f"| {name} | {wall:.3f} | {cpu:.3f} |")
        if args.nbgrader:
            say()
            result = nbgrader_compare(args.nbgrader, Path(tmp) / "nbgrader", args.repeat)
            if isinstance(result, str):
                say(f"nbgrader autograde: {result}")
            else:
                n = result["count"]
                per_nb, per_static = result["autograde"] / n, result["static"] / n
                say(f"nbgrader autograde vs the static grader on the same {n} submissions of 課題1 (perceptron, "
                    "executed by nbclient with their outputs saved):")
                say()
                say("| grader | total s | s / notebook | scores | × static |")
                say("|---|---:|---:|---|---:|")
                say(f"| `nbgrader autograde perceptron` (executes each notebook in a kernel) | {result['autograde']:.2f} | "
                    f"{per_nb:.3f} | {', '.join(f'{a:g}/{b:g}' for a, b in result['nbgrader_scores'])} | {per_nb / per_static:,.0f} |")
                say(f"| static `grade_paths`, 1 job, in-process | {result['static']:.4f} | {per_static:.4f} | "
                    f"{', '.join(f'{a:g}/100' for a in result['static_scores'])} | 1 |")
                say(f"| `autograder grade` command (new process, cold start included) | {result['cli']:.2f} | "
                    f"{result['cli'] / n:.3f} | | {result['cli'] / n / per_static:,.0f} |")
        say()
        say(f"Load average when the run ended: {load()}")
    if args.markdown:
        Path(args.markdown).write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
