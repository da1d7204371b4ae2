"""Selection: which samples get an AlchemistPrompt.

Stratified per source (every source contributes its own share, so a large source cannot crowd out a small
one) and deterministic under the seed: the order inside a source is a hash of (seed, sample id), so the choice
does not depend on the order or the sharding of the input, and a sample picked at 5% is also picked at 10%.

The decision is made over compact :class:`Candidate` keys, not Samples, so that it can run as a reduce over
every shard's keys (``harmonize_steps``). Whether a sample is eligible costs its grounding (about 1 ms), so
it is learned lazily: :func:`pick` walks each source in seeded order and, where it meets a candidate whose
eligibility is not known yet, asks for it instead of deciding. :func:`select` is the same decision over one
list of Samples.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from alchemistcoder.records import Sample

RANK_SPAN = 2**64  # selection_key's range


def selection_key(seed: int, sample_id: str) -> int:
    """A stable pseudo-random rank of a sample under ``seed``."""
    return int.from_bytes(hashlib.sha256(f"{seed}\x00{sample_id}".encode()).digest()[:8], "big")


def quota(fraction: float, n: int) -> int:
    """How many of ``n`` samples a ``fraction`` picks (rounded half up; never more than ``n``)."""
    return min(n, math.floor(fraction * n + 0.5))


@dataclass(frozen=True, slots=True)  # one per kept sample in the driver's reduce: no __dict__ each
class Candidate:
    """One kept sample as the selection sees it. ``eligible`` None: not looked at yet (its grounding is owed);
    ``priority``: the facts its instruction misses, when known."""

    source: str
    id: str
    rank: int
    eligible: bool | None = None
    priority: int = 0


@dataclass
class Pick:
    """What :func:`pick` decided: the chosen ids, or the ids whose eligibility it still needs."""

    chosen: set[str]
    needed: set[str]

    @property
    def done(self) -> bool:
        return not self.needed


def pick(candidates: Sequence[Candidate], fraction: float, prioritize: bool = False, batch: int | None = None) -> Pick:
    """``fraction`` of each source's candidates (its kept samples), taken from the eligible ones.

    Without ``prioritize`` the first eligible ones in seeded order are taken; a source whose walk meets an
    unknown candidate before its quota is full asks for the unknown ones ahead (``batch`` of them, or all of
    them with ``batch`` None, which makes the next call final). With ``prioritize`` the eligible ones with
    the highest priority go first (the seeded rank breaks ties), so every unknown candidate is asked for.
    """
    by_source: dict[str, list[Candidate]] = defaultdict(list)
    for c in candidates:
        by_source[c.source].append(c)
    chosen: set[str] = set()
    needed: set[str] = set()
    for pool in by_source.values():
        k = quota(fraction, len(pool))
        if k == 0:
            continue
        if prioritize:
            unknown = [c.id for c in pool if c.eligible is None]
            if unknown:
                needed.update(unknown)
                continue
            ranked = sorted((c for c in pool if c.eligible), key=lambda c: (-c.priority, c.rank))
            chosen.update(c.id for c in ranked[:k])
            continue
        ordered = sorted(pool, key=lambda c: c.rank)
        picked: list[str] = []
        unknown_at = None  # where the walk met a candidate not looked at, before the quota was full
        for position, c in enumerate(ordered):
            if len(picked) == k:
                break
            if c.eligible is None:
                unknown_at = position
                break
            if c.eligible:
                picked.append(c.id)
        if unknown_at is None:
            chosen.update(picked)
        else:
            ahead = [o.id for o in ordered[unknown_at:] if o.eligible is None]
            needed.update(ahead if batch is None else ahead[: max(batch, 2 * (k - len(picked)))])
    return Pick(chosen, needed)


def select(
    samples: Sequence[Sample],
    fraction: float,
    seed: int,
    eligible: Callable[[Sample], bool],
    priority: Callable[[Sample], int] | None = None,
) -> list[Sample]:
    """The samples to customize (see :func:`pick`), over one list: ``eligible`` is asked lazily, a few ahead
    of the walk at a time, so at 5% only about 5% of the samples pay for it. Returned in input order."""
    by_id = {s.id: s for s in samples if not s.rejected}
    candidates = {i: Candidate(s.source, i, selection_key(seed, i)) for i, s in by_id.items()}
    while True:
        result = pick(list(candidates.values()), fraction, prioritize=priority is not None, batch=16)
        if result.done:
            break
        for i in result.needed:
            ok = eligible(by_id[i])
            candidates[i] = replace(candidates[i], eligible=ok, priority=priority(by_id[i]) if ok and priority else 0)
    return [s for s in samples if s.id in result.chosen and not s.rejected]
