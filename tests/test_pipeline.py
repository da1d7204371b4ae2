"""The run loop: shards, manifests, counts, skip-if-unchanged, --only/--skip, and contract checks."""

from __future__ import annotations

import gzip
from dataclasses import replace
from operator import attrgetter
from pathlib import Path

import orjson
import pytest

from alchemistcoder.config import RunConfig
from alchemistcoder.io import read_jsonl
from alchemistcoder.pipeline import PipelineError, StageSpec, default_stage, run_pipeline
from alchemistcoder.stage import CHECKPOINT, REJECTED, SAMPLES, TRAIN_FILE
from test_pipeline_standins import FULL_STANDIN_STAGES, STANDIN_STAGES, drop_one, standin_config

REPO = Path(__file__).resolve().parents[1]


def _manifest(run: Path, name: str) -> dict:
    (d,) = run.glob(f"[0-9][0-9]_{name}")
    return orjson.loads((d / "manifest.json").read_bytes())


def _tree_contents(run: Path) -> dict[str, bytes]:
    """Every sample shard and export file, uncompressed (gzip headers carry timestamps)."""
    out = {}
    for p in sorted(run.glob("[0-9][0-9]_*/*.jsonl.gz")):
        out[str(p.relative_to(run))] = gzip.decompress(p.read_bytes())
    for p in sorted((run / "dataset").glob("*.jsonl")):
        out[str(p.relative_to(run))] = p.read_bytes()
    return out


def test_run_writes_shards_manifests_export_and_report(shared_data: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    outcomes = run_pipeline(standin_config(shared_data, run), STANDIN_STAGES, quiet=True)
    assert [o.status for o in outcomes] == ["ran"] * 6
    assert sorted(p.name for p in run.glob("[0-9][0-9]_*")) == [
        "01_ingest", "02_curate", "03_evolve", "04_harmonize", "05_comprehend", "06_mix"
    ]
    ingest = _manifest(run, "ingest")
    assert ingest["counts"]["created"] == 600 and ingest["stats"]["sources"]["evol"]["kept"] == 300
    curate = _manifest(run, "curate")
    # CodeAlpaca-2k appears in both sources (alpaca and evol format): the stand-in dedup finds the copies
    assert curate["rejects_by_reason"]["duplicate"] == curate["counts"]["rejected_here"] > 0
    evolve = _manifest(run, "evolve")
    assert evolve["counts"]["in"] == curate["counts"]["kept"]
    assert evolve["stats"]["checked"] == evolve["counts"]["in"]  # stats of every shard summed
    for name in ("ingest", "curate", "evolve", "harmonize", "comprehend", "mix"):
        c = _manifest(run, name)["counts"]
        assert c["balanced"] and c["in"] + c["created"] == c["kept"] + c["rejected"], name
    # the comprehension stage received every earlier reject and made tasks from the short responses
    comp = _manifest(run, "comprehend")
    assert comp["counts"]["in"] == _manifest(run, "harmonize")["counts"]["kept"] + curate["counts"]["rejected"] + evolve["counts"]["rejected"]
    assert comp["counts"]["created"] == evolve["rejects_by_reason"]["short_response"]
    # shard files: kept rows are not rejected, rejected rows are
    for row in read_jsonl(run / "03_evolve" / "rejected-00000.jsonl.gz"):
        assert row["trace"][-1]["verdict"] == "reject"
    # export: messages-only JSONL, split sizes as in the manifest, data card with the composition
    mix = _manifest(run, "mix")
    train_rows = list(read_jsonl(run / "dataset" / "train.jsonl"))
    val_rows = list(read_jsonl(run / "dataset" / "validation.jsonl"))
    assert {tuple(r) for r in train_rows} == {("messages",)}
    assert len(train_rows) + len(val_rows) == mix["counts"]["kept"]
    assert mix["export"]["train_jsonl"].endswith("train.jsonl")
    card = (run / "dataset" / "README.md").read_text()
    assert "| alchemist |" not in card or "alchemist" in card
    assert "## Composition" in card and "filtering" in card and "short_response" in card and "shard_size: 100" in card
    html = (run / "report.html").read_text()
    assert "Composition of the final mix" in html and "The train stage did not run." in html
    run_json = orjson.loads((run / "run.json").read_bytes())
    assert [s["name"] for s in run_json["stages"]][-1] == "mix" and run_json["config"]["run"]["shard_size"] == 100


def test_rerun_skips_unchanged_and_reruns_from_the_changed_stage(shared_data: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    cfg = standin_config(shared_data, run)
    run_pipeline(cfg, STANDIN_STAGES, quiet=True)
    first = _tree_contents(run)
    outcomes = run_pipeline(cfg, STANDIN_STAGES, quiet=True)
    assert [o.status for o in outcomes] == ["skipped"] * 6
    assert _tree_contents(run) == first
    # a mix-only change: everything before mix is skipped, mix runs again
    changed = RunConfig.model_validate({**cfg.model_dump(), "mix": {**cfg.mix.model_dump(), "validation_fraction": 0.2}})
    outcomes = run_pipeline(changed, STANDIN_STAGES, quiet=True)
    assert [o.status for o in outcomes] == ["skipped"] * 5 + ["ran"]
    assert len(list(read_jsonl(run / "dataset" / "validation.jsonl"))) == round(0.2 * _manifest(run, "mix")["counts"]["kept"])
    # a seed change reaches every seeded stage
    reseeded = RunConfig.model_validate({**changed.model_dump(), "run": {**changed.run.model_dump(), "seed": 7}})
    statuses = [o.status for o in run_pipeline(reseeded, STANDIN_STAGES, quiet=True)]
    assert statuses == ["ran"] * 6


def test_only_and_skip(shared_data: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    cfg = standin_config(shared_data, run)
    with pytest.raises(PipelineError, match="no complete output"):
        run_pipeline(cfg, STANDIN_STAGES, only=["mix"], quiet=True)
    run_pipeline(cfg, STANDIN_STAGES, quiet=True)
    outcomes = run_pipeline(cfg, STANDIN_STAGES, only=["mix"], quiet=True)
    assert [o.status for o in outcomes] == ["reused"] * 5 + ["skipped"]
    # skipping harmonize: comprehend and mix see curate/evolve output directly, so they run again
    outcomes = run_pipeline(cfg, STANDIN_STAGES, skip=["harmonize"], quiet=True)
    assert [o.status for o in outcomes] == ["skipped", "skipped", "skipped", "disabled", "ran", "ran"]
    assert "alchemist" not in (_manifest(run, "mix")["stats"]["composition"]["by_task"])
    with pytest.raises(PipelineError, match="unknown stage"):
        run_pipeline(cfg, STANDIN_STAGES, only=["nope"], quiet=True)


def test_a_stage_that_drops_records_is_refused(shared_data: Path, tmp_path: Path) -> None:
    stages = (STANDIN_STAGES[0], StageSpec("curate", "global", drop_one))
    cfg = standin_config(shared_data, tmp_path / "run", limit=20)
    with pytest.raises(PipelineError, match="dropped 1 of 40 records"):
        run_pipeline(cfg, stages, quiet=True)
    assert not (tmp_path / "run" / "02_curate" / "manifest.json").exists()


def test_stage_directories_follow_the_pipelines_own_stage_list(shared_data: Path, tmp_path: Path) -> None:
    """Train and eval write into their own directory of *this* run's stage list (ctx.stage_dir), not into the
    directory the default list would give them."""
    from alchemistcoder.pipeline import Pipeline, default_stage

    stages = (STANDIN_STAGES[0], default_stage("mix"), default_stage("train"), default_stage("evaluate"))
    pipeline = Pipeline(standin_config(shared_data, tmp_path / "run"), stages, quiet=True)
    assert pipeline._context(stages[2]).stage_dir == tmp_path / "run" / "03_train"
    assert pipeline._context(stages[3]).stage_dir == tmp_path / "run" / "04_evaluate"


# -- stages made of map and reduce steps ------------------------------------------------------------------
def _note_length(samples, cfg, ctx):
    for s in samples:
        s.record("measure", params={"chars": len(s.response)})
    return samples


def _length_keys(samples, cfg, ctx):
    return [(s.source, len(s.response), s.id) for s in samples]


def _longest_per_source(keys, cfg, ctx):
    """Reduce: the id of each source's longest response; every shard gets the whole (tiny) answer."""
    best: dict[str, tuple[int, str]] = {}
    for shard in keys:
        for source, n, sid in shard:
            if source not in best or (n, sid) > best[source]:
                best[source] = (n, sid)
    ctx.stats["sources"] = len(best)
    return [{sid for _, sid in best.values()}] * len(keys)


def _keep_longest(samples, cfg, ctx):
    for s in samples:
        if s.id not in ctx.decisions["longest"]:
            s.reject("longest_only", "not_longest")
    return samples


def longest_steps(cfg):
    from alchemistcoder.stage import MapStep, ReduceStep

    return [MapStep("measure", _note_length, keys=_length_keys), ReduceStep("longest", _longest_per_source),
            MapStep("keep", _keep_longest)]


def test_a_stage_of_map_and_reduce_steps_equals_its_whole_list_form(shared_data: Path, tmp_path: Path) -> None:
    from alchemistcoder.pipeline.steps import plan_shards, run_steps_inline
    from alchemistcoder.records import Sample
    from alchemistcoder.stage import StageContext

    stages = (STANDIN_STAGES[0], StageSpec("curate", "data", _keep_longest, steps=longest_steps))
    run = tmp_path / "run"
    run_pipeline(standin_config(shared_data, run, limit=30, shard_size=7, executor="local", workers=2), stages, quiet=True)
    m = _manifest(run, "curate")
    assert m["counts"] == {"in": 60, "created": 0, "kept": 2, "rejected": 58, "rejected_here": 58, "balanced": True}
    assert m["rejects_by_reason"] == {"not_longest": 58} and m["stats"]["sources"] == 2
    assert [(name, s["where"]) for name, s in m["timings"]["steps"].items()] == [
        ("measure", "executor"), ("longest", "driver"), ("keep", "executor")]
    assert not (run / "02_curate" / "steps").exists()
    # the same steps over the whole list in this process decide the same
    ingest = [Sample.from_dict(r) for p in sorted((run / "01_ingest").glob("shard-*.jsonl.gz")) for r in read_jsonl(p)]
    inline = run_steps_inline(longest_steps(None), ingest, None, StageContext(run_dir=tmp_path, stage="curate"))
    sharded = [r for p in sorted((run / "02_curate").glob("*.jsonl.gz")) for r in read_jsonl(p)]
    assert {s.id for s in inline if not s.rejected} == {r["id"] for r in sharded if not r["trace"][-1].get("reason")}
    assert len(list((run / "02_curate").glob("shard-*.jsonl.gz"))) == 9  # 60 rows in shards of 7
    # row ranges: shards cut across input files
    files = [(Path("a"), 5), (Path("b"), 0), (Path("c"), 4)]
    assert plan_shards(files, 3) == [[("a", 0, 3)], [("a", 3, 5), ("c", 0, 1)], [("c", 1, 4)]]
    assert plan_shards([], 3) == [[]]


def _drop_rejected(samples, cfg, ctx):
    """A broken step: rejects by dropping (the contract says: keep it, with a reject event)."""
    return [s for s in samples if len(s.response) >= 50]


def test_both_step_paths_refuse_a_step_that_drops_records(shared_data: Path, tmp_path: Path) -> None:
    """The executor's path and the inline path are one interpreter: both check each map step's accounting."""
    from alchemistcoder.pipeline.steps import run_steps_inline
    from alchemistcoder.records import Sample
    from alchemistcoder.stage import MapStep, ReduceStep, StageContext

    def broken(cfg):
        return [MapStep("measure", _note_length, keys=_length_keys), ReduceStep("longest", _longest_per_source),
                MapStep("drop", _drop_rejected)]

    stages = (STANDIN_STAGES[0], StageSpec("curate", "data", _keep_longest, steps=broken))
    run = tmp_path / "run"
    with pytest.raises(PipelineError, match="'curate' dropped"):
        run_pipeline(standin_config(shared_data, run, limit=30, shard_size=7), stages, quiet=True)
    ingest = [Sample.from_dict(r) for p in sorted((run / "01_ingest").glob("shard-*.jsonl.gz")) for r in read_jsonl(p)]
    with pytest.raises(PipelineError, match="'curate' dropped"):
        run_steps_inline(broken(None), ingest, None, StageContext(run_dir=tmp_path, stage="curate"))


def test_a_step_list_must_end_with_a_map_and_reduce_after_keys() -> None:
    from alchemistcoder.stage import MapStep, ReduceStep, check_steps

    with pytest.raises(PipelineError, match="last step must be a map step"):
        check_steps("x", [MapStep("a", _note_length, keys=_length_keys), ReduceStep("r", _longest_per_source)])
    with pytest.raises(PipelineError, match="must follow a map step with keys"):
        check_steps("x", [MapStep("a", _note_length), ReduceStep("r", _longest_per_source), MapStep("b", _keep_longest)])


def test_shard_stats_merge_into_the_stages() -> None:
    """Numbers add up, dicts merge, lists concatenate in shard order (the judge's errors of every shard, not
    the last shard's), anything else keeps the last value."""
    from alchemistcoder.stage import merge_stats

    stage: dict = {}
    merge_stats(stage, {"kept": 3, "by_reason": {"no_code": 1}, "judge_errors": ["timeout"], "mode": "schema"})
    merge_stats(stage, {"kept": 2, "by_reason": {"no_code": 2, "short": 1}, "judge_errors": ["no verdict"],
                        "mode": "example", "flag": True})
    assert stage == {"kept": 5, "by_reason": {"no_code": 3, "short": 1}, "judge_errors": ["timeout", "no verdict"],
                     "mode": "example", "flag": True}


def _ingest_then_fail(sources, cfg, ctx):
    """The real ingest, failing after its first 250 samples."""
    from alchemistcoder.ingest.stage import run_ingest

    for n, sample in enumerate(run_ingest(sources, cfg, ctx)):
        if n == 250:
            raise RuntimeError("source went away")
        yield sample


def test_ingest_writes_shards_as_it_reads(shared_data: Path, tmp_path: Path) -> None:
    """A source stage yields samples and the run loop writes each shard once it is full: the driver holds one
    shard, not the corpus. A source that fails after 250 samples has left its first two shards of 100."""
    run = tmp_path / "run"
    cfg = standin_config(shared_data, run, limit=300)
    with pytest.raises(RuntimeError, match="source went away"):
        run_pipeline(cfg, (replace(default_stage("ingest"), fn=_ingest_then_fail),), quiet=True)
    assert sorted(p.name for p in (run / "01_ingest").glob("shard-*.jsonl.gz")) == [
        "shard-00000.jsonl.gz", "shard-00001.jsonl.gz"]
    assert not (run / "01_ingest" / "manifest.json").exists()
    # the whole source: 600 samples in 6 shards, its counts recorded once every source is read
    run_pipeline(cfg, STANDIN_STAGES[:1], quiet=True)
    m = _manifest(run, "ingest")
    assert m["counts"]["kept"] == 600 and len(m["outputs"]) == 6
    assert m["stats"]["sources"]["codealpaca"]["kept"] == 300


def test_the_stage_list_declares_every_hand_off() -> None:
    """What each stage consumes and produces is in its spec: the mix's train file is train's input, train's
    checkpoint eval's, comprehend also reads every earlier reject, ingest fingerprints its source files."""
    ingest, curate, comprehend, mix, train, evaluate = (default_stage(n) for n in (
        "ingest", "curate", "comprehend", "mix", "train", "evaluate"))
    assert ingest.inputs == () and ingest.fingerprint is not None and curate.inputs == (SAMPLES,)
    assert comprehend.inputs == (SAMPLES, REJECTED)
    assert [(p.name, p.key, p.by_content) for p in mix.products] == [(TRAIN_FILE, "export.train_jsonl", True)]
    assert train.inputs == (TRAIN_FILE,) and [p.name for p in train.products] == [CHECKPOINT]
    assert evaluate.inputs == (CHECKPOINT,) and evaluate.products == ()
    with pytest.raises(PipelineError, match="fingerprint"):
        StageSpec("read", "source", "module:function")


def test_a_stage_whose_input_was_not_handed_on_says_where_it_comes_from(shared_data: Path, tmp_path: Path) -> None:
    cfg = standin_config(shared_data, tmp_path / "run", limit=20)
    cfg = RunConfig.model_validate({**cfg.model_dump(), "mix": {"formats": ["parquet"]}, "train": {"enabled": True}})
    with pytest.raises(PipelineError, match=r"train needs the train_file .*mix.formats must include jsonl"):
        run_pipeline(cfg, (STANDIN_STAGES[0], default_stage("mix"), FULL_STANDIN_STAGES[-2]), quiet=True)


def test_trace_events_carry_the_stage_name_of_the_context(tmp_path: Path) -> None:
    """Stage code never names its stage: under other names, every event ingest, curate (filters,
    decontamination, dedup) and the mix (its cap) record carries the name the stage list gives."""
    from alchemistcoder.config import load_config

    cfg = load_config(REPO / "configs" / "quickstart.yaml", [
        f"run.out={tmp_path / 'run'}", "run.executor=inprocess", "run.shard_size=40",
        "curate.decontam.embedding=false", "mix.formats=[jsonl]", "mix.max_samples=50"])
    names = {"read": "ingest", "clean": "curate", "final": "mix"}
    stages = tuple(replace(default_stage(old), name=new, section=default_stage(old).section or attrgetter(old))
                   for new, old in names.items())
    run_pipeline(cfg, stages, quiet=True)
    seen: dict[str, set[str]] = {}
    for path in sorted((tmp_path / "run").glob("[0-9][0-9]_*/*.jsonl.gz")):
        for row in read_jsonl(path):
            for event in row["trace"]:
                seen.setdefault(event["stage"], set()).add(event["op"])
    assert set(seen) == set(names), seen
    reasons = _manifest(tmp_path / "run", "clean")["rejects_by_reason"]
    assert reasons["contaminated"] >= 1 and reasons["exact_duplicate"] >= 1 and reasons["short_response"] >= 1
    assert {"quality_filter", "decontaminate", "dedup"} <= seen["clean"], seen["clean"]
