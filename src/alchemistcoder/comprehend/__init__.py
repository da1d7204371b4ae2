"""The three code-comprehension tasks (instruction evolution, data filtering, code review), built from traces.

The stage function is :func:`run_comprehend` (``alchemistcoder.comprehend:run_comprehend`` in the pipeline).
It is loaded on first access so that importing the config section stays cheap.
"""

from typing import Any

__all__ = ["run_comprehend", "trace_tasks"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from alchemistcoder.comprehend import stage

        return getattr(stage, name)
    raise AttributeError(f"module 'alchemistcoder.comprehend' has no attribute {name!r}")
