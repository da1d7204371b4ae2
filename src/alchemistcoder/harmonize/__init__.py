"""AlchemistPrompts: grounded, validated hindsight relabeling of instructions (the harmonize stage).

    from alchemistcoder.harmonize import run_harmonize, HarmonizeConfig

Names are imported lazily: ``alchemistcoder.config`` imports ``harmonize.config`` through this package, and
loading a config must not pay for the code parsers, rapidfuzz and numpy that grounding and validation use.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

_EXPORTS = {
    "HarmonizeConfig": "alchemistcoder.harmonize.config",
    "Facts": "alchemistcoder.harmonize.grounding",
    "Grounding": "alchemistcoder.harmonize.grounding",
    "ground": "alchemistcoder.harmonize.grounding",
    "run_harmonize": "alchemistcoder.harmonize.harmonize",
    "template_prompt": "alchemistcoder.harmonize.template_writer",
    "validate_prompt": "alchemistcoder.harmonize.validate",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
