"""Config section for Evol-Instruct."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class EvolveConfig(StrictModel):
    """Evol-Instruct (fields are filled in by the issue that builds this stage)."""

    enabled: bool = Field(True, description="Run this stage.")
