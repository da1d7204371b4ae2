"""Ingest: every configured source → Samples with stable ids, provenance and an ``ingest`` trace event.

Bad input never passes silently: with ``on_error: raise`` the first bad record stops ingest with a
:class:`DataError` naming the file, the line (or record index) and the problem; with ``quarantine`` it becomes
a row of ``rejects`` (file, line, index, reason, problem, raw text) and ingest goes on. Per source,
``read = kept + rejected + excluded`` (``excluded``: MBPP test/few-shot task ids, which are never training data).
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.ingest.adapters import ADAPTERS, BadRecord, field_names
from alchemistcoder.ingest.config import IngestConfig, SourceConfig
from alchemistcoder.ingest.paths import resolve_source_path
from alchemistcoder.ingest.readers import RAW_LIMIT, array_record_lines, read_records
from alchemistcoder.io import DataError, atomic_open, write_jsonl, write_samples
from alchemistcoder.records import Sample, TraceEvent, content_id


@dataclass
class SourceCounts:
    """What happened to the records of one source."""

    read: int = 0
    kept: int = 0
    rejected: int = 0
    excluded: int = 0
    reasons: Counter[str] = field(default_factory=Counter)  # reject and exclusion reasons

    def to_dict(self) -> dict[str, Any]:
        return {"read": self.read, "kept": self.kept, "rejected": self.rejected, "excluded": self.excluded,
                "reasons": dict(sorted(self.reasons.items()))}


@dataclass
class IngestResult:
    """Samples of all sources in config order, the quarantined records, and counts per source."""

    samples: list[Sample]
    rejects: list[dict[str, Any]]
    counts: dict[str, SourceCounts]
    seconds: float = 0.0

    @property
    def totals(self) -> SourceCounts:
        total = SourceCounts()
        for c in self.counts.values():
            total.read += c.read
            total.kept += c.kept
            total.rejected += c.rejected
            total.excluded += c.excluded
            total.reasons.update(c.reasons)
        return total


def _excluded_ids(source: SourceConfig) -> list[tuple[int, int, str]]:
    out = []
    for first, last in source.mbpp_exclude:
        # name the reason by the conventional split the range belongs to
        reason = "mbpp_fewshot" if last <= 10 else "mbpp_test_split" if first >= 11 and last <= 510 else "mbpp_excluded"
        out.append((first, last, reason))
    return out


def ingest_source(source: SourceConfig, cfg: IngestConfig) -> tuple[list[Sample], list[dict[str, Any]], SourceCounts]:
    """Read and adapt one source. Raises DataError on bad input unless ``cfg.on_error == 'quarantine'``."""
    counts = SourceCounts()
    rejects: list[dict[str, Any]] = []
    samples = list(iter_source(source, cfg, counts, rejects))
    return samples, rejects, counts


def iter_source(source: SourceConfig, cfg: IngestConfig, counts: SourceCounts, rejects: list[dict[str, Any]],
                stage: str = "ingest") -> Iterator[Sample]:
    """The samples of one source as they are read, each with an ``ingest`` event under ``stage`` (in a run:
    ``ctx.stage``); ``counts`` and ``rejects`` are complete once it is exhausted. Raises DataError on bad
    input unless ``cfg.on_error == 'quarantine'``."""
    if source.format not in ADAPTERS:
        raise DataError(source.path, f"unknown format {source.format!r}; known: {sorted(ADAPTERS)}")
    where = resolve_source_path(source.path, source.base_dir)
    file_label = str(where.local) if where.local is not None else f"hub:{where.hub}"
    array_lines: list[int] | None = None

    def line_of(index: int | None, line: int | None) -> int | None:
        nonlocal array_lines
        if line is not None or index is None or where.local is None or not where.local.name.endswith(".json"):
            return line
        if array_lines is None:
            try:
                array_lines = array_record_lines(where.local)
            except ValueError:
                array_lines = []
        return array_lines[index] if index < len(array_lines) else None

    def on_bad(index: int | None, line: int | None, reason: str, problem: str, raw: str) -> None:
        line = line_of(index, line)
        if cfg.on_error == "raise":
            at = f"record {index}: " if index is not None else ""
            raise DataError(file_label, f"{at}{problem}", line)
        counts.read += 1
        counts.rejected += 1
        counts.reasons[reason] += 1
        rejects.append({"source": source.name, "file": file_label, "line": line, "index": index,
                        "reason": reason, "problem": problem, "raw": raw})

    records = read_records(where, on_bad, limit=source.limit, split=source.split, subset=source.subset,
                           revision=source.revision)
    try:
        names = field_names(source.format, source.fields)
    except ValueError as exc:
        raise DataError(file_label, str(exc)) from None
    adapt = ADAPTERS[source.format]
    excluded = _excluded_ids(source) if source.format == "mbpp" else []
    name, fmt, task, system, hint = source.name, source.format, source.task, source.system, source.language
    copy_keys = source.meta_fields
    seen: dict[str, int] = {}
    n = 0
    for index, line, rec in records:
        try:
            messages, meta = adapt(rec, names)
        except BadRecord as bad:
            on_bad(index, line, bad.reason, bad.problem, orjson.dumps(rec).decode()[:RAW_LIMIT])
            continue
        if excluded:
            task_id = meta["task_id"]
            reason = next((r for first, last, r in excluded if first <= task_id <= last), None)
            if reason is not None:
                counts.read += 1
                counts.excluded += 1
                counts.reasons[reason] += 1
                continue
        if system:
            messages.insert(0, {"role": "system", "content": system})
        base = content_id(name, messages)
        copy = seen.get(base, 0)
        seen[base] = copy + 1
        origin: dict[str, Any] = {"file": file_label, "index": index}
        if line is not None:
            origin["line"] = line
        meta["origin"] = origin
        if hint:
            meta["language_hint"] = hint
        for key in copy_keys:
            if isinstance(rec, dict) and key in rec:
                meta[key] = rec[key]
        params: dict[str, Any] = {"format": fmt}
        if copy:
            params["copy"] = copy  # an exact duplicate inside this source; the id is salted with its number
        n += 1
        yield Sample(
            id=content_id(name, messages, str(copy)) if copy else base,
            source=name, messages=messages, task=task, meta=meta,
            trace=[TraceEvent("ingest", "info", params=params, stage=stage)],
        )
    counts.read += n
    counts.kept = n


def ingest_sources(sources: list[SourceConfig], cfg: IngestConfig | None = None) -> IngestResult:
    """Ingest every source in order into one list. Source names must be unique."""
    result = IngestResult([], [], {})
    result.samples.extend(iter_sources(sources, cfg or IngestConfig(), result))
    return result


def iter_sources(sources: list[SourceConfig], cfg: IngestConfig, result: IngestResult,
                 stage: str = "ingest") -> Iterator[Sample]:
    """The samples of every source in order, as they are read (the pipeline's ingest writes them to shards
    as they come, so the driver never holds the corpus); ``result`` gets the rejects, the counts and the
    seconds once the iterator is exhausted (its ``samples`` are left alone)."""
    names = Counter(s.name for s in sources)
    dupes = sorted(n for n, k in names.items() if k > 1)
    if dupes:
        raise DataError("<config>", f"source names must be unique (ids depend on them); repeated: {dupes}")
    start = time.perf_counter()
    # Ingest allocates millions of small dicts and no reference cycles: the cyclic GC's repeated scans of
    # the growing heap cost ~30% of the time and free nothing, so it pauses until ingest is done.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for source in sources:
            counts = result.counts[source.name] = SourceCounts()
            yield from iter_source(source, cfg, counts, result.rejects, stage)
    finally:
        if gc_was_enabled:
            gc.enable()
    result.seconds = time.perf_counter() - start


def write_ingest(result: IngestResult, out_dir: str | Path, cfg: IngestConfig | None = None,
                 extra_manifest: dict[str, Any] | None = None) -> dict[str, Path]:
    """Write ``samples.<fmt>``, ``rejects.jsonl`` and ``manifest.json`` (counts, timings) into ``out_dir``."""
    cfg = cfg or IngestConfig()
    out = Path(out_dir)
    paths = {"samples": out / f"samples.{cfg.output}", "rejects": out / "rejects.jsonl",
             "manifest": out / "manifest.json"}
    write_samples(paths["samples"], result.samples)
    write_jsonl(paths["rejects"], result.rejects)
    totals = result.totals
    manifest = {
        "stage": "ingest",
        "counts": {name: c.to_dict() for name, c in result.counts.items()},
        "totals": totals.to_dict(),
        "balanced": totals.read == totals.kept + totals.rejected + totals.excluded,
        "seconds": round(result.seconds, 3),
        "files": {k: p.name for k, p in paths.items() if k != "manifest"},
        **(extra_manifest or {}),
    }
    with atomic_open(paths["manifest"], "wb") as fh:
        fh.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    return paths
