"""The request and completion records of the LLM layer: the one interface every stage uses.

Stages build :class:`ChatRequest` objects and hand a batch of them to an ``LLMClient``
(``alchemistcoder.llm.client``), which returns one :class:`Completion` per request, in order. A request
that still fails after retries comes back as a Completion with ``error`` set instead of raising, so a
stage can record the failure on the sample and go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ChatRequest:
    """One generation request: a chat (``messages``) or, for base models, a raw ``prompt``."""

    messages: list[dict[str, str]] | None = None
    prompt: str | None = None
    max_tokens: int = 512
    temperature: float = 0.0
    top_p: float = 1.0
    stop: list[str] | None = None
    seed: int | None = None
    # JSON schema the output must satisfy (set by the client's structured-output helper).
    json_schema: dict[str, Any] | None = None
    # Server-side constrained decoding to ask an endpoint for: None, "json_object" or "json_schema" (set by the
    # client from the negotiated structured-output mode; only the openai backend sends it).
    response_format: str | None = None
    # Distinguishes otherwise identical requests that must not share a cache entry (e.g. sample 3 of n).
    nonce: str | None = None
    # Free label for accounting (stage name); not part of the cache key.
    tag: str | None = None

    def __post_init__(self) -> None:
        if (self.messages is None) == (self.prompt is None):
            raise ValueError("a ChatRequest needs exactly one of messages or prompt")


@dataclass
class Completion:
    """The answer to one request."""

    text: str = ""
    model: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    cached: bool = False
    # The validated object when the request asked for structured output.
    parsed: Any = None
    # Set when the request failed for good (after retries / re-asks); ``text`` is then empty.
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None
