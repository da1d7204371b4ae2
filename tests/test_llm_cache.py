"""The request cache: keys are canonical, concurrent writers are safe, and kill -9 never corrupts it."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

from alchemistcoder.llm.cache import RequestCache, request_key
from alchemistcoder.llm.types import ChatRequest, Completion

MSG = [{"role": "user", "content": "hi"}]


def _key(req: ChatRequest, **kw) -> str:
    return request_key(req, model=kw.get("model", "m"), backend=kw.get("backend", "openai"), namespace=kw.get("ns", ""))


def test_key_is_canonical_and_covers_what_changes_the_answer():
    base = ChatRequest(messages=MSG, max_tokens=16, temperature=0)
    assert _key(base) == _key(ChatRequest(messages=[{"content": "hi", "role": "user"}], max_tokens=16, temperature=0.0))
    assert _key(base) == _key(ChatRequest(messages=MSG, max_tokens=16, tag="another stage"))  # tag is accounting only
    variants = [
        ChatRequest(messages=[{"role": "user", "content": "hi!"}], max_tokens=16),
        ChatRequest(prompt="hi", max_tokens=16),
        ChatRequest(messages=MSG, max_tokens=17),
        ChatRequest(messages=MSG, max_tokens=16, temperature=0.7),
        ChatRequest(messages=MSG, max_tokens=16, top_p=0.9),
        ChatRequest(messages=MSG, max_tokens=16, stop=["\n"]),
        ChatRequest(messages=MSG, max_tokens=16, seed=1),
        ChatRequest(messages=MSG, max_tokens=16, json_schema={"type": "object"}),
        ChatRequest(messages=MSG, max_tokens=16, nonce="2"),
    ]
    keys = {_key(v) for v in variants} | {_key(base, model="m2"), _key(base, backend="vllm:m"), _key(base, ns="x")}
    assert _key(base) not in keys and len(keys) == len(variants) + 3


def test_roundtrip_and_errors_are_not_stored(tmp_path):
    cache = RequestCache(tmp_path / "c.sqlite")
    good = Completion(text="ok", model="m", prompt_tokens=3, completion_tokens=1, extra={"retries": 2})
    cache.put("k1", good)
    cache.put("k2", Completion(error="HTTP 500"))
    got = cache.get_many(["k1", "k2", "k1"])
    assert set(got) == {"k1"} and got["k1"].text == "ok" and got["k1"].cached and got["k1"].extra == {"retries": 2}
    assert cache.get("k2") is None and len(cache) == 1
    cache.close()


_WRITER = textwrap.dedent(
    """
    import sys
    from alchemistcoder.llm.cache import RequestCache
    from alchemistcoder.llm.types import Completion
    cache = RequestCache(sys.argv[1])
    prefix, n = sys.argv[2], int(sys.argv[3])
    for i in range(n):
        cache.put(f"{prefix}-{i}", Completion(text="x" * (i % 500), model="m", prompt_tokens=i), ledger="L", cost=0.5)
        if i == 5:
            print("writing", flush=True)
    print("done", flush=True)
    """
)


def _spawn(path, prefix, n):
    return subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), prefix, str(n)], stdout=subprocess.PIPE, text=True
    )


def test_concurrent_writer_processes_lose_nothing(tmp_path):
    path = tmp_path / "c.sqlite"
    procs = [_spawn(path, p, 300) for p in ("a", "b", "c")]
    for p in procs:
        assert p.wait(timeout=120) == 0
    cache = RequestCache(path)
    keys = [f"{p}-{i}" for p in "abc" for i in range(300)]
    got = cache.get_many(keys)
    assert len(got) == 900
    assert all(got[f"a-{i}"].prompt_tokens == i for i in range(300))
    # The spend ledger adds up every writer's answers (the budget of a run sharded over processes).
    assert cache.spent("L") == (3 * sum(range(300)), 0.5 * 900)


def test_kill_9_at_any_moment_leaves_a_readable_cache(tmp_path):
    path = tmp_path / "c.sqlite"
    for round_ in range(4):
        proc = _spawn(path, f"r{round_}", 100_000)
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(0.05 * (round_ + 1))
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    rows = conn.execute("SELECT key FROM completions").fetchall()
    conn.close()
    cache = RequestCache(path)
    got = cache.get_many([r[0] for r in rows])
    assert len(got) == len(rows) >= 4 * 6
    # Answer and spend are committed together: the ledger matches the stored answers exactly.
    assert cache.spent("L") == (sum(c.prompt_tokens for c in got.values()), 0.5 * len(got))
    for round_ in range(4):  # each writer's committed entries are a gap-free prefix of what it wrote
        n = sum(1 for k in got if k.startswith(f"r{round_}-"))
        assert n >= 6 and all(f"r{round_}-{i}" in got for i in range(n))
