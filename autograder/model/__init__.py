"""Values: the frozen dataclasses, Enums and tiny pure helpers every other layer shares (the bottom layer).

Layer rule: standard library only; imports nothing of autograder but ``autograder.errors``.
"""
