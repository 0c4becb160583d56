"""The ``autograder`` command: a thin argparse layer over the library. Imports each command's code lazily.

Exit codes: 0 success; 1 ``check`` found something to fix; 2 a usage or spec error (message on stderr).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

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
    p.add_argument("--no-collusion", dest="collusion", action="store_false",
                   help="提出どうしの類似（collusion）を調べない / skip the collusion check across the batch")
    p.add_argument("--template", action="append", default=[], metavar="NOTEBOOK",
                   help="配布したノートブック（その Colab の識別子や出力は類似の根拠にしない。複数可） / a released "
                        "notebook whose Colab identifiers and outputs never count as collusion (repeatable)")

    p = sub.add_parser("inspect", help="読み取った証拠を表示 / show what the grader read from notebooks",
                       description="課題に関係なく、ノートブックから読み取ったものをすべて表示します。 "
                                   "Show everything the static extraction found, independent of any assignment.")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="ノートブック / notebooks")
    p.add_argument("--json", action="store_true", help="JSON で出力（README の契約どおり） / JSON output (the documented contract)")
    p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")

    p = sub.add_parser("feedback", help="学生ごとのフィードバックページ（HTML）とクラスの概要 / feedback pages and a class overview",
                       description="PATH を採点し、学生ごとの HTML ページと index.html（教員用の概要）を書き出します。 "
                                   "Grade the PATHs and write one self-contained HTML page per student plus index.html.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="ファイル、フォルダ、glob / files, folders or globs")
    p.add_argument("--assignment", "-a", required=True, help="課題 id または仕様ファイル / assignment id or spec file")
    p.add_argument("--out", "-o", metavar="DIR", help="出力先フォルダ / output folder (default: feedback-<assignment>)")
    p.add_argument("--jobs", "-j", type=int, default=1, help="並列数（0 でコア数） / parallel workers (0: all cores)")
    p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")

    p = sub.add_parser("repair", help="nbgrader のセルのメタデータを付け直す / re-attach nbgrader cell metadata",
                       description="Colab で失われた nbgrader のメタデータを配布版から内容で対応づけて付け直し、新しいファイルに書き出します。 "
                                   "Match the released cells to the submission's by content, re-attach nbgrader metadata, write a new file.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="提出されたノートブック / submitted notebooks")
    p.add_argument("--release", "-r", metavar="RELEASED", help="配布版のノートブック（またはそのフォルダ） / the released notebook (or its folder)")
    p.add_argument("--course", metavar="DIR", help="nbgrader のコースフォルダ（--assignment と一緒に） / nbgrader course root, with --assignment")
    p.add_argument("--assignment", "-a", help="nbgrader の課題 id / nbgrader assignment id (with --course)")
    p.add_argument("--output", "-o", metavar="OUT",
                   help="出力ファイルまたはフォルダ / output file or folder (default: repaired/ beside each submission)")
    p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")
    _add_course_parsers(sub)
    _add_run_parser(sub)
    return parser


def _add_course_parsers(sub: argparse._SubParsersAction) -> None:
    """collect / autograde / export / round: the nbgrader course commands (issue #4)."""
    course = ("nbgrader のコースフォルダ（既定: nbgrader_config.py のある今のフォルダ、なければ ./assignments） / "
              "the nbgrader course folder (default: here if it has nbgrader_config.py, else ./assignments)")
    deadline = ("締切。例 2026-11-23T23:59+09:00（時差なしは日本時間）。省略時は成績表の締切 / deadline, e.g. "
                "2026-11-23T23:59+09:00 (no offset: Japan time); default: the gradebook's due date")
    specs = {
        "collect": ("WebClass の ZIP を nbgrader の submitted/ に回収 / collect an LMS zip into nbgrader's submitted/",
                    "ZIP の全エントリを調べ、受理したノートブックを submitted/<学籍番号>/<課題>/ に置き、一覧（manifest）を書きます。"
                    "ZIP は変更しません。 Place each accepted notebook in submitted/<student>/<assignment>/ and list every "
                    "entry of the zip in a manifest; the zip is never modified."),
        "autograde": ("submitted/ を採点して nbgrader の成績表へ / grade submitted/ into nbgrader's gradebook",
                      "submitted/*/<課題>/ のノートブックを（実行せずに）採点し、点数を gradebook.db に入れます。 Grade the "
                      "course's submitted notebooks statically and store the scores in gradebook.db."),
        "export": ("WebClass 用の成績 CSV / the grades CSV for WebClass",
                   "成績表から 学籍番号, 氏名, 点数, 満点, フラグ の CSV を書きます（既定 UTF-8 BOM 付き）。 Write "
                   "student id, name, score, max score, flags from the gradebook (UTF-8 with BOM by default)."),
        "round": ("回収 → 採点 → フィードバック → CSV を一度に / collect → grade → feedback → export in one go",
                  "1 回分の採点をまとめて行い、最後に集計を表示します。 One whole grading round, with a summary at the end."),
    }
    for name, (help_text, description) in specs.items():
        p = sub.add_parser(name, help=help_text, description=description)
        if name in ("collect", "round"):
            p.add_argument("zip", metavar="ZIP", help="WebClass からダウンロードした ZIP / the zip downloaded from the LMS")
        p.add_argument("--assignment", "-a", required=True, help="課題 id または仕様ファイル / assignment id or spec file")
        p.add_argument("--course", metavar="DIR", help=course)
        if name != "export":
            p.add_argument("--deadline", metavar="TIME", help=deadline)
        if name in ("collect", "round"):
            p.add_argument("--times", metavar="CSV", help="提出時刻の CSV（ファイル名, 提出日時） / submission times CSV "
                                                          "(file name, submitted at); default: the zip's entry times as JST")
            p.add_argument("--keep-late", action="store_true", help="締切後の提出も受理して late を付ける / accept late files, flagged late")
            p.add_argument("--force", action="store_true", help="submitted/ の手で置いたファイルも上書き / overwrite files placed by hand")
        if name in ("autograde", "round"):
            p.add_argument("--jobs", "-j", type=int, default=1, help="並列数（0 でコア数） / parallel workers (0: all cores)")
        if name in ("export", "round"):
            p.add_argument("--encoding", choices=("utf-8-sig", "utf-8", "cp932"), default="utf-8-sig",
                           help="CSV の文字コード（既定 utf-8-sig = BOM 付き） / CSV encoding (default utf-8-sig)")
            p.add_argument("--out", "-o", metavar="CSV", help="CSV の書き出し先 / output CSV "
                                                               "(default: <course>/autograded/<assignment>_grades.csv)")
        p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    from autograder.errors import SpecError

    try:
        return COMMANDS[args.command](args)
    except SpecError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2


# ------------------------------------------------------------------ commands

def _cmd_check(args: argparse.Namespace) -> int:
    from autograder.pipeline import grade_notebook
    from autograder.present.text import checklist

    spec = _spec_for_check(args.notebook, args.assignment)
    result = grade_notebook(args.notebook, spec)
    print(checklist(result, spec, args.lang))
    visible = [c for c in result.checks if not c.hidden]
    return 0 if result.status == "graded" and all(c.status == "pass" for c in visible) else 1


def _spec_for_check(notebook: str, assignment: str | None):
    from autograder.errors import SpecError
    from autograder.judge.spec import available, load_spec
    from autograder.read.names import parse_submission_name

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
    from autograder.errors import NotebookError
    from autograder.read.notebook import load_notebook

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
    from autograder.judge.spec import load_spec
    from autograder.pipeline import grade_paths
    from autograder.present.text import batch_table

    spec = load_spec(args.assignment)
    jobs = (os.cpu_count() or 1) if args.jobs == 0 else max(1, args.jobs)
    report = grade_paths(args.paths, spec, jobs=jobs, progress=True, collusion=args.collusion,
                         template=_templates(args.template))
    if _write_outputs(args, report.to_json(args.lang), report, spec):
        print(batch_table(report, spec, args.lang))
    return 0


def _write_outputs(args: argparse.Namespace, doc: dict, report, spec) -> bool:
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
    return args.json_out != "-"


def _templates(paths: Sequence[str]) -> list:
    """Evidence of the released notebooks given with --template (a bad file stops with a message)."""
    from autograder.errors import NotebookError, SpecError
    from autograder.read.extract import extract
    from autograder.read.notebook import load_notebook

    found = []
    for path in paths:
        try:
            found.append(extract(load_notebook(path)))
        except NotebookError as exc:
            raise SpecError(f"--template: {exc.message('ja')} / {exc.message('en')}") from None
    return found


def _cmd_inspect(args: argparse.Namespace) -> int:
    from autograder.pipeline import expand_paths, inspect_file
    from autograder.present.text import evidence_listing

    entries = [inspect_file(path) for path in expand_paths(args.notebooks)]
    if args.json:
        doc = {"notebooks": [e.to_json(args.lang) for e in entries]}
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        print("\n".join(evidence_listing(e.file, e.evidence, e.error(args.lang), args.lang) for e in entries))
    return 0


def _cmd_feedback(args: argparse.Namespace) -> int:
    from autograder.judge.spec import load_spec
    from autograder.pipeline import grade_paths
    from autograder.present.feedback import write_feedback  # jinja2: imported only by this command

    spec = load_spec(args.assignment)
    jobs = (os.cpu_count() or 1) if args.jobs == 0 else max(1, args.jobs)
    report = grade_paths(args.paths, spec, jobs=jobs, progress=True)
    out = args.out or f"feedback-{spec.id}"
    pages = write_feedback(report, spec, out, args.lang)
    index = pages[-1]
    print(f"wrote {len(pages) - 1} student page(s) and the class overview {index} (for instructors only)" if args.lang == "en"
          else f"{len(pages) - 1} 件のページと、クラスの概要 {index}（教員用）を書き出しました。")
    return 0


def _cmd_repair(args: argparse.Namespace) -> int:
    from pathlib import Path

    from autograder.course.repair import find_release, repair_notebook
    from autograder.errors import RepairError
    from autograder.pipeline import expand_paths

    en = args.lang == "en"
    if bool(args.release) == bool(args.course) or (args.course and not args.assignment):
        print("autograder: --release RELEASED か --course DIR --assignment ID のどちらかを指定してください。 / "
              "pass either --release RELEASED or --course DIR --assignment ID.", file=sys.stderr)
        return 2
    files = expand_paths(args.submissions)
    if args.output and len(files) > 1 and not Path(args.output).is_dir():
        Path(args.output).mkdir(parents=True, exist_ok=True)
    try:
        release = find_release(args.release or Path(args.course) / "release" / args.assignment)
    except RepairError as exc:
        print(f"autograder: {exc.message(args.lang)}", file=sys.stderr)
        return 2
    status = 0
    for file in files:
        try:
            result = repair_notebook(release, file, args.output)
        except RepairError as exc:
            print(exc.message(args.lang), file=sys.stderr)
            status = 1
            continue
        print(result.describe(args.lang))
        if result.unmatched:
            status = 1
    if status:
        print("Some cells could not be matched or files could not be read (see above)." if en
              else "対応づけられなかったセル、または読めなかったファイルがあります（上を参照）。", file=sys.stderr)
    return status


COMMANDS = {"check": _cmd_check, "grade": _cmd_grade, "inspect": _cmd_inspect}
COMMANDS.update({"feedback": _cmd_feedback, "repair": _cmd_repair})


def _cmd_course(args: argparse.Namespace) -> int:
    """collect / autograde / export / round: thin shells over autograder.round (nbgrader is imported only here)."""
    from autograder.course.round import course_errors, error_text, run_command

    try:
        return run_command(args)
    except course_errors() as exc:
        print(f"autograder: {error_text(exc, args.lang)}", file=sys.stderr)
        return 2


COMMANDS.update({"collect": _cmd_course, "autograde": _cmd_course, "export": _cmd_course, "round": _cmd_course})


# ------------------------------------------------------------------ run (issue #6: re-execution)

def _add_run_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="提出を隔離したカーネルで再実行して採点 / re-execute submissions in contained kernels, then grade",
                       description="各提出を一時フォルダのコピーとして新しいカーネルで実行し（時間・メモリの上限、ネットワークなし）、"
                                   "隠しテストを戻して、実行後のノートブックを採点します。元のファイルは変更しません。 "
                                   "Execute each submission in a fresh, contained kernel (time and memory limits, no network), "
                                   "with the course's hidden tests put back, and grade the executed notebook.")
    p.add_argument("paths", nargs="+", metavar="PATH", help="ファイル、フォルダ、glob / files, folders or globs")
    p.add_argument("--assignment", "-a", required=True, help="課題 id または仕様ファイル / assignment id or spec file")
    p.add_argument("--jobs", "-j", type=int, default=0, help="並列数（既定 0 = コア数） / parallel kernels (default 0: all cores)")
    p.add_argument("--timeout-cell", type=float, default=1200, metavar="S", help="1 セルの制限時間（秒） / seconds per cell (default 1200)")
    p.add_argument("--timeout", type=float, default=3600, metavar="S", help="ノートブック全体の制限時間（秒） / seconds per notebook (default 3600)")
    p.add_argument("--memory", type=int, default=8192, metavar="MB",
                   help="カーネルのメモリ上限 MB（0 で上限なし、GPU では 0） / kernel address-space cap in MB (default 8192; 0: none, use 0 with a GPU)")
    p.add_argument("--datasets", metavar="DIR", help="load_data() に渡す .npz のフォルダ / folder of .npz files served to load_data()")
    p.add_argument("--out", "-o", metavar="DIR", help="実行後のノートブックとレポートの出力先 / output folder (default: run-<assignment>)")
    p.add_argument("--cluster", metavar="ADDRESS", help="Dask のスケジューラ（例 tcp://scheduler:8786） / a Dask scheduler address")
    p.add_argument("--course", metavar="DIR", help="隠しテストを含む nbgrader のコースフォルダ（source/ のある所） / nbgrader course root holding source/")
    p.add_argument("--force", action="store_true", help="実行済みのものも再実行 / run again what the cache already holds")
    p.add_argument("--json", dest="json_out", metavar="FILE", help="JSON レポートの書き出し先（- で標準出力） / JSON report (- for stdout)")
    p.add_argument("--csv", dest="csv_out", metavar="FILE", help="CSV（チェックごとの列つき） / CSV with one column per check")
    p.add_argument("--lang", choices=LANGS, default=_lang_default(), help="表示言語 / language (default: ja)")


def _cmd_run(args: argparse.Namespace) -> int:
    from autograder.errors import RunError
    from autograder.execute.run import Options, run_paths, summary
    from autograder.judge.spec import load_spec
    from autograder.present.text import batch_table

    spec = load_spec(args.assignment)
    options = Options(timeout_cell=args.timeout_cell, timeout=args.timeout, memory_mb=max(0, args.memory))
    try:
        report = run_paths(args.paths, spec, args.out or f"run-{spec.id}", options, jobs=args.jobs or None,
                           datasets=args.datasets, course=args.course, cluster=args.cluster, force=args.force,
                           progress=True)
    except RunError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    if _write_outputs(args, report.to_json(args.lang), report.report, spec):
        print(batch_table(report.report, spec, args.lang))
        print(summary(report, args.lang))
    return 0


COMMANDS["run"] = _cmd_run


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
