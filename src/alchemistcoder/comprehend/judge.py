"""The LLM judge for the two data-filtering categories that need one: C (unclear code), D (disorganized code).

Short responses (A) and uncompilable code (B) are decided by deterministic filters in curation; whether code
is *clear*, and whether a response *follows the format its instruction asks for*, needs a reader. The judge
asks a model for a label and a one-sentence rationale (structured output, validated) and records the outcome
exactly like a deterministic filter: a ``reject`` event with reason ``unclear_code`` or ``disorganized_code``
and the rationale in its params, or a ``keep`` event. A judge call that fails records an ``info`` event and
keeps the sample: a broken judge must not delete data.

Curation calls :func:`judge_samples` (or :func:`run_judge`) from its hook; the data-filtering comprehension
task later turns these rejections into questions C and D.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from alchemistcoder.comprehend import templates as T
from alchemistcoder.comprehend.config import JudgeConfig
from alchemistcoder.evolve.seeded import unit_hash
from alchemistcoder.llm.types import ChatRequest
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext

OP = "llm_judge"
UNCLEAR = "unclear_code"
DISORGANIZED = "disorganized_code"
LABEL_TO_REASON = {"unclear": UNCLEAR, "disorganized": DISORGANIZED}

_SYNONYMS = {
    "ok": "ok", "okay": "ok", "fine": "ok", "good": "ok", "none": "ok", "clear": "ok", "no problem": "ok",
    "unclear": "unclear", "unclear code": "unclear", "unclear_code": "unclear", "c": "unclear",
    "disorganized": "disorganized", "disorganised": "disorganized", "disorganized code": "disorganized",
    "disorganized_code": "disorganized", "d": "disorganized",
}


class JudgeVerdict(BaseModel):
    """What the judge must answer."""

    label: Literal["ok", "unclear", "disorganized"] = Field(description="ok, unclear (C) or disorganized (D).")
    rationale: str = Field(min_length=1, description="One sentence that explains the label.")

    @field_validator("label", mode="before")
    @classmethod
    def _normalize(cls, value: Any) -> Any:
        # Small models answer "Unclear", "C", "disorganized code": accept the obvious spellings.
        if isinstance(value, str):
            return _SYNONYMS.get(value.strip().strip(".").lower(), value)
        return value


def is_judgeable(sample: Sample) -> bool:
    """Kept code-generation samples with a response are judged (rejected ones already have their reason)."""
    return sample.task == "codegen" and not sample.rejected and bool(sample.response.strip())


def select_for_judging(samples: list[Sample], cfg: JudgeConfig, seed: int) -> list[Sample]:
    """The samples to judge: judgeable, seeded hash below ``cfg.fraction``, capped by ``cfg.max_samples``."""
    scored = sorted(
        ((unit_hash(seed, OP, s.id), s) for s in samples if is_judgeable(s)), key=lambda hs: hs[0]
    )
    chosen = [s for h, s in scored if h < cfg.fraction]
    return chosen if cfg.max_samples is None else chosen[: cfg.max_samples]


def judge_messages(sample: Sample, max_chars: int = 4000) -> list[dict[str, str]]:
    """The chat that asks the judge about ``sample``."""
    prompt = T.JUDGE_REQUEST.format(instruction=T.clip(sample.instruction, max_chars),
                                    response=T.clip(sample.response, max_chars))
    return [{"role": "system", "content": T.JUDGE_SYSTEM}, {"role": "user", "content": prompt}]


def apply_verdict(sample: Sample, verdict: JudgeVerdict | None, model: str | None, error: str | None = None,
                  stage: str = "curate") -> None:
    """Record the judge's outcome on ``sample`` (reject for C/D, keep for ok, info when the judge failed)."""
    if verdict is None:
        sample.record(OP, "info", params={"error": error or "no verdict"}, model=model, stage=stage)
    elif verdict.label == "ok":
        sample.record(OP, "keep", params={"rationale": verdict.rationale}, model=model, stage=stage)
    else:
        sample.reject(OP, LABEL_TO_REASON[verdict.label], params={"label": verdict.label, "rationale": verdict.rationale},
                      model=model, stage=stage)


def judge_samples(samples: list[Sample], cfg: JudgeConfig, client: Any, seed: int = 0,
                  stage: str = "curate") -> dict[str, int]:
    """Judge a seeded selection of ``samples`` in place; return counts by outcome (ok, unclear_code, ...)."""
    chosen = select_for_judging(samples, cfg, seed)
    if not chosen:
        return {}
    requests = [ChatRequest(messages=judge_messages(s, cfg.max_chars), max_tokens=cfg.max_tokens, temperature=0.0,
                            tag=stage) for s in chosen]
    counts: Counter[str] = Counter()
    for sample, completion in zip(chosen, client.generate_structured(requests, JudgeVerdict, max_reasks=cfg.max_reasks), strict=True):
        verdict = completion.parsed if completion.ok and isinstance(completion.parsed, JudgeVerdict) else None
        apply_verdict(sample, verdict, completion.model or None, completion.error, stage)
        counts[LABEL_TO_REASON.get(verdict.label, "ok") if verdict else "judge_failed"] += 1
    return dict(sorted(counts.items()))


def run_judge(samples: list[Sample], cfg: JudgeConfig, ctx: StageContext, client: Any = None) -> list[Sample]:
    """Stage-shaped entry: judge ``samples`` in place and return them all (none is dropped)."""
    if not cfg.enabled:
        return samples
    from alchemistcoder.evolve.client import open_client

    own = client is None
    if own:
        client = open_client(cfg.model, ctx, ctx.stage or "curate")
    try:
        ctx.stats["llm_judge"] = judge_samples(samples, cfg, client, ctx.seed, ctx.stage or "curate")
    finally:
        if own:
            client.close()
    return samples
