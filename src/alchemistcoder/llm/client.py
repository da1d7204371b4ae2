"""The one client every stage uses for model calls.

``LLMClient.from_config(cfg, cache_dir=..., stage=...)`` builds the backend named in the config and wraps it
with the same services for every backend: the persistent request cache, bounded concurrency, token
accounting per stage, the budget cap, structured outputs (negotiated with the endpoint, with a bounded
re-ask; see ``llm.structured`` and ``llm.negotiate``), progress while a batch runs (``llm.progress``) and,
when the client closes, one summary line per stage on stderr (requests / failed by class / retries / tokens /
seconds). Requests go in as a list of :class:`ChatRequest` and come back as a list of :class:`Completion` in
the same order; a request that fails for good comes back with ``error`` set rather than raising.

Sync and async: the client runs its work on a private event loop in a daemon thread. ``generate`` submits to
that loop and blocks, so it works from plain code *and* from inside a running event loop (it then blocks that
loop's thread until done; prefer ``await agenerate`` there). ``agenerate`` awaits the same work without
blocking the caller's loop.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import threading
import time
from collections import deque
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from alchemistcoder.llm import errors
from alchemistcoder.llm.budget import Budget, BudgetExceeded, Usage, cost_of
from alchemistcoder.llm.cache import RequestCache, request_key
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.llm.negotiate import memory_key, negotiate
from alchemistcoder.llm.progress import RequestProgress
from alchemistcoder.llm.structured import echoes_schema, parse_structured, reask_request, with_schema
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
        # the structured-output mode once known (``auto`` is negotiated on first use), and how it was found
        self._mode: str | None = None if config.response_format == "auto" else config.response_format
        self.negotiation: dict[str, str] = {}
        self._mode_lock: asyncio.Lock | None = None

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
        self, requests: list[ChatRequest], schema: type[BaseModel], max_reasks: int = 2, *, show_schema: bool = True
    ) -> list[Completion]:
        """Like :meth:`generate`, but each answer must be JSON valid for ``schema``: ``.parsed`` holds the
        validated object. The request asks in the client's structured mode (:meth:`structured_mode`); with
        ``show_schema=False`` its text is left as is (the chat shows the form itself, e.g. a worked example) and
        only constrained decoding applies. An invalid answer is re-asked (with the validation error) up to
        ``max_reasks`` times — an answer that echoed the schema is asked again with an example object instead,
        never the raw schema; if it is still invalid the Completion carries
        ``error='invalid_structured_output: ...'``. ``extra['structured']`` names the mode used."""
        return self._submit(self._structured(list(requests), schema, max_reasks, show_schema)).result()

    async def agenerate_structured(
        self, requests: list[ChatRequest], schema: type[BaseModel], max_reasks: int = 2, *, show_schema: bool = True
    ) -> list[Completion]:
        """Async form of :meth:`generate_structured`."""
        return await asyncio.wrap_future(self._submit(self._structured(list(requests), schema, max_reasks, show_schema)))

    def structured_mode(self) -> str:
        """How this client asks for JSON: ``json_schema``, ``json_object``, ``none`` or ``example`` (see
        ``llm.structured``). ``response_format: auto`` is ``none`` for in-process backends; an openai endpoint is
        probed once (``llm.negotiate``) and the answer remembered in the request cache."""
        if self._mode is not None:
            return self._mode
        return self._submit(self._negotiated_mode()).result()

    def summary_lines(self) -> list[str]:
        """One line per stage (accounting tag) that used this client: what :meth:`close` prints."""
        return [
            f"llm {tag} [{self.backend.name}]: {usage.summary()}"
            for tag, usage in self.usage_by_stage.items()
            if usage.requests or usage.cached
        ]

    def close(self) -> None:
        """Print the summary lines, stop the private loop, close the backend's connections and the cache."""
        for line in self.summary_lines():
            print(line, file=sys.stderr, flush=True)
        self.usage_by_stage = {}  # printed once, also when close() is called twice
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

    def _usages(self, tag: str | None) -> tuple[Usage, Usage]:
        return self.usage, self.usage_by_stage.setdefault(tag or self.stage, Usage())

    def _account(self, request: ChatRequest, completion: Completion, cost: float = 0.0) -> None:
        for usage in self._usages(request.tag):
            if completion.cached:
                usage.cached += 1
                continue
            if completion.error == BUDGET_EXCEEDED:
                continue
            usage.requests += 1
            if completion.error is not None:
                usage.failed += 1
                kind = completion.extra.get("error_class", errors.OTHER)
                usage.failed_by_class[kind] = usage.failed_by_class.get(kind, 0) + 1
            usage.retries += int(completion.extra.get("retries", 0))
            usage.prompt_tokens += completion.prompt_tokens
            usage.completion_tokens += completion.completion_tokens
            usage.cost_usd += cost

    async def _generate(self, requests: list[ChatRequest]) -> list[Completion]:
        started = time.perf_counter()
        try:
            return await self._generate_timed(requests)
        finally:
            if requests:
                for usage in self._usages(requests[0].tag):
                    usage.seconds += time.perf_counter() - started

    async def _generate_timed(self, requests: list[ChatRequest]) -> list[Completion]:
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
            label = f"{requests[0].tag or self.stage} [{self.backend.name}]"
            progress = RequestProgress(label, sum(len(indices) for indices in todo.values())).start()
            try:
                if getattr(self.backend, "batched", False):
                    await self._run_batched(requests, todo, results, progress)
                else:
                    await self._run_concurrent(requests, todo, results, progress)
            finally:
                progress.close()
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
        progress: RequestProgress,
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
        progress.advance(len(indices), failed=len(indices) if completion.error is not None else 0)

    async def _run_concurrent(
        self, requests: list[ChatRequest], todo: dict[str, list[int]], results: list[Completion | None],
        progress: RequestProgress,
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
                    completion = Completion(model=self.backend.name, error=f"{type(exc).__name__}: {exc}",
                                            extra={"error_class": errors.BACKEND_ERROR})
                cost = cost_of(completion.prompt_tokens, completion.completion_tokens, self.budget.price)
                self._finish(key, indices, requests, completion, cost, results, progress)
                self.budget.settle(reservation, [completion])

        n_workers = min(self.config.max_concurrency, len(queue))
        await asyncio.gather(*(worker() for _ in range(n_workers)))

    async def _run_batched(
        self, requests: list[ChatRequest], todo: dict[str, list[int]], results: list[Completion | None],
        progress: RequestProgress,
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
                completions = [
                    Completion(model=self.backend.name, error=error, extra={"error_class": errors.BACKEND_ERROR})
                    for _ in chunk
                ]
            for (key, indices), completion in zip(chunk, completions, strict=True):
                cost = cost_of(completion.prompt_tokens, completion.completion_tokens, self.budget.price)
                self._finish(key, indices, requests, completion, cost, results, progress)
            self.budget.settle(reservation, completions)

    async def _negotiated_mode(self) -> str:
        """The structured mode, probing the endpoint the first time (see ``llm.negotiate``)."""
        if self._mode is not None:
            return self._mode
        self._mode_lock = self._mode_lock or asyncio.Lock()
        async with self._mode_lock:
            if self._mode is not None:
                return self._mode
            if not hasattr(self.backend, "agenerate_one"):
                self._mode = "none"  # in-process models: nothing to negotiate, the schema goes in the prompt
                return self._mode
            key = memory_key(self.backend, self.config.cache.namespace)
            remembered = self.cache.get(key) if self.cache is not None else None
            if remembered is not None:
                self._mode, self.negotiation = remembered.text, dict(remembered.extra.get("tried", {}))
                return self._mode

            async def send(request: ChatRequest) -> Completion:
                completion = await self.backend.agenerate_one(request)
                self._account(request, completion, cost_of(completion.prompt_tokens, completion.completion_tokens,
                                                           self.budget.price))
                return completion

            result = await negotiate(send)
            self._mode, self.negotiation = result.mode, result.tried
            if result.definitive and self.cache is not None:
                self.cache.put(key, Completion(text=result.mode, model=self.backend.name, extra={"tried": result.tried}))
            return self._mode

    async def _structured(
        self, requests: list[ChatRequest], schema: type[BaseModel], max_reasks: int, show_schema: bool = True
    ) -> list[Completion]:
        mode = await self._negotiated_mode()
        schema_json = schema.model_json_schema()
        current = [with_schema(r, schema_json, mode, show=show_schema) for r in requests]
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
                c.extra["structured"] = mode
                checked = self._validate(c, schema, attempt, last=attempt == max_reasks)
                if checked is None:
                    if echoes_schema(c.text):
                        # the model copied the schema: ask afresh with an example object, and keep the schema
                        # (in the question and in its own answer) out of its sight from now on
                        current[i] = dataclasses.replace(
                            with_schema(requests[i], schema_json, "example"),
                            response_format=current[i].response_format, nonce=f"{requests[i].nonce or ''}|example-reask",
                        )
                    else:
                        current[i] = reask_request(current[i], c.text, c.extra["structured_error"])
                    retry.append(i)
                else:
                    if not checked.ok and checked.error and checked.error.startswith("invalid_structured_output"):
                        for usage in self._usages(requests[i].tag):
                            usage.invalid_output += 1
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
            problem = str(exc)
            if c.finish_reason == "length":
                # "Unterminated string" says less than where the answer stopped (Qwen2.5-Coder-0.5B looped
                # over its refined code until max_tokens)
                problem += f"; the answer was cut at max_tokens ({c.completion_tokens} tokens)"
            c.extra["structured_error"] = problem
            if not last:
                return None
            return dataclasses.replace(
                c,
                text="",
                parsed=None,
                error=f"invalid_structured_output: {problem}",
                extra={**c.extra, "raw_text": c.text},
            )


def _length(request: ChatRequest) -> int:
    """Characters of a request's input (a cheap stand-in for its token count)."""
    return len(request.prompt or "") + sum(len(m.get("content") or "") for m in request.messages or [])
