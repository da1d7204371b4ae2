"""The curate stage: quality filters and the LLM judge, then decontamination, then deduplication; nothing is
dropped.

Decontamination runs before deduplication so every copy of a leaked benchmark problem is reported as
``contaminated`` (with its evidence) rather than as the duplicate of another leak.
"""

from __future__ import annotations

import time
from collections import Counter

from alchemistcoder.curate.config import CurateConfig
from alchemistcoder.curate.decontam import decontaminate_samples
from alchemistcoder.curate.dedup import dedup_samples
from alchemistcoder.curate.filters import curate_filters_batch
from alchemistcoder.curate.judge import run_judge
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext

__all__ = ["curate_filters_batch", "curate_global", "run_curate"]


def curate_global(samples: list[Sample], cfg: CurateConfig, ctx: StageContext) -> dict[str, float]:
    """The steps that need all samples at once (judge, decontamination, dedup), in place; returns timings."""
    timings: dict[str, float] = {}
    live = [s for s in samples if not s.rejected]
    if cfg.judge.enabled and live:
        t = time.perf_counter()
        run_judge(live, cfg.judge, ctx)
        timings["judge_s"] = time.perf_counter() - t
    if cfg.decontam.enabled:
        t = time.perf_counter()
        decontaminate_samples(samples, cfg.decontam)
        timings["decontam_s"] = time.perf_counter() - t
    if cfg.dedup.exact or cfg.dedup.near:
        t = time.perf_counter()
        dedup_samples(samples, cfg.dedup)
        timings["dedup_s"] = time.perf_counter() - t
    return timings


def run_curate(samples: list[Sample], cfg: CurateConfig, ctx: StageContext) -> list[Sample]:
    """The curate stage function: returns every input sample, the rejected ones with reason and evidence.

    Filters are a per-batch map (:func:`curate_filters_batch`); the rest is global (:func:`curate_global`).
    Counts by reason and timings go to ``ctx.stats`` for the manifest.
    """
    if not cfg.enabled:
        return samples
    already = {id(s) for s in samples if s.rejected}
    t = time.perf_counter()
    curate_filters_batch(samples, cfg.filters)
    timings = {"filters_s": time.perf_counter() - t}
    timings.update(curate_global(samples, cfg, ctx))
    ctx.progress(len(samples))
    reasons = Counter(s.rejection.reason for s in samples if s.rejected and id(s) not in already)
    ctx.stats.update({
        "curate_in": len(samples),
        "curate_kept": sum(not s.rejected for s in samples),
        "curate_rejected": sum(reasons.values()),
        "curate_rejects_by_reason": dict(sorted(reasons.items())),
        "curate_timings_s": {k: round(v, 3) for k, v in timings.items()},
    })
    return samples
