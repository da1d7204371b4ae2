"""AlchemistPrompts: grounded, validated hindsight relabeling of instructions (the harmonize stage).

    from alchemistcoder.alchemy import run_harmonize, HarmonizeConfig
"""

from alchemistcoder.alchemy.config import HarmonizeConfig
from alchemistcoder.alchemy.grounding import Facts, Grounding, ground
from alchemistcoder.alchemy.harmonize import run_harmonize
from alchemistcoder.alchemy.template_writer import template_prompt
from alchemistcoder.alchemy.validate import validate_prompt

__all__ = ["Facts", "Grounding", "HarmonizeConfig", "ground", "run_harmonize", "template_prompt", "validate_prompt"]
