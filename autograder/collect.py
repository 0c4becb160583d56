"""Stable documented path: ``autograder.collect`` is the module ``autograder.course.collect``:
the LMS zip into nbgrader's submitted/ (SubmissionNameCollector, collect_zip)."""
import sys

from autograder.course import collect as _module

sys.modules[__name__] = _module
