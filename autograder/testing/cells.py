"""nbformat-4 pieces (outputs, cells, notebooks) as plain dicts, the way Colab saves them. Standard library only."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

# ------------------------------------------------------------------ nbformat pieces


def stream(text: str, name: str = "stdout") -> dict[str, Any]:
    return {"output_type": "stream", "name": name, "text": text}


def display(plain: str | None = None, html: str | None = None, png: str | None = None,
            result_count: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if plain is not None:
        data["text/plain"] = plain
    if html is not None:
        data["text/html"] = html
    if png is not None:
        data["image/png"] = png
    if result_count is not None:
        return {"output_type": "execute_result", "execution_count": result_count, "data": data, "metadata": {}}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def error(ename: str, evalue: str) -> dict[str, Any]:
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": ["\x1b[0;31m" + "-" * 75 + "\x1b[0m", f"\x1b[0;31m{ename}\x1b[0m: {evalue}"]}


def code(source: str, outputs: Sequence[dict[str, Any]] = (), count: int | None = None, **metadata: Any) -> dict[str, Any]:
    return {"cell_type": "code", "execution_count": count, "metadata": dict(metadata), "source": source,
            "outputs": list(outputs)}


def markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(cells: Iterable[dict[str, Any]], metadata: dict[str, Any] | None = None, number_cells: bool = True) -> dict[str, Any]:
    """A v4 notebook dict; code cells without a count are numbered 1, 2, … in order when ``number_cells``."""
    cells = [dict(c) for c in cells]
    n = 0
    for c in cells:
        if c["cell_type"] == "code" and number_cells and c.get("execution_count") is None and c.get("outputs"):
            n += 1
            c["execution_count"] = n
        elif c["cell_type"] == "code" and c.get("execution_count"):
            n = c["execution_count"]
    meta = {"kernelspec": {"name": "python3", "display_name": "Python 3"}, "language_info": {"name": "python"}}
    meta.update(metadata or {})
    return {"nbformat": 4, "nbformat_minor": 0, "metadata": meta, "cells": cells}


def dumps(nb: dict[str, Any]) -> str:
    """Serialised as Colab does: 2-space indentation, no final newline."""
    return json.dumps(nb, ensure_ascii=False, indent=2)


COLAB_GPU = {"accelerator": "GPU", "colab": {"gpuType": "T4", "provenance": []}}
GPU_DEVICES = "[PhysicalDevice(name='/physical_device:GPU:0', device_type='GPU')]\n"
