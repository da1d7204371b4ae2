"""The curate stage: quality filters and the LLM judge, then decontamination, then deduplication; nothing is
dropped.

Decontamination runs before deduplication so every copy of a leaked benchmark problem is reported as
``contaminated`` (with its evidence) rather than as the duplicate of another leak.

On shards the stage is five steps (:func:`curate_steps`): ``score`` (filters, code facts into ``meta``, the
judge, decontamination; then the dedup keys) per shard; ``dedup_plan`` (exact clusters and near-duplicate
candidates from band keys) on the driver; ``shingles`` (the candidates' shingle sets) per shard;
``dedup_near`` (exact Jaccard, union-find) on the driver; ``apply`` (the rejections, with each cluster's
keeper) per shard. :func:`run_curate` runs the same steps over one list.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from alchemistcoder.curate.config import CurateConfig
from alchemistcoder.curate.dedup import (
    Candidate,
    DedupKeys,
    apply_dedup,
    candidate_shingles,
    dedup_keys,
    near_decisions,
    plan_dedup,
)
from alchemistcoder.curate.filters import curate_filters_batch
from alchemistcoder.curate.judge import run_judge
from alchemistcoder.decontam.step import decontaminate_samples, shared_index
from alchemistcoder.pipeline.steps import run_steps_inline
from alchemistcoder.records import Sample
from alchemistcoder.stage import MapStep, ReduceStep, StageContext, merge_stats

__all__ = ["curate_filters_batch", "curate_steps", "run_curate"]


def _timing(ctx: StageContext, name: str, started: float) -> None:
    merge_stats(ctx.stats, {"curate_timings_s": {name: round(time.perf_counter() - started, 4)}})


def score_shard(samples: list[Sample], cfg: CurateConfig, ctx: StageContext) -> list[Sample]:
    """Map: the quality filters (recording code facts in ``meta``), the judge, decontamination; in place."""
    merge_stats(ctx.stats, {"curate_in": len(samples)})
    t = time.perf_counter()
    curate_filters_batch(samples, cfg.filters, stage=ctx.stage)
    _timing(ctx, "filters_s", t)
    live = [s for s in samples if not s.rejected]
    if cfg.judge.enabled and live:
        t = time.perf_counter()
        run_judge(live, cfg.judge, ctx)
        _timing(ctx, "judge_s", t)
    if cfg.decontam.enabled:
        t = time.perf_counter()
        if any(not s.rejected for s in samples):
            decontaminate_samples(samples, cfg.decontam, index=shared_index(cfg.decontam), ctx=ctx)
        _timing(ctx, "decontam_s", t)
    return samples


def score_keys(samples: list[Sample], cfg: CurateConfig, ctx: StageContext) -> DedupKeys:
    """Keys of the shard for the dedup plan."""
    t = time.perf_counter()
    keys = dedup_keys(samples, cfg.dedup)
    _timing(ctx, "dedup_s", t)
    return keys


def plan_step(keys: list[DedupKeys], cfg: CurateConfig, ctx: StageContext) -> list[dict[str, Any]]:
    """Reduce: exact clusters and near-duplicate candidate pairs (see ``dedup.plan_dedup``)."""
    t = time.perf_counter()
    plans = plan_dedup(keys, cfg.dedup)
    _timing(ctx, "dedup_s", t)
    return plans


def shingles_keys(samples: list[Sample], cfg: CurateConfig, ctx: StageContext) -> list[Candidate]:
    """Map (keys only): the shingle sets of the shard's candidate samples."""
    t = time.perf_counter()
    plan = ctx.decisions["dedup_plan"]
    out = candidate_shingles(samples, plan["candidates"], cfg.dedup) if plan["candidates"] else []
    _timing(ctx, "dedup_s", t)
    return out


def near_step(candidates: list[list[Candidate]], cfg: CurateConfig, ctx: StageContext) -> list[dict[int, Any]]:
    """Reduce: verified near-duplicate clusters; row -> reject params per shard."""
    t = time.perf_counter()
    pairs = [pair for plan in ctx.decisions["dedup_plan"] for pair in plan["pairs"]]
    out = near_decisions(pairs, candidates, cfg.dedup)
    _timing(ctx, "dedup_s", t)
    return out


def apply_shard(samples: list[Sample], cfg: CurateConfig, ctx: StageContext) -> list[Sample]:
    """Map: the duplicates' rejections, then the shard's counts for the manifest."""
    t = time.perf_counter()
    plan = ctx.decisions.get("dedup_plan") or {"exact": {}}
    apply_dedup(samples, plan["exact"], ctx.decisions.get("dedup_near") or {}, stage=ctx.stage)
    _timing(ctx, "dedup_s", t)
    reasons = Counter(s.rejection.reason for s in samples if s.rejected and s.rejection.stage == ctx.stage)
    merge_stats(ctx.stats, {
        "curate_kept": sum(not s.rejected for s in samples),
        "curate_rejected": sum(reasons.values()),
        "curate_rejects_by_reason": dict(sorted(reasons.items())),
    })
    ctx.progress(len(samples))
    return samples


def curate_steps(cfg: CurateConfig) -> list[MapStep | ReduceStep]:
    """The stage's steps for ``cfg`` (the near-duplicate steps only when near dedup is on)."""
    dedup = cfg.dedup.exact or cfg.dedup.near
    steps: list[MapStep | ReduceStep] = [MapStep("score", score_shard, keys=score_keys if dedup else None)]
    if dedup:
        steps.append(ReduceStep("dedup_plan", plan_step))
    if cfg.dedup.near:
        steps += [MapStep("shingles", keys=shingles_keys), ReduceStep("dedup_near", near_step)]
    return [*steps, MapStep("apply", apply_shard)]


def run_curate(samples: list[Sample], cfg: CurateConfig, ctx: StageContext) -> list[Sample]:
    """The curate stage over one list: returns every input sample, the rejected ones with reason and evidence.

    Counts by reason and timings go to ``ctx.stats`` for the manifest.
    """
    if not cfg.enabled:
        return samples
    return run_steps_inline(curate_steps(cfg), samples, cfg, ctx)
