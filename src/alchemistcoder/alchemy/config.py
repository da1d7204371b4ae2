"""Config section for AlchemistPrompts (the harmonize stage)."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class HarmonizeConfig(StrictModel):
    """AlchemistPrompts (the harmonize stage) (fields are filled in by the issue that builds this stage)."""

    enabled: bool = Field(True, description="Run this stage.")
