"""Config section for the code-comprehension tasks (the judge for categories C and D is configured under curate.judge)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.strict import StrictModel


class EvolutionTaskConfig(StrictModel):
    """Instruction-evolution tasks, made from the evolve stage's create events."""

    enabled: bool = Field(True, description="Make instruction-evolution tasks.")
    max_samples: int | None = Field(None, ge=0, description="At most this many tasks; None: one or two per recorded evolution.")
    variants: list[Literal["evolve", "explain"]] = Field(
        default_factory=lambda: ["evolve", "explain"],
        description="'evolve': original + method -> evolved instruction; 'explain': both -> what changed and why it is harder.",
    )


class FilteringTaskConfig(StrictModel):
    """Data-filtering multiple-choice tasks, made from recorded rejections (A-D) and kept samples (no problem)."""

    enabled: bool = Field(True, description="Make data-filtering tasks.")
    max_samples: int | None = Field(None, ge=0, description="At most this many tasks; None: one per eligible sample.")
    no_problem_share: float = Field(
        0.2, ge=0.0, lt=1.0,
        description="Share of the filtering tasks made from kept samples (answer: no problem).",
    )
    max_chars: int = Field(3000, ge=100, description="Instruction and response are cut to this many characters in a question.")


class ReviewTaskConfig(StrictModel):
    """Code-review tasks: an LLM reviews a response; the refined code must pass the sandbox."""

    enabled: bool = Field(True, description="Make code-review tasks.")
    fraction: float = Field(0.05, ge=0.0, le=1.0, description="Share of kept codegen samples with code that get reviewed (seeded).")
    max_samples: int | None = Field(None, ge=0, description="At most this many reviews per call; None: no cap.")
    require_tests: bool = Field(
        False,
        description="Review only samples that have tests, so every kept review's refined code passed them "
        "(without tests the check is only that it compiles or runs cleanly, which a refined program that merely "
        "defines a function always does).",
    )
    max_tokens: int = Field(768, ge=16, description="Token limit of one review (scores, suggestions, refined code).")
    format: Literal["sections", "json"] = Field(
        "sections",
        description="How the reviewing model answers. 'sections': plain text after a filled-in example "
        "(Correctness: n/10, Clarity: n/10, Suggestions, Refined code in a fenced block), which even the embedded "
        "135M model follows; 'json': structured output validated against the review schema, with re-asks "
        "(for capable endpoints).",
    )
    max_reasks: int = Field(1, ge=0, description="Re-asks when the review does not match the schema (format 'json' only).")
    timeout_s: float = Field(10.0, gt=0, description="Sandbox time limit for running the refined code.")
    memory_mb: int = Field(1024, ge=64, description="Sandbox memory limit for running the refined code.")
    max_chars: int = Field(4000, ge=200, description="Instruction and response are cut to this many characters in the prompt.")


class RepairTaskConfig(StrictModel):
    """Repair tasks, made from the verify stage's applied repairs (buggy code + failing test -> fixed code)."""

    enabled: bool = Field(True, description="Make repair tasks.")
    max_samples: int | None = Field(None, ge=0, description="At most this many tasks; None: one per recorded repair.")
    max_chars: int = Field(3000, ge=100, description="Instruction and code are cut to this many characters in a task.")


class TaskRatios(StrictModel):
    """How many samples of each comprehension task the final mix takes, per codegen sample in the mix."""

    evolution: float = Field(0.05, ge=0.0, description="Instruction-evolution samples per codegen sample in the mix.")
    filtering: float = Field(0.05, ge=0.0, description="Data-filtering samples per codegen sample in the mix.")
    review: float = Field(0.05, ge=0.0, description="Code-review samples per codegen sample in the mix.")
    repair: float = Field(0.05, ge=0.0, description="Repair samples per codegen sample in the mix.")


class ComprehendConfig(StrictModel):
    """The code-comprehension tasks, built only from the traces of the samples that reach this stage."""

    enabled: bool = Field(True, description="Run this stage.")
    model: str | LLMConfig | None = Field(
        None, description="Reviewing model: a name under 'models:', an inline model, or None for the embedded default."
    )
    evolution: EvolutionTaskConfig = Field(default_factory=EvolutionTaskConfig, description="Instruction-evolution tasks.")
    filtering: FilteringTaskConfig = Field(default_factory=FilteringTaskConfig, description="Data-filtering tasks.")
    review: ReviewTaskConfig = Field(default_factory=ReviewTaskConfig, description="Code-review tasks.")
    repair: RepairTaskConfig = Field(default_factory=RepairTaskConfig, description="Repair tasks (from verify's repairs).")
    ratios: TaskRatios = Field(default_factory=TaskRatios, description="Share of each task in the final mix (read by the mix stage).")

    def quota(self, task: str, n_codegen: int) -> int:
        """How many samples of ``task`` the mix should take next to ``n_codegen`` codegen samples."""
        return round(getattr(self.ratios, task) * n_codegen)
