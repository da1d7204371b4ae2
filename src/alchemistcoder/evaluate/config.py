"""Config section for benchmark evaluation (``evaluate:`` in a run config; ``alchemist evaluate CONFIG``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.strict import StrictModel


class EvalConfig(StrictModel):
    """Generate samples for benchmarks with a model and score them in the sandbox."""

    enabled: bool = Field(True, description="Run this stage.")
    model: str | LLMConfig | None = Field(
        None,
        description="The model under test: a name under 'models:', an inline LLM config, or null for the embedded default.",
    )
    baseline: bool = Field(
        False,
        description="Also evaluate the base model the fine-tune started from (baseline_model), with the same prompts and "
        "benchmarks; the report shows base vs trained and the tasks that flipped. Cached across retrains.",
    )
    baseline_model: str | None = Field(
        None,
        description="The baseline: a name under 'models:', 'embedded', a hub id or a checkpoint path; None takes "
        "train.model (the fine-tune's base).",
    )
    benchmarks: list[str] = Field(
        default_factory=lambda: ["humaneval+", "mbpp+"],
        description="Benchmarks to run: humaneval, humaneval+, mbpp, mbpp-sanitized, mbpp+, humaneval-x-<cpp|go|java|js|python|rust>, ds1000.",
    )
    data: dict[str, str] = Field(
        default_factory=dict,
        description="Benchmark file per benchmark name (default: $ALCHEMIST_SHARED_DATA, else the packaged copy); "
        "required for ds1000. In a run config this is filled from the top-level 'benchmarks:' map (the one map "
        "decontamination reads too); writing it there is deprecated (read into that map, with a message).",
    )
    prompt_style: Literal["chat", "base", "opencompass"] = Field(
        "chat",
        description="'chat': an instruction in the model's own chat template; 'base': raw completion of the prompt; "
        "'opencompass': the paper's prompts (HumanEval in an instruction wrapper, MBPP 3-shot with [BEGIN]/[DONE]).",
    )
    system_prompt: str | None = Field(
        None, description="System message for chat prompts (None: no system message)."
    )
    n_samples: int = Field(1, ge=1, description="Samples per task (pass@k needs at least k).")
    temperature: float = Field(
        0.0, ge=0, description="Sampling temperature (0 = greedy, the paper's pass@1)."
    )
    top_p: float = Field(1.0, gt=0, le=1, description="Nucleus sampling mass.")
    max_tokens: int = Field(512, ge=1, description="Max new tokens per sample.")
    limit: int | None = Field(
        None, ge=1, description="Only the first N tasks of each benchmark (smoke runs)."
    )
    out: str | None = Field(
        None, description="Output directory (default: the evaluate stage's directory, <run.out>/09_evaluate); one "
        "subdirectory per benchmark."
    )
    seed: int | None = Field(
        None,
        description="Seed of sampled generations: sample j of a task uses seed + j (in-process backends then "
        "generate seeded requests one at a time); None: the run's seed (run.seed).",
    )
    workers: int = Field(0, ge=0, description="Deprecated (use run.sandbox_workers, the run's one sandbox budget): "
                         "parallel sandboxes when scoring; 0 follows the budget (one per core outside a run).")
    min_time_limit: float = Field(
        1.0, gt=0, description="EvalPlus: the least time limit per test input, in seconds."
    )
    gt_time_limit_factor: float = Field(
        4.0,
        gt=0,
        description="EvalPlus: a test input may take this many times the reference solution's time.",
    )
    base_only: bool = Field(False, description="Skip the plus inputs of HumanEval+/MBPP+.")
    evalplus_quirks: bool = Field(
        True,
        description="Reproduce EvalPlus 0.3.1 verdicts exactly, including its HumanEval/32 (find_zero) defect; "
        "false scores find_zero by its oracle.",
    )
    test_timeout_s: float = Field(
        5.0, gt=0, description="Wall limit of one test program (HumanEval, MBPP, HumanEval-X)."
    )
    ds1000_timeout_s: float = Field(
        120.0, gt=0, description="DS-1000: wall limit of one test program (upstream's 120 s)."
    )
    ds1000_memory_mb: int = Field(
        8192, ge=256, description="DS-1000: address-space limit of one test program, in MiB."
    )

    @field_validator("benchmarks")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        from alchemistcoder.benchmarks import canonical_name

        return [canonical_name(v) for v in value]
