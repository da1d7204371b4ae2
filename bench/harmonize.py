"""Bench of the harmonize stage on a sample of the shared instruction sets, with any model.

Runs the stage twice over the same input and seed (so the same samples are selected): with the model-free
template writer (the baseline) and with the model writer (template fallback), then scores the conditional
perplexity discrepancy of every selected sample with the embedded model as the scorer: CPD without its
AlchemistPrompt, and with the template's and with the model run's.

    .venv/bin/python bench/harmonize.py [--per-source 100] [--fraction 0.05] [--out FILE]
    .venv/bin/python bench/harmonize.py --base-url http://127.0.0.1:8090/v1 --model qwen-1.5b --out F
    .venv/bin/python bench/harmonize.py --config run.yaml --model-name alchemist

Without ``--base-url`` or ``--config`` the writer is the embedded SmolLM2-135M-Instruct. ``--out`` writes the
model run's samples (with their traces). ``--cpd-gate`` runs the model writer with ``harmonize.cpd_gate``.

Last line: ``harmonize samples=<n> model_share=<s> model_valid_rate=<v> missing_fact_coverage=<c>
restatement_rate=<r> cpd_gain_model=<g>`` for the model-writer run, where

- model_share: share of the applied prompts that the model wrote (the rest: the template fallback);
- model_valid_rate: share of the model's candidates that passed validation;
- missing_fact_coverage: over the applied model prompts, the mean share of the checklist (the missing facts
  the model was asked to state) that the prompt states;
- restatement_rate: share of the applied model prompts whose own words (beyond the facts and the usual
  wording of a prompt) are mostly the instruction's, at least two of them: a looser test than the validator's
  (``harmonize.max_copied_words``), so a rate above 0 shows prompts the validator let through;
- cpd_gain_model: mean of CPD(instruction) - CPD(prompt + instruction) over the applied model prompts
  (positive: the prompts make the response more predictable).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

from _model_args import add_model_args, model_from_args

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("codealpaca-2k", "evol-codealpaca-r1", "evol-codealpaca-r2", "conala")


def load_samples(per_source: int) -> list:
    """A fixed sample of the shared data, read through the ingest adapters of configs/shared.yaml."""
    from alchemistcoder.config import load_config
    from alchemistcoder.ingest.ingest import ingest_sources

    cfg = load_config(REPO / "configs" / "shared.yaml")
    sources = [s.model_copy(update={"limit": per_source}) for s in cfg.sources if s.name in SOURCES]
    return ingest_sources(sources, cfg.ingest).samples


def run(samples: list, writer: str, args: argparse.Namespace, run_dir: Path, model: object | None,
        cpd_gate: bool = False) -> tuple[list, dict, float]:
    from alchemistcoder.harmonize import HarmonizeConfig, run_harmonize
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.stage import StageContext

    ctx = StageContext(run_dir=run_dir, stage="harmonize", seed=0)
    cfg = HarmonizeConfig(writer=writer, fraction=args.fraction, max_attempts=args.max_attempts,
                          model=model or LLMConfig(), cpd_gate=cpd_gate)
    t0 = time.perf_counter()
    out = run_harmonize([s.copy() for s in samples], cfg, ctx)
    return out, ctx.stats, time.perf_counter() - t0


def applied(out: list) -> dict[str, tuple[str, str, str, str]]:
    """parent id -> (instruction, instruction with prompt, writer, prompt) for every prompt a run applied."""
    from alchemistcoder.harmonize.apply import APPLY_OP

    result = {}
    for s in out:
        e = s.trace[-1] if s.trace else None
        if e is not None and e.op == APPLY_OP:
            result[e.params["parents"][0]] = (e.before, e.after, e.params["writer"], e.params["prompt"])
    return result


def restates(prompt: str, instruction: str, grounding: object) -> bool:
    """The bench's restatement test: at least two of the prompt's own words, and at least half of them, come from
    the instruction (see the module docstring)."""
    from alchemistcoder.harmonize.validate import copied_task_words, own_words

    copied = copied_task_words(prompt, instruction, grounding)
    return len(copied) >= 2 and len(copied) >= 0.5 * len(own_words(prompt, grounding))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-source", type=int, default=100, help="samples read from each of the four sources")
    ap.add_argument("--fraction", type=float, default=0.05)
    ap.add_argument("--max-attempts", type=int, default=3, help="model attempts per sample (harmonize.max_attempts)")
    ap.add_argument("--max-response-tokens", type=int, default=128, help="response tokens scored for the CPD")
    add_model_args(ap, "writer model")
    ap.add_argument("--cpd-gate", action="store_true", help="run the model writer with harmonize.cpd_gate")
    ap.add_argument("--out", type=Path, help="write the model run's samples (with traces) here")
    ap.add_argument("--run-dir", type=Path, help="keep the request cache here (default: a temporary directory)")
    args = ap.parse_args()

    from alchemistcoder.harmonize.cpd import Scorer
    from alchemistcoder.harmonize.grounding import checklist, ground
    from alchemistcoder.harmonize.harmonize import valid_rate
    from alchemistcoder.harmonize.validate import stated_facts

    model = model_from_args(ap, args)
    samples = load_samples(args.per_source)
    by_id = {s.id: s for s in samples}
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = args.run_dir or Path(tmp)
        t_out, _, t_sec = run(samples, "template", args, run_dir / "template", None)
        m_out, m_stats, m_sec = run(samples, "model", args, run_dir / "model", model, args.cpd_gate)
    if args.out:
        from alchemistcoder.io import write_samples

        write_samples(args.out, m_out)
    t_applied, m_applied = applied(t_out), applied(m_out)
    h = m_stats["harmonize"]
    name = getattr(model, "model", None) or "embedded smollm2-135m-instruct"
    print(f"input samples={len(samples)} selected={h['selected']} (fraction {args.fraction}, stratified over {len(SOURCES)} sources)")
    print(f"template writer: {len(samples) / t_sec:.1f} samples/s, applied {len(t_applied)}")
    print(f"model writer ({name}, structured={h['structured']}): {m_sec:.0f}s, applied {len(m_applied)} "
          f"(by writer {h['by_writer']}), model attempts {h['model_attempts']}, valid {h['model_valid']}, "
          f"candidate rejects {h['candidate_rejects']}")
    if args.cpd_gate:
        share = h["cpd_gated_out"] / h["cpd_scored"] if h["cpd_scored"] else 0.0
        print(f"cpd gate: scored {h['cpd_scored']}, gated out {h['cpd_gated_out']} ({share:.2f})")
    usage = m_stats.get("harmonize_usage")
    if usage:
        print(f"llm usage: {usage}")

    coverage, restated = [], 0
    for pid, (before, _after, writer, prompt) in m_applied.items():
        g = ground(before, by_id[pid].response)
        asked = checklist(g)
        states = stated_facts(prompt, g, asked)
        flag = ""
        if writer == "model":
            coverage.append(len(states) / len(asked) if asked else 1.0)
            if restates(prompt, before, g):
                restated += 1
                flag = " RESTATES"
        print(f"  [{writer}]{flag} {prompt}\n      checklist {asked} states {states} | task: {' '.join(before.split())[:100]}")

    scorer = Scorer(max_response_tokens=args.max_response_tokens, batch_size=8)
    ids = sorted(set(t_applied) | set(m_applied))
    responses = {i: by_id[i].response for i in ids}
    base = dict(zip(ids, scorer.response_nll([""] * len(ids), [responses[i] for i in ids]), strict=True))
    before = {i: (t_applied.get(i) or m_applied[i])[0] for i in ids}
    given = dict(zip(ids, scorer.response_nll([before[i] for i in ids], [responses[i] for i in ids]), strict=True))

    def gains(app: dict[str, tuple[str, str, str, str]]) -> dict[str, list[float]]:
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
    n_model = h["by_writer"].get("model", 0)
    print(
        f"harmonize samples={len(samples)} model_share={n_model / len(m_applied) if m_applied else 0.0:.3f} "
        f"model_valid_rate={valid_rate(h):.3f} missing_fact_coverage={mean(coverage):.3f} "
        f"restatement_rate={restated / n_model if n_model else 0.0:.3f} cpd_gain_model={mean(m_gains.get('model', [])):.4f}"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
