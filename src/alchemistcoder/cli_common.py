"""What the CLI verbs share: loading the run config with --set overrides, reading input samples, a stage
context for a verb that runs one stage, and the exits on errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def load_run_config(config: Path | None, overrides: list[str] | None) -> Any:
    """The run config from CONFIG (or the defaults) with --set overrides; exits 2 with the message on errors."""
    from alchemistcoder.config import ConfigError, RunConfig, apply_overrides, load_config, validate_dict

    try:
        if config is not None:
            return load_config(config, overrides or [])
        return validate_dict(apply_overrides({}, overrides or []), RunConfig, "--set")
    except ConfigError as exc:
        typer.echo(f"config error:\n{exc}", err=True)
        raise typer.Exit(2) from None


def read_input(path: Path) -> list[Any]:
    """Samples from ``path``; exits 1 with the file, line and problem when it is malformed."""
    from alchemistcoder.io import DataError, read_samples

    try:
        return list(read_samples(path))
    except (DataError, OSError) as exc:
        typer.echo(f"data error: {exc}", err=True)
        raise typer.Exit(1) from None


def stage_context(cfg: Any, out: Path, stage: str) -> Any:
    """A StageContext writing under ``out`` that resolves model names through ``cfg.models``."""
    from alchemistcoder.stage import StageContext

    out.mkdir(parents=True, exist_ok=True)
    return StageContext.for_run(cfg, stage, run_dir=out)
