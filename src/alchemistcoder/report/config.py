"""Config section of the HTML report."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class ReportConfig(StrictModel):
    """The HTML report."""

    enabled: bool = Field(True, description="Write report.html at the end of the run.")
    examples: int = Field(3, description="Examples shown per section (AlchemistPrompts, comprehension tasks, rejects).")
    title: str | None = Field(None, description="Report title; defaults to the run directory name.")
