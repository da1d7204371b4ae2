"""A data stage on shards: its map steps on the executor, its reduce steps on the driver, resumable.

The driver never reads a Sample here. A shard's input is a list of row ranges of the stage's input files
(the upstream's kept shards, re-cut to ``run.shard_size``); a worker reads its rows, applies the map step,
writes the result next to the stage and returns a small done-record. Between steps the samples stay on
disk::

    <stage>/steps/00-score/part-00000.jsonl.gz   a map step's output of shard 0 (all samples, in order)
    <stage>/steps/00-score/keys-00000.pkl        its compact keys for the next reduce
    <stage>/steps/00-score/part-00000.done.json  shard 0 of this step is complete (written last)
    <stage>/steps/01-dedup_plan/decisions.pkl    a reduce step's decisions, one per shard
    <stage>/shard-00000.jsonl.gz ...             the last map step writes the stage's own shards

Every file is written atomically and a shard's done-record last, so after a ``kill -9`` an attempt with the
same fingerprints resumes: complete map shards and finished reduces are not redone. The ``steps``
directory is removed once the stage's manifest is written.

:func:`run_steps_inline` is the same interpreter over one list in this process, as one shard that never
touches the disk (the per-stage CLI verbs, a global run of a stepped stage, tests): a map step is
:func:`apply_map_step` and a reduce step :func:`apply_reduce_step` on both paths, so both check that each
map step returns every record it received and that the stage's counts balance.
"""

from __future__ import annotations

import pickle
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.io import read_jsonl
from alchemistcoder.pipeline.accounting import InputSnapshot, account, sum_accounts
from alchemistcoder.pipeline.shards import read_done, write_bytes, write_json, write_shard
from alchemistcoder.records import Sample
from alchemistcoder.stage import MapStep, ReduceStep, StageContext, check_steps, merge_stats, resolve_function

STEPS_DIR = "steps"
# (path, first row, end row) of one input file
Rows = tuple[str, int, int]


def plan_shards(files: list[tuple[Path, int]], size: int) -> list[list[Rows]]:
    """Cut the concatenation of ``files`` (path, row count) into shards of ``size`` rows (at least one shard)."""
    size = max(1, size)
    shards: list[list[Rows]] = [[]]
    room = size
    for path, count in files:
        start = 0
        while start < count:
            if room == 0:
                shards.append([])
                room = size
            take = min(room, count - start)
            shards[-1].append((str(path), start, start + take))
            start += take
            room -= take
    return shards


def read_rows(rows: list[Rows]) -> list[Sample]:
    """The samples of a shard's row ranges, in order."""
    out: list[Sample] = []
    for path, start, end in rows:
        for i, row in enumerate(read_jsonl(Path(path))):
            if i >= end:
                break
            if i >= start:
                out.append(Sample.from_dict(row))
    return out


_SUFFIX = {"part": "part-{:05d}.jsonl.gz", "keys": "keys-{:05d}.pkl", "done": "part-{:05d}.done.json"}


def _part(step_dir: Path, index: int, what: str) -> Path:
    """A map step's file of shard ``index``: its samples (``part``), its ``keys`` or its ``done``-record."""
    return step_dir / _SUFFIX[what].format(index)


def apply_map_step(stage: str, step: MapStep, samples: list[Sample], section: Any, ctx: StageContext,
                   ) -> tuple[list[Sample], Any, dict[str, Any] | None]:
    """One map step on one shard's samples: its function, checked by the stage's accounting (no record
    dropped; raises :class:`~alchemistcoder.stage.PipelineError`), then its keys.

    Returns the samples, the keys (None without ``keys``) and the accounting (None without ``fn``).
    """
    accounting = None
    if step.fn is not None:
        before = InputSnapshot.of(samples)  # before the step: stages mark their input samples in place
        samples = list(resolve_function(step.fn)(samples, section, ctx))
        accounting = account(stage, before, samples)
    keys = resolve_function(step.keys)(samples, section, ctx) if step.keys is not None else None
    return samples, keys, accounting


def apply_reduce_step(step: ReduceStep, keys: list[Any], section: Any, ctx: StageContext) -> list[Any]:
    """One reduce step over every shard's keys: one decision per shard, in shard order."""
    out = list(resolve_function(step.fn)(keys, section, ctx))
    if len(out) != len(keys):
        raise ValueError(f"reduce step {step.name!r} returned {len(out)} decisions for {len(keys)} shards")
    return out


def run_steps_inline(steps: list[MapStep | ReduceStep], samples: list[Sample], section: Any,
                     ctx: StageContext) -> list[Sample]:
    """Run a stage's steps over ``samples`` as one shard in this process: the whole-list form of a stepped
    stage. The steps see ``ctx`` itself (its client; their figures go straight into its stats); each map step
    and the stage as a whole are accounted as on the executor (:class:`PipelineError` when counts do not
    balance)."""
    check_steps(ctx.stage, steps)
    n_in = len(samples)
    decisions: dict[str, list[Any]] = {}
    changes: list[dict[str, Any]] = []
    keys: Any = None
    for step in steps:
        if isinstance(step, ReduceStep):
            decisions[step.name] = apply_reduce_step(step, [keys], section, replace(ctx, decisions=dict(decisions)))
            continue
        shard_decisions = {name: d[0] for name, d in decisions.items()}
        if step.skip_if is not None and resolve_function(step.skip_if)(shard_decisions):
            keys = None
            continue
        samples, keys, accounting = apply_map_step(ctx.stage, step, samples, section,
                                                   replace(ctx, decisions=shard_decisions))
        if accounting is not None:
            changes.append(accounting)
    sum_accounts(ctx.stage, n_in, changes, changes[-1:])  # check_steps: the last step has a function
    return samples


@dataclass(frozen=True)
class MapJob:
    """One map step of a stage, as a worker needs it (the same for every shard)."""

    stage: str
    step: MapStep
    section: Any
    ctx: StageContext
    out_dir: Path  # the step's directory, or the stage's own directory for the last step
    final: bool


def run_map_shard(job: MapJob, index: int, rows: list[Rows], decisions: dict[str, Any]) -> dict[str, Any]:
    """Run ``job``'s map step on one shard: read its rows, apply the step, write samples, keys and done-record.

    Returns the done-record: the step's accounting of the shard (in = out check), its stats and CPU seconds.
    """
    started, cpu = time.perf_counter(), time.process_time()
    ctx = replace(job.ctx, stats={}, decisions=decisions)
    info: dict[str, Any] = {"index": index}
    if job.step.skip_if is not None and resolve_function(job.step.skip_if)(decisions):
        write_bytes(_part(job.out_dir, index, "keys"), pickle.dumps(None))
        info.update(skipped=True, stats={}, cpu_s=0.0, seconds=round(time.perf_counter() - started, 4))
        write_json(_part(job.out_dir, index, "done"), info)
        return info
    samples, keys, accounting = apply_map_step(job.stage, job.step, read_rows(rows), job.section, ctx)
    if accounting is not None:
        info["accounting"] = accounting
    if job.step.keys is not None:
        write_bytes(_part(job.out_dir, index, "keys"), pickle.dumps(keys, protocol=pickle.HIGHEST_PROTOCOL))
    info.update(stats=ctx.stats, cpu_s=round(time.process_time() - cpu, 4),
                seconds=round(time.perf_counter() - started, 4))
    if job.final:
        return write_shard(job.out_dir, index, samples, info)
    if job.step.fn is not None:
        part = _part(job.out_dir, index, "part")
        write_bytes(part, b"".join(orjson.dumps(s.to_dict(), option=orjson.OPT_APPEND_NEWLINE) for s in samples))
        info["rows"] = [(str(part), 0, len(samples))]
    write_json(_part(job.out_dir, index, "done"), info)
    return info


@dataclass
class StepsResult:
    """What running a stage's steps produced: the last step's done-records by shard, and the figures."""

    dones: list[dict[str, Any]]
    changes: list[dict[str, Any]]  # every map step's accounting of every shard
    stats: dict[str, Any] = field(default_factory=dict)
    steps: dict[str, Any] = field(default_factory=dict)  # per step: where, seconds, cpu_s, shards resumed
    resumed: int = 0


def run_steps(
    stage: str,
    steps: list[MapStep | ReduceStep],
    section: Any,
    ctx: StageContext,
    shards: list[list[Rows]],
    directory: Path,
    executor: Any,
    advance: Callable[[int], None],
) -> StepsResult:
    """Run ``steps`` over ``shards`` (row ranges of the input) into ``directory``; see the module docstring.

    ``advance(n)`` is called with a shard's input size as the last map step finishes it.
    """
    result = StepsResult([], [])
    decisions: dict[str, list[Any]] = {}
    current = shards  # where each shard's samples are now
    keys_dir: Path | None = None
    wctx = ctx.for_worker()
    for position, step in enumerate(steps):
        final = position == len(steps) - 1
        step_dir = directory if final else directory / STEPS_DIR / f"{position:02d}-{step.name}"
        step_dir.mkdir(parents=True, exist_ok=True)
        started, cpu = time.perf_counter(), time.process_time()
        if isinstance(step, ReduceStep):
            figures = _reduce(step, section, ctx, step_dir, keys_dir, len(shards), decisions, result)
        else:
            job = MapJob(stage, step, section, wctx, step_dir, final)
            dones = _map(job, current, decisions, executor, advance if final else None)
            figures = {"where": "executor", "shards": len(dones),
                       "resumed": sum(1 for d in dones if d.get("resumed")),
                       "skipped": sum(1 for d in dones if d.get("skipped")),
                       "cpu_s": round(sum(d.get("cpu_s", 0.0) for d in dones), 3)}
            for d in dones:
                merge_stats(result.stats, d.get("stats") or {})
                if "accounting" in d:
                    result.changes.append(d["accounting"])
            if step.fn is not None:
                current = [d.get("rows", []) for d in dones]
            if step.keys is not None:
                keys_dir = step_dir
            if final:
                result.dones = dones
                result.resumed = figures["resumed"]
        figures["seconds"] = round(time.perf_counter() - started, 3)
        if figures["where"] == "driver":
            figures["cpu_s"] = round(time.process_time() - cpu, 3)
        result.steps[step.name] = figures
    return result


def _map(job: MapJob, inputs: list[list[Rows]], decisions: dict[str, list[Any]], executor: Any,
         advance: Callable[[int], None] | None) -> list[dict[str, Any]]:
    """One map step over every shard; shards with a done-record from an earlier attempt are not redone."""
    dones: dict[int, dict[str, Any]] = {}
    for i in range(len(inputs)):
        d = read_done(job.out_dir, i) if job.final else _read_part_done(job.out_dir, i)
        # a done-record without the step's accounting was written by an older version: redo the shard
        if d is not None and (job.step.fn is None or "accounting" in d):
            dones[i] = {**d, "resumed": True}
            if advance:
                advance(sum(e - s for _, s, e in inputs[i]))
    todo = [(i, (job, i, inputs[i], {name: d[i] for name, d in decisions.items()}))
            for i in range(len(inputs)) if i not in dones]
    if todo:
        for index, done in executor.run_tasks(run_map_shard, todo):
            dones[index] = done
            if advance:
                advance(sum(e - s for _, s, e in inputs[index]))
    return [dones[i] for i in range(len(inputs))]


def _read_part_done(step_dir: Path, index: int) -> dict[str, Any] | None:
    p = _part(step_dir, index, "done")
    return orjson.loads(p.read_bytes()) if p.exists() else None


def _reduce(step: ReduceStep, section: Any, ctx: StageContext, step_dir: Path, keys_dir: Path | None, n: int,
            decisions: dict[str, list[Any]], result: StepsResult) -> dict[str, Any]:
    """A reduce step on the driver over the previous map step's keys; its decisions are kept on disk."""
    path = step_dir / "decisions.pkl"
    if path.exists():
        decisions[step.name] = pickle.loads(path.read_bytes())
        return {"where": "driver", "resumed": True}
    assert keys_dir is not None  # check_steps: a reduce follows a map step with keys
    keys = [pickle.loads(_part(keys_dir, i, "keys").read_bytes()) for i in range(n)]
    rctx = replace(ctx, stats={}, decisions=dict(decisions))
    out = apply_reduce_step(step, keys, section, rctx)
    write_bytes(path, pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL))
    decisions[step.name] = out
    merge_stats(result.stats, rctx.stats)
    return {"where": "driver", "resumed": False}


def remove_steps(directory: Path) -> None:
    """Remove a finished stage's intermediate step files."""
    shutil.rmtree(directory / STEPS_DIR, ignore_errors=True)
