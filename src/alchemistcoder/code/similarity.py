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


_TOKEN_HASHES: dict[str, int] = {}
_PRIME = np.uint64(0x100000001B3)


def token_hashes(tokens: Sequence[str]) -> np.ndarray:
    """A uint64 hash per token (xxh3 of the text, cached per distinct token)."""
    cache = _TOKEN_HASHES
    values = list(map(cache.get, tokens))
    if None in values:
        if len(cache) > 2_000_000:  # bound the cache on endless literal strings
            cache.clear()
        for i, v in enumerate(values):
            if v is None:
                t = tokens[i]
                v = cache.get(t)
                if v is None:
                    v = cache[t] = xxhash.xxh3_64_intdigest(t.encode("utf-8", "surrogatepass"))
                values[i] = v
    return np.array(values, dtype=np.uint64)


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64 finalizer, vectorized: spreads the bits of the rolling combination."""
    h ^= h >> np.uint64(30)
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(27)
    h *= np.uint64(0x94D049BB133111EB)
    h ^= h >> np.uint64(31)
    return h


def hash_ngrams_batch(token_lists: Sequence[Sequence[str]], n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The n-gram hashes of many token lists at once, in CSR form: (hashes, offsets), where document ``i``
    owns ``hashes[offsets[i]:offsets[i+1]]`` (not deduplicated; a list shorter than ``n`` gives one gram,
    an empty one none).

    Each distinct token is hashed once (xxh3, cached); an n-gram's hash is a polynomial combination of its
    token hashes, computed for every position of the whole batch in ``n`` vectorized steps, then mixed and
    salted with ``seed`` so shingles of different kinds never collide.
    """
    lengths = np.array([len(t) for t in token_lists], dtype=np.int64)
    flat = [tok for toks in token_lists for tok in toks]
    values = token_hashes(flat)
    starts = np.concatenate([[0], np.cumsum(lengths)])
    salt = np.uint64((seed * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF)
    # Long lists: positions p with p + n <= end of their list.
    with np.errstate(over="ignore"):
        total = len(values)
        count = max(total - n + 1, 0)
        h = np.zeros(count, dtype=np.uint64)
        for k in range(n if count else 0):
            h *= _PRIME
            h += values[k : k + count]
        h = _mix(h + salt + np.uint64(n))
    gram_counts = np.where(lengths >= n, lengths - n + 1, np.where(lengths > 0, 1, 0))
    offsets = np.concatenate([[0], np.cumsum(gram_counts)])
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    long_docs = np.flatnonzero(lengths >= n)
    if len(long_docs):
        # gather each long list's valid window starts
        idx = np.concatenate([np.arange(starts[d], starts[d] + lengths[d] - n + 1) for d in long_docs])
        dst = np.concatenate([np.arange(offsets[d], offsets[d + 1]) for d in long_docs])
        out[dst] = h[idx]
    for d in np.flatnonzero((lengths > 0) & (lengths < n)):
        # a short list is one gram of all its tokens
        with np.errstate(over="ignore"):
            g = np.uint64(0)
            for v in values[starts[d] : starts[d + 1]]:
                g = g * _PRIME + v
            out[offsets[d]] = _mix(np.array([g + salt + np.uint64(lengths[d])], dtype=np.uint64))[0]
    return out, offsets


def hash_ngrams(tokens: Sequence[str], n: int, seed: int = 0) -> np.ndarray:
    """Unique 64-bit hashes of the ``n``-grams of ``tokens`` as a sorted uint64 array (see hash_ngrams_batch)."""
    hashes, _ = hash_ngrams_batch([tokens], n, seed)
    return np.unique(hashes)


def longest_common_run(a: Sequence[str], b: Sequence[str]) -> tuple[int, int, int]:
    """(start in a, start in b, length) of the longest common contiguous run of tokens (difflib)."""
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.a, m.b, m.size
