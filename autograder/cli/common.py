"""What every command shares: parent parsers for --lang, --jobs, --assignment, --json/--csv; writing reports.

Command-line plumbing only: imports no library code at import time (each command imports its own, lazily).
"""
from __future__ import annotations

import argparse
import json
import os
from typing import Any

LANGS = ("ja", "en")


def lang_default() -> str:
    env = os.environ.get("AUTOGRADER_LANG", "ja")
    return env if env in LANGS else "ja"


def lang_parent() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--lang", choices=LANGS, default=lang_default(), help="表示言語 / language (default: ja)")
    return p


def jobs_parent(default: int = 1) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    what = "（既定 0 = コア数） / parallel workers (default 0: all cores)" if default == 0 else \
        "（0 でコア数） / parallel workers (0: all cores)"
    p.add_argument("--jobs", "-j", type=int, default=default, help="並列数" + what)
    return p


def assignment_parent(required: bool = True, help_text: str | None = None) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--assignment", "-a", required=required,
                   help=help_text or "課題 id または仕様ファイル / assignment id or spec file")
    return p


def report_parent() -> argparse.ArgumentParser:
    """--json FILE (``-``: standard output) and --csv FILE of a grade report."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--json", dest="json_out", metavar="FILE", help="JSON レポートの書き出し先（- で標準出力） / JSON report (- for stdout)")
    p.add_argument("--csv", dest="csv_out", metavar="FILE", help="CSV（チェックごとの列つき） / CSV with one column per check")
    return p


def paths_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="ファイル、フォルダ、glob / files, folders or globs")


def resolve_jobs(jobs: int) -> int:
    """``--jobs``: 0 means every core; anything below 1 means 1."""
    return (os.cpu_count() or 1) if jobs == 0 else max(1, jobs)


def write_outputs(args: argparse.Namespace, doc: dict[str, Any], report: Any, spec: Any) -> bool:
    """Write ``--json`` (``-``: standard output) and ``--csv``; True when the table should still be printed."""
    from autograder.present.csv import write_csv

    if args.json_out:
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        if args.json_out == "-":
            print(text)
        else:
            with open(args.json_out, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
    if args.csv_out:
        write_csv(report, spec, args.csv_out, args.lang)
    return bool(args.json_out != "-")
