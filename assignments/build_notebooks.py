"""Build the course's notebooks from one description: nbgrader sources and the students' solution notebooks.

The command; the builder is the package ``assignments/build/`` (``cells``, ``common``, one module per
assignment, ``notebooks``). Uses nbformat and ``autograder`` only (no TensorFlow, no nbgrader). Numbers that
the grader checks (parameter counts, epochs, thresholds, truth tables, points) are read from
``autograder/specs/<id>.toml``, so after changing a spec, run this script again and commit what it writes:

    python assignments/build_notebooks.py          # writes assignments/source/<id>/<id>.ipynb, solutions/<id>.ipynb
    python assignments/build_notebooks.py --check  # exit 1 if a committed notebook differs from what it would write

It works from the repository root and from inside ``assignments/`` (it puts the repository on ``sys.path``).

Each test cell's ``grade_id`` is the id of the spec check it tests and its points are that check's points, so
nbgrader's total equals the spec's ``total_points``. A test cell holds visible tests (plain ``assert``s that
also work on Colab, where ``autograder`` is not installed) and hidden tests, which call ``autograder.kernel``:
the static grader's own checks, run on the live objects when nbgrader autograde executes the notebook.

The solution notebook is the source with the solution markers taken out, the hidden tests removed, the
nbgrader metadata dropped, and the "考えてみよう" cells filled with an example answer (解答例).
"""
from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing; `assignments.build` is found there

from assignments.build.notebooks import (  # noqa: E402
    ASSIGNMENTS,
    BUILDERS,
    main,
    outputs,
    render,
    solution_notebook,
    source_notebook,
    strip_markers,
)

__all__ = ["ASSIGNMENTS", "BUILDERS", "main", "outputs", "render", "solution_notebook", "source_notebook", "strip_markers"]

if __name__ == "__main__":
    raise SystemExit(main())
