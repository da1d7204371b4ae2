"""The real tiny model (embedded SmolLM2-135M-Instruct): conversion, the transformers backend, and the
openai backend against ``alchemist serve`` on 127.0.0.1 serving that model. Kept small (few tokens)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from alchemistcoder.llm import ChatRequest, LLMClient, LLMConfig
from alchemistcoder.llm.embedded import embedded_model_path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ALCHEMIST = Path(sys.executable).parent / "alchemist"
QUESTIONS = ["What is 2+2?", "Write a Python function that reverses a string.", "Name a color."]


def _chat(text: str, **kw) -> ChatRequest:
    return ChatRequest(messages=[{"role": "user", "content": text}], **kw)


@pytest.fixture(scope="module")
def embedded_client(tmp_path_factory):
    """One loaded embedded model for the whole module, behind a client with a cache."""
    client = LLMClient.from_config(LLMConfig(batch_size=4), cache_dir=tmp_path_factory.mktemp("cache"), stage="test")
    client.backend.load()
    yield client
    client.close()


@pytest.fixture(scope="module")
def served(embedded_client):
    """``alchemist serve`` as a real subprocess on a free port of 127.0.0.1."""
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen(
        [str(ALCHEMIST), "serve", "--port", "0", "--batch-size", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    line = proc.stdout.readline()
    assert line.startswith("serving smollm2-135m-instruct at http://127.0.0.1:"), line
    yield line.split(" at ")[1].strip()
    proc.terminate()
    proc.wait(timeout=30)


def test_embedded_checkpoint_is_a_normal_hf_directory():
    path = embedded_model_path()
    names = {p.name for p in path.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= names
    config = json.loads((path / "config.json").read_text())
    assert config["model_type"] == "llama" and "quantization_config" not in config
    assert "chat_template.jinja" in names or "chat_template" in (path / "tokenizer_config.json").read_text()
    assert embedded_model_path() == path


def test_conversion_runs_once_under_concurrent_callers(tmp_path):
    # The converter is replaced by a slow writer so the lock and atomic rename are exercised cheaply.
    script = textwrap.dedent(
        """
        import sys, time
        from alchemistcoder.llm import embedded
        def slow_convert(gguf, out):
            with open(sys.argv[1], "a") as f:
                f.write("converted\\n")
            time.sleep(1.0)
            (out / "config.json").write_text("{}")
        embedded._convert = slow_convert
        print(embedded.embedded_model_path())
        """
    )
    env = {**os.environ, "ALCHEMIST_CACHE": str(tmp_path / "cache")}
    counter = tmp_path / "count.txt"
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(counter)], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    paths = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert len(paths) == 1 and counter.read_text() == "converted\n"
    models = Path(paths.pop()).parent
    assert [p.name for p in models.iterdir() if ".tmp-" in p.name] == []
    assert (models / next(iter(os.listdir(models))) ).exists()


def test_transformers_backend_batches_with_chat_template_and_keeps_order(embedded_client):
    tok = embedded_client.backend.tokenizer
    requests = [_chat(q, max_tokens=6) for q in QUESTIONS]
    out = embedded_client.generate(requests)
    for q, c in zip(QUESTIONS, out, strict=True):
        rendered = tok.apply_chat_template([{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True)
        expected_prompt = tok(rendered, add_special_tokens=False)["input_ids"]
        assert c.ok and c.text and not c.cached
        assert c.prompt_tokens == len(expected_prompt)  # template applied, left padding not counted
        assert 1 <= c.completion_tokens <= 6
        assert c.finish_reason in ("stop", "length")
    # Batched, left-padded greedy generation gives what each request gives alone.
    alone = embedded_client.backend.generate_batch([requests[1]])[0]
    assert alone.text == out[1].text
    again = embedded_client.generate(requests)
    assert [c.text for c in again] == [c.text for c in out] and all(c.cached for c in again)
    assert embedded_client.usage.cached == 3 and embedded_client.usage.requests == 3


def test_sampling_is_reproducible_with_a_seed_and_stop_strings_cut(embedded_client):
    sampled = [_chat("Write a short poem.", max_tokens=8, temperature=0.9, seed=7, nonce=str(i)) for i in range(2)]
    a, b = embedded_client.generate(sampled)
    assert a.ok and a.text == b.text
    [c] = embedded_client.generate([_chat("List three fruits, one per line.", max_tokens=12, stop=["\n"])])
    assert c.ok and "\n" not in c.text


def test_openai_backend_against_alchemist_serve(served, embedded_client, tmp_path):
    models = httpx.get(served + "/models", timeout=10).json()
    assert [m["id"] for m in models["data"]] == ["smollm2-135m-instruct"]
    cfg = LLMConfig(backend="openai", model="smollm2-135m-instruct", base_urls=[served], max_concurrency=3,
                    api_key_env=None, timeout_s=120)
    with LLMClient.from_config(cfg, cache_dir=tmp_path) as client:
        # One request alone: the served answer equals the in-process one.
        [single] = client.generate([_chat(QUESTIONS[0], max_tokens=6)])
        [local] = embedded_client.generate([_chat(QUESTIONS[0], max_tokens=6)])
        assert single.ok and single.text == local.text and single.prompt_tokens == local.prompt_tokens
        # Concurrent requests are batched by the server; chat and raw-prompt endpoints both work.
        out = client.generate([_chat(q, max_tokens=4) for q in QUESTIONS[1:]] + [ChatRequest(prompt="def add(a, b):", max_tokens=4)])
        assert all(c.ok and c.completion_tokens <= 4 for c in out), [c.error for c in out]
        assert client.usage.requests == 4 and client.usage.completion_tokens > 0


def test_server_batches_concurrent_requests_and_checks_the_key(embedded_client, monkeypatch):
    from alchemistcoder.llm.server import make_server, serve_in_thread

    monkeypatch.setenv("ALCHEMIST_SERVE_TEST_KEY", "serve-secret-123")
    server = make_server(embedded_client.backend, "127.0.0.1", 0, batch_size=4, batch_wait_s=0.2,
                         api_key="serve-secret-123")
    serve_in_thread(server)
    try:
        url = server.base_url
        denied = httpx.post(url + "/chat/completions", json={"messages": [{"role": "user", "content": "hi"}]})
        assert denied.status_code == 401
        cfg = LLMConfig(backend="openai", model="smollm2-135m-instruct", base_urls=[url], max_concurrency=4,
                        api_key_env="ALCHEMIST_SERVE_TEST_KEY", timeout_s=120, cache={"enabled": False})
        with LLMClient.from_config(cfg) as client:
            out = client.generate([_chat(f"Count to {n}.", max_tokens=3) for n in range(2, 6)])
        assert all(c.ok for c in out), [c.error for c in out]
        health = httpx.get(url.removesuffix("/v1") + "/health").json()
        assert health["max_batch"] >= 2 and health["batches"] < 4  # concurrent requests shared generate calls
    finally:
        server.shutdown()
        server.server_close()
        server.worker.stop()


def test_serve_rejects_what_it_does_not_support(served):
    r = httpx.post(served + "/chat/completions", json={"model": "x", "messages": [{"role": "user", "content": "hi"}], "stream": True})
    assert r.status_code == 400 and "stream" in r.json()["error"]["message"]
    r = httpx.post(served + "/chat/completions", json={"model": "x", "messages": []})
    assert r.status_code == 400 and "messages" in r.json()["error"]["message"]


def test_models_cli_list_and_check(served):
    listed = subprocess.run([str(ALCHEMIST), "models", "list"], capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0 and "embedded" in listed.stdout and "prepared" in listed.stdout
    check = subprocess.run(
        [str(ALCHEMIST), "models", "check", "--backend", "openai", "--model", "smollm2-135m-instruct",
         "--base-url", served],
        capture_output=True, text=True, timeout=300,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("ok: openai smollm2-135m-instruct")
    bad = subprocess.run(
        [str(ALCHEMIST), "models", "check", "--backend", "openai", "--model", "m", "--base-url", "http://127.0.0.1:9/v1"],
        capture_output=True, text=True, timeout=300,
    )
    assert bad.returncode == 1 and "check failed" in bad.stderr


def test_a_process_loads_a_local_model_once_until_the_stage_ends(embedded_client, tmp_path):
    """A stage opens a client per shard: the second client of the same model in this process uses the loaded
    one (a pool worker runs many shards); the run loop's release_models() after a stage lets it go."""
    from alchemistcoder.llm.backends import release_models

    embedded_client.backend.load()
    with LLMClient.from_config(LLMConfig(batch_size=4), cache_dir=tmp_path, stage="test") as other:
        other.backend.load()
        assert other.backend._model is embedded_client.backend._model
    release_models()
    with LLMClient.from_config(LLMConfig(batch_size=4), cache_dir=tmp_path, stage="test") as fresh:
        fresh.backend.load()
        assert fresh.backend._model is not embedded_client.backend._model
    release_models()
