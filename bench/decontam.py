"""Decontamination quality on the labelled contamination set, signal by signal, beside a 13-gram baseline.

    .venv/bin/python bench/decontam.py [--seeds 0 2 3] [--per-kind 40] [--show-misses]
    .venv/bin/python bench/decontam.py --set fresh
    .venv/bin/python bench/decontam.py --set fresh-tune [--show-misses]
    .venv/bin/python bench/decontam.py --set fresh-tune2 [--show-misses]
    .venv/bin/python bench/decontam.py --set fresh-tune3 [--show-misses]
    .venv/bin/python bench/decontam.py --set fresh-tune4 [--show-misses]
    .venv/bin/python bench/decontam.py --set multipart [--split tune] [--whole-only]
    .venv/bin/python bench/decontam.py --base-url http://127.0.0.1:8090/v1 --model qwen-1.5b [--run-dir D]

With ``--base-url/--model`` (or ``--config/--model-name``) the optional judge (``curate.decontam.judge_model``)
is that model: it is asked about the candidates that execution and the key facts leave undecided, and a
``judge`` column (every signal, the judge included) becomes the combined decision of the last line.

Two parts (``tests/data/contamination``):

- the derived set (``labelled.py``): positives made from the real benchmark files by six kinds of
  transformation (verbatim, reworded, renamed, unrelated instruction, leaked tests, embedded) plus 80
  hand-written same-topic negatives; the n-gram thresholds were tuned on seed 1, the default pools the
  held-out seeds 0, 2 and 3 (the negatives counted once);
- the paraphrase set (``paraphrases.jsonl``): real samples of the shared CodeAlpaca, Evol-CodeAlpaca and
  CoNaLa files reviewed by hand, benchmark problems in other words and near misses, split by a hash of the
  benchmark problem into ``tune`` (where the meaning-level thresholds were chosen) and ``test``.

Prints recall and false-positive rate per signal (any n-gram signal, execution, statement) and combined, per
kind and per split, the 13-gram baseline (a sample is flagged when it shares any word 13-gram with a task's
prompt, solution or tests), the time, and last (recall and fpr over the derived set plus the paraphrase
test split, paraphrase_recall over the test split):

    decont recall=<r> fpr=<f> paraphrase_recall=<p> baseline13_recall=<b>

``--set fresh`` measures the fresh test set of issue 24 (``fresh.jsonl``, :func:`labelled.load_fresh`) with the
decision ``alchemist decontaminate`` makes (the n-gram signals, then the meaning-level pass on what they leave,
default config) and prints aggregate figures only, last (measure it cold, with a verdict cache of its own:
``XDG_CACHE_HOME=$(mktemp -d)`` as of issue 14; on a loaded machine a lost sandbox run would otherwise stay cached):

    decont_fresh recall=<r> paraphrase_recall=<p> multipart_recall=<m> fpr=<f>

``--set fresh-tune`` prints the same figures for the fresh set's tune half (``fresh_tune.jsonl``,
:func:`labelled.load_fresh_tune`: a second draw from the same pool, none of the test set's records, the same
review), last ``decont_fresh_tune ...``; unlike the test set it accepts ``--show-misses`` (misses and false
positives, with the reviewer's note) and ``--cfg KEY=JSON`` (a config field overridden, to try a threshold on the
tune half only). Measure it cold too: ``ALCHEMIST_CACHE=$(mktemp -d)``. ``--set fresh-tune2`` is the same for the
second tune draw (``fresh_tune2.jsonl``, :func:`labelled.load_fresh_tune2`: none of the test set's or the first
tune set's records), last ``decont_fresh_tune2 ...``; ``--set fresh-tune3`` for the third (``fresh_tune3.jsonl``, none
of either earlier tune set's records), last ``decont_fresh_tune3 ...``; ``--set fresh-tune4`` for the fourth
(``fresh_tune4.jsonl``, none of the three earlier tune sets' records), last ``decont_fresh_tune4 ...``.

``--set multipart`` measures per-part retrieval on multi-part requests made of the paraphrase set's tune split
(:func:`labelled.build_multipart`, the fresh set's format): recall, FPR, the same positives' recall as single
requests (what per-part retrieval can at best reach), and the share of flagged requests whose evidence names
the right part; ``--whole-only`` retrieves every request whole (as before issue 24's per-part retrieval):

    decont_multipart split=<s> recall=<r> single_recall=<q> part_named=<n> fpr=<f>
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "data" / "contamination"))

from labelled import (  # noqa: E402
    FRESH_KINDS,
    build_labelled_set,
    build_multipart,
    load_fresh,
    load_fresh_tune,
    load_fresh_tune2,
    load_fresh_tune3,
    load_fresh_tune4,
    load_paraphrases,
)

from _model_args import add_model_args, model_from_args  # noqa: E402
from alchemistcoder.benchmarks import load_benchmark  # noqa: E402
from alchemistcoder.code import word_tokens  # noqa: E402
from alchemistcoder.decontam.config import DecontamConfig  # noqa: E402
from alchemistcoder.decontam.retrieval.ngram import load_entries  # noqa: E402
from alchemistcoder.decontam.step import DecontamIndex, SemanticIndex, decontaminate_samples  # noqa: E402
from alchemistcoder.records import Sample, make_messages  # noqa: E402
from alchemistcoder.stage import StageContext  # noqa: E402


def baseline13(rows: list[dict], benchmarks: list[str], n: int = 13) -> list[bool]:
    """Flag rows sharing any word 13-gram with any benchmark task (prompt + solution + tests)."""
    grams: set[tuple[str, ...]] = set()
    for name in benchmarks:
        for t in load_benchmark(name):
            words = word_tokens(t.prompt + "\n" + t.canonical_solution + "\n" + t.test)
            grams.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    flags = []
    for r in rows:
        words = word_tokens(r["instruction"] + "\n" + r["response"])
        flags.append(any(tuple(words[i : i + n]) in grams for i in range(len(words) - n + 1)))
    return flags


def rates(rows: list[dict], flags: list[bool]) -> tuple[float, float]:
    """(recall on the positives, false-positive rate on the negatives); nan when a side is empty."""
    pos = [f for r, f in zip(rows, flags, strict=True) if r["label"] == 1]
    neg = [f for r, f in zip(rows, flags, strict=True) if r["label"] == 0]
    return (sum(pos) / len(pos) if pos else float("nan"), sum(neg) / len(neg) if neg else float("nan"))


def semantic_flags(index: DecontamIndex, rows: list[dict], ctx: StageContext | None = None,
                   **only: float | str) -> list[dict | None]:
    """The meaning-level decision for every row, with thresholds overridden (1.0 switches a signal off);
    ``ctx`` carries the judge model when ``judge_model`` names one."""
    cfg = index.cfg.model_copy(update=only)
    semantic = SemanticIndex(index.semantic().problems, cfg, embedder=index.semantic().embedder)
    semantic.retrieval._statement_embeddings = index.semantic().statement_embeddings()
    return semantic.decide([(r["instruction"], r["response"]) for r in rows], ctx)


def fresh_main(args: argparse.Namespace, judge: object | None, tune: str | None = None) -> None:
    """Aggregate figures on the fresh test set (issue 24), with the decision the decontaminate step makes.

    The fresh set is an untouched TEST set: it is never tuned on, and which of its rows are missed or flagged
    must not be printed or looked at while designing decontamination (that would turn it into a tune set like
    the paraphrase test split before it). Only counts and rates leave this function; --show-misses refuses.
    ``tune``: a fresh tune set instead, ``"fresh_tune"`` (``fresh_tune.jsonl``, same pool and review, none of the
    test set's records), ``"fresh_tune2"`` (``fresh_tune2.jsonl``, none of the first tune set's records either) or
    ``"fresh_tune3"`` (``fresh_tune3.jsonl``, none of the second's either) or ``"fresh_tune4"`` (none of the third's):
    the same figures (prefix ``decont_<tune>``), and with ``--show-misses`` its misses and false positives.
    """
    loaders = {None: load_fresh, "fresh_tune": load_fresh_tune, "fresh_tune2": load_fresh_tune2, "fresh_tune3": load_fresh_tune3,
               "fresh_tune4": load_fresh_tune4}
    rows = loaders[tune]()
    name = tune or "fresh"
    cfg = DecontamConfig(**{k: json.loads(v) for k, v in (x.split("=", 1) for x in args.cfg)})
    t0 = time.perf_counter()
    index = DecontamIndex(load_entries(cfg), cfg)
    pairs = [(r["instruction"], r["response"]) for r in rows]
    flags = [bool(m) for m in index.score_batch(pairs)]
    t1 = time.perf_counter()
    left = [i for i, flagged in enumerate(flags) if not flagged]
    with tempfile.TemporaryDirectory() as tmp:
        ctx = None
        if judge is not None:
            ctx = StageContext(run_dir=args.run_dir or Path(tmp), stage="bench", models={"judge": judge})
        extra = {"judge_model": "judge"} if judge is not None else {}
        hits = semantic_flags(index, [rows[i] for i in left], ctx, **extra)
    for i, hit in zip(left, hits, strict=True):
        flags[i] = bool(hit)
    t2 = time.perf_counter()

    def share(kinds: tuple[str, ...], label: int) -> tuple[float, int, int]:
        idx = [i for i, r in enumerate(rows) if r["kind"] in kinds and r["label"] == label]
        n = sum(flags[i] for i in idx)
        return (n / len(idx) if idx else float("nan"), n, len(idx))

    n_pos = sum(r["label"] for r in rows)
    print(f"{name} set: {len(rows)} rows ({n_pos} contaminated, {len(rows) - n_pos} clean); "
          f"{len(index.entries)} benchmark tasks; time: n-grams {t1 - t0:.1f}s, meaning-level {t2 - t1:.1f}s")
    for kind in FRESH_KINDS:
        for label in (1, 0):
            rate, n, total = share((kind,), label)
            if total:
                what = "recall" if label else "flagged (FPR)"
                print(f"  {kind:14s} label={label}  {what:14s} {rate:.3f}  ({n} of {total})")
    recall = share(FRESH_KINDS, 1)
    paraphrase = share(("paraphrase", "interface"), 1)
    multipart = share(("multipart",), 1)
    fpr = share(FRESH_KINDS, 0)
    hard = share(("hard_negative",), 0)
    print(f"recall {recall[0]:.3f} ({recall[1]} of {recall[2]}); paraphrase+interface recall {paraphrase[0]:.3f} "
          f"({paraphrase[1]} of {paraphrase[2]}); multipart recall {multipart[0]:.3f} ({multipart[1]} of {multipart[2]})")
    print(f"fpr {fpr[0]:.3f} ({fpr[1]} of {fpr[2]}); fpr on hard negatives {hard[0]:.3f} ({hard[1]} of {hard[2]})")
    print(f"decont_{name} recall={recall[0]:.3f} paraphrase_recall={paraphrase[0]:.3f} "
          f"multipart_recall={multipart[0]:.3f} fpr={fpr[0]:.3f}")
    if tune and args.show_misses:
        for r, flagged in zip(rows, flags, strict=True):
            if flagged != bool(r["label"]):
                print("MISS" if r["label"] else "FALSE+", r["id"], r["kind"], r.get("task_id"), "|", r["note"], "|",
                      r["instruction"][:160].replace("\n", " "))


def multipart_main(args: argparse.Namespace) -> None:
    """Per-part retrieval on multi-part requests of the tune data (``labelled.build_multipart``), with the
    decision the decontaminate step makes (``decontaminate_samples``, default config)."""
    import alchemistcoder.decontam.step as step

    if args.whole_only:
        step.split_parts = lambda instruction, response: []  # every request retrieved whole
    rows = build_multipart(split=args.split)
    cfg = DecontamConfig()
    index = DecontamIndex(load_entries(cfg), cfg)

    def decisions(items: list[dict]) -> list[dict | None]:
        samples = [Sample(f"r{k}", "bench", make_messages(r["instruction"], r["response"])) for k, r in enumerate(items)]
        decontaminate_samples(samples, cfg, index)
        return [s.rejection.params if s.rejected else None for s in samples]

    t0 = time.perf_counter()
    hits = decisions(rows)
    positives = [r for r in rows if r["label"] == 1]
    singles = decisions([r["single"] for r in positives])
    t1 = time.perf_counter()
    pos = [(r, h) for r, h in zip(rows, hits, strict=True) if r["label"] == 1]
    neg = [h for r, h in zip(rows, hits, strict=True) if r["label"] == 0]
    flagged = [(r, h) for r, h in pos if h]
    named = sum(1 for r, h in flagged if h.get("part", {}).get("number") == r["part"])
    recall, single = len(flagged) / len(pos), sum(map(bool, singles)) / len(singles)
    fpr = sum(map(bool, neg)) / len(neg)
    print(f"multi-part requests ({args.split}): {len(pos)} with a benchmark problem as one part, {len(neg)} without; "
          f"{'whole only' if args.whole_only else 'per part'}; {t1 - t0:.1f}s")
    print(f"recall {recall:.3f} ({len(flagged)} of {len(pos)}); as single requests {single:.3f}; evidence names the "
          f"benchmark's part in {named} of {len(flagged)}; fpr {fpr:.3f} ({sum(map(bool, neg))} of {len(neg)})")
    print(f"decont_multipart split={args.split} recall={recall:.3f} single_recall={single:.3f} "
          f"part_named={named / max(len(flagged), 1):.3f} fpr={fpr:.3f}")
    if args.show_misses and args.split == "tune":  # the test split's rows are not to be read
        for r, h in zip(rows, hits, strict=True):
            if bool(h) != bool(r["label"]):
                print("MISS" if r["label"] else "FALSE+", (h or {}).get("task_id"), "|", r["instruction"][:300].replace("\n", " "))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=("labelled", "fresh", "fresh-tune", "fresh-tune2", "fresh-tune3", "fresh-tune4", "multipart"), default="labelled",
                    help="labelled: the derived and paraphrase sets (default); fresh: the untouched fresh test set "
                         "of issue 24, aggregate figures only; fresh-tune, fresh-tune2..4: its tune draws (misses may be shown); multipart: multi-part requests of the tune data")
    ap.add_argument("--split", choices=("tune", "test"), default="tune", help="--set multipart: the paraphrase split used")
    ap.add_argument("--whole-only", action="store_true", help="--set multipart: retrieve every request whole")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 2, 3],
                    help="Seeds of the derived set, pooled (its n-gram thresholds were tuned on seed 1).")
    ap.add_argument("--per-kind", type=int, default=40, help="Derived positives per contamination kind.")
    ap.add_argument("--show-misses", action="store_true", help="Print the misclassified rows.")
    ap.add_argument("--cfg", action="append", default=[], metavar="KEY=JSON",
                    help="--set fresh-tune(2,3,4): a DecontamConfig field overridden (repeatable), e.g. exec_foreign_threshold=0.5")
    add_model_args(ap, "decontamination judge")
    ap.add_argument("--run-dir", type=Path, help="keep the judge's request cache here (default: a temporary directory)")
    args = ap.parse_args()
    judge = model_from_args(ap, args)
    if args.cfg and args.set not in ("fresh-tune", "fresh-tune2", "fresh-tune3", "fresh-tune4"):
        ap.error("--cfg is for the fresh tune sets only: the fresh test set is measured with the default config")
    if args.set == "fresh":
        # the fresh set stays untouched for design: its misses are never printed
        if args.show_misses:
            ap.error("--show-misses is refused for --set fresh: the fresh test set's misses are not to be read")
        fresh_main(args, judge)
        return
    if args.set in ("fresh-tune", "fresh-tune2", "fresh-tune3", "fresh-tune4"):
        fresh_main(args, judge, tune=args.set.replace("-", "_"))
        return
    if args.set == "multipart":
        multipart_main(args)
        return

    rows = []
    for k, seed in enumerate(args.seeds):
        part = build_labelled_set(seed=seed, per_kind=args.per_kind)
        # the hand-written rows are the same for every seed: counted once
        rows += [{**r, "id": f"s{seed}-{r['id']}", "split": "derived"} for r in part
                 if k == 0 or not r["id"].startswith("neg-")]
    rows += load_paraphrases()
    cfg = DecontamConfig()
    t0 = time.perf_counter()
    index = DecontamIndex(load_entries(cfg), cfg)
    index.semantic().statement_embeddings()
    t1 = time.perf_counter()
    pairs = [(r["instruction"], r["response"]) for r in rows]
    ngram = [bool(m) for m in index.score_batch(pairs)]
    t2 = time.perf_counter()
    execution = [bool(h) for h in semantic_flags(index, rows, statement_threshold=1.0)]
    statement = [bool(h) for h in semantic_flags(index, rows, exec_threshold=1.0, exec_strong_threshold=1.0)]
    t3 = time.perf_counter()
    combined = [a or b or c for a, b, c in zip(ngram, execution, statement, strict=True)]
    base = baseline13(rows, cfg.benchmarks)
    signals = {"n-gram": ngram, "execution": execution, "statement": statement, "combined": combined, "13-gram": base}
    if judge is not None:
        # the judge decides what the other signals leave: asked only about rows no n-gram signal flags
        asked = [i for i, flagged in enumerate(ngram) if not flagged]
        with tempfile.TemporaryDirectory() as tmp:
            ctx = StageContext(run_dir=args.run_dir or Path(tmp), stage="bench", models={"judge": judge})
            hits = semantic_flags(index, [rows[i] for i in asked], ctx, judge_model="judge")
        with_judge = list(ngram)
        for i, hit in zip(asked, hits, strict=True):
            with_judge[i] = bool(hit)
        print(f"judge: {ctx.stats.get('decontam_judge')} usage {ctx.stats.get('decontam_judge_usage')}")
        signals = {**signals, "judge": with_judge}
        combined = with_judge

    n_pos = sum(r["label"] for r in rows)
    print(f"labelled set: {len(rows)} rows ({n_pos} positive); derived seeds {args.seeds}; paraphrase set "
          f"{sum(r['split'] != 'derived' for r in rows)} reviewed samples; {len(index.entries)} benchmark tasks, "
          f"{len(index.semantic().problems)} problems")
    print(f"time: index {t1 - t0:.1f}s, n-grams {len(rows) / (t2 - t1):.0f} rows/s, meaning-level (twice) {t3 - t2:.1f}s")
    groups: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        groups[f"{r['split']}:{r['kind']}"].append(i)
    print(f"{'group (share flagged)':32s} " + " ".join(f"{name:>10s}" for name in signals))
    for name in sorted(groups):
        idx = groups[name]
        print(f"{name:32s} " + " ".join(f"{sum(f[i] for i in idx) / len(idx):10.3f}" for f in signals.values())
              + f"   (n={len(idx)})")
    for part in ("derived", "tune", "test"):
        sub = [i for i, r in enumerate(rows) if r["split"] == part]
        line = " ".join(f"{name}={'{:.3f}/{:.3f}'.format(*rates([rows[i] for i in sub], [f[i] for i in sub]))}" for name, f in signals.items())
        print(f"{part:8s} recall/fpr: {line}")
    if args.show_misses:
        for r, f in zip(rows, combined, strict=True):
            if f != bool(r["label"]):
                print("MISS" if r["label"] else "FALSE+", r["split"], r["id"], r.get("task_id"), "|", r["instruction"][:160].replace("\n", " "))
    held_out = [i for i, r in enumerate(rows) if r["split"] in ("derived", "test")]
    recall, fpr = rates([rows[i] for i in held_out], [combined[i] for i in held_out])
    test = [i for i, r in enumerate(rows) if r["split"] == "test"]
    paraphrase_recall, _ = rates([rows[i] for i in test], [combined[i] for i in test])
    b_recall, _ = rates([rows[i] for i in held_out], [base[i] for i in held_out])
    print(f"decont recall={recall:.3f} fpr={fpr:.3f} paraphrase_recall={paraphrase_recall:.3f} baseline13_recall={b_recall:.3f}")


if __name__ == "__main__":
    main()
