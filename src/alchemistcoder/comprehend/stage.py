"""The comprehend stage: the three code-comprehension tasks, made from the traces of every sample that arrives.

It reads the kept *and* the rejected samples (rejections are what the filtering questions are made of), returns
all of them unchanged, and appends the new task samples: instruction evolution (from the evolve stage's
``create`` events), data filtering (from recorded rejection reasons and kept samples) and code review (a model
reviews a response; reviews whose refined code fails in the sandbox are appended as rejected samples).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from alchemistcoder.comprehend.config import ComprehendConfig
from alchemistcoder.comprehend.evolution_tasks import evolution_pairs, make_evolution_tasks
from alchemistcoder.comprehend.filtering_tasks import make_filtering_tasks
from alchemistcoder.comprehend.review_tasks import make_review_tasks, review_candidates
from alchemistcoder.evolve.seeded import unit_hash
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext


def trace_tasks(samples: list[Sample], cfg: ComprehendConfig, seed: int = 0, stage: str = "comprehend") -> list[Sample]:
    """The two tasks that need no model: instruction evolution and data filtering (pure, deterministic)."""
    out: list[Sample] = []
    if cfg.evolution.enabled:
        tasks = make_evolution_tasks(evolution_pairs(samples), cfg.evolution.variants, seed, stage)
        if cfg.evolution.max_samples is not None:
            tasks = sorted(tasks, key=lambda s: unit_hash(seed, "evolution", "pick", s.id))[: cfg.evolution.max_samples]
        out += tasks
    if cfg.filtering.enabled:
        out += make_filtering_tasks(samples, cfg.filtering.max_samples, cfg.filtering.no_problem_share,
                                    cfg.filtering.max_chars, seed, stage)
    return out


def comprehend_stats(created: list[Sample]) -> dict[str, Any]:
    """Counts for the manifest: tasks made (kept) per task, dropped reviews by reason, review pass share."""
    kept = Counter(s.task for s in created if not s.rejected)
    dropped = Counter(s.rejection.reason for s in created if s.rejection is not None)
    reviews = [s for s in created if s.task == "review"]
    passed = sum(1 for s in reviews if not s.rejected)
    return {
        "tasks": {t: kept.get(t, 0) for t in ("evolution", "filtering", "review")},
        "reviews": len(reviews),
        "review_passed": passed,
        "review_passed_share": passed / len(reviews) if reviews else 0.0,
        "dropped": dict(sorted(dropped.items())),
    }


def run_comprehend(samples: list[Sample], cfg: ComprehendConfig, ctx: StageContext) -> list[Sample]:
    """The comprehend stage: every input sample, then the task samples (see the module docstring)."""
    if not cfg.enabled:
        return samples
    stage = ctx.stage or "comprehend"
    created = trace_tasks(samples, cfg, ctx.seed, stage)
    if cfg.review.enabled and review_candidates(samples, cfg.review, ctx.seed):
        with ctx.llm(cfg.model) as client:
            created += make_review_tasks(samples, cfg.review, client, ctx.seed, stage)
    ctx.stats["comprehend"] = comprehend_stats(created)
    ctx.progress(len(samples))
    return [*samples, *created]
