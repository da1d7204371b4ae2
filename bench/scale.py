"""The model-free chain on an enlarged corpus, in-process and on a process pool: time, speedup, driver memory.

    .venv/bin/python bench/scale.py --records 20000 [--workers 2] [--shard-size 1000] [--work DIR] [--keep]

1. Builds a corpus of ``--records`` samples from the shared instruction sets (configs/shared.yaml): the
   originals, then perturbed copies (every instruction gets a copy word after each third word, and every
   name in the response's code gets the copy number as a suffix, so a copy parses like its original but
   shares no shingle with it), and a few percent planted duplicates (2% exact copies with changed
   whitespace, 2% near copies with one instruction word changed). One JSONL file per source.
2. Runs ingest -> curate -> harmonize (template writer) -> comprehend (no review) -> mix -> report with
   ``run.executor: inprocess`` and with ``local`` (``--workers`` processes), each in a fresh process that
   reports its wall time, its own CPU time and its workers', and its own peak RSS (the driver's VmHWM; its RSS
   is also sampled every 0.02 s to name the stage where it peaks).
   MBPP's tests are not run in the sandbox (filters.failing_tests: false): the copies rename the functions
   the tests call, and the sandbox's cost depends on the machine rather than on this code.
3. Checks that both runs made the same decisions and the same exported files (``pipeline.digest``).

Last line: ``scale records=<n> inprocess_cpu_s=<a> local_wall_s=<b> inprocess_wall_s=<c> speedup=<c/b>
driver_peak_rss_mb=<m> rss_mb_per_10k=<k> curate_report_cpu_ms=<r>`` (``driver_peak_rss_mb`` of the local run;
``rss_mb_per_10k``: that peak per 10,000 records; ``curate_report_cpu_ms``: CPU milliseconds per record of the
curate stage and the report in the inprocess run, which issue 15 measured at 2.05).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import orjson
import yaml

REPO = Path(__file__).resolve().parents[1]


# -- the corpus -------------------------------------------------------------------------------------------
def _rename_names(language: str, code: str, suffix: str) -> str:
    """Every non-keyword name in ``code`` with ``suffix`` appended (comments and strings untouched)."""
    from alchemistcoder.code.tokens import _lexer_and_keywords

    lexer, keywords = _lexer_and_keywords(language)
    out, last = [], 0
    for m in lexer.finditer(code):
        if m.lastgroup == "i" and m.group() not in keywords:
            out.append(code[last : m.end()] + suffix)
            last = m.end()
    return "".join(out) + code[last:]


def perturb(instruction: str, response: str, copy: int) -> tuple[str, str]:
    """A copy of a sample that shares no shingle with its original (see the module docstring)."""
    from alchemistcoder.code import extract_code_blocks

    tag = f"v{copy}"
    words = instruction.split(" ")
    instruction = " ".join(w + (f" {tag}" if i % 3 == 2 else "") for i, w in enumerate(words))
    blocks = extract_code_blocks(response)
    if not blocks:
        return instruction, " ".join(w + (f" {tag}" if i % 3 == 2 else "") for i, w in enumerate(response.split(" ")))
    for block in blocks:
        response = response.replace(block.code, _rename_names(block.language, block.code, f"_{tag}"), 1)
    return instruction, response


def build_corpus(records: int, out: Path, seed: int = 0) -> dict[str, int]:
    """Write ``records`` samples as one messages-format JSONL per source under ``out``; returns counts by kind."""
    from alchemistcoder.config import load_config
    from alchemistcoder.ingest.ingest import ingest_sources

    cfg = load_config(REPO / "configs" / "shared.yaml")
    bases = [s for s in ingest_sources(cfg.sources, cfg.ingest).samples if not s.rejected]
    rng = random.Random(seed)
    rows: list[tuple[str, str, str]] = []
    kinds = {"original": 0, "copy": 0, "exact": 0, "near": 0}
    for k in range(records):
        roll = rng.random()
        if rows and roll < 0.02:
            source, inst, resp = rows[rng.randrange(len(rows))]
            rows.append((source, inst + "  ", resp + "\n"))
            kinds["exact"] += 1
            continue
        if rows and roll < 0.04:
            source, inst, resp = rows[rng.randrange(len(rows))]
            words = inst.split(" ")
            words[rng.randrange(len(words))] = "somehow"
            rows.append((source, " ".join(words), resp))
            kinds["near"] += 1
            continue
        base = bases[k % len(bases)]
        copy = k // len(bases)
        inst, resp = (base.instruction, base.response) if copy == 0 else perturb(base.instruction, base.response, copy)
        rows.append((base.source, inst, resp))
        kinds["original" if copy == 0 else "copy"] += 1
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[bytes]] = {}
    for source, inst, resp in rows:
        files.setdefault(source, []).append(orjson.dumps({"messages": [
            {"role": "user", "content": inst}, {"role": "assistant", "content": resp}]}))
    for source, lines in files.items():
        (out / f"{source}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return kinds


def chain_config(corpus: Path, run: Path, executor: str, workers: int, shard_size: int, embedding: bool = False) -> Path:
    """The model-free chain's config over the corpus (one source per file)."""
    cfg = {
        "run": {"out": str(run), "executor": executor, "workers": workers, "shard_size": shard_size},
        "sources": [{"name": p.stem, "path": str(p), "format": "messages"} for p in sorted(corpus.glob("*.jsonl"))],
        "curate": {"filters": {"failing_tests": False}, "decontam": {"embedding": embedding}},
        "evolve": {"enabled": False},
        "harmonize": {"writer": "template", "model": None},
        "comprehend": {"review": {"enabled": False}},
        "train": {"enabled": False},
        "evaluate": {"enabled": False},
    }
    path = run.parent / f"{run.name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


# -- one measured run (in its own process) ----------------------------------------------------------------
def _status_mb(*names: str) -> list[float]:
    """Fields of /proc/self/status in MB."""
    with open("/proc/self/status") as fh:
        fields = dict(line.split(":", 1) for line in fh if line.startswith(names))
    return [int(fields[n].split()[0]) / 1024 for n in names]


def _rss_mb() -> tuple[float, float]:
    """(resident MB, of which anonymous MB): file-backed pages (memory-mapped Arrow files, the page cache of
    what the process reads) are shared and reclaimable; the anonymous part is what the process holds."""
    rss, anon = _status_mb("VmRSS", "RssAnon")
    return rss, anon


def measured_run(config: Path) -> dict[str, Any]:
    """Run the chain of ``config`` here; wall and CPU seconds (own and workers'), own peak RSS in MB, and what
    this process was doing when its RSS peaked (its RSS sampled every 0.1 s, matched with the stages' times)."""
    from alchemistcoder.config import load_config
    from alchemistcoder.pipeline import run_pipeline

    samples: list[tuple[float, float, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            samples.append((time.time(), *_rss_mb()))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t = time.perf_counter()
    cfg = load_config(config)
    run_pipeline(cfg, quiet=True)
    wall = time.perf_counter() - t
    done.set()
    sampler.join()
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": wall, "cpu_s": own.ru_utime + own.ru_stime, "worker_cpu_s": kids.ru_utime + kids.ru_stime,
            # VmHWM, not ru_maxrss: Linux carries the parent's resident size across exec into ru_maxrss, and
            # this bench's parent holds the whole corpus it built
            "peak_rss_mb": _status_mb("VmHWM")[0], "peak_anon_mb": max((s[2] for s in samples), default=0.0),
            "peak_rss_in": _peak_stage(Path(cfg.run.out), samples)}


def _peak_stage(run: Path, samples: list[tuple[float, float, float]]) -> str:
    """``"<stage> (<MB> MB)"`` for the highest sampled RSS: the stage whose span holds its time (``report`` after
    the last stage)."""
    from datetime import datetime

    if not samples:
        return "?"
    at, mb, _anon = max(samples, key=lambda s: s[1])
    where = "report"
    for p in sorted(run.glob("[0-9][0-9]_*/manifest.json")):
        m = orjson.loads(p.read_bytes())
        start = datetime.fromisoformat(m["timings"]["started"]).timestamp()
        if start <= at <= start + m["timings"]["seconds"] + 1:
            where = m["stage"]
    return f"{where} ({mb:.0f} MB)"


# Issue 15's table: curate 52.2 + 82.3 + 42.5 CPU s and the report ~128 s over 148,660 records.
ISSUE15_CURATE_REPORT_MS = 2.05


def curate_report_cpu_ms(run: Path, records: int) -> float:
    """CPU milliseconds per record of the curate stage (every step, driver and executor) and the report, from
    the run's manifests and run.json (an inprocess run: its executor steps' CPU is the driver's)."""
    curate = orjson.loads(next(run.glob("[0-9][0-9]_curate/manifest.json")).read_bytes())
    cpu = sum(step["cpu_s"] for step in curate["timings"]["steps"].values())
    finish = orjson.loads((run / "run.json").read_bytes()).get("finish") or []
    cpu += sum(f["driver_cpu_s"] for f in finish if f["name"] == "report")
    return cpu / records * 1000


def run_in_child(config: Path) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, "--measure", str(config)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--shard-size", type=int, default=1000)
    ap.add_argument("--work", type=Path, default=Path("/tmp/alchemist-bench-scale"))
    ap.add_argument("--keep", action="store_true", help="Keep the corpus and the run directories.")
    ap.add_argument("--embedding", action="store_true",
                    help="Keep decontamination by meaning on (about 10 CPU ms per instruction: bench/decontam_cost.py "
                    "measures it); off by default so the figures compare with the chain before it existed.")
    ap.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measured_run(args.measure)))
        return

    from alchemistcoder.pipeline.digest import differences, run_digest

    work = args.work / str(args.records)
    shutil.rmtree(work, ignore_errors=True)
    kinds = build_corpus(args.records, work / "corpus")
    print(f"corpus: {args.records} records ({', '.join(f'{k} {v}' for k, v in kinds.items())})")
    results = {}
    for executor in ("inprocess", "local"):
        config = chain_config(work / "corpus", work / executor, executor, args.workers, args.shard_size, args.embedding)
        results[executor] = r = run_in_child(config)
        print(f"{executor}: wall {r['wall_s']:.1f}s, driver cpu {r['cpu_s']:.1f}s, workers cpu {r['worker_cpu_s']:.1f}s, "
              f"driver peak rss {r['peak_rss_mb']:.0f} MB (sampled every 0.02 s: highest in {r['peak_rss_in']}, "
              f"highest anonymous {r['peak_anon_mb']:.0f} MB)")
        manifests = sorted((work / executor).glob("[0-9][0-9]_*/manifest.json"))
        for m in map(lambda p: orjson.loads(p.read_bytes()), manifests):
            steps = m["timings"].get("steps") or {}
            detail = ", ".join(f"{n} {s['seconds']:.1f}s/{s['cpu_s']:.1f}cpu@{s['where']}" for n, s in steps.items())
            print(f"  {m['stage']:<10} {m['timings']['seconds']:7.1f}s {m['executor']:<9} {detail}")
        finish = orjson.loads((work / executor / "run.json").read_bytes()).get("finish") or []
        for f in finish:
            print(f"  {f['name']:<10} {f['seconds']:7.1f}s")
    per_record = curate_report_cpu_ms(work / "inprocess", args.records)
    print(f"curate + report CPU per record (inprocess): {per_record:.3f} ms; when issue 15 was filed: "
          f"{ISSUE15_CURATE_REPORT_MS} ms at 148,660 records (ratio {per_record / ISSUE15_CURATE_REPORT_MS:.2f})")
    diff = differences(run_digest(work / "inprocess"), run_digest(work / "local"))
    print("outputs: identical" if not diff else "outputs DIFFER: " + "; ".join(diff))
    a, b = results["inprocess"], results["local"]
    rss = b["peak_rss_mb"]
    print(f"scale records={args.records} inprocess_cpu_s={a['cpu_s'] + a['worker_cpu_s']:.1f} local_wall_s={b['wall_s']:.1f} "
          f"inprocess_wall_s={a['wall_s']:.1f} speedup={a['wall_s'] / b['wall_s']:.2f} driver_peak_rss_mb={rss:.0f} "
          f"rss_mb_per_10k={rss / (args.records / 10000):.0f} curate_report_cpu_ms={per_record:.3f}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    if diff:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
