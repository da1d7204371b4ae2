"""A stage's steps over samples cut in shards, on a process pool of two workers: what the pipeline does
between two stages, without the rest of a run (tests compare it with the stage over one list)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alchemistcoder.io import read_samples, write_samples
from alchemistcoder.records import Sample
from alchemistcoder.stage import MapStep, ReduceStep, StageContext


def run_on_shards(stage: str, steps: list[MapStep | ReduceStep], samples: list[Sample], section: Any, tmp_path: Path,
                  shard_size: int = 60, seed: int = 0) -> tuple[list[Sample], list[Sample], dict[str, Any]]:
    """(kept samples, rejected samples, per-step figures) of ``steps`` over ``samples`` in shards of ``shard_size``;
    kept and rejected each in shard order."""
    from alchemistcoder.config import RunSettings
    from alchemistcoder.pipeline.executors import make_executor
    from alchemistcoder.pipeline.steps import plan_shards, run_steps

    write_samples(tmp_path / "in.jsonl", samples)
    executor = make_executor(RunSettings(executor="local", workers=2))
    try:
        result = run_steps(stage, steps, section, StageContext(run_dir=tmp_path, stage=stage, seed=seed),
                           plan_shards([(tmp_path / "in.jsonl", len(samples))], shard_size), tmp_path / "stage",
                           executor, lambda n: None)
    finally:
        executor.close()
    kept = [s for p in sorted((tmp_path / "stage").glob("shard-*.jsonl.gz")) for s in read_samples(p)]
    rejected = [s for p in sorted((tmp_path / "stage").glob("rejected-*.jsonl.gz")) for s in read_samples(p)]
    return kept, rejected, result.steps
