"""The run loop: stages in order, shards and a manifest per stage, skip-if-unchanged and resume.

It knows stages only through their :class:`~alchemistcoder.stage.StageSpec` (kind, function, section,
hooks); the list itself is in ``pipeline/stages.py``. A run directory looks like::

    <run>/run.json                          what this invocation did with each stage
    <run>/01_ingest/shard-00000.jsonl.gz    kept samples of shard 0
    <run>/01_ingest/rejected-00000.jsonl.gz rejected samples of shard 0
    <run>/01_ingest/shard-00000.done.json   shard 0 is complete (counts, content hashes, stats)
    <run>/01_ingest/manifest.json           the stage is complete (fingerprints, counts, rejects, timings)
    ...
    <run>/dataset/                          the exported mix (JSONL, Parquet, HF dataset, data card)
    <run>/report.html

What flows from one stage to the next is what the specs declare (``StageSpec.consumes`` and
``produces``): sample stages (``source``, ``data``, ``global``) hand on shard references (path, content
hash, count; kept, and the rejected ones of every stage since the last that consumed them); a stage
that declares a :class:`~alchemistcoder.stage.Product` hands on its path and fingerprint by name (the
mix's ``train_file``, train's ``checkpoint``). Shard files, fingerprints and the record accounting live in
their own modules beside this one.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from itertools import islice
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.config import RunConfig
from alchemistcoder.llm.backends import release_models
from alchemistcoder.pipeline.accounting import InputSnapshot, account, sum_accounts
from alchemistcoder.pipeline.fingerprints import ProductRef, input_fingerprint, product_ref, stage_config_hash
from alchemistcoder.pipeline.shards import (
    MANIFEST,
    PROGRESS,
    ShardRef,
    chunk,
    load_manifest,
    outputs_of,
    read_shards,
    shard_refs,
    stage_dir,
    write_bytes,
    write_json,
    write_shard,
)
from alchemistcoder.pipeline.stages import DEFAULT_STAGES, FINISH
from alchemistcoder.pipeline.steps import plan_shards, remove_steps, run_steps
from alchemistcoder.records import Sample
from alchemistcoder.stage import (
    REJECTED,
    SAMPLES,
    PipelineError,
    StageContext,
    StageSpec,
    merge_stats,
    resolve_function,
)


@dataclass
class StageOutcome:
    """What happened to one stage in this invocation."""

    name: str
    status: str  # ran | resumed | skipped (unchanged) | reused (--only) | disabled | not_run
    dir: Path | None
    manifest: dict[str, Any] | None = None


@dataclass
class _Flow:
    """What earlier stages handed on: shard references (the last sample stage's kept shards, and the
    rejected shards of every stage since the last one that consumed them) and products by name."""

    shards: list[ShardRef] = field(default_factory=list)
    products: dict[str, ProductRef] = field(default_factory=dict)

    def shards_for(self, spec: StageSpec) -> list[ShardRef]:
        """The shards ``spec`` consumes: the kept ones, then the rejected ones if it consumes them."""
        kept = [r for r in self.shards if not r.rejected] if SAMPLES in spec.inputs else []
        return kept + ([r for r in self.shards if r.rejected] if REJECTED in spec.inputs else [])

    def advance(self, spec: StageSpec, directory: Path, manifest: dict[str, Any]) -> None:
        """Take on what a finished stage hands on: its shards (a sample stage) and its products."""
        if spec.hands_on_samples:
            passed_on = [] if REJECTED in spec.inputs else [r for r in self.shards if r.rejected]
            mine = shard_refs(directory, manifest)
            self.shards = [*(r for r in mine if not r.rejected), *passed_on, *(r for r in mine if r.rejected)]
        for product in spec.products:
            ref = product_ref(product, manifest)
            if ref is not None:
                self.products[product.name] = ref


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Pipeline:
    """Runs the enabled stages of a :class:`RunConfig` in order into ``cfg.run.out``.

    ``stages`` replaces the default stage list (tests use stand-in stage functions), ``finish`` the steps
    after it; ``only`` and ``skip`` restrict this invocation: a stage outside ``only`` reuses its last
    complete output, a stage in ``skip`` passes its input through as if disabled.
    """

    def __init__(
        self,
        cfg: RunConfig,
        stages: tuple[StageSpec, ...] = DEFAULT_STAGES,
        only: list[str] | None = None,
        skip: list[str] | None = None,
        console: Any = None,
        quiet: bool = False,
        finish: tuple[StageSpec, ...] = FINISH,
    ) -> None:
        names = [s.name for s in (*stages, *finish)]
        for n in [*(only or []), *(skip or [])]:
            if n not in names:
                raise PipelineError(f"unknown stage {n!r} (stages: {', '.join(names)})")
        self.cfg = cfg
        self.stages = stages
        self.finish = finish
        self.only = set(only) if only else None
        self.skip = set(skip or [])
        self.run_dir = Path(cfg.run.out)
        self.quiet = quiet
        if console is None:
            from rich.console import Console

            console = Console(stderr=True, quiet=quiet)
        self.console = console
        self.outcomes: list[StageOutcome] = []

    # -- helpers ---------------------------------------------------------------------------------------
    def _enabled(self, spec: StageSpec) -> bool:
        if spec.name in self.skip:
            return False
        if spec.kind == "source" and not self.cfg.sources:
            return False
        return bool(getattr(spec.section_of(self.cfg), "enabled", True))

    def _selected(self, spec: StageSpec) -> bool:
        return self.only is None or spec.name in self.only

    def _dir(self, spec: StageSpec) -> Path:
        return stage_dir(self.run_dir, [s.name for s in self.stages], spec.name)

    def _context(self, spec: StageSpec, progress: Callable[[int], None] | None = None) -> StageContext:
        ctx = StageContext(
            run_dir=self.run_dir,
            stage=spec.name,
            seed=self.cfg.run.seed,
            models=dict(self.cfg.models),
            run=self.cfg.run,
            stage_dir=self._dir(spec),
        )
        if progress is not None:
            ctx.progress = progress
        return ctx

    def _log(self, text: str) -> None:
        self.console.print(text)

    def _progress(self) -> Any:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            # bars only on a terminal; logs and pipes get the one line per stage
            disable=self.quiet or not self.console.is_terminal,
        )

    def _with_overrides(self) -> tuple[StageSpec, ...]:
        """The stage list with ``run.stage_functions`` replacing the functions of the named stages.

        A function that replaces a stage made of steps runs as a global stage (it sees every sample, as the
        whole-list form of the stage does)."""
        overrides = self.cfg.run.stage_functions
        names = {s.name for s in self.stages}
        for name in overrides:
            if name not in names:
                raise PipelineError(f"run.stage_functions: unknown stage {name!r} (stages: {', '.join(sorted(names))})")
        return tuple(
            replace(s, fn=overrides[s.name], steps=None, kind="global" if s.steps else s.kind)
            if s.name in overrides else s
            for s in self.stages
        )

    # -- main loop -------------------------------------------------------------------------------------
    def run(self) -> list[StageOutcome]:
        """Run every stage; returns what happened to each. Writes ``run.json``, then the finish steps."""
        self.stages = self._with_overrides()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        flow = _Flow()
        for position, spec in enumerate(self.stages):
            if not self._enabled(spec):
                self.outcomes.append(StageOutcome(spec.name, "disabled", None))
                continue
            try:
                if spec.hands_on_samples:
                    outcome = self._run_sample_stage(spec, flow)
                else:
                    outcome = self._run_artifact_stage(spec, flow)
            finally:
                release_models()  # a model a stage loaded in this process does not stay for the next stage
            self.outcomes.append(outcome)
            if outcome.status == "not_run" and spec.hands_on_samples:
                # --only stopped before this stage and nothing later was asked for
                self.outcomes += [StageOutcome(s.name, "not_run", None) for s in self.stages[position + 1 :]]
                break
            if outcome.manifest is not None and outcome.dir is not None:
                flow.advance(spec, outcome.dir, outcome.manifest)
        self._write_run_json()
        finished: list[dict[str, Any]] = []
        for spec in self.finish:
            if self._enabled(spec) and self._selected(spec):
                started, cpu = time.perf_counter(), time.process_time()
                resolve_function(spec.fn)(self.run_dir, self.cfg)
                finished.append({"name": spec.name, "seconds": round(time.perf_counter() - started, 3),
                                 "driver_cpu_s": round(time.process_time() - cpu, 3)})
        if finished:
            # the finish steps read run.json, so their own time is added once they are done
            self._write_run_json(finished)
        return self.outcomes

    def _write_run_json(self, finish: list[dict[str, Any]] | None = None) -> None:
        """``run.json``: each stage's status and time (a stepped stage's steps with theirs), the finish steps'
        times, and the config."""
        stages = []
        for o in self.outcomes:
            entry: dict[str, Any] = {"name": o.name, "status": o.status, "dir": o.dir.name if o.dir else None}
            timings = (o.manifest or {}).get("timings") or {}
            if o.status in ("ran", "resumed") and "seconds" in timings:
                entry["seconds"] = timings["seconds"]
                if "steps" in timings:
                    entry["steps"] = timings["steps"]
            stages.append(entry)
        write_json(self.run_dir / "run.json", {
            "finished": _now(),
            "config": self.cfg.model_dump(mode="json"),
            "stages": stages,
            **({"finish": finish} if finish else {}),
        })

    def _reuse_or_skip(self, spec: StageSpec, directory: Path, fingerprint: str, chash: str) -> StageOutcome | None:
        """The outcome when this invocation does not run the stage (outside --only, or unchanged), else None."""
        manifest = load_manifest(directory)
        if not self._selected(spec):
            if manifest is None:
                assert self.only is not None
                later = [s.name for s in self.stages[self.stages.index(spec) + 1 :] if s.name in self.only]
                if later and spec.hands_on_samples:
                    raise PipelineError(f"stage {spec.name!r} has no complete output in {directory}; run it before {later[0]!r}")
                return StageOutcome(spec.name, "not_run", None)
            self._log(f"[dim]{spec.name}: reusing {directory.name} (not in --only)[/]")
            return StageOutcome(spec.name, "reused", directory, manifest)
        if manifest and manifest["input_fingerprint"] == fingerprint and manifest["config_hash"] == chash:
            kept = f" ({manifest['counts']['kept']} kept)" if "counts" in manifest else ""
            self._log(f"[dim]{spec.name}: unchanged, skipped{kept}[/]")
            return StageOutcome(spec.name, "skipped", directory, manifest)
        return None

    def _start(self, directory: Path, progress: dict[str, Any], keep: bool) -> None:
        """Clear the stage directory unless ``keep`` (a resumable attempt), and mark the attempt started."""
        if not keep and directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MANIFEST).unlink(missing_ok=True)
        write_bytes(directory / PROGRESS, orjson.dumps(progress))

    def _previous_attempt(self, directory: Path) -> dict[str, Any] | None:
        p = directory / PROGRESS
        return orjson.loads(p.read_bytes()) if p.exists() else None

    def _finish(self, directory: Path, manifest: dict[str, Any]) -> None:
        write_json(directory / MANIFEST, manifest)
        (directory / PROGRESS).unlink(missing_ok=True)

    # -- sample stages ---------------------------------------------------------------------------------
    def _run_sample_stage(self, spec: StageSpec, flow: _Flow) -> StageOutcome:
        directory = self._dir(spec)
        inputs = flow.shards_for(spec)
        fingerprint = input_fingerprint(self.cfg, spec, inputs, flow.products)
        chash = stage_config_hash(self.cfg, spec)
        done = self._reuse_or_skip(spec, directory, fingerprint, chash)
        if done is not None:
            return done
        section = spec.section_of(self.cfg)
        kind = spec.kind_for(section)
        attempt = {"input_fingerprint": fingerprint, "config_hash": chash, "shard_size": self.cfg.run.shard_size}
        previous = self._previous_attempt(directory)
        resumable = kind == "data" and previous is not None and all(previous.get(k) == v for k, v in attempt.items())
        self._start(directory, {**attempt, "started": _now()}, keep=resumable)

        started = time.time()
        stats: dict[str, Any] = {}
        export: dict[str, Any] = {}
        steps: dict[str, Any] | None = None
        if kind == "data":
            files = [(r.path, r.count) for r in inputs]
            n_in = sum(count for _, count in files)
            done_steps = self._run_steps(spec, section, plan_shards(files, self.cfg.run.shard_size), directory)
            dones, resumed, stats, steps = done_steps.dones, done_steps.resumed, done_steps.stats, done_steps.steps
            final = [d["accounting"] for d in dones]
            accounting = sum_accounts(spec.name, n_in, done_steps.changes, final)
        elif kind == "source":
            n_in, resumed = 0, 0
            dones, changes = self._run_source(spec, section, directory, stats)
            accounting = sum_accounts(spec.name, 0, changes, changes)
        else:
            samples = read_shards([r.path for r in inputs])
            n_in = len(samples)
            before = InputSnapshot.of(samples)
            resumed = 0
            outputs = self._run_global(spec, section, samples, stats)
            dones = [write_shard(directory, i, part, {}) for i, part in enumerate(chunk(outputs, self.cfg.run.shard_size))]
            accounting = account(spec.name, before, outputs)
        after_s = None
        if spec.after is not None:
            upstream = [o.name for o in self.outcomes if o.manifest is not None]
            t_after = time.perf_counter()
            export = resolve_function(spec.after)(directory, self.cfg, self._context(spec), upstream) or {}
            after_s = round(time.perf_counter() - t_after, 3)
        finished = time.time()
        manifest = {
            "stage": spec.name,
            "kind": kind,
            "executor": self.cfg.run.executor if kind == "data" else "driver",
            "input_fingerprint": fingerprint,
            "config_hash": chash,
            **accounting,
            "stats": stats,
            **outputs_of(dones),
            "shards_resumed": resumed,
            "timings": {
                "started": datetime.fromtimestamp(started, timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(finished - started, 3),
                "samples_per_s": round(n_in / (finished - started), 1) if finished > started else None,
                **({"steps": steps} if steps else {}),
                **({"after_s": after_s} if after_s is not None else {}),
            },
        }
        if export:
            manifest["export"] = export
        self._finish(directory, manifest)
        remove_steps(directory)
        c = accounting["counts"]
        note = f", {resumed} shard(s) resumed" if resumed else ""
        self._log(
            f"[bold]{spec.name}[/]: in {c['in']} + created {c['created']} = kept {c['kept']} + rejected {c['rejected']}"
            f" ({finished - started:.1f}s{note})"
        )
        return StageOutcome(spec.name, "resumed" if resumed else "ran", directory, manifest)

    def _run_global(self, spec: StageSpec, section: Any, inputs: list[Sample], stats: dict[str, Any]) -> list[Sample]:
        """The stage function over all samples at once, on the driver."""
        fn = spec.resolve()
        with self._progress() as bar:
            task = bar.add_task(spec.name, total=len(inputs))
            ctx = self._context(spec, progress=lambda n: bar.advance(task, n))
            outputs = list(fn(inputs, section, ctx))
        merge_stats(stats, ctx.stats)
        return outputs

    def _run_source(self, spec: StageSpec, section: Any, directory: Path, stats: dict[str, Any],
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A source stage: ``fn(cfg.sources, section, ctx)`` yields samples, written to shards as they come
        (the driver holds one shard); returns the shards' done-records and accountings."""
        fn = spec.resolve()
        dones: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        nothing = InputSnapshot.of([])
        with self._progress() as bar:
            task = bar.add_task(spec.name, total=None)
            ctx = self._context(spec, progress=lambda n: bar.advance(task, n))
            produced = iter(fn(list(self.cfg.sources), section, ctx))
            size = max(1, self.cfg.run.shard_size)
            while True:
                part = list(islice(produced, size))
                if part or not dones:  # at least one shard, possibly empty
                    changes.append(account(spec.name, nothing, part))
                    dones.append(write_shard(directory, len(dones), part, {}))
                if len(part) < size:
                    break
        merge_stats(stats, ctx.stats)
        return dones, changes

    def _run_steps(self, spec: StageSpec, section: Any, shards: list[Any], directory: Path) -> Any:
        """A data stage's steps over its input shards with the configured executor (``pipeline/steps.py``)."""
        from alchemistcoder.pipeline.executors import make_executor

        total = sum(end - start for shard in shards for _, start, end in shard)
        executor = make_executor(self.cfg.run)
        try:
            with self._progress() as bar:
                task = bar.add_task(spec.name, total=total)
                return run_steps(spec.name, spec.steps_for(section), section, self._context(spec), shards, directory,
                                 executor, lambda n: bar.advance(task, n))
        finally:
            executor.close()

    # -- artifact stages -------------------------------------------------------------------------------
    def _run_artifact_stage(self, spec: StageSpec, flow: _Flow) -> StageOutcome:
        """A stage over the one product it consumes: a training stage (the mix's train file) or an evaluation
        stage (the trained checkpoint, if any: without one it gets None).

        The stage function is ``fn(input_path, cfg_section, ctx) -> dict`` returning at least the path of
        what it made (``checkpoint`` for training, ``results`` for evaluation); that dict goes into the manifest,
        where its spec's ``produces`` finds its products. Its input fingerprint is the product's (the train
        file's content; the training stage's fingerprint), so a changed mix retrains and a retrained model is
        evaluated again. An interrupted attempt with the same fingerprint keeps its directory (training
        resumes from its checkpoints); otherwise it is cleared.
        """
        directory = self._dir(spec)
        (name,) = spec.inputs
        handed = flow.products.get(name)
        input_path = handed.path if handed is not None else None
        fingerprint = input_fingerprint(self.cfg, spec, [], flow.products)
        chash = stage_config_hash(self.cfg, spec)
        done = self._reuse_or_skip(spec, directory, fingerprint, chash)
        if done is not None:
            return done
        if spec.kind == "training" and not input_path:
            hints = [p.hint for s in self.stages for p in s.products if p.name == name and p.hint]
            raise PipelineError(f"{spec.name} needs the {name} that no earlier stage handed on"
                                + (f" ({'; '.join(hints)})" if hints else ""))
        attempt = {"input_fingerprint": fingerprint, "config_hash": chash}
        self._start(directory, attempt, keep=self._previous_attempt(directory) == attempt)
        started = time.time()
        ctx = self._context(spec)
        result = spec.resolve()(Path(input_path) if input_path else None, spec.section_of(self.cfg), ctx) or {}
        manifest = {
            "stage": spec.name,
            "kind": spec.kind,
            "input_fingerprint": fingerprint,
            "config_hash": chash,
            "input": str(input_path) if input_path else None,
            **{k: (str(v) if isinstance(v, Path) else v) for k, v in dict(result).items()},
            "stats": ctx.stats,
            "timings": {"seconds": round(time.time() - started, 3)},
        }
        self._finish(directory, manifest)
        self._log(f"[bold]{spec.name}[/]: done ({time.time() - started:.1f}s)")
        return StageOutcome(spec.name, "ran", directory, manifest)


def run_pipeline(
    cfg: RunConfig,
    stages: tuple[StageSpec, ...] = DEFAULT_STAGES,
    only: list[str] | None = None,
    skip: list[str] | None = None,
    quiet: bool = False,
) -> list[StageOutcome]:
    """Run the pipeline of ``cfg`` into ``cfg.run.out``; see :class:`Pipeline`."""
    return Pipeline(cfg, stages, only=only, skip=skip, quiet=quiet).run()
