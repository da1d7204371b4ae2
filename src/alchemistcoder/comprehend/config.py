"""Config section for the code-comprehension tasks."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class ComprehendConfig(StrictModel):
    """the code-comprehension tasks (fields are filled in by the issue that builds this stage)."""

    enabled: bool = Field(True, description="Run this stage.")
