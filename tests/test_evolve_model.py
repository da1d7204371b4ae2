"""Evol-Instruct and the C/D judge with the real tiny model in process (embedded SmolLM2-135M-Instruct).

The model is weak: these tests assert what must hold whatever it says — every evolution recorded with parent,
method, before, after and model; every elimination with a known reason; nothing lost; reruns identical
(seeded, cached). Token limits are small to keep the module well under a minute on a quiet machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alchemistcoder.curate.config import JudgeConfig
from alchemistcoder.curate.filters import OP as JUDGE_OP
from alchemistcoder.curate.judge import run_judge
from alchemistcoder.evolve import eliminate
from alchemistcoder.evolve.config import EvolveConfig
from alchemistcoder.evolve.methods import METHODS
from alchemistcoder.evolve.stage import EVOLVE_OP, RESPONSE_OP, run_evolve
from alchemistcoder.ingest.config import SourceConfig
from alchemistcoder.ingest.ingest import ingest_sources
from alchemistcoder.llm.client import LLMClient
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.stage import StageContext

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
ELIMINATIONS = eliminate.INSTRUCTION_REASONS | eliminate.RESPONSE_REASONS


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    c = LLMClient.from_config(LLMConfig(backend="embedded", batch_size=4), cache_dir=tmp_path_factory.mktemp("cache"),
                              stage="test")
    yield c
    c.close()


@pytest.fixture(scope="module")
def samples(shared_data: Path):
    src = SourceConfig(name="codealpaca", path=str(shared_data / "codealpaca" / "code_alpaca_2k.json"), format="alpaca",
                       limit=6)
    return ingest_sources([src]).samples


def test_evolve_stage_records_every_step_and_loses_nothing(samples, client, tmp_path):
    cfg = EvolveConfig(fraction=1.0, max_samples=2, rounds=2, evolve_max_tokens=32, response_max_tokens=24)
    ctx = StageContext(run_dir=tmp_path, stage="evolve", seed=7, client=client)
    inputs = [s.copy() for s in samples]
    out = run_evolve(inputs, cfg, ctx)
    assert [s.to_dict() for s in out[: len(samples)]] == [s.to_dict() for s in samples]  # inputs untouched
    created = out[len(samples):]
    by_id = {s.id: s for s in out}
    round1 = [s for s in created if s.meta["evol"]["round"] == 1]
    assert len(round1) == 2 and len(created) == 2 + sum(1 for s in round1 if not s.rejected)
    for s in created:
        create = s.trace[0]
        assert (create.op, create.verdict, create.stage) == (EVOLVE_OP, "create", "evolve")
        parent = by_id[create.params["parents"][0]]
        assert create.before == parent.instruction and create.params["method"] in METHODS
        assert create.model == "smollm2-135m-instruct" and isinstance(create.after, str)
        assert s.source == "evol-instruct" and s.task == "codegen" and "tests" not in s.meta
        if s.rejected:
            assert s.rejection.reason in ELIMINATIONS
        else:  # a kept evolution has its evolved instruction and a recorded, usable response
            assert s.instruction == create.after and s.response.strip()
            assert [e.op for e in s.trace] == [EVOLVE_OP, RESPONSE_OP] and s.trace[1].after == s.response
    stats = ctx.stats["evolve"]
    assert stats["evolved"] == len(created) and stats["kept"] + sum(stats["eliminated"].values()) == len(created)
    # seeded and cached: the same run gives the same records
    again = run_evolve([s.copy() for s in samples], cfg,
                       StageContext(run_dir=tmp_path, stage="evolve", seed=7, client=client))
    assert [s.to_dict() for s in again] == [s.to_dict() for s in out]


def test_judge_records_one_outcome_per_judged_sample(samples, client, tmp_path):
    """The judge's outcomes look like a filter's: a quality_filter reject (C/D, with category and rationale) or a
    keep with checks ["judge"]; a failed call records nothing (the sample is kept) and is counted as judge_failed."""
    cfg = JudgeConfig(enabled=True, max_samples=2)
    ctx = StageContext(run_dir=tmp_path, stage="curate", seed=0, client=client)
    work = [s.copy() for s in samples]
    rejected = run_judge(work, cfg, ctx)
    judged = [s for s in work if any(e.op == JUDGE_OP for e in s.trace)]
    counts = ctx.stats["llm_judge"]
    assert sum(counts.values()) == 2 and len(judged) + counts.get("judge_failed", 0) == 2
    assert len(ctx.stats.get("llm_judge_errors", [])) == counts.get("judge_failed", 0)
    for s in judged:
        [event] = [e for e in s.trace if e.op == JUDGE_OP]
        assert event.verdict in ("keep", "reject") and event.stage == "curate" and event.model
        if event.verdict == "reject":
            assert event.reason in ("unclear_code", "disorganized_code") and event.params["rationale"]
            assert event.params["category"] in ("C", "D") and event.params["explanation"] == event.params["rationale"]
        else:
            assert event.params == {"checks": ["judge"]}
    assert rejected == sum(1 for s in work if s.rejected) == counts.get("unclear_code", 0) + counts.get(
        "disorganized_code", 0)
    assert ctx.stats["llm_judge_usage"]["requests"] >= 2
    # the knobs are honoured: a zero fraction judges nothing and opens no model
    none = StageContext(run_dir=tmp_path, stage="curate", seed=0)
    assert run_judge([s.copy() for s in samples], JudgeConfig(enabled=True, fraction=0.0), none) == 0
    assert "llm_judge" not in none.stats and "llm_judge_usage" not in none.stats
