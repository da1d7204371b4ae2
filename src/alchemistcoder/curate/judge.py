"""The place for LLM-judged quality filters: categories C (unclear code) and D (disorganized code).

The rule-based filters cover categories A and B. C and D need a model's judgement; the comprehension work
supplies it by implementing :func:`judge_samples`. The curate stage calls it only when
``curate.judge.enabled`` is true and applies the verdicts with :func:`apply_verdicts`, so the judge never
touches traces itself and its rejections look like every other filter's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.curate.config import JudgeConfig
from alchemistcoder.curate.filters import CATEGORY, OP
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext


@dataclass(slots=True)
class JudgeVerdict:
    """The judge's decision on one sample: ``reason`` is None (keep), ``unclear_code`` or ``disorganized_code``."""

    reason: str | None
    explanation: str = ""
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


def judge_samples(samples: list[Sample], cfg: JudgeConfig, ctx: StageContext) -> list[JudgeVerdict | None]:
    """One verdict per sample (None: not judged, e.g. over ``cfg.max_samples``), in order.

    The judge itself lives with the comprehension tasks (``alchemistcoder.comprehend.judge``).
    """
    from alchemistcoder.comprehend.judge import curate_verdicts

    return curate_verdicts(samples, cfg, ctx)


def apply_verdicts(samples: list[Sample], verdicts: list[JudgeVerdict | None], cfg: JudgeConfig) -> int:
    """Reject the samples the judge flagged with a reason in ``cfg.categories``; returns how many."""
    rejected = 0
    for sample, verdict in zip(samples, verdicts, strict=True):
        if verdict is None or sample.rejected:
            continue
        if verdict.reason in cfg.categories:
            sample.reject(OP, verdict.reason, stage="curate", model=verdict.model, params={
                "category": CATEGORY.get(verdict.reason, ""), "explanation": verdict.explanation, **verdict.params})
            rejected += 1
        else:
            sample.record(OP, "keep", stage="curate", model=verdict.model, params={"checks": ["judge"]})
    return rejected
