"""Bench of the harmonize stage on a sample of the shared instruction sets, with the embedded model.

Runs the stage twice over the same input and seed (so the same samples are selected): with the model-free
template writer (the baseline) and with the model writer (embedded SmolLM2-135M-Instruct, template
fallback), then scores the conditional perplexity discrepancy of every selected sample with the embedded
model as the scorer: CPD without its AlchemistPrompt, and with the template's and with the model run's.

    .venv/bin/python bench/harmonize.py [--per-source 100] [--fraction 0.05]

Last line: ``harmonize samples=<n> samples_per_s=<x> valid_rate=<v> cpd_gain=<g>`` for the model-writer run,
where valid_rate is the share of model-written prompts that passed validation and cpd_gain the mean of
CPD(instruction) - CPD(prompt + instruction) over the prompts that run applied (positive: prompts help).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("codealpaca-2k", "evol-codealpaca-r1", "evol-codealpaca-r2", "conala")


def load_samples(per_source: int) -> list:
    """A fixed sample of the shared data, read through the ingest adapters of configs/shared.yaml."""
    from alchemistcoder.config import load_config
    from alchemistcoder.sources.ingest import ingest_sources

    cfg = load_config(REPO / "configs" / "shared.yaml")
    sources = [s.model_copy(update={"limit": per_source}) for s in cfg.sources if s.name in SOURCES]
    return ingest_sources(sources, cfg.ingest).samples


def run(samples: list, writer: str, fraction: float, run_dir: Path) -> tuple[list, dict, float]:
    from alchemistcoder.alchemy import HarmonizeConfig, run_harmonize
    from alchemistcoder.stage import StageContext

    ctx = StageContext(run_dir=run_dir, stage="harmonize", seed=0)
    cfg = HarmonizeConfig(writer=writer, fraction=fraction, max_attempts=2)
    t0 = time.perf_counter()
    out = run_harmonize([s.copy() for s in samples], cfg, ctx)
    return out, ctx.stats, time.perf_counter() - t0


def applied(out: list) -> dict[str, tuple[str, str, str]]:
    """parent id -> (instruction, instruction with prompt, writer) for every prompt a run applied."""
    from alchemistcoder.alchemy.apply import APPLY_OP

    result = {}
    for s in out:
        e = s.trace[-1] if s.trace else None
        if e is not None and e.op == APPLY_OP:
            result[e.params["parents"][0]] = (e.before, e.after, e.params["writer"])
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-source", type=int, default=100, help="samples read from each of the four sources")
    ap.add_argument("--fraction", type=float, default=0.05)
    ap.add_argument("--max-response-tokens", type=int, default=128, help="response tokens scored for the CPD")
    args = ap.parse_args()

    from alchemistcoder.alchemy.cpd import Scorer

    samples = load_samples(args.per_source)
    responses = {s.id: s.response for s in samples}
    with tempfile.TemporaryDirectory() as tmp:
        t_out, _, t_sec = run(samples, "template", args.fraction, Path(tmp) / "template")
        m_out, m_stats, m_sec = run(samples, "model", args.fraction, Path(tmp) / "model")
    t_applied, m_applied = applied(t_out), applied(m_out)
    h = m_stats["harmonize"]
    print(f"input samples={len(samples)} selected={h['selected']} (fraction {args.fraction}, stratified over {len(SOURCES)} sources)")
    print(f"template writer: {len(samples) / t_sec:.1f} samples/s, applied {len(t_applied)}")
    print(f"model writer:    {len(samples) / m_sec:.2f} samples/s, applied {len(m_applied)} "
          f"(by writer {h['by_writer']}), model attempts {h['model_attempts']}, valid {h['model_valid']}, "
          f"candidate rejects {h['candidate_rejects']}")
    for _, (_, after, writer) in list(m_applied.items())[:6]:
        print(f"  [{writer}] {after.splitlines()[0][:150]}")

    scorer = Scorer(max_response_tokens=args.max_response_tokens, batch_size=8)
    ids = sorted(set(t_applied) | set(m_applied))
    base = dict(zip(ids, scorer.response_nll([""] * len(ids), [responses[i] for i in ids]), strict=True))
    before = {i: (t_applied.get(i) or m_applied[i])[0] for i in ids}
    given = dict(zip(ids, scorer.response_nll([before[i] for i in ids], [responses[i] for i in ids]), strict=True))

    def gains(app: dict[str, tuple[str, str, str]]) -> dict[str, list[float]]:
        keys = list(app)
        nll = scorer.response_nll([app[i][1] for i in keys], [responses[i] for i in keys])
        out: dict[str, list[float]] = {}
        for i, v in zip(keys, nll, strict=True):
            cpd_without = math.exp(given[i]) - math.exp(base[i])
            cpd_with = math.exp(v) - math.exp(base[i])
            out.setdefault(app[i][2], []).append(cpd_without - cpd_with)
        return out

    def mean(xs: list[float]) -> float:
        return sum(xs) / len(xs) if xs else float("nan")

    t_gains, m_gains = gains(t_applied), gains(m_applied)
    cpd_without = mean([math.exp(given[i]) - math.exp(base[i]) for i in ids])
    print(f"mean CPD without prompt {cpd_without:.3f} over {len(ids)} samples")
    print(f"cpd_gain template run {mean([g for v in t_gains.values() for g in v]):.4f} (n={sum(map(len, t_gains.values()))})")
    print(f"cpd_gain model run    {mean([g for v in m_gains.values() for g in v]):.4f} by writer "
          + ", ".join(f"{w}={mean(v):.4f} (n={len(v)})" for w, v in sorted(m_gains.items())))
    all_model_run = [g for v in m_gains.values() for g in v]
    print(
        f"harmonize samples={len(samples)} samples_per_s={len(samples) / m_sec:.2f} "
        f"valid_rate={h['valid_rate']:.3f} cpd_gain={mean(all_model_run):.4f}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
