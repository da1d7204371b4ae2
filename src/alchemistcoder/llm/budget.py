"""Token accounting and the hard budget cap.

:class:`Usage` counts what a client did (requests sent, answered from cache, failed; tokens; cost).
:class:`Budget` decides whether one more request may start: it reserves an estimate of the request's
tokens (prompt characters / 3 + ``max_tokens``) while it is in flight, so the cap holds even with many
requests running at once. When the cap is reached the client stops dispatching, lets in-flight requests
finish (their answers are cached), and raises :class:`BudgetExceeded` carrying the finished work.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from alchemistcoder.llm.config import BudgetConfig, PriceConfig
from alchemistcoder.llm.types import ChatRequest, Completion


class BudgetExceeded(RuntimeError):
    """The token or cost cap was reached. ``completions`` holds one entry per request, in order: finished
    ones as usual, those never sent with ``error='budget_exceeded'``; everything finished is in the cache."""

    def __init__(self, message: str, completions: list[Completion], usage: Usage) -> None:
        super().__init__(message)
        self.completions = completions
        self.usage = usage


@dataclass
class Usage:
    """What one client (or one stage of it) used."""

    requests: int = 0
    cached: int = 0
    failed: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    # failed requests by class (llm.errors), and answers that were not valid structured output after re-asks
    failed_by_class: dict[str, int] = field(default_factory=dict)
    invalid_output: int = 0
    # wall-clock seconds spent waiting for answers
    seconds: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, Any]:
        """Plain figures for a stage manifest."""
        return {**asdict(self), "total_tokens": self.total_tokens}

    def summary(self) -> str:
        """One line: requests / failed by class / retries / tokens / seconds (what a stage prints at its end)."""
        classes = ", ".join(f"{k}={v}" for k, v in sorted(self.failed_by_class.items()))
        failed = f"failed={self.failed}" + (f" ({classes})" if classes else "")
        invalid = f" invalid_output={self.invalid_output}" if self.invalid_output else ""
        cost = f" cost=${self.cost_usd:.4f}" if self.cost_usd else ""
        return (
            f"requests={self.requests} cached={self.cached} {failed}{invalid} retries={self.retries} "
            f"tokens={self.total_tokens} (prompt {self.prompt_tokens}, completion {self.completion_tokens}){cost} "
            f"seconds={self.seconds:.1f}"
        )


def cost_of(prompt_tokens: int, completion_tokens: int, price: PriceConfig | None) -> float:
    """US dollars for the given tokens at ``price`` (0 when the model has no price)."""
    if price is None:
        return 0.0
    return (prompt_tokens * price.prompt_per_mtok + completion_tokens * price.completion_per_mtok) / 1e6


def estimate_tokens(request: ChatRequest) -> tuple[int, int]:
    """A generous (prompt, completion) token estimate used to reserve budget before sending."""
    chars = len(request.prompt or "") + sum(len(m.get("content") or "") + 8 for m in request.messages or [])
    return chars // 3 + 1, request.max_tokens


class Budget:
    """The cap: spent + reserved must stay within ``max_tokens_total`` and ``max_cost_usd``.

    With a ``ledger`` (the request cache and a ledger name), "spent" is what every process using that cache
    file recorded for the model — shards of one stage, other stages using the same model, and runs before a
    crash — so the cap holds for the whole run, and a resumed run spends only what is left. Without one, it
    is what this client spent.
    """

    def __init__(self, config: BudgetConfig, price: PriceConfig | None, ledger: tuple[Any, str] | None = None) -> None:
        self.config = config
        self.price = price
        self.ledger = ledger
        self._local_tokens = 0
        self._local_cost = 0.0
        self._reserved_tokens = 0
        self._reserved_cost = 0.0
        self._lock = threading.Lock()

    def spent(self) -> tuple[int, float]:
        """(tokens, cost) spent so far (from the ledger when there is one)."""
        if self.ledger:
            return self.ledger[0].spent(self.ledger[1])
        return self._local_tokens, self._local_cost

    @property
    def limited(self) -> bool:
        return self.config.max_tokens_total is not None or self.config.max_cost_usd is not None

    def try_reserve(self, requests: list[ChatRequest]) -> tuple[int, float] | None:
        """Reserve budget for ``requests``; None when that would pass a cap."""
        p = c = 0
        for r in requests:
            ep, ec = estimate_tokens(r)
            p, c = p + ep, c + ec
        tokens, cost = p + c, cost_of(p, c, self.price)
        cap_t, cap_c = self.config.max_tokens_total, self.config.max_cost_usd
        if cap_t is None and cap_c is None:
            return tokens, cost  # no cap: no ledger read
        with self._lock:
            spent_tokens, spent_cost = self.spent()
            if cap_t is not None and spent_tokens + self._reserved_tokens + tokens > cap_t:
                return None
            if cap_c is not None and spent_cost + self._reserved_cost + cost > cap_c:
                return None
            self._reserved_tokens += tokens
            self._reserved_cost += cost
        return tokens, cost

    def settle(self, reservation: tuple[int, float], completions: list[Completion]) -> float:
        """Release a reservation and charge what the completions really used; returns their cost."""
        tokens = sum(c.prompt_tokens + c.completion_tokens for c in completions)
        cost = sum(cost_of(c.prompt_tokens, c.completion_tokens, self.price) for c in completions)
        with self._lock:
            self._reserved_tokens -= reservation[0]
            self._reserved_cost -= reservation[1]
            self._local_tokens += tokens
            self._local_cost += cost
        return cost

    def describe(self) -> str:
        tokens, cost = self.spent()
        parts = []
        if self.config.max_tokens_total is not None:
            parts.append(f"{tokens}/{self.config.max_tokens_total} tokens")
        if self.config.max_cost_usd is not None:
            parts.append(f"${cost:.4f}/${self.config.max_cost_usd:.4f}")
        return ", ".join(parts)
