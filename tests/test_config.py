"""The run config: strict validation with file/key/line in errors, --set overrides, config-relative paths."""

from __future__ import annotations

import pytest

from alchemistcoder.config import ConfigError, RunConfig, apply_overrides, load_config
from alchemistcoder.strict import config_hash


def _write(tmp_path, text: str):
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_and_a_valid_file(tmp_path):
    path = _write(tmp_path, "run:\n  out: runs/x\n  seed: 7\nsources:\n  - {name: a, path: a.jsonl}\n")
    cfg = load_config(path)
    assert cfg.run.out == "runs/x" and cfg.run.seed == 7
    assert cfg.sources[0].format == "alpaca" and cfg.ingest.on_error == "raise"


def test_unknown_key_names_file_key_path_and_line(tmp_path):
    path = _write(tmp_path, "run:\n  out: runs/x\n  seeed: 3\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert f"{path}:3: run.seeed: unknown key 'seeed'" in str(info.value)


def test_unknown_key_inside_a_list_item(tmp_path):
    path = _write(tmp_path, "sources:\n  - name: a\n    path: a.jsonl\n  - name: b\n    path: b.json\n    formt: evol\n")
    with pytest.raises(ConfigError, match=r"run\.yaml:6: sources\.1\.formt: unknown key 'formt'"):
        load_config(path)


def test_bad_value_names_key_and_problem(tmp_path):
    path = _write(tmp_path, "run:\n  seed: lots\ningest:\n  on_error: ignore\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    text = str(info.value)
    assert f"{path}:2: run.seed:" in text and "integer" in text
    assert f"{path}:4: ingest.on_error:" in text and "'raise' or 'quarantine'" in text


def test_unknown_source_format_is_a_config_error(tmp_path):
    path = _write(tmp_path, "sources:\n  - {name: a, path: a.jsonl, format: xml}\n")
    with pytest.raises(ConfigError, match=r"run\.yaml:2: sources\.0\.format: Input should be 'alpaca'"):
        load_config(path)


def test_missing_required_field(tmp_path):
    path = _write(tmp_path, "sources:\n  - {name: a}\n")
    with pytest.raises(ConfigError, match=r"sources\.0\.path: Field required"):
        load_config(path)


def test_invalid_yaml_names_the_line(tmp_path):
    path = _write(tmp_path, "run:\n  out: [unclosed\n  seed: 1\n")
    with pytest.raises(ConfigError, match=r"run\.yaml:\d+: invalid YAML"):
        load_config(path)


def test_missing_file_and_non_mapping(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(_write(tmp_path, "- a\n- b\n"))


def test_set_overrides(tmp_path):
    path = _write(tmp_path, "run:\n  seed: 1\nsources:\n  - {name: a, path: a.jsonl}\n")
    cfg = load_config(path, ["run.seed=5", "ingest.on_error=quarantine", "sources.0.limit=10", "run.out=elsewhere"])
    assert cfg.run.seed == 5 and cfg.ingest.on_error == "quarantine"
    assert cfg.sources[0].limit == 10 and cfg.run.out == "elsewhere"


def test_set_override_errors(tmp_path):
    path = _write(tmp_path, "sources:\n  - {name: a, path: a.jsonl}\n")
    with pytest.raises(ConfigError, match=r"expected KEY\.PATH=VALUE"):
        load_config(path, ["run.seed"])
    with pytest.raises(ConfigError, match="is not an index"):
        load_config(path, ["sources.3.limit=1"])
    with pytest.raises(ConfigError, match=r"run\.seed: Input should be a valid integer"):
        load_config(path, ["run.seed=abc"])
    with pytest.raises(ConfigError, match="unknown key 'nope'"):
        load_config(path, ["run.nope=1"])


def test_apply_overrides_parses_yaml_scalars():
    data = apply_overrides({}, ["a.b=1", "a.c=true", "a.d=[1, 2]", "a.e=text"])
    assert data == {"a": {"b": 1, "c": True, "d": [1, 2], "e": "text"}}


def test_sources_remember_the_config_directory(tmp_path):
    sub = tmp_path / "configs"
    sub.mkdir()
    path = sub / "run.yaml"
    path.write_text("sources:\n  - {name: a, path: data/a.jsonl}\n", encoding="utf-8")
    assert load_config(path).sources[0].base_dir == str(sub.resolve())


def test_config_hash_is_stable_and_sensitive(tmp_path):
    a = RunConfig.model_validate({"run": {"seed": 1}})
    b = RunConfig.model_validate({"run": {"seed": 1}})
    c = RunConfig.model_validate({"run": {"seed": 2}})
    assert config_hash(a) == config_hash(b) != config_hash(c)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("run:\n  executor: loacl\n", "run.yaml:2: run.executor"),
        ("run:\n  out: x\n  train_launcher: acelerate\n", "run.yaml:3: run.train_launcher"),
        ("mix:\n  task_ratios:\n    fitering: 0.5\n", "run.yaml:2: mix.task_ratios"),
        ("mix:\n  task_quotas: {reviews: 0.1}\n", "run.yaml:2: mix.task_quotas"),
    ],
)
def test_typos_in_switches_and_task_names_fail_when_the_config_loads(tmp_path, text, where):
    """Not after the LLM stages have run: the file, line and key path are named."""
    path = tmp_path / "run.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
        load_config(path)


def test_a_removed_key_names_its_line_and_the_key_to_use(tmp_path):
    """mix.alchemist_mode gave way to harmonize.mode, the run's one add/replace switch."""
    path = tmp_path / "run.yaml"
    path.write_text("mix:\n  validation_fraction: 0.1\n  alchemist_mode: replace\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:3: mix.alchemist_mode: removed: the add/replace switch is harmonize.mode")


def test_seed_null_means_the_runs_seed_in_eval_too():
    from alchemistcoder.config import validate_dict
    from alchemistcoder.evaluate.stage import evaluate_section

    cfg = validate_dict({"run": {"seed": 7}}, RunConfig)
    assert cfg.evaluate.seed is None and cfg.train.seed is None
    assert evaluate_section(cfg).seed == 7
    assert evaluate_section(validate_dict({"run": {"seed": 7}, "evaluate": {"seed": 3}}, RunConfig)).seed == 3
