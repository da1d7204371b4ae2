"""One parallelism budget for the sandbox: how many sandboxes a process runs at a time.

Every caller that runs sandboxes side by side (evaluation's scorer, curation's filters, decontamination's
execution) asks :func:`sandbox_workers`. A process outside a run gets one per core. A run's executor gives
each of its worker processes a share of the cores (``run.sandbox_workers``, or the cores divided by the
executor's worker count, at least 1), so a pool of N workers starts about one sandbox per core in all, not
N per core. The budget travels in the environment, which worker processes (spawned, or Ray's) inherit.
"""

from __future__ import annotations

import os

ENV = "ALCHEMIST_SANDBOX_WORKERS"


def cores() -> int:
    """The cores this process may run on."""
    return max(1, len(os.sched_getaffinity(0)))


def sandbox_workers() -> int:
    """How many sandboxes this process runs at a time: the budget the run set, else one per core."""
    value = os.environ.get(ENV, "")
    return max(1, int(value)) if value.isdigit() else cores()


def set_sandbox_workers(n: int) -> None:
    """Set this process's budget (and that of the processes it starts from now on)."""
    os.environ[ENV] = str(max(1, int(n)))


def worker_share(executor_workers: int, explicit: int = 0) -> int:
    """The budget of one of ``executor_workers`` worker processes: ``explicit`` when set (``run.sandbox_workers``),
    else the cores divided among the workers, at least 1."""
    return max(1, explicit) if explicit else max(1, cores() // max(1, executor_workers))
