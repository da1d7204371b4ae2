"""Config of one model used through the LLM layer."""

from __future__ import annotations

from pydantic import Field

from alchemistcoder.strict import StrictModel


class LLMConfig(StrictModel):
    """One model behind the LLM client (fields are filled in by the LLM-layer issue)."""

    backend: str = Field("embedded", description="'openai', 'transformers', 'vllm' or 'embedded'.")
    model: str = Field("smollm2-135m-instruct", description="Model id, local path, or served model name.")
