"""The same stage functions on each executor give the same output: in-process, process pool, Ray Data; for
the stand-in stages and for curate's map -> reduce -> map steps (filters, decontamination, dedup)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from alchemistcoder.config import RunSettings
from alchemistcoder.pipeline import run_pipeline
from alchemistcoder.pipeline.executors import make_executor
from alchemistcoder.pipeline.stages import default_stage
from test_pipeline_standins import STANDIN_STAGES, standin_config

REPO = Path(__file__).resolve().parents[1]

# Before Ray is imported: keep the local head on the loopback address (Ray otherwise resolves 127.0.0.1 to
# the machine's routable address).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


def _outputs(run: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(run.glob("[0-9][0-9]_*/*.jsonl.gz")):
        out[str(p.relative_to(run))] = gzip.decompress(p.read_bytes())
    for p in sorted((run / "dataset").glob("*.jsonl")):
        out[str(p.relative_to(run))] = p.read_bytes()
    return out


@pytest.fixture(scope="module")
def inprocess_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    run = tmp_path_factory.mktemp("inprocess") / "run"
    run_pipeline(standin_config(shared_data, run, limit=150, executor="inprocess"), STANDIN_STAGES, quiet=True)
    return run


def test_process_pool_matches_inprocess(shared_data: Path, tmp_path: Path, inprocess_run: Path) -> None:
    run = tmp_path / "run"
    run_pipeline(standin_config(shared_data, run, limit=150, executor="local", workers=2), STANDIN_STAGES, quiet=True)
    got, want = _outputs(run), _outputs(inprocess_run)
    assert len(want) > 10 and got == want


@pytest.mark.slow
def test_ray_data_on_a_local_cluster_matches_inprocess(shared_data: Path, tmp_path: Path, inprocess_run: Path) -> None:
    import ray

    # a local head on the loopback address, started for this test and stopped after it
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False,
             object_store_memory=128 * 1024 * 1024)
    try:
        assert [n["NodeManagerAddress"] for n in ray.nodes()] == ["127.0.0.1"]
        run = tmp_path / "run"
        outcomes = run_pipeline(standin_config(shared_data, run, limit=150, executor="ray"), STANDIN_STAGES, quiet=True)
        assert [o.status for o in outcomes] == ["ran"] * 6
        got, want = _outputs(run), _outputs(inprocess_run)
        assert len(want) > 10 and got == want
        assert ray.is_initialized()  # the executor used the running cluster rather than starting its own
    finally:
        ray.shutdown()


STEPPED = ("ingest", "curate", "harmonize", "comprehend", "mix")
# the template writer: the model writer's requests are the same on shards (its cache keys hold no shard)
STEPPED_SETTINGS = ["run.workers=2", "run.shard_size=25", "harmonize.writer=template", "harmonize.fraction=0.2",
                    "comprehend.review.enabled=false"]


def _curate_run(out: Path, executor: str) -> Path:
    """ingest -> curate -> harmonize -> comprehend -> mix of the demo corpus (157 samples, planted duplicates and a leak) in shards
    of 25."""
    from alchemistcoder.config import load_config

    cfg = load_config(REPO / "configs" / "quickstart.yaml", [f"run.out={out}", f"run.executor={executor}",
                                                              *STEPPED_SETTINGS])
    run_pipeline(cfg, tuple(default_stage(n) for n in STEPPED), quiet=True)
    return out


@pytest.fixture(scope="module")
def curate_inprocess(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _curate_run(tmp_path_factory.mktemp("curate") / "inprocess", "inprocess")


def test_curate_steps_on_the_process_pool_match_inprocess(tmp_path: Path, curate_inprocess: Path) -> None:
    import orjson

    got, want = _outputs(_curate_run(tmp_path / "local", "local")), _outputs(curate_inprocess)
    # kept and rejected files of ingest and curate (7 shards each), harmonize (5), comprehend (8: it also reads
    # the rejected samples), mix (7); the exported train and validation files
    assert len(want) == 2 * (7 + 7 + 5 + 8 + 7) + 2 and got == want
    manifest = orjson.loads((tmp_path / "local" / "02_curate" / "manifest.json").read_bytes())
    reasons = manifest["rejects_by_reason"]
    assert reasons["exact_duplicate"] >= 1 and reasons["near_duplicate"] >= 3 and reasons["contaminated"] >= 1
    steps = manifest["timings"]["steps"]
    assert list(steps) == ["score", "dedup_plan", "shingles", "dedup_near", "apply"]
    assert {s["where"] for s in steps.values()} == {"executor", "driver"}
    assert all(s["seconds"] >= 0 and s["cpu_s"] >= 0 for s in steps.values())
    harmonize = orjson.loads((tmp_path / "local" / "03_harmonize" / "manifest.json").read_bytes())
    assert harmonize["executor"] == "local" and harmonize["counts"]["created"] >= 10
    assert [(n, s["where"]) for n, s in harmonize["timings"]["steps"].items()] == [
        ("candidates", "executor"), ("pick", "driver"), ("look", "executor"), ("select", "driver"), ("write", "executor")]
    comprehend = orjson.loads((tmp_path / "local" / "04_comprehend" / "manifest.json").read_bytes())
    assert comprehend["executor"] == "local" and comprehend["stats"]["comprehend"]["tasks"]["filtering"] >= 5
    assert list(comprehend["timings"]["steps"]) == ["candidates", "choose", "make"]
    mix = orjson.loads((tmp_path / "local" / "05_mix" / "manifest.json").read_bytes())
    assert list(mix["timings"]["steps"]) == ["keys", "draw", "apply"] and mix["timings"]["after_s"] > 0
    assert mix["export"]["counts"]["train"] > 100


def test_the_driver_reads_no_sample_of_a_stepped_stage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the process pool, the samples of curate, harmonize and comprehend are read and written by the
    workers only: the driver sees keys, decisions and done-records (ingest, a source stage, makes its samples
    from the config; the mix's export streams them once, in mix order, on the driver)."""
    from alchemistcoder.config import load_config
    from alchemistcoder.pipeline import Pipeline
    from alchemistcoder.records import Sample

    def refuse(cls, row):
        raise AssertionError("the driver decoded a Sample")

    monkeypatch.setattr(Sample, "from_dict", classmethod(refuse))
    cfg = load_config(REPO / "configs" / "quickstart.yaml", [
        f"run.out={tmp_path / 'run'}", "run.executor=local", *STEPPED_SETTINGS])
    outcomes = Pipeline(cfg, tuple(default_stage(n) for n in STEPPED[:-1]), quiet=True, finish=()).run()
    assert [o.status for o in outcomes] == ["ran"] * (len(STEPPED) - 1)


@pytest.mark.slow
def test_curate_steps_on_ray_match_inprocess(tmp_path: Path, curate_inprocess: Path) -> None:
    import ray

    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False,
             object_store_memory=128 * 1024 * 1024)
    try:
        assert _outputs(_curate_run(tmp_path / "ray", "ray")) == _outputs(curate_inprocess)
    finally:
        ray.shutdown()


def test_unknown_executor_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown executor 'spark'"):
        # the config refuses it when it loads; an executor made from unchecked settings still says why
        make_executor(RunSettings.model_construct(executor="spark", workers=1))
