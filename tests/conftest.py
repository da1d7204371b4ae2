"""Shared fixtures: where the real data lives, and small helpers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# Busy-waiting OpenMP threads starve each other on a shared 2-core machine; set before torch loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REPO = Path(__file__).resolve().parents[1]
# ../shared/data beside the checkout (CI lays shared/ next to the clone); ALCHEMIST_SHARED_DATA overrides.
SHARED_DATA = Path(os.environ.get("ALCHEMIST_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real benchmark and instruction files; their absence is an error, not a skip."""
    assert SHARED_DATA.is_dir(), f"shared data not found at {SHARED_DATA}; set ALCHEMIST_SHARED_DATA"
    return SHARED_DATA


@pytest.fixture
def sandbox_languages(monkeypatch) -> list[str]:
    """The language of every job the test sends to the sandbox (``run_many`` watched, not replaced)."""
    import alchemistcoder.sandbox as sandbox

    seen: list[str] = []
    real = sandbox.run_many

    def spy(jobs, workers=None):
        jobs = list(jobs)
        seen.extend(job.language for job in jobs)
        return real(jobs, workers=workers)

    monkeypatch.setattr(sandbox, "run_many", spy)
    return seen


@pytest.fixture(scope="session")
def codealpaca_rows(shared_data):
    """new_codealpaca's rows by index, read as the ingest adapter reads them (instruction and its input)."""
    from alchemistcoder.ingest.adapters import ADAPTERS, field_names

    with open(shared_data / "codealpaca" / "new_codealpaca.json", encoding="utf-8") as fh:
        data = json.load(fh)

    def row(i: int) -> tuple[str, str]:
        messages, _meta = ADAPTERS["alpaca"](data[i], field_names("alpaca", {}))
        return messages[0]["content"], messages[1]["content"]
    return row


@pytest.fixture(scope="session")
def bench_problems(shared_data):
    """``get(*task_ids)``: those benchmark problems (MBPP, MBPP+, HumanEval+) as decontamination sees them, by key
    (the benchmark files read once)."""
    from alchemistcoder.benchmarks import load_benchmark
    from alchemistcoder.decontam.config import DecontamConfig
    from alchemistcoder.decontam.problems import problems_from_tasks

    tasks = [t for name in ("mbpp", "mbpp+", "humaneval+") for t in load_benchmark(name)]

    def get(*task_ids: str) -> dict:
        chosen = [t for t in tasks if t.task_id in task_ids]
        return {p.key: p for p in problems_from_tasks(chosen, DecontamConfig().exec_plus_inputs)}
    return get
