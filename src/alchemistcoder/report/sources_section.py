"""The report's source-profile section: style statistics of every ingested sample, by source, counted per
shard file on the run's executor."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alchemistcoder.io import read_jsonl
from alchemistcoder.records import Sample
from alchemistcoder.report.html import note, plot_png, table


def _profile_file(path: str) -> dict[str, Any]:
    """Map step of the source profiles: the profile figures of one shard file, by source."""
    from alchemistcoder.ingest.profile import profile_counts

    return profile_counts(Sample.from_dict(row) for row in read_jsonl(Path(path)))


def source_profiles(ingest_dir: Path, curate_dir: Path | None, executor: Any) -> dict[str, Any]:
    """Profile figures by source of every ingested sample, counted per shard file on ``executor`` and merged
    in file order here (no Sample is held on this side).

    ``curate_dir`` is the stage after ingest when its shards hold the same samples as ingest's kept ones
    (``StageView.next_with_same_samples``: curate's, with their code facts recorded in ``meta["code"]``), so
    those are read instead and no code is extracted again; ingest's rejects come from ingest.
    """
    from alchemistcoder.ingest.profile import ProfileCounts

    files = (sorted(curate_dir.glob("shard-*.jsonl.gz")) + sorted(curate_dir.glob("rejected-*.jsonl.gz"))
             if curate_dir is not None else sorted(ingest_dir.glob("shard-*.jsonl.gz")))
    files += sorted(ingest_dir.glob("rejected-*.jsonl.gz"))
    results = dict(executor.run_tasks(_profile_file, [(i, (str(f),)) for i, f in enumerate(files)]))
    merged: dict[str, Any] = {}
    for i in range(len(files)):
        for name, counts in results[i].items():
            merged.setdefault(name, ProfileCounts()).merge(counts)
    return merged


def section_sources(ingest_dir: Path | None, curate_dir: Path | None, executor: Any) -> str:
    out = "<h2>Source profiles</h2>"
    counts = source_profiles(ingest_dir, curate_dir, executor) if ingest_dir is not None else {}
    if not counts:
        return out + note("Ingest did not run in this run directory.")
    profiles = {name: c.summary() for name, c in counts.items()}
    rows = []
    for name in sorted(profiles):
        p = profiles[name]
        langs = ", ".join(f"{k} {v:.0%}" for k, v in list(p["languages"].items())[:3])
        rows.append([
            name, p["samples"], int(p["response_chars"]["p50"]), int(p["instruction_chars"]["p50"]),
            f"{p['code_share']:.0%}", f"{p['fenced_code_share']:.0%}", p["prose_to_code"] if p["prose_to_code"] is not None else "-",
            langs, f"{p['docstring_share']:.0%}", f"{p['tests_share']:.0%}", f"{p['shows_output_share']:.0%}",
        ])
    out += table(
        ["source", "samples", "median response chars", "median instruction chars", "with code", "fenced",
         "prose/code", "languages (of code)", "docstrings", "tests", "shows output"],
        rows, {1, 2, 3, 6},
    )

    def draw(ax: Any) -> None:
        names = sorted(counts)
        ax.boxplot([[max(1, n) for n in counts[name].response_chars] for name in names], orientation="horizontal",
                   showfliers=False)
        ax.set_yticks(range(1, len(names) + 1), names)
        ax.set_xscale("log")
        ax.set_xlabel("response length (chars, log scale)")
        ax.set_title("Response length by source")

    return out + plot_png(draw, height=max(2.0, 0.5 * len(counts) + 1.2))
