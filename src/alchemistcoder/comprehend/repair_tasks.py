"""Repair tasks: a view over the verify stage's repairs.

Each repair that the verify stage applied (a ``verify_repair`` event with verdict ``modify``: the response
failed a test that independent solutions agreed on, the model fixed it, and the fix passed every test) gives
one task: the instruction, the buggy code, the failing test and its error -> the fixed code. The evidence is
the trace's, recorded when the repair was made, so the task is as good as the test that caught the bug.
"""

from __future__ import annotations

from dataclasses import dataclass

from alchemistcoder.comprehend.task_sample import new_task_sample
from alchemistcoder.records import Sample
from alchemistcoder.text import clip

TASK = "repair"
REPAIR_OP = "verify_repair"  # the verify stage's op (verify/stage.py); a string, so this view imports no sandbox

PROMPT = """The code below was written for this task, but it fails a test.

Task:
{instruction}

Code:
```python
{code}
```

Failing test:
```python
{test}
```
{error}

Find the bug and give the corrected code."""

ANSWER = """{why}

```python
{code}
```"""


@dataclass(frozen=True)
class RepairRecord:
    """One applied repair: the sample, its instruction, the code before and after, the test and its error."""

    sample_id: str
    instruction: str
    buggy: str
    fixed: str
    test: str
    error: str
    model: str | None


def _program(response: str) -> str:
    from alchemistcoder.code import extract_code_blocks

    blocks = [b.code for b in extract_code_blocks(response) if b.language == "python"]
    return max(blocks, key=len) if blocks else response


def repair_records(samples: list[Sample]) -> list[RepairRecord]:
    """Every applied repair recorded in the traces of kept samples."""
    out = []
    for s in samples:
        if s.rejected:
            continue
        for e in s.trace:
            if e.op != REPAIR_OP or e.verdict != "modify" or not isinstance(e.before, str) or not isinstance(e.after, str):
                continue
            kind, message = ([*list(e.params.get("error") or []), "", ""])[:2]
            error = f"Error: {kind}: {message}".rstrip(": ") if kind else "The assertion is false."
            out.append(RepairRecord(s.id, s.instruction, _program(e.before), _program(e.after),
                                    str(e.params.get("test", "")), error, e.model))
    return out


def make_repair_tasks(records: list[RepairRecord], max_chars: int = 3000, stage: str = "comprehend") -> list[Sample]:
    """One task sample per recorded repair."""
    tasks = []
    for r in records:
        prompt = PROMPT.format(instruction=clip(r.instruction, max_chars), code=clip(r.buggy, max_chars), test=r.test,
                               error=r.error)
        why = f"The code fails `{r.test}` ({r.error.removeprefix('Error: ').rstrip('.')}). Corrected:"
        tasks.append(new_task_sample(TASK, "fix", [r.sample_id], prompt, ANSWER.format(why=why, code=r.fixed.strip()),
                                     stage=stage, model=r.model, params={"test": r.test}))
    return tasks
