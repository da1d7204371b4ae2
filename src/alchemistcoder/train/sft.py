"""Supervised fine-tuning with TRL's SFTTrainer: the stage entry :func:`run_train`.

The same function runs on one CPU, one GPU, or many processes: launched under ``accelerate launch`` or
``torchrun``, transformers' Trainer finds the process group in the environment, shards batches across ranks
and all-reduces the gradients (DDP; DeepSpeed ZeRO or FSDP when the accelerate config says so).

Layout of ``out_dir``::

    checkpoints/checkpoint-N/   resumable Trainer checkpoints (model, optimizer, scheduler, RNG, data position)
    model/                      the final model: a normal HF checkpoint with the training chat template
    adapter/                    LoRA only: the PEFT adapter (model/ then holds the merged weights)
    train_log.jsonl             one row per logged step: step, epoch, loss, learning_rate, grad_norm, num_tokens
    train_result.json           the TrainResult below
    ranks/rank<N>.jsonl         record_ranks only: batch fingerprints and a final parameter checksum per rank
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alchemistcoder.train.config import SFT_FIELDS, TrainConfig, sft_field_types
from alchemistcoder.train.data import TrainingData, load_training_data

LOG_NAME = "train_log.jsonl"
RESULT_NAME = "train_result.json"
_LOG_KEYS = ("loss", "learning_rate", "grad_norm", "num_tokens", "mean_token_accuracy", "entropy")


@dataclass
class TrainResult:
    """What a training run produced."""

    checkpoint_dir: str  # the model to evaluate: full fine-tune, or the merged LoRA model (the adapter if not merged)
    adapter_dir: str | None
    losses: list[float]  # training loss per logged step, in step order
    steps: list[int]
    log_path: str
    global_step: int
    samples: int
    skipped_rejected: int
    train_runtime_s: float
    num_tokens: float | None
    resumed_from: str | None
    device: str
    precision: str
    attn_implementation: str
    world_size: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


# -- logging -------------------------------------------------------------------------------------


def _callbacks(log_path: Path) -> list[Any]:
    from transformers import TrainerCallback

    class LossLog(TrainerCallback):
        """Append each logged step to train_log.jsonl (main process only)."""

        def on_log(self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kw: Any) -> None:
            if not state.is_world_process_zero or not logs or "loss" not in logs:
                return
            row: dict[str, Any] = {"step": state.global_step, "epoch": round(state.epoch or 0.0, 4)}
            row.update({k: float(logs[k]) for k in _LOG_KEYS if k in logs and logs[k] is not None})
            row["time"] = round(time.time(), 3)
            with open(log_path, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(row) + "\n")

    return [LossLog()]


def read_train_log(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The logged steps of a run, one per step (a step re-run after a resume keeps its newest row)."""
    rows: dict[int, dict[str, Any]] = {}
    p = Path(path)
    if p.is_file():
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                rows[int(row["step"])] = row
    return [rows[s] for s in sorted(rows)]


def _truncate_log(path: Path, last_step: int) -> None:
    """Drop rows after the checkpoint a resumed run restarts from (they will be logged again)."""
    rows = [r for r in read_train_log(path) if r["step"] <= last_step]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


class RankRecorder:
    """Wraps the data collator to fingerprint every batch this rank trains on (for the sharding check)."""

    def __init__(self, collator: Any, path: Path) -> None:
        self.collator = collator
        self.path = path
        self.count = 0

    def __call__(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        batch = self.collator(examples)
        ids = batch["input_ids"]
        digest = hashlib.sha1(ids.numpy().tobytes()).hexdigest()
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"batch": self.count, "fingerprint": digest, "tokens": int(ids.numel())}) + "\n")
        self.count += 1
        return batch


def parameter_checksum(model: Any) -> str:
    """sha256 over every parameter's bytes, in name order (equal on all ranks iff the weights are equal)."""
    h = hashlib.sha256()
    for name, param in sorted(model.named_parameters(), key=lambda kv: kv[0]):
        h.update(name.encode())
        h.update(param.detach().float().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


# -- building the trainer ------------------------------------------------------------------------


def sft_args(cfg: TrainConfig, out_dir: Path, seed: int, plan: Any) -> Any:
    """The SFTConfig (TrainingArguments) for this config and device plan.

    The fields of ``SFT_FIELDS`` go as they are, the keys passed through (``cfg.sft_keys``) as written;
    the rest is set from our own fields here (``SFT_KEYS_SET_BY_FIELDS`` names the field of each).
    """
    from trl import SFTConfig

    # the installed transformers (5.25) reads gradient_checkpointing as a deprecated alias of
    # activation_checkpointing (a warning; gone in version 6), earlier 5.x releases know only the old name
    checkpointing = "activation_checkpointing" if "activation_checkpointing" in sft_field_types()[1] else "gradient_checkpointing"
    return SFTConfig(
        **{name: getattr(cfg, name) for name in SFT_FIELDS},
        **{checkpointing: cfg.gradient_checkpointing},
        output_dir=str(out_dir / "checkpoints"),
        num_train_epochs=cfg.epochs,
        per_device_train_batch_size=cfg.per_device_batch_size,
        lr_scheduler_type=cfg.lr_scheduler,
        # transformers >= 5 (the declared lower bound) reads warmup_steps below 1 as a ratio of the total steps;
        # it removed warmup_ratio
        warmup_steps=cfg.warmup_ratio,
        optim=cfg.optimizer,
        packing_strategy="bfd",
        # Without packing we pad (the baseline); with BFD packing TRL always flattens the batch padding-free.
        padding_free=cfg.packing,
        bf16=plan.precision == "bf16",
        fp16=plan.precision == "fp16",
        use_cpu=plan.device == "cpu",
        seed=seed,
        data_seed=seed,
        **cfg.sft_keys,
    )


def build_trainer(data: TrainingData, cfg: TrainConfig, out_dir: str | os.PathLike[str], seed: int = 0) -> Any:
    """An SFTTrainer ready to ``train()``: model, tokenizer with the training chat template, packed dataset."""
    from trl import SFTTrainer

    from alchemistcoder.train.chat_template import resolve_training_template
    from alchemistcoder.train.model import (
        load_model,
        load_tokenizer,
        peft_config,
        plan_device,
        resolve_model_path,
    )

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan = plan_device(cfg)
    path = resolve_model_path(cfg.model)
    tokenizer = load_tokenizer(path)
    if cfg.assistant_only_loss or cfg.chat_template != "auto":
        # Set on the tokenizer (not only passed to TRL) so the saved checkpoint carries the same template.
        tokenizer.chat_template = resolve_training_template(tokenizer, cfg.chat_template)
    # The arguments first: under DeepSpeed ZeRO-3 they register the config that makes from_pretrained shard
    # the weights across ranks as they load (zero.Init) instead of loading a full copy in every process.
    args = sft_args(cfg, out, seed, plan)
    model = load_model(path, cfg, plan)
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=data.to_dataset(),
        processing_class=tokenizer,
        peft_config=peft_config(cfg),
        callbacks=_callbacks(out / LOG_NAME),
    )
    trainer.alchemist_plan = plan  # type: ignore[attr-defined]
    trainer.alchemist_base_path = path  # type: ignore[attr-defined]
    return trainer


# -- the stage -----------------------------------------------------------------------------------


def run_facts(model: Any, plan: Any, runtime_s: float, num_tokens: float | None) -> dict[str, Any]:
    """What the run actually used, read off the trained model and the device (not the plan): the dtype of
    the frozen and the trained weights (PEFT keeps LoRA weights in fp32 under bf16), this rank's peak GPU
    memory and the training throughput in tokens per second."""
    import torch

    dtypes: dict[str, set[str]] = {"trainable": set(), "frozen": set()}
    for param in model.parameters():
        dtypes["trainable" if param.requires_grad else "frozen"].add(str(param.dtype).replace("torch.", ""))
    facts: dict[str, Any] = {f"{k}_dtype": ",".join(sorted(v)) or None for k, v in dtypes.items()}
    facts["tokens_per_s"] = round(num_tokens / runtime_s, 1) if num_tokens and runtime_s else None
    if plan.device == "cuda" and torch.cuda.is_available():
        facts["gpu"] = torch.cuda.get_device_name()
        facts["peak_gpu_memory_mib"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    return facts



def _last_checkpoint(out: Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    ckpts = out / "checkpoints"
    return get_last_checkpoint(str(ckpts)) if ckpts.is_dir() else None


def run_train(
    train_file: str | os.PathLike[str], cfg: TrainConfig, out_dir: str | os.PathLike[str], seed: int = 0
) -> TrainResult:
    """Fine-tune ``cfg.model`` on ``train_file`` and write the final model under ``out_dir/model``.

    Resumes from the newest checkpoint in ``out_dir/checkpoints`` when ``cfg.resume`` is set. Under a
    distributed launcher every rank calls this; only the main process writes the model and the log.
    """
    out = Path(out_dir)
    seed = cfg.seed if cfg.seed is not None else seed
    data = load_training_data(train_file, cfg.max_samples)
    resume_from = _last_checkpoint(out) if cfg.resume else None
    trainer = build_trainer(data, cfg, out, seed)
    acc = trainer.accelerator
    log_path = out / LOG_NAME
    if acc.is_main_process:
        if resume_from:
            _truncate_log(log_path, int(Path(resume_from).name.rsplit("-", 1)[-1]))
        else:
            log_path.write_text("", encoding="utf-8")
    if cfg.record_ranks:
        ranks = out / "ranks"
        ranks.mkdir(exist_ok=True)
        rank_file = ranks / f"rank{acc.process_index}.jsonl"
        rank_file.write_text("", encoding="utf-8")
        trainer.data_collator = RankRecorder(trainer.data_collator, rank_file)
    acc.wait_for_everyone()

    output = trainer.train(resume_from_checkpoint=resume_from)

    plan = trainer.alchemist_plan
    lora = cfg.method != "full"
    model_dir = out / "model"
    adapter_dir = out / "adapter" if lora else None
    trainer.save_model(str(adapter_dir or model_dir))  # main process writes; ZeRO-3/FSDP gather first
    if cfg.record_ranks:
        with open(out / "ranks" / f"rank{acc.process_index}.jsonl", "a", encoding="utf-8") as fh:
            unwrapped = acc.unwrap_model(trainer.model)
            fh.write(json.dumps({"param_sha256": parameter_checksum(unwrapped)}) + "\n")
    acc.wait_for_everyone()

    checkpoint_dir = model_dir
    if lora and acc.is_main_process:
        if cfg.merge_lora:
            from alchemistcoder.train.export import merge_lora

            merge_lora(adapter_dir, model_dir, base_model=trainer.alchemist_base_path, precision=plan.precision)  # type: ignore[arg-type]
        else:
            checkpoint_dir = adapter_dir  # type: ignore[assignment]
    acc.wait_for_everyone()

    rows = read_train_log(log_path)
    runtime_s = float(output.metrics.get("train_runtime", 0.0))
    num_tokens = rows[-1].get("num_tokens") if rows else None
    result = TrainResult(
        checkpoint_dir=str(checkpoint_dir),
        adapter_dir=str(adapter_dir) if adapter_dir else None,
        losses=[r["loss"] for r in rows],
        steps=[r["step"] for r in rows],
        log_path=str(log_path),
        global_step=trainer.state.global_step,
        samples=len(data.messages),
        skipped_rejected=data.skipped_rejected,
        train_runtime_s=runtime_s,
        num_tokens=num_tokens,
        resumed_from=resume_from,
        device=plan.device,
        precision=plan.precision,
        attn_implementation=plan.attn_implementation,
        world_size=acc.num_processes,
        extra=run_facts(acc.unwrap_model(trainer.model), plan, runtime_s, num_tokens),
    )
    if acc.is_main_process:
        (out / RESULT_NAME).write_text(json.dumps(asdict(result), indent=2) + "\n", encoding="utf-8")
    return result
