"""The model options shared by the benches that take any model (bench/harmonize.py, bench/comprehend.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_model_args(ap: argparse.ArgumentParser, role: str = "model") -> None:
    """``--base-url/--model`` (an OpenAI-compatible endpoint) or ``--config/--model-name`` (a ``models:`` entry)."""
    ap.add_argument("--base-url", help=f"an OpenAI-compatible endpoint (with /v1) serving the {role}")
    ap.add_argument("--model", default="default", help="the model name to ask the endpoint for (with --base-url)")
    ap.add_argument("--api-key-env", default=None, help="environment variable holding the endpoint's API key")
    ap.add_argument("--concurrency", type=int, default=2, help="requests in flight to the endpoint")
    ap.add_argument("--config", type=Path, help=f"a run config whose 'models:' entry --model-name is the {role}")
    ap.add_argument("--model-name", help="the entry under 'models:' of --config")


def model_from_args(ap: argparse.ArgumentParser, args: argparse.Namespace, timeout_s: float = 600.0) -> Any | None:
    """The LLMConfig the options name; None when they name none (the bench's embedded model)."""
    from alchemistcoder.llm.config import LLMConfig

    if bool(args.config) != bool(args.model_name):
        ap.error("--config and --model-name go together")
    if args.base_url:
        # one local server answers one request at a time: two in flight keep it busy without queueing many
        return LLMConfig(backend="openai", model=args.model, base_urls=[args.base_url], api_key_env=args.api_key_env,
                         max_concurrency=args.concurrency, timeout_s=timeout_s)
    if args.config:
        from alchemistcoder.config import load_config

        models = load_config(args.config).models
        if args.model_name not in models:
            ap.error(f"--model-name {args.model_name!r} is not under 'models:' in {args.config} ({sorted(models)})")
        return models[args.model_name]
    return None
