"""Evaluation: benchmarks, prompt styles, generation through the LLM layer, sandboxed scoring, pass@k.

Python API::

    from alchemistcoder.evaluate import codegen, evaluate_samples, run_eval
    paths = codegen(eval_config, llm_config, "runs/x/eval")             # generate: <out>/<bench>/samples.jsonl
    summary = evaluate_samples("humaneval+", "samples.jsonl", "out/")   # score existing samples
    summaries = run_eval(eval_config, llm_config, "runs/x/eval")        # both

One results layout, whichever verb wrote it: ``<out>/<benchmark>/`` (``humaneval+`` → ``humanevalplus``) holds
``samples.jsonl`` (EvalPlus's format), ``eval_results.json`` (EvalPlus's) and ``summary.json``.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alchemistcoder.lazy import lazy_getattr

if TYPE_CHECKING:
    from alchemistcoder.evaluate.config import EvalConfig
    from alchemistcoder.evaluate.scoring import ScoreOptions

log = logging.getLogger(__name__)

# Imported on first use: loading a config (``alchemistcoder.config`` imports ``evaluate.config`` through
# this package) and ``alchemist --help`` must not pay for the benchmarks and the sandbox.
_LAZY = {
    "EvalConfig": "alchemistcoder.evaluate.config",
    "ScoreOptions": "alchemistcoder.evaluate.scoring",
    "score": "alchemistcoder.evaluate.scoring",
}


__getattr__ = lazy_getattr(__name__, _LAZY)


def options_from_config(cfg: EvalConfig) -> ScoreOptions:
    """Scorer options from the evaluate config section."""
    from alchemistcoder.evaluate.scoring import ScoreOptions

    return ScoreOptions(
        min_time_limit=cfg.min_time_limit,
        gt_time_limit_factor=cfg.gt_time_limit_factor,
        base_only=cfg.base_only,
        workers=cfg.workers or None,
        evalplus_quirks=cfg.evalplus_quirks,
        script_timeout_s=cfg.test_timeout_s,
        humaneval_x_timeout_s=cfg.test_timeout_s,
        ds1000_timeout_s=cfg.ds1000_timeout_s,
        ds1000_memory_mb=cfg.ds1000_memory_mb,
    )


def evaluate_samples(
    benchmark: str,
    samples: str | os.PathLike[str] | list[dict[str, Any]],
    out_dir: str | os.PathLike[str],
    *,
    data: str | os.PathLike[str] | None = None,
    options: ScoreOptions | None = None,
    limit: int | None = None,
    progress: Any = None,
) -> dict[str, Any]:
    """Score samples (a samples.jsonl path or rows) and write ``eval_results.json`` and ``summary.json``
    into ``out_dir``; returns the summary (pass@k, counts, error classes)."""
    from alchemistcoder.benchmarks import canonical_name, load_benchmark
    from alchemistcoder.evaluate.generation import read_samples_file
    from alchemistcoder.evaluate.results import eval_results, file_hash, summarize, write_eval_results
    from alchemistcoder.evaluate.scoring import SampleResult, score
    from alchemistcoder.io import atomic_open

    name = canonical_name(benchmark)
    tasks = load_benchmark(name, data)
    if limit:
        tasks = tasks[:limit]
    rows = read_samples_file(samples) if not isinstance(samples, list) else samples
    missing: dict[str, int] = {}
    if name == "ds1000":
        from alchemistcoder.evaluate.ds1000 import warn_missing

        missing = warn_missing(tasks)
    results: list[SampleResult] = score(tasks, rows, options, progress=progress)
    summary = summarize(name, results, len(tasks))
    if name == "ds1000":
        from alchemistcoder.evaluate.ds1000 import by_library, by_perturbation

        summary["by_library"] = by_library(tasks, results)
        summary["by_perturbation"] = by_perturbation(tasks, results)
        summary["missing_libraries"] = missing
    data_path = data if data is not None else _default_path_or_none(name)
    document = eval_results(name, results, file_hash(data_path), summary)
    out = Path(out_dir)
    write_eval_results(out, document)
    with atomic_open(out / "summary.json", "w") as fh:
        json.dump(summary, fh, indent=2)
    return summary


def _default_path_or_none(name: str) -> Path | None:
    from alchemistcoder.benchmarks import default_benchmark_path

    try:
        return default_benchmark_path(name)
    except FileNotFoundError:
        return None


def benchmark_dir(out_dir: str | os.PathLike[str], benchmark: str) -> Path:
    """``<out>/<benchmark>``, with ``+`` spelled ``plus`` (``humanevalplus``)."""
    return Path(out_dir) / benchmark.replace("+", "plus")


def codegen(
    cfg: EvalConfig,
    llm_config: Any,
    out_dir: str | os.PathLike[str],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Any = None,
) -> dict[str, Path]:
    """Generate samples for every benchmark of ``cfg`` with the model ``llm_config`` (resumable) into
    ``<out>/<benchmark>/samples.jsonl``; returns those paths by benchmark."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.evaluate.generation import generate_samples, identity_key, model_identity
    from alchemistcoder.llm import LLMClient

    paths = {}
    identity = model_identity(llm_config)
    # answers of another model under the same name (a retrained checkpoint) must not come from the cache
    namespaced = llm_config.model_copy(update={"cache": llm_config.cache.model_copy(
        update={"namespace": f"{llm_config.cache.namespace}|{identity_key(identity)}"})})
    client = LLMClient.from_config(namespaced, cache_dir=cache_dir or Path(out_dir) / "cache", stage="evaluate")
    try:
        for name in cfg.benchmarks:
            tasks = load_benchmark(name, cfg.data.get(name))
            if cfg.limit:
                tasks = tasks[: cfg.limit]
            paths[name] = generate_samples(tasks, cfg, client, benchmark_dir(out_dir, name), progress=progress,
                                           identity=identity)
    finally:
        client.close()
    return paths


def run_eval(
    cfg: EvalConfig,
    llm_config: Any,
    out_dir: str | os.PathLike[str],
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    progress: Any = None,
) -> dict[str, dict[str, Any]]:
    """:func:`codegen`, then score each benchmark's samples beside them; returns the summaries by benchmark."""
    paths = codegen(cfg, llm_config, out_dir, cache_dir=cache_dir, progress=progress)
    return {
        name: evaluate_samples(name, path, path.parent, data=cfg.data.get(name), options=options_from_config(cfg),
                               limit=cfg.limit)
        for name, path in paths.items()
    }


__all__ = [
    "EvalConfig",
    "ScoreOptions",
    "benchmark_dir",
    "codegen",
    "evaluate_samples",
    "options_from_config",
    "run_eval",
    "score",
]
