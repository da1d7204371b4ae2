"""Curation: quality filters, deduplication and benchmark decontamination, every rejection kept in the trace.

    from alchemistcoder.curate import run_curate, curate_filters_batch, decontaminate_samples, dedup_samples

Names are imported lazily: ``alchemistcoder.config`` imports ``curate.config`` through this package, and
the CLI must not pay for numpy and the parsers just to read a config.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

_EXPORTS = {
    "CurateConfig": "alchemistcoder.curate.config",
    "DecontamConfig": "alchemistcoder.curate.config",
    "DedupConfig": "alchemistcoder.curate.config",
    "FilterConfig": "alchemistcoder.curate.config",
    "JudgeConfig": "alchemistcoder.curate.config",
    "DecontamIndex": "alchemistcoder.decontam.step",
    "decontaminate_samples": "alchemistcoder.decontam.step",
    "load_entries": "alchemistcoder.decontam.retrieval.ngram",
    "dedup_samples": "alchemistcoder.curate.dedup",
    "curate_filters_batch": "alchemistcoder.curate.filters",
    "curate_steps": "alchemistcoder.curate.stage",
    "run_curate": "alchemistcoder.curate.stage",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
