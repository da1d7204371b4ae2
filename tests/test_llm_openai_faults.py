"""The openai backend against the fault-injecting server (real HTTP over 127.0.0.1): retries, Retry-After,
timeouts, dropped and truncated responses, load balancing, the concurrency bound, budget, structured output,
and secrets that never leak."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from pydantic import BaseModel

from alchemistcoder.llm import BudgetExceeded, ChatRequest, LLMClient, LLMConfig
from llm_fault_server import FaultServer


def _cfg(urls: list[str], **kw) -> LLMConfig:
    base = {
        "backend": "openai",
        "model": "fault-model",
        "base_urls": urls,
        "timeout_s": 1.0,
        "max_retries": 3,
        "backoff_base_s": 0.01,
        "api_key_env": None,
        # the schema in the prompt, no negotiation: these tests count the server's requests exactly
        # (negotiation has its own tests in test_llm_structured.py)
        "response_format": "none",
    }
    base.update(kw)
    return LLMConfig(**base)


def _req(text: str, **kw) -> ChatRequest:
    return ChatRequest(messages=[{"role": "user", "content": text}], max_tokens=8, **kw)


@pytest.mark.parametrize("fault", ["500", "503", "hang", "drop", "truncated", "invalid_json"])
def test_transient_fault_is_retried_then_succeeds(fault):
    with FaultServer([fault]) as srv, LLMClient.from_config(_cfg([srv.base_url], timeout_s=0.5)) as client:
        [c] = client.generate([_req("hello")])
    assert c.ok, c.error
    assert c.text == "echo: hello"
    assert c.extra["retries"] == 1
    assert srv.behaviours == [fault, "ok"]
    assert client.usage.requests == 1 and client.usage.retries == 1


def test_429_waits_for_retry_after():
    with FaultServer(["429:0.6"]) as srv, LLMClient.from_config(_cfg([srv.base_url])) as client:
        client.generate([_req("warm up the connection")])
        srv.plan = ["429:0.6"]
        start = time.perf_counter()
        [c] = client.generate([_req("hello")])
        took = time.perf_counter() - start
    assert c.ok and c.extra["retries"] == 1
    assert took >= 0.6, f"retried after {took:.2f}s, before Retry-After"
    assert "429" in c.extra["last_retry_error"]


def test_client_error_is_not_retried_and_is_recorded_not_raised():
    with FaultServer(["400"]) as srv, LLMClient.from_config(_cfg([srv.base_url])) as client:
        out = client.generate([_req("bad"), _req("good")])
    by_text = {c.text: c for c in out}
    assert not out[0].ok or not out[1].ok
    failed = [c for c in out if not c.ok]
    assert len(failed) == 1 and "400" in failed[0].error and failed[0].text == ""
    assert "echo: good" in by_text or "echo: bad" in by_text
    assert srv.total_received == 2  # the 400 was not retried
    assert client.usage.failed == 1


def test_gives_up_after_max_retries_with_error():
    with FaultServer(default="500") as srv, LLMClient.from_config(_cfg([srv.base_url], max_retries=2)) as client:
        [c] = client.generate([_req("x")])
    assert not c.ok and "gave up after 3 attempts" in c.error
    assert srv.total_received == 3


def test_load_balanced_over_urls_and_fails_over_from_a_dead_one():
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    dead_url = f"http://127.0.0.1:{dead.getsockname()[1]}/v1"
    dead.close()  # nothing listens there: connection refused
    with FaultServer() as a, FaultServer() as b:
        cfg = _cfg([a.base_url, b.base_url, dead_url], max_concurrency=6)
        with LLMClient.from_config(cfg) as client:
            out = client.generate([_req(f"q{i}") for i in range(30)])
    assert all(c.ok for c in out), [c.error for c in out if not c.ok]
    assert [c.text for c in out] == [f"echo: q{i}" for i in range(30)]  # order preserved
    assert a.total_received > 3 and b.total_received > 3
    assert a.total_received + b.total_received == 30


def test_concurrency_is_bounded_and_used():
    with FaultServer(latency_s=0.2) as srv, LLMClient.from_config(_cfg([srv.base_url], max_concurrency=4)) as client:
        out = client.generate([_req(f"q{i}") for i in range(12)])
    assert all(c.ok for c in out)
    assert srv.max_in_flight == 4  # used up to the bound, never beyond (speed is measured in bench/)


def test_cache_means_a_rerun_sends_nothing(tmp_path):
    with FaultServer() as srv:
        cfg = _cfg([srv.base_url])
        with LLMClient.from_config(cfg, cache_dir=tmp_path) as client:
            first = client.generate([_req("a"), _req("b"), _req("a")])
        assert srv.total_received == 2  # the duplicate was sent once
        # A different base URL list order and a different key do not change the cache keys.
        cfg2 = _cfg([srv.base_url, srv.base_url.replace("127.0.0.1", "localhost")], api_key_env="SOME_KEY")
        with LLMClient.from_config(cfg2, cache_dir=tmp_path) as client:
            second = client.generate([_req("b"), _req("a"), _req("c")])
            assert client.usage.cached == 2 and client.usage.requests == 1
    assert srv.total_received == 3
    assert [c.text for c in second] == ["echo: b", "echo: a", "echo: c"]
    assert second[0].cached and not second[2].cached
    assert [c.text for c in first] == ["echo: a", "echo: b", "echo: a"]


def test_budget_stops_cleanly_and_resume_does_not_pay_twice(tmp_path):
    requests = [_req(f"question number {i}") for i in range(10)]
    with FaultServer() as srv:
        capped = _cfg([srv.base_url], max_concurrency=1, budget={"max_tokens_total": 60})
        with LLMClient.from_config(capped, cache_dir=tmp_path) as client:
            with pytest.raises(BudgetExceeded) as info:
                client.generate(requests)
            assert client.usage.total_tokens <= 60
        done = [c for c in info.value.completions if c.ok]
        stopped = [c for c in info.value.completions if c.error == "budget_exceeded"]
        assert len(done) >= 1 and len(stopped) >= 1 and len(done) + len(stopped) == 10
        sent_before = srv.total_received
        assert sent_before == len(done)
        # The cap belongs to the run's cache: a restart with the same cap has nothing left to spend.
        with LLMClient.from_config(capped, cache_dir=tmp_path) as client:
            with pytest.raises(BudgetExceeded):
                client.generate(requests)
            assert client.usage.cached == len(done) and client.usage.requests == 0
        assert srv.total_received == sent_before
        with LLMClient.from_config(_cfg([srv.base_url]), cache_dir=tmp_path) as client:
            out = client.generate(requests)
            assert client.usage.cached == len(done)
    assert all(c.ok for c in out)
    assert max(srv.received.values()) == 1  # no request was sent twice
    assert srv.total_received == 10


def test_budget_stop_mode_returns_errors_instead_of_raising():
    with FaultServer() as srv:
        cfg = _cfg([srv.base_url], budget={"max_cost_usd": 0.001, "on_exceeded": "stop"},
                   prices={"fault-model": {"prompt_per_mtok": 10.0, "completion_per_mtok": 30.0}})
        with LLMClient.from_config(cfg) as client:
            out = client.generate([_req(f"q{i}") for i in range(20)])
            assert 0 < client.usage.cost_usd <= 0.001
    assert {c.error for c in out} == {None, "budget_exceeded"}


class Verdict(BaseModel):
    score: int
    reason: str


def test_structured_output_reasks_then_validates():
    plan = ["text:not json at all", 'text:```json\n{"score": 4, "reason": "clear"}\n```']
    with FaultServer(plan) as srv, LLMClient.from_config(_cfg([srv.base_url])) as client:
        [c] = client.generate_structured([_req("rate this")], Verdict, max_reasks=2)
    assert c.ok and c.parsed == Verdict(score=4, reason="clear")
    assert c.extra["reasks"] == 1
    assert srv.total_received == 2


def test_structured_output_failure_is_recorded():
    plan = ['text:{"score": "high"}'] * 3
    with FaultServer(plan) as srv, LLMClient.from_config(_cfg([srv.base_url])) as client:
        [c] = client.generate_structured([_req("rate this")], Verdict, max_reasks=2)
    assert not c.ok and c.error.startswith("invalid_structured_output")
    assert "score" in c.error and c.extra["raw_text"] == '{"score": "high"}'
    assert srv.total_received == 3


def test_agenerate_inside_a_running_loop():
    import asyncio

    with FaultServer() as srv, LLMClient.from_config(_cfg([srv.base_url])) as client:

        async def main():
            a = await client.agenerate([_req("x")])
            b = client.generate([_req("y")])  # sync call inside a running loop also works (it blocks)
            return a + b

        out = asyncio.run(main())
    assert [c.text for c in out] == ["echo: x", "echo: y"]


SECRET = "sk-test-DO-NOT-LEAK-7f3a9c2e5b"


def test_secret_never_reaches_logs_errors_cache_or_reprs(tmp_path, monkeypatch, caplog, capsys):
    monkeypatch.setenv("ALCHEMIST_TEST_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    with FaultServer(["echo_auth"] * 3 + ["429:0"]) as srv:
        cfg = _cfg([srv.base_url], api_key_env="ALCHEMIST_TEST_KEY", max_retries=2)
        with LLMClient.from_config(cfg, cache_dir=tmp_path, stage="secret") as client:
            failed = client.generate([_req("a")])
            ok = client.generate([_req("b")])
            texts = [repr(client), repr(client.backend), repr(cfg), cfg.model_dump_json(), str(client.usage.as_dict())]
    assert all(h == f"Bearer {SECRET}" for h in srv.auth_headers)  # the key was really sent
    assert not failed[0].ok and "***" in failed[0].error
    assert ok[0].ok
    texts += [failed[0].error, repr(failed), repr(ok), caplog.text]
    captured = capsys.readouterr()
    texts += [captured.out, captured.err]
    for t in texts:
        assert SECRET not in t
    for f in tmp_path.rglob("*"):
        if f.is_file():
            assert SECRET.encode() not in f.read_bytes(), f


def test_recorded_answers_of_a_small_model_a_schema_echo_then_a_review_cut_at_max_tokens():
    """Qwen2.5-Coder-0.5B, asked for a JSON review (tests/data/llm_answers/review_json_qwen-0.5b.json): it
    echoed the schema (re-asked without it), then looped over its refined code until max_tokens; the error
    says where the answer stopped, not only that a string is unterminated."""
    import json
    from pathlib import Path

    from alchemistcoder.comprehend.review_tasks import CodeReview

    recorded = json.loads((Path(__file__).parent / "data" / "llm_answers" / "review_json_qwen-0.5b.json").read_text())
    text = {a["kind"]: a["text"] for a in recorded["answers"]}
    plan = ["text:" + text["schema_echo"], "cut:" + text["cut_at_max_tokens"]]
    with FaultServer(plan) as srv, LLMClient.from_config(_cfg([srv.base_url])) as client:
        [c] = client.generate_structured([_req("review this")], CodeReview, max_reasks=1)
    assert srv.total_received == 2 and not c.ok
    assert "Unterminated string" in c.error and "cut at max_tokens" in c.error, c.error
    # the same text ending normally is not called cut
    with FaultServer(["text:" + text["cut_at_max_tokens"]]) as srv, LLMClient.from_config(_cfg([srv.base_url])) as client:
        [c] = client.generate_structured([_req("review this")], CodeReview, max_reasks=0)
    assert "Unterminated string" in c.error and "cut at max_tokens" not in c.error
