"""CLI verbs of this area (`alchemist curate`; `alchemist decontaminate` is ``decontam/commands.py``); heavy imports
stay inside functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from alchemistcoder.cli_common import load_run_config

SET_HELP = "Override a config value: KEY.PATH=VALUE (repeatable), e.g. --set curate.dedup.threshold=0.85."


# -- reading any of the three input shapes ---------------------------------------------------------------
def record_to_sample(row: Any, line: int, path: str) -> tuple[Any, str]:
    """A Sample from a JSONL row that is a Sample, a ``{"messages": ...}`` record or ``{id, instruction,
    response}``; returns the sample and the row's shape. Rows without an id get ``line-<n>``."""
    from alchemistcoder.io import DataError
    from alchemistcoder.records import Sample, make_messages

    if not isinstance(row, dict):
        raise DataError(path, f"expected a JSON object, got {type(row).__name__}", line)
    rid = row.get("id")
    rid = str(rid) if rid is not None else f"line-{line}"
    if "messages" in row:
        messages = row["messages"]
        if not isinstance(messages, list) or not all(isinstance(m, dict) and "role" in m for m in messages):
            raise DataError(path, "'messages' must be a list of {role, content} objects", line)
        if "source" in row and "id" in row:
            try:
                return Sample.from_dict(row), "sample"
            except (KeyError, TypeError) as exc:
                raise DataError(path, f"not a Sample record ({exc})", line) from None
        return Sample(rid, str(row.get("source", "input")), messages), "messages"
    if "instruction" in row and "response" in row:
        inst, resp = row["instruction"], row["response"]
        if not isinstance(inst, str) or not isinstance(resp, str):
            raise DataError(path, "'instruction' and 'response' must be strings", line)
        return Sample(rid, str(row.get("source", "input")), make_messages(inst, resp)), "pair"
    raise DataError(path, "a record needs 'messages' or both 'instruction' and 'response'", line)


def _read_input(path: Path) -> tuple[list[Any], list[dict[str, Any]], list[str]]:
    from alchemistcoder.io import read_jsonl

    samples, rows, shapes = [], [], []
    for line, row in enumerate(read_jsonl(path), 1):
        sample, shape = record_to_sample(row, line, str(path))
        samples.append(sample)
        rows.append(row)
        shapes.append(shape)
    return samples, rows, shapes


def curate(
    config: Path = typer.Argument(..., help="Run config (YAML): its sources are ingested, then curated."),
    input_path: Path | None = typer.Option(None, "--input", help="Curate this samples file instead of ingesting the sources."),
    out: Path | None = typer.Option(None, "--out", help="Output directory (default: RUN/curate)."),
    set_: list[str] | None = typer.Option(None, "--set", help=SET_HELP),
) -> None:
    """Filter, decontaminate and deduplicate; write kept samples, rejects (with evidence) and a manifest."""
    import time

    import orjson
    from rich.console import Console
    from rich.table import Table

    from alchemistcoder.curate.stage import run_curate
    from alchemistcoder.io import DataError, atomic_open, read_samples, write_samples
    from alchemistcoder.stage import StageContext
    from alchemistcoder.strict import config_hash

    cfg = load_run_config(config, set_)
    try:
        if input_path is not None:
            samples = list(read_samples(input_path))
        else:
            from alchemistcoder.ingest.ingest import ingest_sources

            samples = ingest_sources(cfg.sources, cfg.ingest).samples
    except (DataError, FileNotFoundError) as exc:
        typer.echo(f"data error: {exc}", err=True)
        raise typer.Exit(1) from None
    out_dir = out or Path(cfg.run.out) / "curate"
    ctx = StageContext(run_dir=Path(cfg.run.out), stage="curate", seed=cfg.run.seed)
    start = time.perf_counter()
    result = run_curate(samples, cfg.curate, ctx)
    seconds = time.perf_counter() - start
    kept = [s for s in result if not s.rejected]
    rejected = [s for s in result if s.rejected]
    write_samples(out_dir / "samples.jsonl.gz", kept)
    write_samples(out_dir / cfg.curate.rejects_file, rejected)
    manifest = {"stage": "curate", "config_hash": config_hash(cfg.curate), "count_in": len(samples),
                "kept": len(kept), "rejected": len(rejected), "balanced": len(samples) == len(kept) + len(rejected),
                "seconds": round(seconds, 3), **ctx.stats}
    with atomic_open(out_dir / "manifest.json", "wb") as fh:
        fh.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    table = Table(title=f"Curate ({seconds:.1f}s): {len(samples)} in, {len(kept)} kept, {len(rejected)} rejected")
    table.add_column("reason")
    table.add_column("rejected", justify="right")
    for reason, n in ctx.stats.get("curate_rejects_by_reason", {}).items():
        table.add_row(reason, str(n))
    console = Console()
    console.print(table)
    console.print(f"output: {out_dir}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("curate")(curate)
