"""Open the LLM client a stage's ``model:`` field points to."""

from __future__ import annotations

from typing import Any

from alchemistcoder.stage import StageContext


def resolve_llm_config(ref: Any, ctx: StageContext) -> Any:
    """The LLMConfig for a stage's ``model`` field: a name resolved by the run, an inline config, or the default."""
    from alchemistcoder.llm.config import LLMConfig

    if ref is None:
        return LLMConfig()
    resolved = ctx.resolve_model(ref)
    if isinstance(resolved, LLMConfig):
        return resolved
    if resolved is None:
        return LLMConfig()
    if isinstance(resolved, dict):
        return LLMConfig.model_validate(resolved)
    raise ValueError(f"model {ref!r} cannot be resolved here (no 'models:' section to look it up in)")


def open_client(ref: Any, ctx: StageContext, stage: str) -> Any:
    """An ``LLMClient`` for ``ref`` with the run's persistent request cache."""
    from alchemistcoder.llm.client import LLMClient

    return LLMClient.from_config(resolve_llm_config(ref, ctx), cache_dir=ctx.cache_dir, stage=stage)
