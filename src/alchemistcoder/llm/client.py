"""The one client every stage uses for model calls.

``LLMClient.from_config(cfg, cache_dir=..., stage=...)`` builds the backend named in the config and wraps it
with the same services for every backend: the persistent request cache, bounded concurrency, token
accounting per stage, the budget cap, and structured outputs with a bounded re-ask. Requests go in as a
list of :class:`ChatRequest` and come back as a list of :class:`Completion` in the same order; a request that
fails for good comes back with ``error`` set rather than raising.

Sync and async: the client runs its work on a private event loop in a daemon thread. ``generate`` submits to
that loop and blocks, so it works from plain code *and* from inside a running event loop (it then blocks that
loop's thread until done; prefer ``await agenerate`` there). ``agenerate`` awaits the same work without
blocking the caller's loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections import deque
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from alchemistcoder.llm.budget import Budget, BudgetExceeded, Usage, cost_of
from alchemistcoder.llm.cache import RequestCache, request_key
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.llm.structured import parse_structured, reask_request, with_schema
from alchemistcoder.llm.types import ChatRequest, Completion

T = TypeVar("T")
CACHE_FILE = "llm_cache.sqlite"
BUDGET_EXCEEDED = "budget_exceeded"


class LLMClient:
    """One model behind cache, concurrency bound, accounting and budget. Use as a context manager or call
    :meth:`close`."""

    def __init__(
        self,
        config: LLMConfig,
        backend: Any,
        cache: RequestCache | None = None,
        stage: str | None = None,
    ) -> None:
        self.config = config
        self.backend = backend
        self.cache = cache
        self.stage = stage or "default"
        self.usage = Usage()
        self.usage_by_stage: dict[str, Usage] = {}
        ledger = (cache, f"{backend.identity}|{backend.name}|{config.cache.namespace}") if cache is not None else None
        self.budget = Budget(config.budget, config.price(), ledger)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    @classmethod
    def from_config(
        cls,
        config: LLMConfig | None = None,
        *,
        cache_dir: str | Path | None = None,
        stage: str | None = None,
    ) -> LLMClient:
        """Build a client for ``config`` (default: the embedded model). The request cache lives at
        ``config.cache.path`` or ``<cache_dir>/llm_cache.sqlite``; with neither, nothing is cached."""
        from alchemistcoder.llm.backends import make_backend

        config = config or LLMConfig()
        cache = None
        if config.cache.enabled:
            path = config.cache.path or (Path(cache_dir) / CACHE_FILE if cache_dir is not None else None)
            if path is not None:
                cache = RequestCache(path)
        return cls(config, make_backend(config), cache=cache, stage=stage)

    def request(
        self, messages: list[dict[str, str]] | None = None, prompt: str | None = None, **kw: Any
    ) -> ChatRequest:
        """A ChatRequest with this config's defaults (max_tokens, temperature, top_p) unless given."""
        kw.setdefault("max_tokens", self.config.max_tokens)
        kw.setdefault("temperature", self.config.temperature)
        kw.setdefault("top_p", self.config.top_p)
        return ChatRequest(messages=messages, prompt=prompt, **kw)

    def key(self, request: ChatRequest) -> str:
        """The cache key of ``request`` for this client's model."""
        return request_key(
            request,
            model=self.backend.name,
            backend=self.backend.identity,
            namespace=self.config.cache.namespace,
        )

    # -- public entry points ---------------------------------------------------------------------------------

    def generate(self, requests: list[ChatRequest]) -> list[Completion]:
        """Completions for ``requests``, in order (blocking; see the module docstring for event loops)."""
        requests = list(requests)
        cached = self._all_cached(requests)
        if cached is not None:
            return cached
        return self._submit(self._generate(requests)).result()

    async def agenerate(self, requests: list[ChatRequest]) -> list[Completion]:
        """Async form of :meth:`generate`."""
        requests = list(requests)
        cached = self._all_cached(requests)
        if cached is not None:
            return cached
        return await asyncio.wrap_future(self._submit(self._generate(requests)))

    def _all_cached(self, requests: list[ChatRequest]) -> list[Completion] | None:
        """The answers when every request is cached (read in the caller's thread: no hop to the loop)."""
        if self.cache is None or not requests:
            return None
        keys = [self.key(r) for r in requests]
        hits = self.cache.get_many(keys)
        if len(hits) < len(set(keys)):
            return None
        out = [dataclasses.replace(hits[k], extra=dict(hits[k].extra)) for k in keys]
        for r, c in zip(requests, out, strict=True):
            self._account(r, c)
        return out

    def generate_structured(
        self, requests: list[ChatRequest], schema: type[BaseModel], max_reasks: int = 2
    ) -> list[Completion]:
        """Like :meth:`generate`, but each answer must be JSON valid for ``schema``: ``.parsed`` holds the
        validated object. An invalid answer is re-asked (with the validation error) up to ``max_reasks``
        times; if it is still invalid the Completion carries ``error='invalid_structured_output: ...'``."""
        return self._submit(self._structured(list(requests), schema, max_reasks)).result()

    async def agenerate_structured(
        self, requests: list[ChatRequest], schema: type[BaseModel], max_reasks: int = 2
    ) -> list[Completion]:
        """Async form of :meth:`generate_structured`."""
        return await asyncio.wrap_future(self._submit(self._structured(list(requests), schema, max_reasks)))

    def close(self) -> None:
        """Stop the private loop, close the backend's connections and the cache."""
        if self._loop is not None:
            closer = getattr(self.backend, "aclose", None)
            if closer is not None:
                asyncio.run_coroutine_threadsafe(closer(), self._loop).result()
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=5)
            self._loop = None
        if hasattr(self.backend, "close"):
            self.backend.close()
        if self.cache is not None:
            self.cache.close()
            self.cache = None

    def __enter__(self) -> LLMClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return (
            f"LLMClient(backend={self.config.backend!r}, model={self.backend.name!r}, stage={self.stage!r})"
        )

    # -- the private loop ------------------------------------------------------------------------------------

    def _submit(self, coro: Coroutine[Any, Any, T]) -> Any:
        with self._start_lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="alchemist-llm", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
        return asyncio.run_coroutine_threadsafe(coro, self._loop)

    # -- the work ----------------------------------------------------------------------------------------------

    def _account(self, request: ChatRequest, completion: Completion, cost: float = 0.0) -> None:
        for usage in (self.usage, self.usage_by_stage.setdefault(request.tag or self.stage, Usage())):
            if completion.cached:
                usage.cached += 1
                continue
            if completion.error == BUDGET_EXCEEDED:
                continue
            usage.requests += 1
            usage.failed += completion.error is not None
            usage.retries += int(completion.extra.get("retries", 0))
            usage.prompt_tokens += completion.prompt_tokens
            usage.completion_tokens += completion.completion_tokens
            usage.cost_usd += cost

    async def _generate(self, requests: list[ChatRequest]) -> list[Completion]:
        keys = [self.key(r) for r in requests]
        results: list[Completion | None] = [None] * len(requests)
        if self.cache is not None:
            hits = self.cache.get_many(keys)
            for i, k in enumerate(keys):
                if k in hits:
                    results[i] = dataclasses.replace(hits[k], extra=dict(hits[k].extra))
                    self._account(requests[i], results[i])
        # Identical requests in one batch are sent once and share the answer.
        todo: dict[str, list[int]] = {}
        for i, k in enumerate(keys):
            if results[i] is None:
                todo.setdefault(k, []).append(i)
        if todo:
            if getattr(self.backend, "batched", False):
                await self._run_batched(requests, todo, results)
            else:
                await self._run_concurrent(requests, todo, results)
        stopped = [i for i, c in enumerate(results) if c is None]
        final = [c if c is not None else Completion(error=BUDGET_EXCEEDED) for c in results]
        if stopped and self.config.budget.on_exceeded == "raise":
            raise BudgetExceeded(
                f"LLM budget reached ({self.budget.describe()}): {len(stopped)} of {len(requests)} requests not sent; "
                "finished answers are cached",
                final,
                self.usage,
            )
        return final

    def _finish(
        self,
        key: str,
        indices: list[int],
        requests: list[ChatRequest],
        completion: Completion,
        cost: float,
        results: list[Completion | None],
    ) -> None:
        if self.cache is not None:
            # The answer and its spend (the budget's ledger) in one transaction; failed answers are not stored.
            ledger = self.budget.ledger[1] if self.budget.ledger else None
            self.cache.put(key, completion, ledger=ledger, cost=cost)
        for n, i in enumerate(indices):
            results[i] = (
                completion if n == 0 else dataclasses.replace(completion, extra=dict(completion.extra))
            )
        self._account(requests[indices[0]], completion, cost)

    async def _run_concurrent(
        self, requests: list[ChatRequest], todo: dict[str, list[int]], results: list[Completion | None]
    ) -> None:
        queue = deque(todo.items())
        stop = False

        async def worker() -> None:
            nonlocal stop
            while queue and not stop:
                key, indices = queue.popleft()
                request = requests[indices[0]]
                reservation = self.budget.try_reserve([request])
                if reservation is None:
                    stop = True
                    return
                try:
                    completion = await self.backend.agenerate_one(request)
                except Exception as exc:  # a backend bug must not lose the batch
                    completion = Completion(model=self.backend.name, error=f"{type(exc).__name__}: {exc}")
                cost = cost_of(completion.prompt_tokens, completion.completion_tokens, self.budget.price)
                self._finish(key, indices, requests, completion, cost, results)
                self.budget.settle(reservation, [completion])

        n_workers = min(self.config.max_concurrency, len(queue))
        await asyncio.gather(*(worker() for _ in range(n_workers)))

    async def _run_batched(
        self, requests: list[ChatRequest], todo: dict[str, list[int]], results: list[Completion | None]
    ) -> None:
        # Similar lengths together: less padding per batch (answers go back by index, so order is kept).
        items = sorted(todo.items(), key=lambda item: _length(requests[item[1][0]]))
        size = max(1, getattr(self.backend, "batch_size", self.config.batch_size))
        loop = asyncio.get_running_loop()
        for start in range(0, len(items), size):
            chunk = items[start : start + size]
            chunk_requests = [requests[indices[0]] for _, indices in chunk]
            reservation = self.budget.try_reserve(chunk_requests)
            if reservation is None:
                return
            try:
                completions = await loop.run_in_executor(None, self.backend.generate_batch, chunk_requests)
            except Exception as exc:
                error = f"{type(exc).__name__}: {exc}"
                completions = [Completion(model=self.backend.name, error=error) for _ in chunk]
            for (key, indices), completion in zip(chunk, completions, strict=True):
                cost = cost_of(completion.prompt_tokens, completion.completion_tokens, self.budget.price)
                self._finish(key, indices, requests, completion, cost, results)
            self.budget.settle(reservation, completions)

    async def _structured(
        self, requests: list[ChatRequest], schema: type[BaseModel], max_reasks: int
    ) -> list[Completion]:
        schema_json = schema.model_json_schema()
        current = [with_schema(r, schema_json) for r in requests]
        final: list[Completion | None] = [None] * len(requests)
        active = list(range(len(requests)))
        for attempt in range(max_reasks + 1):
            try:
                answers = await self._generate([current[i] for i in active])
            except BudgetExceeded as exc:
                for i, c in zip(active, exc.completions, strict=True):
                    final[i] = self._validate(c, schema, attempt, last=True)
                done = [c if c is not None else Completion(error=BUDGET_EXCEEDED) for c in final]
                raise BudgetExceeded(str(exc), done, self.usage) from None
            retry = []
            for i, c in zip(active, answers, strict=True):
                checked = self._validate(c, schema, attempt, last=attempt == max_reasks)
                if checked is None:
                    current[i] = reask_request(current[i], c.text, c.extra["structured_error"])
                    retry.append(i)
                else:
                    final[i] = checked
            active = retry
            if not active:
                break
        return [c if c is not None else Completion(error="invalid_structured_output") for c in final]

    @staticmethod
    def _validate(c: Completion, schema: type[BaseModel], attempt: int, last: bool) -> Completion | None:
        """The completion with ``.parsed`` set, a failed completion when ``last``, else None (re-ask)."""
        if not c.ok:
            return c
        c.extra["reasks"] = attempt
        try:
            c.parsed = parse_structured(c.text, schema)
            return c
        except ValueError as exc:
            c.extra["structured_error"] = str(exc)
            if not last:
                return None
            return dataclasses.replace(
                c,
                text="",
                parsed=None,
                error=f"invalid_structured_output: {exc}",
                extra={**c.extra, "raw_text": c.text},
            )


def _length(request: ChatRequest) -> int:
    """Characters of a request's input (a cheap stand-in for its token count)."""
    return len(request.prompt or "") + sum(len(m.get("content") or "") for m in request.messages or [])
