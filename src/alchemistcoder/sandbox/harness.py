"""The one sandbox harness: run a Python runner on a job inside the sandbox and read back its tagged reports.

Evaluation (``evaluate/_py_runner.py``), decontamination (``decontam/signals/_probe.py``) and the verify stage
run Python the same way: the host ships a *runner* as the sandbox's program, the sandbox-side helpers
``_box.py`` beside it (``import _box``: the job, reporting, time limits, swallowed output, forked children)
and ``job.json``, to which :func:`run_harness` adds a fresh random nonce. The runner reports each result as
one line ``<nonce> <json>`` on its real stdout; :func:`parse_tagged` is the only reader of that protocol, so
whatever else the program (or the sample code it runs) prints is ignored, and a sample that does not know
the nonce cannot forge a result. Harnesses of other languages (decontamination's C++/Java/JavaScript
programs, DS-1000's runner) print the same lines and are read by the same function.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alchemistcoder.sandbox import ExecResult, run_program
from alchemistcoder.sandbox.budget import sandbox_workers

BOX = Path(__file__).with_name("_box.py")


@dataclass
class HarnessRun:
    """What one harness run reported (its nonce-tagged records, in order) and how the sandbox ended."""

    records: list[dict[str, Any]]
    result: ExecResult


def new_nonce() -> str:
    """A fresh tag for one run's reports."""
    return secrets.token_hex(8)


def parse_tagged(stdout: str, nonce: str) -> list[dict[str, Any]]:
    """The JSON objects of the lines ``<nonce> <json>`` of ``stdout``, in order; every other line, and a tagged
    line cut short (the sandbox caps output) or not holding an object, is ignored."""
    prefix = nonce + " "
    records = []
    for line in stdout.splitlines():
        if not line.startswith(prefix):
            continue
        try:
            record = json.loads(line[len(prefix) :])
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def run_harness(
    runner: Path,
    job: Mapping[str, Any],
    *,
    timeout_s: float,
    memory_mb: int = 1024,
    files: dict[str, str] | None = None,
    output_cap: int = 1 << 20,
) -> HarnessRun:
    """Run ``runner`` on ``job`` in a fresh sandbox and return its tagged records and the sandbox's result.

    The sandbox holds the runner (as its program), ``_box.py``, ``job.json`` (``job`` with a fresh ``nonce``)
    and ``files`` (more modules the runner imports, by name). ``timeout_s`` and ``memory_mb`` bound the whole
    runner; ``output_cap`` is how much of its stdout is read (later records are lost).
    """
    nonce = new_nonce()
    shipped = {
        **(files or {}),
        BOX.name: BOX.read_text(encoding="utf-8"),
        "job.json": json.dumps({**job, "nonce": nonce}),
    }
    result = run_program(
        "python",
        runner.read_text(encoding="utf-8"),
        timeout_s=timeout_s,
        memory_mb=memory_mb,
        files=shipped,
        output_cap=output_cap,
    )
    return HarnessRun(parse_tagged(result.stdout, nonce), result)


def run_harness_many(
    calls: list[tuple[Path, Mapping[str, Any], dict[str, Any]]], workers: int | None = None
) -> list[HarnessRun]:
    """Many :func:`run_harness` calls, each ``(runner, job, keyword arguments)``, run ``workers`` at a time
    (default: the process's sandbox budget, :func:`sandbox_workers`); results in call order."""
    if not calls:
        return []
    with ThreadPoolExecutor(max_workers=workers or sandbox_workers()) as pool:
        return list(pool.map(lambda call: run_harness(call[0], call[1], **call[2]), calls))
