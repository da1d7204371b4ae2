"""The harmonize stage with the real tiny model (embedded SmolLM2-135M-Instruct): in process, and through a real
OpenAI-compatible HTTP server on 127.0.0.1 serving the same model. The model is weak; what is tested is that
every model answer is validated, recorded in the trace with its writer and model, retried within bounds,
replaced by the template writer when it fails, and that a re-run is served from the request cache."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from alchemistcoder.harmonize import HarmonizeConfig, ground, run_harmonize, validate_prompt
from alchemistcoder.harmonize.harmonize import PROMPT_OP
from alchemistcoder.records import Sample, content_id, make_messages
from alchemistcoder.stage import StageContext

pytestmark = pytest.mark.slow


def small_samples(shared_data: Path, n: int) -> list[Sample]:
    """Short real samples (short prompts keep the CPU generation cheap)."""
    rows = json.loads((shared_data / "codealpaca" / "code_alpaca_2k.json").read_text())
    out = []
    for i, r in enumerate(rows):
        if len(r["instruction"]) < 120 and 60 < len(r["output"]) < 260 and not r.get("input"):
            messages = make_messages(r["instruction"], r["output"])
            s = Sample(content_id("codealpaca", messages, str(i)), "codealpaca", messages)
            if ground(s.instruction, s.response).missing:
                out.append(s)
        if len(out) == n:
            break
    return out


def cfg(**kw) -> HarmonizeConfig:
    base = dict(fraction=1.0, max_attempts=2, max_tokens=40)
    return HarmonizeConfig(**{**base, **kw})


def check_trace(out: list[Sample], samples_in: int, stats: dict, model_name: str) -> None:
    created = [s for s in out if s.task == "alchemist"]
    assert len(out) == samples_in + len(created)
    assert stats["selected"] == samples_in
    assert len(created) + stats["without_prompt"] == samples_in
    parents = [s for s in out if s.task != "alchemist"]
    model_events = [e for s in parents for e in s.trace if e.op == PROMPT_OP and e.params.get("writer") == "model"]
    # every selected sample got at least one model attempt and at most max_attempts
    for s in parents:
        n = sum(1 for e in s.trace if e.op == PROMPT_OP and e.params.get("writer") == "model")
        assert 1 <= n <= 2
    assert stats["model_attempts"] == len(model_events)
    assert stats["model_valid"] == sum(e.verdict == "keep" for e in model_events)
    for e in model_events:
        assert e.model == model_name
        assert (e.verdict == "keep") == (e.reason is None)
        assert e.params["structured"] == "example"
    # an accepted model prompt really passes validation; the applied prompt is the accepted one
    for child in created:
        applied = child.trace[-1]
        parent = next(p for p in parents if p.id + "-alchemist" == child.id)
        if applied.params["writer"] == "model":
            g = ground(parent.instruction, parent.response)
            assert validate_prompt(applied.params["prompt"], parent.instruction, parent.response, g).ok
            assert applied.model == model_name
        assert child.instruction == applied.params["prompt"] + "\n" + parent.instruction


def test_embedded_model_writes_validated_prompts_and_reruns_from_cache(tmp_path: Path, shared_data: Path) -> None:
    samples = small_samples(shared_data, 3)
    ctx = StageContext(run_dir=tmp_path, stage="harmonize", seed=0)
    out = run_harmonize(samples, cfg(), ctx)
    stats = ctx.stats["harmonize"]
    check_trace(out, 3, stats, "smollm2-135m-instruct")
    assert stats["by_writer"].get("template", 0) + stats["by_writer"].get("model", 0) == len(out) - 3
    first_usage = ctx.stats["harmonize_usage"]
    assert first_usage["requests"] == stats["model_attempts"]

    # the same run again: identical decisions, every request answered by the cache
    ctx2 = StageContext(run_dir=tmp_path, stage="harmonize", seed=0)
    again = run_harmonize(small_samples(shared_data, 3), cfg(), ctx2)
    assert [s.to_dict() for s in again] == [s.to_dict() for s in out]
    assert ctx2.stats["harmonize_usage"]["cached"] == stats["model_attempts"]


def test_openai_server_backend(tmp_path: Path, shared_data: Path) -> None:
    from alchemistcoder.llm.backends import make_backend
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.llm.server import make_server, serve_in_thread

    server = make_server(make_backend(LLMConfig()), port=0, model_name="alchemist-tiny")
    serve_in_thread(server)
    try:
        model = LLMConfig(backend="openai", model="alchemist-tiny", base_urls=[server.base_url], api_key_env=None)
        samples = small_samples(shared_data, 2)
        ctx = StageContext(run_dir=tmp_path, stage="harmonize", seed=0)
        out = run_harmonize(samples, cfg(model=model, structured="example", max_attempts=1), ctx)
        check_trace(out, 2, ctx.stats["harmonize"], "alchemist-tiny")
        assert ctx.stats["harmonize_usage"]["requests"] == ctx.stats["harmonize"]["model_attempts"]
        assert ctx.stats["harmonize_usage"]["failed"] == 0
    finally:
        server.shutdown()
        server.worker.stop()
