"""Config section for supervised fine-tuning."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class TrainConfig(StrictModel):
    """supervised fine-tuning (fields are filled in by the issue that builds this stage)."""

    enabled: bool = Field(True, description="Run this stage.")
