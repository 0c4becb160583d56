"""Student-facing words (issue 16, item 9): every message read as a Japanese student would read it.

Scans what ``check``, ``grade`` and ``inspect`` print for real notebooks (the shared corpus, the samples, the
solutions) under every assignment, and for the unreadable files a class sends, for four defects: an internal
code alone (a flag kind such as ``tampered_output``), 「?」 standing for a count (「? エポック」), 「0 つです」, and a
sentence said twice in one message.
"""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

from autograder.judge.checks import history as history_checks
from autograder.judge.spec import available, load_spec
from autograder.model.results import FlagKind
from autograder.pipeline import grade_notebook, grade_paths, inspect_file
from autograder.present.text import FLAG_WORDS, batch_table, checklist, evidence_listing, flag_words
from autograder.read.extract import extract
from autograder.read.notebook import parse_notebook
from autograder.testing import samples

pytestmark = pytest.mark.timeout(300)

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real"
CODES = [k.value for k in FlagKind]
QUESTION_COUNT = re.compile(r"[?？]\s*(?:エポック|個|つ|回|件|層|epochs?\b)")
ZERO_TSU = re.compile(r"(?<![\d.,])0 つ")
CODE_ALONE = re.compile(r"(?<![\w`])(?:" + "|".join(CODES) + r")(?![\w`])")
SENTENCE = re.compile(r"[^。！？!?]+[。！？]|[^.!?]+[.!?](?=\s|$)")


def _defects(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        if QUESTION_COUNT.search(line):
            found.append(f"「?」 for a count: {line}")
        if ZERO_TSU.search(line):
            found.append(f"「0 つ」: {line}")
        if CODE_ALONE.search(line):
            found.append(f"internal code: {line}")
        sentences = [s.strip() for s in SENTENCE.findall(line) if len(s.strip()) > 6]
        repeated = {s for s in sentences if sentences.count(s) > 1}
        if repeated:
            found.append(f"repeated sentence {sorted(repeated)[0]!r}: {line}")
    return found


def _files() -> list[Path]:
    return sorted([*REPO.glob("solutions/*.ipynb"), *REPO.glob("examples/submissions/*.ipynb"), *CORPUS.glob("*.ipynb")])


def test_the_scanner_sees_each_defect():
    assert _defects("セル 3: ? エポック（loss）")
    assert _defects("summary が 2 つ必要ですが 0 つです")
    assert _defects("注意: tampered_output")
    assert _defects("ファイルが空です。保存し直してください。ファイルが空です。保存し直してください。")
    assert not _defects("summary が 2 つ必要ですが、1 つもありません（見つかった値: 10 つ）。")


@pytest.mark.parametrize("assignment", sorted(available()))
def test_what_check_and_grade_print_has_no_defect(assignment):
    spec = load_spec(assignment)
    report = grade_paths([str(f) for f in _files()], spec)
    problems = []
    for result in report.submissions:
        for lang in ("ja", "en"):
            problems += _defects(checklist(result, spec, lang))
    for lang in ("ja", "en"):
        problems += _defects(batch_table(report, spec, lang))
    assert not problems, "\n".join(sorted(set(problems))[:20])


def test_what_inspect_prints_has_no_defect():
    problems = []
    for f in _files():
        entry = inspect_file(str(f))
        for lang in ("ja", "en"):
            problems += _defects(evidence_listing(entry.file, entry.evidence, entry.error(lang), lang))
    assert not problems, "\n".join(sorted(set(problems))[:20])


def test_every_flag_kind_has_words():
    assert set(FLAG_WORDS) == set(CODES)
    for code in CODES:
        for lang in ("ja", "en"):
            assert code not in flag_words(code, lang)


# what a class sends that is no notebook: each message says what it is and what to do, once
BAD_FILES = {
    "empty": b"", "blank": b"  \n", "pdf": b"%PDF-1.4 ...", "zip": b"PK\x03\x04rest", "png": b"\x89PNG\r\n",
    "truncated": b'{"cells": [{"cell_type": "code", "source": "x',
    "python": b"import numpy as np\nprint(1)\n", "html": b"<!DOCTYPE html><html></html>", "list": b"[1, 2]",
    "latin1": b'{"cells": [], "metadata": {"a": "\xe9"}}', "version": b'{"nbformat": 7, "cells": []}',
    "no cells": b'{"nbformat": 4, "metadata": {}}', "deep": b"[" * 100_000 + b"]" * 100_000,
    "huge number": b'{"nbformat": 4, "cells": [], "x": ' + b"9" * 5000 + b"}",
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
def test_an_unreadable_file_is_said_once_in_words(tmp_path, kind):
    path = tmp_path / "2412042_山田_1.ipynb"
    path.write_bytes(BAD_FILES[kind])
    result = grade_notebook(path, load_spec("mlp"))
    assert result.status == "error"
    for text in (result.error, result.error_en, checklist(result, load_spec("mlp"), "ja")):
        assert text and not _defects(text), text


@pytest.mark.parametrize("kind", ["empty", "truncated", "pdf", "python"])
def test_collect_says_how_to_save_again_once(tmp_path, kind):
    from autograder.course.collect.archive import ZipEntry
    from autograder.course.collect.plan import _by_content

    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("2412042_山田_1.ipynb", BAD_FILES[kind])
    with zipfile.ZipFile(archive) as z:
        info = z.infolist()[0]
        entry = ZipEntry(0, info, info.filename, "utf-8")
        _, refusal = _by_content(entry, lambda i, limit: z.read(i), 10**8)
    assert refusal is not None
    for text in refusal[1:]:
        assert not _defects(text), text
        assert text.count("ダウンロード →") + text.count("Download →") <= 1, text  # the way to save again, once


def test_an_unreadable_epoch_count_is_said_in_words(monkeypatch):
    monkeypatch.setattr(history_checks, "_run_epochs", lambda run: None)  # no run's epoch count can be read
    ev = extract(parse_notebook(json.dumps(samples.submission("history"))))
    outcome = history_checks.check_history(ev, {"keys": ["val_nothing"], "epochs": 20})
    assert outcome.status == "fail"
    assert "エポック数は読み取れません" in outcome.message and "epoch count unreadable" in outcome.message_en
    assert not _defects(outcome.message) and not _defects(outcome.message_en)


def test_a_summary_count_short_by_all_says_none():
    spec = load_spec("dropout")  # needs two summaries of the same total: the corpus has none, so 「0 つです」 was common
    texts = [c.message for f in _files() for c in grade_notebook(f, spec).checks if c.category == "summary"]
    assert any("1 つもありません" in t for t in texts) or not CORPUS.is_dir()
    assert not any(ZERO_TSU.search(t) for t in texts)
