"""Config section of the mix stage and its export."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from alchemistcoder.records import TASKS
from alchemistcoder.strict import StrictModel, key_error


class MixConfig(StrictModel):
    """Ratios, split and export of the final training mix.

    Ratios are weights on the samples that reach the mix: 1.0 keeps all of a group, 0.5 keeps a seeded
    half, 2.0 keeps every sample twice; groups not named keep weight 1.0. A sample's weight is its source
    ratio times its task ratio. Samples left out are kept on disk as rejects with reason ``mix_downsampled``.
    """

    enabled: bool = Field(True, description="Run this stage.")
    source_ratios: dict[str, float] = Field(
        default_factory=dict, description="Weight per source name (1.0 all, 0.5 half, 2.0 twice); unnamed sources 1.0."
    )
    task_ratios: dict[str, float] = Field(
        default_factory=dict,
        description="Weight per task type (codegen, alchemist, evolution, filtering, review); unnamed tasks 1.0.",
    )
    alchemist_fraction: float | None = Field(
        None,
        description="Share of the code-generation data (codegen + alchemist) that carries an AlchemistPrompt, "
        "e.g. 0.05; overrides task_ratios.alchemist. None keeps every AlchemistPrompt sample harmonize made. "
        "Whether a prompt sits beside its original or replaces it is harmonize.mode.",
    )
    task_quotas: dict[str, float] | None = Field(
        None,
        description="Samples of a task type per codegen sample in the mix (e.g. {evolution: 0.05, filtering: 0.05, "
        "review: 0.05}); a task with more samples is subsampled, one with fewer keeps all. None takes "
        "comprehend.ratios; {} sets no quota.",
    )
    max_samples: int | None = Field(None, description="Cap on the final mix size (seeded uniform subsample).")
    shuffle: bool = Field(True, description="Shuffle the final mix under run.seed.")
    validation_fraction: float = Field(0.02, description="Share of the mix held out as the validation split.")
    export_tests: bool = Field(
        False, description="Write each sample's assert-style tests (its source's, or the verify stage's checked ones) as "
        "a 'tests' column (JSONL and Parquet), so the data set also serves test-based RL.",
    )
    system_prompt: str | None = Field(None, description="System message prepended to every exported chat without one.")
    formats: list[Literal["jsonl", "parquet", "hf"]] = Field(
        default_factory=lambda: ["jsonl", "parquet", "hf"],
        description="Export formats: messages JSONL (what train reads), Parquet, a Hugging Face dataset on disk.",
    )
    hub_repo: str | None = Field(None, description="Hub dataset repo to push_to_hub to (needs network and a token).")
    hub_private: bool = Field(True, description="Create the hub repo private.")
    hub_token_env: str = Field("HF_TOKEN", description="Environment variable holding the hub token.")

    @model_validator(mode="before")
    @classmethod
    def _removed_keys(cls, data: Any) -> Any:
        # one add/replace switch: harmonize applies the AlchemistPrompt beside the original or in its place,
        # and the mix's share arithmetic is the same either way
        if isinstance(data, dict) and "alchemist_mode" in data:
            raise key_error(
                "alchemist_mode",
                "removed: the add/replace switch is harmonize.mode (add: the customized copy beside the original; "
                "replace: the original itself customized)",
                data["alchemist_mode"],
            )
        return data

    @field_validator("task_ratios", "task_quotas")
    @classmethod
    def _known_tasks(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        # a typo (``fitering``) would otherwise weigh nothing and only show after the LLM stages have run
        unknown = sorted(set(value or {}) - set(TASKS))
        if unknown:
            raise ValueError(f"unknown task(s) {unknown}; tasks are {', '.join(TASKS)}")
        return value

    @field_validator("source_ratios", "task_ratios", "task_quotas")
    @classmethod
    def _non_negative(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        bad = {k: v for k, v in (value or {}).items() if v < 0}
        if bad:
            raise ValueError(f"ratios must be >= 0 (got {bad})")
        return value

    @field_validator("alchemist_fraction")
    @classmethod
    def _fraction(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value < 1:
            raise ValueError("alchemist_fraction must be in [0, 1)")
        return value

    @field_validator("validation_fraction")
    @classmethod
    def _val_fraction(cls, value: float) -> float:
        if not 0 <= value < 1:
            raise ValueError("validation_fraction must be in [0, 1)")
        return value
