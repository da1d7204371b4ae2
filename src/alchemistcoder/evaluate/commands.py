"""CLI verbs of the evaluate stage: ``alchemist codegen CONFIG`` (generate samples with a model),
``alchemist score`` (score a samples file, as EvalPlus's evaluate does) and ``alchemist evaluate CONFIG`` (both, as
the stage does); ``alchemist eval CONFIG`` is a deprecated name of ``evaluate`` for one release. All write the same
layout: ``<out>/<benchmark>/{samples.jsonl, eval_results.json, summary.json}``. Registered on the ``alchemist``
app by cli.py; heavy imports stay inside."""

from __future__ import annotations

from pathlib import Path

import typer


def _progress(label: str):  # type: ignore[no-untyped-def]
    from rich.progress import Progress

    bar = Progress(transient=True)
    task = bar.add_task(label, total=None)

    def update(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    return bar, update


def score_cmd(
    benchmark: str = typer.Option(
        ...,
        "--benchmark",
        help="humaneval, humaneval+, mbpp, mbpp+, mbpp-sanitized, humaneval-x-<language> or ds1000 (needs --data).",
    ),
    samples: Path = typer.Option(
        ..., "--samples", help="samples.jsonl: task_id with solution or completion; several per task allowed."
    ),
    out: Path | None = typer.Option(
        None, "--out", help="Directory for eval_results.json and summary.json (default: beside the samples file)."
    ),
    data: Path | None = typer.Option(
        None, "--data", help="Benchmark file (default: $ALCHEMIST_SHARED_DATA, else the copy shipped in the package)."
    ),
    workers: int = typer.Option(0, help="Parallel sandboxes; 0 = one per core."),
    base_only: bool = typer.Option(False, "--base-only", help="HumanEval+/MBPP+: skip the plus inputs."),
    min_time_limit: float = typer.Option(1.0, help="EvalPlus: least time limit per test input (s)."),
    gt_time_limit_factor: float = typer.Option(
        4.0, help="EvalPlus: time limit as a multiple of the reference's time."
    ),
    no_evalplus_quirks: bool = typer.Option(
        False,
        "--no-evalplus-quirks",
        help="Score HumanEval/32 by its oracle instead of reproducing EvalPlus 0.3.1's verdict.",
    ),
    ds1000_timeout: float = typer.Option(120.0, help="DS-1000: wall limit of one test program (s)."),
    ds1000_memory_mb: int = typer.Option(8192, help="DS-1000: address-space limit of one test program."),
) -> None:
    """Score existing samples in the sandbox and write EvalPlus's eval_results.json (no generation)."""
    from alchemistcoder.benchmarks import BenchmarkNotFound
    from alchemistcoder.evaluate import evaluate_samples
    from alchemistcoder.evaluate.results import summary_table
    from alchemistcoder.evaluate.scoring import ScoreOptions
    from alchemistcoder.io import DataError

    if not samples.is_file():
        typer.echo(f"error: samples file {samples} does not exist", err=True)
        raise typer.Exit(2)
    options = ScoreOptions(
        workers=workers or None,
        base_only=base_only,
        min_time_limit=min_time_limit,
        gt_time_limit_factor=gt_time_limit_factor,
        evalplus_quirks=not no_evalplus_quirks,
        ds1000_timeout_s=ds1000_timeout,
        ds1000_memory_mb=ds1000_memory_mb,
    )
    out = out or samples.parent
    bar, update = _progress(f"scoring {benchmark}")
    try:
        with bar:
            summary = evaluate_samples(benchmark, samples, out, data=data, options=options, progress=update)
    except (BenchmarkNotFound, DataError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(summary_table(summary))
    _echo_ds1000(summary)
    typer.echo(f"wrote {out / 'eval_results.json'}")


def _eval_setup(config: Path, overrides: list[str], out: Path | None) -> tuple:  # type: ignore[type-arg]
    """The run config's evaluate section, its model and the output directory; exits 2 on config errors."""
    from alchemistcoder.config import ConfigError, load_config
    from alchemistcoder.evaluate.stage import evaluate_section
    from alchemistcoder.llm.config import resolve_model_ref

    try:
        run = load_config(config, overrides)
        llm = resolve_model_ref(run.evaluate.model, run.models)
    except (ConfigError, ValueError) as exc:
        typer.echo(f"config error:\n{exc}", err=True)
        raise typer.Exit(2) from None
    # the same directory the pipeline's evaluate stage uses, so a run and the verbs share one results layout
    from alchemistcoder.pipeline.shards import stage_dir
    from alchemistcoder.pipeline.stages import STAGE_NAMES

    target = run.evaluate.out or stage_dir(Path(run.run.out), list(STAGE_NAMES), "evaluate")
    return evaluate_section(run), llm, out or Path(target)


CONFIG_ARG = typer.Argument(..., help="Run config (YAML) with an evaluate: section (benchmarks, model, prompt style).")
SET_OPT = typer.Option([], "--set", help="Override a config value: evaluate.n_samples=5 (repeatable).")
OUT_OPT = typer.Option(None, "--out", help="Output directory (default: evaluate.out or <run.out>/09_evaluate, the stage's).")


def _with_model(fn_name: str, config: Path, overrides: list[str], out: Path | None) -> tuple:  # type: ignore[type-arg]
    """Run ``alchemistcoder.evaluate.<fn_name>(cfg, llm, target)`` with a progress bar; exits 2 on bad data."""
    import alchemistcoder.evaluate as evaluate
    from alchemistcoder.benchmarks import BenchmarkNotFound
    from alchemistcoder.io import DataError

    cfg, llm, target = _eval_setup(config, overrides, out)
    bar, update = _progress("generating")
    try:
        with bar:
            return getattr(evaluate, fn_name)(cfg, llm, target, progress=update), target
    except (BenchmarkNotFound, DataError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def codegen_cmd(config: Path = CONFIG_ARG, overrides: list[str] = SET_OPT, out: Path | None = OUT_OPT) -> None:
    """Generate samples with the configured model: <out>/<benchmark>/samples.jsonl (resumable; no scoring)."""
    paths, _ = _with_model("codegen", config, overrides, out)
    for name, path in paths.items():
        typer.echo(f"{name}: {path}  (score it: alchemist score --benchmark {name} --samples {path})")


def evaluate_cmd(
    config: Path | None = typer.Argument(None, help=CONFIG_ARG.help, show_default=False),
    overrides: list[str] = SET_OPT,
    out: Path | None = OUT_OPT,
    old_benchmark: str | None = typer.Option(None, "--benchmark", hidden=True),
    old_samples: Path | None = typer.Option(None, "--samples", hidden=True),
) -> None:
    """codegen, then score: generate samples for each benchmark, score them, print the summary (the stage's work)."""
    from alchemistcoder.evaluate.results import summary_table

    if old_benchmark is not None or old_samples is not None:  # the scoring verb's old name and options
        typer.echo("error: scoring a samples file is 'alchemist score --benchmark B --samples F' now; "
                   "'alchemist evaluate CONFIG' generates and scores (one name per stage)", err=True)
        raise typer.Exit(2)
    if config is None:
        typer.echo("error: missing argument CONFIG (a run config with an evaluate: section)", err=True)
        raise typer.Exit(2)
    summaries, target = _with_model("run_eval", config, overrides, out)
    for summary in summaries.values():
        typer.echo(summary_table(summary))
        _echo_ds1000(summary)
    typer.echo(f"results under {target}")


def eval_cmd(config: Path = CONFIG_ARG, overrides: list[str] = SET_OPT, out: Path | None = OUT_OPT) -> None:
    """Deprecated name of `alchemist evaluate` (removed in the next release)."""
    typer.echo("deprecated: 'alchemist eval' is 'alchemist evaluate' now (one name per stage); "
               "'eval' works until the next release", err=True)
    evaluate_cmd(config, overrides, out, None, None)


def _echo_ds1000(summary: dict) -> None:  # type: ignore[type-arg]
    """DS-1000's extra lines: pass@1 per library and the libraries the sandbox's Python lacks."""
    for lib, row in (summary.get("by_library") or {}).items():
        if "pass@1" in row:
            typer.echo(f"  {lib:<12} pass@1={row['pass@1'] * 100:.1f}  ({row['tasks']} tasks)")
    missing = summary.get("missing_libraries")
    if missing:
        names = ", ".join(f"{name} ({n} tasks)" for name, n in sorted(missing.items()))
        typer.echo(f"  warning: the sandbox's Python lacks {names}; those tasks fail with import_error")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("codegen")(codegen_cmd)
    app.command("score")(score_cmd)
    app.command("evaluate")(evaluate_cmd)
    app.command("eval", deprecated=True)(eval_cmd)
