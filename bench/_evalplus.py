"""Running EvalPlus 0.3.1 offline on a benchmark file, shared by bench/evaluate.py and bench/agreement.py."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path


def evalplus_eval(
    python: str,
    dataset: str,
    data_file: Path,
    samples: Path,
    cache_dir: Path,
    timeout: int,
    extra_env: dict[str, str] | None = None,
) -> dict:
    """EvalPlus's ``eval`` results (task_id -> records) for ``samples``, with ``data_file`` as the benchmark
    (``HUMANEVAL_OVERRIDE_PATH`` / ``MBPP_OVERRIDE_PATH``, a plain .jsonl) and a private ground-truth cache;
    ``extra_env`` sets EvalPlus's own knobs (e.g. ``EVALPLUS_MAX_MEMORY_BYTES``)."""
    env = {
        **os.environ,
        **(extra_env or {}),
        "HUMANEVAL_OVERRIDE_PATH" if dataset == "humaneval" else "MBPP_OVERRIDE_PATH": str(data_file),
        "XDG_CACHE_HOME": str(cache_dir),
    }
    cmd = [python, "-m", "evalplus.evaluate", "--dataset", dataset, "--samples", str(samples), "--i_just_wanna_run"]
    subprocess.run(cmd, env=env, check=True, capture_output=True, timeout=timeout)
    results = samples.with_name(f"{samples.stem}_eval_results.json")
    return json.loads(results.read_text())["eval"]
