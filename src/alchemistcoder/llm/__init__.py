"""The LLM layer: one client for every model call (see ``client.py``), with cache, concurrency and budget.

Importing this package is cheap; backends import torch/transformers/openai/vllm only when built.
"""

from alchemistcoder.llm.budget import BudgetExceeded, Usage
from alchemistcoder.llm.client import LLMClient
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.llm.types import ChatRequest, Completion

__all__ = ["BudgetExceeded", "ChatRequest", "Completion", "LLMClient", "LLMConfig", "Usage"]
