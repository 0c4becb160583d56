"""The course's notebook builder, one module per role; ``assignments/build_notebooks.py`` is its command.

``cells`` (the cell type and its builders) < ``common`` (text and tests every assignment shares) < one module
per assignment (``perceptron``, ``mlp``, ``history``, ``dropout``: content only) < ``notebooks`` (nbformat
notebooks, the points check, the command). Imports ``autograder`` (spec and format) only, no TensorFlow,
no nbgrader.
"""
