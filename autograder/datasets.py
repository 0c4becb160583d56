"""Stable documented path: ``autograder.datasets`` (and ``python -m autograder.datasets``) is ``autograder.execute.datasets``."""
import sys

from autograder.execute import datasets as _module

if __name__ == "__main__":
    sys.exit(_module.main())
sys.modules[__name__] = _module
