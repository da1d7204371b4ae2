"""Benchmark of the LLM client against a local OpenAI-compatible server with a fixed, known latency.

It measures three things, each beside its reference:

1. **concurrency efficiency**: N requests at concurrency c against a server that answers every request after
   exactly ``latency`` seconds; the ideal throughput is c / latency, efficiency = achieved / ideal. The baseline
   row is concurrency 1 (one request at a time), what a naive loop gets.
2. **cached overhead**: the same requests again, all answered from the SQLite cache: milliseconds per request,
   for one request per ``generate`` call (what a stage calling one at a time sees) and inside a batch.
3. **kill -9 and resume**: a client process is killed with SIGKILL in the middle of a batch and started again.
   The server counts every request it receives. ``repeated_after_resume`` = requests whose answer the client
   had saved before the kill and that the server received again (answers paid twice). Requests still *in
   flight* at the kill had no saved answer and are necessarily sent again; the killed process's journal (one
   unbuffered line per request sent / answer saved) identifies them, and they are reported separately.

The server is ``tests/llm_fault_server.py`` in a subprocess (so its threads do not share the client's GIL).
Last line: ``llm concurrency=<c> efficiency=<e> cached_overhead_ms=<t> repeated_after_resume=<n>``.

    .venv/bin/python bench/llm_client.py [--concurrency 32] [--latency 1.0] [--rounds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from alchemistcoder.llm import ChatRequest, LLMClient, LLMConfig  # noqa: E402

CHILD = """
import os, sys
sys.path.insert(0, {src!r})
from alchemistcoder.llm import ChatRequest, LLMClient, LLMConfig
cfg = LLMConfig(backend="openai", model="bench", base_urls=[{url!r}], max_concurrency={c}, api_key_env=None,
                cache={{"path": {cache!r}}})
reqs = [ChatRequest(messages=[{{"role": "user", "content": f"resume request {{i}}"}}], max_tokens=8) for i in range({n})]
# A journal of what this process sent ("S") and saved ("D"), written with unbuffered syscalls so a kill -9
# loses none of it: the bench uses it to tell requests in flight at the kill from answers that were lost.
log = os.open({log!r}, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
with LLMClient.from_config(cfg) as client:
    send, put = client.backend.agenerate_one, client.cache.put
    async def logged_send(request):
        os.write(log, ("S " + request.messages[-1]["content"] + "\\n").encode())
        return await send(request)
    def logged_put(key, completion, **kw):
        put(key, completion, **kw)
        os.write(log, ("D " + completion.text.removeprefix("echo: ") + "\\n").encode())
    client.backend.agenerate_one, client.cache.put = logged_send, logged_put
    out = client.generate(reqs)
print("done", sum(c.ok for c in out), client.usage.cached, client.usage.requests, flush=True)
"""


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "llm_fault_server.py"), "--latency", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    return proc, proc.stdout.readline().strip()


def stats(url: str) -> dict:
    with urllib.request.urlopen(url + "/stats", timeout=10) as r:
        return json.load(r)


def config(url: str, concurrency: int, cache_path: str | None) -> LLMConfig:
    return LLMConfig(
        backend="openai",
        model="bench",
        base_urls=[url],
        max_concurrency=concurrency,
        api_key_env=None,
        timeout_s=30,
        cache={"enabled": cache_path is not None, "path": cache_path},
    )


def requests(prefix: str, n: int) -> list[ChatRequest]:
    return [ChatRequest(messages=[{"role": "user", "content": f"{prefix} {i}"}], max_tokens=8) for i in range(n)]


def throughput(url: str, concurrency: int, n: int, latency: float, cache_path: str | None, prefix: str) -> float:
    """Efficiency (achieved / ideal throughput) of ``n`` fresh requests at ``concurrency``."""
    with LLMClient.from_config(config(url, concurrency, cache_path)) as client:
        client.generate(requests("warm-up " + prefix, concurrency))  # open the connections, import lazily
        start = time.perf_counter()
        out = client.generate(requests(prefix, n))
        took = time.perf_counter() - start
    assert all(c.ok for c in out), [c.error for c in out if not c.ok][:3]
    achieved = n / took
    ideal = concurrency / latency
    print(f"  concurrency={concurrency:3d} requests={n:4d} time={took:6.2f}s throughput={achieved:7.1f}/s "
          f"ideal={ideal:7.1f}/s efficiency={achieved / ideal:.3f}")
    return achieved / ideal


def cached_overhead(url: str, cache_path: str, prefix: str, n: int) -> tuple[float, float]:
    """(ms per request called one at a time, ms per request in one batch) when every answer is cached."""
    with LLMClient.from_config(config(url, 32, cache_path)) as client:
        reqs = requests(prefix, n)
        client.generate(reqs[:1])
        before = sum(stats(url)["received"].values())
        start = time.perf_counter()
        for r in reqs:
            client.generate([r])
        single = (time.perf_counter() - start) / n * 1000
        start = time.perf_counter()
        out = client.generate(reqs)
        batch = (time.perf_counter() - start) / n * 1000
        assert all(c.cached for c in out)
        assert sum(stats(url)["received"].values()) == before, "a cached request reached the server"
    return single, batch


def kill_and_resume(url: str, concurrency: int, n: int) -> tuple[int, int, int]:
    """(answers saved before the kill and sent again, requests in flight at the kill, answers saved)."""
    tmp = Path(tempfile.mkdtemp())
    log = tmp / "journal.txt"
    script = CHILD.format(src=str(REPO / "src"), url=url, c=concurrency, cache=str(tmp / "cache.sqlite"), n=n, log=str(log))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    while child.poll() is None:
        saved = log.read_text().count("\nD ") if log.exists() else 0
        if saved >= n // 3:
            break
        time.sleep(0.02)
    assert child.poll() is None, "the client finished before it could be killed; raise --resume-requests"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    journal = [line.split(" ", 1) for line in log.read_text().splitlines()]
    sent = {text for kind, text in journal if kind == "S"}
    saved = {text for kind, text in journal if kind == "D"}
    in_flight = sent - saved
    log.write_text("")
    resumed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    print(f"  resume: {resumed.stdout.strip()} (ok, cached, sent)")
    received = stats(url)["received_by_text"]
    twice = {text for text, count in received.items() if text.startswith("resume request") and count >= 2}
    return len(twice & saved), len(twice & in_flight), len(saved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=1.0, help="Server seconds per request.")
    parser.add_argument("--rounds", type=int, default=8, help="Requests = concurrency x rounds.")
    parser.add_argument("--resume-requests", type=int, default=160)
    args = parser.parse_args()
    server, url = start_server(args.latency)
    tmp = tempfile.mkdtemp()
    try:
        c, lat = args.concurrency, args.latency
        print(f"server {url}, latency {lat}s per request; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print("throughput (baseline: one request at a time)")
        throughput(url, 1, 4, lat, None, "baseline")
        cache_path = str(Path(tmp) / "cache.sqlite")
        eff = throughput(url, c, c * args.rounds, lat, cache_path, "concurrent")
        print("cached requests (no network)")
        single, batch = cached_overhead(url, cache_path, "concurrent", c * args.rounds)
        print(f"  one per call: {single:.3f} ms/request; in one batch of {c * args.rounds}: {batch:.3f} ms/request")
        print("kill -9 in the middle of a batch, then resume")
        repeated, in_flight, saved = kill_and_resume(url, min(c, 16), args.resume_requests)
        print(f"  answers saved before the kill: {saved}; of them sent again after the resume: {repeated}; "
              f"requests in flight at the kill (no answer saved) and sent again: {in_flight}")
        print(f"load average at the end: {os.getloadavg()[0]:.1f}")
        print(f"llm concurrency={c} efficiency={eff:.3f} cached_overhead_ms={single:.3f} repeated_after_resume={repeated}")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
