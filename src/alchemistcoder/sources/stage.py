"""The ingest stage: every configured source → Samples (``alchemistcoder.sources.ingest``)."""

from __future__ import annotations

from typing import Any

from alchemistcoder.records import Sample
from alchemistcoder.sources.config import IngestConfig, SourceConfig
from alchemistcoder.stage import StageContext


def run_ingest(sources: list[SourceConfig], cfg: IngestConfig, ctx: StageContext) -> list[Sample]:
    """The ingest stage (a ``source`` stage: it receives ``cfg.sources``, not samples).

    Records that are not samples at all (malformed JSON, missing fields) cannot travel as Samples; with
    ``on_error: quarantine`` they are written to ``quarantine.jsonl`` in the stage directory and counted in
    the manifest's stats.
    """
    from alchemistcoder.io import write_jsonl
    from alchemistcoder.sources.ingest import ingest_sources

    result = ingest_sources(sources, cfg)
    if result.rejects and ctx.stage_dir is not None:
        write_jsonl(ctx.stage_dir / "quarantine.jsonl", result.rejects)
    ctx.stats["sources"] = {name: c.to_dict() for name, c in result.counts.items()}
    ctx.stats["quarantined"] = len(result.rejects)
    ctx.progress(len(result.samples))
    return result.samples


def sources_config_hashes(cfg: Any) -> list[str]:
    """What ingest depends on besides its section: the config of every source."""
    from alchemistcoder.config import config_hash

    return [config_hash(s) for s in cfg.sources]
