"""The package works outside this workspace: built as a wheel, installed into a fresh virtual environment in a
temporary directory with no checkout and no ``../shared`` beside it, it evaluates a benchmark, decontaminates
samples and runs the pipeline on its packaged demo.

The fresh environment reuses the development environment's installed dependencies through a ``.pth`` line
(installing torch and the rest again would take minutes and gigabytes); the package itself comes only from
the wheel, and ``ALCHEMIST_SHARED_DATA`` is unset, so the benchmarks come from the packaged copy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(argv)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A fresh venv with the wheel installed; returns its bin directory and the environment to run it in."""
    root = tmp_path_factory.mktemp("clean")
    env = {k: v for k, v in os.environ.items() if k not in ("ALCHEMIST_SHARED_DATA", "PYTHONPATH", "VIRTUAL_ENV")}
    wheels = root / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(wheels),
          str(REPO)], cwd=root, env=env)
    (wheel,) = wheels.glob("alchemistcoder-*.whl")
    venv = root / "venv"
    _run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip", str(venv)], cwd=root, env=env)
    py = venv / "bin" / "python"
    site = Path(_run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root, env).stdout.strip())
    # the dependencies of this environment, not its editable checkout (a .pth line adds a directory without
    # running that directory's own .pth files, so the editable finder is not activated)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    _run([str(py), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)], cwd=root, env=env)
    where = _run([str(py), "-c", "import alchemistcoder; print(alchemistcoder.__file__)"], root, env).stdout
    assert where.startswith(str(venv)), where  # the installed wheel, not the checkout
    work = root / "work"
    work.mkdir()
    return venv / "bin", {**env, "HOME": env.get("HOME", str(root))}


def test_evaluate_on_packaged_humaneval_plus(installed, tmp_path):
    bin_dir, env = installed
    from alchemistcoder.benchmarks import load_benchmark

    tasks = load_benchmark("humaneval+")[:4]
    samples = tmp_path / "samples.jsonl"
    samples.write_text("".join(json.dumps({"task_id": t.task_id, "solution": t.prompt + t.canonical_solution}) + "\n"
                               for t in tasks))
    _run([str(bin_dir / "alchemist"), "score", "--benchmark", "humaneval+", "--samples", str(samples)],
         cwd=tmp_path, env=env)
    doc = json.loads((tmp_path / "eval_results.json").read_text())
    assert set(doc["eval"]) == {t.task_id for t in tasks}
    statuses = [(r["base_status"], r["plus_status"]) for t in tasks for r in doc["eval"][t.task_id]]
    assert statuses == [("pass", "pass")] * 4


def test_decontaminate_against_the_packaged_benchmarks(installed, tmp_path):
    bin_dir, env = installed
    from alchemistcoder.benchmarks import load_benchmark

    leak = load_benchmark("humaneval")[0]
    rows = [
        {"id": "leak", "instruction": leak.prompt, "response": leak.prompt + leak.canonical_solution},
        {"id": "clean", "instruction": "Write a function that reverses a linked list in place.",
         "response": "def reverse(head):\n    prev = None\n    while head:\n        head.next, prev, head = prev, head, head.next\n    return prev\n"},
    ]
    data = tmp_path / "in.jsonl"
    data.write_text("".join(json.dumps(r) + "\n" for r in rows))
    _run([str(bin_dir / "alchemist"), "decontaminate", str(data), "--out", str(tmp_path / "out")], cwd=tmp_path, env=env)
    rejected = [json.loads(line) for line in (tmp_path / "out" / "rejected.jsonl").read_text().splitlines() if line]
    assert [r["id"] for r in rejected] == ["leak"]


def test_run_on_the_packaged_demo(installed, tmp_path):
    bin_dir, env = installed
    config = tmp_path / "demo.yaml"
    config.write_text(
        "run: {out: run, executor: inprocess}\n"
        "sources:\n"
        "  - {name: terse, path: 'pkg://alchemistcoder/demo/terse.jsonl', format: alpaca, language: python}\n"
        "  - {name: tutor, path: 'pkg://alchemistcoder/demo/tutor.jsonl', format: messages, language: python}\n"
        "evolve: {enabled: false}\n"
        "harmonize: {writer: template, fraction: 0.2}\n"
        "comprehend: {review: {enabled: false}}\n"
        "train: {enabled: false}\neval: {enabled: false}\n"
    )
    done = _run([str(bin_dir / "alchemist"), "run", str(config), "-q"], cwd=tmp_path, env=env)
    assert "report:" in done.stdout
    assert (tmp_path / "run" / "dataset" / "train.jsonl").stat().st_size > 0
    assert (tmp_path / "run" / "report.html").exists()
