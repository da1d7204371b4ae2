"""Ingest speed over every instruction set in ../shared/data (configs/shared.yaml).

    .venv/bin/python bench/ingest.py [--config configs/shared.yaml] [--repeat 5]

Prints, best of --repeat runs:
  parse_only   orjson parsing of the same files, no adapting (the ceiling ingest can approach)
  ingest       ingest_sources(): read, parse, adapt, ids, provenance, trace (what the pipeline runs)
  write_gz     write_samples() of the result to samples.jsonl.gz (level 6)
  write_parquet write_samples() to samples.parquet (zstd)
and as its last line: ``ingest records=<samples> records_per_s=<samples per second of ingest>``.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from pathlib import Path

import orjson

from alchemistcoder.config import load_config
from alchemistcoder.ingest.ingest import ingest_sources
from alchemistcoder.ingest.paths import resolve_source_path
from alchemistcoder.io import write_samples

REPO = Path(__file__).resolve().parents[1]


def best_of(repeat: int, fn):
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def parse_only(paths: list[Path]) -> int:
    n = 0
    for p in paths:
        data = gzip.decompress(p.read_bytes()) if p.name.endswith(".gz") else p.read_bytes()
        if p.suffix == ".json":
            n += len(orjson.loads(data))
        else:
            n += sum(1 for line in data.split(b"\n") if line.strip() and orjson.loads(line))
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default=str(REPO / "configs" / "shared.yaml"))
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    cfg = load_config(args.config)
    paths = [resolve_source_path(s.path, s.base_dir).local for s in cfg.sources]

    t_parse, n_parsed = best_of(args.repeat, lambda: parse_only(paths))
    t_ingest, result = best_of(args.repeat, lambda: ingest_sources(cfg.sources, cfg.ingest))
    n = len(result.samples)
    with tempfile.TemporaryDirectory() as tmp:
        t_gz, _ = best_of(max(1, args.repeat // 2), lambda: write_samples(Path(tmp) / "s.jsonl.gz", result.samples))
        t_pq, _ = best_of(max(1, args.repeat // 2), lambda: write_samples(Path(tmp) / "s.parquet", result.samples))
    totals = result.totals
    print(f"sources={len(cfg.sources)} read={totals.read} kept={totals.kept} excluded={totals.excluded} "
          f"rejected={totals.rejected}")
    print(f"parse_only    records={n_parsed} seconds={t_parse:.3f} records_per_s={n_parsed / t_parse:.0f}")
    print(f"write_gz      records={n} seconds={t_gz:.3f} records_per_s={n / t_gz:.0f}")
    print(f"write_parquet records={n} seconds={t_pq:.3f} records_per_s={n / t_pq:.0f}")
    print(f"ingest records={n} records_per_s={n / t_ingest:.0f}")


if __name__ == "__main__":
    main()
