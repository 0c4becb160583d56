"""Reading notebooks: formats, encodings and every error path gives a NotebookError with a clear message."""
from __future__ import annotations

import json

import pytest

from autograder.errors import NotebookError
from autograder.read.notebook import load_notebook, parse_notebook
from autograder.read.text import clean, html_to_text
from autograder.testing import samples as s


def test_v4_cells_sources_outputs(write_nb):
    path = write_nb([s.markdown("# t"), s.code("print(1)\nprint(2)", [s.stream("1\n2\n")], count=3)])
    nb = load_notebook(path)
    assert nb.nbformat == 4
    assert [c.cell_type for c in nb.cells] == ["markdown", "code"]
    assert nb.cells[1].execution_count == 3
    assert nb.cells[1].text == "1\n2"
    assert nb.cells[1].index == 1


def test_source_as_list_of_lines_and_bom(tmp_path):
    nb = s.notebook([s.code(["print(1)\n", "print(2)"], [s.stream(["a\n", "b\n"])])])
    path = tmp_path / "bom.ipynb"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(nb).encode())
    cell = load_notebook(path).cells[0]
    assert cell.source == "print(1)\nprint(2)"
    assert cell.text == "a\nb"


def test_utf16_with_bom_is_read(tmp_path):
    path = tmp_path / "u16.ipynb"
    path.write_bytes(json.dumps(s.notebook([s.code("x", [s.stream("正解率 0.9\n")])]), ensure_ascii=False).encode("utf-16"))
    assert load_notebook(path).cells[0].text == "正解率 0.9"


def test_stdout_joined_across_interleaved_stderr():
    nb = parse_notebook(json.dumps(s.notebook([s.code("fit", [
        s.stream("Epoch 1/2\n"), s.stream("XLA log\n", "stderr"), s.stream("\x1b[1m10/10\x1b[0m - loss: 1"),
        s.stream(" - accuracy: 0.5\n"), s.display(plain="<Figure size 640x480 with 1 Axes>")])])))
    cell = nb.cells[0]
    assert cell.stdout == "Epoch 1/2\n10/10 - loss: 1 - accuracy: 0.5\n"
    assert cell.stderr == "XLA log\n"
    assert cell.text == "Epoch 1/2\n10/10 - loss: 1 - accuracy: 0.5\n<Figure size 640x480 with 1 Axes>\nXLA log"


def test_html_only_output_is_read_as_text():
    nb = parse_notebook(json.dumps(s.notebook([s.code("df", [s.display(html="<b>Test&nbsp;accuracy:</b> 0.9<br>x")])])))
    assert nb.cells[0].text == "Test\xa0accuracy: 0.9\nx"


def test_error_output_text():
    nb = parse_notebook(json.dumps(s.notebook([s.code("1/0", [s.error("ZeroDivisionError", "division by zero")])])))
    out = nb.cells[0].outputs[0]
    assert (out.kind, out.ename, out.text) == ("error", "ZeroDivisionError", "ZeroDivisionError: division by zero")


def test_clean_carriage_return_and_backspace():
    assert clean("\x1b[1m1/2\x1b[0m") == "1/2"
    assert clean("Epoch 1\n 10/100 [..] - ETA: 5s\r100/100 [==] - 1s     ") == "Epoch 1\n100/100 [==] - 1s     "
    assert clean(" 10/100 ETA\r100/100 done\n") == "100/100 done\n"
    assert clean("abc\x08\x08xy") == "axy"
    assert clean("a\r\nb") == "a\nb"
    assert clean("long line here\rshort") == "shortline here"


def test_html_to_text_drops_tags_and_styles():
    assert html_to_text("<style>p{}</style><table><tr><td>a</td><td>b</td></tr></table>") == "a\tb\t\n"


@pytest.mark.parametrize("data, code, words", [
    (b"", "empty", "空"),
    (b"   \n", "empty", "空"),
    (b"%PDF-1.4 ...", "not_notebook", "PDF"),
    (b"PK\x03\x04...", "not_notebook", "ZIP"),
    (b'{"cells": [', "invalid_json", "JSON"),
    (b"import numpy as np\nprint(1)\n", "invalid_json", "Python"),
    (b"\xff\xfe\x00garbage\x81", "not_utf8", "UTF-8"),
    (b"\x80\x81\x82 not utf8", "not_utf8", "UTF-8"),
    (b"[1, 2, 3]", "not_notebook", "list"),
    (b'{"a": 1}', "not_notebook", "cells"),
    (b'{"nbformat": 5, "cells": []}', "unsupported_version", "nbformat 5"),
    (b'{"nbformat": 4, "cells": {}}', "not_notebook", "cells"),
    (b"[" * 100000 + b"]" * 100000, "invalid_json", "JSON"),
])
def test_bad_files_raise_clear_errors(tmp_path, data, code, words):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(data)
    with pytest.raises(NotebookError) as info:
        load_notebook(path)
    assert info.value.code == code
    assert str(path) in info.value.message("ja") and str(path) in info.value.message("en")
    assert words in info.value.message("ja") + info.value.message("en")


def test_directory_named_ipynb(tmp_path):
    d = tmp_path / "folder.ipynb"
    d.mkdir()
    with pytest.raises(NotebookError) as info:
        load_notebook(d)
    assert info.value.code == "is_directory"
    assert "フォルダ" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(NotebookError) as info:
        load_notebook(tmp_path / "nope.ipynb")
    assert info.value.code == "not_found"


def test_odd_cells_and_outputs_are_tolerated():
    raw = {"nbformat": 4, "nbformat_minor": 5, "metadata": [], "cells": [
        "not a cell", {"cell_type": "raw", "source": "x"}, {"cell_type": "code", "source": 3, "outputs": "x",
                                                           "execution_count": "7"},
        {"cell_type": "code", "source": "x", "outputs": [{"output_type": "weird"}, 5, {"output_type": "stream"}]}]}
    nb = parse_notebook(json.dumps(raw))
    assert [c.cell_type for c in nb.cells] == ["unknown", "raw", "code", "code"]
    assert nb.cells[2].execution_count is None and nb.cells[2].outputs == ()
    assert [o.kind for o in nb.cells[3].outputs] == ["weird", "stream"]
    assert nb.metadata == {}


def test_nbformat3_is_upgraded(corpus):
    nb = load_notebook(corpus / "nbformat3_cs231n_two_layer_net_py2.ipynb")
    assert nb.nbformat == 4
    code = nb.code_cells
    assert code and any(c.outputs for c in code)
    assert any(o.kind == "stream" for c in code for o in c.outputs)


def test_every_corpus_notebook_reads(corpus):
    for path in sorted(corpus.glob("*.ipynb")):
        nb = load_notebook(path)
        assert nb.cells, path.name
        for cell in nb.code_cells:
            assert isinstance(cell.text, str)
