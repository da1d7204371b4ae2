"""Structured outputs: ask for JSON matching a pydantic schema, validate, and re-ask with the error.

The schema goes into the prompt (every backend understands that) and into ``ChatRequest.json_schema``
(part of the cache key; the openai backend can also send it as ``response_format``). Parsing is lenient about
wrapping — a fenced ```json block or prose around one JSON object — and strict about content: the object
must validate against the schema.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from alchemistcoder.llm.types import ChatRequest

_FENCE = re.compile(r"```(?:json|JSON)?\s*\n(.*?)```", re.DOTALL)


def schema_instruction(schema_json: dict[str, Any]) -> str:
    """The text appended to a request so the model answers in JSON."""
    return (
        "\n\nAnswer with one JSON object only, no other text, that matches this JSON schema:\n"
        + json.dumps(schema_json, separators=(",", ":"))
    )


def with_schema(request: ChatRequest, schema_json: dict[str, Any]) -> ChatRequest:
    """A copy of ``request`` that asks for JSON matching ``schema_json``."""
    note = schema_instruction(schema_json)
    if request.prompt is not None:
        return dataclasses.replace(request, prompt=request.prompt + note, json_schema=schema_json)
    messages = [dict(m) for m in request.messages or []]
    for m in reversed(messages):
        if m.get("role") == "user":
            m["content"] = (m.get("content") or "") + note
            break
    else:
        messages.append({"role": "user", "content": note.strip()})
    return dataclasses.replace(request, messages=messages, json_schema=schema_json)


def reask_request(request: ChatRequest, answer: str, problem: str) -> ChatRequest:
    """``request`` continued with the invalid ``answer`` and a request to fix ``problem``."""
    fix = f"That answer is not valid: {problem}\nReply again with only the corrected JSON object."
    if request.prompt is not None:
        return dataclasses.replace(request, prompt=f"{request.prompt}\n{answer}\n\n{fix}\n")
    messages = [
        *(request.messages or []),
        {"role": "assistant", "content": answer},
        {"role": "user", "content": fix},
    ]
    return dataclasses.replace(request, messages=messages)


def _candidates(text: str) -> list[str]:
    out = [m.group(1) for m in _FENCE.finditer(text)]
    stripped = text.strip()
    out.append(stripped)
    start, end = stripped.find("{"), stripped.rfind("}")
    if 0 <= start < end:
        out.append(stripped[start : end + 1])
    return out


def parse_structured(text: str, schema: type[BaseModel]) -> BaseModel:
    """The object in ``text`` validated against ``schema``; ValueError with a short reason otherwise."""
    problem = "no JSON object found"
    for candidate in _candidates(text):
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError as exc:
            problem = f"invalid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
            continue
        try:
            return schema.model_validate(data)
        except ValidationError as exc:
            errors = exc.errors()
            shown = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in errors[:3]
            )
            problem = f"does not match the schema: {shown}"
    raise ValueError(problem)
