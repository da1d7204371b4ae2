"""Count in = count out: every record that enters a stage leaves it, kept or rejected with a reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from alchemistcoder.records import Sample
from alchemistcoder.stage import PipelineError


def merge_stats(into: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Add numeric figures, merge nested dicts, keep the last value of anything else (shard stats → stage)."""
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
    Raises :class:`PipelineError` when a record went missing or the counts do not balance.
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
    created = sum((out_ids - in_ids).values())
    kept = sum(1 for s in outputs if not s.rejected)
    rejected = len(outputs) - kept
    reasons: Counter[str] = Counter()
    for s in outputs:
        if s.rejected and s.id not in before.rejected:
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
    if not counts["balanced"]:
        raise PipelineError(f"stage {stage!r}: count in + created != kept + rejected ({counts})")
    return {"counts": counts, "rejects_by_reason": dict(sorted(reasons.items()))}
