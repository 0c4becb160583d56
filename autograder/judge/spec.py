"""Assignment specs: which checks an assignment has, their points and parameters, validated on load.

A spec is a TOML file (``autograder/specs/<id>.toml`` for the course's four assignments, or any path).
Instructor mistakes fail here, with a message naming the file and the check, never while grading.
Standard library only.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomllib

from autograder.errors import SpecError
from autograder.judge import checks as _all_kinds  # noqa: F401 - importing the package registers every kind in KINDS
from autograder.judge.registry import KINDS
from autograder.model.spec import CATEGORIES, CheckSpec, Spec

SPEC_DIR = Path(__file__).resolve().parent.parent / "specs"

_TOP_KEYS = {"id", "number", "title", "title_en", "total_points", "checks", "tampered"}
_CHECK_META = {"id", "kind", "category", "points", "hidden", "description", "description_en"}

Fail = Callable[[str, str], SpecError]


def available() -> dict[str, Path]:
    """Built-in spec ids and their files."""
    return {p.stem: p for p in sorted(SPEC_DIR.glob("*.toml"))}


def load_spec(id_or_path: str | Path) -> Spec:
    """Load a built-in spec by id (``"mlp"``) or a spec file by path, and validate it."""
    path = Path(id_or_path)
    if not path.suffix:
        builtin = available()
        if str(id_or_path) not in builtin:
            choices = ", ".join(builtin) or "(none)"
            raise SpecError(f"課題 '{id_or_path}' はありません。選べるのは {choices} です。",
                            f"unknown assignment '{id_or_path}'; choose one of {choices}.")
        path = builtin[str(id_or_path)]
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: 仕様ファイルが見つかりません。", f"{path}: spec file not found.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SpecError(f"{path}: TOML として読めません（{exc}）。", f"{path}: not valid TOML ({exc}).") from None
    return parse_spec(raw, str(path))


def parse_spec(raw: Mapping[str, Any], where: str = "<spec>") -> Spec:
    """Validate a spec read from TOML; every mistake is a ``SpecError`` that names ``where`` and the check."""
    def fail(msg_ja: str, msg_en: str) -> SpecError:
        return SpecError(f"{where}: {msg_ja}", f"{where}: {msg_en}")

    _check_top(raw, fail)
    checks: list[CheckSpec] = []
    seen: set[str] = set()
    for i, c in enumerate(raw["checks"]):
        checks.append(_parse_check(i, c, seen, fail))
    total = raw["total_points"]
    points_sum = sum(c.points for c in checks)
    if not abs(points_sum - float(total)) <= 1e-9:  # also NaN
        raise fail(f"点数の合計 {points_sum:g} が total_points {total} と一致しません。",
                   f"the checks' points add up to {points_sum:g}, not total_points {total}.")
    if not isinstance(raw["number"], int):
        raise fail("'number' は整数にしてください。", "'number' must be an integer.")
    tampered = raw.get("tampered", "review")
    if tampered not in ("review", "fail"):
        raise fail(f"'tampered' は \"review\" か \"fail\" にしてください（{tampered!r}）。",
                   f"'tampered' must be \"review\" or \"fail\" ({tampered!r}).")
    return Spec(id=str(raw["id"]), number=raw["number"], title=str(raw["title"]),
                title_en=str(raw.get("title_en", "")), total_points=float(total), checks=tuple(checks), path=where,
                tampered=tampered)


def _check_top(raw: Mapping[str, Any], fail: Fail) -> None:
    """The spec's top-level keys: all required ones present, a non-empty list of checks, nothing unknown."""
    for key in ("id", "number", "title", "total_points", "checks"):
        if key not in raw:
            raise fail(f"'{key}' がありません。", f"missing '{key}'.")
    if not isinstance(raw["checks"], list) or not raw["checks"]:
        raise fail("'checks' が空です。", "'checks' is empty.")
    for key in raw:
        if key not in _TOP_KEYS:
            raise fail(f"不明なキー '{key}'。", f"unknown key '{key}'.")


def _parse_check(i: int, c: Any, seen: set[str], fail: Fail) -> CheckSpec:
    """One ``[[checks]]`` table (the ``i``-th), validated against its kind; ``seen`` collects the ids so far."""
    label = c.get("id", f"#{i + 1}") if isinstance(c, dict) else f"#{i + 1}"
    if not isinstance(c, dict):
        raise fail(f"チェック {label} が表ではありません。", f"check {label} is not a table.")
    for key in ("id", "kind", "category", "points"):
        if key not in c:
            raise fail(f"チェック {label} に '{key}' がありません。", f"check {label} has no '{key}'.")
    if c["id"] in seen:
        raise fail(f"チェック id '{c['id']}' が重複しています。", f"duplicate check id '{c['id']}'.")
    seen.add(c["id"])
    if c["kind"] not in KINDS:
        raise fail(f"チェック {label}: 不明な種類 '{c['kind']}'（使えるのは {', '.join(sorted(KINDS))}）。",
                   f"check {label}: unknown kind '{c['kind']}' (known: {', '.join(sorted(KINDS))}).")
    if c["category"] not in CATEGORIES:
        raise fail(f"チェック {label}: 不明な分類 '{c['category']}'。", f"check {label}: unknown category '{c['category']}'.")
    points = c["points"]
    if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 <= points < float("inf"):  # NaN, inf
        raise fail(f"チェック {label}: 点数が不正です（{points!r}）。", f"check {label}: bad points ({points!r}).")
    params = {k: v for k, v in c.items() if k not in _CHECK_META}
    problem = KINDS[c["kind"]].problem(params)
    if problem:
        raise fail(f"チェック {label}: {problem[0]}", f"check {label}: {problem[1]}")
    return CheckSpec(id=c["id"], kind=c["kind"], category=c["category"], points=float(points),
                     params=params, hidden=bool(c.get("hidden", False)),
                     description=str(c.get("description", "")),
                     description_en=str(c.get("description_en", "")))
