"""One benchmark map: decontamination and evaluation read the same files (top-level ``benchmarks:``), the old
per-section keys still load with a deprecation message, and a benchmark evaluated but not decontaminated against
is reported when the config loads."""

from __future__ import annotations

import gzip
import itertools
import json
import logging

import pytest

from alchemistcoder.benchmarks import PACKAGED_DATA, load_benchmark
from alchemistcoder.config import ConfigError, RunConfig, load_config, validate_dict
from alchemistcoder.decontam.retrieval.ngram import load_entries
from alchemistcoder.evaluate.stage import evaluate_section

LOGGER = "alchemistcoder.config"


def _write(tmp_path, text: str):
    path = tmp_path / "run.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def three_humaneval(tmp_path):
    """A HumanEval file of the first three tasks (the packaged copy has 164)."""
    with gzip.open(PACKAGED_DATA / "humaneval" / "HumanEval.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = list(itertools.islice(fh, 3))
    path = tmp_path / "he3.jsonl"
    path.write_text("".join(rows), encoding="utf-8")
    return path, [json.loads(r)["task_id"] for r in rows]


def _messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LOGGER and r.levelno == logging.WARNING]


def test_the_same_file_reaches_decontamination_and_evaluation(tmp_path, three_humaneval, caplog):
    he, ids = three_humaneval
    path = _write(tmp_path, f"benchmarks:\n  HumanEval: {he}\n"
                            "curate:\n  decontam:\n    benchmarks: [humaneval]\nevaluate:\n  benchmarks: [humaneval]\n")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cfg = load_config(path)
    assert _messages(caplog) == []
    assert cfg.benchmarks == {"humaneval": str(he)}  # names are canonical
    assert cfg.curate.decontam.paths == {"humaneval": str(he)}
    assert evaluate_section(cfg).data == {"humaneval": str(he)}
    # what each side actually reads: decontamination's index and evaluation's tasks are the three of the file
    assert sorted({e.task_id for e in load_entries(cfg.curate.decontam)}) == sorted(ids)
    evaluated = evaluate_section(cfg)
    assert [t.task_id for name in evaluated.benchmarks for t in load_benchmark(name, evaluated.data.get(name))] == ids


def test_each_section_gets_only_the_entries_for_its_benchmarks(tmp_path):
    """An entry for a benchmark a section does not use leaves that section (and its stage's hash) as it was."""
    cfg = validate_dict({"benchmarks": {"ds1000": "ds.jsonl", "mbpp+": "mbpp.jsonl"},
                         "evaluate": {"benchmarks": ["mbpp+"]}}, RunConfig)
    assert cfg.evaluate.data == {"mbpp+": "mbpp.jsonl"}
    assert cfg.curate.decontam.paths == {"mbpp+": "mbpp.jsonl"}  # ds1000 is not in the default decontam benchmarks
    assert validate_dict({}, RunConfig).curate.decontam.paths == {} and RunConfig().evaluate.data == {}


def test_an_uncovered_benchmark_warns_naming_it_and_the_file(tmp_path, caplog):
    path = _write(tmp_path, "benchmarks:\n  ds1000: ds1000.jsonl\nevaluate:\n  benchmarks: [humaneval+, ds1000]\n")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cfg = load_config(path)
    (message,) = _messages(caplog)
    assert message.startswith(f"{path}:4: evaluate.benchmarks: ds1000 evaluated but not decontaminated against")
    assert "humaneval+" not in message and "curate.decontam.benchmarks" in message
    assert cfg.evaluate.data == {"ds1000": "ds1000.jsonl"}


def test_a_covered_benchmark_does_not_warn(tmp_path, caplog):
    covered = _write(tmp_path, "evaluate:\n  benchmarks: [humaneval+, mbpp+, humaneval-x-rust]\n")
    listed = tmp_path / "listed.yaml"
    listed.write_text("benchmarks: {ds1000: d.jsonl}\ncurate:\n  decontam:\n    benchmarks: [humaneval, ds-1000]\n"
                      "evaluate:\n  benchmarks: [ds1000, humaneval]\n")
    off = tmp_path / "off.yaml"  # no decontamination at all: nothing to compare
    off.write_text("curate:\n  decontam:\n    enabled: false\nevaluate:\n  benchmarks: [ds1000]\n")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        load_config(covered)
        load_config(listed)
        load_config(off)
    assert _messages(caplog) == []


def test_an_uncovered_benchmark_named_by_set_warns_too(caplog):
    from alchemistcoder.config import apply_overrides

    with caplog.at_level(logging.WARNING, logger=LOGGER):
        validate_dict(apply_overrides({}, ["evaluate.benchmarks=[ds1000]", "benchmarks.ds1000=d.jsonl"]), RunConfig, "--set")
    (message,) = _messages(caplog)
    assert message.startswith("--set: evaluate.benchmarks: ds1000 evaluated but not decontaminated against")


def test_old_keys_still_load_with_a_deprecation_message(tmp_path, three_humaneval, caplog):
    he, _ = three_humaneval
    path = _write(tmp_path, "curate:\n  decontam:\n    benchmarks: [humaneval]\n"
                            f"    paths:\n      ds1000: ds1000.jsonl\nevaluate:\n  benchmarks: [humaneval]\n  data:\n"
                            f"    humaneval: {he}\n")
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        cfg = load_config(path)
    messages = _messages(caplog)
    assert len(messages) == 2
    assert messages[0].startswith(f"{path}:4: curate.decontam.paths: deprecated")
    assert "benchmarks: {ds1000: ds1000.jsonl}" in messages[0]
    assert messages[1].startswith(f"{path}:8: evaluate.data: deprecated")
    assert f"benchmarks: {{humaneval: {he}}}" in messages[1] and "next release" in messages[1]
    # read into the one map: evaluation's file now reaches decontamination too
    assert cfg.benchmarks == {"ds1000": "ds1000.jsonl", "humaneval": str(he)}
    assert cfg.curate.decontam.paths == {"humaneval": str(he), "ds1000": "ds1000.jsonl"}
    assert cfg.evaluate.data == {"humaneval": str(he)}
    # as before, a file under curate.decontam.paths is checked even when its name is not in the list
    assert cfg.curate.decontam.benchmarks == ["humaneval", "ds1000"]


def test_old_and_new_keys_that_disagree_are_an_error_at_the_old_key(tmp_path):
    path = _write(tmp_path, "benchmarks:\n  humaneval: a.jsonl\nevaluate:\n  data:\n    humaneval: b.jsonl\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).startswith(f"{path}:4: evaluate.data: humaneval: 'b.jsonl' here but 'a.jsonl'")
    two = _write(tmp_path, "curate:\n  decontam:\n    paths: {mbpp+: a.jsonl}\nevaluate:\n  data: {MbppPlus: b.jsonl}\n")
    with pytest.raises(ConfigError, match=r"evaluate\.data: mbpp\+: 'b\.jsonl' here but 'a\.jsonl'"):
        load_config(two)


def test_unknown_benchmark_names_fail_at_their_key(tmp_path):
    path = _write(tmp_path, "benchmarks:\n  humaneval++: x.jsonl\n")
    with pytest.raises(ConfigError, match=f"{path}:1: benchmarks: .*unknown benchmark 'humaneval\\+\\+'"):
        load_config(path)
    bad = _write(tmp_path, "curate:\n  decontam:\n    benchmarks: [humaneval, humaneva]\n")
    with pytest.raises(ConfigError, match=f"{bad}:3: curate.decontam.benchmarks.1: unknown benchmark 'humaneva'"):
        load_config(bad)


def test_a_saved_config_loads_again_without_messages(tmp_path, caplog):
    """The resolved sections hold the map's entries; a dump of them (mix export, manifests) is not 'deprecated'."""
    import yaml

    first = _write(tmp_path, "evaluate:\n  benchmarks: [humaneval]\n  data: {humaneval: h.jsonl}\n")
    cfg = load_config(first)
    saved = tmp_path / "saved.yaml"
    saved.write_text(yaml.safe_dump(cfg.model_dump(mode="json")), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger=LOGGER):
        again = load_config(saved)
    assert _messages(caplog) == []
    assert again.benchmarks == cfg.benchmarks and again.evaluate.data == cfg.evaluate.data
    assert again.curate.decontam == cfg.curate.decontam
