"""Evolve and comprehend on a sample of the shared data with any model; prints figures.

    .venv/bin/python bench/comprehend.py [--per-source 100] [--evolve 8] [--rounds 1] [--review 4]
    .venv/bin/python bench/comprehend.py --base-url http://127.0.0.1:8090/v1 --model qwen-1.5b \
        --evolve 16 --review 6 --evolve-tokens 200 --review-tokens 400
    .venv/bin/python bench/comprehend.py --config run.yaml --model-name reviewer

Ingests the first ``--per-source`` records of each shared instruction set (MBPP: its training split), applies
curation's rule-based filters (real rejections to ask about), evolves ``--evolve`` kept samples, then builds
the comprehension tasks with ``--review`` code reviews, all with one model: the embedded
SmolLM2-135M-Instruct, or the endpoint of ``--base-url``/``--model``, or the ``models:`` entry ``--model-name``
of ``--config``. ``--out`` writes the evolved samples and the tasks (with traces). The last line is ``comprehend evolution=<n> evol_kept=<k> review=<m> review_passed=<p>
review_example_copy=<c> refined_in_context_failures=<f>``: evolutions made and kept, reviews made and kept
(their refined code passed the sandbox), reviews rejected for copying the example review, and refined
programs that failed for want of context (a NameError) even with the response's setup put before them.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections import Counter
from pathlib import Path

from _model_args import add_model_args, model_from_args

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALCHEMIST_SHARED_DATA", REPO.parent / "shared" / "data"))


def sources(per_source: int) -> list:
    from alchemistcoder.ingest.config import SourceConfig

    d = SHARED
    return [
        SourceConfig(name="codealpaca", path=str(d / "codealpaca" / "code_alpaca_2k.json"), limit=per_source),
        SourceConfig(name="evol-codealpaca", path=str(d / "evol-codealpaca" / "evol-codealpaca-2k-1.json"), format="evol",
                     limit=per_source),
        SourceConfig(name="conala", path=str(d / "conala" / "conala-train.json"), format="conala", limit=per_source),
        # MBPP task ids 1-510 are few-shot/test and excluded, so read past them
        SourceConfig(name="mbpp", path=str(d / "mbpp" / "mbpp.jsonl"), format="mbpp", limit=510 + per_source),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-source", type=int, default=100, help="records read per shared source")
    ap.add_argument("--evolve", type=int, default=8, help="samples evolved (seeds)")
    ap.add_argument("--rounds", type=int, default=1, help="evolution rounds")
    ap.add_argument("--review", type=int, default=4, help="code reviews")
    ap.add_argument("--evolve-tokens", type=int, default=64, help="max tokens of an evolved instruction and of its answer")
    ap.add_argument("--require-tests", action="store_true", help="review only samples with tests (review.require_tests)")
    ap.add_argument("--review-tokens", type=int, default=192, help="max tokens of a review")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--review-format", choices=["sections", "json"], default="sections", help="review.format")
    ap.add_argument("--run-dir", type=Path, default=None, help="keeps the request cache (default: a temporary directory)")
    ap.add_argument("--out", type=Path, help="write the evolved samples and the comprehension tasks (with traces) here")
    add_model_args(ap)
    args = ap.parse_args()

    from alchemistcoder.comprehend.config import ComprehendConfig
    from alchemistcoder.comprehend.review_tasks import (
        EXAMPLE_COPY,
        REFINED_FAILED,
        CodeReview,
        copies_example_scores,
    )
    from alchemistcoder.comprehend.stage import run_comprehend
    from alchemistcoder.curate.config import FilterConfig
    from alchemistcoder.curate.filters import curate_filters_batch
    from alchemistcoder.evolve.config import EvolveConfig
    from alchemistcoder.evolve.stage import run_evolve
    from alchemistcoder.ingest.ingest import ingest_sources
    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.stage import StageContext

    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="bench-comprehend-"))
    t0 = time.perf_counter()
    samples = curate_filters_batch(ingest_sources(sources(args.per_source)).samples, FilterConfig())
    t_curate = time.perf_counter() - t0
    rejected = [s for s in samples if s.rejected]
    kept = [s for s in samples if not s.rejected]
    print(f"curated {len(samples)} samples in {t_curate:.1f}s: kept {len(kept)}, rejected "
          f"{dict(sorted(Counter(s.rejection.reason for s in rejected).items()))}")

    evolve_cfg = EvolveConfig(fraction=1.0, max_samples=args.evolve, rounds=args.rounds,
                              evolve_max_tokens=args.evolve_tokens, response_max_tokens=args.evolve_tokens)
    comprehend_cfg = ComprehendConfig.model_validate({"review": {
        "fraction": 1.0, "max_samples": args.review, "max_tokens": args.review_tokens, "max_reasks": 1,
        "require_tests": args.require_tests, "format": args.review_format}})
    model = model_from_args(ap, args, timeout_s=900.0) or LLMConfig()
    # one model for both stages, handed to them through ctx.client
    client = LLMClient.from_config(model, cache_dir=run_dir / "cache", stage="bench")
    try:
        t0 = time.perf_counter()
        ctx_e = StageContext(run_dir=run_dir, stage="evolve", seed=args.seed, client=client)
        evolved = run_evolve(kept, evolve_cfg, ctx_e)
        t_evolve = time.perf_counter() - t0
        ctx_c = StageContext(run_dir=run_dir, stage="comprehend", seed=args.seed, client=client)
        t0 = time.perf_counter()
        out = run_comprehend(evolved + rejected, comprehend_cfg, ctx_c)
        t_comprehend = time.perf_counter() - t0
        usage = client.usage
    finally:
        client.close()

    e, c = ctx_e.stats["evolve"], ctx_c.stats["comprehend"]
    print(f"evolve: {e['evolved']} evolutions in {t_evolve:.1f}s, kept {e['kept']}, eliminated {e['eliminated']}, "
          f"methods {e['methods']}")
    for s in evolved[len(kept):]:
        outcome = s.rejection.reason if s.rejected else "kept"
        text = " ".join((s.trace[0].after or "").split())
        print(f"  [{s.meta['evol']['method']}] {outcome}: {text[:110]!r}")
    print(f"comprehend: {c['tasks']} in {t_comprehend:.1f}s, reviews {c['review_passed']}/{c['reviews']} passed, "
          f"dropped {c['dropped']}")
    print(f"llm usage: {usage}")
    n_in = len(evolved) + len(rejected)
    assert len(out) == n_in + sum(1 for s in out[n_in:]), "count in = kept + rejected + created"
    checks = [s.trace[-1].params for s in out[n_in:] if s.task == "review" and not s.rejected]
    print(f"reviews passed with the sample's tests: {sum(1 for p in checks if p.get('with_tests'))}/{len(checks)} "
          "(the others only compiled / ran cleanly)")
    examples = {t: next((s for s in out[n_in:] if s.task == t and not s.rejected), None) for t in c["tasks"]}
    for task, s in examples.items():
        if s is not None:
            print(f"--- example {task} ---\n[user] {s.instruction[:400]}\n[assistant] {s.response[:400]}")
    if args.out:
        from alchemistcoder.io import write_samples

        write_samples(args.out, [*evolved[len(kept):], *out[n_in:]])
    reviews = [s for s in out[n_in:] if s.task == "review"]
    for s in reviews:
        outcome = s.rejection.reason if s.rejected else "kept"
        detail = (s.rejection.params.get("stderr") or s.rejection.params.get("copied") or "") if s.rejected else ""
        scores = f"{s.meta.get('correctness')}/{s.meta.get('clarity')}" if "correctness" in s.meta else "-"
        print(f"  review {scores} {outcome} {' '.join(str(detail).split())[-120:]}")
    copied = [s for s in reviews if s.rejected and s.rejection.reason == EXAMPLE_COPY]
    no_context = [s for s in reviews if s.rejected and s.rejection.reason == REFINED_FAILED
                  and "NameError" in (s.rejection.params.get("stderr") or "")]
    kept_reviews = [s for s in reviews if not s.rejected]
    kept_copies = [s for s in kept_reviews if copies_example_scores(
        CodeReview(correctness=s.meta["correctness"], clarity=s.meta["clarity"], refined_code=""))]
    print(f"kept reviews with the example's scores: {len(kept_copies)}; refined code run with context lines: "
          f"{sum(1 for s in reviews if s.trace[-1].params.get('context_lines'))}")
    print(f"comprehend evolution={e['evolved']} evol_kept={e['kept']} review={len(reviews)} review_passed={len(kept_reviews)} "
          f"review_example_copy={len(copied)} refined_in_context_failures={len(no_context)}")


if __name__ == "__main__":
    main()
