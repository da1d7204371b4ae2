"""Config of instruction sources and of ingest."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class SourceConfig(StrictModel):
    """One instruction source (fields are filled in by the foundation issue)."""

    name: str = Field(..., description="Source name; part of every sample id.")
    path: str = Field(..., description="Local file or hub dataset name.")
    format: str = Field("alpaca", description="Adapter: alpaca, evol, sharegpt, messages, conala, mbpp, fields.")


class IngestConfig(StrictModel):
    """How ingest treats bad input."""

    on_error: str = Field("raise", description="'raise' stops at the first bad record; 'quarantine' writes it to rejects.")
