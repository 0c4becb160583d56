"""Feedback pages (autograder.feedback, autograder.svgplot): content, hidden checks, English, overview, browser.

The browser test renders pages in headless Chromium (the Debian package ``chromium``, installed by ``.ci/run``,
never by a test). Without it the browser tests skip with the install hint, or fail in CI's strict mode.
"""
from __future__ import annotations

import math
import re
import shutil
import struct
import subprocess
import sys
import zlib
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import missing

from autograder.cli import main
from autograder.judge.spec import load_spec, parse_spec
from autograder.model.results import Flag, Report
from autograder.pipeline import grade_paths
from autograder.present.feedback import page_names, svgplot, write_feedback
from autograder.testing import samples

# ------------------------------------------------------------------ helpers

class _Text(HTMLParser):
    """The text a person sees: no tags, no <style>/<title>; SVG text kept."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "script"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title", "script"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def text_of(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def section(html: str, sid: str) -> str:
    m = re.search(rf'<section[^>]*id="{sid}".*?</section>', html, re.S)
    return m.group(0) if m else ""


def write(folder: Path, name: str, nb: dict) -> Path:
    path = folder / name
    path.write_text(samples.dumps(nb), encoding="utf-8")
    return path


@pytest.fixture
def history_class(tmp_path: Path) -> tuple[Report, object, Path]:
    """A small class of 課題3 submissions: full marks on a GPU, a CPU run, an unexecuted one, a PDF."""
    subs = tmp_path / "subs"
    subs.mkdir()
    write(subs, "2412001_山田太郎_3.ipynb", samples.submission("history", seed=1))
    write(subs, "2412002_佐藤花子_3.ipynb", samples.submission("history", seed=2, gpu=False, accuracy=0.87))
    unrun = samples.submission("history", seed=3)
    for cell in unrun["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    write(subs, "2412003_鈴木一郎_3.ipynb", unrun)
    (subs / "2412004_高橋次郎_3.ipynb").write_bytes(b"%PDF-1.4\n% a report saved as PDF\n")
    spec = load_spec("history")
    return grade_paths([str(subs)], spec), spec, tmp_path / "out"


# ------------------------------------------------------------------ one student's page

def test_student_page_shows_score_and_every_check_with_points_reason_and_cell(history_class):
    report, spec, out = history_class
    pages = write_feedback(report, spec, out)
    result = report.submissions[0]
    html = pages[0].read_text(encoding="utf-8")
    text = text_of(html)
    assert pages[0].name == "2412001.html"
    assert re.search(r'id="score">点数: 100 / 100 点<', html)
    assert result.score == 100 and len(result.checks) == len(spec.checks)
    rows = re.findall(r'<tr class="check check-(\w+)">(.*?)</tr>', html, re.S)
    assert len(rows) == len(result.checks)
    for c, (status, row) in zip(result.checks, rows, strict=False):
        row_text = text_of(row)
        assert status == c.status and row_text.startswith(f" ✓ 合格 {c.description}")
        assert f"{c.points:g} / {c.max_points:g}" in row_text
        assert text_of(c.message) in row_text
        assert c.cell is not None and f"セル {c.cell}" in row_text
    # the cited cell is quoted so the student can find it: the summary cell ends with model.summary()
    summary = next(c for c in result.checks if c.id == "summary_total_params")
    assert "model.summary()" in text_of(re.search(rf"セル {summary.cell}<pre.*?</pre>", html, re.S).group(0))
    assert "非公開" not in text  # no hidden checks in this spec


def test_learning_curves_are_redrawn_from_the_extracted_history_with_the_best_epoch(history_class):
    report, spec, out = history_class
    pages = write_feedback(report, spec, out)
    html = pages[0].read_text(encoding="utf-8")
    curves = section(html, "curves")
    history = samples.make_history(50, 1)  # what the sample printed (seed 1)
    best = min(range(50), key=history["val_loss"].__getitem__) + 1
    svgs = re.findall(r"<svg class=\"chart curve\".*?</svg>", curves, re.S)
    assert len(svgs) == 2  # loss/val_loss and accuracy/val_accuracy
    for svg in svgs:
        lines = re.findall(r'<polyline class="series" points="([^"]+)"', svg)
        assert len(lines) == 2 and all(len(p.split()) == 50 for p in lines)
        assert f"最良 {best}" in svg and 'class="mark"' in svg
    loss_line = re.findall(r'<polyline class="series" points="([^"]+)"', svgs[0])[0]
    ys = [float(p.split(",")[1]) for p in loss_line.split()]
    # SVG y grows downwards: the highest point of the loss curve is the first epoch (loss falls)
    assert ys[0] == min(ys) and ys[-1] > ys[0]
    facts = text_of(curves)
    assert f"最良のエポック（val_loss が最小） {best}" in facts
    gap = history["val_loss"][-1] - history["loss"][-1]
    printed_gap = float(re.search(r"最後の差 val_loss − loss (-?[0-9.]+)", facts).group(1))
    assert abs(printed_gap - gap) < 2e-4  # the fit log prints 4 decimals


def test_gpu_verdict_is_shown_with_its_signals(history_class):
    report, spec, out = history_class
    pages = write_feedback(report, spec, out)
    gpu_page = text_of(section(pages[0].read_text(encoding="utf-8"), "gpu"))
    cpu_page = text_of(section(pages[1].read_text(encoding="utf-8"), "gpu"))
    assert "判定: GPU で実行" in gpu_page and "device_type='GPU'" in gpu_page and "colab.gpuType: T4" in gpu_page
    assert "判定: CPU で実行" in cpu_page and "セル 1" in cpu_page


def test_flags_are_explained_as_a_request_for_review_not_an_accusation(history_class):
    report, spec, out = history_class
    pages = write_feedback(report, spec, out)
    assert [f.kind for f in report.submissions[2].flags] == ["not_executed"]
    flagged = text_of(section(pages[2].read_text(encoding="utf-8"), "flags"))
    assert "不正の判定ではありません" in flagged and "担当の教員が内容を確認する" in flagged
    assert "実行結果がありません" in flagged
    assert section(pages[0].read_text(encoding="utf-8"), "flags") == ""  # nothing flagged, no section


def test_a_student_page_never_names_the_other_submissions_of_a_flag(history_class, tmp_path):
    report, spec, out = history_class
    first = report.submissions[0]
    other = report.submissions[1].file
    flag = Flag("collusion", f"{Path(other).name} と出力が同じです。", f"same outputs as {Path(other).name}.",
                cells=(5,), related_files=(other,))
    flagged = Report(report.assignment, (first.__class__(**{**first.__dict__, "flags": (flag,)}), *report.submissions[1:]))
    pages = write_feedback(flagged, spec, out)
    student = pages[0].read_text(encoding="utf-8")
    assert "佐藤花子" not in student and "2412002" not in student
    assert "ほかの提出 と出力が同じです" in text_of(student)
    assert "よく似た箇所があります" in text_of(student)
    index = pages[-1].read_text(encoding="utf-8")
    assert "2412002_佐藤花子_3.ipynb" in text_of(section(index, "flagged"))  # the instructor sees it


def test_the_collusion_detector_s_flag_is_shown_without_the_other_student(tmp_path):
    nb = samples.submission("mlp", seed=1)
    files = [write(tmp_path, "2412001_山田太郎_2.ipynb", nb), write(tmp_path, "2412009_中村美咲_2.ipynb", nb)]
    spec = load_spec("mlp")
    report = grade_paths([str(f) for f in files], spec)
    assert [f.kind for f in report.submissions[0].flags] == ["collusion"]  # the same run in two notebooks
    pages = write_feedback(report, spec, tmp_path / "out")
    first, second = (p.read_text(encoding="utf-8") for p in pages[:2])
    assert "中村美咲" not in first and "2412009" not in first and "ほかの提出" in text_of(section(first, "flags"))
    assert "山田太郎" not in second and "2412001" not in text_of(section(second, "flags"))
    index = text_of(section(pages[-1].read_text(encoding="utf-8"), "flagged"))
    assert "2412001_山田太郎_2.ipynb" in index and "2412009_中村美咲_2.ipynb" in index


def test_an_unreadable_file_gets_a_page_with_what_to_do(history_class):
    report, spec, out = history_class
    pages = write_feedback(report, spec, out)
    page = text_of(pages[3].read_text(encoding="utf-8"))
    assert "採点できませんでした" in page and "PDF" in page and "点数: 0 / 100 点" in page


# ------------------------------------------------------------------ hidden checks never leak

LEAKY = """
id = "history"
number = 3
title = "課題3（非公開チェックつき）"
title_en = "Assignment 3 (with hidden checks)"
total_points = 100

[[checks]]
id = "summary_total_params"
kind = "summary_params"
category = "summary"
points = 40
total = 101770
description = "model.summary() の総パラメータ数が 101,770"
description_en = "model.summary() shows 101,770 parameters"

[[checks]]
id = "history_printed"
kind = "history"
category = "history"
points = 30
keys = ["loss", "accuracy", "val_loss", "val_accuracy"]
epochs = 50
printed = true
description = "print(result.history) が 50 エポック分"
description_en = "print(result.history) for 50 epochs"

[[checks]]
id = "zz_secret_accuracy"
kind = "test_accuracy"
category = "accuracy"
points = 15
min = 0.8713
hidden = HIDDEN
description = "ひみつの基準 QQSECRETJA"
description_en = "secret threshold QQSECRETEN"

[[checks]]
id = "zz_secret_best"
kind = "best_epoch"
category = "history"
points = 5
hidden = HIDDEN
description = "ひみつの最良エポック QQBESTJA"
description_en = "secret best epoch QQBESTEN"

[[checks]]
id = "zz_secret_gpu"
kind = "gpu"
category = "gpu"
points = 10
hidden = HIDDEN
description = "ひみつの GPU QQGPUJA"
description_en = "secret GPU QQGPUEN"
"""


def _leak_spec(tmp_path: Path, hidden: bool):
    import tomllib

    return parse_spec(tomllib.loads(LEAKY.replace("HIDDEN", "true" if hidden else "false")), str(tmp_path / "leaky.toml"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_feedback_never_reveals_a_hidden_check_its_parameters_or_its_answer(history_class, tmp_path, lang):
    report, _, out = history_class
    files = [s.file for s in report.submissions]
    secret_words = ["zz_secret", "QQSECRET", "QQBEST", "QQGPU", "0.8713"]
    history = samples.make_history(50, 1)
    best = min(range(50), key=history["val_loss"].__getitem__) + 1

    def render(hidden: bool) -> tuple[Report, list[str]]:
        spec = _leak_spec(tmp_path, hidden)
        graded = grade_paths(files, spec)
        pages = write_feedback(graded, spec, out / str(hidden) / lang, lang=lang)
        return graded, [p.read_text(encoding="utf-8") for p in pages]

    # the same spec with nothing hidden shows all of it: the words searched for below are really there
    _, shown = render(hidden=False)
    for word in secret_words[1:]:  # (a check's id is shown only when it has no description)
        assert word in shown[0] + shown[-1], word
    graded, pages = render(hidden=True)
    first = graded.submissions[0]
    secret_results = [c for c in first.checks if c.hidden]
    assert len(secret_results) == 3 and all(c.status == "pass" for c in secret_results)
    for html in pages:
        for word in secret_words:
            assert word not in html, word
        for c in secret_results:
            assert text_of(c.message_en if lang == "en" else c.message) not in text_of(html)
    student = pages[0]
    # the answers of the hidden checks: the best epoch, the GPU verdict, the test accuracy
    assert 'class="mark"' not in student
    assert "最良" not in student and "best epoch" not in student and f"best {best}" not in student
    assert section(student, "gpu") == "" and "device_type" not in student
    accuracy = f"{first.evidence.test_accuracy.accuracy:.4f}"
    assert accuracy not in student and 'id="test-accuracy"' not in student
    # the score is the real one, and the hidden part is summed up without detail
    assert first.score == 100
    assert re.search(r'id="score">(点数|Score): 100 / 100( 点| points)<', student)
    summary = text_of(re.search(r'<p id="hidden-checks">.*?</p>', student).group(0))
    assert ("3 more checks" in summary and "30 / 30" in summary) if lang == "en" else \
        ("非公開のチェックが 3 個" in summary and "30 / 30 点" in summary)


# ------------------------------------------------------------------ English

def test_english_pages_have_no_japanese_but_the_file_names(history_class):
    report, spec, out = history_class
    pages = write_feedback(report, spec, out, lang="en")
    names = {Path(s.file).name for s in report.submissions} | {s.file for s in report.submissions}
    japanese = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert '<html lang="en">' in html
        text = text_of(html)
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        assert not japanese.search(text), (page.name, japanese.findall(text)[:20], text[:300])
    student = pages[0].read_text(encoding="utf-8")
    assert re.search(r'id="score">Score: 100 / 100 points<', student)
    assert "Assignment 3: plot the training history" in student
    c = report.submissions[0].checks[0]
    assert text_of(c.message_en) in text_of(student)


def test_a_report_without_evidence_still_gets_pages(history_class):
    """A report rebuilt without the extracted evidence (e.g. from JSON): scores and checks, no curves."""
    report, spec, out = history_class
    bare = Report(report.assignment, tuple(s.__class__(**{**s.__dict__, "evidence": None}) for s in report.submissions))
    pages = write_feedback(bare, spec, out)
    student = pages[0].read_text(encoding="utf-8")
    assert 'id="score">点数: 100 / 100 点<' in student and "<polyline" not in student
    assert "学習曲線は描けません" in text_of(student)
    assert "提出数: 4" in text_of(pages[-1].read_text(encoding="utf-8"))


def test_bad_language_is_refused(history_class):
    report, spec, out = history_class
    with pytest.raises(ValueError):
        write_feedback(report, spec, out, lang="fr")


# ------------------------------------------------------------------ the class overview

def test_overview_page(history_class):
    report, spec, out = history_class
    pages = write_feedback(report, spec, out)
    index = pages[-1]
    assert index.name == "index.html"
    html = index.read_text(encoding="utf-8")
    text = text_of(html)
    assert "教員用のページです" in text
    assert "提出数: 4（採点 3、エラー 1、フラグ付き 1）" in text
    scores = sorted(s.score for s in report.submissions if s.status == "graded")
    # score histogram: one bar per non-empty tenth, the counts on the bars add up to the graded submissions
    score_svg = re.search(r'<svg class="chart histogram scores".*?</svg>', html, re.S).group(0)
    bars = re.findall(r'<rect class="bar"[^>]*/><text[^>]*>(\d+)</text>', score_svg)
    assert sum(map(int, bars)) == len(scores) == 3
    assert len(bars) == len({min(9, int(s // 10)) for s in scores})
    # test accuracy histogram with the spec's threshold marked
    acc_svg = re.search(r'<svg class="chart histogram accuracy".*?</svg>', html, re.S).group(0)
    found = [s for s in report.submissions if s.evidence and s.evidence.test_accuracy]
    assert sum(map(int, re.findall(r'<rect class="bar"[^>]*/><text[^>]*>(\d+)</text>', acc_svg))) == len(found) == 2
    assert "基準 0.86" in acc_svg and 'class="mark"' in acc_svg
    # over-fitting table: one row per training run, best epoch and final gap from the student's history
    rows = re.findall(r"<tr><td><a href=\"(\d+)\.html\">.*?</tr>", section(html, "overfitting"), re.S)
    assert rows == ["2412001", "2412002"]
    for seed, sid in ((1, "2412001"), (2, "2412002")):
        h = samples.make_history(50, seed)
        row = re.search(rf'<tr><td><a href="{sid}\.html">.*?</tr>', html, re.S).group(0)
        cells = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        best = min(range(50), key=h["val_loss"].__getitem__) + 1
        assert int(cells[4]) == best and int(cells[6]) == 50 - best
        assert abs(float(cells[9]) - (h["val_loss"][-1] - h["loss"][-1])) < 2e-4
    flagged = text_of(section(html, "flagged"))
    assert "2412003" in flagged and "not_executed" in flagged and "不正の判定ではありません" in flagged
    assert "実行結果なし" in flagged  # the kind in words, its code beside it for the instructor
    everyone = section(html, "all")
    row = re.search(r'<tr class="row-graded"><td class="sid">2412003</td>.*?</tr>', everyone, re.S).group(0)
    assert "実行結果なし" in text_of(row) and "not_executed" not in text_of(row)
    assert text_of(everyone).count("開く") == 4 and "PDF" in text_of(everyone)
    for href in re.findall(r'href="([^"]+)"', html):
        assert (index.parent / href).is_file(), href


def test_a_student_dropped_from_the_round_loses_the_old_page_and_nothing_else_is_touched(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    files = [write(subs, f"24120{i}_学生{i}_2.ipynb", samples.submission("mlp", seed=i)) for i in (11, 12)]
    spec, out = load_spec("mlp"), tmp_path / "feedback"
    write_feedback(grade_paths([str(f) for f in files], spec), spec, out)
    (out / "notes.html").write_text("instructor's own page", encoding="utf-8")
    assert {"2412011.html", "2412012.html", "index.html"} <= {p.name for p in out.iterdir()}
    write_feedback(grade_paths([str(files[0])], spec), spec, out)  # 241212 withdrew: the next round has only 241211
    names = {p.name for p in out.iterdir()}
    assert "2412012.html" not in names  # an outdated grade page is not left for a student who is no longer graded
    assert {"2412011.html", "index.html", "notes.html"} <= names  # the instructor's own page stays
    assert "2412012" not in (out / "index.html").read_text(encoding="utf-8")
    again = write_feedback(grade_paths([str(files[0])], spec), spec, out)  # twice: the same pages
    assert sorted(p.name for p in again) == ["2412011.html", "index.html"]
    assert sorted(p.name for p in out.iterdir()) == [".feedback-pages.json", "2412011.html", "index.html", "notes.html"]


def test_page_names_are_unique_and_never_the_index(tmp_path):
    nb = samples.submission("mlp", seed=1)
    files = [write(tmp_path, "2412001_山田太郎_2.ipynb", nb), write(tmp_path, "2412001_山田太郎_2 (1).ipynb", nb),
             write(tmp_path, "index.ipynb", nb), write(tmp_path, "my notebook.ipynb", nb)]
    report = grade_paths([str(f) for f in files], load_spec("mlp"))
    assert page_names(report) == ["2412001.html", "2412001-2.html", "index-2.html", "my_notebook.html"]
    pages = write_feedback(report, load_spec("mlp"), tmp_path / "out")
    assert [p.name for p in pages] == [*page_names(report), "index.html"]


def test_pages_are_self_contained(history_class):
    report, spec, out = history_class
    for page in write_feedback(report, spec, out):
        html = page.read_text(encoding="utf-8").lower()
        for needle in ("http:", "https:", "<script", "<link", " src=", "url(", "@import", "<img", "@font-face"):
            assert needle not in html, (page.name, needle)


def test_svg_line_chart_leaves_gaps_for_nan_and_handles_one_epoch():
    svg = svgplot.line_chart([svgplot.Line("loss", [0.5, math.nan, 0.3, 0.2], svgplot.TRAIN_COLOR)],
                             title="t", x_label="x", y_label="y")
    assert len(re.findall(r"<polyline", svg)) == 1 and len(re.findall(r"<circle", svg)) == 1
    one = svgplot.line_chart([svgplot.Line("loss", [0.5], svgplot.TRAIN_COLOR)], title="t", x_label="x", y_label="y")
    assert "<circle" in one and "nan" not in one
    assert "empty" in svgplot.line_chart([svgplot.Line("loss", [], svgplot.TRAIN_COLOR)], title="t", x_label="x", y_label="y")
    escaped = svgplot.line_chart([svgplot.Line("<b>", [1, 2], svgplot.TRAIN_COLOR)], title="a&b", x_label="x", y_label="y")
    assert "<b>" not in escaped and "&lt;b&gt;" in escaped and "a&amp;b" in escaped


def test_nice_ticks_are_round_and_cover_the_range():
    assert svgplot.nice_ticks(0.02, 0.45) == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    assert svgplot.nice_ticks(0.8812, 0.9712) == [0.88, 0.9, 0.92, 0.94, 0.96, 0.98]
    flat = svgplot.nice_ticks(0.5, 0.5)
    assert flat[0] < 0.5 < flat[-1]


# ------------------------------------------------------------------ the command

def test_cli_feedback_writes_the_pages(history_class, capsys):
    report, _, out = history_class
    folder = str(Path(report.submissions[0].file).parent)
    assert main(["feedback", "--assignment", "history", "--out", str(out), "--lang", "en", folder]) == 0
    assert sorted(p.name for p in out.iterdir()) == [".feedback-pages.json", "2412001.html", "2412002.html", "2412003.html",
                                                     "2412004.html", "index.html"]
    assert "wrote 4 student page(s)" in capsys.readouterr().out
    assert "Score: 100 / 100 points" in (out / "2412001.html").read_text(encoding="utf-8")


def test_feedback_has_help():
    proc = subprocess.run([sys.executable, "-m", "autograder", "feedback", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "--out" in proc.stdout and "--lang" in proc.stdout


def test_check_grade_and_inspect_never_import_jinja2(tmp_path):
    path = write(tmp_path, "2412001_山田太郎_2.ipynb", samples.submission("mlp", seed=1))
    code = ("import sys, io, contextlib\nfrom autograder.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main(['check', {str(path)!r}]); main(['grade', '-a', 'mlp', {str(path)!r}]); main(['inspect', {str(path)!r}])\n"
            "print(sorted(m for m in sys.modules if m.startswith(('jinja2', 'markupsafe', 'autograder.present.feedback'))))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == "[]"


# ------------------------------------------------------------------ in a real browser

def _find_chromium() -> str | None:
    return next((p for p in map(shutil.which, ("chromium", "chromium-browser")) if p), None)


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of Chromium. Tests never install it: ``.ci/run`` installs the Debian package. Missing, it is a skip with
    the install hint on a developer's machine and a failure in CI (strict mode, tests/conftest.py)."""
    found = _find_chromium()
    if not found:
        missing("chromium is not installed, so the feedback pages cannot be rendered in a browser",
                "Install the Debian package: sudo apt-get update && sudo apt-get install -y chromium")
    return found


def _run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit non-interlaced RGB/RGBA PNG (what Chromium writes)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    channels = 4 if color == 6 else 3
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        rows.append(bytes(v for i, v in enumerate(line) if channels == 3 or i % 4 != 3))
    return width, height, rows


def _rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _pixels_near(rows: list[bytes], width: int, color: tuple[int, int, int], tol: int = 30) -> list[tuple[int, int]]:
    found = []
    for y, row in enumerate(rows):
        for x in range(width):
            r, g, b = row[3 * x:3 * x + 3]
            if abs(r - color[0]) <= tol and abs(g - color[1]) <= tol and abs(b - color[2]) <= tol:
                found.append((x, y))
    return found


@pytest.mark.slow
def test_student_page_in_headless_chromium_shows_the_score_and_a_plot(chromium, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    write(subs, "2412003_上田結衣_2.ipynb", samples.submission("mlp", seed=3, gpu=False))
    spec = load_spec("mlp")
    report = grade_paths([str(subs)], spec)
    assert report.submissions[0].score == 90
    page = write_feedback(report, spec, tmp_path / "out")[0]
    profile = tmp_path / "profile"

    dom = _run_chromium(chromium, profile, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    score = re.search(r'<p class="score" id="score">(.*?)</p>', dom.stdout, re.S)
    assert score and unescape(score.group(1)) == "点数: 90 / 100 点"
    assert dom.stdout.count('<polyline class="series"') == 4

    png = tmp_path / "page.png"
    shot = _run_chromium(chromium, profile, f"--screenshot={png}", "--window-size=1200,1600", page.as_uri())
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    width, height, rows = read_png(png)
    assert (width, height) == (1200, 1600)
    # the plot region: where the two curves' colours are drawn, as wide as a chart and not a legend swatch
    for color in (svgplot.TRAIN_COLOR, svgplot.VAL_COLOR):
        pts = _pixels_near(rows, width, _rgb(color))
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        assert len(pts) > 500, (color, len(pts))
        assert max(xs) - min(xs) > 600 and max(ys) - min(ys) > 100, (color, min(xs), max(xs), min(ys), max(ys))
    pts = _pixels_near(rows, width, _rgb(svgplot.TRAIN_COLOR))
    x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
    y0, y1 = min(p[1] for p in pts), max(p[1] for p in pts)
    region = [rows[y][3 * x:3 * x + 3] for y in range(y0, y1 + 1) for x in range(x0, x1 + 1)]
    non_white = sum(1 for px in region if min(px) < 235)
    assert non_white / len(region) > 0.02


@pytest.mark.slow
def test_overview_page_in_headless_chromium_draws_the_histograms(chromium, history_class, tmp_path):
    report, spec, out = history_class
    index = write_feedback(report, spec, out)[-1]
    png = tmp_path / "index.png"
    shot = _run_chromium(chromium, tmp_path / "profile", f"--screenshot={png}", "--window-size=1200,900", index.as_uri())
    assert shot.returncode == 0 and png.is_file(), shot.stderr[-2000:]
    width, _, rows = read_png(png)
    bars = _pixels_near(rows, width, _rgb(svgplot.BAR_COLOR), tol=10)
    assert len(bars) > 2000
    assert min(p[0] for p in bars) < 600 < max(p[0] for p in bars)  # bars in both histograms, side by side
