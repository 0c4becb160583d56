"""Judging: evidence × spec → results (checks, integrity flags, collusion, policies). Reads no file.

Layer rule: standard library only; imports ``autograder.model`` and ``autograder.errors``, never
``autograder.read``, ``present``, ``pipeline``, ``course``, ``execute`` or ``cli`` (it receives evidence,
it does not read notebooks).
"""
