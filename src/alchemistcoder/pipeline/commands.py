"""CLI verb of the whole pipeline: ``alchemist run CONFIG``. Heavy imports stay inside functions."""

from __future__ import annotations

from pathlib import Path

import typer


def _names(values: list[str] | None) -> list[str] | None:
    """``--only a,b --only c`` → ``[a, b, c]``."""
    if not values:
        return None
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""

    @app.command("run")
    def run(
        config: Path = typer.Argument(..., help="Run config (YAML)."),
        out: Path | None = typer.Option(None, "--out", "-o", help="Run directory (overrides run.out)."),
        set_: list[str] = typer.Option([], "--set", help="Override a config value: KEY.PATH=VALUE (repeatable)."),
        only: list[str] = typer.Option([], "--only", help="Run only these stages (comma-separated); others reuse their output."),
        skip: list[str] = typer.Option([], "--skip", help="Skip these stages for this invocation (comma-separated)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars or stage lines."),
    ) -> None:
        """Run the pipeline: ingest → curate → evolve → harmonize → comprehend → mix → train → evaluate → report.

        Finished stages whose input and config did not change are skipped; an interrupted stage resumes
        from its last complete shard.
        """
        from alchemistcoder.config import ConfigError, load_config
        from alchemistcoder.io import DataError
        from alchemistcoder.pipeline import PipelineError, run_pipeline

        overrides = list(set_)
        if out is not None:
            overrides.append(f"run.out={out}")
        try:
            cfg = load_config(config, overrides)
            run_pipeline(cfg, only=_names(only), skip=_names(skip), quiet=quiet)
        except (ConfigError, PipelineError, DataError) as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        report = Path(cfg.run.out) / "report.html"
        if report.exists():
            typer.echo(f"report: {report.resolve()}")
        else:
            typer.echo(f"run directory: {Path(cfg.run.out).resolve()}")
