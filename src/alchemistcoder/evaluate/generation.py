"""Generate samples through the LLM layer, resumably.

Samples are appended to ``samples.jsonl`` (EvalPlus format: ``task_id`` with ``solution`` or ``completion``)
as each batch finishes, and the raw outputs to ``samples.raw.jsonl``; on a restart the tasks that already
have their n samples are skipped, so an interrupted run loses at most one batch. The LLM layer's request
cache makes even that batch free when it was answered before the interruption.

``samples.meta.json`` records which model made the samples (:func:`model_identity`: backend, name, and for a
local checkpoint the hash of its files; for an endpoint its URLs): samples from another model (a retrained
checkpoint at the same path) are never resumed, and the request cache is namespaced by the same identity.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alchemistcoder.benchmarks import BenchmarkTask
from alchemistcoder.evaluate.config import EvalConfig
from alchemistcoder.evaluate.prompts import build_prompt, to_sample
from alchemistcoder.io import DataError


def read_samples_file(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """Samples in EvalPlus's format; a malformed line or a record without ``task_id`` and a ``solution`` or
    ``completion`` string is an error naming the file and line. A torn last line (an interrupted append) is
    ignored."""
    rows: list[dict[str, Any]] = []
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            if lineno == len(lines) and not line.endswith("}"):
                break  # the writer was interrupted mid-line
            raise DataError(path, f"malformed JSON ({exc.msg})", lineno) from None
        if not isinstance(row, dict) or "task_id" not in row:
            raise DataError(path, "a sample needs a 'task_id'", lineno)
        if not isinstance(row.get("solution"), str) and not isinstance(row.get("completion"), str):
            raise DataError(path, "a sample needs a 'solution' or 'completion' string", lineno)
        rows.append(row)
    return rows


def model_identity(llm_config: Any) -> dict[str, Any]:
    """What makes answers reusable: backend and model, plus the content hash of a local checkpoint (a
    retrained model at the same path is another model) or the endpoint URLs."""
    from alchemistcoder.pipeline.fingerprints import file_content_hash

    identity: dict[str, Any] = {"backend": llm_config.backend, "model": llm_config.model}
    if llm_config.backend == "openai":
        identity["base_urls"] = list(llm_config.base_urls)
    elif Path(llm_config.model).expanduser().is_dir():
        identity["content"] = file_content_hash(Path(llm_config.model).expanduser())
    return identity


def identity_key(identity: dict[str, Any]) -> str:
    """A short stable hash of a model identity (cache namespaces, baseline directories)."""
    import hashlib

    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:16]


def _start_or_resume(out: Path, identity: dict[str, Any] | None) -> None:
    """Keep earlier samples only when they were made by the same model; otherwise start fresh."""
    meta = out / "samples.meta.json"
    if identity is None:
        return
    previous = json.loads(meta.read_text()) if meta.exists() else None
    if previous is None or previous.get("model") != identity:
        for name in ("samples.jsonl", "samples.raw.jsonl"):
            (out / name).unlink(missing_ok=True)
    meta.write_text(json.dumps({"model": identity}, indent=2))


def _append(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def generate_samples(
    tasks: list[BenchmarkTask],
    cfg: EvalConfig,
    client: Any,
    out_dir: str | os.PathLike[str],
    *,
    batch_size: int = 16,
    progress: Callable[[int, int], None] | None = None,
    identity: dict[str, Any] | None = None,
) -> Path:
    """Make ``cfg.n_samples`` samples per task with ``client`` (an ``LLMClient``); returns samples.jsonl.

    ``identity`` (:func:`model_identity`): samples already there are resumed only when they were made by
    the same model.
    """
    from alchemistcoder.llm.types import ChatRequest

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _start_or_resume(out, identity)
    samples_path = out / "samples.jsonl"
    raw_path = out / "samples.raw.jsonl"
    have = (
        Counter(r["task_id"] for r in read_samples_file(samples_path)) if samples_path.exists() else Counter()
    )
    todo: list[tuple[BenchmarkTask, int]] = [
        (task, j) for task in tasks for j in range(have.get(task.task_id, 0), cfg.n_samples)
    ]
    total, done = len(todo), 0
    for start in range(0, len(todo), batch_size):
        chunk = todo[start : start + batch_size]
        requests = []
        for task, j in chunk:
            spec = build_prompt(task, cfg.prompt_style, cfg.system_prompt)
            requests.append(
                ChatRequest(
                    messages=spec.messages,
                    prompt=spec.prompt,
                    max_tokens=cfg.max_tokens,
                    temperature=cfg.temperature,
                    top_p=cfg.top_p,
                    stop=spec.stop,
                    # seed None: the run's seed, filled in by evaluate_section; a bare section has the default's, 0
                    seed=(cfg.seed or 0) + j,
                    # sample j of a task is its own request: without this, sampled duplicates share a cache entry
                    nonce=f"{task.task_id}#{j}" if cfg.temperature > 0 else None,
                    tag="evaluate",
                )
            )
        completions = client.generate(requests)
        rows, raws = [], []
        for (task, j), request, completion in zip(chunk, requests, completions, strict=True):
            text = _cut_at_stops(completion.text, request.stop)
            row = (
                to_sample(task, cfg.prompt_style, text)
                if completion.ok
                else {"task_id": task.task_id, "solution": ""}
            )
            row["sample_index"] = j
            if not completion.ok:
                row["error"] = completion.error
            rows.append(row)
            raws.append(
                {
                    "task_id": task.task_id,
                    "sample_index": j,
                    "raw": completion.text,
                    "error": completion.error,
                }
            )
        _append(raw_path, raws)
        _append(samples_path, rows)
        done += len(chunk)
        if progress:
            progress(done, total)
    return samples_path


def _cut_at_stops(text: str, stops: list[str] | None) -> str:
    """Backends that ignore ``stop`` still yield the same text: cut at the first stop sequence."""
    if not stops:
        return text
    cut = min((i for i in (text.find(s) for s in stops) if i >= 0), default=len(text))
    return text[:cut]
