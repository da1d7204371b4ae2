"""Structured output that negotiates, failures that retrying cannot fix, the per-stage summary line and progress:
against the fault-injecting OpenAI-protocol server on 127.0.0.1 (one variant refuses ``json_schema`` with an
HTTP 500, as llama.cpp's server does)."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, Field

from alchemistcoder.llm import ChatRequest, LLMClient, LLMConfig, progress
from alchemistcoder.llm.errors import classify_status, names_unsupported_parameter
from alchemistcoder.llm.structured import echoes_schema, example_value, parse_structured, schema_instruction
from llm_fault_server import FaultServer


class Verdict(BaseModel):
    score: int
    reason: str


class Review(BaseModel):
    correctness: int = Field(ge=0, le=10)
    suggestions: list[str] = Field(default_factory=list)
    refined_code: str


def _cfg(url: str, **kw) -> LLMConfig:
    base = {"backend": "openai", "model": "fault-model", "base_urls": [url], "timeout_s": 2.0, "max_retries": 3,
            "backoff_base_s": 0.01, "api_key_env": None}
    return LLMConfig(**{**base, **kw})


def _req(text: str, tag: str = "judge") -> ChatRequest:
    return ChatRequest(messages=[{"role": "user", "content": text}], max_tokens=32, tag=tag)


def _schema_shown(body: dict) -> bool:
    return any('"properties"' in (m.get("content") or "") for m in body.get("messages", []))


def test_auto_probes_once_falls_back_from_json_schema_to_json_object_and_remembers(tmp_path, capsys):
    plan = ['text:{"answer": 5}', 'text:{"score": 3, "reason": "fine"}']
    with FaultServer(plan, refuse_json_schema=True) as srv:
        with LLMClient.from_config(_cfg(srv.base_url), cache_dir=tmp_path, stage="judge") as client:
            [c] = client.generate_structured([_req("rate this")], Verdict)
            assert client.structured_mode() == "json_object"
            assert client.negotiation == {"json_schema": "failed (unsupported)", "json_object": "ok"}
            probe = client.usage_by_stage["structured_probe"]
            assert probe.requests == 2 and probe.failed_by_class == {"unsupported": 1} and probe.retries == 0
        # the refused json_schema probe was sent once (not retried), then json_object twice (probe, request)
        assert srv.response_formats == ["json_schema", "json_object", "json_object"]
        assert c.ok and c.parsed == Verdict(score=3, reason="fine") and c.extra["structured"] == "json_object"

        # a later client of the same run (same request cache) does not probe again
        srv.plan = ['text:{"score": 4, "reason": "good"}']
        with LLMClient.from_config(_cfg(srv.base_url), cache_dir=tmp_path, stage="review") as client:
            [c] = client.generate_structured([_req("rate that", "review")], Verdict)
        assert c.ok and c.parsed.score == 4
        assert srv.response_formats[3:] == ["json_object"]
    err = capsys.readouterr().err
    assert "llm structured_probe [fault-model]: requests=2 cached=0 failed=1 (unsupported=1) retries=0" in err
    assert "llm judge [fault-model]: requests=1 " in err and "llm review [fault-model]: requests=1 " in err


def test_endpoint_without_constrained_decoding_gets_an_example_not_the_schema(tmp_path):
    # the server ignores response_format and answers prose to both probes
    plan = ["text:five", "text:it is 5", 'text:{"score": 2, "reason": "meh"}']
    with FaultServer(plan) as srv, LLMClient.from_config(_cfg(srv.base_url), cache_dir=tmp_path) as client:
        [c] = client.generate_structured([_req("rate this")], Verdict)
        assert client.structured_mode() == "example"
    assert c.ok and c.parsed.score == 2
    last = srv.bodies[-1]
    assert "response_format" not in last and not _schema_shown(last)
    assert '{"score": 0, "reason": "..."}' in last["messages"][-1]["content"]


def test_a_model_that_echoes_the_schema_never_sees_it_again():
    schema = json.dumps(Verdict.model_json_schema())
    plan = [f"text:{schema}", "text:not json", 'text:{"score": 1, "reason": "ok"}']
    with FaultServer(plan) as srv, LLMClient.from_config(_cfg(srv.base_url, response_format="none")) as client:
        [c] = client.generate_structured([_req("rate this")], Verdict, max_reasks=2)
    assert c.ok and c.parsed.score == 1 and c.extra["reasks"] == 2
    first, *reasks = srv.bodies
    assert _schema_shown(first)  # 'none': the schema in the prompt ...
    for body in reasks:  # ... but after the echo, neither the schema nor the echoed answer is shown
        assert not _schema_shown(body), body["messages"]
    assert "fill in the values" in reasks[0]["messages"][-1]["content"]


def test_errors_that_retrying_cannot_fix_fail_at_once():
    with FaultServer(refuse_json_schema=True) as srv:
        with LLMClient.from_config(_cfg(srv.base_url, response_format="json_schema", max_retries=4)) as client:
            [c] = client.generate_structured([_req("rate this")], Verdict)
            assert client.usage.failed_by_class == {"unsupported": 1}
        assert srv.total_received == 1
    assert not c.ok and "HTTP 500" in c.error and c.extra["error_class"] == "unsupported"
    with FaultServer(["400", "500"]) as srv, LLMClient.from_config(_cfg(srv.base_url, response_format="none")) as client:
        [bad] = client.generate([_req("a")])
        [ok] = client.generate([_req("b")])  # a plain 500 is still retried
    assert bad.extra["error_class"] == "bad_request" and ok.ok and ok.extra["retries"] == 1


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, "bad", ("bad_request", False)),
        (404, "model not found", ("bad_request", False)),
        (422, "unprocessable", ("bad_request", False)),
        (401, "no key", ("auth", False)),
        (429, "slow down", ("rate_limited", True)),
        (503, "overloaded", ("server_error", True)),
        (500, "upstream rejected credentials Bearer ***", ("server_error", True)),
        (500, "'response_format' type json_schema is not supported", ("unsupported", False)),
        (500, "Unrecognized request argument supplied: logprobs", ("unsupported", False)),
        (500, "unsupported GPU architecture", ("server_error", True)),
    ],
)
def test_classify_status(status, body, expected):
    assert classify_status(status, f"HTTP {status}: {body}") == expected
    assert names_unsupported_parameter(body) == (expected[0] == "unsupported")


def test_json_with_raw_newlines_in_strings_parses():
    text = '{"correctness": 7, "suggestions": ["Use a\tset."], "refined_code": "def f(x):\n    return x + 1\n"}'
    review = parse_structured(text, Review)
    assert review.refined_code == "def f(x):\n    return x + 1\n" and review.suggestions == ["Use a\tset."]


def test_schema_echo_and_example_value():
    schema = Review.model_json_schema()
    assert example_value(schema) == {"correctness": 0, "suggestions": ["..."], "refined_code": "..."}
    assert echoes_schema(json.dumps(schema)) and echoes_schema("```json\n" + json.dumps(schema) + "\n```")
    assert not echoes_schema('{"correctness": 3, "suggestions": [], "refined_code": "x"}')
    assert '"properties"' not in schema_instruction(schema, "example")
    assert '"properties"' in schema_instruction(schema, "none")


def test_progress_lines_when_not_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(progress, "LOG_EVERY_S", 0.3)
    with FaultServer(latency_s=0.12) as srv:
        cfg = _cfg(srv.base_url, response_format="none", max_concurrency=1)
        with LLMClient.from_config(cfg, stage="evolve") as client:
            out = client.generate([ChatRequest(messages=[{"role": "user", "content": f"q{i}"}], tag="evolve")
                                   for i in range(8)])
    assert all(c.ok for c in out)
    lines = [line for line in capsys.readouterr().err.splitlines() if "requests done" in line]
    assert len(lines) >= 2, lines
    assert lines[0].startswith("llm evolve [fault-model]: ") and "/s" in lines[0] and "ETA" in lines[0]
    assert lines[-1].startswith("llm evolve [fault-model]: 8/8 requests done")
