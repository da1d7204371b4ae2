"""CLI verb `alchemist evolve`; registered on the `alchemist` app by cli.py. Heavy imports stay inside functions."""

from __future__ import annotations

from pathlib import Path

import typer

from alchemistcoder.cli_common import load_run_config, read_input, stage_context

SET_HELP = "Override a config value: KEY.PATH=VALUE (repeatable), e.g. --set evolve.rounds=2."


def evolve(
    samples: Path = typer.Argument(..., help="Samples (.jsonl, .jsonl.gz or .parquet), e.g. a curate stage's output."),
    out: Path = typer.Option(..., "--out", help="Directory for samples.jsonl.gz (inputs + evolved) and stats.json."),
    config: Path | None = typer.Option(None, "--config", help="Run config (YAML); its `evolve` and `models` sections are used."),
    set_: list[str] | None = typer.Option(None, "--set", help=SET_HELP),
) -> None:
    """Evol-Instruct: evolve a seeded share of the kept samples, eliminate failed evolutions, answer the rest."""
    import json

    from alchemistcoder.evolve.stage import run_evolve
    from alchemistcoder.io import write_samples

    cfg = load_run_config(config, set_)
    ctx = stage_context(cfg, out, "evolve")
    result = run_evolve(read_input(samples), cfg.evolve, ctx)
    write_samples(out / "samples.jsonl.gz", result)
    (out / "stats.json").write_text(json.dumps(ctx.stats, indent=2) + "\n")
    s = ctx.stats.get("evolve", {})
    typer.echo(f"evolve: {s.get('evolved', 0)} evolved, {s.get('kept', 0)} kept, eliminated {s.get('eliminated', {})}"
               f" -> {out / 'samples.jsonl.gz'}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("evolve")(evolve)
