"""Config section for supervised fine-tuning (``train:`` in the run YAML).

Defaults follow the paper's recipe where it states one (2 epochs, lr 1e-4, AdamW, micro-batch 2) with a
sequence length that fits a laptop; ``configs/train/paper.yaml`` sets the full-scale values.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from alchemistcoder.strict import StrictModel


class TrainConfig(StrictModel):
    """Supervised fine-tuning of a causal LM on the exported messages mix, with TRL's SFTTrainer."""

    enabled: bool = Field(True, description="Run this stage.")

    # -- what to train ---------------------------------------------------------------------------
    model: str = Field(
        "embedded",
        description="Base model: 'embedded' (SmolLM2-135M-Instruct shipped as GGUF), a hub id, or a local checkpoint.",
    )
    data: str | None = Field(
        None,
        description="Training file: messages JSONL / JSONL.gz / Parquet (rows with 'messages') or Samples "
        "(rejected Samples are skipped and counted). The pipeline passes the mix export here.",
    )
    output_dir: str | None = Field(None, description="Where checkpoints and the final model go; None: <run.out>/train.")
    max_samples: int | None = Field(None, description="Train on at most this many samples (first N after reading).")
    chat_template: str = Field(
        "auto",
        description="'auto' (the model's template, given {% generation %} markers), a built-in name "
        "('smollm2', 'alpaca') or a path to a .jinja file. It is written into the saved checkpoint.",
    )

    # -- method ----------------------------------------------------------------------------------
    method: Literal["full", "lora", "qlora"] = Field(
        "full", description="'full' fine-tuning, 'lora' (PEFT adapters) or 'qlora' (4-bit base, needs CUDA + bitsandbytes)."
    )
    lora_r: int = Field(16, description="LoRA rank.")
    lora_alpha: int = Field(32, description="LoRA scaling alpha.")
    lora_dropout: float = Field(0.05, description="Dropout on the LoRA path.")
    lora_target_modules: list[str] | str = Field(
        "all-linear", description="Modules that get adapters: 'all-linear' or a list of module names."
    )
    merge_lora: bool = Field(
        True, description="After LoRA training, also write the base model with the adapters merged in (a normal checkpoint)."
    )

    # -- optimisation ----------------------------------------------------------------------------
    epochs: float = Field(2.0, description="Passes over the data (paper: 2).")
    max_steps: int = Field(-1, description="Stop after this many optimizer steps; -1: run the full epochs.")
    learning_rate: float = Field(1e-4, description="Peak learning rate (paper: 1e-4).")
    lr_scheduler: str = Field("cosine", description="transformers scheduler name: cosine, linear, constant, ...")
    warmup_ratio: float = Field(0.03, description="Fraction of steps used for linear warm-up.")
    weight_decay: float = Field(0.0, description="AdamW weight decay.")
    optimizer: str = Field("adamw_torch", description="transformers optimizer name (AdamW by default).")
    max_grad_norm: float = Field(1.0, description="Gradient clipping norm.")
    per_device_batch_size: int = Field(2, description="Micro-batch per process (paper: 2); with packing, packed rows.")
    gradient_accumulation_steps: int = Field(1, description="Micro-batches accumulated per optimizer step.")
    max_length: int = Field(1024, description="Sequence length: packed row length, or truncation length (paper: 8192).")
    packing: bool = Field(
        True,
        description="Pack samples into rows of max_length (best-fit decreasing, padding-free; position_ids restart "
        "at every sample so attention never crosses samples).",
    )
    assistant_only_loss: bool = Field(True, description="Train only on assistant tokens (system/user tokens are masked).")
    gradient_checkpointing: bool = Field(False, description="Recompute activations in the backward pass to save memory.")

    # -- device ----------------------------------------------------------------------------------
    precision: Literal["auto", "bf16", "fp16", "fp32"] = Field(
        "auto", description="'auto': bf16 on a GPU that supports it, else fp32 (always fp32 on CPU)."
    )
    attn_implementation: str = Field(
        "auto",
        description="'auto': flash_attention_2 when installed on CUDA, else sdpa_varlen (per-sample SDPA over "
        "packed rows) when packing, else sdpa; or name one: eager, sdpa, sdpa_varlen, flash_attention_2.",
    )
    device: Literal["auto", "cpu", "cuda"] = Field("auto", description="'auto' uses CUDA when present, else CPU.")

    # -- bookkeeping -----------------------------------------------------------------------------
    seed: int | None = Field(None, description="Seed for shuffling and init; None: run.seed.")
    logging_steps: int = Field(1, description="Log loss every N optimizer steps (train_log.jsonl).")
    save_steps: int = Field(500, description="Save a resumable checkpoint every N steps.")
    save_total_limit: int | None = Field(2, description="Keep at most this many intermediate checkpoints.")
    resume: bool = Field(True, description="Resume from the newest checkpoint in output_dir when there is one.")
    dataloader_num_workers: int = Field(0, description="DataLoader worker processes.")
    dataset_num_proc: int | None = Field(None, description="Processes for tokenizing/packing the dataset.")
    report_to: str = Field("none", description="transformers integrations to log to (none, tensorboard, wandb, ...).")
    record_ranks: bool = Field(
        False,
        description="Write ranks/rank<N>.jsonl with a fingerprint of every batch and a final parameter checksum "
        "(proves data-parallel sharding; used by the distributed test).",
    )
    deepspeed: str | None = Field(
        None, description="Path to a DeepSpeed JSON config (alternatively give an accelerate config at launch)."
    )
