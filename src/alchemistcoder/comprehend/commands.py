"""CLI verb `alchemist comprehend`; registered on the `alchemist` app by cli.py. Heavy imports stay inside functions."""

from __future__ import annotations

from pathlib import Path

import typer

SET_HELP = "Override a config value: KEY.PATH=VALUE (repeatable), e.g. --set comprehend.review.fraction=0.1."


def comprehend(
    samples: list[Path] = typer.Argument(..., help="Sample files (kept and rejected, e.g. a stage's output and its rejects file)."),
    out: Path = typer.Option(..., "--out", help="Directory for samples.jsonl.gz (inputs + task samples) and stats.json."),
    config: Path | None = typer.Option(None, "--config", help="Run config (YAML); its `comprehend` and `models` sections are used."),
    set_: list[str] | None = typer.Option(None, "--set", help=SET_HELP),
) -> None:
    """Make the comprehension tasks (instruction evolution, data filtering, code review, repair) from the samples'
    traces."""
    import json

    from alchemistcoder.cli_common import load_run_config, read_input, stage_context
    from alchemistcoder.comprehend.stage import run_comprehend
    from alchemistcoder.io import write_samples

    cfg = load_run_config(config, set_)
    ctx = stage_context(cfg, out, "comprehend")
    inputs = [s for path in samples for s in read_input(path)]
    result = run_comprehend(inputs, cfg.comprehend, ctx)
    write_samples(out / "samples.jsonl.gz", result)
    (out / "stats.json").write_text(json.dumps(ctx.stats, indent=2) + "\n")
    s = ctx.stats.get("comprehend", {})
    typer.echo(f"comprehend: tasks {s.get('tasks', {})}, reviews passed {s.get('review_passed', 0)}/{s.get('reviews', 0)}"
               f" -> {out / 'samples.jsonl.gz'}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("comprehend")(comprehend)
