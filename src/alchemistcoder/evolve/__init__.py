"""Evol-Instruct: evolve instructions with an LLM, eliminate failed evolutions, answer the rest.

The stage function is :func:`run_evolve` (``alchemistcoder.evolve:run_evolve`` in the pipeline). It is loaded
on first access so that importing the config section stays cheap.
"""

from typing import Any

__all__ = ["evolve_samples", "run_evolve"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from alchemistcoder.evolve import stage

        return getattr(stage, name)
    raise AttributeError(f"module 'alchemistcoder.evolve' has no attribute {name!r}")
