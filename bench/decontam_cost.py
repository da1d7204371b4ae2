"""What decontamination by meaning costs: the whole curate stage over the shared samples, n-gram only, cold, warm.

    .venv/bin/python bench/decontam_cost.py [--config configs/shared.yaml] [--samples PICKLE] [--runs ngram cold warm]
        [--set exec_foreign_threshold=0.8 ...]

Ingests the config's sources once (or loads ``--samples``, a pickle of the ingested samples; ``--save-samples``
writes one), then runs ``run_curate`` with the config's curate settings in a fresh process per run, so the
model load and the sandbox's start count every time:

- ``ngram``: ``curate.decontam.embedding=false``, the n-gram signals only (the stage before issue 14);
- ``cold``: decontamination by meaning with an empty embedding cache (``XDG_CACHE_HOME`` a new temporary
  directory): every distinct instruction the n-gram signals leave is embedded;
- ``warm``: a second run on the cold run's cache (the same sources again): nothing is embedded.

Prints per run the stage's seconds, the decontamination step's seconds, the meaning-level pass's embedding
and sandbox seconds, the instructions it did not need to embed (no signal could convict them: issue 24, item 6),
the samples removed as contaminated and the hits by signal, then the ratios to the n-gram-only run, and last:

    decontam_cost samples=<n> ngram_s=<s> cold_s=<s> warm_s=<s> cold_ratio=<r> warm_ratio=<r> contaminated=<k>

``--set NAME=VALUE`` changes a ``curate.decontam`` setting in every run (a cheaper setting beside the defaults).
Times are wall-clock on whatever else the machine runs: compare runs of one invocation (``--runs`` may repeat
a mode, e.g. ``ngram cold warm ngram``; the ratios use the mean of each mode).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def child(args: argparse.Namespace) -> None:
    """One curate run in this process; prints its figures as one JSON line."""
    from alchemistcoder.config import load_config
    from alchemistcoder.curate.stage import run_curate
    from alchemistcoder.stage import StageContext

    cfg = load_config(args.config)
    samples = pickle.loads(Path(args.samples).read_bytes())
    for item in args.set or []:
        name, _, value = item.partition("=")
        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = value
        cfg.curate.decontam = cfg.curate.decontam.model_copy(update={name: parsed})
    cfg.curate.decontam.embedding = args.child != "ngram"
    with tempfile.TemporaryDirectory() as run_dir:
        ctx = StageContext(run_dir=Path(run_dir), stage="curate", seed=1)
        started = time.perf_counter()
        out = run_curate(samples, cfg.curate, ctx)
        seconds = time.perf_counter() - started
    semantic = ctx.stats.get("decontam_semantic") or {}
    print(json.dumps({
        "mode": args.child, "seconds": round(seconds, 2),
        "decontam_s": round((ctx.stats.get("curate_timings_s") or {}).get("decontam_s", 0.0), 2),
        "embed_s": round(semantic.get("embed_s", 0.0), 2), "exec_s": round(semantic.get("exec_s", 0.0), 2),
        "foreign_s": round(semantic.get("exec_foreign_s", 0.0), 2), "foreign_samples": semantic.get("exec_foreign_samples", 0),
        "exec_samples": semantic.get("exec_samples", 0), "skipped": semantic.get("retrieval_skipped", 0),
        "contaminated": sum(1 for s in out if s.rejected and s.rejection.reason == "contaminated"),
        "signals": ctx.stats.get("decontam_signals") or {}, "samples": len(samples),
    }))
    if args.dump:
        with open(args.dump, "w") as fh:
            for s in out:
                if s.rejected and s.rejection.reason == "contaminated":
                    fh.write(json.dumps({"id": s.id, "instruction": s.instruction[:300], "params": s.rejection.params}) + "\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(REPO / "configs" / "shared.yaml"))
    ap.add_argument("--samples", help="pickle of the ingested samples (default: ingest the config's sources)")
    ap.add_argument("--save-samples", help="write the ingested samples here as a pickle")
    ap.add_argument("--runs", nargs="+", choices=["ngram", "cold", "warm"], default=["ngram", "cold", "warm"])
    ap.add_argument("--dump-dir", help="write each run's contaminated samples here (<k>-<mode>.jsonl)")
    ap.add_argument("--set", nargs="*", default=[], metavar="NAME=VALUE", help="curate.decontam settings for every run")
    ap.add_argument("--dump", help=argparse.SUPPRESS)
    ap.add_argument("--child", choices=["ngram", "cold", "warm"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    with tempfile.TemporaryDirectory(prefix="decontam_cost_") as tmp:
        samples_path = args.samples
        if samples_path is None:
            from alchemistcoder.config import load_config
            from alchemistcoder.ingest.ingest import ingest_sources

            cfg = load_config(args.config)
            samples_path = args.save_samples or str(Path(tmp) / "samples.pkl")
            Path(samples_path).write_bytes(pickle.dumps(ingest_sources(cfg.sources, cfg.ingest).samples))
        cache = Path(tmp) / "xdg_cache"
        if args.dump_dir:
            Path(args.dump_dir).mkdir(parents=True, exist_ok=True)
        results: dict[str, list[dict]] = defaultdict(list)
        for k, mode in enumerate(args.runs):
            if mode == "cold" and cache.exists():
                subprocess.run(["rm", "-rf", str(cache)], check=True)
            env = {**{k: v for k, v in os.environ.items() if k != "ALCHEMIST_CACHE"}, "XDG_CACHE_HOME": str(cache)}
            proc = subprocess.run([sys.executable, __file__, "--child", mode, "--config", args.config,
                                   "--samples", samples_path, *(["--set", *args.set] if args.set else [])]
                                  + (["--dump", str(Path(args.dump_dir) / f"{k}-{mode}.jsonl")] if args.dump_dir else []),
                                  env=env, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.exit(f"{mode} run failed:\n{proc.stderr[-4000:]}")
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            results[mode].append(r)
            print(f"{mode:5s} {r['seconds']:7.1f} s  decontam {r['decontam_s']:6.1f} s  embedding {r['embed_s']:6.1f} s  "
                  f"sandbox {r['exec_s']:5.1f} s ({r['exec_samples']} samples; C++/Java/JS/Go/Rust/C "
                  f"{r.get('foreign_s', 0.0):.1f} s, {r.get('foreign_samples', 0)} samples)  not embedded {r.get('skipped', 0)}  "
                  f"contaminated {r['contaminated']}  "
                  f"signals {r['signals']}", flush=True)

    def mean(mode: str) -> float:
        return sum(r["seconds"] for r in results[mode]) / len(results[mode]) if results[mode] else float("nan")

    base = mean("ngram")
    for mode in ("cold", "warm"):
        if results[mode]:
            print(f"{mode}: {mean(mode):.1f} s = {mean(mode) / base:.2f}x the n-gram-only stage ({base:.1f} s)")
    last = next(iter(results.values()))[-1]
    contaminated = (results.get("warm") or results.get("cold") or results.get("ngram"))[-1]["contaminated"]
    print(f"decontam_cost samples={last['samples']} ngram_s={base:.1f} cold_s={mean('cold'):.1f} "
          f"warm_s={mean('warm'):.1f} cold_ratio={mean('cold') / base:.2f} warm_ratio={mean('warm') / base:.2f} "
          f"contaminated={contaminated}")


if __name__ == "__main__":
    main()
