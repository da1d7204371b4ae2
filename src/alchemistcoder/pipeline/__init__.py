"""The pipeline: the run loop (``run``), the stage list (``stages``), shard files and manifests (``shards``),
fingerprints (``fingerprints``), record accounting (``accounting``) and executors (``executors``)."""

from alchemistcoder.pipeline.run import Pipeline, StageOutcome, run_pipeline
from alchemistcoder.pipeline.stages import DEFAULT_STAGES, FINISH, STAGE_NAMES, default_stage
from alchemistcoder.stage import PipelineError, StageContext, StageSpec

__all__ = [
    "DEFAULT_STAGES",
    "FINISH",
    "STAGE_NAMES",
    "Pipeline",
    "PipelineError",
    "StageContext",
    "StageOutcome",
    "StageSpec",
    "default_stage",
    "run_pipeline",
]
