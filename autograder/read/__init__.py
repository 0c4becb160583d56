"""Reading layer: bytes → Notebook → Evidence; standard library only, never imports judge/present/pipeline/course/execute/cli.

From autograder it imports only ``autograder.model`` and ``autograder.errors``; the one third-party import is
``nbformat``, lazily inside ``read.notebook`` to upgrade nbformat 3 files. Nothing here executes a notebook.

``notebook`` reads a file into a ``Notebook`` (``text`` cleans the output text), ``names`` reads submission
file names, ``code`` analyses the code cells with ast, ``outputs`` parses the output text (summaries, training
logs, test results, GPU signals), ``tests`` reads the nbgrader test cells, and ``extract`` makes one
``Evidence`` of it all.
"""
