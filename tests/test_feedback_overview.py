"""The overview of a round lists every student (graded, error, late, superseded, refused, missing from the roster)
with names and paths relative to the course, fits a 1200-px window, and every student with a file gets a page."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from lms_zip import copy_course, make_zip
from test_feedback import chromium  # noqa: F401  (the shared fixture: Chromium installed by .ci/run)

from autograder.cli import main
from autograder.testing import samples as s

pytestmark = pytest.mark.timeout(600)

DEADLINE = "2026-11-23T23:59+09:00"
ON_TIME = (2026, 11, 23, 20, 0, 0)
SAME = s.dumps(s.submission("mlp", seed=9))
ENTRIES = [
    ("2412001_青木陽菜_2.ipynb", s.dumps(s.submission("mlp", seed=1)), ON_TIME),
    ("2412002_宗像ソラ_2.ipynb", s.dumps(s.submission("mlp", seed=2, accuracy=0.9)), ON_TIME),
    ("2412002_宗像ソラ_2 (1).ipynb", s.dumps(s.submission("mlp", seed=3)), (2026, 11, 23, 21, 0, 0)),  # supersedes
    ("2412003_上田結衣_2.ipynb", s.dumps(s.submission("mlp", seed=4)), (2026, 11, 24, 1, 0, 0)),  # late
    ("2412005_太田陸_2.pdf", b"%PDF-1.4\n", ON_TIME),  # refused
    ("2412006_加藤芽依_2.ipynb", b"%PDF-1.4\n", ON_TIME),  # unreadable
    ("2412007_木村大翔_2.ipynb", SAME, ON_TIME),  # the same notebook twice: a flag with related files
    ("2412008_佐藤花子_2.ipynb", SAME, ON_TIME),
]
STUDENTS = ["2412001", "2412002", "2412003", "2412005", "2412006", "2412007", "2412008", "2412009", "2412010"]


@pytest.fixture(scope="module")
def round_course(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("overview")
    course = copy_course(tmp / "course")
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "dl-kadai") as gb:
        gb.add_student("2412009", last_name="西村", first_name="凛")  # on the roster, nothing submitted
    hand = course / "submitted" / "2412010" / "mlp"  # placed by hand, cannot be graded
    hand.mkdir(parents=True)
    (hand / "mlp.ipynb").write_text('{"cells": [', encoding="utf-8")
    zip_path = make_zip(tmp / "kadai2.zip", ENTRIES)
    assert main(["round", str(zip_path), "-a", "mlp", "--course", str(course), "--deadline", DEADLINE]) == 0
    return course


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_overview_lists_every_student_with_names_and_course_relative_paths(round_course):
    index = (round_course / "feedback" / "mlp" / "index.html").read_text(encoding="utf-8")
    rows = re.search(r'<section id="all">(.*?)</section>', index, re.S)
    assert rows is not None
    text = _text(rows.group(1))
    for sid in STUDENTS:
        assert sid in text, sid
    for name in ("青木陽菜", "宗像ソラ", "上田結衣", "太田陸", "西村 凛"):
        assert name in text, name
    for label in ("採点済み", "エラー", "締切後", "再提出で不採用", "受理せず", "未提出"):
        assert label in text, label
    assert str(round_course) not in index and "/tmp/" not in index  # never the grading machine's paths
    assert "submitted/2412001/mlp/mlp.ipynb" in index


def test_every_student_with_a_file_gets_a_page_also_when_it_was_not_graded(round_course):
    pages = round_course / "feedback" / "mlp"
    for sid in ("2412001", "2412002", "2412003", "2412005", "2412006", "2412007", "2412008", "2412010"):
        assert (pages / f"{sid}.html").is_file(), sid
    assert not (pages / "2412009.html").exists()  # nothing submitted: a row, no page
    late = _text((pages / "2412003.html").read_text(encoding="utf-8"))
    assert "締切より後に提出されたので、採点していません。" in late and "--keep-late" not in late
    pdf = _text((pages / "2412005.html").read_text(encoding="utf-8"))
    assert "ノートブック（.ipynb）ではなかった" in pdf and "not_notebook" not in pdf


def _layout(binary: str, page: Path, tmp: Path) -> tuple[int, str]:
    """The page's scroll width in a 1200-px window and its rendered text, measured by Chromium."""
    probe = tmp / f"probe-{page.name}"
    html = page.read_text(encoding="utf-8")
    script = ("<script>window.addEventListener('load',function(){var w=document.documentElement.scrollWidth;"
              "var t=0;document.querySelectorAll('table,svg,pre').forEach(function(e){var r=e.getBoundingClientRect();"
              "t=Math.max(t,Math.ceil(r.right));});document.body.setAttribute('data-width',Math.max(w,t));});</script>")
    probe.write_text(html.replace("</body>", script + "</body>"), encoding="utf-8")
    proc = subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={tmp / 'profile'}", "--window-size=1200,900", "--virtual-time-budget=5000",
                           "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    m = re.search(r'data-width="(\d+)"', proc.stdout)
    assert m, proc.stdout[:2000]
    return int(m.group(1)), _text(proc.stdout)


@pytest.mark.slow
def test_the_overview_and_a_student_page_fit_1200_px_in_headless_chromium(round_course, chromium, tmp_path):  # noqa: F811
    pages = round_course / "feedback" / "mlp"
    width, text = _layout(chromium, pages / "index.html", tmp_path)
    assert width <= 1200, width
    for sid in STUDENTS:
        assert sid in text, sid
    for page in ("2412007.html", "2412006.html"):
        width, text = _layout(chromium, pages / page, tmp_path)
        assert width <= 1200, (page, width)
        assert page[:-5] in text
    # the measure itself can fail: the same page with one over-wide table and one long unbroken line is wider
    for wide in ('<table style="width:1500px"><tr><td>x</td></tr></table>', "<pre>" + "x" * 400 + "</pre>"):
        control = tmp_path / "control" / "index.html"
        control.parent.mkdir(exist_ok=True)
        control.write_text((pages / "index.html").read_text(encoding="utf-8").replace("</body>", wide + "</body>"),
                           encoding="utf-8")
        assert _layout(chromium, control, tmp_path)[0] > 1200, wide
