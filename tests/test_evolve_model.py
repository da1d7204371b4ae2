"""Evol-Instruct and the C/D judge with the real tiny model in process (embedded SmolLM2-135M-Instruct).

The model is weak: these tests assert what must hold whatever it says — every evolution recorded with parent,
method, before, after and model; every elimination with a known reason; nothing lost; reruns identical
(seeded, cached). Token limits are small to keep the module well under a minute on a quiet machine.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from alchemistcoder.comprehend.judge import OP as JUDGE_OP
from alchemistcoder.comprehend.judge import judge, run_judge
from alchemistcoder.curate.config import JudgeConfig
from alchemistcoder.evolve import eliminate
from alchemistcoder.evolve.config import EvolveConfig
from alchemistcoder.evolve.methods import METHODS
from alchemistcoder.evolve.stage import EVOLVE_OP, RESPONSE_OP, run_evolve
from alchemistcoder.llm.client import LLMClient
from alchemistcoder.llm.config import LLMConfig
from alchemistcoder.sources.config import SourceConfig
from alchemistcoder.sources.ingest import ingest_sources
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
    cfg = JudgeConfig(enabled=True, max_samples=2)
    ctx = StageContext(run_dir=tmp_path, stage="curate", seed=0)
    work = [s.copy() for s in samples]
    verdicts = judge(work, cfg, ctx, client=client)
    assert len(verdicts) == len(work) and sum(v is not None for v in verdicts) <= 2
    assert [s.to_dict() for s in work] == [s.to_dict() for s in samples]  # judge() does not touch samples
    run_judge(work, cfg, ctx, client=client)
    judged = [s for s in work if any(e.op == JUDGE_OP for e in s.trace)]
    assert len(judged) == 2
    for s in judged:
        [event] = [e for e in s.trace if e.op == JUDGE_OP]
        assert event.verdict in ("keep", "reject", "info") and event.stage == "curate"
        if event.verdict == "reject":
            assert event.reason in ("unclear_code", "disorganized_code") and event.params["rationale"]
        if event.verdict == "info":
            assert event.params["error"]
    counts = ctx.stats["llm_judge"]
    assert sum(counts.values()) == 2


def test_judge_through_curations_hook_shape(samples, client, tmp_path):
    """Curation applies the verdicts itself (curate.judge.apply_verdicts); the rejections look like a filter's."""
    from alchemistcoder.comprehend.judge import curate_verdicts
    from alchemistcoder.curate.judge import apply_verdicts

    cfg = JudgeConfig(enabled=True, max_samples=2)
    ctx = StageContext(run_dir=tmp_path, stage="curate", seed=0)
    work = [s.copy() for s in samples]
    verdicts = curate_verdicts(work, cfg, ctx, client=client)
    assert len(verdicts) == len(work)
    judged = [v for v in verdicts if v is not None]
    assert len(judged) + ctx.stats["llm_judge"].get("judge_failed", 0) == 2
    for v in judged:
        assert v.reason in (None, "unclear_code", "disorganized_code") and v.explanation and v.model
    rejected = apply_verdicts(work, verdicts, cfg)
    assert rejected == sum(1 for v in judged if v.reason)
    for s, v in zip(work, verdicts, strict=True):
        if v is not None and v.reason:
            assert s.rejection.reason == v.reason and s.rejection.params["rationale"] == v.explanation
