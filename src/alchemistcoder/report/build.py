"""One self-contained HTML report per run, made from the run directory alone.

Everything the report shows is read from what the stages left on disk: manifests, kept and rejected
shards, the exported mix, the train log and the evaluation results. Plots are PNGs drawn with matplotlib
(Agg, no display) and inlined as data URIs, so ``report.html`` opens anywhere with no other file. After the
overview and the rejects, each stage of the stage list (``pipeline/stages.py``) that names a section
(``StageSpec.report``) has one, in the list's order; a section whose stage did not run says so instead of
disappearing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.io import atomic_open, read_jsonl
from alchemistcoder.records import Sample
from alchemistcoder.report.html import barh, esc, note, plot_png, pre, table
from alchemistcoder.report.sources_section import section_sources
from alchemistcoder.report.style import CSS
from alchemistcoder.report.verify_section import section_verify

# -- reading the run ---------------------------------------------------------------------------------


def _json(path: Path) -> Any:
    return orjson.loads(path.read_bytes()) if path.exists() else None


def _stage_name(directory: Path) -> str:
    """The stage a directory ``<nn>_<stage>`` belongs to."""
    return directory.name.split("_", 1)[1]


def _stage_dirs(run_dir: Path) -> dict[str, Path]:
    """The stage directories of a run, by stage name, in run order."""
    return {_stage_name(p): p for p in sorted(run_dir.glob("[0-9][0-9]_*")) if p.is_dir()}


@dataclass(frozen=True)
class StageView:
    """What a stage's section of the report reads: the stage's name, its directory and manifest (None when it
    did not run here), every stage that ran (name -> directory and manifest, in run order), how many
    examples to show, and the executor for statistics per shard."""

    name: str
    dir: Path | None
    manifest: dict[str, Any] | None
    dirs: dict[str, Path]
    manifests: dict[str, dict[str, Any]]
    examples: int
    executor: Any

    def next_with_same_samples(self) -> Path | None:
        """The directory of the stage that ran after this one when its shards, kept and rejected, hold exactly
        the samples this one kept (it created none and read as many): curate's, after ingest, with the code
        facts it recorded in ``meta``."""
        names = list(self.dirs)
        if self.name not in names or names.index(self.name) + 1 == len(names):
            return None
        following = names[names.index(self.name) + 1]
        counts = (self.manifests.get(following) or {}).get("counts") or {}
        kept = ((self.manifest or {}).get("counts") or {}).get("kept")
        return self.dirs[following] if counts.get("created") == 0 and counts.get("in") == kept else None


def _samples(directory: Path | None, kind: str = "shard", where: Callable[[dict[str, Any]], bool] | None = None,
             ) -> Iterator[Sample]:
    """A stage's kept (``shard``) or ``rejected`` samples, one at a time: the report never holds a stage.
    ``where`` picks rows before they are decoded (decoding a Sample's trace is most of the cost)."""
    if directory is None:
        return
    for p in sorted(directory.glob(f"{kind}-*.jsonl.gz")):
        for row in read_jsonl(p):
            if where is None or where(row):
                yield Sample.from_dict(row)


def _stats(manifest: dict[str, Any] | None, *path: str) -> Any:
    """``manifest["stats"][path...]``, or None when a stage (of an older version) did not record it."""
    value: Any = (manifest or {}).get("stats")
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


# -- sections ----------------------------------------------------------------------------------------


def _sum_keys(value: Any, keys: tuple[str, ...]) -> float:
    """Sum of the numbers stored under ``keys`` anywhere in a nested stats dict (LLM usage of a stage)."""
    if isinstance(value, dict):
        return sum(
            (v if k in keys and isinstance(v, (int, float)) and not isinstance(v, bool) else _sum_keys(v, keys))
            for k, v in value.items()
        )
    return 0


def section_overview(run: dict[str, Any] | None, manifests: dict[str, dict[str, Any]]) -> str:
    rows = []
    statuses = {s["name"]: s["status"] for s in (run or {}).get("stages", [])}
    for name, status in statuses.items():
        m = manifests.get(name) or {}
        c = m.get("counts") or {}
        stats = m.get("stats") or {}
        tokens = _sum_keys(stats, ("prompt_tokens", "completion_tokens")) or ""
        cost = _sum_keys(stats, ("cost_usd",))
        rows.append(
            [
                name,
                status,
                c.get("in", ""),
                c.get("created", ""),
                c.get("kept", ""),
                c.get("rejected_here", ""),
                "" if not c else "yes" if c.get("balanced") else "NO",
                tokens,
                f"${cost:.4f}" if cost else "",
                (m.get("timings") or {}).get("seconds", ""),
            ]
        )
    if not rows:
        return "<h2>Stages</h2>" + note("No run.json in this directory: the run has not finished a pass yet.")
    steps = [
        f"{name}: " + ", ".join(f"{step} {s.get('seconds', 0):.1f} s on the {s.get('where', '?')}"
                                     for step, s in m["timings"]["steps"].items())
        for name, m in manifests.items() if statuses.get(name) in ("ran", "resumed") and (m.get("timings") or {}).get("steps")
    ]
    return "<h2>Stages</h2>" + table(
        ["stage", "status", "in", "created", "kept", "rejected here", "in+created = kept+rejected", "tokens", "cost", "seconds"],
        rows,
        numeric={2, 3, 4, 5, 7, 8, 9},
    ) + (note("Steps (map steps on the executor, reduce steps on the driver): " + "; ".join(steps)) if steps else "")


def report_sources(view: StageView) -> str:
    """The source stage's section: profiles of what it read."""
    return section_sources(view.dir, view.next_with_same_samples(), view.executor)


def _largest_first(counts: Counter[str]) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def report_mix(view: StageView) -> str:
    return section_mix(view.dir, view.manifest)


def section_mix(mix_dir: Path | None, manifest: dict[str, Any] | None) -> str:
    out = "<h2>Composition of the final mix</h2>"
    if mix_dir is None or manifest is None:
        return out + note("The mix stage did not run.")
    export = manifest.get("export") or {}
    composition = _stats(manifest, "composition")
    if composition and "counts" in export:  # what the mix drew and exported, recorded in its manifest
        by_task, by_source = Counter(composition["by_task"]), Counter(composition["by_source"])
        split = Counter(export["counts"])
    else:
        by_task, by_source, split = Counter(), Counter(), Counter()
        for s in _samples(mix_dir):
            by_task[s.task] += 1
            by_source[s.source] += 1
            split[s.meta.get("split", "train")] += 1
    out += f"<p>{sum(by_task.values())} samples: {split.get('train', 0)} train, {split.get('validation', 0)} validation.</p>"
    if export.get("dir"):
        out += f"<p>Exported to <code>{esc(export['dir'])}</code> (JSONL, Parquet, HF dataset, data card README.md).</p>"
    share = (manifest.get("stats") or {}).get("alchemist_share")
    if share is not None:
        out += f"<p>AlchemistPrompt share of the mix: {share:.1%}.</p>"
    out += '<div class="pair"><div>' + barh(_largest_first(by_task), "by task") + "</div><div>"
    out += barh(_largest_first(by_source), "by source", "#f58518") + "</div></div>"
    return out


def section_rejects(manifests: dict[str, dict[str, Any]]) -> str:
    out = "<h2>Rejects by reason</h2>"
    totals: Counter[str] = Counter()
    rows = []
    for stage, m in manifests.items():
        for reason, n in (m.get("rejects_by_reason") or {}).items():
            totals[f"{stage}: {reason}"] += n
            rows.append([stage, reason, n])
    if not rows:
        return out + note("No stage rejected anything (or none ran).")
    return out + table(["stage", "reason", "samples"], rows, {2}) + barh(dict(totals), "rejected samples", "#e45756")


def _is_contamination(event: Any) -> bool:
    text = f"{event.reason} {event.op}".lower()
    return "contamin" in text or "decontam" in text


def _contamination_row(row: dict[str, Any]) -> bool:
    """A rejected row that some contamination event rejected (checked before the row is decoded)."""
    return any(e.get("verdict") == "reject" and "contamin" in f"{e.get('reason')} {e.get('op')}".lower()
               for e in row.get("trace") or ())


def report_decontamination(view: StageView) -> str:
    return section_decontamination(view.dir, view.examples)


def report_verify(view: StageView) -> str:
    return section_verify(view.dir, view.examples, view.manifest)


def section_decontamination(curate_dir: Path | None, limit: int) -> str:
    out = "<h2>Decontamination hits</h2>"
    if curate_dir is None:
        return out + note("Curation did not run, so nothing was checked against the benchmarks.")
    hits = [s for s in _samples(curate_dir, "rejected", where=_contamination_row)
            if s.rejection is not None and _is_contamination(s.rejection)]
    if not hits:
        return out + note("No sample matched a benchmark task.")
    by_bench: Counter[str] = Counter()
    rows = []
    for s in hits:
        p = s.rejection.params if s.rejection else {}
        task = p.get("task_id") or p.get("benchmark_task") or p.get("match") or ""
        by_bench[str(p.get("benchmark") or (str(task).split("/")[0] if task else "?"))] += 1
        # the signals side by side: n-gram score, the meaning-level cosine, tests passed, the judge's answer
        sc, judge = p.get("scores") or {}, (p.get("scores") or {}).get("judge") or {}
        tests = f"{sc['tests_passed']}/{sc['tests_total']}" if "tests_total" in sc else sc.get("tests", "")
        rows.append([s.id, s.source, task, p.get("signal") or p.get("signals") or "", "" if "cosine" in sc else
                     p.get("score", ""), sc.get("cosine", ""), tests, f"{judge['same']}: {judge['reason']}"[:120]
                     if judge else "", s.instruction[:120]])
    out += f"<p>{len(hits)} samples removed as benchmark contamination.</p>"
    out += table(["sample", "source", "matched task", "signal", "n-gram score", "cosine", "tests passed", "judge",
                  "instruction"], rows[: max(limit * 5, 10)])
    return out + barh(dict(by_bench), "hits by benchmark", "#b279a2")


def _alchemist_before_after(s: Sample, originals: dict[str, Sample], stage: str) -> tuple[str, str]:
    for e in s.trace:
        if (e.stage == stage or "alchem" in e.op) and isinstance(e.before, str) and isinstance(e.after, str):
            return e.before, e.after
    for e in s.trace:
        if e.verdict == "create":
            for p in _parents(e):
                if p in originals:
                    return originals[p].instruction, s.instruction
    return "(original not recorded)", s.instruction


def _parents(event: Any) -> list[str]:
    parents = event.params.get("parents") or []
    return [parents] if isinstance(parents, str) else list(parents)


def report_alchemist(view: StageView) -> str:
    return section_alchemist(view.dir, view.examples, view.manifest)


def section_alchemist(harmonize_dir: Path | None, limit: int, manifest: dict[str, Any] | None = None) -> str:
    out = "<h2>AlchemistPrompt examples</h2>"
    if harmonize_dir is None:
        return out + note("The harmonize stage did not run: no AlchemistPrompts in this run.")
    recorded = _stats(manifest, "harmonize", "by_writer")
    writers: Counter[str] = Counter(recorded or {})
    custom: list[Sample] = []  # the first ``limit`` customized samples, shown
    for s in _samples(harmonize_dir, where=lambda row: row.get("task") == "alchemist"):
        if recorded is None:
            writers[str(next((e.params.get("writer") for e in s.trace if e.params.get("writer")), "?"))] += 1
        if len(custom) < limit:
            custom.append(s)
        elif recorded is not None:
            break  # the counts are in the manifest: the examples are all this pass is for
    if not custom:
        return out + note("Harmonize ran but customized no sample.")
    # a second pass for the originals of the samples shown (their instructions before the prompt), which
    # stops once it has them all
    parents = {p for s in custom for e in s.trace if e.verdict == "create" for p in _parents(e)}
    originals: dict[str, Sample] = {}
    for s in _samples(harmonize_dir, where=lambda row: row.get("id") in parents) if parents else ():
        originals[s.id] = s
        if len(originals) == len(parents):
            break
    out += f"<p>{sum(writers.values())} customized samples; writers: {esc(dict(writers))}.</p>"
    for s in custom:
        before, after = _alchemist_before_after(s, originals, _stage_name(harmonize_dir))
        out += f"<h3>{esc(s.id)} <small>({esc(s.source)})</small></h3>"
        out += f'<div class="pair"><div><b>before</b>{pre(before, 800)}</div><div><b>after</b>{pre(after, 800)}</div></div>'
    return out


def report_comprehension(view: StageView) -> str:
    return section_comprehension(view.dir, view.examples, view.manifest)


def section_comprehension(comprehend_dir: Path | None, limit: int, manifest: dict[str, Any] | None = None) -> str:
    out = "<h2>Code-comprehension tasks</h2>"
    if comprehend_dir is None:
        return out + note("The comprehend stage did not run.")
    tasks = ("evolution", "filtering", "review")
    recorded = _stats(manifest, "comprehend", "tasks")
    counts: Counter[str] = Counter({t: n for t, n in (recorded or {}).items() if n})
    shown: dict[str, list[Sample]] = defaultdict(list)  # the first few of each task
    per_task = max(1, limit // 2)
    for s in _samples(comprehend_dir, where=lambda row: row.get("task") in tasks):
        if recorded is None:
            counts[s.task] += 1
        if len(shown[s.task]) < per_task:
            shown[s.task].append(s)
        elif recorded is not None and all(len(shown[t]) >= min(per_task, counts[t]) for t in tasks):
            break  # the counts are in the manifest and every task has its examples
    if not counts:
        return out + note("The comprehend stage made no task samples.")
    out += table(["task", "samples"], [[t, n] for t, n in sorted(counts.items())], {1})
    for task, group in sorted(shown.items()):
        for s in group:
            out += f"<h3>{esc(task)}: {esc(s.id)}</h3>"
            out += f'<div class="pair"><div><b>instruction</b>{pre(s.instruction, 900)}</div><div><b>response</b>{pre(s.response, 900)}</div></div>'
    return out


def _loss_points(train_manifest: dict[str, Any]) -> list[tuple[float, float]]:
    """(step, loss) pairs from the train stage's log: a JSONL log, or a trainer_state.json under the checkpoint."""
    candidates = []
    for key in ("log", "log_file", "loss_log", "metrics"):
        if train_manifest.get(key):
            candidates.append(Path(train_manifest[key]))
    ckpt = train_manifest.get("checkpoint") or train_manifest.get("output_dir")
    if ckpt:
        candidates += sorted(Path(ckpt).rglob("trainer_state.json"))
        candidates += sorted(Path(ckpt).rglob("*.jsonl"))
    points: list[tuple[float, float]] = []
    for path in candidates:
        if not path.is_file():
            continue
        try:
            rows = (_json(path) or {}).get("log_history", []) if path.suffix == ".json" else list(read_jsonl(path))
        except Exception:
            continue
        points = [(float(r.get("step", i)), float(r["loss"])) for i, r in enumerate(rows) if isinstance(r, dict) and "loss" in r]
        if points:
            break
    return points


def report_training(view: StageView) -> str:
    return section_training(view.manifest)


def section_training(manifest: dict[str, Any] | None) -> str:
    out = "<h2>Training</h2>"
    if manifest is None:
        return out + note("The train stage did not run.")
    facts = [[k, v] for k, v in manifest.items() if isinstance(v, (str, int, float)) and k not in ("stage", "kind")]
    out += table(["", ""], facts)
    points = _loss_points(manifest)
    if not points:
        return out + note("No loss log found for this training run.")

    def draw(ax: Any) -> None:
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", ms=3)
        ax.set_xlabel("step")
        ax.set_ylabel("training loss")
        ax.set_title("Training loss")

    return out + plot_png(draw)


def _eval_results(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """Per-benchmark result dicts from the evaluate manifest (inline, or a results JSON file it names)."""
    res = manifest.get("results")
    if isinstance(res, str) and Path(res).is_file():
        res = _json(Path(res))
    if isinstance(res, dict):
        if "benchmark" in res:
            return [res]
        return [{"benchmark": k, **v} if isinstance(v, dict) else {"benchmark": k, "pass@1": v} for k, v in res.items()]
    if isinstance(res, list):
        return [r for r in res if isinstance(r, dict)]
    return []


def _fmt(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def report_evaluate(view: StageView) -> str:
    return section_eval(view.manifest)


def section_eval(manifest: dict[str, Any] | None) -> str:
    out = "<h2>Evaluation</h2>"
    if manifest is None:
        return out + note("The evaluate stage did not run.")
    results = _eval_results(manifest)
    if not results:
        return out + note("The evaluate stage left no results.")
    rows, errors = [], Counter()
    for r in results:
        base = r.get("base") if isinstance(r.get("base"), dict) else {}
        plus = r.get("plus") if isinstance(r.get("plus"), dict) else {}
        score = base.get("pass@1", r.get("pass@1", r.get("pass_at_1", "")))
        plus_score = plus.get("pass@1", "")
        rows.append([r.get("benchmark", "?"), r.get("tasks", r.get("n", "")), _fmt(score), _fmt(plus_score)])
        for k, v in (r.get("error_classes") or r.get("errors") or {}).items():
            if k != "passed":
                errors[f"{k}"] += v
    out += table(["benchmark", "tasks", "pass@1", "pass@1 (plus tests)"], rows, {1, 2, 3})
    out += section_before_after(manifest)
    if errors:
        out += "<h3>Error classes</h3>" + table(["class", "samples"], [[k, v] for k, v in errors.most_common()], {1})
        out += barh(dict(errors), "failures by error class", "#72b7b2")
    return out


def section_before_after(manifest: dict[str, Any]) -> str:
    """Base model vs trained model (``evaluate.baseline``), with the paired test and the tasks that flipped."""
    baseline = manifest.get("baseline")
    if not isinstance(baseline, dict) or not baseline.get("dir") or not manifest.get("dir"):
        return ""
    from alchemistcoder.report.compare import before_after

    try:
        rows = before_after(manifest["dir"], baseline["dir"])
    except FileNotFoundError:
        return note("The baseline's results are no longer on disk.")
    body = []
    for r in rows:
        c = r.comparison
        body.append([f"{r.benchmark} {r.metric}", _fmt(r.base), _fmt(r.trained), f"{c.delta * 100:+.1f}",
                     f"{c.p_value:.3g} ({c.test})", ", ".join(r.fixed) or "-", ", ".join(r.broken) or "-"])
    head = f"<h3>Before and after training (baseline: {esc(baseline.get('model'))})</h3>"
    return head + table(["benchmark", "base pass@1", "trained pass@1", "Δ (points)", "p", "fixed by training",
                         "broken by training"], body, {1, 2, 3}) + note(
        "p: McNemar's exact test on per-task outcomes (one sample per task) or a paired bootstrap; p ≥ 0.05 is "
        "no evidence of a difference.")


# -- the page ----------------------------------------------------------------------------------------


def render_report(run_dir: Path, cfg: Any = None) -> str:
    """The report of ``run_dir`` as one HTML string; its per-shard statistics run on ``cfg.run.executor``."""
    from alchemistcoder.pipeline.executors import InProcessExecutor, make_executor

    run_settings = getattr(cfg, "run", None)
    executor = make_executor(run_settings) if run_settings is not None else InProcessExecutor()
    try:
        return _render(Path(run_dir), cfg, executor)
    finally:
        executor.close()


def _render(run_dir: Path, cfg: Any, executor: Any) -> str:
    from alchemistcoder.pipeline.stages import DEFAULT_STAGES
    from alchemistcoder.stage import resolve_function

    run = _json(run_dir / "run.json")
    dirs = _stage_dirs(run_dir)
    ran = {s["name"] for s in (run or {}).get("stages", []) if s["status"] not in ("disabled", "not_run")} if run else set(dirs)
    dirs = {k: v for k, v in dirs.items() if k in ran and (v / "manifest.json").exists()}
    manifests = {k: _json(v / "manifest.json") for k, v in dirs.items()}
    examples = getattr(getattr(cfg, "report", None), "examples", 3)
    title = getattr(getattr(cfg, "report", None), "title", None) or f"alchemist run: {run_dir.resolve().name}"
    body = [
        f"<h1>{esc(title)}</h1>",
        f"<p class=\"note\">{esc(run_dir.resolve())} · finished {esc((run or {}).get('finished', '?'))}</p>",
        section_overview(run, manifests),
        section_rejects(manifests),
        *(resolve_function(spec.report)(StageView(spec.name, dirs.get(spec.name), manifests.get(spec.name), dirs,
                                                  manifests, examples, executor))
          for spec in DEFAULT_STAGES if spec.report is not None),
    ]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>"
    )


def write_report(run_dir: str | Path, cfg: Any = None) -> Path:
    """Render and write ``<run_dir>/report.html`` (atomically); returns its path."""
    path = Path(run_dir) / "report.html"
    text = render_report(Path(run_dir), cfg)
    with atomic_open(path, "w") as fh:
        fh.write(text)
    return path
