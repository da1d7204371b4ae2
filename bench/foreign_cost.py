"""Where decontamination's C++/Java/JavaScript/Go/Rust/C/C#/Ruby execution spends its time (issue 24, item 6).

    .venv/bin/python bench/foreign_cost.py --capture PAIRS.pkl [--samples PICKLE] [--config configs/shared.yaml]
    .venv/bin/python bench/foreign_cost.py PAIRS.pkl [--languages cpp java ...] [--out VERDICTS.pkl] [--compare OTHER.pkl]

``--capture`` runs one cold curate over the samples (``bench/decontam_cost.py``'s ``cold`` run, an empty
cache) and pickles every ``verify_foreign`` call's input and answer: a fixed workload, so that the other
languages' harnesses can be timed alone, before and after a change, without the embedding and the Python
sandbox around them.

Given a capture, runs ``verify_foreign`` on its inputs, one language at a time, and prints per language the
samples, the programs run (sandboxes), those that did not compile, the seconds spent compiling and running
(summed over the sandboxes, which run side by side), the wall-clock seconds and the CPU seconds of the
sandboxes; then the ``--slowest`` programs (the C++ programs that ran 5, 10 or 20 s were samples computing until
the sample's limit, docs/decontam_cost.md item 8); last one line:

    foreign_cost samples=<n> programs=<p> compile_errors=<e> wall_s=<s> cpu_s=<s> same=<bool|nan>

``same``: whether every verdict equals the capture's (or ``--compare``'s, a file ``--out`` wrote), compared
exactly, list for list. Run it with another tree's ``src`` first on ``PYTHONPATH`` to time that code.
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import re
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
# the line that opens a sample's part of a harness program (programs.py): a program of one sample has one
_PART = re.compile(r"^(?:namespace decontam_s\d+ \{|  static class S\d+ \{|mod decontam_s\d+ \{|\{ const ctx = |"
                   r"namespace DecontamS\d+ \{)", re.M)
_EXT = {"main.cpp": "cpp", "main.c": "c", "main.go": "go", "main.rs": "rust", "main.js": "javascript",
        "main.cs": "csharp", "main.rb": "ruby"}


def capture(args: argparse.Namespace) -> None:
    """One cold curate run with ``verify_foreign`` recorded (its inputs and answers) into ``args.capture``."""
    import os

    sys.path.insert(0, str(REPO / "bench"))
    import alchemistcoder.decontam.step as step
    import decontam_cost

    real = step.verify_foreign
    calls: list[dict[str, Any]] = []

    def recorded(pairs: list[Any], timeout_s: float, workers: int | None = None, **kw: Any) -> list[Any]:
        out = real(pairs, timeout_s, workers=workers, **kw)
        calls.append({"pairs": pairs, "timeout_s": timeout_s, "workers": workers, "kw": kw, "out": out})
        return out

    step.verify_foreign = recorded
    samples = args.samples
    with tempfile.TemporaryDirectory(prefix="foreign_cost_") as tmp:
        os.environ.pop("ALCHEMIST_CACHE", None)
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "xdg_cache")  # cold: empty embedding and verdict stores
        if samples is None:
            from alchemistcoder.config import load_config
            from alchemistcoder.ingest.ingest import ingest_sources

            samples = str(Path(tmp) / "samples.pkl")
            cfg = load_config(args.config)
            Path(samples).write_bytes(pickle.dumps(ingest_sources(cfg.sources, cfg.ingest).samples))
        decontam_cost.child(argparse.Namespace(child="cold", config=args.config, samples=samples, set=[], dump=None))
    Path(args.capture).write_bytes(pickle.dumps(calls))
    print(f"captured {len(calls)} verify_foreign calls, {sum(len(c['pairs']) for c in calls)} samples -> {args.capture}")


class _Sandboxes:
    """Every sandbox the run starts: its language, steps' seconds and whether its compile failed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jobs: list[dict[str, Any]] = []

    def install(self) -> None:
        import alchemistcoder.sandbox as sandbox

        real = sandbox.execute

        def execute(steps: list[Any], **kw: Any) -> Any:
            files = kw.get("files") or {}
            language = next((lang for name, lang in _EXT.items() if name in files), "java")
            source = "\n".join(files.values())
            outcomes, error = real(steps, **kw)
            compiled = [o for o in outcomes if o.name == "compile"]
            with self.lock:
                self.jobs.append({
                    "language": language,
                    "compile_s": sum(o.duration_s for o in compiled),
                    "run_s": sum(o.duration_s for o in outcomes if o.name != "compile"),
                    "compile_error": any(o.exit_code != 0 for o in compiled),
                    "solo": len(_PART.findall(source)) == 1 or language in ("go", "c", "ruby"),
                    "samples": max(1, len(_PART.findall(source))),
                })
            return outcomes, error

        sandbox.execute = execute


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _originals(config: str) -> dict[str, list[Any]]:
    """The benchmark's own tests' arguments by problem, as ``step.py`` gives ``verify_foreign`` (for a capture
    written before ``--capture`` kept the keyword arguments)."""
    from alchemistcoder.config import load_config
    from alchemistcoder.decontam.problems import load_problems

    return {p.key: p.inputs[: p.base] for p in load_problems(load_config(config).curate.decontam)}


def _fields(verdicts: dict[str, Any] | None) -> dict[str, tuple[Any, ...]] | None:
    """A sample's verdicts as plain tuples, a field a pickled verdict predates read as its default (a capture
    outlives a field added to ``ExecVerdict``)."""
    if verdicts is None:
        return None
    return {key: tuple(getattr(v, f.name, f.default) for f in dataclasses.fields(v)) for key, v in verdicts.items()}


def measure(args: argparse.Namespace) -> None:
    """Time ``verify_foreign`` on a capture's inputs, language by language; compare the verdicts."""
    from alchemistcoder.decontam.signals.foreign import verify_foreign

    calls = pickle.loads(Path(args.pairs).read_bytes())
    if any("kw" not in c for c in calls):
        originals = _originals(args.config)
        for c in calls:
            c.setdefault("kw", {"originals": originals})
    reference = pickle.loads(Path(args.compare).read_bytes()) if args.compare else [c["out"] for c in calls]
    boxes = _Sandboxes()
    boxes.install()
    results: list[list[Any]] = [[None] * len(c["pairs"]) for c in calls]
    languages = args.languages or sorted({code.language for c in calls for code, _p in c["pairs"]})
    totals: dict[str, float] = defaultdict(float)
    print(f"{'language':10s} {'samples':>7s} {'programs':>8s} {'no compile':>10s} {'alone':>5s} {'alone, no compile':>17s} "
          f"{'compile s':>9s} {'run s':>8s} {'wall s':>8s} {'cpu s':>8s}")
    for language in languages:
        start_jobs, cpu, wall = len(boxes.jobs), _children_cpu(), time.perf_counter()
        samples = 0
        for n, c in enumerate(calls):
            mine = [k for k, (code, _p) in enumerate(c["pairs"]) if code.language == language]
            samples += len(mine)
            if mine:
                out = verify_foreign([c["pairs"][k] for k in mine], c["timeout_s"], workers=c["workers"], **c["kw"])
                for k, verdicts in zip(mine, out, strict=True):
                    results[n][k] = verdicts
        wall, cpu = time.perf_counter() - wall, _children_cpu() - cpu
        jobs = boxes.jobs[start_jobs:]
        row = {"samples": samples, "programs": len(jobs), "compile_errors": sum(j["compile_error"] for j in jobs),
               "alone": sum(j["solo"] for j in jobs), "alone_no_compile": sum(j["solo"] and j["compile_error"] for j in jobs),
               "compile_s": sum(j["compile_s"] for j in jobs), "run_s": sum(j["run_s"] for j in jobs),
               "wall_s": wall, "cpu_s": cpu}
        for key, value in row.items():
            totals[key] += value
        print(f"{language:10s} {samples:7d} {row['programs']:8d} {row['compile_errors']:10d} {row['alone']:5d} "
              f"{row['alone_no_compile']:17d} {row['compile_s']:9.1f} "
              f"{row['run_s']:8.1f} {wall:8.1f} {cpu:8.1f}", flush=True)
    for n, c in enumerate(calls):  # languages left out keep the reference's verdicts
        for k, (code, _p) in enumerate(c["pairs"]):
            if code.language not in languages:
                results[n][k] = reference[n][k]
    differ = [(n, k) for n, c in enumerate(calls) for k in range(len(c["pairs"]))
              if _fields(results[n][k]) != _fields(reference[n][k])]
    for n, k in differ[: args.show]:
        code = calls[n]["pairs"][k][0]
        print(f"differs: call {n} sample {k} ({code.language}): {reference[n][k]} -> {results[n][k]}")
    # where the time goes: a program that ran for whole multiples of a limit is a sample computing forever
    for j in sorted(boxes.jobs, key=lambda j: -(j["compile_s"] + j["run_s"]))[: args.slowest]:
        print(f"slow program: {j['language']} samples={j['samples']} compile_s={j['compile_s']:.1f} run_s={j['run_s']:.1f}"
              f"{' (did not compile)' if j['compile_error'] else ''}")
    if args.out:
        Path(args.out).write_bytes(pickle.dumps(results))
    print(f"foreign_cost samples={int(totals['samples'])} programs={int(totals['programs'])} "
          f"compile_errors={int(totals['compile_errors'])} wall_s={totals['wall_s']:.1f} cpu_s={totals['cpu_s']:.1f} "
          f"same={not differ} differing={len(differ)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pairs", nargs="?", help="a capture (``--capture``'s pickle) to time")
    ap.add_argument("--capture", help="run a cold curate and write verify_foreign's inputs and answers here")
    ap.add_argument("--config", default=str(REPO / "configs" / "shared.yaml"))
    ap.add_argument("--samples", help="pickle of the ingested samples (bench/decontam_cost.py --save-samples)")
    ap.add_argument("--languages", nargs="*", help="only these languages (default: all in the capture)")
    ap.add_argument("--out", help="write the verdicts here (a list per captured call)")
    ap.add_argument("--compare", help="compare with these verdicts (an --out file) instead of the capture's")
    ap.add_argument("--show", type=int, default=20, help="differing verdicts to print")
    ap.add_argument("--slowest", type=int, default=10, help="programs to print, the slowest first")
    args = ap.parse_args()
    if args.capture:
        capture(args)
    elif args.pairs:
        measure(args)
    else:
        ap.error("give a capture to time, or --capture PATH")


if __name__ == "__main__":
    main()
