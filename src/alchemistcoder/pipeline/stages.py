"""The run's stage list: the only place that names the stages, says where each one's code lives and what it
hands to the next.

The order is the order of a run; directory numbers come from it (``01_ingest`` ... ``09_evaluate``), so
disabling a stage never renumbers the rest; the report shows the stages in this order. Sample stages hand
on their shards (``SAMPLES``; comprehend also consumes every earlier ``REJECTED`` shard); the mix produces
the ``TRAIN_FILE`` that train consumes, train the ``CHECKPOINT`` that evaluate consumes. ``FINISH`` steps run
after the stages, on the whole run directory (the HTML report). A config can replace a stage's function
with ``run.stage_functions``.
"""

from __future__ import annotations

from alchemistcoder.stage import CHECKPOINT, REJECTED, SAMPLES, TRAIN_FILE, Product, StageSpec

_REPORT = "alchemistcoder.report.build:"  # where each stage's section of the report lives

DEFAULT_STAGES: tuple[StageSpec, ...] = (
    # reads cfg.sources: its input fingerprint is the source files' content
    StageSpec("ingest", "source", "alchemistcoder.ingest.stage:run_ingest",
              fingerprint="alchemistcoder.ingest.stage:sources_fingerprint",
              extra_hash="alchemistcoder.ingest.stage:sources_config_hashes", report=_REPORT + "report_sources"),
    # map -> reduce -> map on the executor; on the driver as a whole when a judge cap ranks every sample
    StageSpec("curate", "data", "alchemistcoder.curate.stage:run_curate", global_if="judge.max_samples",
              steps="alchemistcoder.curate.stage:curate_steps", report=_REPORT + "report_decontamination"),
    StageSpec("evolve", "data", "alchemistcoder.evolve.stage:run_evolve", global_if="max_samples"),
    # run every response in the sandbox, model-written tests, repair or reject (one map step per shard)
    StageSpec("verify", "data", "alchemistcoder.verify.stage:run_verify", report=_REPORT + "report_verify"),
    # candidates -> pick -> look -> select -> write: the stratified selection is the only driver step
    StageSpec("harmonize", "data", "alchemistcoder.harmonize.harmonize:run_harmonize",
              steps="alchemistcoder.harmonize.harmonize:harmonize_steps", report=_REPORT + "report_alchemist"),
    # candidates -> choose -> make: the caps and the filtering share are the only driver step; the filtering
    # tasks are made from every earlier stage's rejects
    StageSpec("comprehend", "data", "alchemistcoder.comprehend.stage:run_comprehend", consumes=(SAMPLES, REJECTED),
              steps="alchemistcoder.comprehend.stage:comprehend_steps", report=_REPORT + "report_comprehension"),
    # keys -> draw -> apply; then the export streams the shards in mix order and writes the train file
    StageSpec("mix", "data", "alchemistcoder.mix.stage:run_mix", section="alchemistcoder.mix.stage:mix_section",
              after="alchemistcoder.mix.export:export_stage", steps="alchemistcoder.mix.stage:mix_steps",
              produces=(Product(TRAIN_FILE, "export.train_jsonl", by_content=True,
                                hint="mix.formats must include jsonl"),),
              report=_REPORT + "report_mix"),
    StageSpec("train", "training", "alchemistcoder.train.stage:run_train_stage", consumes=(TRAIN_FILE,),
              produces=(Product(CHECKPOINT, "checkpoint"),), report=_REPORT + "report_training"),
    # the trained checkpoint, or evaluate.model when nothing was trained
    StageSpec("evaluate", "evaluation", "alchemistcoder.evaluate.stage:run_evaluate_stage", consumes=(CHECKPOINT,),
              section="alchemistcoder.evaluate.stage:evaluate_section", report=_REPORT + "report_evaluate"),
)
STAGE_NAMES: tuple[str, ...] = tuple(s.name for s in DEFAULT_STAGES)

FINISH: tuple[StageSpec, ...] = (StageSpec("report", "finish", "alchemistcoder.report:write_report"),)


def default_stage(name: str) -> StageSpec:
    """The built-in spec of stage ``name`` (custom stage lists reuse some, e.g. tests' stand-in runs)."""
    for spec in DEFAULT_STAGES:
        if spec.name == name:
            return spec
    raise KeyError(f"no stage {name!r} (stages: {', '.join(STAGE_NAMES)})")
