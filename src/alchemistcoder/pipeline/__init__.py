"""The pipeline: the run loop (``run``), the stage list (``stages``), shard files and manifests (``shards``),
fingerprints (``fingerprints``), record accounting (``accounting``), the step interpreter (``steps``) and
executors (``executors``).

Names are imported lazily: the CLI imports ``pipeline.commands`` through this package, and ``alchemist
--help`` must not load the run loop.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Pipeline": "alchemistcoder.pipeline.run",
    "StageOutcome": "alchemistcoder.pipeline.run",
    "run_pipeline": "alchemistcoder.pipeline.run",
    "DEFAULT_STAGES": "alchemistcoder.pipeline.stages",
    "FINISH": "alchemistcoder.pipeline.stages",
    "STAGE_NAMES": "alchemistcoder.pipeline.stages",
    "default_stage": "alchemistcoder.pipeline.stages",
    "PipelineError": "alchemistcoder.stage",
    "StageContext": "alchemistcoder.stage",
    "StageSpec": "alchemistcoder.stage",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'alchemistcoder.pipeline' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
