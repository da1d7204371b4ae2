"""The mix stage: ratios per source and task, the AlchemistPrompt share, shuffle, split, and export.

:func:`run_mix` is a global stage (it needs every sample to draw ratios); it never drops a record: a
sample left out of the mix leaves with a reject event (``mix_downsampled``, ``mix_alchemist_share``,
``mix_replaced_by_alchemist`` or ``mix_max_samples``), a repeated one is a new sample with a ``create``
event. Kept samples carry ``meta["split"]`` (``train`` / ``validation``). :func:`export_mix` then writes
the final data set: messages JSONL (``{"messages": [...]}`` rows, what the train stage reads), Parquet, a
Hugging Face dataset on disk, optionally the hub, and a data card.
"""

from __future__ import annotations

import math
import os
import random
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.io import atomic_open, atomic_path, write_jsonl
from alchemistcoder.mix_config import MixConfig
from alchemistcoder.records import TASKS, Sample
from alchemistcoder.stage import StageContext


def is_alchemist(sample: Sample) -> bool:
    """Whether the sample's instruction carries an AlchemistPrompt (the harmonize stage sets task 'alchemist')."""
    return sample.task == "alchemist"


def alchemist_parents(sample: Sample) -> list[str]:
    """Ids of the originals an AlchemistPrompt copy was made from (its ``create`` event's parents)."""
    for event in sample.trace:
        if event.verdict == "create":
            parents = event.params.get("parents") or event.params.get("parent")
            if isinstance(parents, str):
                return [parents]
            return list(parents or [])
    return []


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
    for task in [*cfg.task_ratios, *(cfg.task_quotas or {})]:
        if task not in TASKS:
            raise ValueError(f"mix.task_ratios: unknown task {task!r} (tasks: {', '.join(TASKS)})")
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

    # 2. the AlchemistPrompt share of the code-generation data
    stats: dict[str, Any] = {}
    if cfg.alchemist_fraction is not None:
        codegen = sum(1 for s in kept + created if s.task == "codegen")
        f = cfg.alchemist_fraction
        target = round(f * codegen) if cfg.alchemist_mode == "replace" else round(f * codegen / (1 - f))
        chosen, rest = _take(alchemist, target, _rng(ctx.seed, "alchemist"))
        for s in rest:
            s.reject("mix_alchemist_share", "mix_alchemist_share", params={"fraction": f}, stage="mix")
        kept += chosen
        rejected += rest
        stats["alchemist_target"] = target
        stats["alchemist_available"] = len(alchemist)
        stats["alchemist_shortfall"] = max(0, target - len(alchemist))
    if cfg.alchemist_mode == "replace":
        replaced = {p for s in kept if is_alchemist(s) for p in alchemist_parents(s)}
        still = []
        for s in kept:
            if s.id in replaced:
                s.reject("mix_alchemist_mode", "mix_replaced_by_alchemist", params={"mode": "replace"}, stage="mix")
                rejected.append(s)
            else:
                still.append(s)
        kept = still

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


# -- export ------------------------------------------------------------------------------------------


def chat_of(sample: Sample, system_prompt: str | None) -> list[dict[str, str]]:
    """The exported chat: the sample's messages, with the configured system prompt when it has none."""
    messages = [{"role": m["role"], "content": m.get("content") or ""} for m in sample.messages]
    if system_prompt and not any(m["role"] == "system" for m in messages):
        messages.insert(0, {"role": "system", "content": system_prompt})
    return messages


def _write_parquet(path: Path, rows: list[Sample], system_prompt: str | None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": [s.id for s in rows],
            "source": [s.source for s in rows],
            "task": [s.task for s in rows],
            "messages": [chat_of(s, system_prompt) for s in rows],
        }
    )
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp, compression="zstd")


def _save_hf(directory: Path, splits: dict[str, list[Sample]], system_prompt: str | None) -> Any:
    import shutil

    import datasets

    datasets.disable_progress_bars()
    dd = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_dict(
                {
                    "id": [s.id for s in rows],
                    "source": [s.source for s in rows],
                    "task": [s.task for s in rows],
                    "messages": [chat_of(s, system_prompt) for s in rows],
                }
            )
            for name, rows in splits.items()
        }
    )
    tmp = directory.with_name(f".{directory.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    dd.save_to_disk(str(tmp))
    shutil.rmtree(directory, ignore_errors=True)
    tmp.rename(directory)
    return dd


def export_mix(
    outputs: list[Sample], run_cfg: Any, out_dir: Path, console: Any = None, stages: list[str] | None = None
) -> dict[str, Any]:
    """Write the kept samples of the mix as the final data set; returns paths and counts for the manifest.

    ``stages``: the stages whose manifests the data card lists (default: every stage directory of the run).
    """
    cfg: MixConfig = run_cfg.mix
    out_dir.mkdir(parents=True, exist_ok=True)
    kept = [s for s in outputs if not s.rejected]
    splits = {
        "train": [s for s in kept if s.meta.get("split", "train") == "train"],
        "validation": [s for s in kept if s.meta.get("split") == "validation"],
    }
    info: dict[str, Any] = {"dir": str(out_dir), "counts": {k: len(v) for k, v in splits.items()}}
    if "jsonl" in cfg.formats:
        for name, rows in splits.items():
            path = out_dir / f"{name}.jsonl"
            write_jsonl(path, ({"messages": chat_of(s, cfg.system_prompt)} for s in rows))
            info[f"{name}_jsonl"] = str(path)
    if "parquet" in cfg.formats:
        for name, rows in splits.items():
            _write_parquet(out_dir / f"{name}.parquet", rows, cfg.system_prompt)
        info["parquet"] = [str(out_dir / f"{n}.parquet") for n in splits]
    if "hf" in cfg.formats or cfg.hub_repo:
        dd = _save_hf(out_dir / "hf", splits, cfg.system_prompt)
        info["hf"] = str(out_dir / "hf")
        if cfg.hub_repo:
            info["hub"] = _push(dd, cfg, console)
    card = data_card(kept, splits, run_cfg, out_dir.parent, stages)
    with atomic_open(out_dir / "README.md", "w") as fh:
        fh.write(card)
    info["card"] = str(out_dir / "README.md")
    return info


def _push(dd: Any, cfg: MixConfig, console: Any) -> str:
    """Push to the hub when a token is set and the hub answers; otherwise say why not (never fail the run)."""
    token = os.environ.get(cfg.hub_token_env)
    if not token:
        msg = f"not pushed: ${cfg.hub_token_env} is not set"
    else:
        try:
            dd.push_to_hub(cfg.hub_repo, private=cfg.hub_private, token=token)
            msg = f"pushed to {cfg.hub_repo}"
        except Exception as exc:  # offline, no permission: the local export stands
            msg = f"not pushed: {type(exc).__name__}"
    if console is not None:
        console.print(f"mix: hub {msg}")
    return msg


def _stage_manifests(run_dir: Path) -> list[dict[str, Any]]:
    out = []
    for p in sorted(run_dir.glob("[0-9][0-9]_*/manifest.json")):
        out.append(orjson.loads(p.read_bytes()))
    return out


def data_card(
    kept: list[Sample], splits: dict[str, list[Sample]], run_cfg: Any, run_dir: Path, stages: list[str] | None = None
) -> str:
    """The data set's README.md: composition, sources, trace statistics and the config that made it."""
    import yaml

    by_task = Counter(s.task for s in kept)
    by_source = Counter(s.source for s in kept)
    table = Counter((s.source, s.task) for s in kept)
    tasks = sorted(by_task)
    lines = [
        "---",
        "language: [en]",
        "task_categories: [text-generation]",
        "tags: [code, instruction-tuning, alchemistcoder]",
        "---",
        "",
        "# AlchemistCoder-style code instruction mix",
        "",
        f"{len(kept)} chats ({len(splits['train'])} train, {len(splits['validation'])} validation), "
        f"built by `alchemist run` from {len(by_source)} instruction source(s): {by_task.get('alchemist', 0)} "
        "carry an AlchemistPrompt and "
        f"{sum(by_task.get(t, 0) for t in ('evolution', 'filtering', 'review'))} are code-comprehension tasks "
        "made from the pipeline's own trace.",
        "",
        "Files: `train.jsonl` / `validation.jsonl` (`{\"messages\": [...]}` rows), `*.parquet`, `hf/` "
        "(`datasets.load_from_disk`).",
        "",
        "## Composition",
        "",
        "| source | " + " | ".join(tasks) + " | total |",
        "|---|" + "---|" * (len(tasks) + 1),
    ]
    for source in sorted(by_source):
        cells = [str(table.get((source, t), 0)) for t in tasks]
        lines.append(f"| {source} | " + " | ".join(cells) + f" | {by_source[source]} |")
    lines.append("| **total** | " + " | ".join(str(by_task[t]) for t in tasks) + f" | {len(kept)} |")
    lines += ["", "## Sources", ""]
    for src in getattr(run_cfg, "sources", []):
        lines.append(f"- `{src.name}`: `{src.path}` (format {src.format})")
    lines += ["", "## Trace statistics", "", "Operations recorded on the samples in this mix:", ""]
    ops = Counter((e.op, e.verdict) for s in kept for e in s.trace)
    lines += ["| op | verdict | events |", "|---|---|---|"]
    lines += [f"| {op} | {verdict} | {n} |" for (op, verdict), n in sorted(ops.items())]
    lines += ["", "Records removed on the way (every stage keeps its rejects with their reason):", ""]
    lines += ["| stage | in | kept | rejected here | top reasons |", "|---|---|---|---|---|"]
    for m in _stage_manifests(run_dir):
        if "counts" not in m or (stages is not None and m["stage"] not in stages):
            continue
        c = m["counts"]
        top = ", ".join(f"{r} {n}" for r, n in Counter(m.get("rejects_by_reason", {})).most_common(4))
        lines.append(f"| {m['stage']} | {c['in']} | {c['kept']} | {c['rejected_here']} | {top} |")
    config_yaml = yaml.safe_dump(run_cfg.model_dump(mode="json"), sort_keys=False)
    lines += ["", "## The config that made it", "", "```yaml", config_yaml.rstrip(), "```", ""]
    return "\n".join(lines)
