"""Read an ``.ipynb`` file into plain immutable values, never executing it; standard library only (nbformat lazily, for v3).

``nbformat`` is imported lazily, just to upgrade nbformat 3 files: the hot path loads nothing outside the standard library.
Every problem with a file becomes a ``NotebookError`` whose message names the file and says what to do.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.errors import NotebookError
from autograder.read.budget import check_budget
from autograder.read.text import clean, html_to_text, join_source

MAX_BYTES = 200 * 1024 * 1024  # a notebook larger than this is refused before reading




@dataclass(frozen=True)
class Output:
    """One output of a code cell, its text cleaned as a person would see it."""

    kind: str  # "stream", "execute_result", "display_data", "error", or the unknown type as given
    name: str | None = None  # "stdout"/"stderr" for streams
    text: str = ""  # cleaned text (text/plain, else text/html as text; traceback summary for errors)
    html: str | None = None  # raw text/html, when present
    image_digest: str | None = None  # sha1 of the decoded image/png, when present
    png: str | None = None  # the image/png's base64 text, for autograder.read.figures
    ename: str | None = None
    evalue: str | None = None


@dataclass(frozen=True)
class Cell:
    index: int  # 0-based position in the notebook's cells (after upgrading nbformat 3)
    cell_type: str
    source: str
    execution_count: int | None = None
    outputs: tuple[Output, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def executed(self) -> bool:
        """Run at least once: a positive execution count, or outputs (Colab may clear counts)."""
        return bool(self.execution_count) or bool(self.outputs)

    @property
    def stdout(self) -> str:
        """stdout streams joined in order, even where stderr outputs interleave (Keras 3 on a GPU server)."""
        return clean("".join(o.text for o in self.outputs if o.kind == "stream" and o.name != "stderr"))

    @property
    def stderr(self) -> str:
        return clean("".join(o.text for o in self.outputs if o.kind == "stream" and o.name == "stderr"))

    @property
    def text(self) -> str:
        """All that the cell shows, in order: stdout and rich outputs, then errors, then stderr.

        Consecutive stdout streams are joined before cleaning (a progress bar may be split over outputs);
        every rich output starts on a new line.
        """
        return _cell_text(self)


def _cell_text(cell: Cell) -> str:
    parts: list[str] = []
    stdout: list[str] = []
    stderr: list[str] = []
    for out in cell.outputs:
        if out.kind == "stream":
            (stderr if out.name == "stderr" else stdout).append(out.text)
            continue
        if stdout:
            parts.append(clean("".join(stdout)))
            stdout = []
        if out.text:
            parts.append(out.text)
    if stdout:
        parts.append(clean("".join(stdout)))
    if stderr:
        parts.append(clean("".join(stderr)))
    return "\n".join(p if not p.endswith("\n") else p[:-1] for p in parts)


@dataclass(frozen=True)
class Notebook:
    path: str
    nbformat: int
    nbformat_minor: int
    metadata: Mapping[str, Any]
    cells: tuple[Cell, ...]

    @property
    def code_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.cell_type == "code"]


# ---------------------------------------------------------------- reading

def load_notebook(path: str | os.PathLike[str]) -> Notebook:
    """Read and normalise a notebook file; raise ``NotebookError`` for anything that is not one."""
    return from_dict(_parse_json(*_read_file(path)), display_name(path))


def read_raw(path: str | os.PathLike[str] | bytes, name: str | None = None) -> dict[str, Any]:
    """The one reader for tools that need the notebook as JSON: an nbformat-4 dict (nbformat 3 upgraded), read
    exactly as ``load_notebook`` reads it (BOM, UTF-16 with or without a BOM, lone surrogates), or ``NotebookError``.

    Re-execution, repair, restoring hidden tests and the copies placed for nbgrader all use it.
    """
    if isinstance(path, bytes):
        raw = _parse_json(path, name or "<notebook>")
        name = name or "<notebook>"
    else:
        name = name or display_name(path)
        raw = _parse_json(*_read_file(path))
    return _normalised(raw, name)


def _read_file(path: str | os.PathLike[str]) -> tuple[bytes, str]:
    p = Path(path)
    name = display_name(path)
    try:
        if p.is_dir():
            raise NotebookError("is_directory", f"{name}: ファイルではなくフォルダです。.ipynb ファイルを指定してください。",
                                f"{name}: this is a folder, not a file. Give an .ipynb file.")
        size = p.stat().st_size
        if size > MAX_BYTES:
            mb, limit = size // (1024 * 1024), MAX_BYTES // (1024 * 1024)
            raise NotebookError("too_large", f"{name}: ファイルが大きすぎます（{mb} MB、上限 {limit} MB）。"
                                "出力を減らして保存し直してください。",
                                f"{name}: the file is too large ({mb} MB, limit {limit} MB). "
                                "Clear large outputs and save again.")
        data = p.read_bytes()
    except NotebookError:
        raise
    except FileNotFoundError:
        if p.is_symlink():
            raise NotebookError("not_found", f"{name}: シンボリックリンクのリンク先がありません。"
                                "リンクではなくファイルそのものを指定してください。",
                                f"{name}: a symbolic link whose target does not exist. Give the file itself.") from None
        raise NotebookError("not_found", f"{name}: ファイルが見つかりません。",
                            f"{name}: file not found.") from None
    except PermissionError:
        raise NotebookError("unreadable", f"{name}: ファイルを読む権限がありません。",
                            f"{name}: permission denied when reading the file.") from None
    except OSError as exc:
        raise NotebookError("unreadable", f"{name}: ファイルを読めません（{exc.strerror or exc}）。",
                            f"{name}: the file cannot be read ({exc.strerror or exc}).") from None
    return data, name


def display_name(path: str | os.PathLike[str]) -> str:
    """The path as text that can be printed and written as UTF-8.

    A file name whose bytes are not UTF-8 (a ZIP made on Japanese Windows names its files in cp932, and Linux
    hands them over undecoded) would stop any report written as UTF-8; each such component is shown decoded as
    cp932 when it can be, else with ``\\xNN`` escapes. Any other path is returned unchanged.
    """
    name = os.fsdecode(os.fspath(path))
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        raw = os.fsencode(name)
    except UnicodeEncodeError:
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    parts = []
    for part in raw.split(b"/"):
        try:
            parts.append(part.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                parts.append(part.decode("cp932"))
            except UnicodeDecodeError:
                parts.append(part.decode("utf-8", "backslashreplace"))
    return "/".join(parts)


_PDF = b"%PDF"
_ZIP = b"PK\x03\x04"
_IMAGES = ((b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"))
_SURROGATE = re.compile("[\ud800-\udfff]")


def _decode(data: bytes, name: str) -> str:
    if not data.strip():
        raise NotebookError("empty", f"{name}: ファイルが空です。"
                            "Colab で「ファイル → ダウンロード → .ipynb」を選び、保存し直してください。",
                            f"{name}: the file is empty. In Colab use File → Download → .ipynb and submit again.")
    if data.startswith(_PDF):
        raise NotebookError("not_notebook", f"{name}: PDF ファイルです。ノートブック（.ipynb）を提出してください。",
                            f"{name}: this is a PDF file. Submit the notebook (.ipynb) instead.")
    if data.startswith(_ZIP):
        raise NotebookError("not_notebook", f"{name}: ZIP 形式のファイルです。展開して .ipynb を提出してください。",
                            f"{name}: this is a ZIP archive. Extract it and submit the .ipynb file.")
    for magic, kind in _IMAGES:
        if data.startswith(magic):
            raise NotebookError("not_notebook", f"{name}: 画像ファイル（{kind}）です。ノートブック（.ipynb）を提出してください。",
                                f"{name}: this is an image ({kind}). Submit the notebook (.ipynb) instead.")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif len(data) >= 2 and (data[0] == 0) != (data[1] == 0):  # UTF-16 without a BOM: "{" is 7b 00 or 00 7b
        try:
            return data.decode("utf-16-be" if data[0] == 0 else "utf-16-le")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError("not_utf8", f"{name}: UTF-8 として読めない文字があります（{exc.start} バイト目）。"
                            "Colab または Jupyter で開いて保存し直してください。",
                            f"{name}: bytes that are not UTF-8 at offset {exc.start}. "
                            "Open it in Colab or Jupyter and save it again.") from None


def parse_notebook(data: bytes | str, name: str = "<notebook>") -> Notebook:
    """A notebook from the bytes (or text) of a file; ``NotebookError`` for anything that is not one."""
    return from_dict(_parse_json(data, name), name)


def _parse_json(data: bytes | str, name: str) -> Any:
    fast = _fast_loads(data)
    if fast is not _NO_FAST:
        return fast
    text = data if isinstance(data, str) else _decode(data, name)
    if isinstance(data, str) and not text.strip():
        _decode(b"", name)
    try:
        raw = json.loads(text)
    except RecursionError:
        raise NotebookError("invalid_json", f"{name}: JSON の入れ子が深すぎて読めません。ノートブックではないようです。",
                            f"{name}: the JSON is nested too deeply to read; this is not a notebook.") from None
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        where_ja = f"（{line} 行目付近）" if line else ""
        where_en = f" (near line {line})" if line else ""
        looks_python = bool(re.match(r"\s*(import |from |def |class |#|print\()", text))
        looks_html = bool(re.match(r"\s*<(?:!doctype html|html)\b", text, re.IGNORECASE))
        if looks_html:
            hint_ja = ("HTML ファイル（.html）のようです。"
                       "Colab で「ファイル → ダウンロード → .ipynb」を選び、ノートブックを提出してください。")
            hint_en = "It looks like an HTML file (.html). In Colab use File → Download → .ipynb and submit the notebook."
        else:
            hint_ja = ("Python スクリプト（.py）のようです。ノートブック（.ipynb）を提出してください。" if looks_python
                       else "ファイルが壊れているか、途中で切れています。"
                            "Colab で「ファイル → ダウンロード → .ipynb」を選び、保存し直してください。")
            hint_en = ("It looks like a Python script (.py). Submit the notebook (.ipynb)." if looks_python
                       else "The file is damaged or cut short. In Colab use File → Download → .ipynb and submit again.")
        raise NotebookError("invalid_json", f"{name}: JSON として読めません{where_ja}。{hint_ja}",
                            f"{name}: not valid JSON{where_en}. {hint_en}") from None
    if _SURROGATE_ESCAPE.search(text):  # a \ud800–\udfff escape: a lone surrogate cannot be printed or saved
        _replace_lone_surrogates(raw)
    return raw


# ---------------------------------------------------------------- the fast JSON path (orjson, when installed)

_NO_FAST = object()
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # the escape of a surrogate, paired or not: one scan
_FAST_DEPTH = 200  # deeper documents take the plain path (which refuses very deep ones: ``json``'s RecursionError)
_INT64 = 9.2e18  # orjson reads an integer beyond 64 bits as a float of at least 2**63: such documents take the plain path
_orjson: Any = None  # the module once imported; False when it is not installed or the fast path is off


def fast_json_available() -> bool:
    """orjson is installed and the fast path is on (``AUTOGRADER_PLAIN_JSON=1`` turns it off: same results, slower)."""
    global _orjson
    if _orjson is None:
        _orjson = False
        if os.environ.get("AUTOGRADER_PLAIN_JSON", "") in ("", "0"):
            _orjson = _safe_orjson()
    return _orjson is not False


def _safe_orjson() -> Any:
    """orjson, when it is installed and refuses deep nesting (3.9.15 and later: 1,024 levels); older versions
    recurse without a limit and a hostile file of ``[[[[…`` crashes the process, so they are not used."""
    try:
        import orjson  # lazy and optional (the [fast] extra): a small C extension, imports nothing else
    except ImportError:  # pragma: no cover - depends on the environment
        return False
    try:
        orjson.loads(b"[" * 1100 + b"]" * 1100)
    except ValueError:
        return orjson
    return False  # pragma: no cover - an old orjson


def set_fast_json(enabled: bool | None) -> None:
    """Turn the orjson path on or off for this process (tests: both paths give identical notebooks); None: as the
    environment says."""
    global _orjson
    _orjson = None
    if enabled is False:
        _orjson = False
    elif enabled:
        _orjson = _safe_orjson()


def _fast_loads(data: bytes | str) -> Any:
    """The document read by orjson when that gives exactly what the plain path gives, else ``_NO_FAST``.

    orjson refuses what the plain path reads differently or refuses with its own message -- a BOM, UTF-16, lone
    surrogates, NaN/Infinity, 1e400, invalid UTF-8, any syntax error -- so those take the plain path; two things it
    reads silently in its own way are checked after: integers beyond 64 bits (read as floats) and nesting deeper than
    ``_FAST_DEPTH`` (the plain path refuses very deep documents).
    """
    if not fast_json_available():
        return _NO_FAST
    try:
        raw = _orjson.loads(data)
    except ValueError:  # orjson.JSONDecodeError, and a str that is not valid UTF-8
        return _NO_FAST
    if isinstance(raw, (dict, list)) and not _plain_equivalent(raw):
        return _NO_FAST
    if isinstance(raw, float) and not -_INT64 < raw < _INT64:
        return _NO_FAST
    return raw


def _plain_equivalent(raw: dict | list) -> bool:
    """No float that may have been a huge integer, no nesting deeper than ``_FAST_DEPTH``: one pass over the
    containers (a notebook has a few hundred; strings are not looked into)."""
    stack: list[tuple[Any, int]] = [(raw, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _FAST_DEPTH:
            return False
        for value in node.values() if type(node) is dict else node:
            kind = type(value)
            if kind is dict or kind is list:
                if value:
                    stack.append((value, depth + 1))
            elif kind is float and not -_INT64 < value < _INT64:
                return False
    return True


def _replace_lone_surrogates(raw: Any) -> None:
    """Replace, in place, the unpaired surrogates that JSON escapes can put in strings (an emoji cut in half) by
    U+FFFD, so that every text read from a notebook can be written as UTF-8. Iterative: any nesting depth."""
    stack: list[Any] = [raw] if isinstance(raw, (dict, list)) else []
    while stack:
        node = stack.pop()
        for key, value in list(node.items() if isinstance(node, dict) else enumerate(node)):
            if isinstance(value, str) and _SURROGATE.search(value):
                node[key] = _SURROGATE.sub("\ufffd", value)
            elif isinstance(value, (dict, list)):
                stack.append(value)
            if isinstance(key, str) and _SURROGATE.search(key):
                node[_SURROGATE.sub("\ufffd", key)] = node.pop(key)


def _not_notebook(name: str, what_ja: str, what_en: str) -> NotebookError:
    return NotebookError("not_notebook", f"{name}: Jupyter ノートブックではありません（{what_ja}）。.ipynb ファイルを提出してください。",
                         f"{name}: not a Jupyter notebook ({what_en}). Submit an .ipynb file.")


_JSON_KINDS = {list: "list", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}


def from_dict(raw: Any, name: str = "<notebook>") -> Notebook:
    """A ``Notebook`` from parsed JSON (nbformat 3 or 4); ``NotebookError`` when it is not a notebook."""
    raw = _normalised(raw, name)
    metadata = raw.get("metadata")
    if not isinstance(metadata, dict):
        metadata = {}
    minor = raw.get("nbformat_minor")
    check_budget(raw["cells"], name)  # sizes no real notebook reaches: refused before any cell is read
    cells = tuple(_cell(i, c) for i, c in enumerate(raw["cells"]))
    return Notebook(path=name, nbformat=4, nbformat_minor=minor if isinstance(minor, int) else 0,
                    metadata=metadata, cells=cells)


def _normalised(raw: Any, name: str) -> dict[str, Any]:
    """The parsed JSON as an nbformat-4 dict with a ``cells`` list (nbformat 3 upgraded), or ``NotebookError``."""
    if not isinstance(raw, dict):
        kind = _JSON_KINDS.get(type(raw), type(raw).__name__)
        raise _not_notebook(name, f"JSON の最上位が {kind} です", f"the top-level JSON value is a {kind}")
    major = raw.get("nbformat")
    if isinstance(major, str) and major.strip().isdecimal() and len(major.strip()) <= 3:  # "4" from a hand-made tool
        major = int(major)
    if "worksheets" in raw or major == 3:
        raw = _upgrade_v3(raw, name)
        major = 4
    if major is None and isinstance(raw.get("cells"), list):
        major = 4  # a hand-made file without the version keys: read it, cells are all we need
    if major != 4:
        if major is None:
            raise _not_notebook(name, "\"nbformat\" と \"cells\" がありません", "no \"nbformat\" and no \"cells\"")
        shown = str(major) if len(str(major)) <= 20 else str(major)[:20] + "…"  # a hostile value stays short
        raise NotebookError("unsupported_version", f"{name}: nbformat {shown} のノートブックには対応していません（対応は 3 と 4）。",
                            f"{name}: nbformat {shown} is not supported (3 and 4 are).")
    if not isinstance(raw.get("cells"), list):
        raise _not_notebook(name, "\"cells\" がありません", "no \"cells\" list")
    return raw


def _upgrade_v3(raw: dict, name: str) -> dict:
    upgraded = _upgrade_v3_plain(raw) if _NATIVE_V3 else None
    if upgraded is not None:
        return upgraded
    try:
        import nbformat  # lazy: only nbformat 3 files need it
        from nbformat.v3.rwbase import rejoin_lines
        from nbformat.v4 import convert
        node = rejoin_lines(nbformat.from_dict(raw))  # as nbformat.reads does: a v3 file keeps sources as line lists
        upgraded = convert.upgrade(node, from_version=3, from_minor=raw.get("nbformat_minor", 0))
        return json.loads(json.dumps(upgraded))
    except Exception as exc:  # a broken v3 file: say so, never a traceback
        raise NotebookError("invalid_v3", f"{name}: nbformat 3 のノートブックを変換できません（{type(exc).__name__}）。"
                            "Jupyter で開いて保存し直してください。",
                            f"{name}: cannot upgrade this nbformat 3 notebook ({type(exc).__name__}). "
                            "Open it in Jupyter and save it again.") from None


# nbformat 3 → 4 without nbformat: importing it (its validator, jsonschema and their format checkers) costs 0.3–0.9 s
# of a cold start. A well-formed v3 notebook is upgraded here step for step as ``nbformat.v4.convert.upgrade`` does
# (after ``v3.rwbase.rejoin_lines``); anything this code is not sure of goes to nbformat, so that every result,
# the error of a broken file included, stays what nbformat gives (tests/test_fast_paths.py compares the two).
_NATIVE_V3 = True
_V4_MINOR = 5  # nbformat.v4.nbformat_minor
_MULTILINE_OUTPUTS = ("text", "html", "svg", "latex", "javascript", "json")
_MIME_MAP = (("text", "text/plain"), ("html", "text/html"), ("svg", "image/svg+xml"), ("png", "image/png"),
             ("jpeg", "image/jpeg"), ("latex", "text/latex"), ("json", "application/json"),
             ("javascript", "application/javascript"))


class _Decline(Exception):
    """The v3 file has something the plain upgrade does not handle exactly as nbformat: nbformat upgrades it."""


def _copy(value: Any, depth: int = 0) -> Any:
    """A deep copy of parsed JSON (what ``nbformat.from_dict`` makes); deep nesting is left to nbformat."""
    if depth > 100:
        raise _Decline
    if isinstance(value, dict):
        return {k: _copy(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v, depth + 1) for v in value]
    return value


def _join_lines(lines: list[Any]) -> str:
    if not all(isinstance(line, str) for line in lines):
        raise _Decline
    return "".join(lines) if lines and lines[0].endswith(("\n", "\r")) else "\n".join(lines)


def _dict(value: Any) -> dict:
    if not isinstance(value, dict):
        raise _Decline
    return value


def _upgrade_v3_plain(raw: dict) -> dict | None:
    """``nbformat.v4.convert.upgrade(rejoin_lines(from_dict(raw)), 3)`` as plain dicts, or None (ask nbformat)."""
    minor = raw.get("nbformat_minor", 0)
    if raw.get("nbformat") != 3 or not isinstance(minor, int) or minor not in (0, 1):
        return None  # nbformat validates the input against the v3 schema of its minor version first
    try:
        nb = _copy(raw)
        worksheets = nb.get("worksheets")
        if not isinstance(worksheets, list) or not isinstance(nb.get("metadata"), dict):
            return None
        for ws in worksheets:
            _rejoin_lines(ws)
        orig, orig_minor = nb.pop("orig_nbformat", None), nb.pop("orig_nbformat_minor", None)
        nb["metadata"]["orig_nbformat"] = orig or 3
        nb["metadata"]["orig_nbformat_minor"] = orig_minor or 0
        nb["nbformat"], nb["nbformat_minor"] = 4, _V4_MINOR
        nb["cells"] = upgraded = []
        for ws in nb.pop("worksheets"):
            upgraded += [_upgrade_cell(cell) for cell in ws["cells"]]
        nb["metadata"].pop("name", "")
        nb["metadata"].pop("signature", "")
        return nb
    except _Decline:
        return None


def _rejoin_lines(ws: Any) -> None:
    """``nbformat.v3.rwbase.rejoin_lines`` of one worksheet, in place."""
    cells = _dict(ws).get("cells")
    if not isinstance(cells, list):
        raise _Decline
    for cell in cells:
        cell_type = _dict(cell).get("cell_type")
        if not isinstance(cell_type, str):
            raise _Decline
        if cell_type == "code":
            if isinstance(cell.get("input"), list):
                cell["input"] = _join_lines(cell["input"])
            if not isinstance(cell.get("outputs"), list):
                raise _Decline
            for output in cell["outputs"]:
                for key in _MULTILINE_OUTPUTS:
                    if isinstance(_dict(output).get(key), list):
                        output[key] = _join_lines(output[key])
        else:
            for key in ("source", "rendered"):
                if isinstance(cell.get(key), list):
                    cell[key] = _join_lines(cell[key])


def _upgrade_cell(cell: dict) -> dict:
    cell.setdefault("metadata", {})
    cell["id"] = os.urandom(4).hex()  # nbformat gives a random id too
    if cell["cell_type"] == "code":
        cell.pop("language", "")
        if "collapsed" in cell:
            _dict(cell["metadata"])["collapsed"] = cell.pop("collapsed")
        cell["source"] = cell.pop("input", "")
        cell["execution_count"] = cell.pop("prompt_number", None)
        cell["outputs"] = [_upgrade_output(output) for output in cell["outputs"]]
    elif cell["cell_type"] == "heading":
        cell["cell_type"] = "markdown"
        level, source = cell.pop("level", 1), cell.get("source", "")
        if not isinstance(level, int) or not isinstance(source, str):
            raise _Decline
        cell["source"] = "#" * level + " " + " ".join(source.splitlines())
    elif cell["cell_type"] == "html":
        cell["cell_type"] = "markdown"
    return cell


def _upgrade_output(output: dict) -> dict:
    kind = output.get("output_type")
    if not isinstance(kind, str):
        raise _Decline
    if kind in ("pyout", "display_data"):
        output.setdefault("metadata", {})
        if kind == "pyout":
            output["output_type"] = "execute_result"
            output["execution_count"] = output.pop("prompt_number", None)
        data = {key: output.pop(key) for key in list(output) if key not in ("output_type", "execution_count", "metadata")}
        for alias, mime in _MIME_MAP:
            if alias in data:
                data[mime] = data.pop(alias)
        output["data"] = data
        metadata = _dict(output["metadata"])
        for alias, mime in _MIME_MAP:
            if alias in metadata:
                metadata[mime] = metadata.pop(alias)
        if "application/json" in data:
            raise _Decline  # nbformat parses it with json.loads: rare, left to nbformat
    elif kind == "pyerr":
        output["output_type"] = "error"
    elif kind == "stream":
        output["name"] = output.pop("stream", "stdout")
    return output


def _cell(index: int, raw: Any) -> Cell:
    if not isinstance(raw, dict):
        return Cell(index=index, cell_type="unknown", source="")
    cell_type = raw.get("cell_type")
    cell_type = cell_type if isinstance(cell_type, str) else "unknown"
    source = join_source(raw.get("source", ""))
    metadata = raw.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    if cell_type != "code":
        return Cell(index=index, cell_type=cell_type, source=source, metadata=metadata)
    count = raw.get("execution_count")
    count = count if isinstance(count, int) and not isinstance(count, bool) else None
    outputs_raw = raw.get("outputs")
    outputs = tuple(o for o in (_output(x) for x in outputs_raw) if o is not None) if isinstance(outputs_raw, list) else ()
    return Cell(index=index, cell_type="code", source=source, execution_count=count, outputs=outputs,
                metadata=metadata)


def _output(raw: Any) -> Output | None:
    if not isinstance(raw, dict):
        return None
    kind = raw.get("output_type")
    kind = kind if isinstance(kind, str) else "unknown"
    if kind == "stream":
        name = raw.get("name")
        # The raw stream text is kept: a progress bar may continue in the next output, so cleaning is done
        # once the cell's streams are joined (Cell.stdout / Cell.text).
        return Output(kind="stream", name=name if isinstance(name, str) else "stdout", text=join_source(raw.get("text", "")))
    if kind == "error":
        ename, evalue = raw.get("ename"), raw.get("evalue")
        ename = ename if isinstance(ename, str) else "Error"
        evalue = evalue if isinstance(evalue, str) else ""
        return Output(kind="error", text=clean(f"{ename}: {evalue}"), ename=ename, evalue=clean(evalue))
    data = raw.get("data")
    if not isinstance(data, dict):
        return Output(kind=kind)
    html = join_source(data.get("text/html")) if "text/html" in data else None
    plain = join_source(data.get("text/plain")) if "text/plain" in data else None
    text = clean(plain) if plain is not None else (clean(html_to_text(html)) if html else "")
    digest = None
    png = join_source(data.get("image/png"))
    if png.strip():  # an empty or non-text image/png is no figure
        digest = _image_digest(png)
    return Output(kind=kind, text=text, html=html, image_digest=digest, png=png if digest else None)


def _image_digest(b64: str) -> str:
    """sha1 of the base64 text without line breaks: equal images give equal digests, without decoding."""
    if "\n" in b64:
        b64 = b64.replace("\n", "")
    return hashlib.sha1(b64.encode("ascii", "replace")).hexdigest()
