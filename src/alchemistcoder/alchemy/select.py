"""Selection: which samples get an AlchemistPrompt.

Stratified per source (every source contributes its own share, so a large source cannot crowd out a small
one) and deterministic under the seed: the order inside a source is a hash of (seed, sample id), so the choice
does not depend on the order or the sharding of the input, and a sample picked at 5% is also picked at 10%.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Sequence

from alchemistcoder.records import Sample


def selection_key(seed: int, sample_id: str) -> int:
    """A stable pseudo-random rank of a sample under ``seed``."""
    return int.from_bytes(hashlib.sha256(f"{seed}\x00{sample_id}".encode()).digest()[:8], "big")


def quota(fraction: float, n: int) -> int:
    """How many of ``n`` samples a ``fraction`` picks (rounded half up; never more than ``n``)."""
    return min(n, math.floor(fraction * n + 0.5))


def select(
    samples: Sequence[Sample],
    fraction: float,
    seed: int,
    eligible: Callable[[Sample], bool],
    priority: Callable[[Sample], int] | None = None,
) -> list[Sample]:
    """The samples to customize: ``fraction`` of each source's kept samples, taken from the eligible ones.

    The quota of a source is computed over its kept (non-rejected) samples; candidates are those for which
    ``eligible`` holds. With ``priority`` (e.g. the number of facts the instruction misses), higher values
    go first and the seeded hash breaks ties. Returned in input order.
    """
    kept: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        if not s.rejected:
            kept[s.source].append(s)
    chosen: set[str] = set()
    for pool in kept.values():
        k = quota(fraction, len(pool))
        if priority is None:
            # Walk the seeded order and test eligibility lazily: at 5% only about 5% of the samples need
            # their (costly) grounding, and the result equals filtering first.
            picked = []
            for s in sorted(pool, key=lambda s: selection_key(seed, s.id)):
                if len(picked) == k:
                    break
                if eligible(s):
                    picked.append(s)
        else:
            ranked = sorted((s for s in pool if eligible(s)), key=lambda s: (-priority(s), selection_key(seed, s.id)))
            picked = ranked[:k]
        chosen.update(s.id for s in picked)
    return [s for s in samples if s.id in chosen and not s.rejected]
