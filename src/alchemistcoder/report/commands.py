"""CLI verbs of the report: ``alchemist report RUN_DIR``. Heavy imports stay inside functions."""

from __future__ import annotations

from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""

    @app.command("report")
    def report(
        run_dir: Path = typer.Argument(..., help="Run directory made by `alchemist run`."),
        config: Path | None = typer.Option(None, "--config", "-c", help="Run config (for the title and example count)."),
    ) -> None:
        """Write (or rewrite) RUN_DIR/report.html from what the run left on disk."""
        from alchemistcoder.config import load_config
        from alchemistcoder.report import write_report

        if not run_dir.is_dir():
            raise typer.BadParameter(f"{run_dir}: not a directory")
        cfg = load_config(config) if config else None
        path = write_report(run_dir, cfg)
        typer.echo(f"report: {path.resolve()}")
