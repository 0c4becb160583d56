"""What an executed notebook's outputs say about its run: its status and the message a person reads; no kernel library.

Pure functions of the executed notebook (an ``nbformat.NotebookNode`` or plain dicts), the kernel driver's
status, the end of the kernel's log and its exit code. Imports nothing from nbclient, jupyter_client,
distributed or ``autograder.cli``.
"""
from __future__ import annotations

from typing import Any

from autograder.execute.values import STOPPED, Options

MEMORY_SIGNS = ("MemoryError", "bad_alloc", "Cannot allocate memory", "failed to map segment", "out of memory",
                "OOM when allocating", "ResourceExhaustedError", "failed to allocate")


def memory_error(cell: Any) -> bool:
    """The cell failed for want of memory: a MemoryError, TensorFlow's ResourceExhaustedError, a library that
    could not be mapped, or such a message in what the cell wrote to stderr."""
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if not errors:
        return False
    texts = [f"{o.get('ename')}: {o.get('evalue')}" for o in errors]
    texts += ["".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    return any(sign in text for text in texts for sign in MEMORY_SIGNS)


def final_status(nb: Any, status: str, cell_at: int | None, tail: str,
                 exit_code: int | None) -> tuple[str, int | None, str | None]:
    """Stopped runs keep their status (a dead kernel with signs of the memory cap is ``memory``); otherwise
    a ``MemoryError`` anywhere is ``memory``, any other error output ``error``. Also: the first error's name."""
    if status == "dead" and any(sign in tail for sign in MEMORY_SIGNS):
        return "memory", cell_at, None
    if status in STOPPED:
        return status, cell_at, None
    first: tuple[int, str] | None = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if memory_error(cell):
            return "memory", index, "MemoryError"
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and first is None:
                first = (index, str(out.get("ename") or "Error"))
    return ("error", first[0], first[1]) if first is not None else ("ok", None, None)


def status_message(status: str, cell: int | None, detail: str | None, opts: Options, exit_code: int | None) -> tuple[str, str]:
    """The run's message in Japanese and English: what happened, and where (``detail``: the limit that stopped
    it, the first error's name, or why the kernel did not start)."""
    where = [f"セル {cell}"] if cell is not None else []
    where_en = [f"cell {cell}"] if cell is not None else []
    if status == "dead" and exit_code is not None:
        where.append(f"終了コード {exit_code}")
        where_en.append(f"exit code {exit_code}")
    at_ja = f"（{'、'.join(where)}）" if where else ""
    at_en = f" ({', '.join(where_en)})" if where_en else ""
    if status == "ok":
        return "すべてのセルをエラーなく実行しました。", "every cell ran without an error."
    if status == "error":
        name_ja = f"（セル {cell}: {detail}）" if cell is not None and detail else at_ja
        name_en = f" (cell {cell}: {detail})" if cell is not None and detail else at_en
        return f"エラーになったセルがあります{name_ja}。", f"a cell raised an error{name_en}."
    if status == "timeout" and detail == "notebook":
        return (f"ノートブック全体の制限時間 {opts.timeout:g} 秒を超えたので止めました{at_ja}。",
                f"stopped: the whole notebook ran longer than {opts.timeout:g} s{at_en}.")
    if status == "timeout":
        return (f"セルの制限時間 {opts.timeout_cell:g} 秒を超えたので止めました{at_ja}。",
                f"stopped: a cell ran longer than {opts.timeout_cell:g} s{at_en}.")
    if status == "memory":
        cap = f"{opts.memory_mb} MB" if opts.memory_mb else "-"
        return (f"メモリの上限（{cap}）を超えました{at_ja}。", f"the memory cap ({cap}) was exceeded{at_en}.")
    if status == "dead":
        return f"カーネルが止まりました{at_ja}。", f"the kernel died{at_en}."
    if status == "setup_failed":
        return (f"カーネルを起動できませんでした（{detail}）。", f"could not start a kernel ({detail}).")
    return "実行していません。", "not run."
