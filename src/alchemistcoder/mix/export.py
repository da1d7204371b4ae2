"""The export of the mix: messages JSONL (``{"messages": [...]}`` rows, what the train stage reads), Parquet,
a Hugging Face dataset on disk, optionally the hub, and a data card."""

from __future__ import annotations

import heapq
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.io import atomic_open, atomic_path
from alchemistcoder.mix.config import MixConfig
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext


def chat_of(sample: Sample, system_prompt: str | None) -> list[dict[str, str]]:
    """The exported chat: the sample's messages, with the configured system prompt when it has none."""
    messages = [{"role": m["role"], "content": m.get("content") or ""} for m in sample.messages]
    if system_prompt and not any(m["role"] == "system" for m in messages):
        messages.insert(0, {"role": "system", "content": system_prompt})
    return messages


SPLITS = ("train", "validation")
PARQUET_BATCH = 2048  # rows per Parquet row group written; bounds what the export holds


def _parquet_schema(tests: bool = False) -> Any:
    import pyarrow as pa

    message = pa.struct([("role", pa.string()), ("content", pa.string())])
    fields = [("id", pa.string()), ("source", pa.string()), ("task", pa.string()), ("messages", pa.list_(message))]
    if tests:
        fields.append(("tests", pa.list_(pa.string())))
    return pa.schema(fields)


def tests_of(sample: Sample) -> list[str]:
    """The sample's assert-style tests (from its source, or written and checked by the verify stage)."""
    return [t for t in sample.meta.get("tests") or [] if isinstance(t, str)]


@dataclass
class _SplitWriter:
    """One split's files, written as the samples stream by: JSONL rows and Parquet row groups."""

    jsonl: Any = None
    parquet: Any = None
    rows: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0
    tests: bool = False  # a tests column beside the messages (mix.export_tests)

    def add(self, sample: Sample, messages: list[dict[str, str]]) -> None:
        self.count += 1
        extra = {"tests": tests_of(sample)} if self.tests else {}
        if self.jsonl is not None:
            self.jsonl.write(orjson.dumps({"messages": messages, **extra}, option=orjson.OPT_APPEND_NEWLINE))
        if self.parquet is not None:
            self.rows.append({"id": sample.id, "source": sample.source, "task": sample.task, "messages": messages,
                              **extra})
            if len(self.rows) >= PARQUET_BATCH:
                self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        if self.parquet is not None and self.rows:
            self.parquet.write_table(pa.Table.from_pylist(self.rows, schema=_parquet_schema(self.tests)))
        self.rows = []


@dataclass
class CardCounts:
    """What the data card says about the kept samples, counted as they stream by."""

    by_task: Counter[str] = field(default_factory=Counter)
    by_source: Counter[str] = field(default_factory=Counter)
    table: Counter[tuple[str, str]] = field(default_factory=Counter)
    ops: Counter[tuple[str, str]] = field(default_factory=Counter)
    splits: dict[str, int] = field(default_factory=dict)

    def add(self, sample: Sample) -> None:
        self.by_task[sample.task] += 1
        self.by_source[sample.source] += 1
        self.table[(sample.source, sample.task)] += 1
        self.ops.update((e.op, e.verdict) for e in sample.trace)


def _save_hf(directory: Path, parquet: dict[str, Path], cfg: MixConfig) -> str | None:
    """The splits' Parquet files as a Hugging Face dataset on disk, pushed to the hub when ``cfg.hub_repo`` is
    set (returns what happened to the push). A child process does it, so the driver neither imports
    ``datasets`` nor maps the dataset's pages."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(write_hf, str(directory), {k: str(v) for k, v in parquet.items()}, cfg.hub_repo,
                           cfg.hub_private, cfg.hub_token_env).result()


def write_hf(directory: str, parquet: dict[str, str], hub_repo: str | None = None, hub_private: bool = True,
             hub_token_env: str = "HF_TOKEN") -> str | None:
    """Write the HF dataset (see :func:`_save_hf`). ``Dataset.from_parquet`` converts each file to an Arrow
    file in batches and memory-maps it, so no split is held in memory; its cache is a folder beside the
    dataset, removed afterwards. The token is read from the environment here, never passed around."""
    import shutil

    import datasets

    datasets.disable_progress_bars()
    target = Path(directory)
    cache = target.with_name(f".{target.name}.cache")
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        dd = datasets.DatasetDict({name: datasets.Dataset.from_parquet(path, cache_dir=str(cache))
                                   for name, path in parquet.items()})
        dd.save_to_disk(str(tmp))
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    if not hub_repo:
        return None
    return _push(datasets.load_from_disk(str(target)), hub_repo, hub_private, hub_token_env)


def export_mix(
    outputs: Iterable[Sample], run_cfg: Any, out_dir: Path, console: Any = None, stages: list[str] | None = None
) -> dict[str, Any]:
    """Write the kept samples of ``outputs``, in their order, as the final data set; returns paths and counts
    for the manifest. JSONL and Parquet are written as the samples stream by (nothing is held but a Parquet
    row group); the Hugging Face dataset is made from the Parquet files afterwards, by a child process.

    ``stages``: the stages whose manifests the data card lists (default: every stage directory of the run).
    """
    import pyarrow.parquet as pq

    cfg: MixConfig = run_cfg.mix
    out_dir.mkdir(parents=True, exist_ok=True)
    want_hf = "hf" in cfg.formats or bool(cfg.hub_repo)
    # the HF dataset is made from Parquet: written beside the export when Parquet is not one of the formats
    parquet = {name: out_dir / (f"{name}.parquet" if "parquet" in cfg.formats else f".{name}.hf.parquet")
               for name in SPLITS} if "parquet" in cfg.formats or want_hf else {}
    counts = CardCounts()
    info: dict[str, Any] = {"dir": str(out_dir)}
    with ExitStack() as stack:
        writers = {name: _SplitWriter(tests=cfg.export_tests) for name in SPLITS}
        for name, w in writers.items():
            if "jsonl" in cfg.formats:
                w.jsonl = stack.enter_context(atomic_open(out_dir / f"{name}.jsonl", "wb"))
                info[f"{name}_jsonl"] = str(out_dir / f"{name}.jsonl")
            if parquet:
                tmp = stack.enter_context(atomic_path(parquet[name]))
                w.parquet = stack.enter_context(pq.ParquetWriter(tmp, _parquet_schema(cfg.export_tests),
                                                                 compression="zstd"))
        for s in outputs:
            if s.rejected:
                continue
            split = "validation" if s.meta.get("split") == "validation" else "train"
            writers[split].add(s, chat_of(s, cfg.system_prompt))
            counts.add(s)
        for w in writers.values():
            w.flush()
        counts.splits = {name: w.count for name, w in writers.items()}
    info["counts"] = dict(counts.splits)
    if "parquet" in cfg.formats:
        info["parquet"] = [str(out_dir / f"{n}.parquet") for n in SPLITS]
    if want_hf:
        hub = _save_hf(out_dir / "hf", parquet, cfg)
        info["hf"] = str(out_dir / "hf")
        if "parquet" not in cfg.formats:
            for path in parquet.values():
                path.unlink(missing_ok=True)
        if hub is not None:
            info["hub"] = hub
            if console is not None:
                console.print(f"mix: hub {hub}")
    card = data_card(counts, run_cfg, out_dir.parent, stages)
    with atomic_open(out_dir / "README.md", "w") as fh:
        fh.write(card)
    info["card"] = str(out_dir / "README.md")
    return info


def _push(dd: Any, repo: str, private: bool, token_env: str) -> str:
    """Push to the hub when a token is set and the hub answers; otherwise say why not (never fail the run)."""
    token = os.environ.get(token_env)
    if not token:
        return f"not pushed: ${token_env} is not set"
    try:
        dd.push_to_hub(repo, private=private, token=token)
        return f"pushed to {repo}"
    except Exception as exc:  # offline, no permission: the local export stands
        return f"not pushed: {type(exc).__name__}"


def _stage_manifests(run_dir: Path) -> list[dict[str, Any]]:
    out = []
    for p in sorted(run_dir.glob("[0-9][0-9]_*/manifest.json")):
        out.append(orjson.loads(p.read_bytes()))
    return out


def data_card(counts: CardCounts, run_cfg: Any, run_dir: Path, stages: list[str] | None = None) -> str:
    """The data set's README.md: composition, sources, trace statistics and the config that made it."""
    import yaml

    by_task, by_source, table = counts.by_task, counts.by_source, counts.table
    n_kept = sum(by_task.values())
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
        f"{n_kept} chats ({counts.splits['train']} train, {counts.splits['validation']} validation), "
        f"built by `alchemist run` from {len(by_source)} instruction source(s): {by_task.get('alchemist', 0)} "
        "carry an AlchemistPrompt and "
        f"{sum(by_task.get(t, 0) for t in ('evolution', 'filtering', 'review', 'repair'))} are code-comprehension tasks "
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
    lines.append("| **total** | " + " | ".join(str(by_task[t]) for t in tasks) + f" | {n_kept} |")
    lines += ["", "## Sources", ""]
    for src in getattr(run_cfg, "sources", []):
        lines.append(f"- `{src.name}`: `{src.path}` (format {src.format})")
    lines += ["", "## Trace statistics", "", "Operations recorded on the samples in this mix:", ""]
    ops = counts.ops
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


def mix_order(stage_dir: Path) -> Iterator[Sample]:
    """The kept samples of a mix stage's shards in mix order: each shard holds its own in that order, so the
    shards are merged (one sample per shard held at a time). Samples without a place (a mix function of
    ``run.stage_functions`` that sets none) keep the shards' order."""
    from alchemistcoder.io import read_jsonl
    from alchemistcoder.mix.stage import POSITION

    streams = [(Sample.from_dict(row) for row in read_jsonl(p)) for p in sorted(stage_dir.glob("shard-*.jsonl.gz"))]
    return heapq.merge(*streams, key=lambda s: s.meta.get(POSITION, 0))


def export_stage(stage_dir: Path, cfg: Any, ctx: StageContext, stages: list[str]) -> dict[str, Any]:
    """The mix stage's ``after`` hook: export its kept samples, in mix order, to ``<run>/dataset`` (the
    manifest's ``export``)."""
    from rich.console import Console

    return export_mix(mix_order(stage_dir), cfg, ctx.run_dir / "dataset", console=Console(stderr=True), stages=stages)
