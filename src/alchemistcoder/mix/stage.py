"""The mix stage: ratios per source and task, the AlchemistPrompt share, comprehension quotas, shuffle, split.

It never drops a record: a sample left out of the mix leaves with a reject event (``mix_downsampled``,
``mix_alchemist_share``, ``mix_task_quota`` or ``mix_max_samples``), a repeated one is a new sample with a
``create`` event. Kept samples carry ``meta["split"]`` (``train`` / ``validation``) and their place in the
shuffled mix, ``meta["mix_position"]``. The export of the result is ``mix/export.py``.

Every draw depends on ids, sources and tasks only, so the stage is three steps (:func:`mix_steps`): ``keys``
(each kept sample's id, source and task) per shard; ``draw`` (:func:`plan_mix`: every ratio, share, quota,
cap, the shuffle and the split, over the keys) on the driver; ``apply`` (the fates, the repeats; each
shard's kept samples in mix order) per shard. :func:`run_mix` runs the same steps over one list.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from alchemistcoder.mix.config import MixConfig
from alchemistcoder.pipeline.steps import run_steps_inline
from alchemistcoder.records import Sample
from alchemistcoder.stage import MapStep, ReduceStep, StageContext

POSITION = "mix_position"


def is_alchemist(sample: Sample | MixKey) -> bool:
    """Whether the sample's instruction carries an AlchemistPrompt (the harmonize stage sets task 'alchemist')."""
    return sample.task == "alchemist"


@dataclass(frozen=True, slots=True)  # one per kept sample in the driver's reduce: no __dict__ each
class MixKey:
    """A kept sample as the draw sees it (a repeat: ``parent`` and ``copy`` set)."""

    id: str
    source: str
    task: str
    parent: str | None = None
    copy: int = 0


# A record's fate: ("keep", position in the shuffled mix) or ("reject", op, reason, params)
Fate = tuple[Any, ...]


@dataclass
class MixPlan:
    """What the draw decided: each record's fate (originals and repeats), the repeats of each original, the
    size of the validation split, and the figures for the manifest."""

    fates: dict[str, Fate] = field(default_factory=dict)
    repeats: dict[str, list[int]] = field(default_factory=dict)
    n_val: int = 0
    stats: dict[str, Any] = field(default_factory=dict)


def _rng(seed: int, *key: str) -> random.Random:
    return random.Random(":".join([str(seed), *key]))


def _take(keys: list[MixKey], n: int, rng: random.Random) -> tuple[list[MixKey], list[MixKey]]:
    """A seeded choice of ``n`` keys (order-independent: sorted by id first); returns (chosen, rest)."""
    ordered = sorted(keys, key=lambda k: k.id)
    chosen_idx = set(rng.sample(range(len(ordered)), min(n, len(ordered))))
    chosen = [k for i, k in enumerate(ordered) if i in chosen_idx]
    rest = [k for i, k in enumerate(ordered) if i not in chosen_idx]
    return chosen, rest


def _repeat(key: MixKey, k: int) -> MixKey:
    return MixKey(f"{key.id}-r{k}", key.source, key.task, parent=key.id, copy=k)


def apply_weight(group: list[MixKey], weight: float, rng: random.Random, by: dict[str, Any],
                 plan: MixPlan) -> tuple[list[MixKey], list[MixKey]]:
    """Apply a ratio to one group: returns (kept, created repeats); the left-out ones are rejected in ``plan``."""
    whole = math.floor(weight)
    frac = weight - whole
    if whole < 1:
        kept, rejected = _take(group, round(frac * len(group)), rng)
        for k in rejected:
            plan.fates[k.id] = ("reject", "mix_ratio", "mix_downsampled", {**by, "ratio": weight})
        return kept, []
    created = [_repeat(k, c) for c in range(1, whole) for k in group]
    extra, _ = _take(group, round(frac * len(group)), rng)
    created += [_repeat(k, whole) for k in extra]
    return list(group), created


def plan_mix(keys: list[MixKey], cfg: MixConfig, seed: int) -> MixPlan:
    """Every decision of the mix over the kept samples' keys (see the module docstring)."""
    plan = MixPlan()
    alchemist = [k for k in keys if is_alchemist(k)]
    others = [k for k in keys if not is_alchemist(k)]
    kept: list[MixKey] = []
    created: list[MixKey] = []

    # 1. source x task weights (the alchemist share is decided below when alchemist_fraction is set)
    groups: dict[tuple[str, str], list[MixKey]] = defaultdict(list)
    for k in others + ([] if cfg.alchemist_fraction is not None else alchemist):
        groups[(k.source, k.task)].append(k)
    for (source, task), group in sorted(groups.items()):
        weight = cfg.source_ratios.get(source, 1.0) * cfg.task_ratios.get(task, 1.0)
        k, c = apply_weight(group, weight, _rng(seed, "ratio", source, task), {"source": source, "task": task}, plan)
        kept += k
        created += c

    # 2. the AlchemistPrompt share of the code-generation data: alchemist / (codegen + alchemist) = f. The same
    # arithmetic serves both harmonize modes, since an AlchemistPrompt sample is never counted as codegen: in
    # 'add' mode it is a copy beside its original, in 'replace' mode the original itself.
    if cfg.alchemist_fraction is not None:
        codegen = sum(1 for k in kept + created if k.task == "codegen")
        f = cfg.alchemist_fraction
        target = round(f * codegen / (1 - f))
        chosen, rest = _take(alchemist, target, _rng(seed, "alchemist"))
        for k in rest:
            plan.fates[k.id] = ("reject", "mix_alchemist_share", "mix_alchemist_share", {"fraction": f})
        kept += chosen
        plan.stats.update(alchemist_target=target, alchemist_available=len(alchemist),
                          alchemist_shortfall=max(0, target - len(alchemist)))

    # 3. comprehension-task quotas, relative to the codegen samples in the mix
    for task, per_codegen in sorted((cfg.task_quotas or {}).items()):
        n_codegen = sum(1 for k in kept + created if k.task == "codegen")
        quota = round(per_codegen * n_codegen)
        pool_t = [k for k in kept + created if k.task == task]
        if len(pool_t) <= quota:
            plan.stats.setdefault("task_quota_shortfall", {})[task] = quota - len(pool_t)
            continue
        _chosen, over = _take(pool_t, quota, _rng(seed, "quota", task))
        over_ids = {k.id for k in over}
        for k in over:
            plan.fates[k.id] = ("reject", "mix_task_quota", "mix_task_quota", {"task": task, "per_codegen": per_codegen})
        kept = [k for k in kept if k.id not in over_ids]
        created = [k for k in created if k.id not in over_ids]

    # 4. cap (a repeat capped here is still a created record, so it leaves as a reject)
    final = sorted(kept + created, key=lambda k: k.id)
    if cfg.max_samples is not None and len(final) > cfg.max_samples:
        final, over = _take(final, cfg.max_samples, _rng(seed, "max"))
        for k in over:
            plan.fates[k.id] = ("reject", "mix_max_samples", "mix_max_samples", {"max_samples": cfg.max_samples})

    # 5. shuffle and split
    if cfg.shuffle:
        _rng(seed, "shuffle").shuffle(final)
    n_val = round(cfg.validation_fraction * len(final))
    if cfg.validation_fraction > 0 and n_val == 0 and len(final) >= 2:
        n_val = 1
    plan.n_val = n_val
    for position, k in enumerate(final):
        plan.fates[k.id] = ("keep", position)
    for k in created:  # each one was kept or rejected above
        if k.parent is not None:
            plan.repeats.setdefault(k.parent, []).append(k.copy)

    total = len(final)
    plan.stats["composition"] = {
        "by_task": dict(Counter(k.task for k in final)),
        "by_source": dict(Counter(k.source for k in final)),
    }
    plan.stats["alchemist_share"] = round(sum(1 for k in final if is_alchemist(k)) / total, 4) if total else 0.0
    return plan


# -- the steps --------------------------------------------------------------------------------------------


def mix_keys(samples: list[Sample], cfg: MixConfig, ctx: StageContext) -> list[MixKey]:
    """Map (keys only): the shard's kept samples."""
    return [MixKey(s.id, s.source, s.task) for s in samples if not s.rejected]


def draw_step(keys: list[list[MixKey]], cfg: MixConfig, ctx: StageContext) -> list[dict[str, Any]]:
    """Reduce: :func:`plan_mix` over every shard's keys; per shard the fates of its records and repeats."""
    plan = plan_mix([k for shard in keys for k in shard], cfg, ctx.seed)
    ctx.stats.update(plan.stats)
    out = []
    for shard in keys:
        repeats = {k.id: plan.repeats[k.id] for k in shard if k.id in plan.repeats}
        ids = [k.id for k in shard] + [f"{i}-r{c}" for i, copies in repeats.items() for c in copies]
        out.append({"fates": {i: plan.fates[i] for i in ids if i in plan.fates}, "repeats": repeats,
                    "n_val": plan.n_val})
    return out


def _repeat_sample(sample: Sample, k: int, stage: str) -> Sample:
    copy = sample.copy()
    copy.id = f"{sample.id}-r{k}"
    copy.record("mix_repeat", "create", params={"parents": [sample.id], "copy": k}, stage=stage)
    return copy


def apply_shard(samples: list[Sample], cfg: MixConfig, ctx: StageContext) -> list[Sample]:
    """Map: the shard's fates (a kept record gets its split and place, a left-out one its reject event) and
    repeats; returns the kept records in mix order, then the rejected ones by id, then those that came rejected."""
    decision = ctx.decisions["draw"]
    fates, n_val = decision["fates"], decision["n_val"]
    kept: list[Sample] = []
    rejected: list[Sample] = []
    incoming = [s for s in samples if s.rejected]
    for s in samples:
        if s.rejected:
            continue
        # repeats are copies of the sample as it arrived, before its own fate
        for record in [*(_repeat_sample(s, c, ctx.stage) for c in decision["repeats"].get(s.id, [])), s]:
            fate = fates[record.id]
            if fate[0] == "keep":
                record.meta["split"] = "validation" if fate[1] < n_val else "train"
                record.meta[POSITION] = fate[1]
                kept.append(record)
            else:
                _, op, reason, params = fate
                record.reject(op, reason, params=params, stage=ctx.stage)
                rejected.append(record)
    ctx.progress(len(samples))
    kept.sort(key=lambda s: s.meta[POSITION])
    return kept + sorted(rejected, key=lambda s: s.id) + incoming


def mix_steps(cfg: MixConfig) -> list[MapStep | ReduceStep]:
    """The stage's steps (see the module docstring)."""
    return [MapStep("keys", keys=mix_keys), ReduceStep("draw", draw_step), MapStep("apply", apply_shard)]


def run_mix(samples: list[Sample], cfg: MixConfig, ctx: StageContext) -> list[Sample]:
    """Select the final mix from ``samples`` under ``cfg`` and mark the train/validation split (over one list)."""
    return run_steps_inline(mix_steps(cfg), samples, cfg, ctx)


# -- the config the stage reads -----------------------------------------------------------------------


def mix_section(cfg: Any) -> MixConfig:
    """The config the mix stage reads: ``mix``, with its comprehension-task quotas taken from
    ``comprehend.ratios`` unless ``mix.task_quotas`` is set (so a changed ratio reruns the mix)."""
    if cfg.mix.task_quotas is None:
        return cfg.mix.model_copy(update={"task_quotas": cfg.comprehend.ratios.model_dump()})
    return cfg.mix

