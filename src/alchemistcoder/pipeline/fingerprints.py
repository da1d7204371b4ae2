"""What makes a stage's result reusable: its input fingerprint and its config hash, both from its spec.

A stage's *input fingerprint* is made of what its spec says it consumes: the content hashes of its input
shards (kept, then rejected when it consumes ``REJECTED``), the fingerprints of the products it reads (a
train file: its bytes; a checkpoint: the train stage's own fingerprint and config hash), or, for a stage
that reads the config rather than earlier stages, its spec's ``fingerprint`` hook (ingest: the source
files). Its *config hash* covers the config section it reads (``StageSpec.section_of``), anything its spec
adds (``extra_hash``), the named models the section refers to, and the run seed. A stage whose manifest
has the same pair is skipped; a stage whose previous attempt had the same pair resumes from its complete
shards (data-parallel stages) or starts over (global stages, whose model calls the LLM cache makes free
the second time).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alchemistcoder.config import RunConfig
from alchemistcoder.pipeline.shards import ShardRef
from alchemistcoder.stage import REJECTED, SAMPLES, Product, StageSpec, resolve_function
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


@dataclass(frozen=True)
class ProductRef:
    """A product as later stages receive it: its path and its fingerprint (None: a file that is not there)."""

    path: str
    fingerprint: str | None


def product_ref(product: Product, manifest: dict[str, Any]) -> ProductRef | None:
    """What a finished stage hands on as ``product`` (None when its manifest names no such file)."""
    path = product.path_in(manifest)
    if path is None:
        return None
    if product.by_content:
        return ProductRef(path, file_content_hash(Path(path)) if Path(path).exists() else None)
    return ProductRef(path, hash_strings([manifest["input_fingerprint"], manifest["config_hash"]]))


def input_fingerprint(cfg: RunConfig, spec: StageSpec, shards: list[ShardRef],
                      products: dict[str, ProductRef]) -> str:
    """The stage's input fingerprint: its ``fingerprint`` hook's, else a hash of what it consumes (the content
    hashes of ``shards``, kept then rejected, and each consumed product's fingerprint, ``none`` when absent)."""
    if spec.fingerprint is not None:
        return str(resolve_function(spec.fingerprint)(cfg))
    parts: list[str] = []
    if SAMPLES in spec.inputs or REJECTED in spec.inputs:
        parts += [*(r.sha256 for r in shards if not r.rejected), "|", *(r.sha256 for r in shards if r.rejected)]
    for name in spec.inputs:
        if name not in (SAMPLES, REJECTED):
            ref = products.get(name)
            parts += [name, str(ref.fingerprint) if ref is not None else "none"]
    return hash_strings(parts)
