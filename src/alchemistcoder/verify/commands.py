"""CLI verb `alchemist verify`; registered on the `alchemist` app by cli.py. Heavy imports stay inside functions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from alchemistcoder.cli_common import load_run_config

SET_HELP = "Override a config value: KEY.PATH=VALUE (repeatable), e.g. --set verify.n_tests=5."


def verify(
    input_path: Path = typer.Argument(..., metavar="IN", help="JSONL of Samples, of {messages} or of {id, instruction, response}."),
    out: Path = typer.Option(..., "--out", help="Directory for kept.jsonl, rejected.jsonl and manifest.json."),
    config: Path | None = typer.Option(None, "--config", help="Run config whose `verify` and `models` sections to use."),
    base_url: str | None = typer.Option(None, "--base-url", help="An OpenAI-compatible endpoint (with /v1) that writes the tests."),
    model: str | None = typer.Option(None, "--model", help="The model name to ask --base-url for."),
    api_key_env: str | None = typer.Option(None, "--api-key-env", help="Environment variable holding the endpoint's API key."),
    no_model: bool = typer.Option(False, "--no-model", help="Execution only: no model-written tests."),
    set_: list[str] | None = typer.Option(None, "--set", help=SET_HELP),
) -> None:
    """Run every response in the sandbox, test it with model-written tests, repair or reject; Samples out with traces."""
    import time

    import orjson
    from rich.console import Console

    from alchemistcoder.curate.commands import _read_input
    from alchemistcoder.io import DataError, atomic_open, write_jsonl
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.stage import StageContext
    from alchemistcoder.verify.stage import run_verify

    cfg = load_run_config(config, set_)
    section = cfg.verify
    if base_url:
        endpoint = LLMConfig(backend="openai", model=model or "default", base_urls=[base_url], api_key_env=api_key_env)
        section = section.model_copy(update={"model": endpoint})
    elif model:
        section = section.model_copy(update={"model": model})
    if no_model:
        section = section.model_copy(update={"tests": False})
    try:
        samples, _rows, _shapes = _read_input(input_path)
    except (DataError, FileNotFoundError) as exc:
        typer.echo(f"data error: {exc}", err=True)
        raise typer.Exit(1) from None
    out.mkdir(parents=True, exist_ok=True)
    ctx = StageContext.for_run(cfg, "verify", run_dir=out)
    was = [s.rejected for s in samples]
    start = time.perf_counter()
    result = run_verify(samples, section, ctx)
    kept = [s.to_dict() for s in result if not s.rejected]
    rejected = [s.to_dict() for s in result if s.rejected]
    write_jsonl(out / "kept.jsonl", kept)
    write_jsonl(out / "rejected.jsonl", rejected)
    reasons: dict[str, int] = {}
    for s, before in zip(result, was, strict=True):
        if s.rejected and not before:
            reasons[s.rejection.reason] = reasons.get(s.rejection.reason, 0) + 1
    manifest: dict[str, Any] = {
        "input": str(input_path), "count_in": len(samples), "kept": len(kept), "rejected": len(rejected),
        "rejected_by_reason": dict(sorted(reasons.items())), "stats": ctx.stats,
        "seconds": round(time.perf_counter() - start, 2), "config": section.model_dump(mode="json"),
    }
    with atomic_open(out / "manifest.json", "wb") as fh:
        fh.write(orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE))
    status = ctx.stats.get("verify", {}).get("status", {})
    Console().print(f"verify: {len(samples)} in, {len(kept)} kept, {len(rejected)} rejected {reasons}; {status} -> {out}")


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("verify")(verify)
