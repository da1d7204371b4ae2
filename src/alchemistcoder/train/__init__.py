"""Supervised fine-tuning: TRL's SFTTrainer on the exported mix (see docs/train.md)."""

from alchemistcoder.train.sft import TrainResult, run_train

__all__ = ["TrainResult", "run_train"]
