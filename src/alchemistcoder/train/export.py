"""Merging LoRA adapters into their base model and exporting a normal checkpoint.

The merge reloads the base in a floating dtype (never the 4-bit QLoRA base, whose rounding would be baked into
the merged weights), applies the adapter, folds it in with PEFT's ``merge_and_unload`` and saves plain
safetensors plus the adapter's tokenizer, so the training chat template travels with the merged model.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


def adapter_base_model(adapter_dir: str | os.PathLike[str]) -> str:
    """The base model an adapter was trained on, as recorded in its adapter_config.json."""
    cfg = Path(adapter_dir) / "adapter_config.json"
    if not cfg.is_file():
        raise FileNotFoundError(f"{adapter_dir}: no adapter_config.json (not a PEFT adapter directory)")
    base = json.loads(cfg.read_text(encoding="utf-8")).get("base_model_name_or_path")
    if not base:
        raise ValueError(f"{cfg}: base_model_name_or_path is not set; pass the base model explicitly")
    return base


def merge_lora(
    adapter_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    base_model: str | None = None,
    precision: str = "fp32",
) -> Path:
    """Write ``base_model`` + the adapter in ``adapter_dir``, merged, as a normal checkpoint in ``out_dir``."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from alchemistcoder.train.model import resolve_model_path

    base = resolve_model_path(base_model) if base_model else adapter_base_model(adapter_dir)
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision, torch.float32)
    model = AutoModelForCausalLM.from_pretrained(base, dtype=dtype)
    merged = PeftModel.from_pretrained(model, str(adapter_dir)).merge_and_unload()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(str(out))
    AutoTokenizer.from_pretrained(str(adapter_dir)).save_pretrained(str(out))
    return out
