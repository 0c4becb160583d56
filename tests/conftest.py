"""Shared fixtures: a notebook factory that writes notebooks *with outputs* built in code, and the real corpus."""
from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from autograder.errors import RAISE_ENV
from autograder.testing import samples

# A crash inside a check or an integrity rule fails the test that caused it, instead of becoming an ``error``
# result or an ``integrity_error`` flag (which is what users get). Subprocesses of the tests inherit it.
os.environ[RAISE_ENV] = "1"

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "real"


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/real is not beside the repository")
    return CORPUS


@pytest.fixture
def write_nb(tmp_path: Path) -> Callable[..., Path]:
    """write_nb(cells_or_notebook, name="nb.ipynb", metadata=None) -> path of the written notebook."""

    def write(content: Any, name: str = "nb.ipynb", metadata: dict | None = None) -> Path:
        nb = content if isinstance(content, dict) else samples.notebook(content, metadata)
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
        return path

    return write
