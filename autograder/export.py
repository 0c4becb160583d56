"""Stable documented path: ``autograder.export`` is the module ``autograder.course.export``:
the CSV for the LMS (LmsExportPlugin, export_course)."""
import sys

from autograder.course import export as _module

sys.modules[__name__] = _module
