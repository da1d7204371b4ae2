"""The chain curate filters -> evolve -> comprehend on real shared data, with the real tiny model served by
``alchemist serve`` on 127.0.0.1 and reached through the openai backend (a named model under ``models:``).

Whatever the weak model says, every task must be built from the trace, every review must either pass the
sandbox or be kept as a rejected sample with its reason, and nothing may be lost.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alchemistcoder.comprehend.config import ReviewTaskConfig
from alchemistcoder.comprehend.review_tasks import (
    CHECK_OP,
    EXAMPLE_COPY,
    LLM_ERROR,
    NO_REFINED_CODE,
    REFINED_FAILED,
    make_review_tasks,
)
from alchemistcoder.comprehend.stage import run_comprehend
from alchemistcoder.config import RunConfig
from alchemistcoder.curate.config import FilterConfig
from alchemistcoder.curate.filters import curate_filters_batch
from alchemistcoder.curate.reasons import category_of
from alchemistcoder.evolve.stage import run_evolve
from alchemistcoder.ingest.config import SourceConfig
from alchemistcoder.ingest.ingest import ingest_sources
from alchemistcoder.stage import StageContext

ALCHEMIST = Path(sys.executable).parent / "alchemist"


@pytest.fixture(scope="module")
def served():
    """``alchemist serve`` (embedded model) as a real subprocess on a free port of 127.0.0.1."""
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    proc = subprocess.Popen([str(ALCHEMIST), "serve", "--port", "0", "--batch-size", "4"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    line = proc.stdout.readline()
    assert " at http://127.0.0.1:" in line, line
    yield line.split(" at ")[1].strip()
    proc.terminate()
    proc.wait(timeout=30)


def run_config(url: str) -> RunConfig:
    return RunConfig.model_validate({
        "models": {"tiny": {"backend": "openai", "model": "smollm2-135m-instruct", "base_urls": [url],
                            "api_key_env": None, "max_concurrency": 4}},
        "evolve": {"model": "tiny", "fraction": 1.0, "max_samples": 1, "evolve_max_tokens": 24,
                   "response_max_tokens": 16},
        "comprehend": {"model": "tiny", "review": {"fraction": 1.0, "max_samples": 2, "max_tokens": 64,
                                                   "max_reasks": 0, "timeout_s": 20}},
    })


def curated(shared_data: Path) -> list:
    sources = [
        SourceConfig(name="codealpaca", path=str(shared_data / "codealpaca" / "code_alpaca_2k.json"), limit=12),
        SourceConfig(name="mbpp", path=str(shared_data / "mbpp" / "mbpp.jsonl"), format="mbpp", limit=514),
    ]
    samples = ingest_sources(sources).samples
    return curate_filters_batch(samples, FilterConfig(test_timeout_s=20))


def test_evolve_then_comprehend_through_a_served_model(served, shared_data, tmp_path):
    cfg = run_config(served)
    samples = curated(shared_data)
    rejected_in = [s for s in samples if s.rejected]
    assert any(category_of(s.rejection.reason) is not None for s in rejected_in)  # real rejections to ask about
    assert any(s.meta.get("tests") and not s.rejected for s in samples)  # MBPP samples with tests are kept

    ctx = StageContext(run_dir=tmp_path, stage="evolve", seed=1, models=dict(cfg.models))
    kept = [s for s in samples if not s.rejected]
    evolved = run_evolve(kept, cfg.evolve, ctx)
    assert len(evolved) == len(kept) + 1
    everything = evolved + rejected_in

    ctx = StageContext(run_dir=tmp_path, stage="comprehend", seed=1, models=dict(cfg.models))
    out = run_comprehend([s.copy() for s in everything], cfg.comprehend, ctx)
    assert [s.id for s in out[: len(everything)]] == [s.id for s in everything]
    created = out[len(everything):]
    by_id = {s.id: s for s in everything}

    filtering = [s for s in created if s.task == "filtering"]
    problems = [s for s in filtering if s.meta["answer"] != "E"]
    assert len(problems) == sum(1 for s in everything if s.rejected and category_of(s.rejection.reason) is not None)
    for q in problems:  # the answer is backed by the parent's recorded reason
        parent = by_id[q.trace[0].params["parents"][0]]
        assert q.meta["answer"] == category_of(parent.rejection.reason) and parent.instruction in q.instruction

    evolution = [s for s in created if s.task == "evolution"]
    evolved_ok = [s for s in evolved[len(kept):] if not s.rejected or s.rejection.reason.startswith("evol_response")]
    assert len(evolution) == 2 * len(evolved_ok)

    reviews = [s for s in created if s.task == "review"]
    assert len(reviews) == 2
    for r in reviews:
        parent = by_id[r.trace[0].params["parents"][0]]
        assert not parent.rejected and r.trace[0].model == "smollm2-135m-instruct"
        if r.rejected:
            assert r.rejection.reason in (LLM_ERROR, NO_REFINED_CODE, REFINED_FAILED, EXAMPLE_COPY)
        else:
            check = r.trace[-1]
            assert (check.op, check.verdict, check.params["status"]) == (CHECK_OP, "keep", "ok")
            assert check.params["with_tests"] == bool(parent.meta.get("tests"))
    stats = ctx.stats["comprehend"]
    assert stats["reviews"] == 2 and stats["review_passed"] == sum(1 for r in reviews if not r.rejected)
    assert stats["tasks"]["filtering"] == len(filtering) and stats["tasks"]["evolution"] == len(evolution)


def test_json_reviews_through_a_served_model_record_an_outcome(served, shared_data):
    """review.format json: structured output with re-asks; whatever the tiny model answers, each review is
    recorded (kept after the sandbox, or rejected with a reason and the LLM layer's error)."""
    from alchemistcoder.llm.client import LLMClient
    from alchemistcoder.llm.config import LLMConfig

    kept = [s for s in curated(shared_data) if not s.rejected]
    cfg = ReviewTaskConfig(format="json", fraction=1.0, max_samples=1, max_tokens=48, max_reasks=0, timeout_s=20)
    llm = LLMConfig(backend="openai", model="smollm2-135m-instruct", base_urls=[served], api_key_env=None)
    with LLMClient.from_config(llm, stage="test") as client:
        reviews = make_review_tasks(kept, cfg, client, seed=1)
    assert len(reviews) == 1 and reviews[0].task == "review"
    r = reviews[0]
    if r.rejected:
        assert r.rejection.reason in (LLM_ERROR, NO_REFINED_CODE, REFINED_FAILED, EXAMPLE_COPY)
        if r.rejection.reason == LLM_ERROR:
            assert r.rejection.params["error"]  # the LLM layer's reason travels with the dropped review
    else:
        assert r.trace[-1].op == CHECK_OP and r.trace[-1].verdict == "keep"
