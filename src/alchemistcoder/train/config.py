"""Config section for supervised fine-tuning (``train:`` in the run YAML).

Our own keys are typed fields here: what to train (model, data, method, LoRA), the device plan, the
bookkeeping, and the optimisation keys the shipped configs set, with defaults that follow the paper's recipe
where it states one (2 epochs, lr 1e-4, AdamW, micro-batch 2) and a sequence length that fits a laptop;
``configs/train/paper.yaml`` sets the full-scale values. Any other key is one of TRL's ``SFTConfig`` (a
``transformers.TrainingArguments``), under its own name, handed to it unchanged: its name and the type of its
value are checked against the installed TRL when the config loads (which then imports TRL), its meaning by
TRL when the trainer is built.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
import functools
import typing
from typing import Any, Literal

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from alchemistcoder.strict import StrictModel, key_error

# TrainConfig fields handed to SFTConfig under the same name (train/sft.py passes them as they are).
SFT_FIELDS = (
    "max_steps", "learning_rate", "weight_decay", "gradient_accumulation_steps", "max_length", "packing",
    "assistant_only_loss", "logging_steps", "save_steps", "save_total_limit",
)

# SFTConfig keys that train/sft.py sets from our own fields: passing one through would say the same thing
# twice (or undo what the field promises), so each names the field to use instead.
SFT_KEYS_SET_BY_FIELDS = {
    "output_dir": "train.output_dir (checkpoints go to <output_dir>/checkpoints)",
    "num_train_epochs": "train.epochs",
    "per_device_train_batch_size": "train.per_device_batch_size",
    "lr_scheduler_type": "train.lr_scheduler",
    "warmup_steps": "train.warmup_ratio",
    "optim": "train.optimizer",
    "activation_checkpointing": "train.gradient_checkpointing",
    "bf16": "train.precision",
    "fp16": "train.precision",
    "use_cpu": "train.device",
    "seed": "train.seed",
    "data_seed": "train.seed",
    "packing_strategy": "train.packing (best-fit decreasing, padding-free: the attention plan relies on it)",
    "padding_free": "train.packing (best-fit decreasing, padding-free: the attention plan relies on it)",
    "chat_template_path": "train.chat_template",
    "model_init_kwargs": "train.model, train.precision and train.attn_implementation (we load the model)",
    "resume_from_checkpoint": "train.resume",
}


class TrainConfig(StrictModel):
    """Supervised fine-tuning of a causal LM on the exported messages mix, with TRL's SFTTrainer.

    Keys that are not fields here go to TRL's ``SFTConfig`` as they are (e.g. ``max_grad_norm: 0.5``,
    ``report_to: tensorboard``, ``neftune_noise_alpha: 5``); see the module docstring.
    """

    # the SFTConfig keys pass through; _sft_keys checks them
    model_config = ConfigDict(extra="allow")

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
    seed: int | None = Field(None, description="Seed for shuffling and init; None: the run's seed (run.seed).")
    logging_steps: int = Field(1, description="Log loss every N optimizer steps (train_log.jsonl).")
    save_steps: int = Field(500, description="Save a resumable checkpoint every N steps.")
    save_total_limit: int | None = Field(2, description="Keep at most this many intermediate checkpoints.")
    resume: bool = Field(True, description="Resume from the newest checkpoint in output_dir when there is one.")
    record_ranks: bool = Field(
        False,
        description="Write ranks/rank<N>.jsonl with a fingerprint of every batch and a final parameter checksum "
        "(proves data-parallel sharding; used by the distributed test).",
    )

    @property
    def sft_keys(self) -> dict[str, Any]:
        """The keys passed through to SFTConfig, as written in the config."""
        return dict(self.model_extra or {})

    @model_validator(mode="after")
    def _sft_keys(self) -> TrainConfig:
        # only a config that passes keys through pays for importing TRL here
        for key, value in self.sft_keys.items():
            check_sft_key(key, value)
        return self


@functools.cache
def sft_field_types() -> tuple[str, dict[str, Any]]:
    """TRL's version and SFTConfig's fields with their types (the installed TRL is the reference)."""
    import trl
    from trl import SFTConfig

    hints = typing.get_type_hints(SFTConfig)
    return trl.__version__, {f.name: hints[f.name] for f in dataclasses.fields(SFTConfig) if f.init}


def check_sft_key(key: str, value: Any) -> None:
    """Raise a validation error at ``key`` unless it is an SFTConfig field that no train field sets and
    ``value`` fits its type (the value of an enum-typed field must be one of the enum's values)."""
    if key in SFT_KEYS_SET_BY_FIELDS:
        raise key_error(key, f"set by {SFT_KEYS_SET_BY_FIELDS[key]}", value)
    version, types = sft_field_types()
    if key not in types:
        close = difflib.get_close_matches(key, [*TrainConfig.model_fields, *types], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise key_error(key, f"unknown key {key!r}: neither a train field nor a field of trl {version}'s SFTConfig{hint}", value)
    kind = types[key]
    enums = [a for a in typing.get_args(kind) if isinstance(a, type) and issubclass(a, enum.Enum)]
    if enums and isinstance(value, str):
        allowed = [m.value for e in enums for m in e]
        if value not in allowed:
            raise key_error(key, f"{value!r} is not one of {allowed} (SFTConfig.{key})", value)
        return
    try:
        # strict: YAML already gives numbers and booleans their types; a quoted number is a mistake
        TypeAdapter(kind, config=ConfigDict(strict=True, arbitrary_types_allowed=True)).validate_python(value)
    except ValidationError as exc:
        raise key_error(key, f"{exc.errors()[0]['msg']} (SFTConfig.{key} is {kind})", value) from None
