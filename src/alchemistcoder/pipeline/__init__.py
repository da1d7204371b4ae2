"""The pipeline: the run loop (``run``), the stage list (``stages``), shard files and manifests (``shards``),
fingerprints (``fingerprints``), record accounting (``accounting``), the step interpreter (``steps``) and
executors (``executors``).

Names are imported lazily: the CLI imports ``pipeline.commands`` through this package, and ``alchemist
--help`` must not load the run loop.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

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


__getattr__ = lazy_getattr(__name__, _EXPORTS)
