"""Digest of what a run produced: kept and rejected ids (with reasons) per stage, and the exported files.

Two runs with equal digests made the same decisions and the same data set, whatever changed in the code
between them (the redesign check: digest a run before and after a refactor and compare)::

    python -m alchemistcoder.pipeline.digest runs/quickstart > before.json
    ...change the code, run again...
    python -m alchemistcoder.pipeline.digest runs/quickstart --compare before.json

Timings, hashes of configs and anything else that legitimately differs between runs are left out.
``tests/test_pipeline_real.py`` compares the model-free demo chain with a digest recorded before the
redesign of issue 17 (``tests/data/pipeline_real_digest.json``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from alchemistcoder.io import read_jsonl

EXPORT_FILES = ("train.jsonl", "validation.jsonl")


def _reason(row: dict[str, Any]) -> str:
    for event in reversed(row.get("trace") or []):
        if event.get("verdict") == "reject":
            return str(event.get("reason") or event.get("op"))
    return "?"


def run_digest(run_dir: Path) -> dict[str, Any]:
    """Per stage directory: ``kept`` ids in order and ``rejected`` as ``id: reason``; per export file: sha256."""
    stages: dict[str, Any] = {}
    for directory in sorted(p for p in run_dir.iterdir() if p.is_dir() and p.name[:2].isdigit()):
        kept = [row["id"] for f in sorted(directory.glob("shard-*.jsonl.gz")) for row in read_jsonl(f)]
        rejected = {
            row["id"]: _reason(row) for f in sorted(directory.glob("rejected-*.jsonl.gz")) for row in read_jsonl(f)
        }
        if kept or rejected:
            stages[directory.name.split("_", 1)[1]] = {"kept": kept, "rejected": rejected}
    export = {}
    for name in EXPORT_FILES:
        path = run_dir / "dataset" / name
        if path.exists():
            export[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return {"stages": stages, "export": export}


def differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Human-readable differences between two digests (empty when equal)."""
    out = []
    for stage in sorted(set(a["stages"]) | set(b["stages"])):
        x, y = a["stages"].get(stage), b["stages"].get(stage)
        if x is None or y is None:
            out.append(f"{stage}: only in {'the first' if y is None else 'the second'} run")
            continue
        if x["kept"] != y["kept"]:
            gone, new = set(x["kept"]) - set(y["kept"]), set(y["kept"]) - set(x["kept"])
            out.append(f"{stage}: kept differs ({len(gone)} no longer kept, {len(new)} newly kept, order or both)")
        if x["rejected"] != y["rejected"]:
            changed = {k for k in set(x["rejected"]) | set(y["rejected"]) if x["rejected"].get(k) != y["rejected"].get(k)}
            example = sorted(changed)[0]
            out.append(
                f"{stage}: {len(changed)} rejects differ, e.g. {example}: "
                f"{x['rejected'].get(example)} -> {y['rejected'].get(example)}"
            )
    for name in sorted(set(a["export"]) | set(b["export"])):
        if a["export"].get(name) != b["export"].get(name):
            out.append(f"export {name} differs")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run_dir", type=Path)
    ap.add_argument("--compare", type=Path, help="a digest written earlier; exit 1 when this run differs")
    args = ap.parse_args()
    digest = run_digest(args.run_dir)
    if args.compare is None:
        json.dump(digest, sys.stdout, indent=1)
        print()
        return 0
    diffs = differences(json.loads(args.compare.read_text()), digest)
    for line in diffs:
        print(line)
    print("identical" if not diffs else f"{len(diffs)} difference(s)")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
