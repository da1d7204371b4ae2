"""The LLM layer: one client for every model call (see ``client.py``), with cache, concurrency and budget.

Importing this package is cheap: names are imported on first use (``alchemistcoder.config`` reaches
``llm.config`` through this package), and backends import torch/transformers/openai/vllm only when built.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

_EXPORTS = {
    "BudgetExceeded": "alchemistcoder.llm.budget",
    "Usage": "alchemistcoder.llm.budget",
    "LLMClient": "alchemistcoder.llm.client",
    "LLMConfig": "alchemistcoder.llm.config",
    "ChatRequest": "alchemistcoder.llm.types",
    "Completion": "alchemistcoder.llm.types",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
