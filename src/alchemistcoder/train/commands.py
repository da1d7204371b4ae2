"""CLI verbs of this area: ``alchemist train`` and ``alchemist train-merge``. Heavy imports stay inside functions."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import typer

LAUNCHERS = ("none", "accelerate", "torchrun")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def launch_command(
    config: Path,
    overrides: list[str],
    launcher: str,
    num_processes: int,
    accelerate_config: Path | None = None,
    main_process_port: int | None = None,
) -> list[str]:
    """The command line that starts ``num_processes`` workers, each running ``alchemist train --launcher none``.

    Without an accelerate config file, several processes are started torchrun-style (accelerate's
    ``--multi_gpu`` mode, which on a machine without GPUs gives one CPU process per rank over gloo).
    """
    port = str(main_process_port or _free_port())
    worker = ["-m", "alchemistcoder.cli", "train", str(config), "--launcher", "none"]
    for item in overrides:
        worker += ["--set", item]
    if launcher == "torchrun":
        return [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(num_processes),
                "--master_port", port, *worker]
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", str(num_processes),
           "--main_process_port", port]
    if accelerate_config is not None:
        cmd += ["--config_file", str(accelerate_config)]
    else:
        cmd += ["--num_machines", "1", "--dynamo_backend", "no", "--mixed_precision", "no"]
        if num_processes > 1:
            cmd.append("--multi_gpu")
    return [*cmd, *worker]


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""

    @app.command("train")
    def train(
        config: Path = typer.Argument(..., help="Run YAML; its 'train:' section configures the run."),
        set_: list[str] = typer.Option([], "--set", help="Override a key, e.g. --set train.max_steps=10 (repeatable)."),
        launcher: str = typer.Option("none", help="none (this process), accelerate, or torchrun."),
        num_processes: int = typer.Option(1, "--num-processes", help="Processes to launch (one per GPU, or CPU ranks)."),
        accelerate_config: Path = typer.Option(
            None, "--accelerate-config", help="accelerate config file (DeepSpeed ZeRO / FSDP; see configs/train/)."
        ),
        main_process_port: int = typer.Option(None, "--main-process-port", help="Rendezvous port (default: a free one)."),
    ) -> None:
        """Fine-tune the base model on the training file (SFT with TRL); resumable."""
        from alchemistcoder.config import ConfigError, load_config
        from alchemistcoder.io import DataError

        if launcher not in LAUNCHERS:
            raise typer.BadParameter(f"--launcher must be one of {', '.join(LAUNCHERS)}")
        try:
            cfg = load_config(config, list(set_))
        except ConfigError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        if launcher != "none":
            from alchemistcoder.train.model import resolve_model_path

            # Resolve (and for 'embedded', convert) the base model once here, not in every rank.
            overrides = [*set_, f"train.model={resolve_model_path(cfg.train.model)}"]
            cmd = launch_command(config, overrides, launcher, num_processes, accelerate_config, main_process_port)
            typer.echo("launching: " + " ".join(cmd), err=True)
            raise typer.Exit(subprocess.call(cmd))

        from alchemistcoder.train.sft import run_train

        train_cfg = cfg.train
        if not train_cfg.enabled:
            typer.echo("train.enabled is false: nothing to do")
            return
        if not train_cfg.data:
            typer.echo("error: train.data is not set (the messages JSONL to train on); use --set train.data=PATH", err=True)
            raise typer.Exit(2)
        out = Path(train_cfg.output_dir) if train_cfg.output_dir else Path(cfg.run.out) / "train"
        try:
            result = run_train(train_cfg.data, train_cfg, out, seed=cfg.run.seed)
        except (DataError, ValueError, FileNotFoundError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        if int(os.environ.get("RANK", "0")) == 0:
            first = f"{result.losses[0]:.4f}" if result.losses else "-"
            last = f"{result.losses[-1]:.4f}" if result.losses else "-"
            typer.echo(
                f"trained {result.global_step} steps on {result.samples} samples "
                f"({result.world_size} process(es), {result.device}, {result.precision}); "
                f"loss {first} -> {last}; model: {result.checkpoint_dir}"
            )

    @app.command("train-merge")
    def train_merge(
        adapter: Path = typer.Argument(..., help="LoRA adapter directory (out_dir/adapter)."),
        out: Path = typer.Argument(..., help="Where to write the merged checkpoint."),
        base: str = typer.Option(None, help="Base model (default: the one recorded in the adapter)."),
        precision: str = typer.Option("fp32", help="fp32, bf16 or fp16."),
    ) -> None:
        """Merge a LoRA adapter into its base model and save a normal checkpoint."""
        from alchemistcoder.train.export import merge_lora

        typer.echo(str(merge_lora(adapter, out, base_model=base, precision=precision)))
