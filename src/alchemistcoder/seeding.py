"""Seeded per-sample choices that do not depend on how the samples are sharded.

A stage may run on one process or on many shards; a choice made from ``random.Random`` over the whole list
would differ between the two. A choice made from a hash of (seed, sample id, purpose) is the same wherever
the sample lands.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


def unit_hash(seed: int, *parts: object) -> float:
    """A number in [0, 1) fixed by the seed and the parts."""
    h = hashlib.sha256(repr((seed, *parts)).encode()).digest()
    return int.from_bytes(h[:8], "big") / 2**64


def int_seed(seed: int, *parts: object) -> int:
    """A 31-bit integer seed fixed by the seed and the parts (for seeded model requests)."""
    return int(unit_hash(seed, *parts) * 2**31)


def seeded_choice(items: Sequence[T], weights: Sequence[float] | None, seed: int, *parts: object) -> T:
    """One item, drawn with ``weights`` by a generator seeded from the seed and the parts."""
    rng = random.Random(int_seed(seed, *parts))
    return rng.choices(list(items), weights=list(weights) if weights is not None else None, k=1)[0]
