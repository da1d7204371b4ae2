"""CLI verbs of the report: ``alchemist report RUN_DIR`` and ``alchemist compare RUN_DIR...``. Heavy imports stay
inside functions."""

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

    @app.command("compare")
    def compare(
        run_dirs: list[Path] = typer.Argument(..., help="Run directories (or evaluation output directories)."),
        baseline: Path | None = typer.Option(None, "--baseline", help="The run the others are tested against "
                                             "(default: the first one)."),
        out: Path | None = typer.Option(None, "--out", help="Write compare.html (with a plot) and compare.md here."),
    ) -> None:
        """The ablation table: pass@1 per benchmark with 95% intervals, mix composition, and paired tests
        (McNemar / paired bootstrap) against the baseline. Markdown to stdout."""
        from alchemistcoder.report.compare import compare_runs

        try:
            table = compare_runs(list(run_dirs), baseline, out)
        except FileNotFoundError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(table)
        if out is not None:
            typer.echo(f"compare: {(out / 'compare.html').resolve()}")
