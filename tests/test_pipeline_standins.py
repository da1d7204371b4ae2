"""Stand-in stage functions for the pipeline, executor and resume tests.

They are small pure functions over Samples that follow the stage contract (every input sample comes
back; rejects carry a reason; created samples name their parents), so the tests exercise the real run
loop, shards, manifests and executors without waiting for the models of the real stages.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from alchemistcoder.config import RunConfig
from alchemistcoder.pipeline import StageSpec, default_stage
from alchemistcoder.records import Sample
from alchemistcoder.stage import REJECTED, SAMPLES, StageContext


def _h(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def filter_short(samples: list[Sample], cfg, ctx: StageContext) -> list[Sample]:
    """Data-parallel: reject responses under 40 characters (category A)."""
    for s in samples:
        if not s.rejected and len(s.response.strip()) < 40:
            s.reject("short_filter", "short_response", params={"chars": len(s.response)}, stage=ctx.stage)
    ctx.stats["checked"] = ctx.stats.get("checked", 0) + len(samples)
    _note_call(ctx, samples)
    return samples


def dedup_instructions(samples: list[Sample], cfg, ctx: StageContext) -> list[Sample]:
    """Global: reject exact duplicate instructions, keeping the smallest id."""
    first: dict[str, str] = {}
    for s in sorted(samples, key=lambda s: s.id):
        key = " ".join(s.instruction.lower().split())
        if key in first:
            s.reject("exact_dedup", "duplicate", params={"of": first[key]}, stage=ctx.stage)
        else:
            first[key] = s.id
    return samples


def add_prompts(samples: list[Sample], cfg, ctx: StageContext) -> list[Sample]:
    """Data-parallel: a customized copy (task 'alchemist') of every sample whose id hash is 0 mod 5."""
    out = list(samples)
    for s in samples:
        if s.rejected or _h(f"{ctx.seed}:{s.id}") % 5:
            continue
        copy = s.copy()
        copy.id = s.id + "-alc"
        copy.task = "alchemist"
        before = copy.instruction
        prompt = "Please answer with Python code for the following task."
        for m in copy.messages:
            if m["role"] == "user":
                m["content"] = f"{prompt}\n{m['content']}"
                break
        copy.record("alchemist_prompt", "create", params={"parents": [s.id], "writer": "standin"},
                    before=before, after=copy.instruction, stage=ctx.stage)
        out.append(copy)
    _note_call(ctx, samples)
    return out


def filtering_tasks(samples: list[Sample], cfg, ctx: StageContext) -> list[Sample]:
    """Global, with earlier rejects: a multiple-choice sample from each rejected short response."""
    out = list(samples)
    for s in samples:
        if s.rejected and s.rejection.reason == "short_response":
            q = Sample(
                id=s.id + "-mcq", source=s.source, task="filtering",
                messages=[{"role": "user", "content": f"Which problem has this sample?\n{s.response}\nA. Short response"},
                          {"role": "assistant", "content": "A"}],
            )
            q.record("filtering_task", "create", params={"parents": [s.id]}, stage=ctx.stage)
            out.append(q)
    return out


def llm_labels(samples: list[Sample], cfg, ctx: StageContext) -> list[Sample]:
    """Data-parallel: asks the model named ``labeler`` (through the real LLM client and the run's request
    cache) for a few words about each kept sample, and records the answer in the trace."""

    todo = [s for s in samples if not s.rejected]
    with ctx.llm("labeler") as client:
        requests = [client.request(messages=[{"role": "user", "content": "Name this task in two words: " + s.instruction[:300]}],
                                   max_tokens=4) for s in todo]
        completions = client.generate(requests)
    for s, c in zip(todo, completions, strict=True):
        if c.error:
            s.reject("label", "model_error", params={"error": c.error}, stage=ctx.stage)
        else:
            s.record("label", "info", params={"label": c.text}, model=c.model, stage=ctx.stage)
    ctx.stats["llm"] = client.usage.as_dict()
    return samples


def drop_one(samples: list[Sample], cfg, ctx: StageContext) -> list[Sample]:
    """A broken stage that loses a record (the pipeline must refuse it)."""
    return samples[1:]


def fail_on_marker(samples: list[Sample], cfg, ctx: StageContext) -> list[Sample]:
    """Data-parallel filter that crashes on its 3rd shard while a marker file exists (an injected fault)."""
    marker = ctx.run_dir / "FAIL"
    log = ctx.run_dir / "calls.log"
    if marker.exists() and samples and int(marker.read_text()) == _h(samples[0].id) % 1000:
        raise RuntimeError("injected fault")
    with open(log, "a") as fh:
        fh.write(f"{samples[0].id if samples else '-'}\n")
    return filter_short(samples, cfg, ctx)


def _note_call(ctx: StageContext, samples: list[Sample]) -> None:
    if os.environ.get("STANDIN_CALL_LOG"):
        with open(os.environ["STANDIN_CALL_LOG"], "a") as fh:
            fh.write(f"{ctx.stage} {len(samples)} {samples[0].id if samples else '-'}\n")


STANDIN_STAGES: tuple[StageSpec, ...] = (
    default_stage("ingest"),
    StageSpec("curate", "global", dedup_instructions),
    StageSpec("evolve", "data", filter_short),
    StageSpec("harmonize", "data", add_prompts),
    StageSpec("comprehend", "global", filtering_tasks, consumes=(SAMPLES, REJECTED)),
    default_stage("mix"),
)


def standin_config(shared_data: Path, out: Path, limit: int = 300, **run) -> RunConfig:
    """A run over two real shared sources with the stand-in stages (train and eval off)."""
    return RunConfig.model_validate(
        {
            "run": {"out": str(out), "shard_size": 100, "executor": "inprocess", **run},
            "sources": [
                {"name": "codealpaca", "path": str(shared_data / "codealpaca/code_alpaca_2k.json"), "format": "alpaca", "limit": limit},
                {"name": "evol", "path": str(shared_data / "evol-codealpaca/converted_alpaca_2k.json"), "format": "evol", "limit": limit},
            ],
            "mix": {"validation_fraction": 0.1, "formats": ["jsonl", "parquet", "hf"]},
            "train": {"enabled": False},
            "evaluate": {"enabled": False},
        }
    )


def test_standins_keep_every_record(shared_data: Path) -> None:
    samples = [Sample(id=str(i), source="s", messages=[{"role": "user", "content": "q"}, {"role": "assistant", "content": "x" * i * 10}]) for i in range(8)]
    ctx = StageContext(run_dir=Path("."), stage="t")
    out = add_prompts(filter_short(samples, None, ctx), None, ctx)
    assert {s.id for s in samples} <= {s.id for s in out}
    assert sum(s.rejected for s in out) == 4  # 0..30 chars are short


def standin_train(train_file: Path, cfg, ctx: StageContext) -> dict:
    """Artifact stage: 'trains' by counting the chars of each train row; writes a loss log like a trainer."""
    from alchemistcoder.io import read_jsonl, write_jsonl

    out = ctx.run_dir / "checkpoint"
    rows = list(read_jsonl(train_file))
    log = [{"step": i + 1, "loss": round(3.0 / (1 + i * 0.3) + (len(str(r)) % 7) / 100, 4)} for i, r in enumerate(rows[:20])]
    write_jsonl(out / "log.jsonl", log)
    return {"checkpoint": out, "log": out / "log.jsonl", "train_rows": len(rows)}


def standin_eval(checkpoint: Path | None, cfg, ctx: StageContext) -> dict:
    """Artifact stage: per-benchmark scores and error classes in the shape the report reads."""
    return {
        "checkpoint": str(checkpoint),
        "results": {
            "humaneval": {"n": 20, "pass@1": 0.15, "error_classes": {"wrong_answer": 9, "SyntaxError": 5, "NameError": 2, "no_code": 1}},
            "mbpp": {"n": 20, "pass@1": 0.2, "error_classes": {"wrong_answer": 12, "timeout": 4}},
        },
    }


FULL_STANDIN_STAGES: tuple[StageSpec, ...] = (
    *STANDIN_STAGES,
    StageSpec("train", "training", standin_train),
    StageSpec("evaluate", "evaluation", standin_eval),
)
