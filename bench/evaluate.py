"""Score the canonical solutions of HumanEval+ and MBPP+ (all plus inputs) with this harness and with EvalPlus
0.3.1, side by side in one run, and compare verdicts.

    .venv/bin/python bench/evaluate.py [--evalplus-python .venv-evalplus/bin/python] [--limit N]
    .venv/bin/python bench/evaluate.py --humaneval-x          # also every HumanEval-X canonical solution

EvalPlus runs offline (``HUMANEVAL_OVERRIDE_PATH`` / ``MBPP_OVERRIDE_PATH`` on plain .jsonl copies) with a
fresh cache directory, so both harnesses compute the reference outputs; EvalPlus uses its default worker
count (half the cores), we use ours (one sandbox per core). Each disagreement is re-run in EvalPlus on its
task alone, with its default settings and with its memory cap lifted, to show where the verdict comes from
(see ``diagnose``). Last line:
``evaluate ours_s=<a> evalplus_s=<b> ratio=<a/b> agreement=<share of equal verdicts>``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _evalplus import evalplus_eval

REPO = Path(__file__).resolve().parents[1]
DEFAULT_EVALPLUS = REPO / ".venv-evalplus" / "bin" / "python"


def canonical_rows(benchmark: str, limit: int | None) -> tuple[list[dict], list[str]]:
    from alchemistcoder.benchmarks import default_benchmark_path

    with gzip.open(default_benchmark_path(benchmark), "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()][:limit]
    rows = []
    for line in lines:
        task = json.loads(line)
        rows.append({"task_id": task["task_id"], "solution": task["prompt"] + task["canonical_solution"]})
    return rows, lines


def run_ours(benchmark: str, rows: list[dict], limit: int | None) -> tuple[float, dict[str, tuple]]:
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.evaluate.scoring import score

    start = time.perf_counter()
    tasks = load_benchmark(benchmark)[:limit]
    results = score(tasks, rows)
    elapsed = time.perf_counter() - start
    return elapsed, {r.task_id: (r.base_status, r.plus_status) for r in results}


def run_evalplus(
    python: str, benchmark: str, rows: list[dict], lines: list[str], tmp: Path
) -> tuple[float, dict]:
    dataset = "humaneval" if benchmark == "humaneval+" else "mbpp"
    data = tmp / f"{dataset}.jsonl"
    data.write_text("".join(lines), encoding="utf-8")
    samples = tmp / f"{dataset}-samples.jsonl"
    samples.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    start = time.perf_counter()
    doc = evalplus_eval(python, dataset, data, samples, tmp / f"cache-{dataset}", timeout=7200)
    elapsed = time.perf_counter() - start
    return elapsed, {tid: (recs[0]["base_status"], recs[0]["plus_status"]) for tid, recs in doc.items()}


def diagnose(python: str, benchmark: str, task_id: str, rows: list[dict], lines: list[str], tmp: Path) -> str:
    """Where a disagreement comes from: both harnesses again on that task alone, and EvalPlus once more with
    its address-space cap lifted (``EVALPLUS_MAX_MEMORY_BYTES=-1``, EvalPlus's own knob).

    Two effects make a canonical verdict depend on the run rather than the sample. Per-input limits are
    wall-clock (EvalPlus's semantics, which we keep), so a heavy task can time out on a loaded machine and pass
    alone. And EvalPlus sets ``RLIMIT_AS`` in a child forked from a worker that holds the expected outputs
    (every task's, plus a second copy of this one's), so its 4 GiB cap also counts memory the harness holds: a
    verdict that changes when the cap is lifted, or when other tasks leave the run, comes from that."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.evaluate.scoring import score

    dataset = "humaneval" if benchmark == "humaneval+" else "mbpp"
    line = next(li for li in lines if json.loads(li)["task_id"] == task_id)
    row = next(r for r in rows if r["task_id"] == task_id)
    [ours] = score([t for t in load_benchmark(benchmark) if t.task_id == task_id], [row])
    verdicts = [f"ours alone: {(ours.base_status, ours.plus_status)}"]
    for label, env in (("alone", {}), ("alone, no memory cap", {"EVALPLUS_MAX_MEMORY_BYTES": "-1"})):
        sub = tmp / f"diag-{task_id.replace('/', '_')}-{label.replace(' ', '_').replace(',', '')}"
        sub.mkdir()
        (sub / f"{dataset}.jsonl").write_text(line, encoding="utf-8")
        samples = sub / "samples.jsonl"
        samples.write_text(json.dumps(row) + "\n", encoding="utf-8")
        doc = evalplus_eval(python, dataset, sub / f"{dataset}.jsonl", samples, sub / "cache", 1800, env)
        rec = doc[task_id][0]
        verdicts.append(f"evalplus {label}: {(rec['base_status'], rec['plus_status'])}")
    return "; ".join(verdicts)


def humaneval_x_sweep() -> None:
    from alchemistcoder.benchmarks import HUMANEVAL_X_LANGUAGES, load_benchmark
    from alchemistcoder.evaluate.scoring import score

    for lang in HUMANEVAL_X_LANGUAGES:
        tasks = load_benchmark(f"humaneval-x-{lang}")
        start = time.perf_counter()
        results = score(tasks, [{"task_id": t.task_id, "completion": t.canonical_solution} for t in tasks])
        failed = [r.task_id for r in results if r.base_status != "pass"]
        print(
            f"humaneval-x-{lang}: canonical {len(tasks) - len(failed)}/{len(tasks)} pass "
            f"in {time.perf_counter() - start:.1f}s; failing: {failed}",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--evalplus-python", default=str(DEFAULT_EVALPLUS), help="python with evalplus==0.3.1"
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N tasks of each benchmark")
    parser.add_argument(
        "--humaneval-x", action="store_true", help="also sweep HumanEval-X canonical solutions"
    )
    parser.add_argument(
        "--no-diagnose",
        dest="diagnose",
        action="store_false",
        help="skip re-running EvalPlus alone (and with its memory cap lifted) on each disagreement",
    )
    args = parser.parse_args()
    if args.humaneval_x:
        humaneval_x_sweep()
    ours_total = theirs_total = 0.0
    equal = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        for benchmark in ("humaneval+", "mbpp+"):
            rows, lines = canonical_rows(benchmark, args.limit)
            ours_s, ours = run_ours(benchmark, rows, args.limit)
            theirs_s, theirs = run_evalplus(args.evalplus_python, benchmark, rows, lines, Path(tmp))
            ours_total += ours_s
            theirs_total += theirs_s
            same = [tid for tid in ours if ours[tid] == theirs.get(tid)]
            equal += len(same)
            total += len(ours)
            counts = Counter(v for v in ours.values())
            print(
                f"{benchmark}: ours {ours_s:.1f}s {dict(counts)} | evalplus {theirs_s:.1f}s {dict(Counter(theirs.values()))}"
            )
            for tid in ours:
                if ours[tid] != theirs.get(tid):
                    print(f"  DIFF {tid}: ours {ours[tid]} evalplus {theirs.get(tid)}", flush=True)
                    if args.diagnose:
                        print(f"    {diagnose(args.evalplus_python, benchmark, tid, rows, lines, Path(tmp))}")
                elif ours[tid] != ("pass", "pass"):
                    print(f"  both not pass {tid}: {ours[tid]}")
    ratio = ours_total / theirs_total if theirs_total else float("nan")
    print(
        f"evaluate ours_s={ours_total:.1f} evalplus_s={theirs_total:.1f} ratio={ratio:.2f} agreement={equal / max(1, total):.4f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
