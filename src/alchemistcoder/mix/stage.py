"""The mix stage: ratios per source and task, the AlchemistPrompt share, comprehension quotas, shuffle, split.

:func:`run_mix` is a global stage (it needs every sample to draw ratios); it never drops a record: a
sample left out of the mix leaves with a reject event (``mix_downsampled``, ``mix_alchemist_share``,
``mix_task_quota`` or ``mix_max_samples``), a repeated one is a new sample with a ``create`` event. Kept samples carry ``meta["split"]`` (``train`` / ``validation``). The export of
the result is ``mix/export.py``.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from typing import Any

from alchemistcoder.mix.config import MixConfig
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext


def is_alchemist(sample: Sample) -> bool:
    """Whether the sample's instruction carries an AlchemistPrompt (the harmonize stage sets task 'alchemist')."""
    return sample.task == "alchemist"


def _rng(seed: int, *key: str) -> random.Random:
    return random.Random(":".join([str(seed), *key]))


def _take(samples: list[Sample], n: int, rng: random.Random) -> tuple[list[Sample], list[Sample]]:
    """A seeded choice of ``n`` samples (order-independent: sorted by id first); returns (chosen, rest)."""
    ordered = sorted(samples, key=lambda s: s.id)
    chosen_idx = set(rng.sample(range(len(ordered)), min(n, len(ordered))))
    chosen = [s for i, s in enumerate(ordered) if i in chosen_idx]
    rest = [s for i, s in enumerate(ordered) if i not in chosen_idx]
    return chosen, rest


def _repeat(sample: Sample, k: int) -> Sample:
    copy = sample.copy()
    copy.id = f"{sample.id}-r{k}"
    copy.record("mix_repeat", "create", params={"parents": [sample.id], "copy": k}, stage="mix")
    return copy


def apply_weight(group: list[Sample], weight: float, rng: random.Random, by: dict[str, Any]) -> tuple[list[Sample], list[Sample], list[Sample]]:
    """Apply a ratio to one group: returns (kept, created repeats, rejected)."""
    whole = math.floor(weight)
    frac = weight - whole
    kept: list[Sample] = []
    created: list[Sample] = []
    rejected: list[Sample] = []
    if whole >= 1:
        kept = list(group)
        for k in range(1, whole):
            created += [_repeat(s, k) for s in group]
        extra, _ = _take(group, round(frac * len(group)), rng)
        created += [_repeat(s, whole) for s in extra]
    else:
        kept, rejected = _take(group, round(frac * len(group)), rng)
        for s in rejected:
            s.reject("mix_ratio", "mix_downsampled", params={**by, "ratio": weight}, stage="mix")
    return kept, created, rejected


def run_mix(samples: list[Sample], cfg: MixConfig, ctx: StageContext) -> list[Sample]:
    """Select the final mix from ``samples`` under ``cfg`` and mark the train/validation split."""
    incoming_rejected = [s for s in samples if s.rejected]
    pool = [s for s in samples if not s.rejected]
    alchemist = [s for s in pool if is_alchemist(s)]
    others = [s for s in pool if not is_alchemist(s)]
    kept: list[Sample] = []
    created: list[Sample] = []
    rejected: list[Sample] = []

    # 1. source x task weights (the alchemist share is decided below when alchemist_fraction is set)
    groups: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for s in others + ([] if cfg.alchemist_fraction is not None else alchemist):
        groups[(s.source, s.task)].append(s)
    for (source, task), group in sorted(groups.items()):
        weight = cfg.source_ratios.get(source, 1.0) * cfg.task_ratios.get(task, 1.0)
        k, c, r = apply_weight(group, weight, _rng(ctx.seed, "ratio", source, task), {"source": source, "task": task})
        kept += k
        created += c
        rejected += r

    # 2. the AlchemistPrompt share of the code-generation data: alchemist / (codegen + alchemist) = f. The same
    # arithmetic serves both harmonize modes, since an AlchemistPrompt sample is never counted as codegen: in
    # 'add' mode it is a copy beside its original, in 'replace' mode the original itself.
    stats: dict[str, Any] = {}
    if cfg.alchemist_fraction is not None:
        codegen = sum(1 for s in kept + created if s.task == "codegen")
        f = cfg.alchemist_fraction
        target = round(f * codegen / (1 - f))
        chosen, rest = _take(alchemist, target, _rng(ctx.seed, "alchemist"))
        for s in rest:
            s.reject("mix_alchemist_share", "mix_alchemist_share", params={"fraction": f}, stage="mix")
        kept += chosen
        rejected += rest
        stats["alchemist_target"] = target
        stats["alchemist_available"] = len(alchemist)
        stats["alchemist_shortfall"] = max(0, target - len(alchemist))

    # 3. comprehension-task quotas, relative to the codegen samples in the mix
    for task, per_codegen in sorted((cfg.task_quotas or {}).items()):
        n_codegen = sum(1 for s in kept + created if s.task == "codegen")
        quota = round(per_codegen * n_codegen)
        pool_t = [s for s in kept + created if s.task == task]
        if len(pool_t) <= quota:
            stats.setdefault("task_quota_shortfall", {})[task] = quota - len(pool_t)
            continue
        chosen, over = _take(pool_t, quota, _rng(ctx.seed, "quota", task))
        over_ids = {id(s) for s in over}
        for s in over:
            s.reject("mix_task_quota", "mix_task_quota", params={"task": task, "per_codegen": per_codegen}, stage="mix")
        kept = [s for s in kept if id(s) not in over_ids]
        created = [s for s in created if id(s) not in over_ids]
        rejected += over

    # 4. cap
    final = sorted(kept + created, key=lambda s: s.id)
    if cfg.max_samples is not None and len(final) > cfg.max_samples:
        final, over = _take(final, cfg.max_samples, _rng(ctx.seed, "max"))
        for s in over:
            s.reject("mix_max_samples", "mix_max_samples", params={"max_samples": cfg.max_samples}, stage="mix")
        # a repeat created here and then capped is still a created record, so it leaves as a reject
        rejected += over

    # 5. shuffle and split
    if cfg.shuffle:
        _rng(ctx.seed, "shuffle").shuffle(final)
    n_val = round(cfg.validation_fraction * len(final))
    if cfg.validation_fraction > 0 and n_val == 0 and len(final) >= 2:
        n_val = 1
    for i, s in enumerate(final):
        s.meta["split"] = "validation" if i < n_val else "train"

    total = len(final)
    ctx.stats.update(stats)
    ctx.stats["composition"] = {
        "by_task": dict(Counter(s.task for s in final)),
        "by_source": dict(Counter(s.source for s in final)),
    }
    ctx.stats["alchemist_share"] = round(sum(1 for s in final if is_alchemist(s)) / total, 4) if total else 0.0
    ctx.progress(len(samples))
    return final + sorted(rejected, key=lambda s: s.id) + incoming_rejected


# -- the config the stage reads -----------------------------------------------------------------------


def mix_section(cfg: Any) -> MixConfig:
    """The config the mix stage reads: ``mix``, with its comprehension-task quotas taken from
    ``comprehend.ratios`` unless ``mix.task_quotas`` is set (so a changed ratio reruns the mix)."""
    if cfg.mix.task_quotas is None:
        return cfg.mix.model_copy(update={"task_quotas": cfg.comprehend.ratios.model_dump()})
    return cfg.mix

