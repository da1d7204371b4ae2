"""The export of the mix: messages JSONL (``{"messages": [...]}`` rows, what the train stage reads), Parquet,
a Hugging Face dataset on disk, optionally the hub, and a data card."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.io import atomic_open, atomic_path, write_jsonl
from alchemistcoder.mix.config import MixConfig
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext


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


def export_stage(outputs: list[Sample], cfg: Any, ctx: StageContext, stages: list[str]) -> dict[str, Any]:
    """The mix stage's ``after`` hook: export its kept samples to ``<run>/dataset`` (the manifest's ``export``)."""
    from rich.console import Console

    return export_mix(outputs, cfg, ctx.run_dir / "dataset", console=Console(stderr=True), stages=stages)

