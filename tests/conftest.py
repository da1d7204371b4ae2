"""Shared fixtures: where the real data lives, and small helpers."""

from __future__ import annotations

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
