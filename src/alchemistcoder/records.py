"""The Sample record and its trace: the one thing that flows through every stage.

A Sample is a chat (OpenAI ``messages``) plus provenance. Its ``trace`` lists every decision the pipeline
made about it, in order, at the time it was made; the comprehension tasks are views over these traces, so a
decision that is not in the trace does not exist.

Dataclasses with ``__slots__`` rather than pydantic models: ingest builds tens of thousands of these per
second and validation happens once, in the source adapters, where the error can name the file and line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

Task = Literal["codegen", "alchemist", "evolution", "filtering", "review", "repair"]
TASKS: tuple[str, ...] = ("codegen", "alchemist", "evolution", "filtering", "review", "repair")

Verdict = Literal["keep", "reject", "modify", "create", "info"]


@dataclass(slots=True)
class TraceEvent:
    """One decision about a sample: which operation, with what parameters, and what it concluded.

    ``verdict`` is ``reject`` for a removal (``reason`` is then a stable reason code such as
    ``short_response`` or ``contaminated``), ``modify`` when the messages changed (``before``/``after``
    hold the changed text), ``create`` for a sample made from others (``params["parents"]``), ``keep`` for a
    check that passed and ``info`` for facts recorded without a decision.
    """

    op: str
    verdict: str = "info"
    reason: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    before: Any = None
    after: Any = None
    model: str | None = None
    stage: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"op": self.op, "verdict": self.verdict}
        for key in ("reason", "before", "after", "model", "stage"):
            value = getattr(self, key)
            if value is not None:
                d[key] = value
        if self.params:
            d["params"] = self.params
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TraceEvent:
        return cls(
            op=d["op"],
            verdict=d.get("verdict", "info"),
            reason=d.get("reason"),
            params=d.get("params") or {},
            before=d.get("before"),
            after=d.get("after"),
            model=d.get("model"),
            stage=d.get("stage"),
        )


@dataclass(slots=True)
class Sample:
    """An instruction-tuning example with its provenance and trace."""

    id: str
    source: str
    messages: list[dict[str, str]]
    task: str = "codegen"
    meta: dict[str, Any] = field(default_factory=dict)
    trace: list[TraceEvent] = field(default_factory=list)

    # -- convenient views -------------------------------------------------------------------------
    @property
    def instruction(self) -> str:
        """Content of the first user turn ("" when there is none)."""
        for m in self.messages:
            if m.get("role") == "user":
                return m.get("content") or ""
        return ""

    @property
    def response(self) -> str:
        """Content of the last assistant turn ("" when there is none)."""
        for m in reversed(self.messages):
            if m.get("role") == "assistant":
                return m.get("content") or ""
        return ""

    @property
    def rejection(self) -> TraceEvent | None:
        """The event that rejected this sample, or None while it is kept."""
        for event in reversed(self.trace):
            if event.verdict == "reject":
                return event
        return None

    @property
    def rejected(self) -> bool:
        return self.rejection is not None

    def record(self, op: str, verdict: str = "info", **kwargs: Any) -> TraceEvent:
        """Append a trace event and return it."""
        event = TraceEvent(op=op, verdict=verdict, **kwargs)
        self.trace.append(event)
        return event

    def reject(self, op: str, reason: str, **kwargs: Any) -> TraceEvent:
        """Mark the sample rejected by ``op`` for ``reason`` (a stable reason code)."""
        return self.record(op, "reject", reason=reason, **kwargs)

    # -- serialization ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "task": self.task,
            "messages": self.messages,
            "meta": self.meta,
            "trace": [e.to_dict() for e in self.trace],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sample:
        return cls(
            id=d["id"],
            source=d["source"],
            messages=d["messages"],
            task=d.get("task", "codegen"),
            meta=d.get("meta") or {},
            trace=[TraceEvent.from_dict(e) for e in d.get("trace") or ()],
        )

    def copy(self) -> Sample:
        """A deep copy, through the serialized form so nested lists and dicts are not shared."""
        return Sample.from_dict(orjson.loads(orjson.dumps(self.to_dict())))


def content_id(source: str, messages: list[dict[str, str]], salt: str = "") -> str:
    """A stable id from the source name and the message contents (16 hex chars of sha256).

    ``salt`` separates records whose content is identical (the n-th exact copy inside one source gets
    ``salt=str(n)``), so every record keeps its own id while re-ingesting the same file gives the same ids.
    """
    # one encode and one hash call over the joined text (ingest hashes every record; same digest as hashing
    # the parts one by one): source, then per message \x00 role \x01 content, then \x02 salt
    parts = [source]
    for m in messages:
        parts += ("\x00", m.get("role", ""), "\x01", m.get("content") or "")
    if salt:
        parts += ("\x02", salt)
    return hashlib.sha256("".join(parts).encode()).hexdigest()[:16]


def make_messages(instruction: str, response: str, system: str | None = None) -> list[dict[str, str]]:
    """The canonical two-turn chat for an instruction/response pair."""
    messages = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": instruction})
    messages.append({"role": "assistant", "content": response})
    return messages
