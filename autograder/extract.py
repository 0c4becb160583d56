"""Stable documented path: ``autograder.extract`` is the module ``autograder.read.extract``: notebook to Evidence (extract)."""
import sys

from autograder.read import extract as _module

sys.modules[__name__] = _module
