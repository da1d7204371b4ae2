"""Backends: what actually produces text. The client wraps each with the same cache, budget and accounting.

Two shapes exist. *Batched* in-process backends (transformers, vllm) expose ``generate_batch(requests)``,
called from a worker thread one batch at a time. *Concurrent* remote backends (openai) expose
``async agenerate_one(request)``, called by many workers at once under the client's concurrency bound.
Both return one :class:`Completion` per request and report failures in ``Completion.error``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
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


_KEPT: list[Any] = []  # the per-process model caches made by kept_per_process


def kept_per_process(load: Callable[..., Any]) -> Callable[..., Any]:
    """Keep the last model ``load`` made for this process (an ``lru_cache`` of one): a stage opens a client or a
    scorer per shard, and a pool worker runs many shards. :func:`release_models` drops every such model."""
    cached = lru_cache(maxsize=1)(load)
    _KEPT.append(cached)
    return cached


def release_models() -> None:
    """Drop the models this process keeps (:func:`kept_per_process`): the run loop calls it after each stage, so
    a stage's model does not stay in the driver's memory for the stages after it."""
    for cached in _KEPT:
        cached.cache_clear()
