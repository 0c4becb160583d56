"""Default limits of ``autograder run`` (written once: ``Options`` and the command line read them). Constants only."""
from __future__ import annotations

DEFAULT_TIMEOUT_CELL = 1200.0  # seconds for one cell
DEFAULT_TIMEOUT = 3600.0  # seconds for the whole notebook
DEFAULT_MEMORY_MB = 8192  # RLIMIT_AS of the kernel: TensorFlow on CPU maps ~2.5 GB of address space; 0 = no cap
DEFAULT_MAX_FILE_MB = 1024  # RLIMIT_FSIZE: the largest file the notebook may write
DEFAULT_MAX_OUTPUT_MB = 16  # outputs the grader keeps per notebook (text, images); beyond it they are dropped, with a note
DEFAULT_MAX_PROCESSES = 1024  # processes and threads of one kernel together (cgroup pids.max; TensorFlow starts ~100 threads)
