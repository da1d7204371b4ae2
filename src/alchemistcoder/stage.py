"""The contract between stages and executors.

A stage is a plain function ``fn(samples, cfg, ctx) -> samples``: it receives a list of Samples and its
typed config section, and returns **every** sample it received (rejected ones carry a ``reject`` trace
event; modified ones a ``modify`` event) plus any new samples it created (with a ``create`` event naming
their parents). It never drops a record, so count in = kept + rejected holds by construction. It does not
know where it runs: the executor (in-process, process pool or Ray) decides how the list is sharded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class StageContext:
    """What a stage may use besides its input and config."""

    run_dir: Path
    stage: str
    seed: int = 0
    workers: int = 1
    # Resolves a stage's `model:` reference (a name under `models:` or an inline LLMConfig).
    resolve_model: Callable[[Any], Any] = lambda ref: ref
    # Called with the number of samples just finished, to advance a progress bar.
    progress: Callable[[int], None] = lambda n: None
    # Free-form figures the stage wants in its manifest (tokens, cost, counts by kind).
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def cache_dir(self) -> Path:
        """Directory for persistent caches shared by stages of this run (e.g. the LLM request cache)."""
        p = self.run_dir / "cache"
        p.mkdir(parents=True, exist_ok=True)
        return p
