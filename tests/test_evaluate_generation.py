"""Generation through the LLM layer with the real embedded model: samples, scoring, resume."""

from __future__ import annotations

import json
from pathlib import Path

from alchemistcoder.evaluate import run_eval
from alchemistcoder.evaluate.config import EvalConfig
from alchemistcoder.llm.config import LLMConfig


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_run_eval_generates_scores_and_resumes(shared_data, tmp_path):
    cfg = EvalConfig(
        benchmarks=["humaneval+"],
        limit=2,
        n_samples=2,
        temperature=0.8,
        max_tokens=24,
        prompt_style="chat",
        base_only=True,
    )
    llm = LLMConfig(max_tokens=24)
    summaries = run_eval(cfg, llm, tmp_path)
    assert set(summaries) == {"humaneval+"}
    samples = tmp_path / "humanevalplus" / "samples.jsonl"
    rows = _lines(samples)
    assert [r["task_id"] for r in rows] == ["HumanEval/0", "HumanEval/0", "HumanEval/1", "HumanEval/1"]
    assert all(isinstance(r["solution"], str) for r in rows)
    raw = _lines(tmp_path / "humanevalplus" / "samples.raw.jsonl")
    assert len(raw) == 4 and all(r["raw"] for r in raw)
    doc = json.loads((tmp_path / "humanevalplus" / "eval_results.json").read_text())
    assert {k: len(v) for k, v in doc["eval"].items()} == {"HumanEval/0": 2, "HumanEval/1": 2}
    summary = summaries["humaneval+"]
    assert summary["samples"] == 4 and "pass@1" in summary["base"]
    assert sum(summary["error_classes"].values()) == 4

    # an interrupted run: the last sample is lost; a re-run makes only that one and keeps the others
    kept = samples.read_text().splitlines(keepends=True)[:3]
    samples.write_text("".join(kept))
    run_eval(cfg, llm, tmp_path)
    again = samples.read_text().splitlines(keepends=True)
    assert again[:3] == kept and len(again) == 4
    assert len(_lines(tmp_path / "humanevalplus" / "samples.raw.jsonl")) == 5


def test_codegen_then_evaluate_verbs_write_the_eval_layout(shared_data, tmp_path):
    """`alchemist codegen` writes <out>/<benchmark>/samples.jsonl; `alchemist score` scores it beside it,
    the same files `alchemist evaluate` writes."""
    from typer.testing import CliRunner

    from alchemistcoder.cli import app

    config = tmp_path / "run.yaml"
    config.write_text(
        f"run:\n  out: {tmp_path / 'run'}\n"
        "eval:\n  benchmarks: [humaneval]\n  limit: 2\n  max_tokens: 16\n  prompt_style: chat\n"
    )
    out = tmp_path / "run" / "09_evaluate"  # by default, the directory the pipeline's evaluate stage uses
    res = CliRunner().invoke(app, ["codegen", str(config)])
    assert res.exit_code == 0, res.output
    samples = out / "humaneval" / "samples.jsonl"
    assert [r["task_id"] for r in _lines(samples)] == ["HumanEval/0", "HumanEval/1"]
    assert not (out / "humaneval" / "eval_results.json").exists()  # codegen does not score
    res = CliRunner().invoke(app, ["score", "--benchmark", "humaneval", "--samples", str(samples)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "humaneval" / "eval_results.json").read_text())
    assert set(doc["eval"]) == {"HumanEval/0", "HumanEval/1"}
    assert json.loads((out / "humaneval" / "summary.json").read_text())["samples"] == 2


def test_samples_of_a_retrained_checkpoint_at_the_same_path_are_not_resumed(tmp_path):
    """Generation resumes only samples made by the same model: a retrained checkpoint written to the same
    path (eval.out kept across runs) is evaluated afresh, not scored on the old model's samples."""
    from alchemistcoder.evaluate import codegen
    from alchemistcoder.llm.embedded import embedded_model_path

    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    for f in embedded_model_path().iterdir():
        (checkpoint / f.name).symlink_to(f)
    cfg = EvalConfig(benchmarks=["humaneval"], limit=1, max_tokens=8, prompt_style="chat")
    llm = LLMConfig(backend="transformers", model=str(checkpoint), max_tokens=8)
    out = tmp_path / "eval"
    samples = codegen(cfg, llm, out)["humaneval"]
    # what the previous model answered (marked so it can be told apart from a fresh answer)
    samples.write_text(json.dumps({"task_id": "HumanEval/0", "solution": "OLD MODEL", "sample_index": 0}) + "\n")
    codegen(cfg, llm, out)
    assert _lines(samples)[0]["solution"] == "OLD MODEL"  # same model: resumed, nothing regenerated
    (checkpoint / "trainer_state.json").write_text('{"global_step": 20}')  # retrained in place
    codegen(cfg, llm, out)
    assert [r["task_id"] for r in _lines(samples)] == ["HumanEval/0"]
    assert _lines(samples)[0]["solution"] != "OLD MODEL"


def test_eval_stage_with_baseline_evaluates_the_base_model_and_the_report_compares(tmp_path):
    """eval.baseline: the base model is evaluated with the same prompts into the run's cache (kept across
    retrains) and the report shows base vs trained with the paired test and the flipped tasks."""
    from alchemistcoder.config import RunConfig
    from alchemistcoder.evaluate.stage import evaluate_section, run_evaluate_stage
    from alchemistcoder.llm.embedded import embedded_model_path
    from alchemistcoder.report.build import section_before_after
    from alchemistcoder.stage import StageContext

    run = RunConfig.model_validate({"evaluate": {"baseline": True, "benchmarks": ["humaneval"], "limit": 2,
                                             "max_tokens": 8, "prompt_style": "chat"}})
    cfg = evaluate_section(run)
    assert cfg.baseline_model == "embedded"  # taken from train.model
    checkpoint = tmp_path / "checkpoint"
    checkpoint.mkdir()
    for f in embedded_model_path().iterdir():
        (checkpoint / f.name).symlink_to(f)
    ctx = StageContext(run_dir=tmp_path / "run", stage="evaluate", stage_dir=tmp_path / "run" / "09_evaluate")
    result = run_evaluate_stage(checkpoint, cfg, ctx)
    baseline = result["baseline"]
    assert Path(baseline["dir"]).is_relative_to(tmp_path / "run" / "cache" / "eval-baseline")
    assert set(baseline["results"]) == {"humaneval"} and baseline["results"]["humaneval"]["samples"] == 2
    html = section_before_after(result)
    assert "Before and after training (baseline: embedded)" in html and "humaneval base" in html
    # the same weights under two names: nothing flips, and the test says so
    assert "+0.0" in html and "1 (mcnemar)" in html
