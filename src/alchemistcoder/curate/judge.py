"""The LLM judge for the two quality categories that need a reader: C (unclear code), D (disorganized code).

Short responses (A) and uncompilable code (B) are decided by deterministic filters (``filters.py``); whether
code is *clear*, and whether a response *follows the format its instruction asks for*, needs a model. The
judge asks for a label and a one-sentence rationale (structured output, validated, bounded re-asks) and
records the outcome exactly like a filter: a ``quality_filter`` reject event with reason ``unclear_code`` or
``disorganized_code`` (category and rationale in its params), a keep event with ``checks: ["judge"]``, or,
when the judge call fails, an ``info`` event that keeps the sample (a broken judge must not delete data).

Configured under ``curate.judge`` (:class:`~alchemistcoder.curate.config.JudgeConfig`); curation runs it
before decontamination and dedup when ``curate.judge.enabled`` is true.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from alchemistcoder.comprehend import templates as T
from alchemistcoder.curate.config import JudgeConfig
from alchemistcoder.curate.filters import OP
from alchemistcoder.curate.reasons import JUDGE_CHECK, category_of
from alchemistcoder.evolve.seeded import unit_hash
from alchemistcoder.llm.types import ChatRequest
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext

LABEL_TO_REASON = {"unclear": "unclear_code", "disorganized": "disorganized_code"}

_SYNONYMS = {
    "ok": "ok", "okay": "ok", "fine": "ok", "good": "ok", "none": "ok", "clear": "ok", "no problem": "ok",
    "unclear": "unclear", "unclear code": "unclear", "unclear_code": "unclear", "c": "unclear",
    "disorganized": "disorganized", "disorganised": "disorganized", "disorganized code": "disorganized",
    "disorganized_code": "disorganized", "d": "disorganized",
}


class JudgeVerdict(BaseModel):
    """A verdict on a code sample: ok, unclear or disorganized, and a one-sentence rationale."""

    label: Literal["ok", "unclear", "disorganized"] = Field(description="ok, unclear (C) or disorganized (D).")
    rationale: str = Field(min_length=1, description="One sentence that explains the label.")

    @field_validator("label", mode="before")
    @classmethod
    def _normalize(cls, value: Any) -> Any:
        # Small models answer "Unclear", "C", "disorganized code": accept the obvious spellings.
        if isinstance(value, str):
            return _SYNONYMS.get(value.strip().strip(".").lower(), value)
        return value

    @property
    def reason(self) -> str | None:
        """The reject reason code of this verdict (None for ok)."""
        return LABEL_TO_REASON.get(self.label)


def is_judgeable(sample: Sample) -> bool:
    """Kept code-generation samples with a response are judged (rejected ones already have their reason)."""
    return sample.task == "codegen" and not sample.rejected and bool(sample.response.strip())


def select_for_judging(samples: list[Sample], cfg: JudgeConfig, seed: int) -> list[int]:
    """Indices of the samples to judge: judgeable, seeded hash below ``cfg.fraction``, capped by ``cfg.max_samples``."""
    scored = sorted((unit_hash(seed, OP, s.id), i) for i, s in enumerate(samples) if is_judgeable(s))
    chosen = [i for h, i in scored if h < cfg.fraction]
    return sorted(chosen if cfg.max_samples is None else chosen[: cfg.max_samples])


def judge_messages(sample: Sample, max_chars: int = 4000) -> list[dict[str, str]]:
    """The chat that asks the judge about ``sample``."""
    prompt = T.JUDGE_REQUEST.format(instruction=T.clip(sample.instruction, max_chars),
                                    response=T.clip(sample.response, max_chars))
    return [{"role": "system", "content": T.JUDGE_SYSTEM}, {"role": "user", "content": prompt}]


def record_verdict(sample: Sample, verdict: JudgeVerdict | None, cfg: JudgeConfig, model: str | None = None,
                   error: str | None = None, stage: str = "curate") -> str:
    """Record the judge's outcome on ``sample``; returns it (``ok``, the reason code, or ``judge_failed``).

    A C/D verdict rejects only when its reason is in ``cfg.categories``; otherwise the sample is kept.
    """
    if verdict is None:
        sample.record(OP, "info", params={"checks": [JUDGE_CHECK], "error": error or "no verdict"}, model=model,
                      stage=stage)
        return "judge_failed"
    params = {"label": verdict.label, "rationale": verdict.rationale}
    if verdict.reason is not None and verdict.reason in cfg.categories:
        sample.reject(OP, verdict.reason, stage=stage, model=model, params={
            "category": category_of(verdict.reason) or "", "explanation": verdict.rationale, **params})
        return verdict.reason
    sample.record(OP, "keep", stage=stage, model=model, params={"checks": [JUDGE_CHECK], **params})
    return "ok"


def judge_with_client(samples: list[Sample], cfg: JudgeConfig, client: Any, seed: int = 0,
                      stage: str = "curate") -> list[tuple[JudgeVerdict | None, str | None, str | None]]:
    """(verdict, model, error) per sample; samples not selected get (None, None, None) and are not asked."""
    chosen = select_for_judging(samples, cfg, seed)
    out: list[tuple[JudgeVerdict | None, str | None, str | None]] = [(None, None, None)] * len(samples)
    if not chosen:
        return out
    requests = [ChatRequest(messages=judge_messages(samples[i], cfg.max_chars), max_tokens=cfg.max_tokens,
                            temperature=0.0, tag=stage) for i in chosen]
    completions = client.generate_structured(requests, JudgeVerdict, max_reasks=cfg.max_reasks)
    for i, c in zip(chosen, completions, strict=True):
        verdict = c.parsed if c.ok and isinstance(c.parsed, JudgeVerdict) else None
        out[i] = (verdict, c.model or None, None if verdict else (c.error or "no verdict"))
    return out


def run_judge(samples: list[Sample], cfg: JudgeConfig, ctx: StageContext) -> int:
    """Judge a seeded selection of ``samples`` in place; returns how many it rejected.

    Counts by outcome go to ``ctx.stats["llm_judge"]``, the model's usage to ``ctx.stats["llm_judge_usage"]``.
    """
    chosen = select_for_judging(samples, cfg, ctx.seed)
    if not cfg.enabled or not chosen:
        return 0
    stage = ctx.stage or "curate"
    with ctx.llm(cfg.model, usage_key="llm_judge") as client:
        results = judge_with_client(samples, cfg, client, ctx.seed, stage)
    counts: Counter[str] = Counter()
    for i in chosen:
        verdict, model, error = results[i]
        counts[record_verdict(samples[i], verdict, cfg, model, error, stage)] += 1
    ctx.stats["llm_judge"] = dict(sorted(counts.items()))
    return sum(n for outcome, n in counts.items() if outcome in cfg.categories)
