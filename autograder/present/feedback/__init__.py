"""Feedback pages: one self-contained HTML page per submission and a class overview (``index.html``), ja/en.

Rendering only; every verdict comes from the ``Report``. A hidden check is never shown — not its id, its
description, its parameters, its message or the cell it points to — only how many there are and the points
they gave together; and a page leaves out what would give a hidden check's answer away (the best epoch
when ``best_epoch`` is hidden, the over-fitting gap for ``overfitting_gap``, the GPU verdict for ``gpu``,
the test accuracy for ``test_accuracy``). Pages embed their charts as SVG text and their CSS: no file,
font, script or network access is needed to open them.

The only place jinja2 and markupsafe are imported (the ``course`` extra): ``check``, ``grade`` and ``inspect``
never import this package. Never imports pipeline, course, execute or cli.

  student.py    the context of one student's page          overview.py  the context of ``index.html``
  facts.py      training-run numbers and flag rows (both)   texts.py     the ja/en words
  svgplot.py    charts as inline SVG text                   templates/   the jinja2 templates
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import jinja2

from autograder.model.results import Report
from autograder.model.spec import Spec
from autograder.present.feedback.facts import RunFacts, run_facts
from autograder.present.feedback.overview import overview_context
from autograder.present.feedback.student import student_context
from autograder.present.roster import Unplaced, pages_for

__all__ = ["LANGS", "TEMPLATES", "RunFacts", "Unplaced", "overview_context", "page_names", "run_facts", "student_context",
           "write_feedback"]

LANGS = ("ja", "en")
TEMPLATES = Path(__file__).parent / "templates"


def write_feedback(report: Report, spec: Spec, out_dir: str | os.PathLike[str], lang: str = "ja", *,
                   names: Mapping[str, str] | None = None, others: Sequence[Unplaced] = (),
                   root: str | os.PathLike[str] | None = None) -> list[Path]:
    """Write one page per submission of ``report`` and ``index.html`` into ``out_dir``; return their paths.

    Pages are named after the student id (``2412001.html``), else the file name; a second file of the same
    student gets ``-2``. ``others`` are the round's students the report does not grade (late, superseded, refused
    files, missing from the roster): each is a row of the overview, and a student whose file was not graded gets a
    page that says why. ``names`` (student id → name) are shown in the overview; file paths are shown relative to
    ``root`` (the course folder), else to the submissions' common folder. The list holds the pages in report order,
    then the pages of ``others``, then ``index.html``. The submitted files are read again (when still there) only
    to quote the first lines of a cited cell. A page this function wrote in ``out_dir`` before, of a student no longer
    in the round, is removed (``.feedback-pages.json`` lists what it wrote); nothing else there is touched.
    """
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, not {lang!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = _environment()
    extra = pages_for(others, {s.student_id for s in report.submissions if s.student_id}, spec.total_points)
    everyone = replace(report, submissions=(*report.submissions, *extra))
    pages = page_names(everyone)
    paths = []
    student = env.get_template("student.html.j2")
    for result, name in zip(everyone.submissions, pages, strict=True):
        html = student.render(**student_context(result, spec, lang))
        paths.append(_write(out / name, html))
    index = env.get_template("index.html.j2")
    context = overview_context(report, spec, lang, pages[: len(report.submissions)], people=names, others=others,
                               extra_pages=dict(zip((r.student_id or "" for r in extra), pages[len(report.submissions):],
                                                    strict=True)), root=root)
    paths.append(_write(out / "index.html", index.render(**context)))
    _forget_stale_pages(out, paths)
    return paths


MANIFEST = ".feedback-pages.json"


def _forget_stale_pages(out: Path, written: Sequence[Path]) -> None:
    """Remove the pages an earlier run wrote here that this run did not (a student no longer in the round), then
    record what this run wrote. Only names from our own manifest are ever removed, and only plain ``.html`` files
    directly in ``out``: a page an instructor put there, or any other file, is left alone."""
    manifest = out / MANIFEST
    now = sorted(p.name for p in written)
    try:
        before = json.loads(manifest.read_text(encoding="utf-8"))
        before = [n for n in before if isinstance(n, str)] if isinstance(before, list) else []
    except (OSError, ValueError):
        before = []
    for name in set(before) - set(now):
        page = out / name
        if Path(name).name == name and name.endswith(".html") and page.is_file() and not page.is_symlink():
            page.unlink()
    manifest.write_text(json.dumps(now, ensure_ascii=False), encoding="utf-8")


def page_names(report: Report) -> list[str]:
    """The file name of each submission's page, in report order: ``<student_id>.html``, unique, never ``index``."""
    used = {"index"}
    names = []
    for s in report.submissions:
        base = s.student_id or re.sub(r"[^\w.-]+", "_", Path(s.file).stem).strip("._") or "submission"
        name, k = base, 2
        while name.lower() in used:
            name, k = f"{base}-{k}", k + 1
        used.add(name.lower())
        names.append(f"{name}.html")
    return names


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
