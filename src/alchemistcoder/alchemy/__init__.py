"""AlchemistPrompts: grounded, validated hindsight relabeling of instructions (the harmonize stage).

    from alchemistcoder.alchemy import run_harmonize, HarmonizeConfig

Names are imported lazily: ``alchemistcoder.config`` imports ``alchemy.config`` through this package, and
loading a config must not pay for the code parsers, rapidfuzz and numpy that grounding and validation use.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "HarmonizeConfig": "alchemistcoder.alchemy.config",
    "Facts": "alchemistcoder.alchemy.grounding",
    "Grounding": "alchemistcoder.alchemy.grounding",
    "ground": "alchemistcoder.alchemy.grounding",
    "run_harmonize": "alchemistcoder.alchemy.harmonize",
    "template_prompt": "alchemistcoder.alchemy.template_writer",
    "validate_prompt": "alchemistcoder.alchemy.validate",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alchemistcoder.alchemy' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
