"""What the verify stage does: model-free execution of the shared sets, and its decisions on a labelled set.

    .venv/bin/python bench/verify.py --shared [--limit N] [--executor local --workers 2] [--shard-size 250]
    .venv/bin/python bench/verify.py --labelled [--split tune|test|all] [--limit N] [--policies pass_share agreement]
        [--base-url http://127.0.0.1:8090/v1 --model qwen-1.5b | --config run.yaml --model-name tester]
        [--set n_tests=5 --set tests_can_reject=always ...] [--run-dir DIR]
    .venv/bin/python bench/verify.py --labelled --dataset humaneval-x [--languages cpp,java,js] [--split tune|test]
        [--limit N] [--base-url ... --model ...] [--run-dir DIR]

**Part A** (``--shared``, no model): the samples of ``configs/shared.yaml`` (15,330), ingested with the
project's ingest, are verified with ``tests: false`` in shards on ``--executor`` (``run.executor``: the local
process pool by default): each response's code runs as written in the sandbox. Prints the share of each
execution class (overall and by source), the crash classes (exception types), the statuses (MBPP samples are
checked with their own tests), and the cost: sandbox CPU per sample (the CPU of every process the sandbox
started, from the workers' ``RUSAGE_CHILDREN``), the workers' own CPU and the wall time.

**Part B** (``--labelled``, a model: the embedded default, ``--base-url/--model`` or ``--config/--model-name``):
``verify_samples`` over the labelled set of ``bench/_verify_set.py`` (MBPP 511-809: references as correct
responses, mutants that fail human tests as wrong ones; the human tests only label) once per policy of
``--policies``. Per policy: correct_kept (share of correct responses not rejected), wrong_rejected (share of
wrong ones rejected), precision_at_10pct = 0.9·ck / (0.9·ck + 0.1·(1 − wr)) (the share of what is kept that is
right when one response in ten is wrong), the statuses by label, repairs (a repaired response's code is run on
the human tests in the sandbox: the repair rate is the share of wrong responses repaired into ones that pass
them), valid tests per verified sample and tokens per sample (the stage's own count, cached answers included).
``--set key=value`` overrides any field of ``VerifyConfig`` (values read as YAML).

**Part B on HumanEval-X** (``--labelled --dataset humaneval-x``): the foreign path (C++, Java and JavaScript
responses tested with the model's Python asserts through typed harnesses, ``verify/foreign_tests.py``) on the
labelled set of ``bench/_verify_set_x.py`` (HumanEval-X functions as correct responses, mutants that fail
HumanEval-X's tests as wrong ones; ``--limit`` problems per language), with the ``agreement`` policy (the only
one that tests foreign responses). Per language: the share of correct responses verified, of wrong ones
verified (should be ~0), the share with valid tests and valid tests per sample, the precision of "verified"
(the share of verified responses that are correct) and the rejections (foreign tests only mark: a rejection is
a fault). Its last line is ``verify-x samples=<n> correct_verified=<> wrong_verified=<> with_tests=<>
tests_per_sample=<> precision_verified=<> rejected=<> tokens_per_sample=<>`` (all languages together).

The last line holds the fields of the parts that ran (``n/a`` for the others; Part B's are the default
policy's, or the first policy's when the default was not run):

    verify samples=<n> runnable_share=<> crash_share=<> verified=<> repaired=<> correct_kept=<> wrong_rejected=<>
    precision_at_10pct=<> tests_per_sample=<> tokens_per_sample=<> sandbox_cpu_ms=<>

``samples``: Part A's count when it ran, else Part B's; ``runnable_share``/``crash_share``: shares of Part A's
samples whose code runs / crashes; ``verified``: share of Part B's samples verified or repaired; ``repaired``:
the repair rate; ``sandbox_cpu_ms``: Part A's sandbox CPU per sample.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from _model_args import add_model_args, model_from_args

REPO = Path(__file__).resolve().parents[1]


def _cpu(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


# -- Part A: model-free execution of the shared sets ------------------------------------------------------
def execute_shard(rows: list[dict[str, Any]], cfg_dict: dict[str, Any]) -> dict[str, Any]:
    """One shard on an executor worker: verify (tests off) and return compact rows and the CPU spent."""
    from alchemistcoder.records import Sample
    from alchemistcoder.verify.config import VerifyConfig
    from alchemistcoder.verify.stage import verify_samples

    cfg = VerifyConfig.model_validate(cfg_dict)
    own, kids, wall = _cpu(resource.RUSAGE_SELF), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    out = verify_samples([Sample.from_dict(r) for r in rows], cfg, None, seed=0)
    # the sandbox could not start some programs (EAGAIN: the sandbox user's process limit, shared with every
    # other sandbox job on the machine): not an outcome of the code; run those again, one at a time
    first_lost = lost = [k for k, s in enumerate(out) if _sandbox_lost(s)]
    serial = cfg.model_copy(update={"workers": 1})
    for attempt in range(3):
        if not lost:
            break
        time.sleep(1.0 + attempt)
        again = verify_samples([Sample.from_dict(rows[k]) for k in lost], serial, None, seed=0)
        for k, s in zip(lost, again, strict=True):
            out[k] = s
        lost = [k for k in lost if _sandbox_lost(out[k])]
    own, kids, wall = _cpu(resource.RUSAGE_SELF) - own, _cpu(resource.RUSAGE_CHILDREN) - kids, time.perf_counter() - wall
    result = []
    for s in out:
        v = s.meta.get("verify") or {}
        err = v.get("error") or {}
        result.append({"id": s.id, "source": s.source, "execution": v.get("execution", "not_verified"),
                       "status": v.get("status", "not_verified"), "language": v.get("language"),
                       "error_type": err.get("type"), "error": str(err.get("message", ""))[:160],
                       "module": err.get("module"), "rejected": s.rejection.reason if s.rejected else None})
    return {"rows": result, "own_cpu_s": own, "sandbox_cpu_s": kids, "wall_s": wall,
            "sandbox_lost_first": len(first_lost), "sandbox_lost": len(lost)}


def _sandbox_lost(sample: Any) -> bool:
    err = (sample.meta.get("verify") or {}).get("error") or {}
    return "sandbox: cannot start" in str(err.get("message", "")) or err.get("type") == "sandbox"


def part_a(args: argparse.Namespace) -> dict[str, Any]:
    from alchemistcoder.config import load_config
    from alchemistcoder.ingest.ingest import ingest_sources
    from alchemistcoder.pipeline.executors import make_executor
    from alchemistcoder.verify.config import VerifyConfig

    cfg = load_config(args.shared_config)
    t0 = time.perf_counter()
    samples = [s for s in ingest_sources(cfg.sources, cfg.ingest).samples if not s.rejected]
    print(f"ingested {len(samples)} samples of {args.shared_config} in {time.perf_counter() - t0:.1f}s")
    if args.shared_limit:
        samples = sorted(random.Random(args.seed).sample(samples, min(args.shared_limit, len(samples))),
                         key=lambda s: s.id)
    vcfg = VerifyConfig.model_validate({**_overrides(args), "tests": False})
    shards = [samples[i:i + args.shard_size] for i in range(0, len(samples), args.shard_size)]
    tasks = [(k, ([s.to_dict() for s in shard], vcfg.model_dump())) for k, shard in enumerate(shards)]
    del samples
    executor = make_executor(SimpleNamespace(executor=args.executor, workers=args.workers, ray_address=None))
    rows: list[dict[str, Any]] = []
    own = kids = busy = 0.0
    lost_first = lost = 0
    t0 = time.perf_counter()
    try:
        for done, (_k, res) in enumerate(executor.run_tasks(execute_shard, tasks), 1):
            rows += res["rows"]
            own, kids, busy = own + res["own_cpu_s"], kids + res["sandbox_cpu_s"], busy + res["wall_s"]
            lost_first, lost = lost_first + res["sandbox_lost_first"], lost + res["sandbox_lost"]
            if done % 10 == 0 or done == len(tasks):
                print(f"  {done}/{len(tasks)} shards, {len(rows)} samples, {time.perf_counter() - t0:.0f}s", flush=True)
    finally:
        executor.close()
    wall = time.perf_counter() - t0
    n = len(rows)
    classes = Counter(r["execution"] for r in rows)
    print(f"\nPart A: {n} samples, verify with tests off on executor={args.executor} workers={args.workers}, "
          f"timeout {vcfg.timeout_s}s per program")
    print(f"{'execution class':<16} {'samples':>7} {'share':>7}")
    for klass, count in classes.most_common():
        print(f"{klass:<16} {count:>7} {count / n:>7.3f}")
    ran = n - sum(classes[k] for k in ("no_code", "not_runnable", "not_verified"))
    if ran:
        print(f"of the {ran} samples whose program was run: runs {classes['runs'] / ran:.3f}, crashes "
              f"{classes['crashes'] / ran:.3f}, other outcomes {(ran - classes['runs'] - classes['crashes']) / ran:.3f}")
    by_source: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        by_source[r["source"]][r["execution"]] += 1
    shown = [k for k, _ in classes.most_common()]
    print("\nby source (shares): " + " ".join(f"{k[:11]:>11}" for k in shown))
    for source, c in sorted(by_source.items()):
        total = sum(c.values())
        print(f"  {source:<20} {total:>5} " + " ".join(f"{c[k] / total:>11.3f}" for k in shown))
    crashes = Counter(r["error_type"] or "?" for r in rows if r["execution"] == "crashes")
    print(f"\ncrash classes ({sum(crashes.values())}): {dict(crashes.most_common(20))}")
    crash_languages = Counter(r["language"] or "-" for r in rows if r["execution"] == "crashes")
    print(f"crashes by language: {dict(crash_languages.most_common())}")
    languages = Counter((r["language"] or "-") for r in rows if r["execution"] not in ("no_code", "not_runnable"))
    print(f"languages run: {dict(languages.most_common())}")
    packages = Counter(r["module"] or "?" for r in rows if r["execution"] == "needs_package")
    print(f"packages missing ({sum(packages.values())}): {dict(packages.most_common(12))}")
    print(f"statuses: {dict(Counter(r['status'] for r in rows).most_common())}")
    print(f"rejected: {dict(Counter(r['rejected'] for r in rows if r['rejected']).most_common())}")
    examples = {}
    for r in rows:
        if r["execution"] in ("crashes", "timeout", "needs_input", "needs_files", "needs_network") \
                and (r["execution"], r["error_type"]) not in examples and len(examples) < 12:
            examples[(r["execution"], r["error_type"])] = r
    for r in examples.values():
        print(f"  e.g. {r['execution']} {r['error_type']}: {r['id']} ({r['source']}) {r['error'][:100]!r}")
    print(f"sandbox start failures (EAGAIN, re-run up to 3 times): {lost_first} on the first run, {lost} left")
    print(f"\ncost: sandbox CPU {kids:.1f}s = {kids / n * 1000:.1f} ms/sample; workers' own CPU {own:.1f}s = "
          f"{own / n * 1000:.1f} ms/sample; wall {wall:.1f}s = {wall / n * 1000:.1f} ms/sample "
          f"(shard time summed over workers {busy:.1f}s)")
    return {"samples": n, "runnable_share": classes["runs"] / n, "crash_share": classes["crashes"] / n,
            "sandbox_cpu_ms": kids / n * 1000}


# -- Part B: decisions on the labelled set ----------------------------------------------------------------
def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    import yaml

    out: dict[str, Any] = {}
    for item in args.set or []:
        key, _, value = item.partition("=")
        if not key or not _:
            raise SystemExit(f"--set {item!r}: expected key=value")
        out[key.strip()] = yaml.safe_load(value)
    return out


def _last_python_code(text: str) -> str:
    from alchemistcoder.code import extract_code_blocks

    blocks = [b for b in extract_code_blocks(text) if (b.language or "python") == "python"]
    return blocks[-1].code if blocks else ""


class _Counting:
    """The client, counting the tokens of every answer it gives (cached or not) and the requests."""

    def __init__(self, client: Any) -> None:
        self.client, self.tokens, self.requests = client, 0, 0

    def generate(self, requests: list, *args: Any, **kwargs: Any) -> list:
        requests = list(requests)
        out = self.client.generate(requests, *args, **kwargs)
        self.requests += len(requests)
        self.tokens += sum(c.prompt_tokens + c.completion_tokens for c in out)
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def precision_at(ck: float, wr: float, wrong_share: float = 0.1) -> float:
    kept_right, kept_wrong = (1 - wrong_share) * ck, wrong_share * (1 - wr)
    return kept_right / (kept_right + kept_wrong) if kept_right + kept_wrong else float("nan")


def part_b(args: argparse.Namespace, ap: argparse.ArgumentParser) -> dict[str, Any]:
    import _verify_set as vset
    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.verify.config import VerifyConfig
    from alchemistcoder.verify.stage import verify_samples

    t0 = time.perf_counter()
    items, summary = vset.build_set(args.split, args.limit, seed=args.seed, wrong_per_problem=args.wrong_per_problem)
    print(f"labelled set ({time.perf_counter() - t0:.1f}s): {summary}")
    by_id = {i.id: i for i in items}
    model = model_from_args(ap, args, timeout_s=900.0) or LLMConfig()
    embedded = model.backend == "embedded"
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="bench-verify-"))
    client = LLMClient.from_config(model, cache_dir=run_dir / "cache", stage="bench")
    default_policy = VerifyConfig().policy
    results: dict[str, dict[str, Any]] = {}
    try:
        for policy in args.policies:
            cfg = VerifyConfig.model_validate({**_overrides(args), "policy": policy})
            samples = [vset.to_sample(i) for i in items]
            before = client.usage.total_tokens
            counting = _Counting(client)
            t0 = time.perf_counter()
            out = verify_samples(samples, cfg, counting, seed=args.seed, embedded=embedded)
            seconds = time.perf_counter() - t0
            results[policy] = r = _score(out, by_id, cfg, vset)
            r["seconds"], r["client_tokens"] = seconds, client.usage.total_tokens - before
            # every answer's tokens, cached ones included (the policies share the tests' requests through the
            # cache): what a cold run of this policy spends
            r["stage_tokens_per_sample"] = r["tokens_per_sample"]
            r["tokens_per_sample"] = counting.tokens / max(1, r["n"])
            r["requests"] = counting.requests
            _print_policy(policy, r, cfg, embedded, show_misses=args.split == "tune")
    finally:
        print(f"llm usage: {client.usage.summary()}")
        client.close()
    chosen = default_policy if default_policy in results else args.policies[0]
    print(f"\npolicy on the last line: {chosen} (the default policy is {default_policy})")
    r = results[chosen]
    return {"samples": r["n"], "verified": r["verified_share"], "repaired": r["repair_rate"],
            "correct_kept": r["correct_kept"], "wrong_rejected": r["wrong_rejected"],
            "precision_at_10pct": r["precision"], "tests_per_sample": r["tests_per_verified"],
            "tokens_per_sample": r["tokens_per_sample"]}


def part_b_x(args: argparse.Namespace, ap: argparse.ArgumentParser) -> dict[str, Any]:
    """Part B on the HumanEval-X set: the foreign path's decisions per language (see the module docstring)."""
    import _verify_set_x as xset
    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.verify.config import VerifyConfig
    from alchemistcoder.verify.stage import verify_samples

    languages = [x.strip() for x in args.languages.split(",") if x.strip()]
    t0 = time.perf_counter()
    items, summary = xset.build_set(args.split, args.limit, languages=languages, seed=args.seed,
                                    wrong_per_problem=args.wrong_per_problem)
    print(f"labelled set ({time.perf_counter() - t0:.1f}s): {summary}")
    if "agreement" not in args.policies:
        ap.error("--dataset humaneval-x: foreign responses are tested under the agreement policy only")
    if args.policies != ["agreement"]:
        print("policies: only agreement tests foreign responses; the others are not run on this set")
    by_id = {i.id: i for i in items}
    model = model_from_args(ap, args, timeout_s=900.0) or LLMConfig()
    embedded = model.backend == "embedded"
    run_dir = args.run_dir or Path(tempfile.mkdtemp(prefix="bench-verify-x-"))
    client = LLMClient.from_config(model, cache_dir=run_dir / "cache", stage="bench")
    cfg = VerifyConfig.model_validate({**_overrides(args), "policy": "agreement"})
    try:
        counting = _Counting(client)
        t0 = time.perf_counter()
        out = verify_samples([xset.to_sample(i) for i in items], cfg, counting, seed=args.seed, embedded=embedded)
        seconds = time.perf_counter() - t0
    finally:
        print(f"llm usage: {client.usage.summary()}")
        client.close()
    rows = []
    for s in out:
        v = s.meta.get("verify") or {}
        rows.append({"item": by_id[s.id], "sample": s, "status": v.get("status", "none"), "rejected": s.rejected,
                     "reason": s.rejection.reason if s.rejected else None, "tests": v.get("tests") or {},
                     "execution": v.get("execution")})
    print(f"\npolicy agreement on HumanEval-X ({len(rows)} samples; n_tests={cfg.n_tests} n_solutions={cfg.n_solutions}"
          f"{' (embedded model)' if embedded else ''}; {seconds:.0f}s; {counting.requests} requests, "
          f"{counting.tokens / max(1, len(rows)):.0f} tokens per sample)")
    print(f"{'language':<9} {'correct':>7} {'wrong':>5} {'corr_verif':>10} {'wrong_verif':>11} {'with_tests':>10} "
          f"{'tests/sample':>12} {'precision':>9} {'rejected':>8}")
    figures = {}
    for language in [*languages, "all"]:
        mine = [r for r in rows if language == "all" or r["item"].language == language]
        f = figures[language] = _score_x(mine)
        print(f"{language:<9} {f['correct']:>7} {f['wrong']:>5} {_fmt(f['correct_verified']):>10} "
              f"{_fmt(f['wrong_verified']):>11} {_fmt(f['with_tests']):>10} {f['tests_per_sample']:>12.2f} "
              f"{_fmt(f['precision_verified']):>9} {f['rejected']:>8}")
    for language in languages:
        mine = [r for r in rows if r["item"].language == language]
        print(f"  {language}: statuses correct {dict(Counter(r['status'] for r in mine if r['item'].label == 'correct'))}; "
              f"wrong {dict(Counter(r['status'] for r in mine if r['item'].label == 'wrong'))}; decisions correct "
              f"{dict(Counter(_verdict(r['sample']) for r in mine if r['item'].label == 'correct'))}; wrong "
              f"{dict(Counter(_verdict(r['sample']) for r in mine if r['item'].label == 'wrong'))}; execution "
              f"{dict(Counter(r['execution'] for r in mine))}; rejected {dict(Counter(r['reason'] for r in mine if r['reason']))}")
    if args.split != "tune":  # the test split's misjudged responses are never read while designing
        print("  misjudged responses: not printed outside the tune split")
    else:
        for r in rows:
            if (r["item"].label == "correct" and r["status"] != "verified") or \
                    (r["item"].label == "wrong" and r["status"] == "verified") or r["rejected"]:
                print(f"  {r['item'].id} {r['item'].label} {r['status']}{' REJECTED ' + str(r['reason']) if r['rejected'] else ''}"
                      f" {r['item'].mutation or ''}: {_why(r['sample'])}")
    return {"samples": len(rows), **{k: figures["all"][k] for k in (
        "correct_verified", "wrong_verified", "with_tests", "tests_per_sample", "precision_verified", "rejected")},
        "tokens_per_sample": counting.tokens / max(1, len(rows))}


def _score_x(rows: list[dict[str, Any]]) -> dict[str, Any]:
    correct = [r for r in rows if r["item"].label == "correct"]
    wrong = [r for r in rows if r["item"].label == "wrong"]
    verified = [r for r in rows if r["status"] in ("verified", "repaired")]

    def share(part: list, whole: list) -> float | None:
        return len(part) / len(whole) if whole else None

    return {"correct": len(correct), "wrong": len(wrong),
            "correct_verified": share([r for r in verified if r["item"].label == "correct"], correct),
            "wrong_verified": share([r for r in verified if r["item"].label == "wrong"], wrong),
            "with_tests": share([r for r in rows if r["tests"].get("valid", 0) > 0], rows),
            "tests_per_sample": sum(r["tests"].get("valid", 0) for r in rows) / len(rows) if rows else 0.0,
            "precision_verified": share([r for r in verified if r["item"].label == "correct"], verified),
            "rejected": sum(1 for r in rows if r["rejected"])}


def _verdict(sample: Any) -> str:
    """The decision on a sample's tests: pass, fail or undecided; no_tests when none was valid or written."""
    decide = next((e for e in reversed(sample.trace) if e.op == "verify_decide"), None)
    if decide is None:
        return "no_tests"
    return "pass" if decide.verdict == "keep" else str(decide.params.get("verdict", decide.verdict))


def _why(sample: Any) -> str:
    """What the trace says about a foreign response's tests and decision (tune split only)."""
    tests = next((e for e in reversed(sample.trace) if e.op == "verify_tests"), None)
    decide = next((e for e in reversed(sample.trace) if e.op == "verify_decide"), None)
    if tests is None:
        return "no tests written (no callable function, or not tested)"
    p = tests.params
    valid = p.get("valid")
    text = f"tests written {p.get('written')}, valid {len(valid) if isinstance(valid, list) else valid}, dropped {p.get('dropped')}"
    if p.get("tests"):
        text += f" (e.g. {str(p['tests'][0])[:120]!r})"
    if decide is not None:
        d = decide.params
        evidence = {k: v for k, v in d.items() if k not in ("failing", "checks", "policy", "before_repair")}
        text += f"; decision {decide.verdict} {json.dumps(evidence, default=str)[:300]}"
        for f in d.get("failing") or []:
            text += f"; failing {str(f.get('test'))[:140]!r} {str(f.get('error'))[:100]}"
    return text


def _score(out: list, by_id: dict, cfg: Any, vset: Any) -> dict[str, Any]:
    rows = []
    for s in out:
        item = by_id[s.id]
        v = s.meta.get("verify") or {}
        rows.append({"item": item, "sample": s, "status": v.get("status", "none"), "rejected": s.rejected,
                     "reason": s.rejection.reason if s.rejected else None, "execution": v.get("execution"),
                     "tests": v.get("tests") or {}, "tokens": v.get("tokens", 0)})
    repaired = [r for r in rows if r["status"] == "repaired"]
    checks = vset.check_against_human_tests([(r["item"], _last_python_code(r["sample"].response)) for r in repaired])
    for r, res in zip(repaired, checks, strict=True):
        r["repair_passes_human"] = bool(res and res["import"] == "ok" and vset.passed(res) == len(r["item"].tests))
    correct = [r for r in rows if r["item"].label == "correct"]
    wrong = [r for r in rows if r["item"].label == "wrong"]
    ck = sum(not r["rejected"] for r in correct) / len(correct) if correct else float("nan")
    wr = sum(r["rejected"] for r in wrong) / len(wrong) if wrong else float("nan")
    verified = [r for r in rows if r["status"] in ("verified", "repaired")]
    return {
        "n": len(rows), "correct": len(correct), "wrong": len(wrong), "correct_kept": ck, "wrong_rejected": wr,
        "precision": precision_at(ck, wr),
        "verified_share": len(verified) / len(rows) if rows else float("nan"),
        "status_by_label": {lab: dict(Counter(r["status"] for r in rows if r["item"].label == lab).most_common())
                            for lab in ("correct", "wrong")},
        "wrong_rejected_by_kind": {k: (sum(r["rejected"] for r in wrong if r["item"].kind == k),
                                       sum(1 for r in wrong if r["item"].kind == k)) for k in ("partial", "fails_all")},
        "reasons": dict(Counter(r["reason"] for r in rows if r["reason"]).most_common()),
        "executions": dict(Counter(r["execution"] for r in rows).most_common()),
        "repaired": len(repaired),
        "repaired_wrong_fixed": sum(1 for r in repaired if r["item"].label == "wrong" and r["repair_passes_human"]),
        "repaired_wrong_still_wrong": sum(1 for r in repaired if r["item"].label == "wrong" and not r["repair_passes_human"]),
        "repaired_correct_broken": sum(1 for r in repaired if r["item"].label == "correct" and not r["repair_passes_human"]),
        "repair_rate": (sum(1 for r in repaired if r["item"].label == "wrong" and r["repair_passes_human"]) / len(wrong)
                        if wrong else float("nan")),
        "tests_written": sum(r["tests"].get("written", 0) for r in rows) / len(rows) if rows else 0.0,
        "tests_valid": sum(r["tests"].get("valid", 0) for r in rows) / len(rows) if rows else 0.0,
        "tests_per_verified": (sum(r["tests"].get("valid", 0) for r in verified) / len(verified)) if verified else 0.0,
        "tokens_per_sample": sum(r["tokens"] for r in rows) / len(rows) if rows else 0.0,
        "examples": [r for r in rows if r["item"].label == "correct" and r["rejected"]][:3],
    }


def _print_policy(policy: str, r: dict[str, Any], cfg: Any, embedded: bool, show_misses: bool) -> None:
    print(f"\npolicy {policy} ({r['n']} samples: {r['correct']} correct, {r['wrong']} wrong; n_tests={cfg.n_tests} "
          f"n_solutions={cfg.n_solutions} max_repairs={cfg.max_repairs} tests_can_reject={cfg.tests_can_reject}"
          f"{' (embedded model)' if embedded else ''}; {r['seconds']:.0f}s)")
    print(f"  correct_kept {r['correct_kept']:.3f}  wrong_rejected {r['wrong_rejected']:.3f}  "
          f"precision_at_10pct {r['precision']:.3f}  verified {r['verified_share']:.3f}")
    print(f"  statuses: correct {r['status_by_label']['correct']}; wrong {r['status_by_label']['wrong']}")
    print("  wrong rejected by kind: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in r["wrong_rejected_by_kind"].items()))
    print(f"  reject reasons {r['reasons']}; execution {r['executions']}")
    print(f"  repaired {r['repaired']}: wrong ones now passing the human tests {r['repaired_wrong_fixed']}, wrong ones "
          f"still failing {r['repaired_wrong_still_wrong']}, correct ones broken {r['repaired_correct_broken']}; "
          f"repair rate {r['repair_rate']:.3f}")
    print(f"  tests per sample: written {r['tests_written']:.2f}, valid {r['tests_valid']:.2f}; valid per verified "
          f"sample {r['tests_per_verified']:.2f}; tokens per sample {r['tokens_per_sample']:.0f} "
          f"({r['requests']} requests; the stage's own count in meta['verify']: {r['stage_tokens_per_sample']:.0f} "
          f"per sample; uncached this run: {r['client_tokens']} tokens)")
    if not show_misses:  # the test split's misjudged responses are never read while designing
        print("  correct rejected: not printed outside the tune split")
        return
    for e in r["examples"]:
        s = e["sample"]
        decide = next((ev for ev in reversed(s.trace) if ev.verdict == "reject"), None)
        failing = (decide.params.get("failing") or [{}])[0] if decide else {}
        print(f"  correct rejected: {s.id} {e['reason']}: {str(failing.get('test', ''))[:120]!r} "
              f"{str(failing.get('error', ''))[:80]}")


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", action="store_true", help="Part A: model-free execution of the shared sets")
    ap.add_argument("--labelled", action="store_true", help="Part B: decisions on the labelled MBPP set")
    ap.add_argument("--shared-config", type=Path, default=REPO / "configs" / "shared.yaml")
    ap.add_argument("--shared-limit", type=int, default=None, help="Part A: a seeded sample of this many")
    ap.add_argument("--executor", choices=["inprocess", "local", "ray"], default="local")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--shard-size", type=int, default=250)
    ap.add_argument("--split", choices=["tune", "test", "all"], default="tune")
    ap.add_argument("--limit", type=int, default=None, help="Part B: problems drawn from the split (seeded)")
    ap.add_argument("--wrong-per-problem", type=int, default=2)
    ap.add_argument("--policies", nargs="+", default=["pass_share", "agreement"], choices=["pass_share", "agreement"])
    ap.add_argument("--set", action="append", metavar="KEY=VALUE", help="override a VerifyConfig field (repeatable)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--run-dir", type=Path, default=None, help="keeps the request cache (default: a temporary directory)")
    ap.add_argument("--dataset", choices=["mbpp", "humaneval-x"], default="mbpp",
                    help="Part B's labelled set: MBPP (Python, default) or HumanEval-X (the foreign path)")
    ap.add_argument("--languages", default="cpp,java,js", help="--dataset humaneval-x: comma-separated cpp, java, js")
    add_model_args(ap)
    args = ap.parse_args()
    if not (args.shared or args.labelled):
        ap.error("name a part: --shared, --labelled, or both")
    figures: dict[str, Any] = {}
    if args.labelled and args.dataset == "humaneval-x":
        x = part_b_x(args, ap)
        print("verify-x " + " ".join(f"{k}={_fmt(v, {'tests_per_sample': 2, 'tokens_per_sample': 0}.get(k, 3))}"
                                     for k, v in x.items()))
        if not args.shared:
            return
    elif args.labelled:
        figures.update(part_b(args, ap))
    if args.shared:
        figures.update(part_a(args))
    fields = ["samples", "runnable_share", "crash_share", "verified", "repaired", "correct_kept", "wrong_rejected",
              "precision_at_10pct", "tests_per_sample", "tokens_per_sample", "sandbox_cpu_ms"]
    digits = {"tests_per_sample": 2, "tokens_per_sample": 0, "sandbox_cpu_ms": 1}
    print("verify " + " ".join(f"{f}={_fmt(figures.get(f), digits.get(f, 3))}" for f in fields))


if __name__ == "__main__":
    main()
