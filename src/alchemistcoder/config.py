"""The run configuration: one YAML file per run, validated by pydantic.

Every section is a :class:`StrictModel`: unknown keys are errors, every field has a default and a
docstring. :func:`load_config` turns validation failures into one message that names the file, the key
path, its line in the YAML and the problem.
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, Field, PrivateAttr, ValidationError, field_validator, model_validator

from alchemistcoder.benchmark_map import Note, canonical_files, resolve_benchmark_map
from alchemistcoder.comprehend.config import ComprehendConfig
from alchemistcoder.curate.config import CurateConfig
from alchemistcoder.evaluate.config import EvalConfig
from alchemistcoder.evolve.config import EvolveConfig
from alchemistcoder.harmonize.config import HarmonizeConfig
from alchemistcoder.ingest.config import IngestConfig, SourceConfig
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.mix.config import MixConfig
from alchemistcoder.report.config import ReportConfig
from alchemistcoder.strict import StrictModel
from alchemistcoder.train.config import TrainConfig
from alchemistcoder.verify.config import VerifyConfig

M = TypeVar("M", bound=BaseModel)

log = logging.getLogger(__name__)


class ConfigError(ValueError):
    """A configuration problem, with the file, key path and line it concerns."""


class RunSettings(StrictModel):
    """Where and how a run executes."""

    out: str = Field("runs/default", description="Run directory: shards, manifests, caches, report.")
    seed: int = Field(0, description="Seed for every random choice in the run (selection, shuffles, splits).")
    executor: Literal["inprocess", "local", "ray"] = Field(
        "local", description="Executor for data stages: 'inprocess', 'local' (process pool) or 'ray'."
    )
    workers: int = Field(0, description="Worker processes for the local executor; 0 means one per core.")
    sandbox_workers: int = Field(
        0, ge=0, description="Sandboxes each executor worker runs at a time (the run's one sandbox budget); 0 means "
        "the cores divided by the executor's workers, at least 1.",
    )
    shard_size: int = Field(2000, description="Samples per shard; an interrupted stage resumes from its last complete shard.")
    ray_address: str | None = Field(None, description="Address of an existing Ray cluster; None starts a local one.")
    train_launcher: Literal["none", "accelerate", "torchrun"] = Field(
        "none", description="How the train stage starts: 'none' (in this process), 'accelerate' or 'torchrun'."
    )
    train_processes: int = Field(1, description="Training processes to launch (one per GPU) with a launcher.")
    accelerate_config: str | None = Field(
        None, description="accelerate config for the train stage (DeepSpeed ZeRO / FSDP; see configs/train/accelerate/)."
    )
    stage_functions: dict[str, str] = Field(
        default_factory=dict,
        description="Replace a stage's function with your own: {stage: 'module:function'} (same stage contract).",
    )


class RunConfig(StrictModel):
    """Everything one run needs; each stage reads its own section."""

    run: RunSettings = Field(default_factory=RunSettings, description="Run directory, seed, executor.")
    models: dict[str, LLMConfig] = Field(
        default_factory=dict,
        description="Named models; stages refer to them by name (e.g. harmonize.model: alchemist).",
    )
    benchmarks: dict[str, str] = Field(
        default_factory=dict,
        description="Benchmark file by benchmark name (ds1000: data/ds1000.jsonl), read by both decontamination "
        "(curate.decontam) and evaluation (evaluate), so both use the same problems. A benchmark not listed is read "
        "from $ALCHEMIST_SHARED_DATA when set, else the packaged copy; ds1000 must be listed. Replaces "
        "curate.decontam.paths and evaluate.data (still read, with a deprecation message, for one release).",
    )
    sources: list[SourceConfig] = Field(default_factory=list, description="Instruction sources to ingest.")
    ingest: IngestConfig = Field(default_factory=IngestConfig, description="Ingest behaviour (bad input handling).")
    curate: CurateConfig = Field(default_factory=CurateConfig, description="Filters, dedup, decontamination.")
    evolve: EvolveConfig = Field(default_factory=EvolveConfig, description="Evol-Instruct.")
    verify: VerifyConfig = Field(
        default_factory=VerifyConfig, description="Run every response, model-written tests, repair or reject."
    )
    harmonize: HarmonizeConfig = Field(default_factory=HarmonizeConfig, description="AlchemistPrompts.")
    comprehend: ComprehendConfig = Field(default_factory=ComprehendConfig, description="Code-comprehension tasks.")
    mix: MixConfig = Field(default_factory=MixConfig, description="Ratios, split and export of the final mix.")
    train: TrainConfig = Field(default_factory=TrainConfig, description="Supervised fine-tuning.")
    evaluate: EvalConfig = Field(
        default_factory=EvalConfig, description="Benchmark evaluation (the section was called eval: before)."
    )
    report: ReportConfig = Field(default_factory=ReportConfig, description="HTML report.")

    # what loading noticed but does not refuse: (key path, message), logged with the file by validate_dict
    _notes: list[Note] = PrivateAttr(default_factory=list)

    @model_validator(mode="wrap")
    @classmethod
    def _renamed_sections(cls, data: Any, handler: Any) -> RunConfig:
        # issue 25: a section is named after its stage; the old names load for one release, with a note
        data, renamed = rename_sections(data)
        cfg = handler(data)
        cfg._notes[:0] = renamed
        return cfg

    @property
    def eval(self) -> EvalConfig:
        """Deprecated: the section is ``evaluate`` (removed in the next release)."""
        warnings.warn("RunConfig.eval is deprecated; use RunConfig.evaluate", DeprecationWarning, stacklevel=2)
        return self.evaluate

    @field_validator("benchmarks")
    @classmethod
    def _benchmark_names(cls, value: dict[str, str]) -> dict[str, str]:
        return canonical_files(value)

    @model_validator(mode="after")
    def _one_benchmark_map(self) -> RunConfig:
        # decontamination and evaluation read one map: each section gets the entries for its benchmarks
        _, notes = resolve_benchmark_map(self)
        self._notes = [*self._notes, *notes]  # after any renamed section's note
        return self


# old section name -> new (issue 25: one name per stage); accepted for one release
RENAMED_SECTIONS: dict[str, str] = {"eval": "evaluate"}
# old stage name -> new, as a key of run.stage_functions
RENAMED_STAGES: dict[str, str] = {"eval": "evaluate"}


def _merged(new: Any, old: Any) -> Any:
    """``old`` laid over ``new``, mapping by mapping (a file that has both ``eval:`` and ``evaluate:``)."""
    if isinstance(new, dict) and isinstance(old, dict):
        return {**new, **{k: _merged(new.get(k), v) for k, v in old.items()}}
    return old


def rename_sections(data: Any) -> tuple[Any, list[Note]]:
    """A run config's mapping with its old section names (and old stage names under ``run.stage_functions``)
    replaced by the new ones, and one deprecation note per key renamed."""
    if not isinstance(data, dict):
        return data, []
    notes: list[Note] = []
    data = dict(data)
    for old, new in RENAMED_SECTIONS.items():
        if old in data:
            data[new] = _merged(data.get(new), data.pop(old))
            notes.append(((old,), f"deprecated: the section is '{new}:' now (one name per stage); '{old}:' loads "
                                  "until the next release"))
    functions = (data.get("run") or {}).get("stage_functions") if isinstance(data.get("run"), dict) else None
    if isinstance(functions, dict) and any(old in functions for old in RENAMED_STAGES):
        functions = dict(functions)
        for old, new in RENAMED_STAGES.items():
            if old in functions:
                functions.setdefault(new, functions.pop(old))
                notes.append((("run", "stage_functions", old), f"deprecated: the stage is '{new}' now; '{old}' "
                                                               "loads until the next release"))
        data["run"] = {**data["run"], "stage_functions": functions}
    return data, notes


def _section_key(data: dict[str, Any], name: str) -> str:
    """A renamed section's key as ``data`` spells it (``--set eval.x`` on a file with ``evaluate:``, and back)."""
    for old, new in RENAMED_SECTIONS.items():
        if name in (old, new):
            return old if old in data else new if new in data else name
    return name


def _parse_scalar(text: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return text


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``a.b.c=value`` overrides (values parsed as YAML; integer parts index lists)."""
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected KEY.PATH=VALUE")
        key, _, raw = item.partition("=")
        parts = key.strip().split(".")
        parts[0] = _section_key(data, parts[0])
        node: Any = data
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                if not part.isdigit() or int(part) >= len(node):
                    raise ConfigError(f"--set {key}: {part!r} is not an index of a list of {len(node)}")
                if last:
                    node[int(part)] = _parse_scalar(raw)
                else:
                    node = node[int(part)]
            else:
                if last:
                    node[part] = _parse_scalar(raw)
                else:
                    node = node.setdefault(part, {})
                    if not isinstance(node, (dict, list)):
                        raise ConfigError(f"--set {key}: {part!r} is a value, not a section")
    return data


def _line_of(root: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """1-based line of the YAML node at ``loc`` (or of its nearest existing parent)."""
    node, line = root, (root.start_mark.line + 1 if root is not None else None)
    old_names = {new: old for old, new in RENAMED_SECTIONS.items()}
    for depth, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            # a renamed section is found under its old name too (the file may still say eval:)
            names = {str(part), old_names.get(str(part), str(part))} if depth == 0 else {str(part)}
            for k, v in node.value:
                if k.value in names:
                    node, line = v, k.start_mark.line + 1
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return line
    return line


def format_validation_error(exc: ValidationError, path: str, root: yaml.Node | None = None) -> str:
    """One line per problem: ``file:line: key.path: message``."""
    lines = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        key = ".".join(str(p) for p in loc) or "(top level)"
        line = _line_of(root, loc)
        where = f"{path}:{line}" if line else path
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}"
        lines.append(f"{where}: {key}: {msg}")
    return "\n".join(lines)


def validate_dict(
    data: dict[str, Any],
    model: type[M],
    path: str = "<config>",
    root: yaml.Node | None = None,
    context: dict[str, Any] | None = None,
) -> M:
    """Validate a mapping against ``model``; raise ConfigError naming file, key and problem.

    ``context`` reaches pydantic validators (``config_dir`` lets sources resolve relative paths). What the model
    noticed but accepts (a deprecated key, a benchmark evaluated but not decontaminated against) is logged as a
    warning in the same ``file:line: key.path: message`` form.
    """
    try:
        cfg = model.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, path, root)) from None
    for loc, message in getattr(cfg, "_notes", None) or ():
        line = _line_of(root, loc)
        log.warning("%s: %s: %s", f"{path}:{line}" if line else path, ".".join(str(p) for p in loc), message)
    return cfg


def load_config(
    path: str | os.PathLike[str], overrides: list[str] | None = None, model: type[M] = RunConfig  # type: ignore[assignment]
) -> M:
    """Load and validate a YAML config file, applying ``--set`` style overrides first."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{p}: config file not found") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{p}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{p}:{mark.line + 1}" if mark else str(p)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: the top level must be a mapping of sections, not {type(data).__name__}")
    data = apply_overrides(data, overrides or [])
    cfg = validate_dict(data, model, str(p), root, context={"config_dir": str(p.resolve().parent)})
    return cfg


__all__ = ["ConfigError", "RunConfig", "RunSettings", "StrictModel", "apply_overrides", "load_config", "validate_dict"]
