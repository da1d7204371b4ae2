"""How a comprehension-task sample is made: a new Sample with a ``create`` event naming its parents."""

from __future__ import annotations

import hashlib
from typing import Any

from alchemistcoder.records import Sample, make_messages

SOURCE = "comprehend"


def task_id(task: str, variant: str, *parent_ids: str) -> str:
    """Stable id of the ``variant`` of ``task`` made from the given parents."""
    key = "\x00".join((task, variant, *parent_ids))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def new_task_sample(
    task: str,
    variant: str,
    parents: list[str],
    prompt: str,
    answer: str,
    *,
    stage: str = "comprehend",
    model: str | None = None,
    meta: dict[str, Any] | None = None,
    params: dict[str, Any] | None = None,
) -> Sample:
    """A ``task`` sample (user ``prompt``, assistant ``answer``) created from ``parents``."""
    sample = Sample(
        id=task_id(task, variant, *parents),
        source=SOURCE,
        messages=make_messages(prompt, answer),
        task=task,
        meta={"variant": variant, **(meta or {})},
    )
    sample.record(f"comprehend_{task}", "create", params={"parents": list(parents), "variant": variant, **(params or {})},
                  model=model, stage=stage)
    return sample
