"""collect, autograde, export, round: the nbgrader course commands. Command-line code only.

nbgrader is imported only when one of these commands runs (by the course layer), never by ``check``.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from autograder.cli.common import assignment_parent, jobs_parent, lang_parent, resolve_jobs
from autograder.model.format import CSV_ENCODING, CSV_ENCODINGS  # constants only

if TYPE_CHECKING:  # the course layer imports nbgrader: only when a course command runs
    from autograder.course.collect import CollectResult
    from autograder.course.coursedir import Course
    from autograder.course.round import RoundResult


def register(sub: Any, commands: dict[str, Callable[[argparse.Namespace], int]]) -> None:
    """collect / autograde / export / round: the nbgrader course commands."""
    lang, assignment, jobs = lang_parent(), assignment_parent(), jobs_parent()
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
        parents = [assignment, *([jobs] if name in ("autograde", "round") else []), lang]
        p = sub.add_parser(name, parents=parents, help=help_text, description=description)
        commands[name] = _cmd_course
        if name in ("collect", "round"):
            p.add_argument("zip", metavar="ZIP", help="WebClass からダウンロードした ZIP / the zip downloaded from the LMS")
        p.add_argument("--course", metavar="DIR", help=course)
        if name != "export":
            p.add_argument("--deadline", metavar="TIME", help=deadline)
        if name in ("collect", "round"):
            p.add_argument("--times", metavar="CSV", help="提出時刻の CSV（ファイル名, 提出日時） / submission times CSV "
                                                          "(file name, submitted at); default: the zip's entry times as JST")
            p.add_argument("--keep-late", action="store_true",
                           help="締切後の提出も受理して late を付ける / accept late files, flagged late")
            p.add_argument("--force", action="store_true", help="submitted/ の手で置いたファイルも上書き / overwrite files placed by hand")
        if name == "round":
            p.add_argument("--no-deadline", action="store_true",
                           help="締切なしで採点する（締切後の提出も区別しない） / grade without a deadline (late work is not told apart)")
        if name in ("export", "round"):
            p.add_argument("--encoding", choices=CSV_ENCODINGS, default=CSV_ENCODING,
                           help="CSV の文字コード（既定 utf-8-sig = BOM 付き） / CSV encoding (default utf-8-sig)")
            p.add_argument("--out", "-o", metavar="CSV", help="CSV の書き出し先 / output CSV "
                                                               "(default: <course>/autograded/<assignment>_grades.csv)")


def render_summary(r: RoundResult, lang: str = "ja") -> str:
    from autograder.course.round import relative_path

    en = lang == "en"
    m = r.collect.manifest
    kept, excluded = r.late
    total = r.export.rows[0].max_score if r.export.rows else 0.0
    mean = "-" if r.mean is None else f"{r.mean:.1f}"
    lines = []
    if en:
        lines.append(f"zip: {len(m.entries)} entries — accepted {r.accepted} (late {kept}), late and excluded {excluded}, "
                     f"superseded {m.count('superseded')}, errors {r.errors}")
        lines.append(f"graded: {len(r.report.submissions)}, flagged {r.flagged}, mean {mean} / {total:g}")
    else:
        lines.append(f"ZIP: {len(m.entries)} 件 — 受理 {r.accepted}（うち締切後 {kept}）、締切後で除外 {excluded}、"
                     f"再提出で不採用 {m.count('superseded')}、エラー {r.errors}")
        lines.append(f"採点: {len(r.report.submissions)} 件、フラグ付き {r.flagged}、平均 {mean} / {total:g} 点")
    if r.feedback_error:
        lines.append(("feedback: " if en else "フィードバック: ") + r.feedback_error[1 if en else 0])
    elif r.feedback_dir:
        lines.append(("feedback: " if en else "フィードバック: ") + relative_path(r.feedback_dir))
    lines.append(("manifest: " if en else "一覧: ") + relative_path(r.collect.manifest_csv))
    lines.append(("gradebook: " if en else "成績表: ") + (relative_path(r.db_url[len("sqlite:///"):])
                                                          if r.db_url.startswith("sqlite:///") else r.db_url))
    lines.append(("CSV for WebClass: " if en else "WebClass 用 CSV: ") + relative_path(r.export.path))
    return "\n".join(lines)


def _cmd_course(args: argparse.Namespace) -> int:  # collect / autograde / export / round
    """What ``autograder collect|autograde|export|round`` do; messages in ``args.lang``."""
    from autograder.course.coursedir import open_course
    from autograder.course.tools import check_prerequisites, tools_on_path
    from autograder.judge.spec import load_spec

    spec = load_spec(args.assignment)
    course = open_course(args.course)
    check_prerequisites(course.db_url, gradebook=args.command != "collect")
    with tools_on_path():  # nbgrader starts alembic by name: the one next to this interpreter first
        return _run_course_command(args, spec, course)


def _run_course_command(args: argparse.Namespace, spec: Any, course: Course) -> int:
    from autograder.course.collect import collect_zip
    from autograder.course.collect.safe import terminal_text
    from autograder.course.export import export_course
    from autograder.course.gradebook import autograde_course
    from autograder.course.round import display_report, relative_path, require_deadline, resolve_deadline, run_round
    from autograder.present.text import batch_table

    lang = args.lang
    en = lang == "en"
    deadline, source = (None, "") if args.command == "export" else resolve_deadline(course, spec.id, args.deadline)
    if args.command == "round":
        require_deadline(deadline, args.no_deadline)
    if source == "gradebook":
        print(f"deadline from the gradebook: {_shown_jst(deadline)}" if en else f"締切（成績表より）: {_shown_jst(deadline)}")
    jobs = resolve_jobs(getattr(args, "jobs", 1))

    def warn(pairs: Iterable[tuple[str, str]]) -> None:
        for ja, en_text in pairs:
            print(terminal_text(("warning: " if en else "注意: ") + (en_text if en else ja)), file=sys.stderr)

    if args.command == "collect":
        collected = collect_zip(args.zip, course, spec.id, spec.number, deadline=deadline, times=args.times,
                                keep_late=args.keep_late, force=args.force)
        print(render_collect(collected, lang))
        return 0
    if args.command == "autograde":
        names = _manifest_names(course, spec.id)
        graded = autograde_course(course, spec, deadline=deadline, jobs=jobs, names=names, lang=lang, progress=True)
        print(terminal_text(batch_table(display_report(graded.report), spec, lang)))
        warn(graded.warnings)
        print(("report: " if en else "レポート: ") + relative_path(graded.report_path))
        return 0
    if args.command == "export":
        exported = export_course(course, spec.id, out=args.out, encoding=args.encoding, lang=lang)
        warn(exported.warnings)
        print(f"wrote {len(exported.rows)} students to {relative_path(exported.path)}" if en
              else f"{len(exported.rows)} 人分を {relative_path(exported.path)} に書き出しました。")
        return 0
    result = run_round(args.zip, spec, course, deadline=deadline, times=args.times, keep_late=args.keep_late,
                       force=args.force, jobs=jobs, encoding=args.encoding, out=args.out, lang=lang, progress=True,
                       no_deadline=args.no_deadline)
    print(render_collect(result.collect, lang))
    print()
    print(terminal_text(batch_table(display_report(result.report), spec, lang)))
    warn(result.autograde.warnings)
    warn(result.export.warnings)
    print()
    print(render_summary(result, lang))
    return 0


def _shown_jst(t: datetime | None) -> str:
    from autograder.course.collect import shown_time

    return shown_time(t) if t else "-"


def _manifest_names(course: Course, assignment: str) -> dict[str, str]:
    from autograder.course.collect import read_manifest

    manifest = read_manifest(course.manifest_paths(assignment)[1])
    return manifest.names() if manifest else {}


def render_collect(result: CollectResult, lang: str = "ja") -> str:
    """What ``autograder collect`` prints: the rows that need attention, a summary, the manifest's paths."""
    from autograder.course.collect import CODES, summarize
    from autograder.course.collect.safe import terminal_text

    m = result.manifest
    lines = []
    for e in m.entries:
        if e.code in ("accepted", "directory", "system_file"):
            continue
        label = CODES[e.code][1] if lang == "en" else CODES[e.code][0]
        lines.append(f"  {e.entry}: {label} — {e.message_en if lang == 'en' else e.message}")
    if result.removed:
        lines.append(("removed (no longer accepted): " if lang == "en" else "取り除いたもの（今回は受理されない）: ")
                     + ", ".join(result.removed))
    for ja, en in result.warnings:
        lines.append(("warning: " if lang == "en" else "注意: ") + (en if lang == "en" else ja))
    lines.append(summarize(m, lang))
    shown = [os.path.relpath(p) if p.is_absolute() and os.path.splitdrive(p)[0] == os.path.splitdrive(os.getcwd())[0] else str(p)
             for p in (result.manifest_csv, result.manifest_json)]
    lines.append(("manifest: " if lang == "en" else "一覧: ") + " / ".join(shown))
    return terminal_text("\n".join(lines))  # names typed by students: no escape sequence reaches the terminal
