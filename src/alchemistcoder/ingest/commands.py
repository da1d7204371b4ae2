"""CLI verbs of this area (`alchemist ingest`, `alchemist profile`); registered on the app by cli.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from alchemistcoder.cli_common import load_run_config

SET_HELP = "Override a config value: KEY.PATH=VALUE (repeatable), e.g. --set ingest.on_error=quarantine."


def counts_table(result: Any) -> Any:
    """A rich Table of records read / kept / rejected / excluded per source, with the reasons."""
    from rich.table import Table

    table = Table(title=f"Ingest ({result.seconds:.2f}s)")
    for col in ("source", "read", "kept", "rejected", "excluded", "reasons"):
        table.add_column(col, justify="left" if col in ("source", "reasons") else "right")
    rows = [*result.counts.items(), ("(total)", result.totals)]
    for name, c in rows:
        reasons = ", ".join(f"{k} {v}" for k, v in sorted(c.reasons.items()))
        table.add_row(name, str(c.read), str(c.kept), str(c.rejected), str(c.excluded), reasons)
    return table


def _ingest_or_exit(cfg: Any) -> Any:
    from alchemistcoder.ingest.ingest import ingest_sources
    from alchemistcoder.io import DataError

    if not cfg.sources:
        typer.echo("config error: no sources configured (add a `sources:` list)", err=True)
        raise typer.Exit(2)
    try:
        return ingest_sources(cfg.sources, cfg.ingest)
    except DataError as exc:
        typer.echo(f"data error: {exc}\n(set ingest.on_error=quarantine to move bad records to rejects.jsonl)",
                   err=True)
        raise typer.Exit(1) from None


def ingest(
    config: Path = typer.Argument(..., help="Run config (YAML) with a `sources:` list."),
    out: Path | None = typer.Option(None, "--out", help="Run directory (default: run.out of the config)."),
    set_: list[str] | None = typer.Option(None, "--set", help=SET_HELP),
) -> None:
    """Read every source of CONFIG into Samples; write RUN/ingest/{samples.*, rejects.jsonl, manifest.json}."""
    from rich.console import Console

    from alchemistcoder.ingest.ingest import write_ingest
    from alchemistcoder.strict import config_hash

    cfg = load_run_config(config, set_)
    result = _ingest_or_exit(cfg)
    run_dir = out if out is not None else Path(cfg.run.out)
    extra = {"config": str(config), "config_hash": config_hash(cfg),
             "sources": [s.model_dump(include={"name", "path", "format"}) for s in cfg.sources]}
    paths = write_ingest(result, run_dir / "ingest", cfg.ingest, extra)
    console = Console()
    console.print(counts_table(result))
    for kind, path in paths.items():
        console.print(f"{kind}: {path}")


def profile(
    target: Path = typer.Argument(..., help="A run config (YAML; its sources are ingested) or a samples file."),
    out: Path | None = typer.Option(None, "--out", help="Where to write profile.json (default: beside the data)."),
    set_: list[str] | None = typer.Option(None, "--set", help=SET_HELP + " (configs only)"),
) -> None:
    """Measure the response style of every source; print a table and write profile.json."""
    import orjson
    from rich.console import Console

    from alchemistcoder.ingest.profile import profile_samples, profile_table
    from alchemistcoder.io import DataError, atomic_open, read_samples

    if target.suffix in (".yaml", ".yml"):
        cfg = load_run_config(target, set_)
        samples = _ingest_or_exit(cfg).samples
        default_out = Path(cfg.run.out) / "ingest" / "profile.json"
    else:
        try:
            samples = list(read_samples(target))
        except (DataError, FileNotFoundError) as exc:
            typer.echo(f"data error: {exc}", err=True)
            raise typer.Exit(1) from None
        default_out = target.parent / "profile.json"
    result = profile_samples(samples)
    path = out or default_out
    with atomic_open(path, "wb") as fh:
        fh.write(orjson.dumps(result, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    console = Console(width=max(Console().width, 160))
    console.print(profile_table(result))
    console.print(f"profile: {path}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("ingest")(ingest)
    app.command("profile")(profile)
