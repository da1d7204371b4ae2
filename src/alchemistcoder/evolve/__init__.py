"""Evol-Instruct: evolve instructions with an LLM, eliminate failed evolutions, answer the rest.

The stage function is :func:`run_evolve` (``alchemistcoder.evolve:run_evolve`` in the pipeline). It is loaded
on first access so that importing the config section stays cheap.
"""

from alchemistcoder.lazy import lazy_getattr

__all__ = ["evolve_samples", "run_evolve"]


__getattr__ = lazy_getattr(__name__, dict.fromkeys(__all__, "alchemistcoder.evolve.stage"))
