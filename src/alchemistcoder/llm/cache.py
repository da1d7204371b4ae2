"""The persistent request cache: one SQLite file (WAL mode) mapping a request's key to its completion.

Every finished completion is committed on its own, at once, so a process killed at any moment (``kill -9``)
loses at most the requests still in flight; SQLite's journal guarantees the file is never left corrupt.
Several processes may read and write one file at the same time (WAL + busy timeout). Failed requests are
never stored, so a resumed run retries them.

The key is the sha256 of a canonical JSON of everything that determines the answer — backend identity,
model, messages or prompt, sampling parameters, schema, response format and nonce — and nothing else: never the API key,
never the endpoint URLs (replicas of one model share answers), never the accounting tag.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.llm.types import ChatRequest, Completion

_KEY_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS completions (
    key TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS spend (
    ledger TEXT PRIMARY KEY,
    tokens INTEGER NOT NULL,
    cost REAL NOT NULL
);
"""


def request_key(request: ChatRequest, *, model: str, backend: str, namespace: str = "") -> str:
    """The cache key of ``request`` sent to ``model`` through ``backend`` (a stable identity string)."""
    payload: dict[str, Any] = {
        "v": _KEY_VERSION,
        "ns": namespace,
        "backend": backend,
        "model": model,
        "messages": request.messages,
        "prompt": request.prompt,
        "max_tokens": int(request.max_tokens),
        "temperature": float(request.temperature),
        "top_p": float(request.top_p),
        "stop": list(request.stop) if request.stop else None,
        "seed": request.seed,
        "json_schema": request.json_schema,
        "nonce": request.nonce,
    }
    if request.response_format is not None:
        # constrained decoding changes the answer (absent when unused, so older keys stay valid)
        payload["response_format"] = request.response_format
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _encode(c: Completion) -> bytes:
    return orjson.dumps(
        {
            "text": c.text,
            "model": c.model,
            "prompt_tokens": c.prompt_tokens,
            "completion_tokens": c.completion_tokens,
            "finish_reason": c.finish_reason,
            "extra": c.extra,
        }
    )


def _decode(blob: bytes) -> Completion:
    d = orjson.loads(blob)
    return Completion(
        text=d["text"],
        model=d["model"],
        prompt_tokens=d["prompt_tokens"],
        completion_tokens=d["completion_tokens"],
        finish_reason=d["finish_reason"],
        cached=True,
        extra=d.get("extra") or {},
    )


class RequestCache:
    """A SQLite-backed map from request key to Completion, safe across threads and processes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(
            str(self.path), timeout=60.0, isolation_level=None, check_same_thread=False
        )
        self._conn.execute("PRAGMA busy_timeout=60000")
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode: a committed transaction survives the process being killed (only an OS crash
        # can lose the last commits, never corrupt the file), and commits do not wait for fsync.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)

    def get(self, key: str) -> Completion | None:
        """The cached completion for ``key``, or None."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM completions WHERE key = ?", (key,)).fetchone()
        return _decode(row[0]) if row else None

    def get_many(self, keys: list[str]) -> dict[str, Completion]:
        """Cached completions for those of ``keys`` that are present."""
        found: dict[str, Completion] = {}
        unique = list(dict.fromkeys(keys))
        with self._lock:
            for start in range(0, len(unique), 500):
                part = unique[start : start + 500]
                marks = ",".join("?" * len(part))
                for key, value in self._conn.execute(
                    f"SELECT key, value FROM completions WHERE key IN ({marks})", part
                ):
                    found[key] = _decode(value)
        return found

    def put(self, key: str, completion: Completion, ledger: str | None = None, cost: float = 0.0) -> None:
        """Store one completion (committed before returning). Its tokens and ``cost`` are added to the spend
        of ``ledger`` in the same transaction, so what was paid is never lost and never counted twice.
        Failed completions are not stored (a resumed run retries them); what they used is still counted."""
        tokens = completion.prompt_tokens + completion.completion_tokens
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                if completion.error is None:
                    self._conn.execute(
                        "INSERT OR REPLACE INTO completions (key, value, created) VALUES (?, ?, ?)",
                        (key, _encode(completion), time.time()),
                    )
                if ledger is not None and (tokens or cost):
                    self._conn.execute(
                        "INSERT INTO spend (ledger, tokens, cost) VALUES (?, ?, ?) ON CONFLICT(ledger) DO UPDATE "
                        "SET tokens = tokens + excluded.tokens, cost = cost + excluded.cost",
                        (ledger, tokens, cost),
                    )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def spent(self, ledger: str) -> tuple[int, float]:
        """(tokens, cost) recorded for ``ledger`` by every process that used this cache file."""
        with self._lock:
            row = self._conn.execute("SELECT tokens, cost FROM spend WHERE ledger = ?", (ledger,)).fetchone()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM completions").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._conn.close()
