"""CLI verbs of the LLM layer: ``alchemist serve`` and ``alchemist models list|prepare|check``.

Registered on the ``alchemist`` app by cli.py. Heavy imports stay inside the functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

models_app = typer.Typer(help="List, prepare and check the models the LLM layer can use.", no_args_is_help=True)


def _llm_config(config: Path | None, name: str | None, backend: str | None, model: str | None) -> Any:
    """The LLMConfig to act on: ``models.<name>`` of a run config, else one built from --backend/--model."""
    from alchemistcoder.config import ConfigError, load_config
    from alchemistcoder.llm.config import LLMConfig

    if config is not None:
        try:
            run = load_config(config)
        except ConfigError as exc:
            typer.echo(f"config error:\n{exc}", err=True)
            raise typer.Exit(2) from None
        if name is None:
            typer.echo(f"--name is required with --config (models defined: {sorted(run.models)})", err=True)
            raise typer.Exit(2)
        if name not in run.models:
            typer.echo(f"model {name!r} is not under 'models:' in {config} (defined: {sorted(run.models)})", err=True)
            raise typer.Exit(2)
        return run.models[name]
    fields: dict[str, Any] = {}
    if backend:
        fields["backend"] = backend
    if model:
        fields["model"] = model
    return LLMConfig(**fields)


def serve(
    backend: str = typer.Option("embedded", help="'embedded' (bundled SmolLM2) or 'transformers'."),
    model: str | None = typer.Option(None, help="Checkpoint path or hub id for --backend transformers."),
    host: str = typer.Option("127.0.0.1", help="Address to bind (use 0.0.0.0 to serve other machines)."),
    port: int = typer.Option(8000, help="Port to listen on (0 picks a free one)."),
    batch_size: int = typer.Option(8, help="Requests generated together in one batch."),
    device: str = typer.Option("auto", help="'auto', 'cpu' or 'cuda'."),
    threads: int = typer.Option(0, help="CPU threads for torch (0 = all cores)."),
    served_name: str | None = typer.Option(None, help="Model name clients must send (default: the model id)."),
    api_key_env: str | None = typer.Option(None, help="Require the key in this environment variable as Bearer token."),
) -> None:
    """Serve a local model over the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models)."""
    from alchemistcoder.llm.backends.hf import TransformersBackend
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.llm.secrets import read_secret
    from alchemistcoder.llm.server import make_server

    if backend not in ("embedded", "transformers"):
        typer.echo("serve supports --backend embedded or transformers", err=True)
        raise typer.Exit(2)
    if backend == "transformers" and not model:
        typer.echo("--backend transformers needs --model PATH_OR_HUB_ID", err=True)
        raise typer.Exit(2)
    cfg = LLMConfig(backend=backend, model=model or LLMConfig().model, batch_size=batch_size, device=device, threads=threads)
    engine = TransformersBackend.from_config(cfg)
    engine.load()
    key = read_secret(api_key_env)
    if api_key_env and not key:
        typer.echo(f"environment variable {api_key_env} is not set", err=True)
        raise typer.Exit(2)
    server = make_server(engine, host, port, model_name=served_name or engine.name, batch_size=batch_size, api_key=key)
    # One line a script can wait for (tests and benches read the port from it).
    typer.echo(f"serving {server.model_name} at {server.base_url}", err=False)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.worker.stop()


@models_app.command("list")
def models_list(
    config: Path | None = typer.Option(None, "--config", help="Run config whose `models:` to list."),
) -> None:
    """Show the embedded model (where its GGUF is, whether it is prepared) and the models of a run config."""
    from rich.console import Console
    from rich.table import Table

    from alchemistcoder.llm import embedded

    table = Table(title="models")
    for col in ("name", "backend", "model", "status"):
        table.add_column(col)
    try:
        gguf = embedded.gguf_path()
        status = f"prepared at {embedded.checkpoint_dir()}" if embedded.is_prepared() else f"not prepared (GGUF {gguf})"
    except embedded.EmbeddedModelError as exc:
        status = f"missing: {exc}"
    table.add_row("(embedded)", "embedded", embedded.EMBEDDED_MODEL_NAME, status)
    if config is not None:
        from alchemistcoder.config import ConfigError, load_config

        try:
            run = load_config(config)
        except ConfigError as exc:
            typer.echo(f"config error:\n{exc}", err=True)
            raise typer.Exit(2) from None
        for name, m in run.models.items():
            where = ", ".join(m.base_urls) if m.backend == "openai" else ""
            table.add_row(name, m.backend, m.model, where)
    Console().print(table)


@models_app.command("prepare")
def models_prepare() -> None:
    """Convert the embedded GGUF model into a cached HF checkpoint (done once; later loads take ~1 s)."""
    import time

    from alchemistcoder.llm import embedded

    start = time.perf_counter()
    try:
        path = embedded.embedded_model_path()
    except embedded.EmbeddedModelError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"embedded model ready at {path} ({time.perf_counter() - start:.1f}s)")


@models_app.command("check")
def models_check(
    config: Path | None = typer.Option(None, "--config", help="Run config holding the model."),
    name: str | None = typer.Option(None, "--name", help="Name of the model under `models:`."),
    backend: str | None = typer.Option(None, help="Backend, when not using --config."),
    model: str | None = typer.Option(None, help="Model id, when not using --config."),
    base_url: list[str] | None = typer.Option(None, "--base-url", help="Endpoint(s) for --backend openai."),
) -> None:
    """Send one short request to a model and report the answer, tokens and time (exit 1 on failure)."""
    import time

    from alchemistcoder.llm.client import LLMClient

    cfg = _llm_config(config, name, backend, model)
    if base_url:
        cfg = cfg.model_copy(update={"base_urls": list(base_url)})
    cfg = cfg.model_copy(update={"max_retries": min(cfg.max_retries, 1)})
    start = time.perf_counter()
    try:
        with LLMClient.from_config(cfg, stage="check") as client:
            [answer] = client.generate([client.request([{"role": "user", "content": "Say OK."}], max_tokens=8)])
    except Exception as exc:
        typer.echo(f"check failed: {type(exc).__name__}: {exc}", err=True)
        raise typer.Exit(1) from None
    took = time.perf_counter() - start
    if not answer.ok:
        typer.echo(f"check failed: {cfg.backend} {cfg.model}: {answer.error}", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"ok: {cfg.backend} {answer.model}: {answer.text!r} "
        f"({answer.prompt_tokens}+{answer.completion_tokens} tokens, {took:.1f}s)"
    )


def register(app: typer.Typer) -> None:
    """Add this area's commands to ``app``."""
    app.command("serve")(serve)
    app.add_typer(models_app, name="models")
