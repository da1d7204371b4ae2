"""``alchemist compare``: the paper's ablation table over several runs, with intervals and paired tests.

For every run: pass@1 per benchmark (base and, for HumanEval+/MBPP+, plus) with a 95% bootstrap interval over
tasks, and the mix it was trained on (AlchemistPrompt share, comprehension-task shares, sources). Against a
baseline run, each benchmark gets a paired test on the tasks both runs answered: McNemar's exact test on the
per-task outcomes when each task has one sample (greedy pass@1, the paper's setting), a paired bootstrap of the
per-task pass rates when tasks have several. So a difference of two tasks is not read as a win.

Results are read from what runs leave on disk: ``<run>/<nn>_evaluate/manifest.json`` names the evaluation
directory (``evaluate.out`` or the stage's own), whose ``<benchmark>/eval_results.json`` hold per-sample verdicts;
``<run>/<nn>_mix/manifest.json`` holds the mix composition. A directory of evaluation results alone (what
``alchemist evaluate CONFIG --out DIR`` writes) works as a run too.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

BOOTSTRAP_ROUNDS = 2000
COMPREHENSION_TASKS = ("evolution", "filtering", "review")


@dataclass
class RunResults:
    """What ``compare`` needs of one run: per-task outcomes and the mix composition."""

    name: str
    path: Path
    # benchmark -> metric ("base" / "plus") -> task id -> one bool per sample
    outcomes: dict[str, dict[str, dict[str, list[bool]]]] = field(default_factory=dict)
    composition: dict[str, Any] = field(default_factory=dict)


def _eval_dirs(run_dir: Path) -> list[Path]:
    """Directories holding ``<benchmark>/eval_results.json``: the evaluate stage's, or the directory itself."""
    dirs = []
    for manifest in sorted(run_dir.glob("[0-9][0-9]_*/manifest.json")):
        m = orjson.loads(manifest.read_bytes())
        if m.get("kind") == "evaluation" and m.get("dir"):
            dirs.append(Path(m["dir"]) if Path(m["dir"]).is_absolute() else run_dir / m["dir"])
    return dirs or [run_dir]


def load_run(run_dir: str | Path) -> RunResults:
    """Read a run's evaluation verdicts and mix composition; raises FileNotFoundError when it has no results."""
    path = Path(run_dir)
    run = RunResults(path.name, path)
    for directory in _eval_dirs(path):
        for results_file in sorted(directory.glob("*/eval_results.json")):
            doc = orjson.loads(results_file.read_bytes())
            benchmark = doc.get("benchmark") or results_file.parent.name
            metrics: dict[str, dict[str, list[bool]]] = {"base": {}, "plus": {}}
            for task_id, records in doc["eval"].items():
                metrics["base"][task_id] = [r.get("base_status") == "pass" for r in records]
                if any(r.get("plus_status") is not None for r in records):
                    metrics["plus"][task_id] = [r.get("plus_status") == "pass" for r in records]
            run.outcomes[benchmark] = {k: v for k, v in metrics.items() if v}
    if not run.outcomes:
        raise FileNotFoundError(f"{path}: no evaluation results (no <benchmark>/eval_results.json under its evaluate stage)")
    for manifest in sorted(path.glob("[0-9][0-9]_*/manifest.json")):
        m = orjson.loads(manifest.read_bytes())
        composition = (m.get("stats") or {}).get("composition")
        if composition:
            run.composition = {**composition, "alchemist_share": m["stats"].get("alchemist_share")}
    return run


# -- statistics ----------------------------------------------------------------------------------------------


def task_rates(outcomes: dict[str, list[bool]]) -> dict[str, float]:
    """Per-task pass@1 (the unbiased estimate with n samples is c / n)."""
    return {t: sum(v) / len(v) for t, v in outcomes.items() if v}


def bootstrap_interval(rates: list[float], seed: int = 0, rounds: int = BOOTSTRAP_ROUNDS) -> tuple[float, float]:
    """95% percentile bootstrap interval of the mean over tasks (tasks resampled with replacement)."""
    values = np.asarray(rates, dtype=float)
    if len(values) == 0:
        return (math.nan, math.nan)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(rounds, len(values)))].mean(axis=1)
    return float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


def mcnemar_exact(b: int, c: int) -> float:
    """Two-sided exact McNemar p-value for b and c discordant pairs (a binomial test of b against n=b+c, p=1/2)."""
    n = b + c
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(b, c) + 1)) / 2**n
    return min(1.0, 2 * tail)


def paired_bootstrap(diffs: list[float], seed: int = 0, rounds: int = BOOTSTRAP_ROUNDS) -> float:
    """Two-sided p-value of a mean paired difference: bootstrap of the centred differences (the null)."""
    values = np.asarray(diffs, dtype=float)
    if len(values) == 0 or not values.any():
        return 1.0
    observed = abs(values.mean())
    centred = values - values.mean()
    rng = np.random.default_rng(seed)
    means = centred[rng.integers(0, len(values), size=(rounds, len(values)))].mean(axis=1)
    return float((np.abs(means) >= observed - 1e-12).mean())


@dataclass
class Comparison:
    """One run against the baseline on one benchmark metric, over the tasks both answered."""

    tasks: int
    delta: float
    p_value: float
    test: str  # "mcnemar" or "paired-bootstrap"
    run_only: int = 0  # tasks only the run passes (McNemar's b)
    baseline_only: int = 0  # tasks only the baseline passes (c)


def compare_outcomes(run: dict[str, list[bool]], baseline: dict[str, list[bool]], seed: int = 0) -> Comparison:
    """The paired test of ``run`` against ``baseline`` on their common tasks."""
    common = sorted(set(run) & set(baseline))
    if all(len(run[t]) == 1 and len(baseline[t]) == 1 for t in common):
        b = sum(1 for t in common if run[t][0] and not baseline[t][0])
        c = sum(1 for t in common if baseline[t][0] and not run[t][0])
        delta = (b - c) / len(common) if common else 0.0
        return Comparison(len(common), delta, mcnemar_exact(b, c), "mcnemar", b, c)
    r, q = task_rates({t: run[t] for t in common}), task_rates({t: baseline[t] for t in common})
    diffs = [r[t] - q[t] for t in common]
    return Comparison(len(common), float(np.mean(diffs)) if diffs else 0.0, paired_bootstrap(diffs, seed),
                      "paired-bootstrap")


@dataclass
class BeforeAfter:
    """A trained model against its base on one benchmark metric: pass@1 of each, the paired test, and the
    tasks that flipped (first sample's verdict)."""

    benchmark: str
    metric: str
    base: float
    trained: float
    comparison: Comparison
    fixed: list[str]  # failed before training, pass after
    broken: list[str]  # passed before, fail after


def before_after(trained_dir: str | Path, baseline_dir: str | Path) -> list[BeforeAfter]:
    """Base vs trained per benchmark metric, from two evaluation directories (``<dir>/<benchmark>/eval_results.json``)."""
    trained, base = load_run(trained_dir), load_run(baseline_dir)
    out = []
    for bench, metrics in trained.outcomes.items():
        for metric, outcomes in metrics.items():
            theirs = (base.outcomes.get(bench) or {}).get(metric)
            if not theirs:
                continue
            common = sorted(set(outcomes) & set(theirs))
            out.append(BeforeAfter(
                bench, metric,
                base=float(np.mean(list(task_rates({t: theirs[t] for t in common}).values()))) if common else math.nan,
                trained=float(np.mean(list(task_rates({t: outcomes[t] for t in common}).values()))) if common else math.nan,
                comparison=compare_outcomes(outcomes, theirs),
                fixed=[t for t in common if outcomes[t][0] and not theirs[t][0]],
                broken=[t for t in common if theirs[t][0] and not outcomes[t][0]],
            ))
    return out


# -- the table -----------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One run's line: pass@1 with its interval per (benchmark, metric), and the comparison to the baseline."""

    run: RunResults
    cells: dict[tuple[str, str], tuple[float, float, float, int]]  # (mean, lo, hi, tasks)
    versus: dict[tuple[str, str], Comparison]


def build_rows(runs: list[RunResults], baseline: RunResults | None, seed: int = 0) -> list[Row]:
    """The comparison rows, the baseline's first."""
    rows = []
    for run in ([baseline] if baseline else []) + [r for r in runs if r is not baseline]:
        cells, versus = {}, {}
        for bench, metrics in run.outcomes.items():
            for metric, outcomes in metrics.items():
                rates = list(task_rates(outcomes).values())
                lo, hi = bootstrap_interval(rates, seed)
                cells[(bench, metric)] = (float(np.mean(rates)), lo, hi, len(rates))
                theirs = (baseline.outcomes.get(bench) or {}).get(metric) if baseline else None
                if baseline is not None and run is not baseline and theirs:
                    versus[(bench, metric)] = compare_outcomes(outcomes, theirs, seed)
        rows.append(Row(run, cells, versus))
    return rows


def _columns(rows: list[Row]) -> list[tuple[str, str]]:
    seen: dict[tuple[str, str], None] = {}
    for row in rows:
        for key in row.cells:
            seen.setdefault(key, None)
    return list(seen)


def _mix_summary(composition: dict[str, Any]) -> str:
    if not composition:
        return "-"
    by_task = composition.get("by_task") or {}
    total = sum(by_task.values()) or 1
    parts = []
    share = composition.get("alchemist_share")
    if share is not None:
        parts.append(f"AP {share * 100:.1f}%")
    parts += [f"{t} {by_task[t] / total * 100:.1f}%" for t in COMPREHENSION_TASKS if by_task.get(t)]
    sources = composition.get("by_source") or {}
    if sources:
        parts.append("sources " + ", ".join(sorted(sources)))
    return "; ".join(parts)


def _pct(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x * 100:.1f}"


def markdown_table(rows: list[Row], baseline: RunResults | None) -> str:
    """The ablation table in Markdown: pass@1 [95% CI] per benchmark metric, Δ and p against the baseline."""
    columns = _columns(rows)
    header = ["run", *[f"{b} {m}" for b, m in columns], "mix"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [row.run.name + (" (baseline)" if baseline is not None and row.run is baseline else "")]
        for key in columns:
            if key not in row.cells:
                cells.append("-")
                continue
            mean, lo, hi, _ = row.cells[key]
            text = f"{_pct(mean)} [{_pct(lo)}, {_pct(hi)}]"
            if key in row.versus:
                v = row.versus[key]
                text += f" Δ{v.delta * 100:+.1f} p={v.p_value:.3g}"
            cells.append(text)
        cells.append(_mix_summary(row.run.composition))
        lines.append("| " + " | ".join(cells) + " |")
    notes = ["", "pass@1 in %, [95% bootstrap interval over tasks]."]
    if baseline is not None:
        notes.append(
            f"Δ: difference to {baseline.name} on the tasks both answered; p: McNemar's exact test (one sample "
            "per task) or a paired bootstrap (several samples per task). p ≥ 0.05 is not evidence of a difference."
        )
    return "\n".join(lines + notes)


def _plot(rows: list[Row]) -> str:
    """A grouped bar chart with interval whiskers, as an inline PNG data URI."""
    import base64
    import io

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = _columns(rows)
    width = 0.8 / max(1, len(rows))
    fig, ax = plt.subplots(figsize=(max(6, 1.6 * len(columns)), 3.6))
    for i, row in enumerate(rows):
        xs = [j + i * width for j in range(len(columns))]
        means = [row.cells[c][0] * 100 if c in row.cells else 0 for c in columns]
        errs = [[max(0.0, (row.cells[c][0] - row.cells[c][1]) * 100) if c in row.cells else 0 for c in columns],
                [max(0.0, (row.cells[c][2] - row.cells[c][0]) * 100) if c in row.cells else 0 for c in columns]]
        ax.bar(xs, means, width, yerr=errs, capsize=3, label=row.run.name)
    ax.set_xticks([j + width * (len(rows) - 1) / 2 for j in range(len(columns))])
    ax.set_xticklabels([f"{b}\n{m}" for b, m in columns])
    ax.set_ylabel("pass@1 (%)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def html_page(rows: list[Row], baseline: RunResults | None) -> str:
    """``compare.html``: the plot and the table."""
    from alchemistcoder.report.style import CSS

    columns = _columns(rows)
    head = "".join(f"<th>{html.escape(f'{b} {m}')}</th>" for b, m in columns)
    body = []
    for row in rows:
        cells = []
        for key in columns:
            if key not in row.cells:
                cells.append("<td>-</td>")
                continue
            mean, lo, hi, n = row.cells[key]
            text = f"{_pct(mean)} <small>[{_pct(lo)}, {_pct(hi)}] n={n}</small>"
            if key in row.versus:
                v = row.versus[key]
                cls = "ok" if v.p_value < 0.05 and v.delta > 0 else "bad" if v.p_value < 0.05 else "note"
                text += f"<br><span class='{cls}'>Δ{v.delta * 100:+.1f} p={v.p_value:.3g} ({v.test})</span>"
            cells.append(f"<td class='num'>{text}</td>")
        name = html.escape(row.run.name) + (" (baseline)" if baseline is not None and row.run is baseline else "")
        body.append(f"<tr><td>{name}</td>{''.join(cells)}<td>{html.escape(_mix_summary(row.run.composition))}</td></tr>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>compare</title><style>{CSS}</style></head><body>"
        f"<h1>Runs compared</h1><img alt='pass@1 per run' src='{_plot(rows)}'>"
        f"<table><tr><th>run</th>{head}<th>mix</th></tr>{''.join(body)}</table>"
        "<p class='note'>pass@1 in %, [95% bootstrap interval over tasks]. Δ and p against the baseline on the "
        "tasks both answered: McNemar's exact test with one sample per task, else a paired bootstrap.</p>"
        "</body></html>"
    )


def compare_runs(
    run_dirs: list[str | Path], baseline: str | Path | None = None, out: str | Path | None = None, seed: int = 0
) -> str:
    """Load the runs, build the table; write ``compare.html`` (and ``compare.md``) into ``out`` when given.

    Without ``baseline`` the first run is the baseline. Returns the Markdown table.
    """
    runs = [load_run(d) for d in run_dirs]
    # a baseline that is also among the runs (runs/ablation/* with --baseline runs/ablation/x) is one row
    same = [r for r in runs if baseline is not None and r.path.resolve() == Path(baseline).resolve()]
    base = same[0] if same else load_run(baseline) if baseline is not None else (runs[0] if runs else None)
    rows = build_rows(runs, base, seed)
    table = markdown_table(rows, base)
    if out is not None:
        from alchemistcoder.io import atomic_open

        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
        with atomic_open(target / "compare.html", "w") as fh:
            fh.write(html_page(rows, base))
        with atomic_open(target / "compare.md", "w") as fh:
            fh.write(table + "\n")
    return table
