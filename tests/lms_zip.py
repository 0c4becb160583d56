"""Build LMS (WebClass) zips and nbgrader course folders in code, for test_collect / test_export / test_round."""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COURSE = REPO / "assignments"

Data = str | bytes


class RawNameInfo(zipfile.ZipInfo):
    """A zip entry whose name is written as the given raw bytes, without the UTF-8 flag (bit 11) — what Windows'
    Explorer writes in Japan (cp932). ``zipfile`` itself always writes a non-ASCII name as UTF-8 with the flag,
    so the name bytes are set here; ``filename`` is those bytes read as cp437, as ``zipfile`` reads them back."""

    raw: bytes | None = None

    def _encodeFilenameFlags(self):  # zipfile's own (private) method
        if self.raw is not None:
            return self.raw, self.flag_bits & ~0x800
        return super()._encodeFilenameFlags()


def add(zf: zipfile.ZipFile, name: str | bytes, data: Data = b"", when: tuple = (2026, 11, 23, 20, 0, 0),
        encoding: str = "utf-8", mode: int | None = None) -> None:
    """``encoding``: ``"utf-8"`` (zipfile's way: the UTF-8 flag when not ASCII), ``"cp932"`` (no flag), or give
    ``name`` as bytes to write exactly those bytes without the flag."""
    if isinstance(name, bytes) or encoding != "utf-8":
        raw = name if isinstance(name, bytes) else name.encode(encoding)
        info = RawNameInfo(raw.decode("cp437"), date_time=when)
        info.raw = raw
    else:
        info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED
    if mode is not None:
        info.external_attr = mode << 16
        info.create_system = 3
    if info.filename.endswith("/"):
        info.external_attr |= 0x10
    zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)


def make_zip(path: Path, entries: Sequence[tuple]) -> Path:
    """entries: ``(name, data[, when[, encoding]])``."""
    with zipfile.ZipFile(path, "w") as zf:
        for entry in entries:
            add(zf, *entry)
    return path


_EMPTY_GRADEBOOK: list[Path] = []


def empty_gradebook() -> Path:
    """An empty nbgrader gradebook, made once per test session: nbgrader runs ``alembic heads`` in a subprocess
    to stamp every new database, which takes seconds."""
    if not _EMPTY_GRADEBOOK:
        from nbgrader.api import Gradebook

        path = Path(tempfile.mkdtemp(prefix="gradebook-")) / "gradebook.db"
        Gradebook(f"sqlite:///{path}", course_id="dl-kadai").close()
        _EMPTY_GRADEBOOK.append(path)
    return _EMPTY_GRADEBOOK[0]


def copy_course(dest: Path, gradebook: bool = True) -> Path:
    """The course's nbgrader config and sources (no working folders) in a fresh folder, with an empty gradebook."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(COURSE / "nbgrader_config.py", dest / "nbgrader_config.py")
    shutil.copytree(COURSE / "source", dest / "source")
    if gradebook:
        shutil.copy(empty_gradebook(), dest / "gradebook.db")
    return dest


def files_under(root: Path) -> dict[str, bytes]:
    """Every file below ``root``: relative POSIX path → bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
