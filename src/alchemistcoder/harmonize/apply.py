"""Apply: prepend an accepted AlchemistPrompt to the unchanged instruction, as a new sample or in place.

The response is never touched. In ``add`` mode the customized copy is a new Sample (task ``alchemist``, id
derived from the parent's, a ``create`` event naming the parent); in ``replace`` mode the original's user turn
is modified (a ``modify`` event with the instruction before and after). Both events carry the prompt, the
writer that produced it and the model, so every AlchemistPrompt in the data can be traced to its origin.
"""

from __future__ import annotations

from alchemistcoder.records import Sample

APPLY_OP = "alchemist_apply"
ALCHEMIST_TASK = "alchemist"


def child_id(parent_id: str) -> str:
    """The id of the customized copy of ``parent_id`` (stable, so re-runs give the same ids)."""
    return f"{parent_id}-alchemist"


def prepend(prompt: str, instruction: str, separator: str = "\n") -> str:
    """The new instruction: the AlchemistPrompt, the separator, then the unchanged instruction."""
    return f"{prompt}{separator}{instruction}"


def _set_instruction(sample: Sample, text: str) -> None:
    for message in sample.messages:
        if message.get("role") == "user":
            message["content"] = text
            return
    raise ValueError(f"sample {sample.id} has no user turn to prepend an AlchemistPrompt to")


def apply_prompt(
    sample: Sample,
    prompt: str,
    *,
    mode: str,
    writer: str,
    model: str | None,
    separator: str = "\n",
    stage: str | None = "harmonize",
) -> Sample | None:
    """Prepend ``prompt`` to ``sample``'s instruction; return the new sample in ``add`` mode, else None."""
    before = sample.instruction
    after = prepend(prompt, before, separator)
    params = {"prompt": prompt, "writer": writer, "mode": mode}
    if mode == "replace":
        _set_instruction(sample, after)
        sample.task = ALCHEMIST_TASK
        sample.record(APPLY_OP, "modify", params=params, before=before, after=after, model=model, stage=stage)
        return None
    if mode != "add":
        raise ValueError(f"unknown harmonize mode {mode!r} (expected 'add' or 'replace')")
    child = sample.copy()
    child.id = child_id(sample.id)
    child.task = ALCHEMIST_TASK
    _set_instruction(child, after)
    child.record(
        APPLY_OP, "create", params={**params, "parents": [sample.id]}, before=before, after=after, model=model, stage=stage
    )
    return child
