"""Negotiating structured output with an endpoint (``response_format: auto``).

Endpoints differ: OpenAI and vLLM constrain decoding to a JSON schema, llama.cpp's server accepts only
``json_object`` (and answers ``json_schema`` with an HTTP 500), others accept neither. Guessing wrong costs
either failed requests or unconstrained answers from a model that then echoes the schema. So the client asks
once: a tiny probe request with ``json_schema``, then with ``json_object``; the first that comes back as
valid JSON for the probe's schema wins, else the ``example`` mode (an example object in the prompt). The
answer is kept in the run's request cache, so every later stage and process of the run (and a resumed run)
uses it without probing again. A probe that failed for a transient reason (timeout, overload) decides
nothing: the mode is used for this client only and the next client probes again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from alchemistcoder.llm import errors
from alchemistcoder.llm.structured import parse_structured
from alchemistcoder.llm.types import ChatRequest, Completion

PROBE_TAG = "structured_probe"
FALLBACK = "example"
# Failures that say "this server does not do that" (as opposed to "not now").
_DEFINITIVE = frozenset({errors.BAD_REQUEST, errors.UNSUPPORTED, errors.HTTP_ERROR})


class _ProbeAnswer(BaseModel):
    answer: int


_PROBE_SCHEMA = _ProbeAnswer.model_json_schema()


@dataclass
class Negotiation:
    """The outcome: the mode to use, what each probe gave, and whether the outcome may be remembered."""

    mode: str
    tried: dict[str, str] = field(default_factory=dict)
    definitive: bool = True
    completions: list[tuple[ChatRequest, Completion]] = field(default_factory=list)


def probe_request(kind: str) -> ChatRequest:
    """The probe for ``kind`` (``json_schema`` or ``json_object``): a question with a one-field JSON answer."""
    return ChatRequest(
        messages=[{"role": "user", "content": 'What is 2 + 3? Answer in JSON, like {"answer": 1}.'}],
        max_tokens=16,
        temperature=0.0,
        json_schema=_PROBE_SCHEMA,
        response_format=kind,
        tag=PROBE_TAG,
    )


def memory_key(backend: Any, namespace: str = "") -> str:
    """The request-cache key under which the negotiated mode of ``backend``'s endpoints is remembered."""
    urls = sorted(getattr(getattr(backend, "config", None), "base_urls", None) or [])
    text = "\x00".join(["structured-mode", "v1", backend.identity, backend.name, namespace, *urls])
    return "negotiated:" + hashlib.sha256(text.encode()).hexdigest()


async def negotiate(send: Callable[[ChatRequest], Awaitable[Completion]]) -> Negotiation:
    """Probe with ``send`` (one request, never raises): ``json_schema``, then ``json_object``, else ``example``."""
    result = Negotiation(FALLBACK)
    for kind in ("json_schema", "json_object"):
        request = probe_request(kind)
        completion = await send(request)
        result.completions.append((request, completion))
        if not completion.ok:
            error_class = completion.extra.get("error_class", errors.OTHER)
            result.tried[kind] = f"failed ({error_class})"
            result.definitive &= error_class in _DEFINITIVE
            continue
        try:
            parse_structured(completion.text, _ProbeAnswer)
        except ValueError:
            result.tried[kind] = "answered, but not the probe's JSON"
            continue
        result.tried[kind] = "ok"
        result.mode = kind
        break
    return result
