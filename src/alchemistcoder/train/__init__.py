"""Supervised fine-tuning: TRL's SFTTrainer on the exported mix (see docs/train.md).

Names are imported lazily: ``alchemistcoder.config`` imports ``train.config`` through this package.
"""

from __future__ import annotations

from alchemistcoder.lazy import lazy_getattr

__all__ = ["TrainResult", "run_train"]


__getattr__ = lazy_getattr(__name__, dict.fromkeys(__all__, "alchemistcoder.train.sft"))
