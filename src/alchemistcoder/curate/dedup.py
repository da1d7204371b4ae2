"""Exact and near-duplicate removal.

Exact duplicates share the same whitespace-normalized instruction and response. Near duplicates are found
with MinHash signatures and LSH banding over shingles of the instruction (word n-grams) and of the code
(token n-grams); every LSH candidate pair is then checked with the *exact* Jaccard similarity of the two
shingle sets, so the threshold means what it says and only LSH misses can cost recall.

The MinHash is vectorized with numpy over whole batches (one multiply-add-shift per permutation and shingle,
then a segmented minimum), which is what makes it several times faster than hashing document by document.
Over a sharded input, dedup is map -> reduce -> map -> reduce -> map, as in datatrove's MinHash: per shard,
exact digests and LSH band keys (:func:`dedup_keys`); on the driver, exact clusters and candidate pairs
from equal band keys (:func:`plan_dedup`); per shard, the shingle sets of the candidates only
(:func:`candidate_shingles`); on the driver, exact Jaccard and union-find (:func:`near_decisions`); per
shard, the rejections (:func:`apply_dedup`). :func:`dedup_samples` runs the same functions over one list.

In every cluster one sample is kept, chosen deterministically: the earliest source in
``source_priority``, then higher :func:`sample_quality`, then the smaller id. The others are rejected with
``duplicate_of`` naming the kept sample.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import xxhash

from alchemistcoder.code import code_tokens, extract_code_blocks, word_tokens
from alchemistcoder.code.similarity import hash_ngrams_batch
from alchemistcoder.curate.config import DedupConfig
from alchemistcoder.records import Sample

OP = "dedup"
_MASK32 = np.uint64(0xFFFFFFFF)
_WS = re.compile(r"\s+")
# Shingles per vectorized step: a (num_perm x 8192) uint64 work array (8 MB) stays cache-friendly.
_CHUNK = 8192


# -- shingles ---------------------------------------------------------------------------------------------
@dataclass
class Shingles:
    """The hashed shingles of many samples in CSR form: sample ``i`` owns ``hashes[offsets[i]:offsets[i+1]]``."""

    hashes: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def set_of(self, i: int) -> np.ndarray:
        """Sample ``i``'s shingles as a sorted unique array."""
        return np.unique(self.hashes[self.offsets[i] : self.offsets[i + 1]])


def _concat_csr(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> Shingles:
    """Per-document concatenation of two CSR arrays (vectorized)."""
    (ha, oa), (hb, ob) = a, b
    la, lb = np.diff(oa), np.diff(ob)
    offsets = np.concatenate([[0], np.cumsum(la + lb)])
    out = np.empty(int(offsets[-1]), dtype=np.uint64)
    out[np.repeat(offsets[:-1] - oa[:-1], la) + np.arange(len(ha))] = ha
    out[np.repeat(offsets[:-1] + la - ob[:-1], lb) + np.arange(len(hb))] = hb
    return Shingles(out, offsets)


def response_tokens(response: str) -> list[str]:
    """The tokens a response is shingled on: its code's tokens as written, or its words when it has no code."""
    blocks = extract_code_blocks(response)
    if not blocks:
        return word_tokens(response)
    tokens: list[str] = []
    for block in blocks:
        tokens.extend(code_tokens(block.language, block.code))
    return tokens


def shingle_samples(pairs: Sequence[tuple[str, str]], n: int) -> Shingles:
    """Shingles of (instruction, response) pairs: instruction word n-grams plus response code-token n-grams.

    The two kinds are salted differently so an instruction never matches a response.
    """
    inst = hash_ngrams_batch([word_tokens(i) for i, _ in pairs], n, seed=1)
    resp = hash_ngrams_batch([response_tokens(r) for _, r in pairs], n, seed=2)
    return _concat_csr(inst, resp)


# -- MinHash ----------------------------------------------------------------------------------------------
@dataclass
class MinHasher:
    """``num_perm`` hash functions h(x) = (a*x + b) >> 32 over 32-bit folded shingle hashes (2-universal)."""

    num_perm: int = 128
    seed: int = 1

    def __post_init__(self) -> None:
        rng = np.random.default_rng(self.seed)
        self.a = (rng.integers(1, 2**62, self.num_perm, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(1)
        self.b = rng.integers(0, 2**63 - 1, self.num_perm, dtype=np.int64).astype(np.uint64)

    def signatures(self, shingles: Shingles) -> np.ndarray:
        """A (len(shingles), num_perm) uint32 matrix; an empty set gets all 0xFFFFFFFF (it matches nothing).

        Documents are processed in chunks of about _CHUNK shingles so the (num_perm x chunk) work array stays
        in cache; every step is an in-place numpy operation over the whole chunk.
        """
        n = len(shingles)
        out = np.full((n, self.num_perm), 0xFFFFFFFF, dtype=np.uint32)
        lengths = shingles.lengths()
        nonempty = np.flatnonzero(lengths)
        if not len(nonempty):
            return out
        x = shingles.hashes
        x = (x ^ (x >> np.uint64(32))) & _MASK32
        offs = shingles.offsets
        a, b = self.a[:, None], self.b[:, None]
        buf = np.empty((self.num_perm, _CHUNK), dtype=np.uint64)
        # chunk boundaries over the non-empty documents
        ends = offs[nonempty + 1]
        i = 0
        with np.errstate(over="ignore"):
            while i < len(nonempty):
                lo = offs[nonempty[i]]
                j = max(int(np.searchsorted(ends, lo + _CHUNK, side="right")), i + 1)
                hi = ends[j - 1]
                work = buf[:, : hi - lo] if hi - lo <= _CHUNK else np.empty((self.num_perm, hi - lo), dtype=np.uint64)
                np.multiply(a, x[None, lo:hi], out=work)
                work += b
                work >>= np.uint64(32)
                docs = nonempty[i:j]
                out[docs] = np.minimum.reduceat(work, offs[docs] - lo, axis=1).T
                i = j
        return out


def lsh_params(threshold: float, num_perm: int, fn_weight: float = 0.98) -> tuple[int, int]:
    """(bands, rows) minimizing the weighted false-positive / false-negative areas of the LSH S-curve.

    False negatives weigh more than false positives because every candidate is verified exactly afterwards.
    """
    best, best_cost = (1, num_perm), float("inf")
    s_lo = np.linspace(0.0, threshold, 200)
    s_hi = np.linspace(threshold, 1.0, 200)
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp = np.trapezoid(1 - (1 - s_lo**rows) ** bands, s_lo)
            fn = np.trapezoid((1 - s_hi**rows) ** bands, s_hi)
            cost = (1 - fn_weight) * fp + fn_weight * fn
            if cost < best_cost:
                best, best_cost = (bands, rows), cost
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int, seed: int = 1) -> np.ndarray:
    """A (n, bands) uint64 matrix: one key per band of each signature (a polynomial hash of its rows)."""
    rng = np.random.default_rng(seed + 7919)
    mult = (rng.integers(1, 2**62, rows, dtype=np.int64).astype(np.uint64) << np.uint64(1)) | np.uint64(1)
    sig = signatures[:, : bands * rows].astype(np.uint64).reshape(len(signatures), bands, rows)
    with np.errstate(over="ignore"):
        keys = (sig * mult[None, None, :]).sum(axis=2, dtype=np.uint64)
        keys += np.arange(bands, dtype=np.uint64)[None, :] * np.uint64(0x9E3779B97F4A7C15)
    return keys


def candidate_pairs(keys: np.ndarray, valid: np.ndarray | None = None, max_bucket: int = 64) -> np.ndarray:
    """Unique (i, j) pairs, i < j, that share a band key in any band. Buckets larger than ``max_bucket``
    contribute a chain and a star instead of all their pairs (they are template clusters, not pairs)."""
    n, bands = keys.shape
    pairs: list[np.ndarray] = []
    ids = np.arange(n) if valid is None else np.flatnonzero(valid)
    for band in range(bands):
        col = keys[ids, band]
        order = np.argsort(col, kind="stable")
        sorted_keys = col[order]
        members = ids[order]
        boundaries = np.flatnonzero(np.diff(sorted_keys)) + 1
        starts = np.concatenate([[0], boundaries])
        ends = np.concatenate([boundaries, [len(sorted_keys)]])
        sizes = ends - starts
        # the common case, buckets of two, fully vectorized
        two = starts[sizes == 2]
        if len(two):
            pairs.append(np.stack([members[two], members[two + 1]], axis=1))
        for s, e in zip(starts[sizes > 2], ends[sizes > 2], strict=True):
            group = members[s:e]
            if len(group) <= max_bucket:
                ii, jj = np.triu_indices(len(group), k=1)
                pairs.append(np.stack([group[ii], group[jj]], axis=1))
            else:
                pairs.append(np.stack([group[:-1], group[1:]], axis=1))
                pairs.append(np.stack([np.full(len(group) - 1, group[0]), group[1:]], axis=1))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    allp = np.concatenate(pairs).astype(np.int64)
    allp.sort(axis=1)
    code = allp[:, 0] * n + allp[:, 1]
    code = np.unique(code)
    return np.stack([code // n, code % n], axis=1)


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity of two sorted unique hash arrays."""
    if len(a) == 0 or len(b) == 0:
        return 0.0
    inter = len(np.intersect1d(a, b, assume_unique=True))
    return inter / (len(a) + len(b) - inter)


def near_duplicate_pairs(shingles: Shingles, cfg: DedupConfig) -> list[tuple[int, int, float]]:
    """Pairs (i, j, jaccard) with exact Jaccard >= cfg.threshold, found through MinHash LSH candidates."""
    sig = MinHasher(cfg.num_perm, cfg.seed).signatures(shingles)
    bands, rows = lsh_params(cfg.threshold, cfg.num_perm)
    keys = band_keys(sig, bands, rows, cfg.seed)
    sets: dict[int, np.ndarray] = {}
    found = []
    for i, j in candidate_pairs(keys, shingles.lengths() > 0).tolist():
        a = sets.get(i)
        if a is None:
            a = sets[i] = shingles.set_of(i)
        b = sets.get(j)
        if b is None:
            b = sets[j] = shingles.set_of(j)
        jac = exact_jaccard(a, b)
        if jac >= cfg.threshold:
            found.append((i, j, jac))
    return found


# -- clusters and the kept sample -------------------------------------------------------------------------
def sample_quality(sample: Sample) -> float:
    """A deterministic quality score for choosing the kept duplicate: has code (1) plus length up to 4000 chars."""
    code = sample.meta.get("code") or {}
    has_code = 1.0 if code.get("blocks", 1) else 0.0
    return has_code + min(len(sample.response), 4000) / 4000


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def normalized_text(sample: Sample) -> str:
    """Instruction and response with runs of whitespace collapsed (the exact-duplicate key)."""
    return _WS.sub(" ", sample.instruction).strip() + "\x00" + _WS.sub(" ", sample.response).strip()


# -- dedup as map -> reduce -> map over shards ------------------------------------------------------------
# The samples stay in their shards; the reduces see only the keys below. ``row`` is a sample's position in
# its shard, ``pos`` its position among the live samples of the whole input once exact duplicates are gone
# (the numbering the candidate pairs use).
@dataclass
class DedupKeys:
    """Compact keys of one shard's not-yet-rejected samples: what the dedup reduce sees instead of them."""

    rows: list[int]
    ids: list[str]
    sources: list[str]
    quality: list[float]
    exact: list[bytes]  # xxh3-128 of the normalized text (empty when exact dedup is off)
    bands: np.ndarray  # (n, bands) LSH band keys of the MinHash signature (no columns when near dedup is off)
    nonempty: np.ndarray  # whether the sample has any shingle


@dataclass
class Candidate:
    """A sample in some near-duplicate candidate pair, with the exact shingle set that verifies the pair."""

    pos: int
    row: int
    id: str
    source: str
    quality: float
    shingles: np.ndarray


@lru_cache(maxsize=8)
def _lsh(threshold: float, num_perm: int) -> tuple[int, int]:
    return lsh_params(threshold, num_perm)


def dedup_keys(samples: Sequence[Sample], cfg: DedupConfig) -> DedupKeys:
    """Map: the keys of a shard's live samples (exact digest, LSH band keys, what picks a cluster's keeper)."""
    rows = [i for i, s in enumerate(samples) if not s.rejected]
    live = [samples[i] for i in rows]
    exact = [xxhash.xxh3_128_digest(normalized_text(s).encode()) for s in live] if cfg.exact else []
    if cfg.near and live:
        shingles = shingle_samples([(s.instruction, s.response) for s in live], cfg.shingle_size)
        bands, rows_per_band = _lsh(cfg.threshold, cfg.num_perm)
        keys = band_keys(MinHasher(cfg.num_perm, cfg.seed).signatures(shingles), bands, rows_per_band, cfg.seed)
        nonempty = shingles.lengths() > 0
    else:
        keys, nonempty = np.empty((len(live), 0), dtype=np.uint64), np.zeros(len(live), dtype=bool)
    return DedupKeys(rows, [s.id for s in live], [s.source for s in live], [sample_quality(s) for s in live],
                     exact, keys, nonempty)


def _order(ids: Sequence[str], sources: Sequence[str], quality: Sequence[float], source_priority: Sequence[str]):
    """Sort key of the keeper choice: earlier source in priority, then higher quality, then smaller id."""
    rank = {name: i for i, name in enumerate(source_priority)}

    def key(i: int) -> tuple[int, float, str]:
        return (rank.get(sources[i], len(rank)), -quality[i], ids[i])

    return key


def plan_dedup(keys: Sequence[DedupKeys], cfg: DedupConfig) -> list[dict[str, Any]]:
    """Reduce: exact-duplicate clusters, and the near-duplicate candidate pairs among what is left.

    Returns one decision per shard: ``exact`` (row -> reject params), ``candidates`` (row -> pos of the
    samples in a candidate pair) and ``pairs`` (the candidate pairs whose first sample is in that shard, in
    the global order of :func:`candidate_pairs`).
    """
    where = [(shard, row) for shard, k in enumerate(keys) for row in k.rows]
    ids = [i for k in keys for i in k.ids]
    sources = [x for k in keys for x in k.sources]
    quality = [q for k in keys for q in k.quality]
    plans: list[dict[str, Any]] = [{"exact": {}, "candidates": {}, "pairs": []} for _ in keys]
    dropped: set[int] = set()
    if cfg.exact:
        order = _order(ids, sources, quality, cfg.source_priority)
        groups: dict[bytes, list[int]] = {}
        for i, digest in enumerate(d for k in keys for d in k.exact):
            groups.setdefault(digest, []).append(i)
        for members in groups.values():
            if len(members) < 2:
                continue
            members.sort(key=order)
            for i in members[1:]:
                shard, row = where[i]
                plans[shard]["exact"][row] = {"duplicate_of": ids[members[0]], "kind": "exact"}
                dropped.add(i)
    remaining = [i for i in range(len(ids)) if i not in dropped]
    if cfg.near and len(remaining) > 1:
        bands = np.concatenate([k.bands for k in keys])[remaining]
        nonempty = np.concatenate([k.nonempty for k in keys])[remaining]
        for i, j in candidate_pairs(bands, nonempty).tolist():
            shard, row = where[remaining[i]]
            plans[shard]["pairs"].append((i, j))
            for pos in (i, j):
                shard, row = where[remaining[pos]]
                plans[shard]["candidates"][row] = pos
    return plans


def candidate_shingles(samples: Sequence[Sample], candidates: dict[int, int], cfg: DedupConfig) -> list[Candidate]:
    """Map: the shingle sets of a shard's candidate samples (``candidates``: row -> pos)."""
    rows = sorted(candidates)
    shingles = shingle_samples([(samples[r].instruction, samples[r].response) for r in rows], cfg.shingle_size)
    return [Candidate(candidates[r], r, samples[r].id, samples[r].source, sample_quality(samples[r]), shingles.set_of(k))
            for k, r in enumerate(rows)]


def near_decisions(pairs: Sequence[tuple[int, int]], candidates: Sequence[Sequence[Candidate]],
                   cfg: DedupConfig) -> list[dict[int, dict[str, Any]]]:
    """Reduce: verify the candidate pairs with exact Jaccard, cluster them (union-find), and reject every
    member but the keeper; returns row -> reject params per shard (``candidates`` is by shard)."""
    by_pos = {c.pos: (shard, c) for shard, cs in enumerate(candidates) for c in cs}
    out: list[dict[int, dict[str, Any]]] = [{} for _ in candidates]
    found = []
    for i, j in pairs:
        jac = exact_jaccard(by_pos[i][1].shingles, by_pos[j][1].shingles)
        if jac >= cfg.threshold:
            found.append((i, j, jac))
    if not found:
        return out
    uf = _UnionFind(max(by_pos) + 1)
    best_link: dict[int, tuple[int, float]] = {}
    for i, j, jac in found:
        uf.union(i, j)
        for a, b in ((i, j), (j, i)):
            if a not in best_link or jac > best_link[a][1]:
                best_link[a] = (b, jac)
    rank = {name: k for k, name in enumerate(cfg.source_priority)}

    def order(pos: int) -> tuple[int, float, str]:
        c = by_pos[pos][1]
        return (rank.get(c.source, len(rank)), -c.quality, c.id)

    clusters: dict[int, list[int]] = {}
    for i in best_link:
        clusters.setdefault(uf.find(i), []).append(i)
    for members in clusters.values():
        members.sort(key=order)
        keeper = by_pos[members[0]][1]
        for i in members[1:]:
            partner, jac = best_link[i]
            shard, c = by_pos[i]
            out[shard][c.row] = {
                "duplicate_of": keeper.id,
                "similar_to": by_pos[partner][1].id,
                "jaccard": round(jac, 4),
                "threshold": cfg.threshold,
                "cluster_size": len(members),
            }
    return out


def apply_dedup(samples: Sequence[Sample], exact: dict[int, dict[str, Any]], near: dict[int, dict[str, Any]],
                stage: str = "curate") -> dict[str, int]:
    """Map: reject a shard's duplicates (row -> params) with their cluster's keeper in the trace, under
    ``stage`` (in a run: ``ctx.stage``)."""
    for row, params in exact.items():
        samples[row].reject(OP, "exact_duplicate", params=params, stage=stage)
    for row, params in near.items():
        samples[row].reject(OP, "near_duplicate", params=params, stage=stage)
    return {"exact_duplicate": len(exact), "near_duplicate": len(near)}


def dedup_samples(samples: list[Sample], cfg: DedupConfig) -> dict[str, int]:
    """Reject exact and near duplicates among the not-yet-rejected samples, in place; returns counts by reason.

    The same map -> reduce -> map functions the curate stage runs over shards, here over one list.
    """
    (plan,) = plan_dedup([dedup_keys(samples, cfg)], cfg)
    candidates = candidate_shingles(samples, plan["candidates"], cfg) if plan["pairs"] else []
    (near,) = near_decisions(plan["pairs"], [candidates], cfg)
    return apply_dedup(samples, plan["exact"], near)
