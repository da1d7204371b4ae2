"""Loading the base model for training: where it comes from, which dtype and attention kernel, LoRA/QLoRA."""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alchemistcoder.train.config import TrainConfig

EMBEDDED = ("embedded", "smollm2-135m-instruct")


def resolve_model_path(model: str) -> str:
    """'embedded' becomes the converted SmolLM2 checkpoint directory; hub ids and local paths pass through."""
    if model in EMBEDDED:
        from alchemistcoder.llm.embedded import embedded_model_path

        return str(embedded_model_path())
    path = Path(model).expanduser()
    if path.is_dir():
        return str(path)
    if path.exists() or model.startswith((".", "/", "~")):
        raise FileNotFoundError(f"train.model: {model!r} is not a checkpoint directory")
    return model  # a hub id; loading fails with transformers' own message when offline


@dataclass
class DevicePlan:
    """What the run will use: the device, the dtype name and the attention implementation."""

    device: str  # "cpu" or "cuda"
    precision: str  # "bf16", "fp16" or "fp32"
    attn_implementation: str


def plan_device(cfg: TrainConfig) -> DevicePlan:
    """Choose device, precision and attention kernel from the config and the machine."""
    import torch

    cuda = torch.cuda.is_available() and cfg.device != "cpu"
    if cfg.device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("train.device is 'cuda' but no CUDA device is visible")
    if cfg.precision == "auto":
        precision = "bf16" if cuda and torch.cuda.is_bf16_supported() else "fp32"
    else:
        precision = cfg.precision
    if not cuda and precision == "fp16":
        raise ValueError("train.precision fp16 needs a GPU; use fp32 or bf16 on CPU")
    attn = cfg.attn_implementation
    if attn == "auto":
        if cuda and importlib.util.find_spec("flash_attn"):
            attn = "flash_attention_2"
        else:
            # packed rows: per-sample SDPA (see attention.py); padded batches: stock SDPA
            attn = "sdpa_varlen" if cfg.packing else "sdpa"
    return DevicePlan(device="cuda" if cuda else "cpu", precision=precision, attn_implementation=attn)


def torch_dtype(precision: str) -> Any:
    import torch

    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}[precision]


def load_tokenizer(path: str) -> Any:
    """The tokenizer, with a pad token (the EOS token when the model defines none)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def load_model(path: str, cfg: TrainConfig, plan: DevicePlan) -> Any:
    """The causal LM in the planned dtype/attention; QLoRA loads the base in 4-bit NF4."""
    from transformers import AutoModelForCausalLM

    if plan.attn_implementation == "sdpa_varlen":
        from alchemistcoder.train.attention import register

        register()
    kwargs: dict[str, Any] = {"dtype": torch_dtype(plan.precision), "attn_implementation": plan.attn_implementation}
    if cfg.method == "qlora":
        if plan.device != "cuda" or not importlib.util.find_spec("bitsandbytes"):
            raise RuntimeError("train.method 'qlora' needs a CUDA GPU and the bitsandbytes package; use 'lora' here")
        import torch
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16 if plan.precision == "bf16" else torch.float16,
        )
        # each rank keeps its quantized copy on its own GPU
        kwargs["device_map"] = {"": int(os.environ.get("LOCAL_RANK", "0"))}
    # No use_cache=False here: SFTTrainer passes it with every batch (a KV cache would also switch off the
    # packed-sequence masks), and the saved config keeps the inference default.
    return AutoModelForCausalLM.from_pretrained(path, **kwargs)


def peft_config(cfg: TrainConfig) -> Any:
    """The LoRA config for 'lora'/'qlora', None for full fine-tuning."""
    if cfg.method == "full":
        return None
    from peft import LoraConfig

    return LoraConfig(
        r=cfg.lora_r,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=cfg.lora_target_modules,
        task_type="CAUSAL_LM",
    )
