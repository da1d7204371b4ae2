"""The same stage functions on each executor give the same output: in-process, process pool, Ray Data."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from alchemistcoder.config import RunSettings
from alchemistcoder.pipeline import run_pipeline
from alchemistcoder.pipeline.executors import make_executor
from test_pipeline_standins import STANDIN_STAGES, standin_config

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


def test_unknown_executor_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown executor 'spark'"):
        make_executor(RunSettings(executor="spark"))
