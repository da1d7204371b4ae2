"""CLI verbs of this area; registered on the `alchemist` app by cli.py. Heavy imports stay inside functions.

- ``alchemist harmonize IN --out OUT [--config CFG] [--set harmonize.fraction=0.1]``: the stage over a file
  of Samples;
- ``alchemist analyze cpd IN --out DIR``: conditional perplexity discrepancy with and without the
  AlchemistPrompts found in IN (the harmonize output), as JSON and a PNG plot.
"""

from __future__ import annotations

from pathlib import Path

import typer


def _analyze_group(app: typer.Typer) -> typer.Typer:
    """The ``analyze`` sub-app, shared with other areas that add analyses (created here when absent)."""
    for group in app.registered_groups:
        if group.name == "analyze" and group.typer_instance is not None:
            return group.typer_instance
    analyze = typer.Typer(help="Analyses of the data and the models (as in the paper).", no_args_is_help=True)
    app.add_typer(analyze, name="analyze")
    return analyze


def harmonize(
    inp: Path = typer.Argument(..., help="Samples (.jsonl, .jsonl.gz or .parquet)."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the harmonized samples."),
    config: Path | None = typer.Option(None, "--config", "-c", help="Run config YAML (its harmonize and models sections)."),
    overrides: list[str] = typer.Option([], "--set", help="Config override KEY.PATH=VALUE (repeatable)."),
    run_dir: Path = typer.Option(Path("runs/harmonize"), "--run-dir", help="Run directory (LLM request cache)."),
) -> None:
    """Add AlchemistPrompts to a share of the samples in IN and write all samples to OUT."""
    from rich.console import Console

    from alchemistcoder.config import ConfigError, RunConfig, apply_overrides, load_config, validate_dict
    from alchemistcoder.harmonize.harmonize import run_harmonize, valid_rate
    from alchemistcoder.io import DataError, read_samples, write_samples
    from alchemistcoder.stage import StageContext

    console = Console(stderr=True)
    try:
        cfg = load_config(config, overrides) if config else validate_dict(apply_overrides({}, overrides), RunConfig)
        samples = list(read_samples(inp))
    except (ConfigError, DataError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    ctx = StageContext.for_run(cfg, "harmonize", run_dir=run_dir)
    result = run_harmonize(samples, cfg.harmonize, ctx)
    write_samples(out, result)
    stats = ctx.stats.get("harmonize", {})
    console.print(
        f"harmonize: {len(samples)} in, {len(result)} out; selected {stats.get('selected', 0)}, "
        f"by writer {stats.get('by_writer', {})}, without prompt {stats.get('without_prompt', 0)}, "
        f"model valid rate {valid_rate(stats):.2f}"
        + (f", structured output {stats['structured']}" if stats.get("structured") else "")
        + (f", CPD gate: {stats['cpd_gated_out']} of {stats['cpd_scored']} gated out" if cfg.harmonize.cpd_gate else "")
    )


def cpd(
    inp: Path = typer.Argument(..., help="Harmonize output (samples with AlchemistPrompts)."),
    out: Path = typer.Option(Path("runs/analysis/cpd"), "--out", "-o", help="Directory for cpd.json and cpd.png."),
    model: str | None = typer.Option(None, "--model", help="Scoring model (local HF checkpoint); default: the embedded model."),
    limit: int | None = typer.Option(None, "--limit", help="Score at most this many AlchemistPrompt samples."),
    max_response_tokens: int = typer.Option(256, help="Response tokens scored per sample."),
    batch_size: int = typer.Option(8, help="Sequences per forward pass."),
    device: str = typer.Option("cpu", help="Torch device of the scoring model."),
) -> None:
    """Conditional perplexity discrepancy, PPL(response | instruction) - PPL(response), with and without AlchemistPrompts."""
    from rich.console import Console

    from alchemistcoder.harmonize.cpd import analyze_cpd
    from alchemistcoder.io import DataError, read_samples

    console = Console(stderr=True)
    try:
        samples = list(read_samples(inp))
        summary = analyze_cpd(
            samples, out, model_path=model, limit=limit, max_response_tokens=max_response_tokens,
            batch_size=batch_size, device=device,
        )
    except (DataError, ValueError) as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None

    def fmt(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.3f}"

    console.print(
        f"cpd: n={summary['n']} mean_without={fmt(summary['mean_cpd_without'])} mean_with={fmt(summary['mean_cpd_with'])} "
        f"mean_gain={fmt(summary['mean_gain'])} share_improved={fmt(summary['share_improved'])} -> {out}/cpd.json, {out}/cpd.png"
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("harmonize")(harmonize)
    _analyze_group(app).command("cpd")(cpd)
