"""The run loop: stages in order, shards and a manifest per stage, skip-if-unchanged and resume.

A run directory looks like::

    <run>/run.json                      what this invocation did with each stage
    <run>/01_ingest/shard-00000.jsonl.gz    kept samples of shard 0
    <run>/01_ingest/rejected-00000.jsonl.gz rejected samples of shard 0
    <run>/01_ingest/shard-00000.done.json   shard 0 is complete (counts, content hashes, stats)
    <run>/01_ingest/manifest.json       the stage is complete (fingerprints, counts, rejects, timings)
    ...
    <run>/dataset/                      the exported mix (JSONL, Parquet, HF dataset, data card)
    <run>/report.html

Kept and rejected samples go to separate shard files so the next stage reads the kept ones without
filtering, while the rejects stay on disk for the comprehension tasks and the report. A shard is
complete when its ``.done.json`` exists; it is written last, after both sample files, and every file is
written atomically, so a ``kill -9`` at any moment leaves only complete shards and temporaries.

Fingerprints: a stage's *input fingerprint* is the hash of the content hashes of its input shards (the
uncompressed JSONL bytes; gzip headers carry a timestamp), its *config hash* covers its config section, the
named models it uses and the seed. A stage whose manifest has the same pair is skipped; a stage whose
previous attempt had the same pair resumes from its complete shards (data-parallel stages) or starts over
(global stages, whose model calls the LLM cache makes free the second time).
"""

from __future__ import annotations

import hashlib
import importlib
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.config import RunConfig, config_hash
from alchemistcoder.io import atomic_open, read_jsonl
from alchemistcoder.records import Sample
from alchemistcoder.stage import StageContext

MANIFEST = "manifest.json"
PROGRESS = "progress.json"


class PipelineError(RuntimeError):
    """A stage broke the contract (dropped records) or a run cannot go on (missing upstream output)."""


@dataclass(frozen=True)
class StageSpec:
    """One step of the run.

    ``kind`` says how it runs: ``source`` (makes samples from ``cfg.sources``), ``data`` (a pure function
    mapped over shards by the executor), ``global`` (sees all samples at once, on the driver), ``train``
    (reads the exported train file) or ``eval`` (reads the train stage's checkpoint). ``fn`` is the stage
    function or its ``"module:attribute"`` path, imported only when the stage runs.
    ``with_rejected``: the stage also receives the samples rejected by earlier stages (the data-filtering
    comprehension task is built from them).
    """

    name: str
    kind: str
    fn: Callable[..., Any] | str
    with_rejected: bool = False
    # a data stage that must see all samples at once when this field of its section is set (e.g. a cap
    # like evolve.max_samples, which ranks the whole input)
    global_if: str | None = None

    def kind_for(self, section: Any) -> str:
        """``global`` when ``global_if`` names a set field of the section, else the declared kind."""
        if self.kind == "data" and self.global_if and getattr(section, self.global_if, None) is not None:
            return "global"
        return self.kind

    def resolve(self) -> Callable[..., Any]:
        """The stage function (imports its module on first use)."""
        return resolve_function(self.fn)


def resolve_function(ref: Callable[..., Any] | str) -> Callable[..., Any]:
    """Import ``"module:attribute"`` (or return a callable unchanged)."""
    if callable(ref):
        return ref
    module, _, attr = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise PipelineError(f"stage function {ref!r} is not available ({exc})") from None


# The order of a run. Directory numbers come from this list, so disabling a stage never renumbers the rest.
DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("ingest", "source", "alchemistcoder.pipeline:run_ingest_stage"),
    StageSpec("curate", "global", "alchemistcoder.curate.stage:run_curate"),
    StageSpec("evolve", "data", "alchemistcoder.evolve.stage:run_evolve", global_if="max_samples"),
    StageSpec("harmonize", "global", "alchemistcoder.alchemy.harmonize:run_harmonize"),
    StageSpec("comprehend", "global", "alchemistcoder.comprehend.stage:run_comprehend", with_rejected=True),
    StageSpec("mix", "global", "alchemistcoder.mix:run_mix"),
    StageSpec("train", "train", "alchemistcoder.pipeline:run_train_stage"),
    StageSpec("eval", "eval", "alchemistcoder.pipeline:run_eval_stage"),
)
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in DEFAULT_STAGES)


# -- hashing -----------------------------------------------------------------------------------------


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_strings(parts: list[str]) -> str:
    """A short hash of an ordered list of strings."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\x00")
    return h.hexdigest()[:16]


def section_of(cfg: RunConfig, stage: str) -> Any:
    """The config section a stage reads (ingest reads ``ingest``; its sources are part of its hash).

    The mix takes its comprehension-task quotas from ``comprehend.ratios`` unless ``mix.task_quotas`` is set.
    """
    if stage == "mix" and cfg.mix.task_quotas is None:
        return cfg.mix.model_copy(update={"task_quotas": cfg.comprehend.ratios.model_dump()})
    return getattr(cfg, stage)


def stage_config_hash(cfg: RunConfig, stage: str) -> str:
    """Hash of the stage's section, the named models it refers to, and the run seed."""
    section = section_of(cfg, stage)
    parts = [config_hash(section), f"seed={cfg.run.seed}"]
    if stage == "ingest":
        parts += [config_hash(s) for s in cfg.sources]
    if stage == "mix" and cfg.mix.task_quotas is None:
        parts.append(config_hash(cfg.comprehend.ratios))
    for name in sorted(_model_names(section.model_dump(mode="json"), cfg.models)):
        parts.append(f"{name}={config_hash(cfg.models[name])}")
    return hash_strings(parts)


def _model_names(value: Any, models: dict[str, Any]) -> set[str]:
    """Every string in a section that names a model under ``models:``."""
    if isinstance(value, str):
        return {value} if value in models else set()
    if isinstance(value, dict):
        return set().union(*(_model_names(v, models) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_model_names(v, models) for v in value)) if value else set()
    return set()


def file_content_hash(path: Path) -> str:
    """sha256 of a file's bytes (a directory: of its files' relative names and bytes, in sorted order)."""
    h = hashlib.sha256()
    if path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file()):
            h.update(str(f.relative_to(path)).encode() + b"\x00")
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        return h.hexdigest()[:16]
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def sources_fingerprint(cfg: RunConfig) -> str:
    """Input fingerprint of ingest: the content of every local source file (hub names hash as names)."""
    from alchemistcoder.sources.paths import resolve_source_path

    parts = []
    for src in cfg.sources:
        where = resolve_source_path(src.path, src.base_dir)
        parts.append(f"{src.name}:{file_content_hash(where.local) if where.local else 'hub:' + src.path}")
    return hash_strings(parts)


def run_ingest_stage(sources: list[Any], cfg: Any, ctx: StageContext) -> list[Sample]:
    """The ingest stage: every source → Samples (``alchemistcoder.sources.ingest``).

    Records that are not samples at all (malformed JSON, missing fields) cannot travel as Samples; with
    ``on_error: quarantine`` they are written to ``quarantine.jsonl`` in the stage directory and counted in
    the manifest's stats.
    """
    from alchemistcoder.io import write_jsonl
    from alchemistcoder.sources.ingest import ingest_sources

    result = ingest_sources(sources, cfg)
    directory = next(iter(sorted(ctx.run_dir.glob("[0-9][0-9]_ingest"))), None)
    if result.rejects and directory is not None:
        write_jsonl(directory / "quarantine.jsonl", result.rejects)
    ctx.stats["sources"] = {name: c.to_dict() for name, c in result.counts.items()}
    ctx.stats["quarantined"] = len(result.rejects)
    ctx.progress(len(result.samples))
    return result.samples


def run_train_stage(train_file: Path, cfg: Any, ctx: StageContext) -> dict[str, Any]:
    """The train stage: SFT on the exported train file (``alchemistcoder.train.sft.run_train``), in this process.

    Multi-GPU training goes through ``accelerate launch`` / ``alchemist train`` on the exported file instead.
    """
    from alchemistcoder.train.sft import run_train

    out = stage_dir(ctx.run_dir, DEFAULT_STAGES, "train")
    settings = getattr(ctx, "run_settings", None)  # set by the pipeline: how to launch
    if settings is not None and settings.train_launcher != "none":
        result = _launch_train(train_file, cfg, out, ctx.seed, settings)
    else:
        result = run_train(train_file, cfg, out, seed=ctx.seed)
    ctx.stats.update({"global_step": result.global_step, "samples": result.samples, "num_tokens": result.num_tokens})
    return {
        "checkpoint": result.checkpoint_dir,
        "adapter": result.adapter_dir,
        "log": result.log_path,
        "first_loss": result.losses[0] if result.losses else None,
        "final_loss": result.losses[-1] if result.losses else None,
        "train_runtime_s": round(result.train_runtime_s, 1),
        "device": result.device,
        "precision": result.precision,
    }


def _launch_train(train_file: Path, cfg: Any, out: Path, seed: int, settings: Any) -> Any:
    """Start the training processes with accelerate/torchrun (``alchemist train`` in each rank) and read
    the result the main rank wrote."""
    import subprocess
    from types import SimpleNamespace

    import yaml

    from alchemistcoder.train.commands import launch_command
    from alchemistcoder.train.model import resolve_model_path
    from alchemistcoder.train.sft import RESULT_NAME

    section = cfg.model_dump(mode="json")
    section.update({"data": str(train_file), "output_dir": str(out), "model": str(resolve_model_path(cfg.model))})
    config = out / "launch.yaml"
    out.mkdir(parents=True, exist_ok=True)
    config.write_text(yaml.safe_dump({"run": {"out": str(out), "seed": seed}, "train": section}))
    accel = Path(settings.accelerate_config) if settings.accelerate_config else None
    cmd = launch_command(config, [], settings.train_launcher, settings.train_processes, accel)
    code = subprocess.call(cmd)
    if code != 0:
        raise PipelineError(f"training processes exited with status {code} ({' '.join(cmd)})")
    data = orjson.loads((out / RESULT_NAME).read_bytes())
    return SimpleNamespace(**data)


def run_eval_stage(checkpoint: Path | None, cfg: Any, ctx: StageContext) -> dict[str, Any]:
    """The eval stage: the trained checkpoint (or ``eval.model`` when nothing was trained) on the benchmarks."""
    from alchemistcoder.evaluate import run_eval
    from alchemistcoder.llm.config import LLMConfig

    if checkpoint is not None:
        llm = LLMConfig(backend="transformers", model=str(checkpoint), max_tokens=cfg.max_tokens)
    else:
        resolved = ctx.resolve_model(cfg.model)
        llm = resolved if isinstance(resolved, LLMConfig) else LLMConfig(max_tokens=cfg.max_tokens)
    out = Path(cfg.out) if cfg.out else stage_dir(ctx.run_dir, DEFAULT_STAGES, "eval")
    # the cache lives with the results: a new checkpoint clears the stage directory, and with it the answers
    summaries = run_eval(cfg, llm, out, cache_dir=out / "cache")
    return {"model": llm.model, "dir": str(out), "results": summaries}


# -- shards ------------------------------------------------------------------------------------------


def _encode(samples: list[Sample]) -> bytes:
    return b"".join(orjson.dumps(s.to_dict(), option=orjson.OPT_APPEND_NEWLINE) for s in samples)


def _write_bytes(path: Path, data: bytes) -> None:
    with atomic_open(path, "wb") as fh:
        fh.write(data)


def shard_name(kind: str, index: int) -> str:
    """``shard-00003.jsonl.gz`` (kept) or ``rejected-00003.jsonl.gz``."""
    return f"{kind}-{index:05d}.jsonl.gz"


def write_shard(stage_dir: Path, index: int, kept: list[Sample], rejected: list[Sample], info: dict[str, Any]) -> dict[str, Any]:
    """Write one shard's kept and rejected samples, then its done-record (last, so it marks completeness)."""
    kept_bytes, rej_bytes = _encode(kept), _encode(rejected)
    _write_bytes(stage_dir / shard_name("rejected", index), rej_bytes)
    _write_bytes(stage_dir / shard_name("shard", index), kept_bytes)
    done = {
        "index": index,
        "kept": len(kept),
        "rejected": len(rejected),
        "kept_sha256": _sha(kept_bytes)[:16],
        "rejected_sha256": _sha(rej_bytes)[:16],
        **info,
    }
    _write_bytes(stage_dir / f"shard-{index:05d}.done.json", orjson.dumps(done, option=orjson.OPT_INDENT_2))
    return done


def read_shards(paths: list[Path]) -> list[Sample]:
    """Read sample shards in order."""
    out: list[Sample] = []
    for p in paths:
        out.extend(Sample.from_dict(row) for row in read_jsonl(p))
    return out


def iter_stage_samples(stage_dir: Path, kind: str = "shard") -> Iterator[Sample]:
    """Iterate a finished stage's kept (``kind="shard"``) or rejected (``"rejected"``) samples."""
    for p in sorted(stage_dir.glob(f"{kind}-*.jsonl.gz")):
        for row in read_jsonl(p):
            yield Sample.from_dict(row)


def chunk(samples: list[Sample], size: int) -> list[list[Sample]]:
    """Split into consecutive shards of ``size`` (at least one shard, possibly empty)."""
    size = max(1, size)
    return [samples[i : i + size] for i in range(0, len(samples), size)] or [[]]


# -- stats and counts --------------------------------------------------------------------------------


def merge_stats(into: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Add numeric figures, merge nested dicts, keep the last value of anything else."""
    for key, value in more.items():
        if isinstance(value, bool) or not isinstance(value, (int, float, dict)):
            into[key] = value
        elif isinstance(value, dict):
            into[key] = merge_stats(dict(into.get(key) or {}), value)
        else:
            into[key] = (into.get(key) or 0) + value
    return into


@dataclass(frozen=True)
class InputSnapshot:
    """Ids of a stage's input and which were already rejected, taken *before* the stage runs
    (stages may mark their input samples in place)."""

    ids: Counter[str]
    rejected: frozenset[str]

    @classmethod
    def of(cls, inputs: list[Sample]) -> InputSnapshot:
        return cls(Counter(s.id for s in inputs), frozenset(s.id for s in inputs if s.rejected))


def account(stage: str, before: InputSnapshot, outputs: list[Sample]) -> dict[str, Any]:
    """Check that no record was dropped and count in / kept / rejected / created / rejects by reason.

    ``rejected_here`` counts the samples this stage rejected (not those it received already rejected).
    """
    in_ids = before.ids
    n_in = sum(in_ids.values())
    out_ids = Counter(s.id for s in outputs)
    missing = in_ids - out_ids
    if missing:
        example = next(iter(missing))
        raise PipelineError(
            f"stage {stage!r} dropped {sum(missing.values())} of {n_in} records "
            f"(e.g. id {example}); a stage must return every sample it receives, rejected ones with a reject event"
        )
    already_rejected = before.rejected
    created = sum((out_ids - in_ids).values())
    kept = sum(1 for s in outputs if not s.rejected)
    rejected = len(outputs) - kept
    reasons: Counter[str] = Counter()
    for s in outputs:
        if s.rejected and s.id not in already_rejected:
            event = s.rejection
            reasons[event.reason or event.op if event else "unknown"] += 1
    counts = {
        "in": n_in,
        "created": created,
        "kept": kept,
        "rejected": rejected,
        "rejected_here": sum(reasons.values()),
        "balanced": n_in + created == kept + rejected,
    }
    return {"counts": counts, "rejects_by_reason": dict(sorted(reasons.items()))}


# -- the run -----------------------------------------------------------------------------------------


@dataclass
class StageOutcome:
    """What happened to one stage in this invocation."""

    name: str
    status: str  # ran | resumed | skipped (unchanged) | reused (--only) | disabled | not_run
    dir: Path | None
    manifest: dict[str, Any] | None = None


def stage_dir(run_dir: Path, stages: tuple[StageSpec, ...], name: str) -> Path:
    """``<run>/<nn>_<stage>`` with nn the stage's 1-based position in the full stage list."""
    index = [s.name for s in stages].index(name) + 1
    return run_dir / f"{index:02d}_{name}"


def load_manifest(directory: Path) -> dict[str, Any] | None:
    """The stage's manifest, or None when the stage never completed there."""
    p = directory / MANIFEST
    if not p.exists():
        return None
    return orjson.loads(p.read_bytes())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class ModelResolver:
    """Picklable ``ctx.resolve_model``: a name under ``models:`` or an inline config."""

    def __init__(self, models: dict[str, Any]) -> None:
        self.models = models

    def __call__(self, ref: Any) -> Any:
        if ref is None or not isinstance(ref, str):
            return ref
        if ref not in self.models:
            raise PipelineError(f"model {ref!r} is not defined under 'models:' (defined: {sorted(self.models)})")
        return self.models[ref]


class Pipeline:
    """Runs the enabled stages of a :class:`RunConfig` in order into ``cfg.run.out``.

    ``stages`` replaces the default stage list (tests use stand-in stage functions); ``only`` and ``skip``
    restrict this invocation: a stage outside ``only`` reuses its last complete output, a stage in
    ``skip`` passes its input through as if disabled.
    """

    def __init__(
        self,
        cfg: RunConfig,
        stages: tuple[StageSpec, ...] = DEFAULT_STAGES,
        only: list[str] | None = None,
        skip: list[str] | None = None,
        console: Any = None,
        quiet: bool = False,
    ) -> None:
        names = [s.name for s in stages]
        for n in [*(only or []), *(skip or [])]:
            if n not in names and n != "report":
                raise PipelineError(f"unknown stage {n!r} (stages: {', '.join(names)}, report)")
        self.cfg = cfg
        self.stages = stages
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
        if spec.kind == "source":
            return bool(self.cfg.sources) and getattr(section_of(self.cfg, spec.name), "enabled", True)
        return bool(getattr(section_of(self.cfg, spec.name), "enabled", True))

    def _context(self, spec: StageSpec, progress: Callable[[int], None] | None = None) -> StageContext:
        ctx = StageContext(
            run_dir=self.run_dir,
            stage=spec.name,
            seed=self.cfg.run.seed,
            workers=self.workers,
            resolve_model=ModelResolver(dict(self.cfg.models)),
        )
        if progress is not None:
            ctx.progress = progress
        return ctx

    @property
    def workers(self) -> int:
        import os

        return self.cfg.run.workers or os.cpu_count() or 1

    def _log(self, text: str) -> None:
        self.console.print(text)

    # -- main loop -------------------------------------------------------------------------------------
    def _with_overrides(self) -> tuple[StageSpec, ...]:
        """The stage list with ``run.stage_functions`` replacing the functions of the named stages."""
        from dataclasses import replace

        names = {s.name for s in self.stages}
        for name in self.cfg.run.stage_functions:
            if name not in names:
                raise PipelineError(f"run.stage_functions: unknown stage {name!r} (stages: {', '.join(sorted(names))})")
        return tuple(
            replace(s, fn=self.cfg.run.stage_functions[s.name]) if s.name in self.cfg.run.stage_functions else s
            for s in self.stages
        )

    def run(self) -> list[StageOutcome]:
        """Run every stage; returns what happened to each. Writes ``run.json`` and (when enabled) the report."""
        self.stages = self._with_overrides()
        self.run_dir.mkdir(parents=True, exist_ok=True)
        kept_inputs: list[Path] = []  # kept shards of the last stage that produced samples
        input_hashes: list[str] = []
        rejected_inputs: list[Path] = []  # rejected shards of every earlier stage
        rejected_hashes: list[str] = []
        checkpoint: dict[str, Any] | None = None
        for spec in self.stages:
            directory = stage_dir(self.run_dir, self.stages, spec.name)
            if not self._enabled(spec):
                self.outcomes.append(StageOutcome(spec.name, "disabled", None))
                continue
            if spec.kind in ("train", "eval"):
                outcome = self._run_artifact_stage(spec, directory, checkpoint)
                self.outcomes.append(outcome)
                m = outcome.manifest
                if spec.kind == "train" and m:
                    checkpoint = {
                        "checkpoint": m.get("checkpoint"),
                        "fingerprint": hash_strings([m["input_fingerprint"], m["config_hash"]]),
                    }
                continue
            if spec.kind == "source":
                fingerprint_in = sources_fingerprint(self.cfg)
            else:
                extra = rejected_hashes if spec.with_rejected else []
                fingerprint_in = hash_strings([*input_hashes, "|", *extra])
            outcome = self._run_sample_stage(
                spec, directory, fingerprint_in, kept_inputs, rejected_inputs if spec.with_rejected else []
            )
            self.outcomes.append(outcome)
            if outcome.status == "not_run":
                # --only stopped before this stage and nothing later was asked for
                self.outcomes += [StageOutcome(s.name, "not_run", None) for s in self.stages[len(self.outcomes) :]]
                break
            m = outcome.manifest
            assert m is not None
            kept_inputs = [directory / o["path"] for o in m["outputs"]]
            input_hashes = [o["sha256"] for o in m["outputs"]]
            if spec.with_rejected:
                # it received every earlier reject and passed them on in its own rejected shards
                rejected_inputs, rejected_hashes = [], []
            rejected_inputs += [directory / o["path"] for o in m["rejected_outputs"]]
            rejected_hashes += [o["sha256"] for o in m["rejected_outputs"]]
            if spec.name == "mix":
                train_file = (m.get("export") or {}).get("train_jsonl")
                checkpoint = {
                    "train_file": train_file,
                    "fingerprint": file_content_hash(Path(train_file)) if train_file and Path(train_file).exists() else None,
                }
        self._write_run_json()
        if self.cfg.report.enabled and (self.only is None or "report" in self.only) and "report" not in self.skip:
            from alchemistcoder.report import write_report

            write_report(self.run_dir, self.cfg)
        return self.outcomes

    def _write_run_json(self) -> None:
        data = {
            "finished": _now(),
            "config": self.cfg.model_dump(mode="json"),
            "stages": [
                {"name": o.name, "status": o.status, "dir": o.dir.name if o.dir else None} for o in self.outcomes
            ],
        }
        with atomic_open(self.run_dir / "run.json", "wb") as fh:
            fh.write(orjson.dumps(data, option=orjson.OPT_INDENT_2))

    # -- sample stages -----------------------------------------------------------------------------------
    def _config_hash(self, spec: StageSpec) -> str:
        """The section's hash, plus the function when a config replaced the built-in one."""
        chash = stage_config_hash(self.cfg, spec.name)
        if spec.name in self.cfg.run.stage_functions:
            chash = hash_strings([chash, self.cfg.run.stage_functions[spec.name]])
        return chash

    def _run_sample_stage(
        self,
        spec: StageSpec,
        directory: Path,
        fingerprint_in: str,
        kept_inputs: list[Path],
        rejected_inputs: list[Path],
    ) -> StageOutcome:
        chash = self._config_hash(spec)
        section = section_of(self.cfg, spec.name)
        kind = spec.kind_for(section)
        manifest = load_manifest(directory)
        if self.only is not None and spec.name not in self.only:
            if manifest is None:
                later = [s.name for s in self.stages[self.stages.index(spec) + 1 :] if s.name in self.only]
                if later:
                    raise PipelineError(
                        f"stage {spec.name!r} has no complete output in {directory}; run it before {later[0]!r}"
                    )
                return StageOutcome(spec.name, "not_run", None)
            self._log(f"[dim]{spec.name}: reusing {directory.name} (not in --only)[/]")
            return StageOutcome(spec.name, "reused", directory, manifest)
        if manifest and manifest["input_fingerprint"] == fingerprint_in and manifest["config_hash"] == chash:
            self._log(f"[dim]{spec.name}: unchanged, skipped ({manifest['counts']['kept']} kept)[/]")
            return StageOutcome(spec.name, "skipped", directory, manifest)

        progress_file = directory / PROGRESS
        previous = orjson.loads(progress_file.read_bytes()) if progress_file.exists() else None
        resumable = (
            kind == "data"
            and previous is not None
            and previous.get("input_fingerprint") == fingerprint_in
            and previous.get("config_hash") == chash
            and previous.get("shard_size") == self.cfg.run.shard_size
        )
        if not resumable and directory.exists():
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MANIFEST).unlink(missing_ok=True)
        _write_bytes(
            progress_file,
            orjson.dumps(
                {
                    "input_fingerprint": fingerprint_in,
                    "config_hash": chash,
                    "shard_size": self.cfg.run.shard_size,
                    "started": _now(),
                }
            ),
        )

        started = time.time()
        inputs: list[Sample] = []
        if spec.kind != "source":
            inputs = read_shards(kept_inputs) + read_shards(rejected_inputs)
        before = InputSnapshot.of(inputs)
        fn = spec.resolve()
        stats: dict[str, Any] = {}
        if kind == "data":
            outputs, dones, resumed = self._run_data(spec, fn, section, inputs, directory)
            for d in dones:
                merge_stats(stats, d.get("stats") or {})
        else:
            resumed = 0
            outputs = self._run_global(spec, fn, section, inputs, stats)
            outputs, extra = self._after_global(spec, outputs, directory)
            dones = self._write_outputs(directory, outputs)
            if extra:
                stats.setdefault("export", extra)
        accounting = account(spec.name, before, outputs)
        if not accounting["counts"]["balanced"]:
            raise PipelineError(f"stage {spec.name!r}: count in + created != kept + rejected ({accounting['counts']})")
        finished = time.time()
        manifest = {
            "stage": spec.name,
            "kind": kind,
            "executor": self.cfg.run.executor if kind == "data" else "driver",
            "input_fingerprint": fingerprint_in,
            "config_hash": chash,
            **accounting,
            "stats": stats,
            "outputs": [
                {"path": shard_name("shard", d["index"]), "count": d["kept"], "sha256": d["kept_sha256"]} for d in dones
            ],
            "rejected_outputs": [
                {"path": shard_name("rejected", d["index"]), "count": d["rejected"], "sha256": d["rejected_sha256"]}
                for d in dones
            ],
            "shards_resumed": resumed,
            "timings": {
                "started": datetime.fromtimestamp(started, timezone.utc).isoformat(timespec="seconds"),
                "seconds": round(finished - started, 3),
                "samples_per_s": round(len(inputs) / (finished - started), 1) if finished > started else None,
            },
        }
        if "export" in stats:
            manifest["export"] = stats.pop("export")
        _write_bytes(directory / MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
        progress_file.unlink(missing_ok=True)
        c = accounting["counts"]
        note = f", {resumed} shard(s) resumed" if resumed else ""
        self._log(
            f"[bold]{spec.name}[/]: in {c['in']} + created {c['created']} = kept {c['kept']} + rejected {c['rejected']}"
            f" ({finished - started:.1f}s{note})"
        )
        return StageOutcome(spec.name, "resumed" if resumed else "ran", directory, manifest)

    def _progress(self, description: str, total: int) -> Any:
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

    def _run_global(self, spec: StageSpec, fn: Callable[..., Any], section: Any, inputs: list[Sample], stats: dict[str, Any]) -> list[Sample]:
        total = len(inputs) if spec.kind != "source" else None
        with self._progress(spec.name, total or 0) as bar:
            task = bar.add_task(spec.name, total=total)
            ctx = self._context(spec, progress=lambda n: bar.advance(task, n))
            if spec.kind == "source":
                outputs = list(fn(list(self.cfg.sources), section, ctx))
            else:
                outputs = list(fn(inputs, section, ctx))
        merge_stats(stats, ctx.stats)
        return outputs

    def _after_global(self, spec: StageSpec, outputs: list[Sample], directory: Path) -> tuple[list[Sample], dict[str, Any]]:
        """Stage-specific work on the driver after the stage function (the mix stage exports its data)."""
        if spec.name != "mix":
            return outputs, {}
        from alchemistcoder.mix import export_mix

        upstream = [o.name for o in self.outcomes if o.manifest is not None]
        export = export_mix(outputs, self.cfg, self.run_dir / "dataset", console=self.console, stages=upstream)
        return outputs, export

    def _write_outputs(self, directory: Path, outputs: list[Sample]) -> list[dict[str, Any]]:
        dones = []
        for i, part in enumerate(chunk(outputs, self.cfg.run.shard_size)):
            kept = [s for s in part if not s.rejected]
            rejected = [s for s in part if s.rejected]
            dones.append(write_shard(directory, i, kept, rejected, {}))
        return dones

    def _run_data(
        self, spec: StageSpec, fn: Callable[..., Any], section: Any, inputs: list[Sample], directory: Path
    ) -> tuple[list[Sample], list[dict[str, Any]], int]:
        """Map ``fn`` over input shards with the configured executor; complete shards are not redone."""
        from alchemistcoder.executors import make_executor

        shards = chunk(inputs, self.cfg.run.shard_size)
        dones: dict[int, dict[str, Any]] = {}
        for i in range(len(shards)):
            done_file = directory / f"shard-{i:05d}.done.json"
            if done_file.exists():
                dones[i] = orjson.loads(done_file.read_bytes())
        resumed = len(dones)
        todo = [(i, shards[i]) for i in range(len(shards)) if i not in dones]
        with self._progress(spec.name, len(inputs)) as bar:
            task = bar.add_task(spec.name, total=len(inputs))
            bar.advance(task, sum(len(shards[i]) for i in dones))
            if todo:
                executor = make_executor(self.cfg.run)
                ctx = self._context(spec)
                for index, result, shard_stats in executor.map_shards(spec.fn, todo, section, ctx):
                    kept = [s for s in result if not s.rejected]
                    rejected = [s for s in result if s.rejected]
                    dones[index] = write_shard(directory, index, kept, rejected, {"stats": shard_stats})
                    bar.advance(task, len(shards[index]))
        outputs: list[Sample] = []
        for i in range(len(shards)):
            outputs.extend(read_shards([directory / shard_name("shard", i), directory / shard_name("rejected", i)]))
        return outputs, [dones[i] for i in range(len(shards))], resumed

    # -- train / eval ----------------------------------------------------------------------------------
    def _run_artifact_stage(self, spec: StageSpec, directory: Path, upstream: dict[str, Any] | None) -> StageOutcome:
        """Train (input: the exported train file) or eval (input: the trained checkpoint, if any).

        The stage function is ``fn(input_path, cfg_section, ctx) -> dict`` returning at least the path of
        what it made (``checkpoint`` for train, ``results`` for eval); that dict goes into the manifest.
        Its input fingerprint is the upstream's (the train file's content; the train stage's fingerprint),
        so a changed mix retrains and a retrained model is evaluated again. An interrupted attempt with the
        same fingerprint keeps its directory (training resumes from its checkpoints); otherwise it is cleared.
        """
        chash = self._config_hash(spec)
        manifest = load_manifest(directory)
        if self.only is not None and spec.name not in self.only:
            if manifest is None:
                return StageOutcome(spec.name, "not_run", None)
            return StageOutcome(spec.name, "reused", directory, manifest)
        key = "train_file" if spec.kind == "train" else "checkpoint"
        input_path = (upstream or {}).get(key)
        if spec.kind == "train" and not input_path:
            raise PipelineError("train needs the mix stage's exported train file (mix.formats must include jsonl)")
        fp = hash_strings([key, str((upstream or {}).get("fingerprint") if input_path else "none")])
        if manifest and manifest["input_fingerprint"] == fp and manifest["config_hash"] == chash:
            self._log(f"[dim]{spec.name}: unchanged, skipped[/]")
            return StageOutcome(spec.name, "skipped", directory, manifest)
        progress_file = directory / PROGRESS
        previous = orjson.loads(progress_file.read_bytes()) if progress_file.exists() else None
        if directory.exists() and previous != {"input_fingerprint": fp, "config_hash": chash}:
            shutil.rmtree(directory)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / MANIFEST).unlink(missing_ok=True)
        _write_bytes(progress_file, orjson.dumps({"input_fingerprint": fp, "config_hash": chash}))
        started = time.time()
        ctx = self._context(spec)
        ctx.run_settings = self.cfg.run  # type: ignore[attr-defined]  # the train stage's launcher settings
        result = spec.resolve()(Path(input_path) if input_path else None, section_of(self.cfg, spec.name), ctx) or {}
        result = {k: (str(v) if isinstance(v, Path) else v) for k, v in dict(result).items()}
        manifest = {
            "stage": spec.name,
            "kind": spec.kind,
            "input_fingerprint": fp,
            "config_hash": chash,
            "input": str(input_path) if input_path else None,
            **result,
            "stats": ctx.stats,
            "timings": {"seconds": round(time.time() - started, 3)},
        }
        _write_bytes(directory / MANIFEST, orjson.dumps(manifest, option=orjson.OPT_INDENT_2, default=str))
        progress_file.unlink(missing_ok=True)
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
