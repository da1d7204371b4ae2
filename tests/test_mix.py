"""The mix stage: ratios, the AlchemistPrompt share in either harmonize mode, shuffle, split, export and data card."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from alchemistcoder.config import RunConfig
from alchemistcoder.io import read_jsonl
from alchemistcoder.mix.config import MixConfig
from alchemistcoder.mix.export import export_mix
from alchemistcoder.mix.stage import run_mix
from alchemistcoder.records import Sample, make_messages
from alchemistcoder.stage import StageContext


def _corpus(mode: str = "add") -> list[Sample]:
    """100 codegen samples from two sources, 20 AlchemistPrompt samples of source a, 10 review tasks.

    As harmonize leaves them in ``mode``: 'add' makes the 20 copies beside their originals, 'replace'
    customizes the originals a000..a019 themselves (80 codegen samples remain).
    """
    out = []
    for i in range(100):
        src = "a" if i < 60 else "b"
        if mode == "replace" and i < 20:
            s = Sample(id=f"a{i:03d}", source="a", task="alchemist",
                       messages=make_messages(f"Please use Python.\ntask {i}", f"```python\nprint({i})\n```"))
            s.record("alchemist_apply", "modify", before=f"task {i}", after=s.instruction, stage="harmonize")
            out.append(s)
            continue
        out.append(Sample(id=f"{src}{i:03d}", source=src, messages=make_messages(f"task {i}", f"```python\nprint({i})\n```")))
    for i in range(20 if mode == "add" else 0):
        s = Sample(id=f"a{i:03d}-alc", source="a", task="alchemist",
                   messages=make_messages(f"Please use Python.\ntask {i}", f"```python\nprint({i})\n```"))
        s.record("alchemist_prompt", "create", params={"parents": [f"a{i:03d}"]}, stage="harmonize")
        out.append(s)
    for i in range(10):
        out.append(Sample(id=f"r{i}", source="a", task="review", messages=make_messages(f"review {i}", "7/10")))
    return out


def _ctx(tmp_path: Path, seed: int = 0) -> StageContext:
    return StageContext(run_dir=tmp_path, stage="mix", seed=seed)


def _kept(out: list[Sample]) -> list[Sample]:
    return [s for s in out if not s.rejected]


def test_ratios_per_source_and_task_keep_every_record(tmp_path: Path) -> None:
    samples = _corpus()
    cfg = MixConfig(source_ratios={"b": 0.5}, task_ratios={"review": 2.0})
    out = run_mix(samples, cfg, _ctx(tmp_path))
    kept = _kept(out)
    by = Counter((s.source, s.task) for s in kept)
    assert by[("b", "codegen")] == 20 and by[("a", "codegen")] == 60
    assert by[("a", "review")] == 20  # every review twice: 10 originals + 10 repeats
    assert by[("a", "alchemist")] == 20
    # nothing lost: every input id comes back, repeats are created records naming their parent
    assert {s.id for s in samples} <= {s.id for s in out}
    repeats = [s for s in out if s.id.endswith("-r1")]
    assert len(repeats) == 10 and all(s.trace[-1].verdict == "create" for s in repeats)
    rejected = [s for s in out if s.rejected]
    assert len(rejected) == 20 and {s.rejection.reason for s in rejected} == {"mix_downsampled"}
    assert len(out) == len(samples) + 10


@pytest.mark.parametrize(
    ("fraction", "mode", "expected", "codegen_left"), [(0.05, "add", 5, 100), (0.1, "replace", 9, 80), (0.0, "add", 0, 100)]
)
def test_alchemist_fraction_in_either_harmonize_mode(
    tmp_path: Path, fraction: float, mode: str, expected: int, codegen_left: int
) -> None:
    out = run_mix(_corpus(mode), MixConfig(alchemist_fraction=fraction), _ctx(tmp_path))
    kept = _kept(out)
    alch = [s for s in kept if s.task == "alchemist"]
    codegen = [s for s in kept if s.task == "codegen"]
    assert len(alch) == expected
    # every codegen sample stays (beside its copy in 'add' mode; the customized originals are the AlchemistPrompt
    # samples in 'replace' mode); the AlchemistPrompt samples are `fraction` of codegen + alchemist
    assert len(codegen) == codegen_left
    assert abs(len(alch) / (len(alch) + len(codegen)) - fraction) < 0.01
    reasons = Counter(s.rejection.reason for s in out if s.rejected)
    assert reasons == {"mix_alchemist_share": 20 - expected}


def test_shuffle_split_and_determinism(tmp_path: Path) -> None:
    cfg = MixConfig(validation_fraction=0.1, max_samples=100)
    a = run_mix(_corpus(), cfg, _ctx(tmp_path))
    b = run_mix(_corpus(), cfg, _ctx(tmp_path))
    c = run_mix(_corpus(), cfg, _ctx(tmp_path, seed=1))
    ids = [s.id for s in _kept(a)]
    assert ids == [s.id for s in _kept(b)]
    assert ids != [s.id for s in _kept(c)]
    assert len(ids) == 100 and ids != sorted(ids)
    assert Counter(s.meta["split"] for s in _kept(a)) == {"train": 90, "validation": 10}
    assert Counter(s.rejection.reason for s in a if s.rejected) == {"mix_max_samples": 30}


def test_bad_config_is_rejected() -> None:
    with pytest.raises(ValueError, match="ratios must be >= 0"):
        MixConfig(source_ratios={"a": -1})
    with pytest.raises(ValueError, match="alchemist_fraction"):
        MixConfig(alchemist_fraction=1.5)
    with pytest.raises(ValueError, match=r"unknown task\(s\) \['codgen'\]"):  # at config load, before any stage
        MixConfig(task_ratios={"codgen": 1.0})
    with pytest.raises(ValueError, match=r"(?s)alchemist_mode.*removed: the add/replace switch is harmonize\.mode"):
        MixConfig.model_validate({"alchemist_mode": "replace"})


def test_export_formats_and_data_card(tmp_path: Path) -> None:
    import datasets
    import pyarrow.parquet as pq

    run_cfg = RunConfig.model_validate({"mix": {"validation_fraction": 0.2, "system_prompt": "You write code."}})
    out = run_mix(_corpus(), run_cfg.mix, _ctx(tmp_path))
    info = export_mix(out, run_cfg, tmp_path / "dataset")
    train = list(read_jsonl(info["train_jsonl"]))
    val = list(read_jsonl(info["validation_jsonl"]))
    assert len(train) + len(val) == len(_kept(out)) and len(val) == round(0.2 * len(_kept(out)))
    assert all(set(r) == {"messages"} and r["messages"][0] == {"role": "system", "content": "You write code."} for r in train)
    table = pq.read_table(tmp_path / "dataset" / "train.parquet")
    assert table.num_rows == len(train) and set(table.column_names) == {"id", "source", "task", "messages"}
    dd = datasets.load_from_disk(str(tmp_path / "dataset" / "hf"))
    assert dd["validation"].num_rows == len(val) and dd["train"][0]["messages"] == train[0]["messages"]
    card = (tmp_path / "dataset" / "README.md").read_text()
    assert "## Composition" in card and "| a |" in card and "alchemist_prompt | create" in card
    assert "system_prompt: You write code." in card


def test_push_to_hub_without_token_is_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    run_cfg = RunConfig.model_validate({"mix": {"formats": ["jsonl"], "hub_repo": "me/data", "hub_token_env": "NO_SUCH_TOKEN"}})
    info = export_mix(run_mix(_corpus(), run_cfg.mix, _ctx(tmp_path)), run_cfg, tmp_path / "d")
    assert info["hub"] == "not pushed: $NO_SUCH_TOKEN is not set"
    assert (tmp_path / "d" / "hf").is_dir()


def test_task_quotas_per_codegen_sample(tmp_path: Path) -> None:
    out = run_mix(_corpus(), MixConfig(task_quotas={"review": 0.05, "filtering": 0.1}), _ctx(tmp_path))
    kept = Counter(s.task for s in _kept(out))
    assert kept["codegen"] == 100 and kept["review"] == 5  # 0.05 per codegen sample
    assert Counter(s.rejection.reason for s in out if s.rejected) == {"mix_task_quota": 5}


def test_pipeline_takes_quotas_from_comprehend_ratios() -> None:
    from alchemistcoder.pipeline import default_stage
    from alchemistcoder.pipeline.fingerprints import stage_config_hash

    mix = default_stage("mix")
    cfg = RunConfig.model_validate({"comprehend": {"ratios": {"review": 0.2}}})
    assert mix.section_of(cfg).task_quotas == {"evolution": 0.05, "filtering": 0.05, "review": 0.2, "repair": 0.05}
    other = RunConfig.model_validate({"comprehend": {"ratios": {"review": 0.3}}})
    assert stage_config_hash(cfg, mix) != stage_config_hash(other, mix)
    explicit = RunConfig.model_validate({"mix": {"task_quotas": {}}})
    assert mix.section_of(explicit).task_quotas == {}


def test_mix_on_shards_decides_and_exports_as_over_one_list(tmp_path: Path) -> None:
    """The draw is a reduce over keys: repeats (ratio 2.5), downsampling, the AlchemistPrompt share, quotas
    and the cap decide the same on shards of a process pool as over one list, and the export, merged from
    the shards in mix order, is the same bytes."""
    from alchemistcoder.mix.export import mix_order
    from alchemistcoder.mix.stage import POSITION, mix_steps
    from shard_runs import run_on_shards

    corpus = _corpus()
    corpus[5].reject("quality", "no_code")  # a record that arrives rejected passes through
    run_cfg = RunConfig.model_validate({"mix": {
        "source_ratios": {"b": 0.5}, "task_ratios": {"review": 2.5}, "alchemist_fraction": 0.1,
        "task_quotas": {"review": 0.2}, "max_samples": 90, "validation_fraction": 0.1, "formats": ["jsonl"]}})
    inline = run_mix([s.copy() for s in corpus], run_cfg.mix, _ctx(tmp_path, seed=3))
    kept, rejected, steps = run_on_shards("mix", mix_steps(run_cfg.mix), corpus, run_cfg.mix, tmp_path / "s",
                                          shard_size=17, seed=3)
    assert list(steps) == ["keys", "draw", "apply"]
    assert {s.id: s.to_dict() for s in kept + rejected} == {s.id: s.to_dict() for s in inline}
    reasons = Counter(s.rejection.reason for s in inline if s.rejected)
    assert set(reasons) == {"no_code", "mix_downsampled", "mix_alchemist_share", "mix_task_quota", "mix_max_samples"}
    assert any(s.id.endswith("-r2") for s in inline)  # the half repeat of a 2.5 ratio
    assert len(_kept(inline)) == 90
    merged = list(mix_order(tmp_path / "s" / "stage"))
    assert [s.meta[POSITION] for s in merged] == list(range(90))
    one = export_mix(inline, run_cfg, tmp_path / "one")
    sharded = export_mix(merged, run_cfg, tmp_path / "sharded")
    for name in ("train_jsonl", "validation_jsonl"):
        assert Path(one[name]).read_bytes() == Path(sharded[name]).read_bytes()
