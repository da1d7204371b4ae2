"""Config section for curation: quality filters, dedup, decontamination."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class CurateConfig(StrictModel):
    """curation: quality filters, dedup, decontamination (fields are filled in by the issue that builds this stage)."""

    enabled: bool = Field(True, description="Run this stage.")
