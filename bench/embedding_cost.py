"""What embedding the shared instructions costs on torch and on onnxruntime, and whether the vectors agree.

    .venv/bin/python bench/embedding_cost.py [--config configs/shared.yaml] [--limit N] [--repeats R] [--int8]

Ingests the config's sources, takes the distinct intents of their instructions (``intent``, cut as
``EmbeddingIndex.embed`` cuts them; ``--limit``: that many, drawn with a fixed seed), and embeds them with
``encode`` (64 word pieces, longest first in token-bounded batches) on both backends of the packaged
all-MiniLM-L6-v2, alternating torch and onnx ``--repeats`` times in this one process: the machine is shared,
so only the ratio of runs side by side means anything. The export to ONNX (once per model, into the user cache)
happens before the clock starts.

Then compares with torch's vectors: max |Δ| of the unit vectors (instructions and benchmark statements), the
share of instructions whose float16 rounding (what the embedding store keeps) is identical, the share whose
top-3 benchmark problems (best statement per problem, as ``EmbeddingIndex.candidates``) are the same, the max
|Δcos| over instruction × problem pairs and how many pairs cross a decision threshold. ``--int8`` adds
onnxruntime's dynamic int8 quantisation of the same export beside it (not a backend of the project: its cosines
move too far). Prints a line per backend, and last:

    embedding_cost texts=<n> torch_s=<s> onnx_s=<s> ratio=<torch/onnx> max_abs_diff=<d> top3_same=<share>
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from alchemistcoder.decontam.retrieval.embedding import BATCH_TOKENS

REPO = Path(__file__).resolve().parents[1]
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as the CLI runs torch (cli.py)
# cosines at which decontamination decides something (exec_strong_threshold, exec_threshold,
# exec_foreign_threshold, statement thresholds)
THRESHOLDS = (0.5, 0.6, 0.65, 0.8, 0.86)


def instructions(config: str, limit: int | None) -> list[str]:
    """The distinct intents of the config's ingested instructions (all, or ``limit`` drawn with seed 0)."""
    from alchemistcoder.config import load_config
    from alchemistcoder.decontam.retrieval.embedding import MAX_INSTRUCTION_CHARS, intent
    from alchemistcoder.ingest.ingest import ingest_sources

    cfg = load_config(config)
    samples = ingest_sources(cfg.sources, cfg.ingest).samples
    texts = list(dict.fromkeys(intent(s.instruction[:MAX_INSTRUCTION_CHARS]) for s in samples))
    if limit and limit < len(texts):
        texts = random.Random(0).sample(texts, limit)
    return texts


def by_problem(queries: np.ndarray, statements: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Per query, the cosine of each problem's best statement (as ``EmbeddingIndex.candidates``)."""
    sims = queries @ statements.T
    out = np.full((len(queries), n), -1.0, dtype=np.float32)
    np.maximum.at(out.T, owner, sims.T)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(REPO / "configs" / "shared.yaml"))
    ap.add_argument("--limit", type=int, help="embed this many intents (default: all)")
    ap.add_argument("--repeats", type=int, default=1, help="timed runs of each backend, alternating")
    ap.add_argument("--int8", action="store_true", help="also time onnxruntime's dynamic int8 quantisation")
    ap.add_argument("--chunk", type=int, default=500, help="texts per alternation between the backends")
    ap.add_argument("--batch-tokens", type=int, nargs="+", default=[BATCH_TOKENS],
                    help="padded word pieces per batch; each backend runs at each, the first is the reference")
    args = ap.parse_args()

    from alchemistcoder.decontam.config import DecontamConfig
    from alchemistcoder.decontam.problems import load_problems
    from alchemistcoder.decontam.retrieval.embedding import (
        MAX_INSTRUCTION_CHARS,
        default_embedding_model_dir,
        encode,
        intent,
        load_embedder,
    )
    from alchemistcoder.decontam.retrieval.onnx_embedder import OnnxEmbedder, export_onnx

    texts = instructions(args.config, args.limit)
    problems = load_problems(DecontamConfig())
    statements = [intent(s[:MAX_INSTRUCTION_CHARS]) for p in problems for s in p.statements]
    owner = np.array([k for k, p in enumerate(problems) for _ in p.statements], dtype=np.int64)
    model_dir = default_embedding_model_dir()

    embedders = {"torch": load_embedder(None, "torch"), "onnx": load_embedder(None, "onnx")}
    if not isinstance(embedders["onnx"], OnnxEmbedder):
        sys.exit("the onnx backend is not available here (onnxruntime missing, or a GPU)")
    tmp = tempfile.TemporaryDirectory(prefix="embedding_cost_")
    if args.int8:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        int8 = Path(tmp.name) / "model.int8.onnx"
        quantize_dynamic(str(export_onnx(model_dir)), str(int8), weight_type=QuantType.QInt8)
        embedders["int8"] = OnnxEmbedder(model_dir, onnx_path=int8)
    print(f"texts {len(texts)}  statements {len(statements)} of {len(problems)} problems  "
          f"cores {os.cpu_count()}  repeats {args.repeats}", flush=True)

    # torch's OpenMP threads wait passively under the CLI (cli.py); onnxruntime's are set likewise
    runs = [(name, bt) for bt in args.batch_tokens for name in embedders]
    wall = dict.fromkeys(runs, 0.0)
    cpu = dict.fromkeys(runs, 0.0)
    parts: dict[tuple[str, int], list[np.ndarray]] = {run: [] for run in runs}
    for r in range(args.repeats):
        for k, start in enumerate(range(0, len(texts), args.chunk)):
            chunk = texts[start : start + args.chunk]
            # alternate the order so that neither backend always runs after the other
            for name, bt in runs if k % 2 == 0 else runs[::-1]:
                w, c = time.perf_counter(), time.process_time()
                vec = encode(embedders[name], chunk, batch_tokens=bt)
                wall[name, bt] += time.perf_counter() - w
                cpu[name, bt] += time.process_time() - c
                if r == 0:
                    parts[name, bt].append(vec)
        print(f"repeat {r + 1}: " + "  ".join(f"{n}@{bt} {wall[n, bt]:.1f} s" for n, bt in runs), flush=True)
    vectors = {run: np.concatenate(v) for run, v in parts.items()}

    first = args.batch_tokens[0]
    ref = vectors["torch", first]
    ref_stmt = encode(embedders["torch"], statements, batch_tokens=first)
    ref_sims = by_problem(ref, ref_stmt, owner, len(problems))
    ref_top = np.argsort(-ref_sims, axis=1, kind="stable")[:, :3]
    base_wall, base_cpu = wall["torch", first], cpu["torch", first]
    figures: dict[tuple[str, int], dict[str, float]] = {}
    for name, bt in runs:
        same_bt = wall["torch", bt]
        stmt = encode(embedders[name], statements, batch_tokens=bt)
        sims = by_problem(vectors[name, bt], stmt, owner, len(problems))
        top = np.argsort(-sims, axis=1, kind="stable")[:, :3]
        diff = max(float(np.abs(vectors[name, bt] - ref).max()), float(np.abs(stmt - ref_stmt).max()))
        f16 = float((vectors[name, bt].astype(np.float16) == ref.astype(np.float16)).all(axis=1).mean())
        crossed = {t: int(((sims >= t) != (ref_sims >= t)).sum()) for t in THRESHOLDS}
        figures[name, bt] = {"s": wall[name, bt], "diff": diff, "top3": float((top == ref_top).all(axis=1).mean())}
        print(f"{name:5s} batch_tokens {bt:5d}: {wall[name, bt]:7.1f} s wall, {cpu[name, bt]:7.1f} s CPU; "
              f"torch@{first} / this: {base_wall / wall[name, bt]:.2f}x wall {base_cpu / cpu[name, bt]:.2f}x CPU; "
              f"torch@{bt} / this: {same_bt / wall[name, bt]:.2f}x wall "
              f"{cpu['torch', bt] / cpu[name, bt]:.2f}x CPU; against torch@{first}: max|Δ| {diff:.1e}  "
              f"float16-identical {f16:.3f}  top-3 same {figures[name, bt]['top3']:.4f}  "
              f"max|Δcos| {float(np.abs(sims - ref_sims).max()):.1e}  pairs crossing "
              + " ".join(f"{t}:{c}" for t, c in crossed.items()), flush=True)
    tmp.cleanup()
    onnx = figures["onnx", first]
    line = (f"embedding_cost texts={len(texts)} torch_s={base_wall:.1f} onnx_s={onnx['s']:.1f} "
            f"ratio={base_wall / onnx['s']:.2f} max_abs_diff={onnx['diff']:.1e} top3_same={onnx['top3']:.4f}")
    if ("int8", first) in figures:
        i8 = figures["int8", first]
        line += f" int8_s={i8['s']:.1f} int8_ratio={base_wall / i8['s']:.2f} int8_top3_same={i8['top3']:.4f}"
    for bt in args.batch_tokens[1:]:
        line += (f" torch_s@{bt}={wall['torch', bt]:.1f} onnx_s@{bt}={wall['onnx', bt]:.1f}"
                 f" ratio@{bt}={wall['torch', bt] / wall['onnx', bt]:.2f}")
    print(line)


if __name__ == "__main__":
    main()
