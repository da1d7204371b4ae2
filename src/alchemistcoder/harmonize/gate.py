"""The CPD gate (``harmonize.cpd_gate``; beyond the paper): keep an accepted AlchemistPrompt only when it helps.

The paper argues for AlchemistPrompts with the conditional perplexity discrepancy (``harmonize.cpd``): a
prompt that says what the response delivers makes the response more predictable from the instruction. The
gate applies that argument to each prompt: with a scoring model (default the embedded one) it compares
PPL(response | prompt + instruction) with PPL(response | instruction) — PPL(response) is the same on both
sides of CPD(p + i) < CPD(i), so it cancels — and keeps the prompt only when the first is lower. Each
decision goes into the sample's trace as an ``alchemist_cpd`` event with both perplexities.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from alchemistcoder.records import Sample

CPD_OP = "alchemist_cpd"
GATED_OUT = "cpd_not_lowered"


@dataclass
class GateDecision:
    """Perplexities of the response without and with the prompt, and whether the prompt is kept."""

    ppl_without: float
    ppl_with: float

    @property
    def keep(self) -> bool:
        return self.ppl_with < self.ppl_without


def gate_prompts(scorer: Any, items: list[tuple[Sample, str]]) -> list[GateDecision]:
    """Decisions for ``(sample, new instruction)`` pairs (the new instruction is the prompt already prepended)."""
    if not items:
        return []
    responses = [s.response for s, _ in items]
    without = scorer.response_nll([s.instruction for s, _ in items], responses)
    with_prompt = scorer.response_nll([text for _, text in items], responses)
    return [GateDecision(math.exp(a), math.exp(b)) for a, b in zip(without, with_prompt, strict=True)]


def record_decision(sample: Sample, decision: GateDecision, writer: str, stage: str) -> None:
    """The ``alchemist_cpd`` trace event of one gate decision."""
    sample.record(
        CPD_OP, "keep" if decision.keep else "info", reason=None if decision.keep else GATED_OUT, stage=stage,
        params={"writer": writer, "ppl_without": round(decision.ppl_without, 4), "ppl_with": round(decision.ppl_with, 4)},
    )
