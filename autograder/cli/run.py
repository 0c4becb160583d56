"""run: re-execute submissions in contained kernels, then grade them. Command-line code only.

The re-execution layer (nbclient, Dask) is imported only when the command runs.
"""
from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from autograder.cli.common import assignment_parent, jobs_parent, lang_parent, paths_argument, report_parent, write_outputs


def register(sub: Any, commands: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    from autograder.execute.defaults import DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT, DEFAULT_TIMEOUT_CELL  # constants only

    parents = [assignment_parent(), report_parent(), jobs_parent(0), lang_parent()]
    p = sub.add_parser("run", parents=parents,
                       help="提出を隔離したカーネルで再実行して採点 / re-execute submissions in contained kernels, then grade",
                       description="各提出を一時フォルダのコピーとして新しいカーネルで実行し（時間・メモリの上限、ネットワークなし）、"
                                   "隠しテストを戻して、実行後のノートブックを採点します。元のファイルは変更しません。 "
                                   "Execute each submission in a fresh, contained kernel (time and memory limits, no network), "
                                   "with the course's hidden tests put back, and grade the executed notebook.")
    paths_argument(p)
    p.add_argument("--timeout-cell", type=float, default=DEFAULT_TIMEOUT_CELL, metavar="S",
                   help=f"1 セルの制限時間（秒） / seconds per cell (default {DEFAULT_TIMEOUT_CELL:g})")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                   help=f"ノートブック全体の制限時間（秒） / seconds per notebook (default {DEFAULT_TIMEOUT:g})")
    p.add_argument("--memory", type=int, default=DEFAULT_MEMORY_MB, metavar="MB",
                   help=f"カーネルのメモリ上限 MB（0 で上限なし、GPU では 0） / kernel address-space cap in MB "
                        f"(default {DEFAULT_MEMORY_MB}; 0: none, use 0 with a GPU)")
    p.add_argument("--datasets", metavar="DIR", help="load_data() に渡す .npz のフォルダ / folder of .npz files served to load_data()")
    p.add_argument("--out", "-o", metavar="DIR",
                   help="実行後のノートブックとレポートの出力先（既定: コースの run/<課題>、なければ run-<課題>。"
                        "どちらも git の対象外） / output folder "
                        "(default: the course's run/<assignment>, else run-<assignment>; both git-ignored)")
    p.add_argument("--gpu", action="store_true",
                   help="--cluster で GPU を持つワーカー（resources GPU=1）だけに送る / on --cluster, send each notebook to a worker "
                        "started with --resources GPU=1")
    p.add_argument("--cluster", metavar="ADDRESS", help="Dask のスケジューラ（例 tcp://scheduler:8786） / a Dask scheduler address")
    p.add_argument("--course", metavar="DIR",
                   help="隠しテストを含む nbgrader のコースフォルダ（source/ のある所） / nbgrader course root holding source/")
    p.add_argument("--force", action="store_true", help="実行済みのものも再実行 / run again what the cache already holds")
    p.add_argument("--no-verify", dest="verify", action="store_false",
                   help="学習したモデルを別プロセスで検証しない（パラメータ数と正解率は表示から判定） / do not load and score the "
                        "trained model in a clean process (parameters and accuracy judged from the printout only)")
    commands["run"] = _cmd_run


def _cmd_run(args: argparse.Namespace) -> int:
    from autograder.execute.run import Options, run_paths, summary
    from autograder.judge.spec import load_spec
    from autograder.present.text import batch_table

    spec = load_spec(args.assignment)
    options = Options(timeout_cell=args.timeout_cell, timeout=args.timeout, memory_mb=max(0, args.memory), gpu=args.gpu,
                      verify=args.verify)
    report = run_paths(args.paths, spec, args.out or default_out(spec.id, args.course), options, jobs=args.jobs or None,
                       datasets=args.datasets, course=args.course, cluster=args.cluster, force=args.force,
                       progress=True)  # RunError (a usage problem): exit 2, from cli.main
    if write_outputs(args, report.to_json(args.lang), report.report, spec):
        print(batch_table(report.report, spec, args.lang))
        print(summary(report, args.lang))
    return 0 if all(r.status == "ok" for r in report.results) else 1  # 1: a notebook failed to run, stopped or was refused


def default_out(assignment: str, course: str | None) -> Path:
    """Where a run goes without ``--out``: under the course (``<course>/run/<id>``, git-ignored like nbgrader's own
    folders), or ``run-<id>`` here (git-ignored by the repository's ``run-*/``) when there is no course."""
    root = Path(course) if course else Path("assignments") if Path("assignments", "source").is_dir() else None
    return root / "run" / assignment if root is not None else Path(f"run-{assignment}")
