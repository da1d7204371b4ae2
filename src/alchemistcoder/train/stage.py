"""The train stage: SFT on the mix's exported train file, in this process or through a launcher."""

from __future__ import annotations

import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import orjson

from alchemistcoder.stage import PipelineError, StageContext
from alchemistcoder.train.config import TrainConfig


def run_train_stage(train_file: Path, cfg: TrainConfig, ctx: StageContext) -> dict[str, Any]:
    """SFT on ``train_file`` into the stage directory (``alchemistcoder.train.sft.run_train``).

    With ``run.train_launcher`` set, the training processes start through accelerate/torchrun (``alchemist
    train`` in each rank) and the main rank's result is read back; otherwise it trains in this process.
    """
    from alchemistcoder.train.sft import run_train

    out = ctx.stage_dir
    assert out is not None
    if ctx.run is not None and ctx.run.train_launcher != "none":
        result = _launch_train(train_file, cfg, out, ctx)
    else:
        result = run_train(train_file, cfg, out, seed=ctx.seed)
    ctx.stats.update({"global_step": result.global_step, "samples": result.samples, "num_tokens": result.num_tokens})
    return {
        "checkpoint": result.checkpoint_dir,
        "adapter": result.adapter_dir,
        "log": result.log_path,
        "first_loss": result.losses[0] if result.losses else None,
        "final_loss": result.losses[-1] if result.losses else None,
        "train_runtime_s": round(result.train_runtime_s, 1),
        "device": result.device,
        "precision": result.precision,
    }


def _launch_train(train_file: Path, cfg: TrainConfig, out: Path, ctx: StageContext) -> Any:
    """Start the training processes and read the result the main rank wrote."""
    import yaml

    from alchemistcoder.train.commands import launch_command
    from alchemistcoder.train.model import resolve_model_path
    from alchemistcoder.train.sft import RESULT_NAME

    settings = ctx.run
    assert settings is not None
    section = cfg.model_dump(mode="json")
    section.update({"data": str(train_file), "output_dir": str(out), "model": str(resolve_model_path(cfg.model))})
    config = out / "launch.yaml"
    out.mkdir(parents=True, exist_ok=True)
    config.write_text(yaml.safe_dump({"run": {"out": str(out), "seed": ctx.seed}, "train": section}))
    accel = Path(settings.accelerate_config) if settings.accelerate_config else None
    cmd = launch_command(config, [], settings.train_launcher, settings.train_processes, accel)
    code = subprocess.call(cmd)
    if code != 0:
        raise PipelineError(f"training processes exited with status {code} ({' '.join(cmd)})")
    return SimpleNamespace(**orjson.loads((out / RESULT_NAME).read_bytes()))
