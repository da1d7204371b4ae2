"""The report's verification section: how the responses ran, what the tests decided, one example per outcome."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson

from alchemistcoder.io import read_jsonl
from alchemistcoder.records import Sample
from alchemistcoder.report.html import esc, note, pre, table

_VERIFY_COLUMNS = ("runs", "crashes", "verified", "repaired", "rejected", "unverifiable")


def _verify_samples(directory: Path, kind: str):
    """The stage's kept (``shard``) or ``rejected`` samples that it verified, one at a time."""
    for path in sorted(directory.glob(f"{kind}-*.jsonl.gz")):
        for row in read_jsonl(path):
            if isinstance((row.get("meta") or {}).get("verify"), dict):
                yield Sample.from_dict(row)


def section_verify(verify_dir: Path | None, limit: int, manifest: dict[str, Any] | None) -> str:
    """Verification by source (runs / crashes / verified / repaired / rejected / unverifiable), tests per verified
    sample, and an example of each outcome from the trace."""
    out = "<h2>Verification</h2>"
    stats = ((manifest or {}).get("stats") or {}).get("verify")
    if verify_dir is None or not stats:
        return out + note("The verify stage did not run: no response was executed or tested.")
    rows = [[src, *(counts.get(c, 0) for c in _VERIFY_COLUMNS)] for src, counts in stats.get("by_source", {}).items()]
    out += table(["source", *_VERIFY_COLUMNS], rows, set(range(1, len(_VERIFY_COLUMNS) + 1)))
    verified = stats.get("verified", 0)
    per = stats.get("verified_tests", 0) / verified if verified else 0.0
    crashes = ", ".join(f"{k} {v}" for k, v in sorted(stats.get("crash_types", {}).items(), key=lambda kv: -kv[1]))
    out += (f"<p>{stats.get('samples', 0)} responses run in the sandbox; {verified} verified by tests "
            f"({per:.1f} valid tests each); {stats.get('tokens', 0)} model tokens.</p>")
    if crashes:
        out += f"<p>Crashes by exception: {esc(crashes)}.</p>"
    shown: dict[str, Sample] = {}
    for kind in ("rejected", "shard"):
        for sample in _verify_samples(verify_dir, kind):
            outcome = sample.meta["verify"].get("status", "unverified")
            outcome = outcome if outcome != "unverified" else sample.meta["verify"]["execution"]
            shown.setdefault(outcome, sample)
            if len(shown) >= 6:
                break
    for outcome, sample in list(shown.items())[: max(limit, 4)]:
        events = [e for e in sample.trace if e.op.startswith("verify_")]
        lines = [f"{e.op} {e.verdict}{' ' + e.reason if e.reason else ''}: "
                 + orjson.dumps({k: v for k, v in e.params.items() if k not in ("groups",)}).decode()[:400]
                 for e in events]
        out += f"<h3>{esc(outcome)}: {esc(sample.instruction[:100])}</h3>" + pre("\n".join(lines))
    return out
