"""Backend for any OpenAI-compatible endpoint (OpenAI, vLLM, SGLang, llama.cpp server, Ollama, ``alchemist serve``).

The official ``openai`` client sends the requests, with its own retries switched off: retries are ours, so
that every transient failure — 429, 5xx, timeout, dropped connection, truncated or invalid JSON — is retried
the same way, with exponential backoff and full jitter, honouring ``Retry-After``; a failure that retrying cannot
fix (400/404/422, or a 500 whose body names an unsupported parameter; see ``llm.errors``) fails at once. Every
failed Completion says its class in ``extra['error_class']``. The request's negotiated ``response_format``
(set by the client's structured-output layer) is sent as is. Several base URLs are
load-balanced (fewest requests in flight first) and a retry prefers a different URL than the one that failed.

The API key is read from the environment variable named in the config, held only here, and masked in every
error message and repr this backend produces (and in log records of the HTTP libraries while it exists).
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import logging
import random
import time
from typing import Any

import orjson

from alchemistcoder.llm import errors
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.llm.secrets import ScrubFilter, read_secret, scrub
from alchemistcoder.llm.types import ChatRequest, Completion

# Filters of a logger do not apply to its children, so each logger that emits is named.
_LOGGERS = ("openai", "openai._base_client", "httpx", "httpcore", "httpcore.http11", "httpcore.connection")
_DOWN_FOR_S = 10.0


class _Retryable(Exception):
    def __init__(self, message: str, error_class: str, retry_after: float | None = None, url_down: bool = False) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.retry_after = retry_after
        self.url_down = url_down


class _Final(Exception):
    """A failure that retrying cannot fix (see ``llm.errors``)."""

    def __init__(self, message: str, error_class: str) -> None:
        super().__init__(message)
        self.error_class = error_class


def parse_retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` / ``retry-after`` (seconds or an HTTP date), or None."""
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class OpenAIBackend:
    """Sends one request at a time per call; the client runs many calls concurrently."""

    batched = False

    def __init__(self, config: LLMConfig) -> None:
        try:
            import openai  # noqa: F401
        except ImportError as exc:  # pragma: no cover - openai is a core dependency
            raise RuntimeError("the 'openai' backend needs the openai package: pip install openai") from exc
        if not config.base_urls:
            raise ValueError("LLM backend 'openai' needs at least one entry in base_urls")
        self.config = config
        self.name = config.model
        # Replicas of one model share cache entries, so the URLs are not part of the identity.
        self.identity = "openai"
        self._key = read_secret(config.api_key_env)
        self._secrets = [self._key] if self._key else []
        self._clients: list[Any] | None = None
        self._in_flight = [0] * len(config.base_urls)
        # A URL that refused a connection is skipped for a while (unless every URL is down).
        self._down_until = [0.0] * len(config.base_urls)
        self._next = 0
        self._filter = ScrubFilter(self._secrets)
        if self._secrets:
            for name in _LOGGERS:
                logging.getLogger(name).addFilter(self._filter)

    def __repr__(self) -> str:
        return f"OpenAIBackend(model={self.name!r}, base_urls={self.config.base_urls!r}, api_key_env={self.config.api_key_env!r})"

    def _scrub(self, text: str) -> str:
        return scrub(text, self._secrets)

    def _ensure_clients(self) -> list[Any]:
        # Created inside the client's event loop: httpx async pools belong to the loop that first uses them.
        if self._clients is None:
            from openai import AsyncOpenAI

            # The SDK's own HTTP pool (measured at about half the CPU per request of a hand-made httpx pool);
            # the number in flight is bounded by the client's workers, not by the pool.
            self._clients = [
                AsyncOpenAI(base_url=url, api_key=self._key or "not-needed", max_retries=0, timeout=self.config.timeout_s)
                for url in self.config.base_urls
            ]
        return self._clients

    def _pick(self, avoid: int | None) -> int:
        """The URL for the next attempt: a healthy one other than ``avoid``, with the fewest in flight."""
        n = len(self.config.base_urls)
        order = [(self._next + k) % n for k in range(n)]
        self._next = (self._next + 1) % n
        now = time.monotonic()
        healthy = [i for i in order if self._down_until[i] <= now] or order
        preferred = [i for i in healthy if i != avoid] or healthy
        return min(preferred, key=lambda i: self._in_flight[i])

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.config.backoff_max_s)
        ceiling = min(self.config.backoff_max_s, self.config.backoff_base_s * (2**attempt))
        return random.uniform(0, ceiling)

    async def agenerate_one(self, request: ChatRequest) -> Completion:
        """Send ``request``, retrying transient failures; never raises (errors land in ``Completion.error``)."""
        clients = self._ensure_clients()
        last_error, last_class = "", errors.OTHER
        failed_url: int | None = None
        for attempt in range(self.config.max_retries + 1):
            idx = self._pick(failed_url)
            self._in_flight[idx] += 1
            try:
                completion = await self._send(clients[idx], request)
                completion.extra["retries"] = attempt
                if attempt:
                    completion.extra["last_retry_error"] = last_error
                return completion
            except _Retryable as exc:
                last_error, last_class = self._scrub(str(exc)), exc.error_class
                failed_url = idx
                if exc.url_down and len(clients) > 1:
                    self._down_until[idx] = time.monotonic() + _DOWN_FOR_S
                if attempt < self.config.max_retries:
                    await asyncio.sleep(self._backoff(attempt, exc.retry_after))
            except _Final as exc:
                return Completion(
                    model=self.name, error=self._scrub(str(exc)), extra={"retries": attempt, "error_class": exc.error_class}
                )
            except Exception as exc:
                return Completion(
                    model=self.name,
                    error=self._scrub(f"{type(exc).__name__}: {exc}"),
                    extra={"retries": attempt, "error_class": errors.BACKEND_ERROR},
                )
            finally:
                self._in_flight[idx] -= 1
        return Completion(
            model=self.name,
            error=f"gave up after {self.config.max_retries + 1} attempts: {last_error}",
            extra={"retries": self.config.max_retries, "error_class": last_class},
        )

    async def _send(self, client: Any, request: ChatRequest) -> Completion:
        """One HTTP attempt. The body is built here and the JSON answer parsed with orjson, through the SDK's
        documented raw-request path (``client.post(..., cast_to=<httpx Response>)``): the same auth, timeouts
        and error types as ``chat.completions.create``, for about 25% less CPU per request (measured side by
        side in bench/llm_client.py's setting), which is what bounds throughput at high concurrency."""
        import openai

        body: dict[str, Any] = {
            "model": self.name,
            "max_tokens": request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.stop:
            body["stop"] = request.stop
        if request.seed is not None:
            body["seed"] = request.seed
        chat = request.messages is not None
        if chat:
            body["messages"] = request.messages
            if request.response_format is not None:
                body["response_format"] = _response_format(request.response_format, request.json_schema or {})
        else:
            body["prompt"] = request.prompt
        try:
            raw = await client.post(
                "/chat/completions" if chat else "/completions", cast_to=_raw_response_class(), body=body
            )
            data = orjson.loads(raw.content)
            choice = data["choices"][0]
            text = (choice["message"].get("content") if chat else choice.get("text")) or ""
            usage = data.get("usage") or {}
            return Completion(
                text=text,
                model=data.get("model") or self.name,
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
                finish_reason=choice.get("finish_reason") or "stop",
            )
        except openai.APIStatusError as exc:
            message = f"HTTP {exc.status_code}: {exc.message}"
            error_class, retryable = errors.classify_status(exc.status_code, message)
            if retryable:
                raise _Retryable(message, error_class, parse_retry_after(exc.response.headers)) from None
            raise _Final(message, error_class) from None
        except openai.APITimeoutError:
            raise _Retryable(f"timeout after {self.config.timeout_s}s", errors.TIMEOUT) from None
        except openai.APIConnectionError as exc:
            cause = exc.__cause__
            refused = type(cause).__name__ == "ConnectError"
            raise _Retryable(
                f"connection error: {type(cause).__name__ if cause else ''} {exc}", errors.CONNECTION, url_down=refused
            ) from None
        except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
            # Invalid or truncated JSON, or JSON that is not a completion: transient on real servers.
            raise _Retryable(f"invalid response: {type(exc).__name__}: {exc}", errors.INVALID_RESPONSE) from None

    async def aclose(self) -> None:
        """Close the HTTP connection pools."""
        if self._clients:
            for client in self._clients:
                await client.close()
        self._clients = None

    def close(self) -> None:
        for name in _LOGGERS:
            logging.getLogger(name).removeFilter(self._filter)


@functools.cache
def _raw_response_class() -> type:
    """The Response class of the HTTP library the installed SDK is built on (httpx, or httpx2 in newer SDKs)."""
    import importlib

    import openai

    for base in openai.DefaultAsyncHttpxClient.__mro__:
        library = base.__module__.split(".")[0]
        if base.__name__ == "AsyncClient" and library in ("httpx", "httpx2"):
            return importlib.import_module(library).Response
    import httpx

    return httpx.Response


def _response_format(kind: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The ``response_format`` body field for a request's negotiated kind (``json_object`` or ``json_schema``)."""
    if kind == "json_object":
        return {"type": "json_object"}
    return {"type": "json_schema", "json_schema": {"name": str(schema.get("title") or "answer"), "schema": schema}}
