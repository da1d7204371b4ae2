"""Backends: what actually produces text. The client wraps each with the same cache, budget and accounting.

Two shapes exist. *Batched* in-process backends (transformers, vllm) expose ``generate_batch(requests)``,
called from a worker thread one batch at a time. *Concurrent* remote backends (openai) expose
``async agenerate_one(request)``, called by many workers at once under the client's concurrency bound.
Both return one :class:`Completion` per request and report failures in ``Completion.error``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alchemistcoder.llm.config import LLMConfig


def make_backend(config: LLMConfig) -> Any:
    """Build the backend named by ``config.backend`` (heavy libraries are imported only for the one chosen)."""
    if config.backend in ("embedded", "transformers"):
        from alchemistcoder.llm.backends.hf import TransformersBackend

        return TransformersBackend.from_config(config)
    if config.backend == "openai":
        from alchemistcoder.llm.backends.openai_api import OpenAIBackend

        return OpenAIBackend(config)
    if config.backend == "vllm":
        from alchemistcoder.llm.backends.vllm_local import VLLMBackend

        return VLLMBackend(config)
    raise ValueError(
        f"unknown LLM backend {config.backend!r} (expected openai, transformers, vllm or embedded)"
    )


def release_models() -> None:
    """Drop the in-process models this process keeps between clients (``hf.load_model``): the run loop calls it
    after each stage, so a stage's model does not stay in the driver's memory for the stages after it."""
    import sys

    hf = sys.modules.get("alchemistcoder.llm.backends.hf")  # nothing to release if it was never imported
    if hf is not None:
        hf.load_model.cache_clear()
