"""What every CLI verb that reads a run config shares: loading it with --set overrides, and the exit on errors."""

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
