"""Config of one model used through the LLM layer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import Field, model_validator

from alchemistcoder.strict import StrictModel


class BudgetConfig(StrictModel):
    """Hard caps on what one client may spend; cached answers cost nothing and do not count."""

    max_tokens_total: int | None = Field(
        None, ge=1, description="Cap on prompt + completion tokens of requests actually sent; None = no cap."
    )
    max_cost_usd: float | None = Field(
        None, ge=0, description="Cap on the cost computed from `prices`; None = no cap."
    )
    on_exceeded: Literal["raise", "stop"] = Field(
        "raise",
        description="'raise': generate() raises BudgetExceeded (its .completions holds the finished work); "
        "'stop': requests not sent come back with error='budget_exceeded'.",
    )


class PriceConfig(StrictModel):
    """Price of one million tokens, in US dollars, for one model."""

    prompt_per_mtok: float = Field(0.0, ge=0, description="USD per 1M prompt (input) tokens.")
    completion_per_mtok: float = Field(0.0, ge=0, description="USD per 1M completion (output) tokens.")


class CacheConfig(StrictModel):
    """The persistent request cache (SQLite): a resumed run never pays twice for the same request."""

    enabled: bool = Field(True, description="Read and write the request cache.")
    path: str | None = Field(
        None, description="Cache file; None = <cache_dir given to the client>/llm_cache.sqlite."
    )
    namespace: str = Field(
        "", description="Extra text mixed into every key; change it to invalidate the cache."
    )


# USD per 1M (prompt, completion) tokens of a few well-known hosted models, used when `prices` has no entry for
# the configured model. Public list prices when this was written; put the current ones in `prices` to override.
DEFAULT_PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


class LLMConfig(StrictModel):
    """One model behind the LLM client: which backend serves it and the services around it."""

    backend: Literal["openai", "transformers", "vllm", "embedded"] = Field(
        "embedded",
        description="'openai' (any OpenAI-compatible endpoint), 'transformers' (in-process HF model), "
        "'vllm' (in-process vLLM, GPU) or 'embedded' (transformers with the bundled SmolLM2-135M-Instruct).",
    )
    model: str = Field(
        "smollm2-135m-instruct",
        description="Model id (hub name or local checkpoint path for transformers/vllm; served model name for openai).",
    )
    base_urls: list[str] = Field(
        default_factory=lambda: ["http://127.0.0.1:8000/v1"],
        description="OpenAI-compatible endpoints (with /v1); several are load-balanced and failed over.",
    )
    api_key_env: str | None = Field(
        "OPENAI_API_KEY",
        description="Name of the environment variable holding the API key (the key itself never goes in a config).",
    )
    max_concurrency: int = Field(16, ge=1, description="Requests in flight at once (openai backend).")
    timeout_s: float = Field(120.0, gt=0, description="Timeout of one HTTP request, in seconds.")
    max_retries: int = Field(
        5, ge=0, description="Retries of a request after 429/5xx/timeout/connection errors."
    )
    backoff_base_s: float = Field(
        0.5, ge=0, description="First retry delay; doubles each retry, with full jitter."
    )
    backoff_max_s: float = Field(
        30.0, ge=0, description="Longest delay between two retries (Retry-After included)."
    )
    max_tokens: int = Field(
        512, ge=1, description="Default max new tokens for requests built from this config."
    )
    temperature: float = Field(0.0, ge=0, description="Default sampling temperature (0 = greedy).")
    top_p: float = Field(1.0, gt=0, le=1, description="Default nucleus sampling mass.")
    dtype: str = Field(
        "auto", description="transformers/vllm weights dtype: 'auto', 'float32', 'bfloat16', 'float16'."
    )
    device: str = Field(
        "auto", description="transformers device: 'auto' (cuda if available), 'cpu', 'cuda', 'cuda:1'."
    )
    threads: int = Field(
        0, ge=0, description="CPU threads for torch in the transformers backend; 0 = torch's default (all cores)."
    )
    batch_size: int = Field(8, ge=1, description="Requests per generate() call of the in-process backends.")
    response_format: Literal["auto", "none", "example", "json_object", "json_schema"] = Field(
        "auto",
        description="How structured requests are asked for: 'json_schema' or 'json_object' (server-side constrained "
        "decoding, openai endpoints; the schema is also in the prompt), 'none' (the JSON schema in the prompt only), "
        "'example' (an example JSON object in the prompt, never the raw schema; for models that echo schemas), or "
        "'auto': an openai endpoint is probed once per run (json_schema, then json_object, then example) and the "
        "result is remembered in the run's request cache; in-process backends use 'none'.",
    )
    budget: BudgetConfig = Field(default_factory=BudgetConfig, description="Token and cost caps.")
    prices: dict[str, PriceConfig] = Field(
        default_factory=dict,
        description="Price table by model name (USD per 1M tokens); models not listed cost 0.",
    )
    cache: CacheConfig = Field(default_factory=CacheConfig, description="Persistent request cache.")

    def price(self) -> PriceConfig | None:
        """The price of this config's model: from `prices`, else the built-in table, else None."""
        if self.model in self.prices:
            return self.prices[self.model]
        if self.model in DEFAULT_PRICES:
            prompt, completion = DEFAULT_PRICES[self.model]
            return PriceConfig(prompt_per_mtok=prompt, completion_per_mtok=completion)
        return None

    @model_validator(mode="after")
    def _cost_cap_needs_a_price(self) -> LLMConfig:
        # A cost cap on a model with no price would never stop anything.
        if self.budget.max_cost_usd is not None and self.price() is None:
            raise ValueError(
                f"budget.max_cost_usd is set but there is no price for model {self.model!r}: add "
                f"prices: {{{self.model}: {{prompt_per_mtok: ..., completion_per_mtok: ...}}}}"
            )
        return self


class ModelReferenceError(ValueError):
    """A stage's ``model:`` names no model under ``models:`` (or is not a model config at all)."""


def resolve_model_ref(ref: str | LLMConfig | dict | None, models: Mapping[str, LLMConfig]) -> LLMConfig:
    """The one resolver of a ``model:`` field: a name under ``models:``, an inline config, or None for the
    embedded default."""
    if ref is None:
        return LLMConfig()
    if isinstance(ref, LLMConfig):
        return ref
    if isinstance(ref, dict):
        return LLMConfig.model_validate(ref)
    if isinstance(ref, str):
        if ref not in models:
            raise ModelReferenceError(f"model {ref!r} is not defined under 'models:' (defined: {sorted(models)})")
        return models[ref]
    raise ModelReferenceError(f"model {ref!r} is neither a name under 'models:' nor a model config")
