"""`alchemist compare`: the ablation table with intervals and paired tests, on fabricated per-task outcomes
whose right p-values are known (the statistics are the point here; the files are in the real layouts)."""

from __future__ import annotations

import math
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from alchemistcoder.cli import app
from alchemistcoder.report.compare import (
    bootstrap_interval,
    compare_outcomes,
    compare_runs,
    load_run,
    mcnemar_exact,
    paired_bootstrap,
)


def _write_run(run: Path, benchmark: str, passes: dict[str, list[bool]], plus: bool = False,
               composition: dict | None = None) -> Path:
    """A run directory as the pipeline leaves it: an eval stage manifest naming its directory, the
    benchmark's eval_results.json, and a mix manifest with the composition."""
    eval_dir = run / "09_evaluate"
    bench_dir = eval_dir / benchmark.replace("+", "plus")
    bench_dir.mkdir(parents=True)
    records = {t: [{"base_status": "pass" if ok else "fail", "plus_status": ("pass" if ok else "fail") if plus else None}
                   for ok in oks] for t, oks in passes.items()}
    (bench_dir / "eval_results.json").write_bytes(orjson.dumps({"benchmark": benchmark, "eval": records}))
    (eval_dir / "manifest.json").write_bytes(orjson.dumps({"stage": "evaluate", "kind": "evaluation", "dir": str(eval_dir)}))
    mix = run / "07_mix"
    mix.mkdir()
    stats = {"composition": composition or {"by_task": {"codegen": 90, "filtering": 10}, "by_source": {"a": 100}},
             "alchemist_share": 0.05}
    (mix / "manifest.json").write_bytes(orjson.dumps({"stage": "mix", "kind": "global", "stats": stats}))
    return run


def test_mcnemar_exact_matches_the_binomial_by_hand():
    # b=10, c=2: two-sided 2 * P(X <= 2 | n=12, p=1/2) = 2 * (1 + 12 + 66) / 4096
    assert mcnemar_exact(10, 2) == pytest.approx(2 * 79 / 4096)
    assert mcnemar_exact(2, 10) == mcnemar_exact(10, 2)
    assert mcnemar_exact(0, 0) == 1.0 and mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(6, 0) == pytest.approx(2 / 64)


def test_a_two_task_difference_is_not_a_win():
    tasks = [f"T/{i}" for i in range(100)]
    base = {t: [i < 50] for i, t in enumerate(tasks)}
    run = {t: [i < 52] for i, t in enumerate(tasks)}  # two more tasks pass, none fewer
    v = compare_outcomes(run, base)
    assert v.test == "mcnemar" and (v.run_only, v.baseline_only) == (2, 0) and v.tasks == 100
    assert v.delta == pytest.approx(0.02) and v.p_value == pytest.approx(0.5)  # 2 * (1/2)^2
    strong = {t: [i < 70] for i, t in enumerate(tasks)}
    p = compare_outcomes(strong, base).p_value
    assert p == pytest.approx(2 / 2**20) and p < 1e-5


def test_several_samples_per_task_use_a_paired_bootstrap():
    tasks = [f"T/{i}" for i in range(60)]
    base = {t: [False, False, True, False] for t in tasks}
    same = {t: [True, False, False, False] for t in tasks}
    better = {t: [True, True, True, False] for t in tasks}
    assert compare_outcomes(same, base).p_value == 1.0  # identical per-task rates
    v = compare_outcomes(better, base)
    assert v.test == "paired-bootstrap" and v.delta == pytest.approx(0.5)
    # every task improves by the same amount: the centred differences are all zero, so no bootstrap mean
    # reaches the observed one
    assert v.p_value == 0.0
    noisy = [0.25, -0.25] * 30
    assert paired_bootstrap(noisy) == pytest.approx(1.0)


def test_bootstrap_interval_brackets_the_mean():
    rates = [1.0] * 30 + [0.0] * 70
    lo, hi = bootstrap_interval(rates)
    assert lo < 0.3 < hi and lo > 0.18 and hi < 0.42
    assert bootstrap_interval([1.0] * 10) == (1.0, 1.0)
    assert all(math.isnan(x) for x in bootstrap_interval([]))


def test_compare_runs_reads_run_directories_and_writes_the_table(tmp_path):
    tasks = [f"HumanEval/{i}" for i in range(40)]
    base = _write_run(tmp_path / "directly-mix", "humaneval+", {t: [i < 10] for i, t in enumerate(tasks)}, plus=True)
    full = _write_run(tmp_path / "full", "humaneval+", {t: [i < 22] for i, t in enumerate(tasks)}, plus=True,
                      composition={"by_task": {"codegen": 80, "alchemist": 5, "evolution": 5, "filtering": 5,
                                               "review": 5}, "by_source": {"evol": 50, "alpaca": 50}})
    run = load_run(full)
    assert set(run.outcomes["humaneval+"]) == {"base", "plus"} and run.composition["alchemist_share"] == 0.05
    table = compare_runs([base, full], out=tmp_path / "cmp")
    lines = table.splitlines()
    assert lines[0].startswith("| run | humaneval+ base | humaneval+ plus | mix |")
    assert "directly-mix (baseline)" in lines[2] and "25.0 [" in lines[2]
    p = mcnemar_exact(12, 0)
    assert lines[3].startswith("| full |") and f"Δ+30.0 p={p:.3g}" in lines[3]
    assert "evolution 5.0%" in lines[3] and "sources alpaca, evol" in lines[3]
    page = (tmp_path / "cmp" / "compare.html").read_text()
    assert "data:image/png;base64," in page and "mcnemar" in page

    res = CliRunner().invoke(app, ["compare", str(full), "--baseline", str(base)])
    assert res.exit_code == 0 and f"p={p:.3g}" in res.output
    # runs/ablation/* --baseline runs/ablation/directly-mix: the baseline is one row, not two
    table = compare_runs([base, full], baseline=base)
    assert [line.split(" |")[0] for line in table.splitlines()[2:4]] == ["| directly-mix (baseline)", "| full"]
    res = CliRunner().invoke(app, ["compare", str(tmp_path / "nothing")])
    assert res.exit_code == 2 and "no evaluation results" in res.output
