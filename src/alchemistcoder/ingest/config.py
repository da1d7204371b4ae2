"""Config of instruction sources and of ingest."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from alchemistcoder.strict import StrictModel

FORMATS: tuple[str, ...] = ("alpaca", "evol", "sharegpt", "messages", "conala", "mbpp", "fields")


class SourceConfig(StrictModel):
    """One instruction source: where its records are and which adapter turns them into Samples."""

    name: str = Field(..., min_length=1, description="Source name; part of every sample id and of `Sample.source`.")
    path: str = Field(
        ...,
        min_length=1,
        description=(
            "Local .json (array), .jsonl, .jsonl.gz or .parquet file; `pkg://alchemistcoder/demo/x.jsonl` for "
            "packaged data; or a Hugging Face hub dataset name (used only when no such local file exists). "
            "`${VAR}` and `${VAR:-default}` are expanded; relative paths are resolved against the config "
            "file's directory first, then the working directory."
        ),
    )
    format: Literal["alpaca", "evol", "sharegpt", "messages", "conala", "mbpp", "fields"] = Field(
        "alpaca", description="Adapter: alpaca, evol, sharegpt, messages, conala, mbpp, fields (generic mapping)."
    )
    fields: dict[str, str] = Field(
        default_factory=dict,
        description=(
            "Rename the adapter's input keys: {canonical: key in the record}. Canonical keys: alpaca "
            "instruction/input/output; evol instruction/output; sharegpt conversations/from/value; messages "
            "messages; conala intent/rewritten_intent/snippet; mbpp text/code/test_list/task_id; fields "
            "instruction/response (required) and input/system (optional)."
        ),
    )
    meta_fields: list[str] = Field(
        default_factory=list, description="Record keys copied as-is into `Sample.meta` (e.g. an upstream id)."
    )
    limit: int | None = Field(None, ge=0, description="Read at most this many records (for quick runs); None reads all.")
    language: str | None = Field(
        None, description="Programming-language hint stored as `meta['language_hint']` (e.g. python, javascript)."
    )
    task: Literal["codegen", "alchemist", "evolution", "filtering", "review"] = Field(
        "codegen", description="`Sample.task` of the records of this source."
    )
    system: str | None = Field(None, description="System message prepended to every chat of this source.")
    split: str = Field("train", description="Hub datasets only: the split to load.")
    subset: str | None = Field(None, description="Hub datasets only: the configuration (subset) name.")
    revision: str | None = Field(None, description="Hub datasets only: the git revision to load.")
    mbpp_exclude: list[list[int]] = Field(
        default_factory=lambda: [[1, 10], [11, 510]],
        description=(
            "MBPP only: inclusive task-id ranges that never become training data. Default: 1-10 (the few-shot "
            "examples of the standard MBPP prompt) and 11-510 (the test split). 511-974 remain."
        ),
    )

    # Directory of the config file this source came from (set by load_config via validation context).
    _base_dir: str | None = PrivateAttr(None)

    @field_validator("mbpp_exclude")
    @classmethod
    def _ranges_are_pairs(cls, value: list[list[int]]) -> list[list[int]]:
        for pair in value:
            if len(pair) != 2 or pair[0] > pair[1]:
                raise ValueError(f"each range must be [first, last] with first <= last, got {pair}")
        return value

    @model_validator(mode="after")
    def _remember_config_dir(self, info: ValidationInfo) -> SourceConfig:
        context: Any = info.context
        if isinstance(context, dict) and context.get("config_dir"):
            self._base_dir = str(context["config_dir"])
        return self

    @property
    def base_dir(self) -> str | None:
        """Directory that relative paths are resolved against first (the config file's), or None."""
        return self._base_dir


class IngestConfig(StrictModel):
    """How ingest treats bad input and what it writes."""

    on_error: Literal["raise", "quarantine"] = Field(
        "raise",
        description=(
            "'raise' stops at the first bad record with an error naming file, line and problem; 'quarantine' "
            "writes the bad record to rejects.jsonl with its reason and goes on."
        ),
    )
    output: Literal["jsonl.gz", "jsonl", "parquet"] = Field(
        "jsonl.gz", description="Format of the ingested samples file (samples.<output>) in the run directory."
    )
