"""Resume: an interrupted stage goes on from its last complete shard; `kill -9` at random moments changes
nothing in the final output, and no model request whose answer had arrived is sent again."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import orjson
import pytest
import yaml

from alchemistcoder.pipeline import PipelineError, StageSpec, run_pipeline
from alchemistcoder.records import Sample
from test_pipeline_standins import STANDIN_STAGES, fail_on_marker, standin_config

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent


def _outputs(run: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(run.glob("[0-9][0-9]_*/*.jsonl.gz")):
        out[str(p.relative_to(run))] = gzip.decompress(p.read_bytes())
    for p in sorted((run / "dataset").glob("*.jsonl")):
        out[str(p.relative_to(run))] = p.read_bytes()
    return out


def test_interrupted_data_stage_resumes_from_its_last_complete_shard(shared_data: Path, tmp_path: Path) -> None:
    stages = (*STANDIN_STAGES[:2], StageSpec("evolve", "data", fail_on_marker), *STANDIN_STAGES[3:])
    baseline = tmp_path / "baseline"
    run_pipeline(standin_config(shared_data, baseline, shard_size=50), stages, quiet=True)

    run = tmp_path / "run"
    cfg = standin_config(shared_data, run, shard_size=50)
    run_pipeline(cfg, stages, only=["ingest", "curate"], skip=["mix", "report"], quiet=True)
    curate_kept = [Sample.from_dict(r) for p in sorted((run / "02_curate").glob("shard-*.jsonl.gz"))
                   for r in map(orjson.loads, gzip.decompress(p.read_bytes()).splitlines())]
    # fail on the 4th shard of evolve (shard_size 50): shards 0-2 are complete when the fault hits
    (run / "FAIL").write_text(str(int(hashlib.sha256(curate_kept[150].id.encode()).hexdigest()[:8], 16) % 1000))
    with pytest.raises(RuntimeError, match="injected fault"):
        run_pipeline(cfg, stages, quiet=True)
    done = sorted(p.name for p in (run / "03_evolve").glob("*.done.json"))
    assert done == ["shard-00000.done.json", "shard-00001.done.json", "shard-00002.done.json"]
    assert not (run / "03_evolve" / "manifest.json").exists()
    (run / "FAIL").unlink()
    (run / "calls.log").unlink()
    outcomes = run_pipeline(cfg, stages, quiet=True)
    assert [o.status for o in outcomes] == ["skipped", "skipped", "resumed", "ran", "ran", "ran"]
    evolve = orjson.loads((run / "03_evolve" / "manifest.json").read_bytes())
    assert evolve["shards_resumed"] == 3
    # only the unfinished shards ran the second time
    calls = (run / "calls.log").read_text().split()
    assert calls == [s.id for s in curate_kept[150::50]]
    assert _outputs(run) == _outputs(baseline)


def test_changed_config_does_not_resume_stale_shards(shared_data: Path, tmp_path: Path) -> None:
    stages = (*STANDIN_STAGES[:2], StageSpec("evolve", "data", fail_on_marker))
    run = tmp_path / "run"
    cfg = standin_config(shared_data, run)
    run_pipeline(cfg, stages, quiet=True)
    (run / "03_evolve" / "manifest.json").unlink()  # as if interrupted after its last shard
    reseeded = cfg.model_copy(update={"run": cfg.run.model_copy(update={"seed": 3})})
    outcomes = run_pipeline(reseeded, stages, quiet=True)
    assert outcomes[2].status == "ran" and outcomes[2].manifest["shards_resumed"] == 0


def test_unknown_stage_function_override_is_an_error(shared_data: Path, tmp_path: Path) -> None:
    cfg = standin_config(shared_data, tmp_path / "run", stage_functions={"curation": "x:y"})
    with pytest.raises(PipelineError, match="unknown stage 'curation'"):
        run_pipeline(cfg, STANDIN_STAGES, quiet=True)


# -- kill -9 -------------------------------------------------------------------------------------------


class CountingBackend:
    """The real embedded model, noting every request the server hands it (fingerprint, time received)."""

    def __init__(self, backend) -> None:
        self.inner = backend
        self.log: list[tuple[str, float]] = []
        self.lock = threading.Lock()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def generate_batch(self, requests):
        with self.lock:
            now = time.monotonic()
            for r in requests:
                fp = hashlib.sha256(json.dumps([r.messages, r.max_tokens]).encode()).hexdigest()[:16]
                self.log.append((fp, now))
        return self.inner.generate_batch(requests)


@pytest.fixture(scope="module")
def model_server():
    from alchemistcoder.llm.backends import make_backend
    from alchemistcoder.llm.config import LLMConfig
    from alchemistcoder.llm.server import make_server, serve_in_thread

    backend = CountingBackend(make_backend(LLMConfig()))
    backend.inner.load()
    server = make_server(backend, "127.0.0.1", 0, model_name="smollm2", batch_size=4)
    serve_in_thread(server)
    yield server, backend
    server.shutdown()


def _kill_config(tmp_path: Path, base_url: str, out: Path) -> Path:
    cfg = {
        "run": {
            "out": str(out), "shard_size": 4, "executor": "inprocess",
            "stage_functions": {
                "curate": "test_pipeline_standins:dedup_instructions",
                "evolve": "test_pipeline_standins:llm_labels",
                "harmonize": "test_pipeline_standins:add_prompts",
                "comprehend": "test_pipeline_standins:filtering_tasks",
            },
        },
        "models": {"labeler": {"backend": "openai", "model": "smollm2", "base_urls": [base_url],
                               "api_key_env": None, "max_concurrency": 1}},
        "sources": [
            {"name": "demo-terse", "path": "pkg://alchemistcoder/demo/terse.jsonl", "format": "alpaca", "limit": 12},
            {"name": "demo-tutor", "path": "pkg://alchemistcoder/demo/tutor.jsonl", "format": "messages", "limit": 12},
        ],
        "train": {"enabled": False},
        "evaluate": {"enabled": False},
    }
    path = tmp_path / f"{out.name}.yaml"
    path.write_text(yaml.safe_dump(cfg))
    return path


_STARTED: list[subprocess.Popen] = []


@pytest.fixture(autouse=True)
def _no_leftover_runs():
    """A failing test must not leave its `alchemist run` behind: kill the process groups it started."""
    yield
    while _STARTED:
        proc = _STARTED.pop()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _alchemist_run(config: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "alchemistcoder.cli", "run", str(config), "--quiet"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    _STARTED.append(proc)
    return proc


@pytest.mark.slow
def test_kill_9_at_random_moments_then_resume(model_server, tmp_path: Path) -> None:
    server, backend = model_server
    base_url = server.base_url

    # the uninterrupted run
    proc = _alchemist_run(_kill_config(tmp_path, base_url, tmp_path / "baseline"))
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-3000:]
    assert b"report: " in out
    baseline_requests = [fp for fp, _ in backend.log]
    assert len(baseline_requests) >= 20 and len(set(baseline_requests)) == len(baseline_requests)
    backend.log.clear()

    rng = random.Random(9)
    config = _kill_config(tmp_path, base_url, tmp_path / "killed")
    kill_times: list[float] = []
    while len(kill_times) < 3:
        seen = len(backend.log)
        proc = _alchemist_run(config)
        # a random moment while the run calls the model: after 1-4 more requests reached the server, plus
        # up to half a second (the machine's load makes wall-clock delays alone land anywhere)
        wait_for = rng.randint(1, 4)
        deadline = time.monotonic() + 240
        while len(backend.log) < seen + wait_for and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, 0.5))
        if proc.poll() is not None:
            break  # it finished before the kill: nothing left to interrupt
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        kill_times.append(time.monotonic())
    proc = _alchemist_run(config)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()[-3000:]
    assert len(kill_times) >= 2, "the run finished before it could be killed twice"

    # the same output as the uninterrupted run, shard for shard and in the exported data
    assert _outputs(tmp_path / "killed") == _outputs(tmp_path / "baseline")
    # every request was answered; one is repeated only if it was in flight when a kill came (its answer
    # never reached the cache): it must be the last one the server received before that kill
    log = list(backend.log)
    fps = [fp for fp, _ in log]
    assert set(fps) == set(baseline_requests)
    repeated = {fp for fp in fps if fps.count(fp) > 1}
    assert len(fps) - len(set(fps)) <= len(kill_times)
    for fp in repeated:
        first = next(t for f, t in log if f == fp)
        kill = min(k for k in kill_times if k >= first)
        later = [f for f, t in log if first < t < kill]
        assert later == [], f"request {fp} was answered and cached before the kill, yet sent again"


# -- kill -9 inside a map or a reduce step of a stepped stage -----------------------------------------------
_CALLS: dict[str, int] = {}


def _kill_point(name: str, ctx) -> None:
    """SIGKILL this process on the n-th call of step ``name`` ("stage.step") when ``<run>/KILL_AT`` says
    ``name n``."""
    _CALLS[name] = _CALLS.get(name, 0) + 1
    marker = ctx.run_dir / "KILL_AT"
    if marker.exists() and marker.read_text().split() == [name, str(_CALLS[name])]:
        marker.unlink()
        os.kill(os.getpid(), signal.SIGKILL)


def _killable(name: str, fn, *args):
    _kill_point(name, args[-1])
    return fn(*args)


def _killing(stage: str, steps: list) -> list:
    """``steps`` of ``stage``, each of which may kill -9 the run at a chosen call (see _kill_point)."""
    from dataclasses import replace
    from functools import partial

    out = []
    for step in steps:
        name = f"{stage}.{step.name}"
        if step.fn is not None:  # a reduce, or a map step that writes samples
            out.append(replace(step, fn=partial(_killable, name, step.fn)))
        else:
            out.append(replace(step, keys=partial(_killable, name, step.keys)))
    return out


def killing_curate_steps(cfg):
    from alchemistcoder.curate.stage import curate_steps

    return _killing("curate", curate_steps(cfg))


def killing_verify_steps(cfg):
    from alchemistcoder.stage import MapStep
    from alchemistcoder.verify.stage import run_verify

    return _killing("verify", [MapStep("verify", run_verify)])  # one map step per shard, killed in one


def killing_harmonize_steps(cfg):
    from alchemistcoder.harmonize.harmonize import harmonize_steps

    return _killing("harmonize", harmonize_steps(cfg))


def killing_comprehend_steps(cfg):
    from alchemistcoder.comprehend.stage import comprehend_steps

    return _killing("comprehend", comprehend_steps(cfg))


def killing_mix_steps(cfg):
    from alchemistcoder.mix.stage import mix_steps

    return _killing("mix", mix_steps(cfg))


def _run_with_kills(tmp_path: Path, run: Path, config: str, stages: str, kills: tuple[str, ...]) -> None:
    """Run ``stages`` (Python for a tuple of StageSpecs) on ``config`` (Python for a config) in a child process,
    killed -9 at each of ``kills`` in turn, then once more to the end."""
    script = tmp_path / "run_stages.py"
    script.write_text(
        "import sys\n"
        "from dataclasses import replace\n"
        "from pathlib import Path\n"
        "from alchemistcoder.pipeline import StageSpec, run_pipeline\n"
        "from alchemistcoder.pipeline.stages import default_stage\n"
        "from test_resume import _chain_config, _curate_config\n"
        "if __name__ == '__main__':  # the mix export's child process imports this file again\n"
        f"    run_pipeline({config}, {stages}, quiet=True)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    run.mkdir()
    for kill_at in (*kills, None):
        if kill_at:
            (run / "KILL_AT").write_text(kill_at)
        proc = subprocess.run([sys.executable, str(script), str(run)], env=env, capture_output=True, timeout=300)
        assert proc.returncode == (-signal.SIGKILL if kill_at else 0), (kill_at, proc.stderr.decode()[-2000:])
        assert not (run / "KILL_AT").exists(), f"{kill_at} was never reached"


def _curate_config(out: Path, *overrides: str):
    from alchemistcoder.config import load_config

    return load_config(REPO / "configs" / "quickstart.yaml", [
        f"run.out={out}", "run.executor=inprocess", "run.shard_size=40", "evolve.enabled=false",
        "harmonize.enabled=false", "comprehend.enabled=false", "mix.enabled=false",
        "train.enabled=false", "eval.enabled=false", *overrides])


def test_kill_9_inside_a_map_and_a_reduce_step_resumes_to_the_same_output(tmp_path: Path) -> None:
    from alchemistcoder.pipeline.stages import default_stage

    baseline = tmp_path / "baseline"
    run_pipeline(_curate_config(baseline), (default_stage("ingest"), default_stage("curate")), quiet=True)

    run = tmp_path / "run"
    # the 3rd shard of the keys-only map step, then inside the near-duplicate reduce, then to the end
    _run_with_kills(tmp_path, run, "_curate_config(Path(sys.argv[1]))",
                    "(default_stage('ingest'), replace(default_stage('curate'), steps='test_resume:killing_curate_steps'))",
                    ("curate.shingles 3", "curate.dedup_near 1"))
    assert _outputs(run) == _outputs(baseline)
    manifest = orjson.loads((run / "02_curate" / "manifest.json").read_bytes())
    steps = manifest["timings"]["steps"]
    # the last attempt redid neither the first map step nor the first reduce
    assert steps["score"]["resumed"] == steps["score"]["shards"] == 4 and steps["dedup_plan"]["resumed"]
    assert steps["shingles"]["resumed"] == 4 and not steps["dedup_near"]["resumed"]
    assert manifest["counts"] == orjson.loads((baseline / "02_curate" / "manifest.json").read_bytes())["counts"]
    assert not (run / "02_curate" / "steps").exists()


def _chain_config(out: Path):
    """The model-free chain of the quickstart: template AlchemistPrompts, comprehension tasks without reviews."""
    return _curate_config(out, "verify.tests=false", "harmonize.enabled=true", "harmonize.writer=template",
                          "harmonize.model=null",
                          "comprehend.enabled=true", "comprehend.review.enabled=false", "mix.enabled=true")


_CHAIN = ("ingest", "curate", "verify", "harmonize", "comprehend", "mix")


def test_kill_9_inside_the_map_and_reduce_steps_of_verify_harmonize_comprehend_and_mix(tmp_path: Path) -> None:
    """Each stage after curate killed inside a map step (and the stepped ones inside a reduce) resumes to the
    outputs (every stage's shards and the exported mix) of a run that was never interrupted."""
    from alchemistcoder.pipeline.stages import default_stage

    baseline = tmp_path / "baseline"
    run_pipeline(_chain_config(baseline), tuple(default_stage(n) for n in _CHAIN), quiet=True)
    run = tmp_path / "run"
    stages = ("(default_stage('ingest'), default_stage('curate'), "
              + ", ".join(f"replace(default_stage('{n}'), steps='test_resume:killing_{n}_steps')" for n in _CHAIN[2:])
              + ")")
    kills = ("verify.verify 2", "harmonize.pick 1", "harmonize.write 2", "comprehend.choose 1", "comprehend.make 2", "mix.draw 1",
             "mix.apply 3")
    _run_with_kills(tmp_path, run, "_chain_config(Path(sys.argv[1]))", stages, kills)
    outputs = _outputs(run)
    assert outputs == _outputs(baseline)
    assert {p.split("/")[0] for p in outputs} >= {"03_verify", "04_harmonize", "05_comprehend", "06_mix", "dataset"}
    verify = orjson.loads(next(run.glob("[0-9][0-9]_verify/manifest.json")).read_bytes())["timings"]["steps"]
    assert verify["verify"]["resumed"] == 1  # the shard finished before the kill was not run again
    for stage, first in (("harmonize", "candidates"), ("comprehend", "candidates"), ("mix", "keys")):
        manifest = orjson.loads(next(run.glob(f"[0-9][0-9]_{stage}/manifest.json")).read_bytes())
        steps = manifest["timings"]["steps"]
        # the run killed last in this stage redid no finished shard of its first step
        assert steps[first]["resumed"] == steps[first]["shards"] > 0, (stage, steps)


@pytest.mark.slow
def test_kill_9_of_the_driver_and_its_workers_inside_curates_steps(tmp_path: Path) -> None:
    """The whole process group (driver and process-pool workers) killed as chosen files of curate's steps
    appear: inside the first map step, after the first reduce, inside the keys-only map, inside the last map."""
    from alchemistcoder.pipeline.stages import default_stage

    pool = ("run.executor=local", "run.workers=2", "run.shard_size=10")
    baseline = tmp_path / "baseline"
    run_pipeline(_curate_config(baseline, *pool), (default_stage("ingest"), default_stage("curate")), quiet=True)
    script = tmp_path / "run_curate.py"
    script.write_text(
        "import sys\n"
        "from pathlib import Path\n"
        "from alchemistcoder.pipeline import run_pipeline\n"
        "from alchemistcoder.pipeline.stages import default_stage\n"
        "from test_resume import _curate_config\n"
        "if __name__ == '__main__':\n"
        f"    cfg = _curate_config(Path(sys.argv[1]), *{pool!r})\n"
        "    run_pipeline(cfg, (default_stage('ingest'), default_stage('curate')), quiet=True)\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    run = tmp_path / "run"
    for pattern in ("02_curate/steps/00-score/part-00003.done.json", "02_curate/steps/01-dedup_plan/decisions.pkl",
                    "02_curate/steps/02-shingles/part-00002.done.json", "02_curate/shard-00004.done.json", None):
        proc = subprocess.Popen([sys.executable, str(script), str(run)], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        _STARTED.append(proc)
        if pattern is None:
            _, err = proc.communicate(timeout=300)
            assert proc.returncode == 0, err.decode()[-3000:]
            break
        deadline = time.monotonic() + 240
        while proc.poll() is None and not (run / pattern).exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert proc.poll() is None, "the run finished before the kill"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert _outputs(run) == _outputs(baseline) and len(_outputs(run)) == 2 * 2 * 16  # ingest and curate shards
    steps = orjson.loads((run / "02_curate" / "manifest.json").read_bytes())["timings"]["steps"]
    assert steps["score"]["resumed"] == 16 and steps["dedup_plan"]["resumed"] and steps["apply"]["resumed"] >= 1
