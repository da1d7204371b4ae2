"""The optional decontamination judge: does an instruction state a benchmark problem in other words?

Asked only about candidates that execution and the key facts leave undecided (``curate.decontam.judge_model``),
through the LLM layer (``ctx.llm``, usage under ``decontam_judge``), with a validated structured answer.
A failed call decides nothing (the sample is kept); failures are counted in ``ctx.stats["decontam_judge"]``.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from pydantic import BaseModel, Field

from alchemistcoder.decontam.config import DecontamConfig
from alchemistcoder.llm.types import ChatRequest

USAGE_KEY = "decontam_judge"
SYSTEM = ("You check training data for benchmark contamination. Given a benchmark problem and an instruction, "
          "answer whether the instruction asks for the same function: the same inputs and the same output for "
          "every input, however it is worded. A task on the same topic that asks for something else is not the "
          'same. Answer with JSON: {"same": true or false, "reason": "one sentence"}.')
REQUEST = "Benchmark problem:\n{statement}\n\nInstruction:\n{instruction}\n\nIs it the same problem?"


class SameProblem(BaseModel):
    """The judge's answer: does the instruction ask for the benchmark problem?"""

    same: bool = Field(description="True when the instruction asks for the same function as the benchmark problem.")
    reason: str = Field(min_length=1, description="One sentence that explains the answer.")


def ask_judge(items: list[tuple[str, str]], cfg: DecontamConfig, ctx: Any, max_chars: int = 2000) -> list[dict[str, Any] | None]:
    """The judge's answer for each (instruction, statement) pair: ``{"same", "reason", "model"}``, or None
    when the call failed."""
    if not items:
        return []
    requests = [ChatRequest(messages=[{"role": "system", "content": SYSTEM},
                                      {"role": "user", "content": REQUEST.format(statement=statement[:max_chars],
                                                                                 instruction=instruction[:max_chars])}],
                            max_tokens=96, temperature=0.0, tag=ctx.stage or "curate") for instruction, statement in items]
    with ctx.llm(cfg.judge_model, usage_key=USAGE_KEY) as client:
        completions = client.generate_structured(requests, SameProblem, max_reasks=1)
    counts: Counter[str] = Counter(ctx.stats.get(USAGE_KEY) or {})
    out: list[dict[str, Any] | None] = []
    for c in completions:
        answer = c.parsed if c.ok and isinstance(c.parsed, SameProblem) else None
        counts["failed" if answer is None else ("same" if answer.same else "different")] += 1
        out.append(None if answer is None else {"same": answer.same, "reason": answer.reason, "model": c.model or cfg.judge_model})
    ctx.stats[USAGE_KEY] = dict(sorted(counts.items()))
    return out
