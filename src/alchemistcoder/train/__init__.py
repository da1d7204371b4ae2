"""Supervised fine-tuning: TRL's SFTTrainer on the exported mix (see docs/train.md).

Names are imported lazily: ``alchemistcoder.config`` imports ``train.config`` through this package.
"""

from __future__ import annotations

from typing import Any

__all__ = ["TrainResult", "run_train"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from alchemistcoder.train import sft

        return getattr(sft, name)
    raise AttributeError(f"module 'alchemistcoder.train' has no attribute {name!r}")
