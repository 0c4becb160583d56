"""The layers are structure, not prose: every module's imports (lazy ones included) follow the import contract.

The contract (README "Development"): each layer may import the layers before it, never one after it, and only the
third-party packages named here. The runtime canary (tests/test_canary.py) checks the same from the other side:
what a real ``check``/``grade`` process loads.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.timeout(60)

PACKAGE = Path(__file__).resolve().parents[1] / "autograder"
ORDER = ["model", "read", "judge", "present", "pipeline", "course", "execute", "cli"]
# Layers that sit beside the order: what each may import.
BESIDE = {
    "errors": set(),
    "kernel": {"model", "read", "judge", "errors"},
    "selfcheck": {"model", "read", "judge", "present", "pipeline", "errors"},  # the students' self-check cell
    "testing": set(),
    "__main__": {"cli"},
    "__init__": {"errors", "model", "read", "judge", "present", "pipeline"},
    # shims for documented dotted paths: one target each
    "collect": {"course"}, "export": {"course"}, "extract": {"read"}, "feedback": {"present"}, "datasets": {"execute"},
}
STDLIB = set(sys.stdlib_module_names) | {"__future__"}
# Third-party packages each layer may import (anywhere in the module, lazily or not).
THIRD_PARTY = {
    "model": set(), "read": {"nbformat", "PIL", "numpy", "orjson"}, "judge": set(), "pipeline": set(), "errors": set(), "testing": set(),
    "present": {"jinja2", "markupsafe"},
    "course": {"nbgrader", "traitlets", "sqlalchemy", "nbformat", "jinja2"},
    "execute": {"nbclient", "nbformat", "jupyter_client", "jupyter_core", "distributed", "numpy", "sklearn"},
    "kernel": {"numpy", "tensorflow", "keras", "IPython"},
    "selfcheck": {"IPython", "google"},  # lazily: the notebook display, Colab's front-end module
    "cli": set(), "__main__": set(), "__init__": set(),
    "collect": set(), "export": set(), "extract": set(), "feedback": set(), "datasets": set(),
}
# Narrower rules inside a layer.
ONLY_IN = {
    "nbformat": ("read/notebook.py", "course/", "execute/"),  # read: only to upgrade nbformat 3, lazily
    "jinja2": ("present/feedback", "course/"),
    "markupsafe": ("present/feedback",),
    "PIL": ("read/figures.py",),  # read: only to decode learning-curve figures, lazily
    "numpy": ("read/figures.py", "execute/", "kernel.py"),
    "orjson": ("read/notebook.py",),  # read: the optional fast JSON path ([fast] extra), lazily
}
EXCEPT = {"judge": {"read"}}  # judging receives Evidence: it never reads a notebook nor imports a parser
SCRIPT_MODULES = {"execute/sandbox.py"}  # run as a script inside fresh namespaces: imports nothing of autograder


def _layer(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import in the file, lazy ones included."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    rel = path.relative_to(PACKAGE).with_suffix("")
    package = ["autograder", *rel.parts[:-1]] if rel.name != "__init__" else ["autograder", *rel.parts[:-1]]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "autograder":
                found += [(node.lineno, f"autograder.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, module))
    return found


def _allowed_layers(layer: str) -> set[str]:
    if layer in BESIDE:
        return BESIDE[layer] | {layer}
    return (set(ORDER[: ORDER.index(layer) + 1]) | {"errors"}) - EXCEPT.get(layer, set())


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[str(p.relative_to(PACKAGE)) for p in MODULES])
def test_imports_follow_the_layers(path: Path):
    layer = _layer(path)
    rel = str(path.relative_to(PACKAGE))
    problems = []
    for line, module in _imports(path):
        top = module.split(".")[0]
        if top == "autograder":
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else "__init__"
            if rel in SCRIPT_MODULES:
                problems.append(f"line {line}: {rel} runs as a script and must not import {module}")
            elif target not in _allowed_layers(layer):
                problems.append(f"line {line}: the {layer} layer must not import {module}")
        elif top not in STDLIB:
            if top not in THIRD_PARTY[layer]:
                problems.append(f"line {line}: the {layer} layer must not import the third-party package {top}")
            elif top in ONLY_IN and not rel.startswith(ONLY_IN[top]):
                problems.append(f"line {line}: {top} may be imported only in {', '.join(ONLY_IN[top])}, not in {rel}")
    assert not problems, "\n".join(problems)


def test_every_module_says_its_role_and_the_contract_names_every_layer():
    layers = {_layer(p) for p in MODULES}
    assert layers <= set(ORDER) | set(BESIDE), layers - set(ORDER) - set(BESIDE)
    undocumented = [str(p.relative_to(PACKAGE)) for p in MODULES
                    if p.read_text(encoding="utf-8").strip() and ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None]
    assert not undocumented, f"modules without a docstring saying their role: {undocumented}"


def test_the_contract_catches_a_violation(tmp_path: Path):
    """The checker itself: a judge module importing the reading layer or nbgrader is reported."""
    judge = PACKAGE / "judge"
    bad = judge / "_layer_probe_tmp.py"
    bad.write_text('"""probe"""\ndef f():\n    from autograder.read.notebook import load_notebook\n    import nbgrader\n', encoding="utf-8")
    try:
        with pytest.raises(AssertionError) as info:
            test_imports_follow_the_layers(bad)
        assert "judge layer must not import autograder.read.notebook" in str(info.value)
        assert "third-party package nbgrader" in str(info.value)
    finally:
        bad.unlink()
