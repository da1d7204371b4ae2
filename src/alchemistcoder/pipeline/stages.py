"""The run's stage list: the only place that names the stages and says where each one's code lives.

The order is the order of a run; directory numbers come from it (``01_ingest`` ... ``09_eval``), so
disabling a stage never renumbers the rest. ``FINISH`` steps run after the stages, on the whole run
directory (the HTML report). A config can replace a stage's function with ``run.stage_functions``.
"""

from __future__ import annotations

from alchemistcoder.stage import StageSpec

DEFAULT_STAGES: tuple[StageSpec, ...] = (
    StageSpec("ingest", "source", "alchemistcoder.sources.stage:run_ingest",
              extra_hash="alchemistcoder.sources.stage:sources_config_hashes"),
    # map -> reduce -> map on the executor; on the driver as a whole when a judge cap ranks every sample
    StageSpec("curate", "data", "alchemistcoder.curate.stage:run_curate", global_if="judge.max_samples",
              steps="alchemistcoder.curate.stage:curate_steps"),
    StageSpec("evolve", "data", "alchemistcoder.evolve.stage:run_evolve", global_if="max_samples"),
    # run every response in the sandbox, model-written tests, repair or reject (one map step per shard)
    StageSpec("verify", "data", "alchemistcoder.verify.stage:run_verify"),
    # candidates -> pick -> look -> select -> write: the stratified selection is the only driver step
    StageSpec("harmonize", "data", "alchemistcoder.alchemy.harmonize:run_harmonize",
              steps="alchemistcoder.alchemy.harmonize:harmonize_steps"),
    # candidates -> choose -> make: the caps and the filtering share are the only driver step
    StageSpec("comprehend", "data", "alchemistcoder.comprehend.stage:run_comprehend", with_rejected=True,
              steps="alchemistcoder.comprehend.stage:comprehend_steps"),
    # keys -> draw -> apply; then the export streams the shards in mix order
    StageSpec("mix", "data", "alchemistcoder.mix.stage:run_mix", section="alchemistcoder.mix.stage:mix_section",
              after="alchemistcoder.mix.export:export_stage", steps="alchemistcoder.mix.stage:mix_steps"),
    StageSpec("train", "training", "alchemistcoder.train.stage:run_train_stage"),
    StageSpec("eval", "evaluation", "alchemistcoder.evaluate.stage:run_eval_stage",
              section="alchemistcoder.evaluate.stage:eval_section"),
)
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in DEFAULT_STAGES)

FINISH: tuple[StageSpec, ...] = (StageSpec("report", "finish", "alchemistcoder.report:write_report"),)


def default_stage(name: str) -> StageSpec:
    """The built-in spec of stage ``name`` (custom stage lists reuse some, e.g. tests' stand-in runs)."""
    for spec in DEFAULT_STAGES:
        if spec.name == name:
            return spec
    raise KeyError(f"no stage {name!r} (stages: {', '.join(STAGE_NAMES)})")
