"""Stable documented path: ``autograder.feedback`` is the module ``autograder.present.feedback``: feedback pages (write_feedback)."""
import sys

from autograder.present import feedback as _module

sys.modules[__name__] = _module
