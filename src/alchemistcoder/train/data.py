"""Reading the training file: the mix export (rows with ``messages``) or Samples, checked row by row.

A row that cannot be trained on is an error naming the file, the line and the problem: silently training on
fewer rows than exported would hide a broken export. Samples that carry a reject event are the one exception:
they are skipped and counted, since a Samples file legitimately holds rejects beside the kept records.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alchemistcoder.io import DataError, read_jsonl

ROLES = ("system", "user", "assistant")


@dataclass
class TrainingData:
    """The conversations to train on and what happened to the rest of the file."""

    messages: list[list[dict[str, str]]]
    rows_read: int
    skipped_rejected: int

    def to_dataset(self) -> Any:
        """A ``datasets.Dataset`` with one ``messages`` column (TRL's conversational format)."""
        import datasets

        return datasets.Dataset.from_dict({"messages": self.messages})


def _iter_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    name = str(path)
    if name.endswith(".parquet"):
        import pyarrow.parquet as pq

        yield from enumerate(pq.read_table(path).to_pylist(), 1)
    elif name.endswith((".jsonl", ".jsonl.gz")):
        yield from enumerate(read_jsonl(path), 1)
    else:
        raise DataError(path, "unknown training file format; use .jsonl, .jsonl.gz or .parquet")


def _is_rejected(row: dict[str, Any]) -> bool:
    trace = row.get("trace")
    if isinstance(trace, str):  # Samples written to Parquet keep the trace as JSON text
        import orjson

        trace = orjson.loads(trace)
    return any(isinstance(e, dict) and e.get("verdict") == "reject" for e in trace or ())


def check_messages(messages: Any) -> tuple[list[dict[str, str]] | None, str | None]:
    """Normalize one conversation to ``[{role, content}]``; return ``(None, problem)`` when it is unusable."""
    if not isinstance(messages, list) or not messages:
        return None, "'messages' must be a non-empty list"
    out = []
    for i, m in enumerate(messages):
        if not isinstance(m, dict):
            return None, f"messages[{i}] is not an object"
        role, content = m.get("role"), m.get("content")
        if role not in ROLES:
            return None, f"messages[{i}].role is {role!r}, expected one of {', '.join(ROLES)}"
        if not isinstance(content, str):
            return None, f"messages[{i}].content must be a string"
        out.append({"role": role, "content": content})
    if not any(m["role"] == "assistant" and m["content"].strip() for m in out):
        return None, "no non-empty assistant message: nothing to train on"
    return out, None


def load_training_data(path: str | os.PathLike[str], max_samples: int | None = None) -> TrainingData:
    """Read a messages or Samples file (.jsonl, .jsonl.gz, .parquet) into conversations to train on."""
    p = Path(path)
    if not p.is_file():
        raise DataError(p, "training file not found")
    conversations: list[list[dict[str, str]]] = []
    rows = skipped = 0
    for line, row in _iter_rows(p):
        rows += 1
        if not isinstance(row, dict) or "messages" not in row:
            raise DataError(p, "row has no 'messages' field (expected the mix export or Samples)", line)
        if _is_rejected(row):
            skipped += 1
            continue
        messages, problem = check_messages(row["messages"])
        if problem:
            raise DataError(p, problem, line)
        conversations.append(messages)  # type: ignore[arg-type]
        if max_samples is not None and len(conversations) >= max_samples:
            break
    if not conversations:
        raise DataError(p, f"no trainable rows ({rows} read, {skipped} rejected Samples skipped)")
    return TrainingData(messages=conversations, rows_read=rows, skipped_rejected=skipped)
