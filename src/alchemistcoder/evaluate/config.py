"""Config section for benchmark evaluation."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class EvalConfig(StrictModel):
    """benchmark evaluation (fields are filled in by the issue that builds this stage)."""

    enabled: bool = Field(True, description="Run this stage.")
