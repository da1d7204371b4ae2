"""Count in = count out: every record that enters a stage leaves it, kept or rejected with a reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from alchemistcoder.records import Sample
from alchemistcoder.stage import PipelineError


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


def sum_accounts(stage: str, n_in: int, changes: list[dict[str, Any]], final: list[dict[str, Any]]) -> dict[str, Any]:
    """A stepped stage's accounting from its map steps' per-shard accountings (each from :func:`account`).

    ``changes`` holds every step's shard accountings: what was created and rejected adds up over steps;
    ``final`` the last step's, whose kept and rejected are the stage's output.
    """
    reasons: Counter[str] = Counter()
    for a in changes:
        reasons.update(a["rejects_by_reason"])
    counts = {
        "in": n_in,
        "created": sum(a["counts"]["created"] for a in changes),
        "kept": sum(a["counts"]["kept"] for a in final),
        "rejected": sum(a["counts"]["rejected"] for a in final),
        "rejected_here": sum(reasons.values()),
    }
    counts["balanced"] = counts["in"] + counts["created"] == counts["kept"] + counts["rejected"]
    if not counts["balanced"]:
        raise PipelineError(f"stage {stage!r}: count in + created != kept + rejected ({counts})")
    return {"counts": counts, "rejects_by_reason": dict(sorted(reasons.items()))}
