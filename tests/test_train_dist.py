"""The distributed path: `alchemist train --launcher accelerate --num-processes 2` on CPU (gloo)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_train import tiny_messages, write_messages

pytestmark = pytest.mark.slow


def test_two_cpu_ranks_see_different_data_and_end_with_identical_weights(tmp_path: Path, shared_data: Path) -> None:
    from alchemistcoder.llm.embedded import embedded_model_path

    train_file = write_messages(tmp_path / "mix.jsonl", tiny_messages(shared_data, 8))
    out = tmp_path / "out"
    config = tmp_path / "run.yaml"
    config.write_text(
        "run:\n  seed: 3\n"
        "train:\n"
        f"  model: {embedded_model_path()}\n  data: {train_file}\n  output_dir: {out}\n"
        "  max_length: 96\n  per_device_batch_size: 1\n  max_steps: 2\n  epochs: 10\n"
        "  learning_rate: 1.0e-3\n  warmup_ratio: 0.0\n  save_steps: 1000\n  record_ranks: true\n"
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    proc = subprocess.run(
        [sys.executable, "-m", "alchemistcoder.cli", "train", str(config), "--launcher", "accelerate", "--num-processes", "2"],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "trained 2 steps" in proc.stdout
    assert "2 process(es)" in proc.stdout

    ranks = []
    for r in (0, 1):
        rows = [json.loads(line) for line in (out / "ranks" / f"rank{r}.jsonl").read_text().splitlines()]
        batches = [row["fingerprint"] for row in rows if "fingerprint" in row]
        checksum = [row["param_sha256"] for row in rows if "param_sha256" in row]
        assert len(batches) >= 2 and len(checksum) == 1
        ranks.append((batches, checksum[0]))
    (b0, w0), (b1, w1) = ranks
    # the first two batches of each rank are the two steps trained (later ones are prefetch / a new epoch)
    assert not set(b0[:2]) & set(b1[:2]), "both ranks trained on the same batch"
    assert w0 == w1, "the ranks ended with different weights"

    result = json.loads((out / "train_result.json").read_text())
    assert result["world_size"] == 2 and result["global_step"] == 2
    # the weights moved: the saved model differs from the base
    from safetensors.torch import load_file

    trained = load_file(out / "model" / "model.safetensors")
    base = load_file(Path(embedded_model_path()) / "model.safetensors")
    assert any(not trained[k].equal(base[k]) for k in base)
