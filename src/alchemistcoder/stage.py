"""The contract between stages and the run loop: :class:`StageSpec` and :class:`StageContext`.

A stage is a plain function ``fn(samples, cfg, ctx) -> samples``: it receives a list of Samples and its
typed config section, and returns **every** sample it received (rejected ones carry a ``reject`` trace
event; modified ones a ``modify`` event) plus any new samples it created (with a ``create`` event naming
their parents). It never drops a record, so count in = kept + rejected holds by construction. It does not
know where it runs: the executor (in-process, process pool or Ray) decides how the list is sharded.

The run loop (``alchemistcoder.pipeline.run``) knows stages only through their :class:`StageSpec`: how
the stage runs (``kind``), its function, which config section it reads, what it **consumes** from earlier
stages and **produces** for later ones (sample shards, and named :class:`Product` files such as the mix's
``train_file``, which train consumes), and hooks (``after``) such as the mix's export. Every fingerprint
comes from the spec: what it consumes, or its own ``fingerprint`` hook (a source stage's files). The stage
list itself lives in ``alchemistcoder.pipeline.stages``.

A stage writes its trace events under ``ctx.stage``, the name its spec gives it, never a name of its own.

A data stage that needs a global decision (deduplication) is a list of **steps** (``StageSpec.steps``),
as in datatrove: a :class:`MapStep` runs per shard on the executor and may emit compact *keys* per shard;
a :class:`ReduceStep` runs on the driver over those keys only (signatures, ids, counts — never Samples)
and returns one *decision* per shard, which the following map steps read as ``ctx.decisions[name]``.
``pipeline/steps.py`` interprets the steps, on the executor's shards or (``run_steps_inline``) over one
list in this process (the per-stage CLI verbs and tests), so a stage has one implementation wherever it
runs, and its record counts are checked on both paths.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from alchemistcoder.config import RunConfig, RunSettings
    from alchemistcoder.llm.config import LLMConfig

StageKind = Literal["source", "data", "global", "training", "evaluation", "finish"]
StepFn = Callable[..., Any] | str

# The hand-offs between stages, by name. Every sample stage hands on its kept shards (SAMPLES) and its
# rejected ones, which add up over stages (REJECTED) until a stage that consumes them passes them on in
# its own rejected shards. A stage may also hand on files and directories, declared as :class:`Product`
# (the mix's train file, train's checkpoint).
SAMPLES = "samples"
REJECTED = "rejected"
TRAIN_FILE = "train_file"
CHECKPOINT = "checkpoint"
SAMPLE_KINDS = ("source", "data", "global")


class PipelineError(RuntimeError):
    """A stage broke the contract (dropped records) or a run cannot go on (missing upstream output)."""


def resolve_function(ref: Callable[..., Any] | str) -> Callable[..., Any]:
    """Import ``"module:attribute"`` (or return a callable unchanged)."""
    if callable(ref):
        return ref
    module, _, attr = ref.partition(":")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise PipelineError(f"function {ref!r} is not available ({exc})") from None


@dataclass(frozen=True)
class Product:
    """A file or directory a stage hands on by name, beside its sample shards.

    ``key`` is where the stage's manifest holds its path, dotted (``export.train_jsonl``: the mix's export;
    ``checkpoint``: what the train function returned). Its fingerprint, which is the input fingerprint of a
    stage that consumes it, is the file's bytes when ``by_content`` (an unchanged train file from a changed
    mix config trains nothing again), else the producing stage's input fingerprint and config hash (a
    checkpoint is too large to read). ``hint`` says how to get it when a stage needs it and it is missing.
    """

    name: str
    key: str
    by_content: bool = False
    hint: str = ""

    def path_in(self, manifest: dict[str, Any]) -> str | None:
        """The product's path in the producing stage's manifest (None when the stage made none)."""
        value: Any = manifest
        for part in self.key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        return str(value) if value else None


# what a stage consumes and produces when its spec does not say (``produces`` lists products only: a
# sample stage always hands on its shards)
_CONSUMES: dict[str, tuple[str, ...]] = {
    "source": (), "data": (SAMPLES,), "global": (SAMPLES,), "training": (TRAIN_FILE,),
    "evaluation": (CHECKPOINT,), "finish": (),
}
_PRODUCES: dict[str, tuple[Product, ...]] = {"training": (Product(CHECKPOINT, "checkpoint"),)}


@dataclass(frozen=True)
class StageSpec:
    """One step of the run, as the run loop sees it.

    ``kind`` says how it runs: ``source`` (makes samples from ``cfg.sources``), ``data`` (a pure function
    mapped over shards by the executor), ``global`` (sees all samples at once, on the driver), ``training``
    and ``evaluation`` (artifact stages: ``fn(path, section, ctx) -> dict`` over the one product they
    consume) or ``finish`` (runs after every stage as ``fn(run_dir, cfg)``: the report). ``fn`` is the stage
    function or its ``"module:attribute"`` path, imported only when the stage runs.

    - ``consumes``: the hand-offs it reads, by name: ``SAMPLES`` (the kept shards of the sample stage
      before it), ``REJECTED`` (also every earlier stage's rejected shards: the data-filtering comprehension
      task is built from them) or a product's name (``TRAIN_FILE``, ``CHECKPOINT``). Unset: by kind (a
      source stage nothing, a data or global stage ``SAMPLES``, training ``TRAIN_FILE``, evaluation
      ``CHECKPOINT``). A training stage cannot run without its product; an evaluation stage gets None when
      no earlier stage handed one on (it evaluates ``evaluate.model`` instead).
    - ``produces``: the products it hands on beside its shards (:class:`Product`). Unset: by kind (training:
      its ``checkpoint``).
    - ``fingerprint``: ``fn(cfg) -> str``, the input fingerprint of a stage that reads its input from the
      config rather than from earlier stages (ingest: the content of the source files).
    - ``global_if``: a data stage that must see all samples at once when this field of its section is set
      (e.g. a cap like ``evolve.max_samples``, which ranks the whole input).
    - ``section``: ``fn(cfg) -> section`` (or its path) when the stage reads more than ``cfg.<name>``
      (the mix takes its task quotas from ``comprehend.ratios``); its result is what the config hash covers.
    - ``extra_hash``: ``fn(cfg) -> list[str]`` of further config the stage depends on (ingest: the sources).
    - ``after``: ``fn(stage_dir, cfg, ctx, upstream) -> dict`` run on the driver once the stage's shards are
      written, with the names of the stages that ran before; its dict goes to the manifest under ``export``
      (the mix's export reads its shards from ``stage_dir``).
    - ``steps``: ``fn(section) -> list[MapStep | ReduceStep]`` (or its path): how a data stage runs on
      shards when it needs global decisions; without it a data stage is the single map step ``fn``. ``fn``
      stays the whole-list form (``global_if`` and the CLI verbs use it).
    - ``report``: ``fn(view) -> html`` (or its path): the stage's section of the run's report, given a
      ``report.build.StageView``; the report shows the sections in the order of the stage list.
    """

    name: str
    kind: StageKind
    fn: Callable[..., Any] | str
    consumes: tuple[str, ...] | None = None
    produces: tuple[Product, ...] | None = None
    fingerprint: Callable[..., Any] | str | None = None
    global_if: str | None = None
    section: Callable[..., Any] | str | None = None
    extra_hash: Callable[..., Any] | str | None = None
    after: Callable[..., Any] | str | None = None
    steps: Callable[..., Any] | str | None = None
    report: Callable[..., Any] | str | None = None

    def __post_init__(self) -> None:
        if self.kind == "source" and self.fingerprint is None:
            raise PipelineError(f"source stage {self.name!r} must declare its input fingerprint (fingerprint=)")
        if self.consumes is None:
            object.__setattr__(self, "consumes", _CONSUMES[self.kind])
        if self.produces is None:
            object.__setattr__(self, "produces", _PRODUCES.get(self.kind, ()))
        if self.kind in ("training", "evaluation") and (len(self.inputs) != 1 or self.inputs[0] in (SAMPLES, REJECTED)):
            raise PipelineError(f"{self.kind} stage {self.name!r} must consume one product, not {self.inputs}")

    @property
    def inputs(self) -> tuple[str, ...]:
        """What it consumes (``consumes`` with the kind's default filled in)."""
        assert self.consumes is not None
        return self.consumes

    @property
    def products(self) -> tuple[Product, ...]:
        """The products it hands on (``produces`` with the kind's default filled in)."""
        assert self.produces is not None
        return self.produces

    @property
    def hands_on_samples(self) -> bool:
        """A sample stage: it writes kept and rejected shards, which later stages consume."""
        return self.kind in SAMPLE_KINDS

    def kind_for(self, section: Any) -> str:
        """``global`` when ``global_if`` (a dotted path such as ``judge.max_samples``) names a set field of
        the section, else the declared kind."""
        if self.kind == "data" and self.global_if:
            value = section
            for part in self.global_if.split("."):
                value = getattr(value, part, None)
            if value is not None:
                return "global"
        return self.kind

    def steps_for(self, section: Any) -> list[MapStep | ReduceStep]:
        """The steps of a data stage: its ``steps`` for this section, or the one map step ``fn``."""
        if self.steps is None:
            return [MapStep(self.name, self.fn)]
        steps = list(resolve_function(self.steps)(section))
        check_steps(self.name, steps)
        return steps

    def resolve(self) -> Callable[..., Any]:
        """The stage function (imports its module on first use)."""
        return resolve_function(self.fn)

    def section_of(self, cfg: RunConfig) -> Any:
        """The config section this stage reads."""
        if self.section is not None:
            return resolve_function(self.section)(cfg)
        return getattr(cfg, self.name)


@dataclass(frozen=True)
class MapStep:
    """A per-shard step: ``fn(samples, section, ctx) -> samples`` (the stage contract, on one shard), then
    ``keys(samples, section, ctx) -> compact keys`` for the next reduce. ``fn`` None reads the shard for its
    keys only (nothing is rewritten). ``skip_if(shard_decisions) -> bool`` (keys-only steps): True leaves the
    shard unread and its keys None (a reduce that asked nothing of it)."""

    name: str
    fn: StepFn | None = None
    keys: StepFn | None = None
    skip_if: StepFn | None = None


@dataclass(frozen=True)
class ReduceStep:
    """A driver step over compact keys: ``fn(keys_by_shard, section, ctx) -> decisions_by_shard`` (one entry
    per shard, in shard order). Later steps find the result as ``ctx.decisions[name]``: a map step its
    shard's entry, a reduce step the whole list."""

    name: str
    fn: StepFn


def check_steps(stage: str, steps: list[MapStep | ReduceStep]) -> None:
    """A step list must end with a map step that writes samples, and a reduce must follow a map with keys."""
    if not steps or not isinstance(steps[-1], MapStep) or steps[-1].fn is None:
        raise PipelineError(f"stage {stage!r}: the last step must be a map step with a function")
    for step in steps:
        if isinstance(step, MapStep) and step.skip_if is not None and step.fn is not None:
            raise PipelineError(f"stage {stage!r}: map step {step.name!r} has skip_if, so it must be keys only")
    for before, step in pairwise(steps):
        if isinstance(step, ReduceStep) and not (isinstance(before, MapStep) and before.keys is not None):
            raise PipelineError(f"stage {stage!r}: reduce step {step.name!r} must follow a map step with keys")


def merge_stats(into: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Add numeric figures, merge nested dicts, concatenate lists (each shard's errors, in shard order), keep
    the last value of anything else (shard stats → stage)."""
    for key, value in more.items():
        if isinstance(value, list):
            into[key] = [*(into.get(key) or []), *value]
        elif isinstance(value, bool) or not isinstance(value, (int, float, dict)):
            into[key] = value
        elif isinstance(value, dict):
            into[key] = merge_stats(dict(into.get(key) or {}), value)
        else:
            into[key] = (into.get(key) or 0) + value
    return into


def no_progress(n: int) -> None:
    """The default progress callback (a module-level function, so a context pickles)."""


@dataclass
class StageContext:
    """What a stage may use besides its input and config.

    It travels to executor workers by pickling, so it holds data (model configs, run settings), never open
    clients; :meth:`llm` opens one where the stage runs.
    """

    run_dir: Path
    stage: str
    seed: int = 0
    # the named models of the run (``models:``); stages refer to them by name
    models: dict[str, LLMConfig] = field(default_factory=dict)
    # where and how the run executes (launcher settings for train); None outside a pipeline run
    run: RunSettings | None = None
    # this stage's own directory in the run (``<run>/<nn>_<stage>``)
    stage_dir: Path | None = None
    # Called with the number of samples just finished, to advance a progress bar.
    progress: Callable[[int], None] = no_progress
    # Free-form figures the stage wants in its manifest (tokens, cost, counts by kind).
    stats: dict[str, Any] = field(default_factory=dict)
    # An open LLM client that :meth:`llm` hands out instead of opening one (tests and benches share one
    # loaded model this way); it is not closed here.
    client: Any = None
    # What earlier reduce steps of this stage decided, by step name (see ReduceStep)
    decisions: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.stage_dir is None:
            self.stage_dir = self.run_dir / self.stage

    @classmethod
    def for_run(cls, cfg: RunConfig, stage: str, run_dir: Path | None = None, **kwargs: Any) -> StageContext:
        """A context for running one stage of ``cfg`` outside the pipeline (the per-stage CLI verbs)."""
        return cls(
            run_dir=Path(run_dir or cfg.run.out), stage=stage, seed=cfg.run.seed, models=dict(cfg.models),
            run=cfg.run, **kwargs,
        )

    def for_worker(self) -> StageContext:
        """A copy to send to an executor worker: no progress callback, no open client, empty stats."""
        return replace(self, progress=no_progress, stats={}, client=None, decisions={})

    @property
    def cache_dir(self) -> Path:
        """Directory for persistent caches shared by stages of this run (e.g. the LLM request cache)."""
        p = self.run_dir / "cache"
        p.mkdir(parents=True, exist_ok=True)
        return p

    def resolve_model(self, ref: str | LLMConfig | None) -> LLMConfig:
        """The LLMConfig a stage's ``model:`` field names (see ``llm.config.resolve_model_ref``)."""
        from alchemistcoder.llm.config import resolve_model_ref

        return resolve_model_ref(ref, self.models)

    @contextmanager
    def llm(self, ref: str | LLMConfig | None, usage_key: str | None = None) -> Iterator[Any]:
        """An open ``LLMClient`` for ``ref`` on the run's request cache; closed on exit.

        Its token usage goes into the stage's stats as ``<usage_key or stage>_usage``, also when the
        stage fails half-way (what was spent is spent).
        """
        from alchemistcoder.llm.client import LLMClient

        own = self.client is None
        client = LLMClient.from_config(self.resolve_model(ref), cache_dir=self.cache_dir, stage=self.stage) if own else self.client
        try:
            yield client
        finally:
            self.stats[f"{usage_key or self.stage}_usage"] = client.usage.as_dict()
            if own:
                client.close()

