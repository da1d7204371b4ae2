"""Results files in EvalPlus's formats, pass@k, the error-class breakdown and the summary table."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from alchemistcoder.evaluate.errors import ERROR_CLASSES
from alchemistcoder.evaluate.passk import pass_at_ks
from alchemistcoder.evaluate.scoring import SampleResult
from alchemistcoder.io import atomic_open


def summarize(benchmark: str, results: list[SampleResult], n_tasks: int) -> dict[str, Any]:
    """pass@k (base, and plus for the + benchmarks), counts and error classes."""
    per_task: dict[str, list[SampleResult]] = {}
    for r in results:
        per_task.setdefault(r.task_id, []).append(r)
    totals = [len(v) for v in per_task.values()]
    summary: dict[str, Any] = {
        "benchmark": benchmark,
        "tasks": n_tasks,
        "tasks_with_samples": len(per_task),
        "samples": len(results),
        "base": pass_at_ks(totals, [sum(r.passed_base for r in v) for v in per_task.values()]),
    }
    if any(r.plus_status is not None for r in results):
        summary["plus"] = pass_at_ks(totals, [sum(r.passed_plus for r in v) for v in per_task.values()])
    counts = Counter(r.error_class for r in results)
    summary["error_classes"] = {c: counts[c] for c in ERROR_CLASSES if counts[c]}
    return summary


def eval_results(
    benchmark: str, results: list[SampleResult], data_hash: str, summary: dict[str, Any]
) -> dict[str, Any]:
    """EvalPlus's ``eval_results.json`` document: ``date``, ``hash``, ``eval`` (task id -> one record per
    sample, in samples-file order), plus our ``benchmark``, ``pass_at_k`` and ``error_classes``."""
    by_task: dict[str, list[dict[str, Any]]] = {}
    for r in sorted(results, key=lambda r: r.index):
        by_task.setdefault(r.task_id, []).append(r.to_evalplus())
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "hash": data_hash,
        "benchmark": benchmark,
        "eval": by_task,
        "pass_at_k": {k: v for k, v in summary.items() if k in ("base", "plus")},
        "error_classes": summary["error_classes"],
    }


def file_hash(path: str | Path | None) -> str:
    """md5 of the benchmark file, as EvalPlus's dataset hash."""
    if path is None:
        return ""
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def write_eval_results(out_dir: str | Path, document: dict[str, Any]) -> Path:
    """Write ``eval_results.json`` atomically into ``out_dir``."""
    path = Path(out_dir) / "eval_results.json"
    with atomic_open(path, "w") as fh:
        json.dump(document, fh)
    return path


def summary_table(summary: dict[str, Any]) -> str:
    """A plain-text table: pass@k rows and the error classes."""
    lines = [
        f"{summary['benchmark']}: {summary['samples']} samples over {summary['tasks_with_samples']}/{summary['tasks']} tasks"
    ]
    for part in ("base", "plus"):
        if summary.get(part):
            cells = "  ".join(f"{k}={v * 100:.1f}" for k, v in summary[part].items())
            lines.append(f"  {part:<5} {cells}")
    if summary.get("error_classes"):
        total = max(1, summary["samples"])
        lines.append("  error classes:")
        for name, count in summary["error_classes"].items():
            lines.append(f"    {name:<16} {count:>6}  {count / total * 100:5.1f}%")
    return "\n".join(lines)
