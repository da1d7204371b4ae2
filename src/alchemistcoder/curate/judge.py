"""The LLM judge for the two quality categories that need a reader: C (unclear code), D (disorganized code).

Short responses (A) and uncompilable code (B) are decided by deterministic filters (``filters.py``); whether
code is *clear*, and whether a response *follows the format its instruction asks for*, needs a model. The
judge asks for a label and a one-sentence rationale (structured output, validated, bounded re-asks) and
records the outcome exactly like a filter: a ``quality_filter`` reject event with reason ``unclear_code`` or
``disorganized_code`` (category, explanation, label and rationale in its params), or a keep event with
``checks: ["judge"]``. A judge call that fails records nothing and keeps the sample (a broken judge must not
delete data); it is counted as ``judge_failed`` in ``ctx.stats["llm_judge"]``, its error listed in
``ctx.stats["llm_judge_errors"]``.

Configured under ``curate.judge`` (:class:`~alchemistcoder.curate.config.JudgeConfig`); curation runs it
(:func:`run_judge`) before decontamination and dedup when ``curate.judge.enabled`` is true.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from alchemistcoder.curate.config import JudgeConfig
from alchemistcoder.curate.filters import OP
from alchemistcoder.curate.reasons import JUDGE_CHECK, category_of
from alchemistcoder.llm.types import ChatRequest
from alchemistcoder.records import Sample
from alchemistcoder.seeding import unit_hash
from alchemistcoder.stage import StageContext
from alchemistcoder.text import clip

# The seeded choice of samples to judge hashes with this name: it is the judge's name in the stats and the
# usage key, and changing it would change which samples a ``max_samples`` cap picks.
JUDGE_NAME = "llm_judge"

LABEL_TO_REASON = {"unclear": "unclear_code", "disorganized": "disorganized_code"}

JUDGE_SYSTEM = "You check code instruction data for quality. You answer in JSON only."

JUDGE_REQUEST = (
    "Decide whether this sample has one of two problems.\n"
    "- unclear: the code is hard to understand (no explanation, meaningless names, unclear intent).\n"
    "- disorganized: the response does not follow the format the instruction asks for (wrong language, "
    "missing function signature, missing requested output or explanation).\n"
    "- ok: neither problem.\n\n### Instruction\n{instruction}\n\n### Response\n{response}\n\n"
    'Answer with JSON: {{"label": "ok" | "unclear" | "disorganized", "rationale": "<one sentence>"}}'
)

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
    scored = sorted((unit_hash(seed, JUDGE_NAME, s.id), i) for i, s in enumerate(samples) if is_judgeable(s))
    chosen = [i for h, i in scored if h < cfg.fraction]
    return sorted(chosen if cfg.max_samples is None else chosen[: cfg.max_samples])


def judge_messages(sample: Sample, max_chars: int) -> list[dict[str, str]]:
    """The chat that asks the judge about ``sample`` (instruction and response each cut to ``max_chars``)."""
    prompt = JUDGE_REQUEST.format(instruction=clip(sample.instruction, max_chars),
                                  response=clip(sample.response, max_chars))
    return [{"role": "system", "content": JUDGE_SYSTEM}, {"role": "user", "content": prompt}]


def record_verdict(sample: Sample, verdict: JudgeVerdict, cfg: JudgeConfig, model: str | None = None,
                   stage: str = "curate") -> bool:
    """Record ``verdict`` on ``sample`` like a filter, under ``stage`` (in a run: ``ctx.stage``); returns
    whether it rejected the sample.

    A C/D verdict rejects only when its reason is in ``cfg.categories``; otherwise the sample is kept.
    """
    if verdict.reason is not None and verdict.reason in cfg.categories:
        sample.reject(OP, verdict.reason, stage=stage, model=model, params={
            "category": category_of(verdict.reason) or "", "explanation": verdict.rationale,
            "label": verdict.label, "rationale": verdict.rationale})
        return True
    sample.record(OP, "keep", stage=stage, model=model, params={"checks": [JUDGE_CHECK]})
    return False


def run_judge(samples: list[Sample], cfg: JudgeConfig, ctx: StageContext) -> int:
    """Judge a seeded selection of ``samples`` in place; returns how many it rejected.

    The model is ``cfg.model``, opened with ``ctx.llm`` (its usage goes to ``ctx.stats["llm_judge_usage"]``);
    counts by verdict (``ok``, ``unclear_code``, ``disorganized_code``, ``judge_failed``) go to
    ``ctx.stats["llm_judge"]``. Nothing is asked, and no model opened, when no sample is selected.
    """
    chosen = select_for_judging(samples, cfg, ctx.seed)
    if not cfg.enabled or not chosen:
        return 0
    requests = [ChatRequest(messages=judge_messages(samples[i], cfg.max_chars), max_tokens=cfg.max_tokens,
                            temperature=0.0, tag=ctx.stage) for i in chosen]
    with ctx.llm(cfg.model, usage_key=JUDGE_NAME) as client:
        completions = client.generate_structured(requests, JudgeVerdict, max_reasks=cfg.max_reasks)
    counts: Counter[str] = Counter()
    rejected = 0
    for i, c in zip(chosen, completions, strict=True):
        verdict = c.parsed if c.ok and isinstance(c.parsed, JudgeVerdict) else None
        if verdict is None:
            counts["judge_failed"] += 1
            ctx.stats.setdefault(f"{JUDGE_NAME}_errors", []).append(c.error or "no verdict")
            continue
        counts[verdict.reason or "ok"] += 1
        rejected += record_verdict(samples[i], verdict, cfg, c.model or None, stage=ctx.stage)
    ctx.stats[JUDGE_NAME] = dict(sorted(counts.items()))
    return rejected
