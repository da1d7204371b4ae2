"""What makes a stage's result reusable: its input fingerprint and its config hash.

A stage's *input fingerprint* is the hash of the content hashes of its input shards (or, for a source
stage, of the source files); its *config hash* covers the config section it reads (``StageSpec.section_of``),
anything its spec adds (``extra_hash``), the named models the section refers to, and the run seed. A stage
whose manifest has the same pair is skipped; a stage whose previous attempt had the same pair resumes from
its complete shards (data-parallel stages) or starts over (global stages, whose model calls the LLM cache
makes free the second time).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from alchemistcoder.config import RunConfig
from alchemistcoder.stage import StageSpec, resolve_function
from alchemistcoder.strict import config_hash


def hash_strings(parts: list[str]) -> str:
    """A short hash of an ordered list of strings."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode())
        h.update(b"\x00")
    return h.hexdigest()[:16]


def stage_config_hash(cfg: RunConfig, spec: StageSpec) -> str:
    """Hash of the stage's section, what its spec adds, the named models it refers to, and the run seed.

    A function that replaces the built-in one (``run.stage_functions``) is part of the hash too.
    """
    section = spec.section_of(cfg)
    parts = [config_hash(section), f"seed={cfg.run.seed}"]
    if spec.extra_hash is not None:
        parts += list(resolve_function(spec.extra_hash)(cfg))
    for name in sorted(_model_names(section.model_dump(mode="json"), cfg.models)):
        parts.append(f"{name}={config_hash(cfg.models[name])}")
    if spec.name in cfg.run.stage_functions:
        parts.append(cfg.run.stage_functions[spec.name])
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
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            h.update(str(f.relative_to(path)).encode() + b"\x00")
        with open(f, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def sources_fingerprint(cfg: RunConfig) -> str:
    """Input fingerprint of a source stage: the content of every local source file (hub names hash as names)."""
    from alchemistcoder.sources.paths import resolve_source_path

    parts = []
    for src in cfg.sources:
        where = resolve_source_path(src.path, src.base_dir)
        parts.append(f"{src.name}:{file_content_hash(where.local) if where.local else 'hub:' + src.path}")
    return hash_strings(parts)
