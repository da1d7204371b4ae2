"""The code-comprehension tasks (instruction evolution, data filtering, code review, repair), built from traces.

The stage function is :func:`run_comprehend` (``alchemistcoder.comprehend:run_comprehend`` in the pipeline).
It is loaded on first access so that importing the config section stays cheap.
"""

from alchemistcoder.lazy import lazy_getattr

__all__ = ["run_comprehend", "trace_tasks"]


__getattr__ = lazy_getattr(__name__, dict.fromkeys(__all__, "alchemistcoder.comprehend.stage"))
