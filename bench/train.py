"""Training throughput with and without packing, counting only real (non-padding) tokens.

    .venv/bin/python bench/train.py                      # defaults below, CPU
    .venv/bin/python bench/train.py --steps 4 --max-length 256 --threads 1 --clock cpu --dense  # shared box
    .venv/bin/python bench/train.py --padding-only --batch 8 --max-length 1024   # padding share only

Same model (the embedded SmolLM2-135M-Instruct), same data, same per-device batch size and max_length:

* packed:   TRL BFD packing, padding-free rows, attention per sample (``sdpa_varlen``, or flash-attn on GPU);
* unpacked: one sample per row, padded to the longest in the batch (TRL's default collator), stock ``sdpa``;
* ``--dense`` adds packed rows under stock ``sdpa`` (a dense block-diagonal mask: what packing costs without a
  varlen kernel).

The data is a realistic multi-source mix of short CodeAlpaca and long Evol-Instruct-Code conversations from
``../shared/data``. Real tokens per batch: every token of a padding-free row, ``attention_mask.sum()`` of a
padded batch. The first step (allocation, warm-up) is not timed. The last line is
``train packed_tokens_per_s=<a> unpacked_tokens_per_s=<b> ratio=<a/b>``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ALCHEMIST_SHARED_DATA", REPO.parent / "shared" / "data"))


def mixed_conversations(n: int, seed: int) -> list[list[dict[str, str]]]:
    """Half short CodeAlpaca, half long Evol-Instruct-Code samples, shuffled."""
    from alchemistcoder.records import make_messages

    alpaca = json.loads((SHARED / "codealpaca" / "code_alpaca_2k.json").read_text())
    evol = json.loads((SHARED / "evol-codealpaca" / "evol-codealpaca-2k-1.json").read_text())
    rng = random.Random(seed)
    rows = rng.sample(alpaca, n // 2) + rng.sample(evol, n - n // 2)
    rng.shuffle(rows)
    out = []
    for r in rows:
        instruction = r["instruction"] + ("\n" + r["input"] if r.get("input") else "")
        out.append(make_messages(instruction, r["output"]))
    return out


class TokenCounter:
    """Wraps the collator: real tokens of every batch, in the order the trainer consumes them."""

    def __init__(self, collator: Any) -> None:
        self.collator = collator
        self.real: list[int] = []
        self.slots: list[int] = []

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self.collator(examples)
        mask = batch.get("attention_mask")
        self.real.append(int(mask.sum()) if mask is not None else int(batch["input_ids"].numel()))
        self.slots.append(int(batch["input_ids"].numel()))
        return batch


def measure(data: Any, steps: int, batch: int, max_length: int, packing: bool, attn: str, clock: str) -> dict[str, float]:
    from transformers import TrainerCallback

    from alchemistcoder.train.config import TrainConfig
    from alchemistcoder.train.sft import build_trainer

    cfg = TrainConfig(max_steps=steps, per_device_batch_size=batch, max_length=max_length, packing=packing,
                      attn_implementation=attn, learning_rate=1e-5, warmup_ratio=0.0, save_steps=10_000,
                      logging_steps=10_000, save_strategy="no", disable_tqdm=True)
    stamps: list[float] = []
    read_clock = time.process_time if clock == "cpu" else time.perf_counter

    class Clock(TrainerCallback):
        def on_step_end(self, args: Any, state: Any, control: Any, **kw: Any) -> None:
            stamps.append(read_clock())

    with tempfile.TemporaryDirectory() as tmp:
        trainer = build_trainer(data, cfg, tmp, seed=0)
        counter = TokenCounter(trainer.data_collator)
        trainer.data_collator = counter
        trainer.add_callback(Clock())
        trainer.train()
    tokens = sum(counter.real[1:steps])  # batches 2..N are the ones trained in the timed window
    slots = sum(counter.slots[1:steps])
    seconds = stamps[steps - 1] - stamps[0]
    return {"tokens_per_s": tokens / seconds, "real_tokens": tokens, "token_slots": slots,
            "seconds": seconds, "padding_share": 1 - tokens / slots}


def padding_share(convs: list[list[dict[str, str]]], batch: int, max_length: int, seed: int) -> float:
    """Share of padding in shuffled batches padded to their longest sample (no training, tokenizer only)."""
    from transformers import AutoTokenizer

    from alchemistcoder.llm.embedded import embedded_model_path

    tok = AutoTokenizer.from_pretrained(embedded_model_path())
    lengths = [min(len(tok.apply_chat_template(c, tokenize=True, return_dict=True)["input_ids"]), max_length) for c in convs]
    random.Random(seed).shuffle(lengths)
    real = slots = 0
    for i in range(0, len(lengths) - batch + 1, batch):
        chunk = lengths[i : i + batch]
        real, slots = real + sum(chunk), slots + batch * max(chunk)
    return 1 - real / slots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=256)
    parser.add_argument("--steps", type=int, default=3, help="optimizer steps per variant (the first is not timed)")
    parser.add_argument("--batch", type=int, default=8, help="per-device batch size (rows) for both variants")
    parser.add_argument("--max-length", type=int, default=1024)
    parser.add_argument("--dense", action="store_true", help="also time packed rows under stock sdpa")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--padding-only", action="store_true",
                        help="only report the padding share of padded batches (tokenizer, no training)")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="seconds of wall time, or of this process's CPU time (with --threads 1: robust to "
                        "other load on a shared machine)")
    parser.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = parser.parse_args()

    import torch

    if args.threads:
        torch.set_num_threads(args.threads)  # on a shared, oversubscribed CPU one thread avoids spin-wait stalls

    from alchemistcoder.train.data import TrainingData

    convs = mixed_conversations(args.samples, args.seed)
    if args.padding_only:
        share = padding_share(convs, args.batch, args.max_length, args.seed)
        print(f"padding share batch={args.batch} max_length={args.max_length}: {100 * share:.1f}% "
              f"(packing removes it: at equal cost per token slot, ratio <= {1 / (1 - share):.2f})")
        return
    data = TrainingData(messages=convs, rows_read=len(convs), skipped_rejected=0)
    device = "cuda" if torch.cuda.is_available() else f"cpu ({torch.get_num_threads()} threads)"
    print(f"model=embedded SmolLM2-135M  device={device}  samples={len(convs)}  batch={args.batch}  "
          f"max_length={args.max_length}  steps={args.steps} (first untimed)  clock={args.clock}  load={os.getloadavg()[0]:.1f}")
    results = {}
    variants = [("unpacked", False, "sdpa"), ("packed", True, "auto")]
    if args.dense:
        variants.append(("packed_dense_sdpa", True, "sdpa"))
    for name, packing, attn in variants:
        r = measure(data, args.steps, args.batch, args.max_length, packing, attn, args.clock)
        results[name] = r
        print(f"{name:>18}: {r['tokens_per_s']:8.1f} real tok/s  {r['real_tokens']} real tokens in "
              f"{r['seconds']:.1f}s ({args.clock})  padding {100 * r['padding_share']:.1f}% of {r['token_slots']} slots", flush=True)
    a, b = results["packed"]["tokens_per_s"], results["unpacked"]["tokens_per_s"]
    print(f"train packed_tokens_per_s={a:.1f} unpacked_tokens_per_s={b:.1f} ratio={a / b:.2f}")


if __name__ == "__main__":
    main()
