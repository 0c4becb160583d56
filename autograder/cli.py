"""The ``autograder`` command: a thin argparse layer over the library. Imports each command's code lazily.

Exit codes: 0 success; 1 ``check`` found something to fix; 2 a usage or spec error (message on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence

LANGS = ("ja", "en")


def _lang_default() -> str:
    env = os.environ.get("AUTOGRADER_LANG", "ja")
    return env if env in LANGS else "ja"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder",
        description="Keras/Colab の課題ノートブックを保存された出力から採点します（実行しません）。 "
                    "Grades assignment notebooks from their saved outputs, without running them.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="学生の自己チェック / a student's self-check of one notebook",
                       description="提出前に自分のノートブックを確認します。すべて合格なら終了コード 0。 "
                                   "Check your notebook before you submit; exit status 0 only when everything passes.")
    p.add_argument("notebook", help="ノートブック (.ipynb) / the notebook")
    p.add_argument("--assignment", "-a", help="課題 id または仕様ファイル / assignment id or spec file "
                                               "(default: from the file name 学籍番号_名前_N.ipynb, else the notebook metadata)")
    p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")

    p = sub.add_parser("grade", help="教員の一括採点 / the instructor's batch grading",
                       description="ファイル・フォルダ・glob をまとめて採点します。 Grade files, folders or globs.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="ファイル、フォルダ、glob / files, folders or globs")
    p.add_argument("--assignment", "-a", required=True, help="課題 id または仕様ファイル / assignment id or spec file")
    p.add_argument("--json", dest="json_out", metavar="FILE", help="JSON レポートの書き出し先（- で標準出力） / JSON report (- for stdout)")
    p.add_argument("--csv", dest="csv_out", metavar="FILE", help="CSV（チェックごとの列つき） / CSV with one column per check")
    p.add_argument("--jobs", "-j", type=int, default=1, help="並列数（0 でコア数） / parallel workers (0: all cores)")
    p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")

    p = sub.add_parser("inspect", help="読み取った証拠を表示 / show what the grader read from notebooks",
                       description="課題に関係なく、ノートブックから読み取ったものをすべて表示します。 "
                                   "Show everything the static extraction found, independent of any assignment.")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="ノートブック / notebooks")
    p.add_argument("--json", action="store_true", help="JSON で出力（README の契約どおり） / JSON output (the documented contract)")
    p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    from .spec import SpecError

    try:
        return COMMANDS[args.command](args)
    except SpecError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2


# ------------------------------------------------------------------ commands

def _cmd_check(args: argparse.Namespace) -> int:
    from .grade import grade_notebook
    from .render import checklist

    spec = _spec_for_check(args.notebook, args.assignment)
    result = grade_notebook(args.notebook, spec)
    print(checklist(result, spec, args.lang))
    visible = [c for c in result.checks if not c.hidden]
    return 0 if result.status == "graded" and all(c.status == "pass" for c in visible) else 1


def _spec_for_check(notebook: str, assignment: str | None):
    from .names import parse_submission_name
    from .spec import SpecError, available, load_spec

    if assignment:
        return load_spec(assignment)
    specs = {sid: load_spec(sid) for sid in available()}
    parsed = parse_submission_name(notebook)
    if parsed:
        for spec in specs.values():
            if spec.number == parsed.number:
                return spec
    found = _assignment_from_metadata(notebook, specs)
    if found:
        return specs[found]
    choices = ", ".join(f"{s.id}（課題{s.number}）" for s in specs.values())
    raise SpecError(f"{notebook}: どの課題か分かりません。--assignment で指定するか、ファイル名を 学籍番号_名前_N.ipynb にしてください。"
                    f"選べる課題: {choices} / cannot tell which assignment this is; pass --assignment "
                    f"or name the file student-id_name_N.ipynb. Choices: {', '.join(specs)}")


def _assignment_from_metadata(notebook: str, specs: dict) -> str | None:
    from .notebook import NotebookError, load_notebook

    try:
        nb = load_notebook(notebook)
    except NotebookError:
        return None
    meta = nb.metadata.get("autograder")
    if isinstance(meta, dict) and meta.get("assignment") in specs:
        return meta["assignment"]
    for cell in nb.cells:
        grade_id = (cell.metadata.get("nbgrader") or {}).get("grade_id") if isinstance(cell.metadata.get("nbgrader"), dict) else None
        if isinstance(grade_id, str):
            for sid in specs:
                if grade_id.startswith((f"{sid}_", f"{sid}-")):
                    return sid
    return None


def _cmd_grade(args: argparse.Namespace) -> int:
    from .grade import grade_paths
    from .render import batch_table
    from .report import write_csv
    from .spec import load_spec

    spec = load_spec(args.assignment)
    jobs = os.cpu_count() or 1 if args.jobs == 0 else max(1, args.jobs)
    report = grade_paths(args.paths, spec, jobs=jobs, progress=True)
    if args.json_out:
        text = json.dumps(report.to_json(args.lang), ensure_ascii=False, indent=2)
        if args.json_out == "-":
            print(text)
        else:
            with open(args.json_out, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
    if args.csv_out:
        write_csv(report, spec, args.csv_out, args.lang)
    if args.json_out != "-":
        print(batch_table(report, spec, args.lang))
    return 0


def _cmd_inspect(args: argparse.Namespace) -> int:
    from .grade import expand_paths
    from .inspect import inspect_file
    from .render import evidence_listing

    entries = [inspect_file(path) for path in expand_paths(args.notebooks)]
    if args.json:
        doc = {"notebooks": [e.to_json(args.lang) for e in entries]}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print("\n".join(evidence_listing(e.file, e.evidence, e.error(args.lang), args.lang) for e in entries))
    return 0


COMMANDS = {"check": _cmd_check, "grade": _cmd_grade, "inspect": _cmd_inspect}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
