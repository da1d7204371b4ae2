"""The comprehend stage: the code-comprehension tasks, made from the traces of every sample that arrives.

It reads the kept *and* the rejected samples (rejections are what the filtering questions are made of), returns
all of them unchanged, and appends the new task samples: instruction evolution (from the evolve stage's
``create`` events), data filtering (from recorded rejection reasons and kept samples), code review (a model
reviews a response; reviews whose refined code fails in the sandbox are appended as rejected samples) and
repair (from the verify stage's applied repairs: buggy code, failing test and error, fixed code).

On shards the stage is three steps (:func:`comprehend_steps`): ``candidates`` (the tasks each shard could
make, as ids and seeded ranks) per shard; ``choose`` (the caps and the filtering share, over every shard's
candidates) on the driver; ``make`` (the chosen tasks, appended to the shard that holds their samples; the
reviews asked of the model there) per shard. :func:`run_comprehend` runs the same steps over one list.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from alchemistcoder.comprehend.config import ComprehendConfig
from alchemistcoder.comprehend.evolution_tasks import evolution_pairs, make_evolution_tasks
from alchemistcoder.comprehend.filtering_tasks import choose_filtering, filtering_keys, filtering_questions
from alchemistcoder.comprehend.repair_tasks import make_repair_tasks, repair_records
from alchemistcoder.comprehend.review_tasks import choose_reviews, review_keys, review_samples
from alchemistcoder.pipeline.steps import run_steps_inline
from alchemistcoder.records import Sample
from alchemistcoder.seeding import unit_hash
from alchemistcoder.stage import MapStep, ReduceStep, StageContext, merge_stats


def _evolution_tasks(samples: list[Sample], cfg: ComprehendConfig, seed: int, stage: str) -> list[Sample]:
    """Every evolution task the samples' traces make (before the cap)."""
    if not cfg.evolution.enabled:
        return []
    return make_evolution_tasks(evolution_pairs(samples), cfg.evolution.variants, seed, stage)


def _repair_tasks(samples: list[Sample], cfg: ComprehendConfig, stage: str) -> list[Sample]:
    """Every repair task the samples' traces make (before the cap)."""
    if not cfg.repair.enabled:
        return []
    return make_repair_tasks(repair_records(samples), cfg.repair.max_chars, stage)


def trace_tasks(samples: list[Sample], cfg: ComprehendConfig, seed: int = 0, stage: str = "comprehend") -> list[Sample]:
    """The two tasks that need no model, instruction evolution and data filtering, over one list (pure,
    deterministic)."""
    choice = choose_step([candidate_keys_of(samples, cfg, seed, stage)], cfg, None)[0]
    return _model_free_tasks(samples, cfg, choice, seed, stage)


def candidate_keys_of(samples: list[Sample], cfg: ComprehendConfig, seed: int, stage: str) -> dict[str, Any]:
    """The tasks ``samples`` could make, as compact keys: evolution task ids (with their seeded rank),
    filtering keys, review keys."""
    return {
        "evolution": [(unit_hash(seed, "evolution", "pick", t.id), t.id)
                      for t in _evolution_tasks(samples, cfg, seed, stage)],
        "filtering": filtering_keys(samples, seed) if cfg.filtering.enabled else [],
        "repair": [(unit_hash(seed, "repair", "pick", t.id), t.id) for t in _repair_tasks(samples, cfg, stage)],
        "review": review_keys(samples, cfg.review, seed) if cfg.review.enabled else [],
    }


def candidate_keys(samples: list[Sample], cfg: ComprehendConfig, ctx: StageContext) -> dict[str, Any]:
    """Map (keys only): see :func:`candidate_keys_of`."""
    return candidate_keys_of(samples, cfg, ctx.seed, ctx.stage)


def choose_step(keys: list[dict[str, Any]], cfg: ComprehendConfig, ctx: StageContext | None) -> list[dict[str, Any]]:
    """Reduce: which candidates become tasks (the caps and the filtering share are over the whole data set);
    per shard the chosen ids that shard holds."""
    evolution = [k for shard in keys for k in shard["evolution"]]
    if cfg.evolution.max_samples is not None:
        evolution = sorted(evolution)[: cfg.evolution.max_samples]
    chosen_evolution = {i for _h, i in evolution}
    repair = [k for shard in keys for k in shard.get("repair", [])]
    if cfg.repair.max_samples is not None:
        repair = sorted(repair)[: cfg.repair.max_samples]
    chosen_repair = {i for _h, i in repair}
    problems, kept = choose_filtering([k for shard in keys for k in shard["filtering"]], cfg.filtering.max_samples,
                                      cfg.filtering.no_problem_share)
    reviews = choose_reviews([k for shard in keys for k in shard["review"]], cfg.review)
    out = []
    for shard in keys:
        filtering = {i for _kind, _h, i in shard["filtering"]}
        review = {i for _h, i in shard["review"]}
        out.append({
            "evolution": sorted(i for _h, i in shard["evolution"] if i in chosen_evolution),
            "repair": sorted(i for _h, i in shard.get("repair", []) if i in chosen_repair),
            "problems": [i for i in problems if i in filtering],
            "kept": [i for i in kept if i in filtering],
            "reviews": [i for i in reviews if i in review],
        })
    return out


def _model_free_tasks(samples: list[Sample], cfg: ComprehendConfig, choice: dict[str, Any], seed: int,
                      stage: str) -> list[Sample]:
    chosen = set(choice["evolution"])
    out = [t for t in _evolution_tasks(samples, cfg, seed, stage) if t.id in chosen]
    chosen_repair = set(choice.get("repair", []))
    out += [t for t in _repair_tasks(samples, cfg, stage) if t.id in chosen_repair]
    if cfg.filtering.enabled:
        out += filtering_questions(samples, choice["problems"], choice["kept"], cfg.filtering.max_chars, seed, stage)
    return out


def comprehend_stats(created: list[Sample]) -> dict[str, Any]:
    """Counts for the manifest: tasks made (kept) per task, dropped reviews by reason, reviews passed."""
    kept = Counter(s.task for s in created if not s.rejected)
    dropped = Counter(s.rejection.reason for s in created if s.rejection is not None)
    reviews = [s for s in created if s.task == "review"]
    return {
        "tasks": {t: kept.get(t, 0) for t in ("evolution", "filtering", "review", "repair")},
        "reviews": len(reviews),
        "review_passed": sum(1 for s in reviews if not s.rejected),
        "dropped": dict(sorted(dropped.items())),
    }


def make_shard(samples: list[Sample], cfg: ComprehendConfig, ctx: StageContext) -> list[Sample]:
    """Map: the shard's samples unchanged, then the chosen tasks made from them."""
    stage = ctx.stage
    choice = ctx.decisions["choose"]
    created = _model_free_tasks(samples, cfg, choice, ctx.seed, stage)
    if cfg.review.enabled and choice["reviews"]:
        by_id = {s.id: s for s in samples}
        with ctx.llm(cfg.model) as client:
            created += review_samples([by_id[i] for i in choice["reviews"]], cfg.review, client, ctx.seed, stage)
    merge_stats(ctx.stats, {"comprehend": comprehend_stats(created)})
    ctx.progress(len(samples))
    return [*samples, *created]


def comprehend_steps(cfg: ComprehendConfig) -> list[MapStep | ReduceStep]:
    """The stage's steps (see the module docstring)."""
    return [MapStep("candidates", keys=candidate_keys), ReduceStep("choose", choose_step), MapStep("make", make_shard)]


def run_comprehend(samples: list[Sample], cfg: ComprehendConfig, ctx: StageContext) -> list[Sample]:
    """The comprehend stage over one list: every input sample, then the task samples (see the module docstring)."""
    if not cfg.enabled:
        return samples
    return run_steps_inline(comprehend_steps(cfg), samples, cfg, ctx)
