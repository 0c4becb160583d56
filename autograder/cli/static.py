"""check, grade, inspect, feedback, repair: the commands over the static pipeline. Command-line code only.

Each command imports the library lazily, so ``autograder check`` starts fast; nothing here decides a grade.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from autograder.cli.common import (
    assignment_parent,
    jobs_parent,
    lang_parent,
    paths_argument,
    report_parent,
    resolve_jobs,
    write_outputs,
)


def register(sub: Any, commands: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    lang, jobs, assignment, report = lang_parent(), jobs_parent(), assignment_parent(), report_parent()
    check_assignment = assignment_parent(False, "課題 id または仕様ファイル / assignment id or spec file "
                                                "(default: from the file name 学籍番号_名前_N.ipynb, else the notebook metadata)")
    p = sub.add_parser("check", parents=[check_assignment, lang], help="学生の自己チェック / a student's self-check of one notebook",
                       description="提出前に自分のノートブックを確認します。すべて合格なら終了コード 0。 "
                                   "Check your notebook before you submit; exit status 0 only when everything passes.")
    p.add_argument("notebook", help="ノートブック (.ipynb) / the notebook")

    p = sub.add_parser("grade", parents=[assignment, report, jobs, lang], help="教員の一括採点 / the instructor's batch grading",
                       description="ファイル・フォルダ・glob をまとめて採点します。 Grade files, folders or globs.")
    paths_argument(p)
    p.add_argument("--no-collusion", dest="collusion", action="store_false",
                   help="提出どうしの類似（collusion）を調べない / skip the collusion check across the batch")
    p.add_argument("--template", action="append", default=[], metavar="NOTEBOOK",
                   help="配布したノートブック（その Colab の識別子や出力は類似の根拠にしない。複数可） / a released "
                        "notebook whose Colab identifiers and outputs never count as collusion (repeatable)")

    p = sub.add_parser("inspect", parents=[lang], help="読み取った証拠を表示 / show what the grader read from notebooks",
                       description="課題に関係なく、ノートブックから読み取ったものをすべて表示します。 "
                                   "Show everything the static extraction found, independent of any assignment.")
    p.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="ノートブック / notebooks")
    p.add_argument("--json", action="store_true", help="JSON で出力（README の契約どおり） / JSON output (the documented contract)")

    p = sub.add_parser("feedback", parents=[assignment, jobs, lang],
                       help="学生ごとのフィードバックページ（HTML）とクラスの概要 / feedback pages and a class overview",
                       description="PATH を採点し、学生ごとの HTML ページと index.html（教員用の概要）を書き出します。 "
                                   "Grade the PATHs and write one self-contained HTML page per student plus index.html.")
    paths_argument(p)
    p.add_argument("--out", "-o", metavar="DIR", help="出力先フォルダ / output folder (default: feedback-<assignment>)")

    p = sub.add_parser("repair", parents=[lang], help="nbgrader のセルのメタデータを付け直す / re-attach nbgrader cell metadata",
                       description="Colab で失われた nbgrader のメタデータを配布版から内容で対応づけて付け直し、"
                                   "新しいファイルに書き出します。 Match the released cells to the submission's by content, "
                                   "re-attach nbgrader metadata, write a new file.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION", help="提出されたノートブック / submitted notebooks")
    p.add_argument("--release", "-r", metavar="RELEASED",
                   help="配布版のノートブック（またはそのフォルダ） / the released notebook (or its folder)")
    p.add_argument("--course", metavar="DIR",
                   help="nbgrader のコースフォルダ（--assignment と一緒に） / nbgrader course root, with --assignment")
    p.add_argument("--assignment", "-a", help="nbgrader の課題 id / nbgrader assignment id (with --course)")
    p.add_argument("--output", "-o", metavar="OUT",
                   help="出力ファイルまたはフォルダ / output file or folder (default: repaired/ beside each submission)")
    commands.update({"check": _cmd_check, "grade": _cmd_grade, "inspect": _cmd_inspect, "feedback": _cmd_feedback,
                     "repair": _cmd_repair})


def _one_blas_thread() -> None:
    """numpy (imported to read figures) starts one OpenBLAS thread per core at import, which the static commands
    never use: ≈ 0.08 s of CPU at every start of ``check`` (measured). One thread unless the user chose a number;
    set here, in the static commands only: ``run``'s kernels keep the machine's default."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _cmd_check(args: argparse.Namespace) -> int:
    _one_blas_thread()
    from autograder.pipeline import grade_notebook
    from autograder.present.text import checklist
    from autograder.read.names import name_verdict

    spec = _spec_for_check(args.notebook, args.assignment)
    result = grade_notebook(args.notebook, spec)
    print(checklist(result, spec, args.lang))
    print(name_verdict(args.notebook, spec.number).message(args.lang))  # a warning only: the exit code is the checks'
    if not args.assignment:
        _warn_other_assignment(args.notebook, spec, args.lang)
    visible = [c for c in result.checks if not c.hidden]
    return 0 if result.status == "graded" and all(c.status == "pass" for c in visible) else 1


def _warn_other_assignment(notebook: str, spec, lang: str) -> None:
    """The file name chose ``spec`` but the released notebook's metadata names another assignment: say so."""
    from autograder.judge.spec import available, load_spec

    found = _assignment_from_metadata(notebook, {sid: None for sid in available()})
    if found and found != spec.id:
        other = load_spec(found)
        print(f"Warning: this notebook is assignment {other.number} ({found}), but its file name says {spec.number}; "
              f"rename it to end in _{other.number}.ipynb." if lang == "en"
              else f"警告: このノートブックは課題{other.number}（{found}）のものですが、ファイル名の課題番号は {spec.number} です。"
                   f"ファイル名の最後を _{other.number}.ipynb に直してください。")


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
                    f"選べる課題: {choices}",
                    f"{notebook}: cannot tell which assignment this is; pass --assignment "
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
    _one_blas_thread()
    from autograder.judge.spec import load_spec
    from autograder.pipeline import grade_paths
    from autograder.present.text import batch_table

    spec = load_spec(args.assignment)
    jobs = resolve_jobs(args.jobs)
    report = grade_paths(args.paths, spec, jobs=jobs, progress=True, collusion=args.collusion,
                         template=_templates(args.template))
    if write_outputs(args, report.to_json(args.lang), report, spec):
        print(batch_table(report, spec, args.lang))
    return 0


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
            raise SpecError(f"--template: {exc.message('ja')}", f"--template: {exc.message('en')}") from None
    return found


def _cmd_inspect(args: argparse.Namespace) -> int:
    _one_blas_thread()
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
    _one_blas_thread()
    from autograder.judge.spec import load_spec
    from autograder.pipeline import grade_paths
    from autograder.present.feedback import write_feedback  # jinja2: imported only by this command

    spec = load_spec(args.assignment)
    jobs = resolve_jobs(args.jobs)
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
    release = find_release(args.release or Path(args.course) / "release" / args.assignment)  # RepairError: exit 2
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
