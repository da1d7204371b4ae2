"""The ingest stage: every configured source → Samples (``alchemistcoder.ingest.ingest``), and what makes its
result reusable, which its spec declares (``pipeline/stages.py``): the source files' content
(:func:`sources_fingerprint`, its input fingerprint) and the sources' config (:func:`sources_config_hashes`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from alchemistcoder.ingest.config import IngestConfig, SourceConfig
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext


def run_ingest(sources: list[SourceConfig], cfg: IngestConfig, ctx: StageContext) -> Iterator[Sample]:
    """The ingest stage (a ``source`` stage: it receives ``cfg.sources``, not samples): the samples of every
    source as they are read, so that the run loop writes them to shards as they come.

    Records that are not samples at all (malformed JSON, missing fields) cannot travel as Samples; with
    ``on_error: quarantine`` they are written to ``quarantine.jsonl`` in the stage directory and counted in
    the manifest's stats once every source is read.
    """
    from alchemistcoder.ingest.ingest import IngestResult, iter_sources
    from alchemistcoder.io import write_jsonl

    result = IngestResult([], [], {})
    for n, sample in enumerate(iter_sources(sources, cfg, result, stage=ctx.stage), 1):
        if n % 1000 == 0:
            ctx.progress(1000)
        yield sample
    ctx.progress(sum(c.kept for c in result.counts.values()) % 1000)
    if result.rejects and ctx.stage_dir is not None:
        write_jsonl(ctx.stage_dir / "quarantine.jsonl", result.rejects)
    ctx.stats["sources"] = {name: c.to_dict() for name, c in result.counts.items()}
    ctx.stats["quarantined"] = len(result.rejects)


def sources_config_hashes(cfg: Any) -> list[str]:
    """What ingest depends on besides its section: the config of every source."""
    from alchemistcoder.strict import config_hash

    return [config_hash(s) for s in cfg.sources]


def sources_fingerprint(cfg: Any) -> str:
    """Input fingerprint of ingest: the content of every local source file (hub names hash as names)."""
    from alchemistcoder.ingest.paths import resolve_source_path
    from alchemistcoder.pipeline.fingerprints import file_content_hash, hash_strings

    parts = []
    for src in cfg.sources:
        where = resolve_source_path(src.path, src.base_dir)
        parts.append(f"{src.name}:{file_content_hash(where.local) if where.local else 'hub:' + src.path}")
    return hash_strings(parts)
