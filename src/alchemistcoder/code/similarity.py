"""Comparing texts and programs: n-gram sets, Jaccard and containment, shingle hashes."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xxhash


def ngrams(tokens: Sequence[str], n: int) -> set[tuple[str, ...]]:
    """The set of ``n``-grams of ``tokens`` (one gram of everything when shorter than ``n``)."""
    if len(tokens) < n:
        return {tuple(tokens)} if tokens else set()
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def jaccard(a: set, b: set) -> float:
    """|a ∩ b| / |a ∪ b| (0.0 for two empty sets)."""
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: set, b: set) -> float:
    """|a ∩ b| / |a|: how much of ``a`` appears in ``b`` (0.0 when ``a`` is empty)."""
    if not a:
        return 0.0
    return len(a & b) / len(a)


def hash_ngrams(tokens: Sequence[str], n: int) -> np.ndarray:
    """Unique 64-bit hashes of the ``n``-grams of ``tokens`` (xxh3), as a sorted uint64 array."""
    if not tokens:
        return np.empty(0, dtype=np.uint64)
    if len(tokens) < n:
        grams = ["\x1f".join(tokens)]
    else:
        grams = ["\x1f".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return np.unique(np.fromiter((xxhash.xxh3_64_intdigest(g) for g in grams), dtype=np.uint64, count=len(grams)))


def longest_common_run(a: Sequence[str], b: Sequence[str]) -> tuple[int, int, int]:
    """(start in a, start in b, length) of the longest common contiguous run of tokens (difflib)."""
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.a, m.b, m.size
