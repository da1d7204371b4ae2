"""LLMConfig validation, backend selection, and the vllm backend's message when vllm is absent."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from alchemistcoder.config import ConfigError, validate_dict
from alchemistcoder.llm import LLMConfig
from alchemistcoder.llm.backends import make_backend


def test_defaults_are_the_embedded_model_and_every_field_is_documented():
    cfg = LLMConfig()
    assert cfg.backend == "embedded" and cfg.cache.enabled and cfg.budget.max_tokens_total is None
    for name, field in LLMConfig.model_fields.items():
        assert field.description, name


def test_unknown_keys_and_bad_values_are_errors_naming_the_key():
    with pytest.raises(ConfigError, match="max_concurency"):
        validate_dict({"max_concurency": 4}, LLMConfig)
    with pytest.raises(ConfigError, match="backend"):
        validate_dict({"backend": "llamacpp"}, LLMConfig)
    with pytest.raises(ConfigError, match=r"budget\.max_tokens_total"):
        validate_dict({"budget": {"max_tokens_total": 0}}, LLMConfig)


def test_a_cost_cap_needs_a_price():
    with pytest.raises(ConfigError, match="no price for model 'my-model'"):
        validate_dict({"model": "my-model", "budget": {"max_cost_usd": 5}}, LLMConfig)
    priced = LLMConfig(model="my-model", budget={"max_cost_usd": 5}, prices={"my-model": {"prompt_per_mtok": 1}})
    assert priced.price().prompt_per_mtok == 1
    assert LLMConfig(model="gpt-4o", budget={"max_cost_usd": 5}).price().completion_per_mtok > 0


@pytest.mark.skipif(importlib.util.find_spec("vllm") is not None, reason="checks the message shown without vllm")
def test_vllm_backend_without_vllm_says_how_to_install_it():
    with pytest.raises(RuntimeError, match=r"pip install 'alchemistcoder\[vllm\]'"):
        make_backend(LLMConfig(backend="vllm", model="some/model"))


def test_openai_backend_does_not_import_torch():
    code = (
        "import sys\n"
        "from alchemistcoder.llm import LLMClient, LLMConfig\n"
        "c = LLMClient.from_config(LLMConfig(backend='openai', model='m', api_key_env=None))\n"
        "c.close()\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False False"
