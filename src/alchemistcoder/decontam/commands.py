"""CLI verb of decontamination (`alchemist decontaminate`); heavy imports stay inside the function."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer

from alchemistcoder.cli_common import load_run_config
from alchemistcoder.curate.commands import SET_HELP, _read_input


def decontaminate(
    input_path: Path = typer.Argument(..., metavar="IN", help="JSONL of Samples, of {messages} or of {id, instruction, response}."),
    out: Path = typer.Option(..., "--out", help="Directory for kept.jsonl, rejected.jsonl and manifest.json."),
    config: Path | None = typer.Option(None, "--config", help="Run config whose curate.decontam section to use."),
    benchmark: list[str] | None = typer.Option(None, "--benchmark", help="Benchmark to check (repeatable; default: all)."),
    data: list[str] | None = typer.Option(None, "--data", help="NAME=PATH of a benchmark file (repeatable), e.g. ds1000=ds1000.jsonl."),
    embedding: bool = typer.Option(False, "--embedding", help="Also use the MiniLM embedding signal."),
    set_: list[str] | None = typer.Option(None, "--set", help=SET_HELP + " (with --config)"),
) -> None:
    """Remove benchmark-contaminated records; ids unchanged; rejected rows carry the evidence."""
    import orjson
    from rich.console import Console

    from alchemistcoder.decontam.config import DecontamConfig
    from alchemistcoder.decontam.step import decontaminate_samples
    from alchemistcoder.io import DataError, atomic_open, write_jsonl

    cfg = load_run_config(config, set_).curate.decontam if config else DecontamConfig()
    updates: dict[str, Any] = {"enabled": True}
    if benchmark:
        updates["benchmarks"] = list(benchmark)
    if data:
        paths = dict(cfg.paths)
        for item in data:
            name, sep, path = item.partition("=")
            if not sep:
                typer.echo(f"--data {item!r}: expected NAME=PATH", err=True)
                raise typer.Exit(2)
            paths[name] = path
        updates["paths"] = paths
    if embedding:
        updates["embedding"] = True
    cfg = DecontamConfig.model_validate({**cfg.model_dump(), **updates})
    try:
        samples, rows, shapes = _read_input(input_path)
    except (DataError, FileNotFoundError) as exc:
        typer.echo(f"data error: {exc}", err=True)
        raise typer.Exit(1) from None
    before = [s.rejected for s in samples]
    try:
        decontaminate_samples(samples, cfg)
    except FileNotFoundError as exc:
        typer.echo(f"benchmark error: {exc}", err=True)
        raise typer.Exit(1) from None
    kept, rejected = [], []
    by_benchmark: Counter = Counter()
    for sample, row, shape, was in zip(samples, rows, shapes, before, strict=True):
        newly = sample.rejected and not was
        if shape == "sample":
            (rejected if sample.rejected else kept).append(sample.to_dict())
        elif newly:
            rejected.append({**row, "id": sample.id, "rejection": sample.rejection.to_dict()})
        else:
            kept.append(row)
        if newly:
            by_benchmark[sample.rejection.params["benchmark"]] += 1
    write_jsonl(out / "kept.jsonl", kept)
    write_jsonl(out / "rejected.jsonl", rejected)
    manifest = {"input": str(input_path), "count_in": len(samples), "kept": len(kept), "rejected": len(rejected),
                "rejected_by_benchmark": dict(sorted(by_benchmark.items())), "config": cfg.model_dump(mode="json")}
    with atomic_open(out / "manifest.json", "wb") as fh:
        fh.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    Console().print(f"decontaminate: {len(samples)} in, {len(kept)} kept, {len(rejected)} rejected "
                    f"{dict(by_benchmark)} -> {out}")


def register(app: typer.Typer) -> None:
    app.command("decontaminate")(decontaminate)
