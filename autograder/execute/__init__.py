"""Re-execution; the only place nbclient, jupyter_client and distributed are imported; never imports cli.

``autograder run``: each submission executed in a fresh, contained kernel, then graded by the static pipeline.

- ``defaults``: the default limits (constants only; the command line reads them).
- ``values``: options, a worker's ``Task`` and ``Execution``, ``RunResult``, ``RunReport`` (no kernel library).
- ``prepare``: the course source found, hidden tests put back, outputs cleared (this process).
- ``kernel_run``: the kernel driver, one notebook's cells in one kernel under time limits (the one engine).
- ``worker``: ``execute_task``, a ``Task`` in the sandbox on that driver (threads or Dask workers).
- ``status``: what the executed outputs say: status and message.
- ``cache``: ``OUT/cache`` and ``OUT/executed``, graded here.
- ``run``: a batch (``run_paths``, threads, Dask, the summary) and the stable import path of all of the above.
- ``datasets``: offline ``.npz`` datasets for ``load_data()``, and ``execute_notebook`` on the same driver.
- ``sandbox``: the containment itself (the sealed view, limits, PID 1); standard library only, run as a script.
- ``contain``: the grader's side of it: the probe, the command line, the runtime the view keeps.
- ``limits``: a cgroup per run (memory and processes of the whole kernel), or the stated fallback.
- ``verify``: the trained model saved after the student's cells, read back without following links, loaded and
  scored by a clean process (safe mode, the instructor's test data); never TensorFlow in this process.
"""
