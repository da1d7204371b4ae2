"""The shipped recipes load and say what they claim; `alchemist run` is a thin CLI over the pipeline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from alchemistcoder.cli import app
from alchemistcoder.config import load_config
from alchemistcoder.pipeline import default_stage
from alchemistcoder.pipeline.fingerprints import stage_config_hash

REPO = Path(__file__).resolve().parents[1]
CONFIGS = REPO / "configs"


def test_quickstart_is_the_whole_chain_on_the_demo_corpus_with_the_embedded_model() -> None:
    cfg = load_config(CONFIGS / "quickstart.yaml")
    assert [s.path.startswith("pkg://alchemistcoder/demo/") for s in cfg.sources] == [True] * 4
    assert all(getattr(cfg, stage).enabled for stage in ("curate", "evolve", "harmonize", "comprehend", "mix", "train", "evaluate"))
    assert cfg.models["tiny"].backend == "embedded" and cfg.harmonize.model == "tiny"
    assert cfg.train.model == "embedded" and cfg.train.method == "lora"
    assert cfg.evaluate.benchmarks == ["humaneval"] and cfg.evaluate.limit == 10


def test_paper_recipe() -> None:
    cfg = load_config(CONFIGS / "paper.yaml")
    assert cfg.harmonize.fraction == 0.05 and cfg.harmonize.model == "alchemist"
    alchemist = cfg.models["alchemist"]
    assert alchemist.backend == "openai" and alchemist.api_key_env == "OPENAI_API_KEY"
    text = (CONFIGS / "paper.yaml").read_text()
    assert "sk-" not in text and "api_key:" not in text  # the key itself only ever comes from the environment
    assert {s.name for s in cfg.sources} == {"evol-instruct-code-80k", "codeexercise-python-27k", "evol-codealpaca-v1"}
    assert cfg.train.model.startswith("deepseek-ai/") and cfg.train.epochs == 2 and cfg.train.learning_rate == 1e-4
    assert cfg.run.train_launcher == "accelerate" and (REPO / cfg.run.accelerate_config).exists()


def test_ablation_configs_are_generated_and_differ_only_where_they_should(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(CONFIGS / "ablation" / "generate.py"), "--out", str(tmp_path)], check=True,
                   capture_output=True)
    generated = {p.name: p.read_text() for p in tmp_path.glob("*.yaml")}
    shipped = {p.name: p.read_text() for p in (CONFIGS / "ablation").glob("*.yaml")}
    assert generated == shipped  # the committed configs are what the script makes
    cfgs = {p.stem: load_config(p) for p in (CONFIGS / "ablation").glob("*.yaml")}
    assert not cfgs["directly-mix"].harmonize.enabled and not cfgs["directly-mix"].comprehend.enabled
    assert cfgs["harmonized"].harmonize.enabled and not cfgs["harmonized"].comprehend.enabled
    assert not cfgs["no-review-task"].comprehend.review.enabled and cfgs["no-review-task"].comprehend.filtering.enabled
    sweep = {name: c.harmonize.fraction for name, c in cfgs.items() if name.startswith("alchemist-")}
    assert sorted(sweep.values()) == [0.0, 0.01, 0.02, 0.05, 0.1, 0.2]
    # the sweep shares ingest and curation exactly: same config hashes, so those stages are computed alike
    a, b = cfgs["alchemist-01pct"], cfgs["alchemist-20pct"]
    curate, harmonize = default_stage("curate"), default_stage("harmonize")
    assert stage_config_hash(a, curate) == stage_config_hash(b, curate)
    assert stage_config_hash(a, harmonize) != stage_config_hash(b, harmonize)
    assert len({c.run.out for c in cfgs.values()}) == len(cfgs)


def test_run_cli_runs_stages_and_prints_where_the_report_is(shared_data: Path, tmp_path: Path) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(yaml.safe_dump({
        "run": {"executor": "inprocess", "shard_size": 50,
                "stage_functions": {"curate": "test_pipeline_standins:dedup_instructions",
                                    "evolve": "test_pipeline_standins:filter_short",
                                    "harmonize": "test_pipeline_standins:add_prompts",
                                    "comprehend": "test_pipeline_standins:filtering_tasks"}},
        "sources": [{"name": "codealpaca", "path": str(shared_data / "codealpaca/code_alpaca_2k.json"), "limit": 60}],
        "train": {"enabled": False}, "evaluate": {"enabled": False},
    }))
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(config), "--out", str(out), "--set", "mix.validation_fraction=0.2", "-q"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"report: {(out / 'report.html').resolve()}"
    assert (out / "07_mix" / "manifest.json").exists()
    again = CliRunner().invoke(app, ["run", str(config), "--out", str(out), "--set", "mix.validation_fraction=0.2",
                                     "--only", "mix,report", "-q"])
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "run.nope=1"], "unknown key 'nope'"),
    (["--only", "harmonise"], "unknown stage 'harmonise'"),
    (["--set", "sources=[{name: a, path: missing.jsonl}]"], "missing.jsonl: file not found"),
])
def test_run_cli_errors_are_clear(tmp_path: Path, args: list[str], message: str) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("train: {enabled: false}\n")
    result = CliRunner().invoke(app, ["run", str(config), "--out", str(tmp_path / "o"), *args])
    assert result.exit_code == 2 and message in result.output
