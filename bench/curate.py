"""The whole curate stage over every shared instruction set, and near-dedup speed/recall against datasketch.

    .venv/bin/python bench/curate.py [--config configs/shared.yaml] [--subsample 3000] [--no-tests]

1. Ingests the sources of the config (all shared instruction sets) and runs ``run_curate`` with the default
   curate config: filters (failing MBPP tests in the sandbox unless --no-tests), decontamination, dedup.
   Prints rejects by reason and the stage throughput.
2. Near-duplicate detection side by side on the same token lists, at the same threshold and num_perm:
   ours (batched n-gram hashing, numpy MinHash, LSH, exact Jaccard verification) against a straightforward
   ``datasketch`` MinHash + MinHashLSH (insert all, query all). The baseline's shingle strings are built
   before its clock starts and its candidates are not verified, both in its favour.
3. Recall against brute force: every pair with exact Jaccard >= threshold among a random subsample of
   samples with distinct normalized text (a sparse matrix product gives all pairwise intersections). The
   subsample is drawn from the sources that overlap (CodeAlpaca-2k, its Evol round-0 copy and new-CodeAlpaca),
   because near-duplicate pairs are too rare in a uniform sample of 3000 to measure anything; and since even
   there they are few, edited copies of 10% of the subsample are added (a few random token substitutions in
   the response, so their Jaccard with the original spreads around the threshold).

Last line: ``curate samples=<n> samples_per_s=<x> speedup_vs_datasketch=<r> neardup_recall=<p>``
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from pathlib import Path

import numpy as np

from alchemistcoder.code import word_tokens
from alchemistcoder.code.similarity import hash_ngrams_batch
from alchemistcoder.config import load_config
from alchemistcoder.curate.config import CurateConfig, DedupConfig, FilterConfig
from alchemistcoder.curate.dedup import _concat_csr, near_duplicate_pairs, normalized_text, response_tokens
from alchemistcoder.curate.stage import run_curate
from alchemistcoder.ingest.ingest import ingest_sources
from alchemistcoder.stage import StageContext

REPO = Path(__file__).resolve().parents[1]


def ours(token_pairs: list[tuple[list[str], list[str]]], cfg: DedupConfig) -> set[tuple[int, int]]:
    """Our near-dup pipeline from token lists: hashing, MinHash, LSH, exact verification."""
    n = cfg.shingle_size
    inst = hash_ngrams_batch([t[0] for t in token_pairs], n, seed=1)
    resp = hash_ngrams_batch([t[1] for t in token_pairs], n, seed=2)
    shingles = _concat_csr(inst, resp)
    return {(i, j) for i, j, _ in near_duplicate_pairs(shingles, cfg)}


def shingle_strings(token_pairs: list[tuple[list[str], list[str]]], n: int) -> list[list[bytes]]:
    """The same shingles as ours, as strings for datasketch."""
    out = []
    for inst, resp in token_pairs:
        grams = set()
        for prefix, toks in (("i", inst), ("r", resp)):
            if not toks:
                continue
            if len(toks) < n:
                grams.add(prefix + "\x1f".join(toks))
            else:
                grams.update(prefix + "\x1f".join(toks[k : k + n]) for k in range(len(toks) - n + 1))
        out.append([g.encode("utf-8", "surrogatepass") for g in grams])
    return out


def datasketch_pairs(strings: list[list[bytes]], cfg: DedupConfig) -> set[tuple[int, int]]:
    """Straightforward datasketch: a MinHash per sample, insert all into MinHashLSH, query each."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=cfg.threshold, num_perm=cfg.num_perm)
    hashes = []
    for i, grams in enumerate(strings):
        m = MinHash(num_perm=cfg.num_perm, seed=cfg.seed)
        if grams:
            m.update_batch(grams)
            lsh.insert(i, m)
        hashes.append(m)
    pairs = set()
    for i, (m, grams) in enumerate(zip(hashes, strings, strict=True)):
        if grams:
            for j in lsh.query(m):
                if j != i:
                    pairs.add((min(i, j), max(i, j)))
    return pairs


def brute_force_pairs(strings: list[list[bytes]], threshold: float) -> set[tuple[int, int]]:
    """Every pair with exact Jaccard >= threshold (sparse incidence matrix times its transpose)."""
    from scipy import sparse

    vocab: dict[bytes, int] = {}
    rows, cols = [], []
    for i, grams in enumerate(strings):
        for g in set(grams):
            rows.append(i)
            cols.append(vocab.setdefault(g, len(vocab)))
    m = sparse.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(strings), len(vocab)))
    sizes = np.asarray(m.sum(axis=1)).ravel()
    inter = sparse.triu(m @ m.T, k=1).tocoo()
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    keep = inter.data >= threshold * union
    return {(int(a), int(b)) for a, b in zip(inter.row[keep], inter.col[keep], strict=True)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(REPO / "configs" / "shared.yaml"))
    ap.add_argument("--subsample", type=int, default=3000, help="Samples in the brute-force recall check.")
    ap.add_argument("--recall-sources", nargs="+", default=["codealpaca-2k", "evol-codealpaca-r0", "new-codealpaca"],
                    help="Sources the recall subsample is drawn from.")
    ap.add_argument("--no-tests", action="store_true", help="Skip running MBPP tests in the sandbox.")
    args = ap.parse_args()

    run_cfg = load_config(args.config)
    samples = ingest_sources(run_cfg.sources, run_cfg.ingest).samples
    n = len(samples)
    print(f"ingested {n} samples from {len(run_cfg.sources)} sources")

    # 1. the whole stage
    cfg = CurateConfig(filters=FilterConfig(failing_tests=not args.no_tests))
    ctx = StageContext(run_dir=Path("/tmp/alchemist-bench-curate"), stage="curate")
    t = time.perf_counter()
    out = run_curate([s.copy() for s in samples], cfg, ctx)
    stage_s = time.perf_counter() - t
    assert len(out) == n
    print(f"stage: {n} in, {ctx.stats['curate_kept']} kept, {ctx.stats['curate_rejected']} rejected in {stage_s:.1f}s "
          f"({n / stage_s:.0f} samples/s); timings {ctx.stats['curate_timings_s']}")
    for reason, k in ctx.stats["curate_rejects_by_reason"].items():
        print(f"  {reason:18s} {k:6d}")
    by_source = Counter((s.source, s.rejection.reason) for s in out if s.rejected and s.rejection.reason == "contaminated")
    print("contaminated by source:", dict(sorted((src, k) for (src, _), k in by_source.items())))

    # 2. near-dup speed, same token lists, same threshold
    dcfg = DedupConfig()
    token_pairs = [(word_tokens(s.instruction), response_tokens(s.response)) for s in samples]
    t = time.perf_counter()
    ours_pairs = ours(token_pairs, dcfg)
    ours_s = time.perf_counter() - t
    strings = shingle_strings(token_pairs, dcfg.shingle_size)
    t = time.perf_counter()
    ds_pairs = datasketch_pairs(strings, dcfg)
    ds_s = time.perf_counter() - t
    speedup = ds_s / ours_s
    print(f"near-dup on {n} samples at threshold {dcfg.threshold}, num_perm {dcfg.num_perm}: "
          f"ours {ours_s:.2f}s ({len(ours_pairs)} verified pairs), datasketch {ds_s:.2f}s "
          f"({len(ds_pairs)} unverified candidate pairs); speedup {speedup:.1f}x")

    # 3. recall against brute-force exact Jaccard on a subsample of distinct texts
    seen, distinct = set(), []
    for i, s in enumerate(samples):
        if s.source not in args.recall_sources:
            continue
        key = normalized_text(s)
        if key not in seen:
            seen.add(key)
            distinct.append(i)
    sub = sorted(random.Random(0).sample(distinct, min(args.subsample, len(distinct))))
    sub_tokens = [token_pairs[i] for i in sub]
    rng = random.Random(1)
    for i in rng.sample(sub, len(sub) // 10):
        inst, resp = token_pairs[i]
        resp = list(resp)
        for _ in range(rng.randint(1, max(1, len(resp) // 30))):
            if resp:
                resp[rng.randrange(len(resp))] = f"edit{rng.randrange(10**6)}"
        sub_tokens.append((inst, resp))
    sub_strings = shingle_strings(sub_tokens, dcfg.shingle_size)
    truth = brute_force_pairs(sub_strings, dcfg.threshold)
    found = ours(sub_tokens, dcfg)
    ds_found = datasketch_pairs(sub_strings, dcfg)
    recall = len(found & truth) / len(truth) if truth else 1.0
    ds_recall = len(ds_found & truth) / len(truth) if truth else 1.0
    print(f"recall on {len(sub)} distinct samples + {len(sub_tokens) - len(sub)} edited copies: {len(truth)} true pairs (J >= {dcfg.threshold}); ours finds "
          f"{len(found & truth)} ({recall:.3f}, {len(found - truth)} false), datasketch candidates cover "
          f"{len(ds_found & truth)} ({ds_recall:.3f}, {len(ds_found - truth)} false)")
    print(f"curate samples={n} samples_per_s={n / stage_s:.1f} speedup_vs_datasketch={speedup:.2f} "
          f"neardup_recall={recall:.3f}")


if __name__ == "__main__":
    main()
