"""Config section for curation: quality filters, dedup, decontamination (its section lives in ``decontam/config.py``)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.strict import StrictModel


class FilterConfig(StrictModel):
    """Rule-based quality filters (the paper's data-filtering categories A and B, plus failing tests)."""

    short_response: bool = Field(True, description="Reject responses shorter than min_response_chars (category A).")
    min_response_chars: int = Field(20, ge=0, description="Minimum response length in characters, whitespace stripped.")
    no_code: bool = Field(True, description="Reject responses in which no code is found (category A).")
    uncompilable: bool = Field(
        True,
        description="Reject responses whose main code block does not parse: Python by compile() (never executed), "
        "C/C++/Java/JavaScript/Go/Rust by tree-sitter (category B).",
    )
    use_compiler: bool = Field(
        False,
        description="Also compile non-Python code with the real compiler through the sandbox (slower; needs the "
        "toolchains on the machine).",
    )
    failing_tests: bool = Field(
        True, description="Run meta['tests'] (assert statements, MBPP style) against Python responses in the sandbox."
    )
    test_timeout_s: float = Field(10.0, gt=0, description="Wall-clock limit per test run in the sandbox.")
    sandbox_workers: int = Field(0, ge=0, description="Deprecated (use run.sandbox_workers, the run's one sandbox "
                                 "budget): parallel sandbox runs of the filters; 0 follows the budget.")


class JudgeConfig(StrictModel):
    """The LLM judge for categories C (unclear code) and D (disorganized code) (``alchemistcoder.curate.judge``).

    A verdict of ``unclear_code`` or ``disorganized_code`` rejects the sample when the reason is in ``categories``.
    """

    enabled: bool = Field(False, description="Ask an LLM judge about clarity (C) and organization (D).")
    model: str | None = Field(None, description="Model name under `models:` (or None for the default model).")
    categories: list[Literal["unclear_code", "disorganized_code"]] = Field(
        default_factory=lambda: ["unclear_code", "disorganized_code"],
        description="Reason codes the judge may reject with; a verdict for another one keeps the sample.",
    )
    fraction: float = Field(1.0, ge=0, le=1, description="Seeded share of the kept codegen samples to judge.")
    max_samples: int | None = Field(None, ge=0, description="Judge at most this many samples (cost cap); None judges all.")
    max_chars: int = Field(4000, ge=100, description="Instruction and response are each cut to this many characters.")
    max_tokens: int = Field(128, ge=8, description="Token limit of the judge's answer.")
    max_reasks: int = Field(1, ge=0, description="Re-asks after an answer that is not a valid verdict.")


class DedupConfig(StrictModel):
    """Exact and near-duplicate removal (MinHash + LSH over instruction and code shingles)."""

    exact: bool = Field(True, description="Remove exact duplicates of the normalized instruction and response.")
    near: bool = Field(True, description="Remove near duplicates by MinHash/LSH.")
    threshold: float = Field(0.8, gt=0, le=1, description="Jaccard similarity at or above which two samples are near duplicates.")
    num_perm: int = Field(128, ge=16, description="MinHash permutations.")
    shingle_size: int = Field(5, ge=1, description="Words (instruction) / code tokens per shingle.")
    seed: int = Field(1, description="Seed of the MinHash permutations.")
    source_priority: list[str] = Field(
        default_factory=list,
        description="Sources in order of preference: the kept member of a duplicate cluster comes from the earliest "
        "listed source; unlisted sources come after, then higher quality, then the smaller id.",
    )


class CurateConfig(StrictModel):
    """Curation: quality filters, dedup, decontamination; every rejection is kept with its reason in the trace."""

    enabled: bool = Field(True, description="Run this stage.")
    filters: FilterConfig = Field(default_factory=FilterConfig, description="Rule-based quality filters.")
    judge: JudgeConfig = Field(default_factory=JudgeConfig, description="LLM-judged filters (categories C and D).")
    dedup: DedupConfig = Field(default_factory=DedupConfig, description="Exact and near-duplicate removal.")
    decontam: DecontamConfig = Field(default_factory=DecontamConfig, description="Benchmark decontamination.")
    rejects_file: str = Field(
        "rejects.jsonl.gz", description="File under the stage's output directory that collects every rejected sample."
    )
