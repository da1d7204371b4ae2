"""The LLM judge for the two data-filtering categories that need one: C (unclear code), D (disorganized code).

Short responses (A) and uncompilable code (B) are decided by deterministic filters in curation; whether code
is *clear*, and whether a response *follows the format its instruction asks for*, needs a reader. The judge
asks a model for a label and a one-sentence rationale (structured output, validated) and the outcome is
recorded exactly like a deterministic filter: a ``reject`` event with reason ``unclear_code`` or
``disorganized_code`` and the rationale in its params, or a ``keep`` event. A judge call that fails records
an ``info`` event and keeps the sample: a broken judge must not delete data.

The config is curation's ``curate.judge`` section (``alchemistcoder.curate.config.JudgeConfig``: ``enabled``,
``model``, ``categories``, ``max_samples``); optional fields ``max_tokens``, ``max_reasks``, ``max_chars`` and
``fraction`` are read when present. Entry points:

- :func:`curate_verdicts` ``(samples, cfg, ctx)``: verdicts in curation's own ``JudgeVerdict`` shape, for
  ``alchemistcoder.curate.judge.judge_samples`` (curation applies them with its ``apply_verdicts``);
- :func:`judge` ``(samples, cfg, ctx) -> list[JudgeVerdict | None]``: this module's verdicts, samples
  untouched; :func:`apply_verdict` records one;
- :func:`judge_samples` / :func:`run_judge`: judge and record in place.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from alchemistcoder.comprehend import templates as T
from alchemistcoder.evolve.seeded import unit_hash
from alchemistcoder.llm.types import ChatRequest
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext

OP = "llm_judge"
UNCLEAR = "unclear_code"
DISORGANIZED = "disorganized_code"
LABEL_TO_REASON = {"unclear": UNCLEAR, "disorganized": DISORGANIZED}
DEFAULT_CATEGORIES = (UNCLEAR, DISORGANIZED)

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


def _opt(cfg: Any, name: str, default: Any) -> Any:
    value = getattr(cfg, name, None)
    return default if value is None else value


def is_judgeable(sample: Sample) -> bool:
    """Kept code-generation samples with a response are judged (rejected ones already have their reason)."""
    return sample.task == "codegen" and not sample.rejected and bool(sample.response.strip())


def select_for_judging(samples: list[Sample], cfg: Any, seed: int) -> list[int]:
    """Indices of the samples to judge: judgeable, seeded hash below ``cfg.fraction``, capped by ``cfg.max_samples``."""
    fraction, cap = _opt(cfg, "fraction", 1.0), getattr(cfg, "max_samples", None)
    scored = sorted((unit_hash(seed, OP, s.id), i) for i, s in enumerate(samples) if is_judgeable(s))
    chosen = [i for h, i in scored if h < fraction]
    chosen = chosen if cap is None else chosen[:cap]
    return sorted(chosen)


def judge_messages(sample: Sample, max_chars: int = 4000) -> list[dict[str, str]]:
    """The chat that asks the judge about ``sample``."""
    prompt = T.JUDGE_REQUEST.format(instruction=T.clip(sample.instruction, max_chars),
                                    response=T.clip(sample.response, max_chars))
    return [{"role": "system", "content": T.JUDGE_SYSTEM}, {"role": "user", "content": prompt}]


def apply_verdict(sample: Sample, verdict: JudgeVerdict | None, model: str | None = None, error: str | None = None,
                  stage: str = "curate", categories: tuple[str, ...] | list[str] = DEFAULT_CATEGORIES) -> None:
    """Record the judge's outcome on ``sample``: reject for C/D (when in ``categories``), keep for ok,
    info when the judge failed."""
    if verdict is None:
        sample.record(OP, "info", params={"error": error or "no verdict"}, model=model, stage=stage)
    elif verdict.reason is None or verdict.reason not in categories:
        sample.record(OP, "keep", params={"label": verdict.label, "rationale": verdict.rationale}, model=model, stage=stage)
    else:
        sample.reject(OP, verdict.reason, params={"label": verdict.label, "rationale": verdict.rationale},
                      model=model, stage=stage)


def judge_with_client(samples: list[Sample], cfg: Any, client: Any, seed: int = 0,
                      stage: str = "curate") -> list[tuple[JudgeVerdict | None, str | None, str | None]]:
    """(verdict, model, error) per sample; samples not selected get (None, None, None) and are not asked."""
    chosen = select_for_judging(samples, cfg, seed)
    out: list[tuple[JudgeVerdict | None, str | None, str | None]] = [(None, None, None)] * len(samples)
    if not chosen:
        return out
    max_chars, max_tokens = _opt(cfg, "max_chars", 4000), _opt(cfg, "max_tokens", 128)
    requests = [ChatRequest(messages=judge_messages(samples[i], max_chars), max_tokens=max_tokens, temperature=0.0,
                            tag=stage) for i in chosen]
    completions = client.generate_structured(requests, JudgeVerdict, max_reasks=_opt(cfg, "max_reasks", 1))
    for i, c in zip(chosen, completions, strict=True):
        verdict = c.parsed if c.ok and isinstance(c.parsed, JudgeVerdict) else None
        out[i] = (verdict, c.model or None, None if verdict else (c.error or "no verdict"))
    return out


def _with_client(cfg: Any, ctx: StageContext, client: Any, fn: Any) -> Any:
    if client is not None:
        return fn(client)
    with ctx.llm(getattr(cfg, "model", None), usage_key="llm_judge") as opened:
        return fn(opened)


def judge(samples: list[Sample], cfg: Any, ctx: StageContext, client: Any = None) -> list[JudgeVerdict | None]:
    """One verdict per sample (None when not judged or when the judge failed); the samples are not changed."""
    if not getattr(cfg, "enabled", True) or not select_for_judging(samples, cfg, ctx.seed):
        return [None] * len(samples)
    results = _with_client(cfg, ctx, client, lambda c: judge_with_client(samples, cfg, c, ctx.seed, ctx.stage or "curate"))
    return [v for v, _m, _e in results]


def curate_verdicts(samples: list[Sample], cfg: Any, ctx: StageContext, client: Any = None) -> list[Any]:
    """Verdicts in curation's shape (``alchemistcoder.curate.judge.JudgeVerdict``: reason, explanation, model,
    params), one per sample, None when not judged or when the judge failed; curation applies them.

    Counts by outcome go to ``ctx.stats["llm_judge"]`` (``judge_failed`` included, since curation records
    nothing for a None).
    """
    from alchemistcoder.curate.judge import JudgeVerdict as CurateVerdict

    if not getattr(cfg, "enabled", True) or not select_for_judging(samples, cfg, ctx.seed):
        return [None] * len(samples)
    chosen = set(select_for_judging(samples, cfg, ctx.seed))
    results = _with_client(cfg, ctx, client, lambda c: judge_with_client(samples, cfg, c, ctx.seed, ctx.stage or "curate"))
    out: list[Any] = []
    counts: Counter[str] = Counter()
    for i, (verdict, model, error) in enumerate(results):
        if verdict is None:
            out.append(None)
            if i in chosen:
                counts["judge_failed"] += 1
                ctx.stats.setdefault("llm_judge_errors", []).append(error)
            continue
        counts[verdict.reason or "ok"] += 1
        out.append(CurateVerdict(reason=verdict.reason, explanation=verdict.rationale, model=model,
                                 params={"label": verdict.label, "rationale": verdict.rationale}))
    ctx.stats["llm_judge"] = dict(sorted(counts.items()))
    return out


def judge_samples(samples: list[Sample], cfg: Any, client: Any, seed: int = 0, stage: str = "curate") -> dict[str, int]:
    """Judge a seeded selection of ``samples`` in place; return counts by outcome (ok, unclear_code, ...)."""
    chosen = set(select_for_judging(samples, cfg, seed))
    categories = tuple(_opt(cfg, "categories", DEFAULT_CATEGORIES))
    counts: Counter[str] = Counter()
    for i, (verdict, model, error) in enumerate(judge_with_client(samples, cfg, client, seed, stage)):
        if i not in chosen:
            continue
        apply_verdict(samples[i], verdict, model, error, stage, categories)
        rejection = samples[i].rejection
        counts[rejection.reason if rejection is not None and rejection.op == OP else ("ok" if verdict else "judge_failed")] += 1
    return dict(sorted(counts.items()))


def run_judge(samples: list[Sample], cfg: Any, ctx: StageContext, client: Any = None) -> list[Sample]:
    """Stage-shaped entry: judge ``samples`` in place and return them all (none is dropped)."""
    if not getattr(cfg, "enabled", True) or not select_for_judging(samples, cfg, ctx.seed):
        return samples
    ctx.stats["llm_judge"] = _with_client(
        cfg, ctx, client, lambda c: judge_samples(samples, cfg, c, ctx.seed, ctx.stage or "curate")
    )
    return samples
