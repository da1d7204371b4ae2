"""Config sections of the mix/export and report steps."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class MixConfig(StrictModel):
    """Ratios, split and export of the final training mix (filled in by the pipeline issue)."""

    enabled: bool = Field(True, description="Run this stage.")


class ReportConfig(StrictModel):
    """The HTML report (filled in by the pipeline issue)."""

    enabled: bool = Field(True, description="Write report.html at the end of the run.")
