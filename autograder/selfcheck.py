"""The students' self-check cell: find the live notebook (Colab, Jupyter, VS Code or a path), grade it, show the checklist.

Beside the layers: imports model, read, judge, present, pipeline and errors; IPython and ``google.colab`` only lazily,
when they are there. It never executes a cell and never imports TensorFlow: it grades the notebook JSON with the
same static path as ``autograder check`` (``read.extract`` → ``judge.grade_evidence``), so what it shows is what
``check`` says about the same notebook. Its own cell is skipped by extraction (``read.selfcheck_cell``), so its
output never counts.

Where the notebook comes from, in order:

1. ``path=`` when given (any front end).
2. Colab: the front-end call Colab itself uses to hand the kernel the current notebook,
   ``google.colab._message.blocking_request("get_ipynb", request="", timeout_sec=…)``, which answers
   ``{"ipynb": {…notebook JSON…}}`` (used this way by public Colab tools, e.g. the ``get_ipynb`` calls found in
   GitHub code: ``_message.blocking_request('get_ipynb', request='', timeout_sec=15)`` → ``reply["ipynb"]["cells"]``,
   and ``reply["ipynb"]["metadata"]["colab"]["name"]`` for the notebook's name; a ``None`` reply means no answer,
   an ``"error"`` key a refusal). This is the live notebook, outputs included, whether or not it was saved.
3. Jupyter / JupyterLab: the session's notebook path. jupyter_server ≥ 2.0 starts the kernel with
   ``JPY_SESSION_NAME`` set to it (jupyter_server PR #1100, ``SessionManager.get_kernel_env``), and ipykernel
   ≥ 6.18 copies it into the user namespace as ``__session__`` (``ipkernel.py``). VS Code sets ``__vsc_ipynb_file__``.
   This is the file as last saved.
"""
from __future__ import annotations

import html
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.errors import AutograderError, NotebookError
from autograder.judge.grade import grade_evidence
from autograder.judge.spec import available, load_spec
from autograder.model.format import points as _pts
from autograder.model.results import SubmissionResult
from autograder.model.spec import Spec
from autograder.pipeline import student_id_of
from autograder.present.text import MARKS, checklist
from autograder.read.extract import extract
from autograder.read.names import NameVerdict, name_verdict
from autograder.read.notebook import Notebook, from_dict, load_notebook

__all__ = ["COLAB_TIMEOUT", "SelfCheck", "check", "find_notebook", "show"]

COLAB_TIMEOUT = 30  # seconds Colab's front end gets to hand over the notebook (a large notebook takes a few)
_SESSION_NAMES = ("__vsc_ipynb_file__", "__session__")  # VS Code, then ipykernel ≥ 6.18


class SelfCheckError(NotebookError):
    """The notebook could not be found or read; the message says how to pass a path."""


@dataclass(frozen=True)
class Found:
    notebook: Notebook
    name: str  # the file name the notebook will have when saved / downloaded ("" when unknown)
    where: str  # "colab" | "jupyter" | "file"


@dataclass(frozen=True)
class SelfCheck:
    result: SubmissionResult
    spec: Spec
    found: Found
    name: NameVerdict | None

    @property
    def passed(self) -> bool:
        visible = [c for c in self.result.checks if not c.hidden]
        return self.result.status == "graded" and all(c.status == "pass" for c in visible)


# ------------------------------------------------------------------ finding the notebook

def find_notebook(path: str | os.PathLike[str] | None = None) -> Found:
    """The notebook to check: ``path``, else Colab's live notebook, else the Jupyter session's file."""
    if path is not None:
        return Found(load_notebook(path), Path(path).name, "file")
    live = _colab_notebook()
    if live is not None:
        return live
    session = _session_path()
    if session is not None:
        return Found(load_notebook(session), session.name, "jupyter")
    raise SelfCheckError(
        "selfcheck_no_notebook",
        "このノートブックのファイルが見つかりませんでした。ファイルの場所を指定してください。例: "
        'show("mlp", path="2412345_山田太郎_2.ipynb")（先にノートブックを保存してください）',
        "Could not find this notebook's file. Pass its path, e.g. "
        'show("mlp", path="2412345_山田太郎_2.ipynb") (save the notebook first).')


def _colab_notebook() -> Found | None:
    try:
        from google.colab import _message  # only on Colab (or its stand-in)
    except ImportError:
        return None
    reply = _message.blocking_request("get_ipynb", request="", timeout_sec=COLAB_TIMEOUT)
    raw = reply.get("ipynb") if isinstance(reply, dict) and not reply.get("error") else None
    if not isinstance(raw, dict):
        raise SelfCheckError("selfcheck_colab_no_reply",
                             "Colab からノートブックを受け取れませんでした。数秒待ってからこのセルをもう一度実行してください。",
                             "Colab did not hand over the notebook. Wait a few seconds and run this cell again.")
    meta = raw.get("metadata")
    colab = meta.get("colab") if isinstance(meta, dict) else None
    name = colab.get("name") if isinstance(colab, dict) else None
    name = name if isinstance(name, str) else ""
    return Found(from_dict(raw, name or "Colab"), name, "colab")


def _session_path() -> Path | None:
    """The notebook file of this kernel's Jupyter (or VS Code) session, when it exists."""
    names: list[Any] = []
    shell = _ipython()
    if shell is not None:
        names += [shell.user_ns.get(key) for key in _SESSION_NAMES]
    names.append(os.environ.get("JPY_SESSION_NAME"))
    for name in names:
        if not isinstance(name, str) or not name.lower().endswith(".ipynb"):
            continue
        for candidate in (Path(name), Path.cwd() / Path(name).name):  # a path relative to the server's root
            if candidate.is_file():
                return candidate
    return None


def _ipython() -> Any:
    ipython = sys.modules.get("IPython")
    if ipython is None:  # not in a kernel: nothing to ask (and never import IPython just for that)
        return None
    get = getattr(ipython, "get_ipython", None)
    return get() if callable(get) else None


# ------------------------------------------------------------------ grading and showing

def _spec_for(assignment: str | None, nb: Notebook) -> Spec:
    if assignment:
        return load_spec(assignment)
    meta = nb.metadata.get("autograder")
    if isinstance(meta, dict) and meta.get("assignment") in available():
        return load_spec(meta["assignment"])
    raise SelfCheckError("selfcheck_no_assignment", "どの課題か分かりません。show(\"mlp\") のように課題を指定してください。",
                         'Cannot tell which assignment this is; call e.g. show("mlp").')


def check(assignment: str | None = None, path: str | os.PathLike[str] | None = None) -> SelfCheck:
    """Find, read and grade the notebook (never executing it); ``SelfCheckError`` when it cannot be found."""
    found = find_notebook(path)
    spec = _spec_for(assignment, found.notebook)
    result = grade_evidence(found.name or found.notebook.path, extract(found.notebook), spec,
                            student_id_of(found.name) if found.name else None)
    verdict = name_verdict(found.name, spec.number) if found.name else None
    return SelfCheck(result, spec, found, verdict)


def show(assignment: str | None = None, path: str | os.PathLike[str] | None = None, lang: str = "ja") -> None:
    """The self-check cell's call: the checklist as HTML in a notebook, as text elsewhere. Never raises for a
    notebook problem (the message says what to do)."""
    try:
        done = check(assignment, path)
    except AutograderError as exc:  # no notebook found, an unreadable one, an unknown assignment id
        _emit(f"<p><b>{html.escape(exc.message(lang))}</b></p>", exc.message(lang))
        return
    _emit(render_html(done, lang), render_text(done, lang))


def _emit(page: str, text: str) -> None:
    shell = _ipython()
    if shell is not None and getattr(shell, "display_pub", None) is not None:
        from IPython.display import HTML, display  # only in a kernel, where IPython is loaded already

        display(HTML(page))
        return
    print(text)


_WHERE = {"colab": ("Colab で開いているノートブック（いまの状態）", "the notebook open in Colab (as it is now)"),
          "jupyter": ("保存されたファイル（最後に保存した時点）", "the saved file (as last saved)"),
          "file": ("指定したファイル", "the file given")}
_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "missing": "#9a6700", "error": "#9a6700"}


def _notes(done: SelfCheck, en: bool) -> list[str]:
    where = _WHERE[done.found.where][1 if en else 0]
    shown = done.found.name or ("(no name)" if en else "（名前なし）")
    lines = [f"Checked: {where}: {shown}" if en else f"確認したもの: {where}: {shown}",
             "This is not your grade and nothing was run. Before you submit: run all cells, save, and submit the saved file."
             if en else "これは採点ではなく、何も実行していません。"
                        "提出前に「すべてのセルを実行」して保存し、そのファイルを提出してください。"]
    n = done.spec.number
    if done.name is not None:
        lines.append(done.name.message("en" if en else "ja"))
    else:
        lines.append(f"Save the file as student-id_name_{n}.ipynb (e.g. 2412345_山田太郎_{n}.ipynb)." if en
                     else f"保存するときのファイル名: 学籍番号_名前_{n}.ipynb（例: 2412345_山田太郎_{n}.ipynb）")
    return lines


def render_text(done: SelfCheck, lang: str = "ja") -> str:
    en = lang == "en"
    return "\n".join([checklist(done.result, done.spec, lang), *_notes(done, en)])


def _cell_hint(done: SelfCheck, cell: int | None, en: bool) -> str:
    if cell is None or not 0 <= cell < len(done.found.notebook.cells):
        return ""
    first = next((line.strip() for line in done.found.notebook.cells[cell].source.splitlines() if line.strip()), "")
    where = f"cell {cell} ({cell + 1}th from the top)" if en else f"セル {cell}（上から {cell + 1} 番目）"  # as the messages number them
    return f"{where}: <code>{html.escape(first[:60])}</code>" if first else where


def render_html(done: SelfCheck, lang: str = "ja") -> str:
    en = lang == "en"
    spec, result = done.spec, done.result
    title = html.escape((spec.title_en or spec.title) if en else spec.title)
    notes = "".join(f"<p>{html.escape(line)}</p>" for line in _notes(done, en))
    if result.status == "error":
        error = html.escape((result.error_en if en else result.error) or "")
        return f"<div><h3>{title}</h3><p><b>{error}</b></p>{notes}</div>"
    rows = []
    visible = [c for c in result.checks if not c.hidden]
    for c in visible:
        mark, color = MARKS[c.status], _COLOURS[c.status.value]
        desc = html.escape(((c.description_en or c.description) if en else c.description) or c.id)
        hint = html.escape(c.message_en if en else c.message)
        cell = _cell_hint(done, c.cell, en) if c.status.value != "pass" else ""
        rows.append(f'<tr><td style="color:{color};font-weight:bold">{mark}</td><td>{_pts(c.points)}/{_pts(c.max_points)}</td>'
                    f"<td>{desc}</td><td>{hint}{'<br>' + cell if cell else ''}</td></tr>")
    total = f"{_pts(sum(c.points for c in visible))}/{_pts(sum(c.max_points for c in visible))}"
    head = ("<tr><th></th><th>points</th><th>check</th><th>hint</th></tr>" if en
            else "<tr><th></th><th>点</th><th>チェック</th><th>ヒント・直す場所</th></tr>")
    flags = "".join(f"<p>{'Note' if en else '注意'}: {html.escape(f.message_en if en else f.message)}</p>" for f in result.flags)
    hidden = len(result.checks) - len(visible)
    more = (f"<p>{hidden} more checks are run when your submission is graded.</p>" if en
            else f"<p>このほかに、提出後の採点で行うチェックが {hidden} 個あります。</p>") if hidden else ""
    return (f"<div><h3>{'Self-check' if en else '自己チェック'}: {title}</h3><table>{head}{''.join(rows)}</table>"
            f"<p><b>{'Total' if en else '合計'}: {total}{'' if en else ' 点'}</b></p>{flags}{more}{notes}</div>")
